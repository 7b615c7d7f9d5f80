using System.Text;

namespace StreamingWorkshop.Warehouse;

/// <summary>A column as CREATE TABLE declared it: its type, compression encoding, key roles, constraint and IDENTITY or DEFAULT.</summary>
public sealed record ColumnDesign(string Name, RedshiftType Type, string? Encoding, bool DistKey, int SortKey, bool NotNull, (long Seed, long Step)? Identity, string? DefaultSql);

/// <summary>
/// A table as CREATE TABLE declared it. Redshift's physical design (distribution, sort keys, compression, backup) has
/// no effect on DuckDB, so it is kept as written for SVV_TABLE_INFO and PG_TABLE_DEF to show.
/// </summary>
public sealed record TableDesign(string? Schema, string Name, bool IfNotExists, bool Temporary, IReadOnlyList<ColumnDesign> Columns,
    string DistStyle, string? DistKey, string SortStyle, IReadOnlyList<string> SortKeys, bool EncodeAuto, bool Backup, string? SelectSql)
{
    /// <summary>DISTSTYLE as SVV_TABLE_INFO shows it: KEY(city), EVEN, ALL, or AUTO(ALL) for a new table left to Redshift.</summary>
    public string DistStyleShown => DistStyle switch
    {
        "KEY" => $"KEY({DistKey})",
        "AUTO" => "AUTO(ALL)",
        var other => other,
    };

    /// <summary>SVV_TABLE_INFO's sortkey1: the first sort key column, INTERLEAVED, AUTO(SORTKEY), or null for none.</summary>
    public string? SortKey1 => SortStyle switch
    {
        "AUTO" => "AUTO(SORTKEY)",
        "INTERLEAVED" => "INTERLEAVED",
        _ => SortKeys.FirstOrDefault(),
    };

    /// <summary>SVV_TABLE_INFO's encoded: Y, N, or "Y, AUTO(ENCODE)" when Redshift chooses the encodings.</summary>
    public string Encoded => EncodeAuto ? "Y, AUTO(ENCODE)" : Columns.Any(c => c.Encoding is not null and not "raw") ? "Y" : "N";
}

/// <summary>Reads Redshift's CREATE TABLE, keeping what DuckDB can hold and the rest as the table's design.</summary>
public static class RedshiftDdl
{
    private static readonly HashSet<string> Encodings = new(StringComparer.OrdinalIgnoreCase)
    {
        "raw", "az64", "bytedict", "delta", "delta32k", "lzo", "mostly8", "mostly16", "mostly32", "runlength", "text255", "text32k", "zstd",
    };

