using System.Globalization;
using StreamingWorkshop.Catalog;

namespace StreamingWorkshop.Query;

/// <summary>
/// Athena (Trino) never converts between text and numbers to compare them: <c>WHERE year = 2026</c> on the crawler's
/// string partition key is TYPE_MISMATCH there, while DuckDB would cast the key and answer. So a learner would learn
/// locally the habit Task 3 teaches against. This finds a string column compared with a number literal, in either
/// order, and says so in Athena's words. Only a query with one SELECT is judged, its names taken as the catalog's
/// columns unless the query gives the same name to something of its own (<c>AS year</c>); anything less plain is left
/// to the engine.
/// </summary>
internal static class StringNumberComparison
{
    private static readonly string[] Operators = ["<>", "!=", "<=", ">=", "=", "<", ">"];

    /// <summary>Throws TYPE_MISMATCH for the first string column of <paramref name="tables"/> compared with a number.</summary>
    public static void Check(string sql, Func<IReadOnlyList<GlueTable>> tables)
    {
        var tokens = AthenaSql.Tokenize(sql).Where(t => t.Kind is not (AthenaSql.TokenKind.Space or AthenaSql.TokenKind.Comment)).ToList();
        var comparisons = new List<(int Name, string Operator, int At, int Number, bool NameFirst)>();
        for (var k = 0; k < tokens.Count; k++)
        {
            if (tokens[k].Kind != AthenaSql.TokenKind.Number) continue;
            if (OperatorBefore(tokens, k) is { } before && IsColumnName(tokens, before.Start - 1))
                comparisons.Add((before.Start - 1, before.Text, before.Start, k, true));
            else if (OperatorAfter(tokens, k) is { } after && IsColumnName(tokens, after.End + 1))
                comparisons.Add((after.End + 1, after.Text, k + 1, k, false));
        }
        // The catalog is read only for a query that compares a name with a number at all.
        if (comparisons.Count == 0) return;
        var words = tokens.Where(t => t.Kind == AthenaSql.TokenKind.Word).Select(t => t.Lower).ToList();
        if (words.Count(w => w == "select") != 1) return;
        var ownNames = tokens.Where((t, k) => k > 0 && tokens[k - 1].Lower == "as" && t.Kind is AthenaSql.TokenKind.Word or AthenaSql.TokenKind.QuotedIdentifier)
            .Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var columns = tables().SelectMany(t => t.AllColumns).GroupBy(c => c.Name.ToLowerInvariant())
            .ToDictionary(g => g.Key, g => g.Select(c => c.Type.ToLowerInvariant()).ToList(), StringComparer.Ordinal);
        foreach (var (name, op, at, number, nameFirst) in comparisons)
        {
            var column = tokens[name].Name;
            if (ownNames.Contains(column) || !columns.TryGetValue(column, out var types) || !types.All(IsText)) continue;
            var literal = LiteralType(tokens[number].Text);
            var shown = op == "!=" ? "<>" : op;
            // At the operator, where Trino places a comparison.
            var (line, position) = AthenaSql.Position(sql, tokens[at].Offset);
            throw new AthenaQueryException("TYPE_MISMATCH",
                $"line {line}:{position}: Cannot apply operator: {(nameFirst ? $"varchar {shown} {literal}" : $"{literal} {shown} varchar")}. " +
                $"'{column}' is a string column and Athena does not turn text into numbers to compare them: quote the value ('{tokens[number].Text}'), or CAST the column.");
        }
    }

    private static bool IsText(string type) => type is "string" or "varchar" or "char" || type.StartsWith("varchar(", StringComparison.Ordinal) || type.StartsWith("char(", StringComparison.Ordinal);

    /// <summary>A column's name at <paramref name="k"/>: a word or quoted name that is not a call, a keyword's value or a literal's type.</summary>
    private static bool IsColumnName(List<AthenaSql.Token> tokens, int k)
    {
        if (k < 0 || k >= tokens.Count || tokens[k].Kind is not (AthenaSql.TokenKind.Word or AthenaSql.TokenKind.QuotedIdentifier)) return false;
        if (k + 1 < tokens.Count && tokens[k + 1].Text is "(" or ".") return false;
        return tokens[k].Kind == AthenaSql.TokenKind.QuotedIdentifier || !Keywords.Contains(tokens[k].Lower);
    }

    // Words that may stand next to a comparison without being a column.
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "and", "or", "not", "where", "on", "having", "when", "then", "else", "case", "end", "null", "true", "false", "select",
        "limit", "offset", "by", "in", "between", "is", "like", "any", "all", "some", "exists", "interval",
    };

    /// <summary>The comparison operator just before token <paramref name="k"/> (one or two symbols), with where it starts.</summary>
    private static (string Text, int Start)? OperatorBefore(List<AthenaSql.Token> tokens, int k)
    {
        foreach (var op in Operators)
        {
            var start = k - op.Length;
            if (start >= 0 && Enumerable.Range(0, op.Length).All(i => tokens[start + i].Text == op[i].ToString())
                && (start == 0 || !IsOperatorSymbol(tokens[start - 1].Text)))
                return (op, start);
        }
        return null;
    }

    /// <summary>The comparison operator just after token <paramref name="k"/>, with where it ends.</summary>
    private static (string Text, int End)? OperatorAfter(List<AthenaSql.Token> tokens, int k)
    {
        foreach (var op in Operators)
        {
            var end = k + op.Length;
            if (end < tokens.Count && Enumerable.Range(0, op.Length).All(i => tokens[k + 1 + i].Text == op[i].ToString())
                && (end + 1 >= tokens.Count || !IsOperatorSymbol(tokens[end + 1].Text)))
                return (op, end);
        }
        return null;
    }

    private static bool IsOperatorSymbol(string text) => text is "<" or ">" or "=" or "!";

    /// <summary>The type Trino gives a number literal: integer or bigint, decimal(p,s) with a point, double with an exponent.</summary>
    private static string LiteralType(string text)
    {
        if (text.Contains('e') || text.Contains('E')) return "double";
        if (text.IndexOf('.') is var point and >= 0)
        {
            var digits = text.Count(char.IsDigit);
            return $"decimal({digits},{text.Length - point - 1})";
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= int.MaxValue ? "integer" : "bigint";
    }
}
