using StreamingWorkshop.Catalog;

namespace StreamingWorkshop.Query;

/// <summary>
/// Trino resolves GROUP BY and HAVING against the tables' columns, never the select list's own names: <c>SELECT
/// hour(t) AS h ... GROUP BY h</c> is COLUMN_NOT_FOUND on Athena, where DuckDB would group by the alias. ORDER BY may
/// name them. Judged, as <see cref="LiteralComparison"/> is, only in a query with one SELECT.
/// </summary>
internal static class GroupByAlias
{
    /// <summary>Throws COLUMN_NOT_FOUND for the first name in GROUP BY or HAVING that only the select list gives.</summary>
    /// <param name="tokens">The SQL's significant tokens (<see cref="AthenaSql.SignificantTokens"/>).</param>
    public static void Check(string sql, List<AthenaSql.Token> tokens, Func<IReadOnlyList<GlueTable>> tables)
    {
        var words = tokens.Where(t => t.Kind == AthenaSql.TokenKind.Word).Select(t => t.Lower).ToList();
        if (words.Count(w => w == "select") != 1 || !(words.Contains("group") || words.Contains("having"))) return;
        var aliases = AthenaSql.NamesGivenWithAs(tokens);
        if (aliases.Count == 0) return;
        var named = new List<(int Token, bool Having)>();
        bool inClause = false, having = false;
        var depth = 0;
        for (var k = 0; k < tokens.Count; k++)
        {
            var token = tokens[k];
            if (token.Text == "(") depth++;
            else if (token.Text == ")") depth--;
            if (depth == 0 && token.Kind == AthenaSql.TokenKind.Word)
            {
                if ((token.Lower == "group" && k + 1 < tokens.Count && tokens[k + 1].Lower == "by") || token.Lower == "having")
                {
                    (inClause, having) = (true, token.Lower == "having");
                    continue;
                }
                if (token.Lower is "order" or "limit" or "offset" or "window" or "union" or "intersect" or "except") inClause = false;
            }
            if (inClause && token.Kind is AthenaSql.TokenKind.Word or AthenaSql.TokenKind.QuotedIdentifier && aliases.Contains(token.Name)
                && (k == 0 || tokens[k - 1].Text != ".") && (k + 1 >= tokens.Count || tokens[k + 1].Text is not ("(" or ".")))
                named.Add((k, having));
        }
        if (named.Count == 0) return;
        var columns = tables().SelectMany(t => t.AllColumns).Select(c => c.Name.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        foreach (var (k, inHaving) in named)
        {
            var name = tokens[k].Name;
            if (columns.Contains(name)) continue;
            var (line, column) = AthenaSql.Position(sql, tokens[k].Offset);
            throw new AthenaQueryException("COLUMN_NOT_FOUND",
                $"line {line}:{column}: Column '{name}' cannot be resolved. '{name}' is a name the select list gives, which Athena's {(inHaving ? "HAVING does" : "GROUP BY does")} not see: " +
                (inHaving ? "repeat its expression there" : "repeat its expression there, or give its position (GROUP BY 1)"));
        }
    }
}
