using System.Text.RegularExpressions;

namespace StreamingWorkshop.Warehouse;

/// <summary>The words, quoted strings and brackets of a COPY, UNLOAD or CREATE EXTERNAL SCHEMA statement, read one at a time.</summary>
internal sealed partial class LoadTokens
{
    private readonly List<string> tokens;
    private int next;

    public LoadTokens(string text) => tokens = Token().Matches(text).Select(m => m.Value).ToList();

    public bool AtEnd => next >= tokens.Count;

    public string Peek => AtEnd ? "" : tokens[next];

    public string Take(string expected)
    {
        if (AtEnd) throw new RedshiftSqlException($"syntax error at end of input: {expected} expected", "42601");
        return tokens[next++];
    }

    /// <summary>Takes the next token if it is the keyword (case-insensitive).</summary>
    public bool Accept(string keyword)
    {
        if (AtEnd || !tokens[next].Equals(keyword, StringComparison.OrdinalIgnoreCase)) return false;
        next++;
        return true;
    }

    public void Expect(string keyword)
    {
        if (!Accept(keyword)) throw SyntaxError();
    }

    /// <summary>A quoted string's text ('' read as ').</summary>
    public string QuotedString(string what)
    {
        var token = Take(what);
        if (token.Length < 2 || token[0] != '\'') throw new RedshiftSqlException($"syntax error at or near \"{token}\": {what} is written in single quotes", "42601");
        return token[1..^1].Replace("''", "'");
    }

    public long Number(string what)
    {
        var token = Take(what);
        return long.TryParse(token, out var value) && value >= 0
            ? value
            : throw new RedshiftSqlException($"syntax error at or near \"{token}\": {what} is a whole number", "42601");
    }

    public RedshiftSqlException SyntaxError() =>
        new(AtEnd ? "syntax error at end of input" : $"syntax error at or near \"{tokens[next]}\"", "42601");

    /// <summary>An identifier as Redshift folds it: unquoted in lower case, quoted as written.</summary>
    public static string Identifier(string token) =>
        token.StartsWith('"') ? token[1..^1].Replace("\"\"", "\"") : token.ToLowerInvariant();

    public static bool IsIdentifier(string token) => IdentifierShape().IsMatch(token);

    [GeneratedRegex(@"'(?:[^']|'')*'|""(?:[^""]|"""")*""|[(),.]|[^\s(),.']+")]
    private static partial Regex Token();

    [GeneratedRegex(@"^(""(?:[^""]|"""")+""|[A-Za-z_][A-Za-z0-9_$]*)$")]
    private static partial Regex IdentifierShape();
}
