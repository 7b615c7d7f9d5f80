using StreamingWorkshop.Catalog;

namespace StreamingWorkshop.Query;

/// <summary>
/// The partition values a plain query pins with its WHERE clause (<c>location = 'London' AND day = '15'</c>), so
/// the table's file list can leave out the folders that cannot match before DuckDB parses every path of it.
/// Only the simplest shape is read: one SELECT over one table, no subquery, join, set operation or OR, and
/// conjuncts <c>key = 'text'</c> on string partition keys. Anything else gets no pruning: DuckDB prunes alone,
/// as it always did. Leaving out only folders DuckDB would skip keeps the objects read, and so the data scanned,
/// the same.
/// </summary>
internal sealed class PartitionPruning
{
    private readonly IReadOnlyList<(string Key, string Value)> pinned;

    private PartitionPruning(IReadOnlyList<(string Key, string Value)> pinned) => this.pinned = pinned;

    /// <summary>The partition keys the filter pins, each to one value.</summary>
    public IReadOnlyList<(string Key, string Value)> PinnedValues => pinned;

    /// <summary>Whether a partition with these values may hold matching rows.</summary>
    public bool Admits(GlueTable table, IReadOnlyList<string> values)
    {
        foreach (var (key, value) in pinned)
        {
            var index = IndexOfKey(table, key);
            if (index < 0 || index >= values.Count) return true;
            // DuckDB may decode %-escapes in a folder's value; such a folder is left for DuckDB to judge.
            if (values[index].Contains('%')) continue;
            if (!string.Equals(values[index], value, StringComparison.Ordinal)) return false;
        }
        return true;
    }

    /// <summary>The position of a partition key among the table's, or -1.</summary>
    internal static int IndexOfKey(GlueTable table, string key)
    {
        for (var i = 0; i < table.PartitionKeys.Count; i++)
            if (table.PartitionKeys[i].Name == key) return i;
        return -1;
    }

    private static readonly HashSet<string> Refused = new(StringComparer.OrdinalIgnoreCase)
    {
        "with", "union", "intersect", "except", "join", "lateral", "unnest", "or", "between", "case", "exists", "in", "any", "some", "all",
        "tablesample", "values", "into",
    };

    private static readonly HashSet<string> ClauseEnds = new(StringComparer.OrdinalIgnoreCase)
    {
        "group", "order", "limit", "having", "offset", "window", "qualify", "fetch",
    };