    private static readonly HashSet<string> ColumnOptionWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "ENCODE", "IDENTITY", "GENERATED", "DEFAULT", "NOT", "NULL", "PRIMARY", "UNIQUE", "DISTKEY", "SORTKEY", "REFERENCES", "COLLATE",
    };

    /// <summary>The design of a CREATE TABLE statement, or null when <paramref name="sql"/> is not one.</summary>
    public static TableDesign? ParseCreateTable(string sql)
    {
        var all = RedshiftLexer.Tokens(sql);
        var s = all.Where(t => t.Kind is not (RedshiftTokenKind.Space or RedshiftTokenKind.Comment)).ToList();
        var i = 0;
        RedshiftToken? At(int k) => k < s.Count ? s[k] : null;
        RedshiftSqlException Syntax(int k) => At(k) is { } t ? new($"syntax error at or near \"{t.Text}\"", "42601") : new("syntax error at end of input", "42601");
        if (At(i)?.IsWord("CREATE") != true) return null;
        i++;
        var temporary = false;
        if (At(i)?.IsWord("LOCAL") == true) i++;
        if (At(i)?.IsWord("TEMP") == true || At(i)?.IsWord("TEMPORARY") == true) { temporary = true; i++; }
        if (At(i)?.IsWord("TABLE") != true) return null;
        i++;
        var ifNotExists = false;
        if (At(i)?.IsWord("IF") == true)
        {
            if (At(i + 1)?.IsWord("NOT") != true || At(i + 2)?.IsWord("EXISTS") != true) throw Syntax(i + 1);
            ifNotExists = true;
            i += 3;
        }
        if (At(i)?.IsName != true) throw Syntax(i);
        string? schema = null;
        var name = s[i++].Name;
        if (At(i)?.IsSymbol(".") == true && At(i + 1)?.IsName == true)
        {
            (schema, name) = (name, s[i + 1].Name);
            i += 2;
        }
        var columns = new List<ColumnDesign>();
        if (At(i)?.IsSymbol("(") == true)
        {
            var close = Close(s, i);
            foreach (var element in Split(s, i + 1, close))
            {
                if (element.Count == 0) throw Syntax(close);
                var head = element[0];
                if (head.IsWord("PRIMARY") || head.IsWord("UNIQUE") || head.IsWord("FOREIGN") || head.IsWord("CONSTRAINT") || head.IsWord("CHECK")) continue;
                if (head.IsWord("LIKE")) throw RedshiftSqlException.NotSupported("CREATE TABLE ... (LIKE table)", "Use CREATE TABLE ... AS SELECT * FROM table WHERE false.");
                columns.Add(Column(element));
            }
            i = close + 1;
        }
        var distStyle = (string?)null;
        string? distKey = null;
        var sortStyle = (string?)null;
        var sortKeys = new List<string>();
        var encodeAuto = (bool?)null;
        var backup = true;
        while (i < s.Count && !s[i].IsWord("AS"))
        {
            var t = s[i];
            if (t.IsWord("DISTSTYLE"))
            {
                distStyle = At(i + 1)?.Text.ToUpperInvariant() is "AUTO" or "EVEN" or "KEY" or "ALL" ? s[i + 1].Text.ToUpperInvariant() : throw Syntax(i + 1);
                i += 2;
            }
            else if (t.IsWord("DISTKEY"))
            {
                var names = Names(s, i + 1, out i);
                if (names.Count != 1) throw Syntax(i);
                distKey = names[0];
            }
            else if (t.IsWord("COMPOUND") || t.IsWord("INTERLEAVED"))
            {
                if (At(i + 1)?.IsWord("SORTKEY") != true) throw Syntax(i + 1);
                sortStyle = t.Text.ToUpperInvariant();
                sortKeys = Names(s, i + 2, out i);
            }
            else if (t.IsWord("SORTKEY"))
            {
                if (At(i + 1)?.IsWord("AUTO") == true) { sortStyle = "AUTO"; i += 2; }
                else { sortStyle = "COMPOUND"; sortKeys = Names(s, i + 1, out i); }
            }
            else if (t.IsWord("ENCODE"))
            {
                if (At(i + 1)?.IsWord("AUTO") != true) throw Syntax(i + 1);
                encodeAuto = true;
                i += 2;
            }
            else if (t.IsWord("BACKUP"))
            {
                backup = At(i + 1)?.IsWord("YES") == true || (At(i + 1)?.IsWord("NO") == true ? false : throw Syntax(i + 1));
                i += 2;
            }
            else throw Syntax(i);
        }
        string? select = null;
        if (i < s.Count)
        {
            // The SELECT of CREATE TABLE ... AS, as written after AS.
            var asToken = s[i];
            var index = all.IndexOf(asToken);
            select = string.Concat(all.Skip(index + 1).Select(t => t.Text)).Trim();
            if (select.Length == 0) throw Syntax(i + 1);
        }
        else if (columns.Count == 0) throw Syntax(i);

        // Column-level DISTKEY and SORTKEY, as the table attributes would say it.
        distKey ??= columns.FirstOrDefault(c => c.DistKey)?.Name;
        if (sortStyle is null && columns.Any(c => c.SortKey > 0)) { sortStyle = "COMPOUND"; sortKeys = columns.Where(c => c.SortKey > 0).Select(c => c.Name).ToList(); }
        distStyle ??= distKey is null ? "AUTO" : "KEY";
        if (distStyle == "KEY" && distKey is null) throw new RedshiftSqlException("DISTSTYLE KEY needs a DISTKEY column", "42601");
        if (distKey is not null && distStyle != "KEY") throw new RedshiftSqlException($"DISTKEY({distKey}) needs DISTSTYLE KEY, not DISTSTYLE {distStyle}", "42601");
        foreach (var key in sortKeys.Append(distKey).OfType<string>())
            if (select is null && columns.All(c => c.Name != key)) throw new RedshiftSqlException($"column \"{key}\" named in key does not exist", "42703");
        columns = columns.Select(c => c with
        {
            DistKey = c.Name == distKey,
            SortKey = sortKeys.IndexOf(c.Name) is var k and >= 0 ? (sortStyle == "INTERLEAVED" ? -(k + 1) : k + 1) : 0,
        }).ToList();
        return new TableDesign(schema, name, ifNotExists, temporary, columns, distStyle, distKey, sortStyle ?? "AUTO", sortKeys,
            encodeAuto ?? columns.All(c => c.Encoding is null), backup, select);
    }

    /// <summary>The column definitions DuckDB keeps: type, DEFAULT (IDENTITY's sequence), NOT NULL, and the character limit as a check.</summary>
    public static string DuckColumn(ColumnDesign column, string? sequence)
    {
        var text = new StringBuilder(LocalWarehouse.QuoteIdentifier(column.Name)).Append(' ').Append(column.Type.Duck);
        if (sequence is not null) text.Append($" DEFAULT nextval('{sequence.Replace("'", "''")}')");
        else if (column.DefaultSql is not null) text.Append(" DEFAULT ").Append(column.DefaultSql);
        if (column.NotNull) text.Append(" NOT NULL");
        if (column.Type.MaxBytes is { } max) text.Append($" CHECK (strlen({LocalWarehouse.QuoteIdentifier(column.Name)}) <= {max})");
        return text.ToString();
    }

    /// <summary>One column definition, as in CREATE TABLE or ALTER TABLE ... ADD COLUMN.</summary>
    public static ColumnDesign ParseColumn(string definition) =>
        Column(RedshiftLexer.Tokens(definition).Where(t => t.Kind is not (RedshiftTokenKind.Space or RedshiftTokenKind.Comment)).ToList());

    private static ColumnDesign Column(List<RedshiftToken> e)
    {
        RedshiftSqlException Syntax(int k) => k < e.Count ? new($"syntax error at or near \"{e[k].Text}\"", "42601") : new("syntax error at end of input", "42601");
        if (!e[0].IsName) throw Syntax(0);
        var name = e[0].Name;
        var i = 1;
        var words = new List<string>();
        while (i < e.Count && e[i].Kind == RedshiftTokenKind.Word && (words.Count == 0 || RedshiftTypes.IsTypeWord(e[i].Text)))
            words.Add(e[i++].Text);
        if (words.Count == 0) throw Syntax(i);
        var arguments = new List<string>();
        if (i < e.Count && e[i].IsSymbol("("))
        {
            var close = Close(e, i);
            arguments = Split(e, i + 1, close).Select(a => string.Concat(a.Select(t => t.Text))).ToList();
            i = close + 1;
        }
        var type = RedshiftTypes.Parse(string.Join(' ', words), arguments);
        string? encoding = null;
        bool distKey = false, notNull = false;
        var sortKey = 0;
        (long, long)? identity = null;
        string? defaultSql = null;
        while (i < e.Count)
        {
            var t = e[i];
            if (t.IsWord("ENCODE"))
            {
                if (i + 1 >= e.Count || !Encodings.Contains(e[i + 1].Text)) throw new RedshiftSqlException($"invalid encoding type specified for column \"{name}\"", "42601");
                encoding = e[i + 1].Text.ToLowerInvariant();
                i += 2;
            }
            else if (t.IsWord("IDENTITY") || t.IsWord("GENERATED"))
            {
                if (t.IsWord("GENERATED"))
                {
                    if (!(i + 4 < e.Count && e[i + 1].IsWord("BY") && e[i + 2].IsWord("DEFAULT") && e[i + 3].IsWord("AS") && e[i + 4].IsWord("IDENTITY"))) throw Syntax(i + 1);
                    i += 4;
                }
                if (i + 1 >= e.Count || !e[i + 1].IsSymbol("(")) throw Syntax(i + 1);
                var close = Close(e, i + 1);
                var numbers = Split(e, i + 2, close).Select(a => long.TryParse(string.Concat(a.Select(x => x.Text)), out var n) ? n : throw Syntax(i + 2)).ToList();
                if (numbers.Count != 2) throw Syntax(close);
                if (type.Duck is not ("BIGINT" or "INTEGER" or "SMALLINT")) throw new RedshiftSqlException($"Identity column \"{name}\" must be of type INT or BIGINT", "0A000");
                identity = (numbers[0], numbers[1]);
                i = close + 1;
            }
            else if (t.IsWord("DEFAULT"))
            {
                var start = ++i;
                var depth = 0;
                while (i < e.Count && (depth > 0 || !(e[i].Kind == RedshiftTokenKind.Word && ColumnOptionWords.Contains(e[i].Text))))
                {
                    depth += e[i].IsSymbol("(") ? 1 : e[i].IsSymbol(")") ? -1 : 0;
                    i++;
                }
                if (i == start) throw Syntax(i);
                defaultSql = RedshiftSql.Translate(string.Join(' ', e.Skip(start).Take(i - start).Select(x => x.Text)));
            }
            else if (t.IsWord("NOT") && i + 1 < e.Count && e[i + 1].IsWord("NULL")) { notNull = true; i += 2; }
            else if (t.IsWord("NULL")) i++;
            else if (t.IsWord("PRIMARY") && i + 1 < e.Count && e[i + 1].IsWord("KEY")) i += 2;
            else if (t.IsWord("UNIQUE")) i++;
            else if (t.IsWord("DISTKEY")) { distKey = true; i++; }
            else if (t.IsWord("SORTKEY")) { sortKey = 1; i++; }
            else if (t.IsWord("REFERENCES"))
            {
                i += 2;
                if (i < e.Count && e[i].IsSymbol("(")) i = Close(e, i) + 1;
            }
            else if (t.IsWord("COLLATE")) i += 2;
            else throw Syntax(i);
        }
        return new ColumnDesign(name, type, encoding, distKey, sortKey, notNull, identity, defaultSql);
    }

    private static List<string> Names(List<RedshiftToken> s, int open, out int next)
    {
        if (open >= s.Count || !s[open].IsSymbol("(")) throw new RedshiftSqlException(open < s.Count ? $"syntax error at or near \"{s[open].Text}\"" : "syntax error at end of input", "42601");
        var close = Close(s, open);
        next = close + 1;
        return Split(s, open + 1, close).Select(a => a.Count == 1 && a[0].IsName ? a[0].Name : throw new RedshiftSqlException($"syntax error at or near \"{a.FirstOrDefault()?.Text ?? ")"}\"", "42601")).ToList();
    }

    private static int Close(List<RedshiftToken> s, int open)
    {
        var depth = 0;
        for (var i = open; i < s.Count; i++)
        {
            if (s[i].IsSymbol("(")) depth++;
            else if (s[i].IsSymbol(")") && --depth == 0) return i;
        }
        throw new RedshiftSqlException("syntax error at end of input", "42601");
    }

    private static List<List<RedshiftToken>> Split(List<RedshiftToken> s, int start, int end)
    {
        var parts = new List<List<RedshiftToken>> { new() };
        var depth = 0;
        for (var i = start; i < end; i++)
        {
            if (s[i].IsSymbol("(")) depth++;
            if (s[i].IsSymbol(")")) depth--;
            if (depth == 0 && s[i].IsSymbol(",")) parts.Add([]);
            else parts[^1].Add(s[i]);
        }
        return parts;
    }
}
