using System.Globalization;
using StreamingWorkshop.Catalog;

namespace StreamingWorkshop.Query;

/// <summary>
/// Athena (Trino) never converts between text and other types to compare them: <c>WHERE year = 2026</c> on the
/// crawler's string partition key, and <c>WHERE measurement_time > '2026-12-07 12:00'</c> on a timestamp column, are
/// TYPE_MISMATCH there, while DuckDB would cast and answer. So a learner would learn locally the habits Task 3 teaches
/// against. This finds a column compared with a literal of the other kind (a string column with a number, a number,
/// date or timestamp column with a quoted text), in either order, and says so in Athena's words. Only a query with one
/// SELECT is judged, its names taken as the catalog's columns unless the query gives the same name to something of its
/// own (<c>AS year</c>); anything less plain is left to the engine.
/// </summary>
internal static class LiteralComparison
{
    private static readonly string[] Operators = ["<>", "!=", "<=", ">=", "=", "<", ">"];

    /// <summary>Throws TYPE_MISMATCH for the first column of <paramref name="tables"/> compared with a literal of the other kind.</summary>
    /// <param name="tokens">The SQL's significant tokens (<see cref="AthenaSql.SignificantTokens"/>).</param>
    public static void Check(string sql, List<AthenaSql.Token> tokens, Func<IReadOnlyList<GlueTable>> tables)
    {
        var comparisons = new List<(int Name, string Operator, int At, int Literal, bool NameFirst)>();
        for (var k = 0; k < tokens.Count; k++)
        {
            // A quoted text after a type's name (DATE '...', TIMESTAMP '...', INTERVAL '1') is a literal of that type.
            if (tokens[k].Kind is not (AthenaSql.TokenKind.Number or AthenaSql.TokenKind.String)
                || (tokens[k].Kind == AthenaSql.TokenKind.String && k > 0 && TypedLiterals.Contains(tokens[k - 1].Lower))) continue;
            if (OperatorBefore(tokens, k) is { } before && IsColumnName(tokens, before.Start - 1))
                comparisons.Add((before.Start - 1, before.Text, before.Start, k, true));
            else if (OperatorAfter(tokens, k) is { } after && IsColumnName(tokens, after.End + 1))
                comparisons.Add((after.End + 1, after.Text, k + 1, k, false));
        }
        // The catalog is read only for a query that compares a name with a literal at all.
        if (comparisons.Count == 0) return;
        var words = tokens.Where(t => t.Kind == AthenaSql.TokenKind.Word).Select(t => t.Lower).ToList();
        if (words.Count(w => w == "select") != 1) return;
        var ownNames = AthenaSql.NamesGivenWithAs(tokens);
        var columns = tables().SelectMany(t => t.AllColumns).GroupBy(c => c.Name.ToLowerInvariant())
            .ToDictionary(g => g.Key, g => g.Select(c => c.Type.ToLowerInvariant()).Distinct().ToList(), StringComparer.Ordinal);
        foreach (var (name, op, at, literalAt, nameFirst) in comparisons)
        {
            var column = tokens[name].Name;
            if (ownNames.Contains(column) || !columns.TryGetValue(column, out var types) || types.Count != 1) continue;
            var literal = tokens[literalAt];
            var isText = IsText(types[0]);
            string literalType, columnType, wayOn;
            if (literal.Kind == AthenaSql.TokenKind.Number && isText)
            {
                (columnType, literalType) = ("varchar", NumberType(literal.Text));
                wayOn = $"'{column}' is a string column and Athena does not turn text into numbers to compare them: quote the value ('{literal.Text}'), or CAST the column.";
            }
            else if (literal.Kind == AthenaSql.TokenKind.String && TrinoType(types[0]) is { } trino)
            {
                (columnType, literalType) = (trino, $"varchar({literal.Text[1..^1].Replace("''", "'").Length})");
                wayOn = trino is "date" or "timestamp(3)"
                    ? $"'{column}' is a {types[0]} column and Athena does not read text as a {types[0]}: write a {types[0]} literal ({types[0].ToUpperInvariant()} {literal.Text}), or CAST the column to varchar."
                    : $"'{column}' is a {types[0]} column and Athena does not read text as a number: write the number without quotes, or CAST the column to varchar.";
            }
            else continue;
            var shown = op == "!=" ? "<>" : op;
            // At the operator, where Trino places a comparison.
            var (line, position) = AthenaSql.Position(sql, tokens[at].Offset);
            throw new AthenaQueryException("TYPE_MISMATCH",
                $"line {line}:{position}: Cannot apply operator: {(nameFirst ? $"{columnType} {shown} {literalType}" : $"{literalType} {shown} {columnType}")}. {wayOn}");
        }
    }

    private static readonly HashSet<string> TypedLiterals = new(StringComparer.Ordinal)
    {
        "date", "time", "timestamp", "interval", "decimal", "real", "double", "varchar", "char", "json", "uuid", "ipaddress", "varbinary",
    };

    /// <summary>Trino's name for a Hive type that text is never compared with, or null (text itself, and types left to the engine).</summary>
    private static string? TrinoType(string type) => type switch
    {
        "int" or "integer" => "integer",
        "bigint" or "smallint" or "tinyint" or "double" or "date" or "boolean" => type,
        "float" => "real",
        "timestamp" => "timestamp(3)",
        _ when type.StartsWith("decimal(", StringComparison.Ordinal) => type,
        _ => null,
    };

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
    private static string NumberType(string text)
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