    /// <summary>
    /// The pruning a query allows on <paramref name="table"/>, or null when its shape is not the plain one.
    /// <paramref name="database"/> is the query's current database, for a table named without one.
    /// </summary>
    public static PartitionPruning? For(string sql, GlueTable table, string database)
    {
        if (table.PartitionKeys.Count == 0 || table.IsView) return null;
        var tokens = AthenaSql.SignificantTokens(sql);
        while (tokens.Count > 0 && tokens[^1].Text == ";") tokens.RemoveAt(tokens.Count - 1);
        if (tokens.Count == 0 || tokens[0].Lower != "select") return null;
        if (tokens.Skip(1).Any(t => t.Kind == AthenaSql.TokenKind.Word && (t.Lower == "select" || Refused.Contains(t.Text))) || tokens.Any(t => t.Text == ";"))
            return null;

        var from = -1;
        var depth = 0;
        for (var i = 1; i < tokens.Count; i++)
        {
            if (tokens[i].Text == "(") depth++;
            else if (tokens[i].Text == ")") depth--;
            else if (depth == 0 && tokens[i].Kind == AthenaSql.TokenKind.Word && tokens[i].Lower == "from") { from = i; break; }
        }
        if (from < 0 || depth != 0) return null;

        // FROM [db.]table [[AS] alias] WHERE
        var at = from + 1;
        if (!IsName(tokens, at)) return null;
        var names = new List<string> { Name(tokens[at]) };
        at++;
        if (at + 1 < tokens.Count && tokens[at].Text == "." && IsName(tokens, at + 1)) { names.Add(Name(tokens[at + 1])); at += 2; }
        var (db, name) = names.Count == 2 ? (names[0], names[1]) : (database, names[0]);
        if (db != table.DatabaseName || name != table.Name) return null;
        string? alias = null;
        if (at < tokens.Count && tokens[at].Lower == "as") at++;
        if (at < tokens.Count && IsName(tokens, at) && !(tokens[at].Kind == AthenaSql.TokenKind.Word && (tokens[at].Lower == "where" || ClauseEnds.Contains(tokens[at].Text))))
        {
            alias = Name(tokens[at]);
            at++;
        }
        if (at >= tokens.Count || tokens[at].Lower != "where") return null;
        at++;

        var end = at;
        depth = 0;
        for (; end < tokens.Count; end++)
        {
            if (tokens[end].Text == "(") depth++;
            else if (tokens[end].Text == ")") { if (--depth < 0) return null; }
            else if (depth == 0 && tokens[end].Kind == AthenaSql.TokenKind.Word && ClauseEnds.Contains(tokens[end].Text)) break;
        }
        if (depth != 0) return null;

        var pinned = new List<(string, string)>();
        var start = at;
        depth = 0;
        for (var i = at; i <= end; i++)
        {
            if (i < end && tokens[i].Text == "(") { depth++; continue; }
            if (i < end && tokens[i].Text == ")") { depth--; continue; }
            if (i < end && !(depth == 0 && tokens[i].Kind == AthenaSql.TokenKind.Word && tokens[i].Lower == "and")) continue;
            if (Pinned(tokens.GetRange(start, i - start), table, name, alias) is { } pin) pinned.Add(pin);
            start = i + 1;
        }
        return pinned.Count == 0 ? null : new PartitionPruning(pinned);
    }

    /// <summary>A conjunct of the form key = 'text' (or 'text' = key), key a string partition key, optionally qualified.</summary>
    private static (string Key, string Value)? Pinned(List<AthenaSql.Token> conjunct, GlueTable table, string tableName, string? alias)
    {
        int keyAt, literalAt;
        if (conjunct.Count == 3 && conjunct[1].Text == "=") (keyAt, literalAt) = conjunct[2].Kind == AthenaSql.TokenKind.String ? (0, 2) : (2, 0);
        else if (conjunct.Count == 5 && conjunct[1].Text == "." && conjunct[3].Text == "=") (keyAt, literalAt) = (2, 4);
        else if (conjunct.Count == 5 && conjunct[1].Text == "=" && conjunct[3].Text == ".") (keyAt, literalAt) = (4, 0);
        else return null;
        if (conjunct.Count == 5)
        {
            var qualifierAt = keyAt - 2;
            if (!IsName(conjunct, qualifierAt)) return null;
            var qualifier = Name(conjunct[qualifierAt]);
            if (alias is not null ? qualifier != alias : qualifier != tableName) return null;
        }
        if (!IsName(conjunct, keyAt) || conjunct[literalAt].Kind != AthenaSql.TokenKind.String) return null;
        var literal = conjunct[literalAt].Text;
        if (literal.Length < 2 || literal[^1] != '\'') return null;
        var key = Name(conjunct[keyAt]);
        if (table.PartitionKeys.FirstOrDefault(k => k.Name == key) is not { Type: "string" }) return null;
        return (key, literal[1..^1].Replace("''", "'"));
    }

    private static bool IsName(List<AthenaSql.Token> tokens, int index) =>
        index >= 0 && index < tokens.Count && tokens[index].Kind is AthenaSql.TokenKind.Word or AthenaSql.TokenKind.QuotedIdentifier
        && (tokens[index].Kind != AthenaSql.TokenKind.QuotedIdentifier || (tokens[index].Text.Length >= 2 && tokens[index].Text[^1] == tokens[index].Text[0]));

    private static string Name(AthenaSql.Token token) => token.Name;
}
