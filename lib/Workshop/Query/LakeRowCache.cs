using System.Data.Common;
using System.Text.Json;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Query;

/// <summary>
/// The rows of JSON tables' objects, kept in the Athena engine's memory between queries. DuckDB spends some 50 µs
/// opening, decompressing and parsing each small object (a simulated day of three cities is 2,160 of them), and
/// binding a view over thousands of paths costs about as much again, so a query that would read every object of a
/// table reads its rows from here instead. Only objects added, replaced or removed since the previous query are read
/// or dropped, and the rows stay in the order the objects are listed, so sums and ties come out as they always did.
/// <para>
/// A query is answered from here only when its plan tells which objects it would have opened over the files: every
/// object of each table it scans, or those of the partitions its <c>key = 'value'</c> filters pin (DuckDB prunes
/// folders from filters on partition columns before opening anything), and no LIMIT or sample that may stop reading
/// early. Its data scanned is then those objects, as before. Anything else, including any failure, takes the usual
/// path over the files, so errors and bills are the ones they always were.
/// </para>
/// <para>
/// With a <paramref name="savedFolder"/> (the workspace's query/kept), each table's rows are also saved there as one
/// Parquet file with a manifest of the objects they came from, so the next engine (the next notebook, a restarted
/// kernel, <c>workshop serve</c>) starts from them and reads only what changed since. A saved file that cannot be read
/// is ignored: the objects are read again.
/// </para>
/// </summary>
internal sealed partial class LakeRowCache(DuckDBConnection engine, WorkspaceDirectory? workspace = null, string? savedFolder = null)
{
    /// <summary>The in-memory database the rows live in; attached when the engine is opened, before its settings are locked.</summary>
    public const string Database = "athena_row_cache";

    /// <summary>
    /// What the engine needs before its settings are locked: the database the rows live in; no late materialization,
    /// which would turn an ORDER BY ... LIMIT over a table into a second scan joined on row ids and break ties in
    /// another order than the same query over the files; and no plan pruned from the rows' statistics, which would
    /// drop the scan of a table whose values cannot match (<c>temperature > 1000</c>) where the files are all opened.
    /// </summary>
    public static IEnumerable<string> Setup { get; } =
        [$"ATTACH ':memory:' AS {Database}", "SET late_materialization_max_rows = 0", "SET disabled_optimizers = 'statistics_propagation'"];

    private const string ObjectColumn = "__object";
    private const string RowColumn = "__row";

    /// <summary>The workspace's folder where an Athena engine saves the rows it keeps, for the next engine and for Spectrum.</summary>
    public static readonly string[] SavedFolder = ["query", "kept"];

    /// <summary>Compressed bytes of objects kept in all, about ten times as much in rows; a larger table is read from its files.</summary>
    internal const long MaxBytes = 128L * 1024 * 1024;

    // Plan details that cannot make DuckDB skip an object over the files: what a step outputs, which table it scans,
    // and joins and orderings (their runtime filters do not prune folders).
    private static readonly HashSet<string> Harmless = new(StringComparer.Ordinal)
    {
        "Projections", "Table", "Type", "Estimated Cardinality", "Aggregates", "Groups", "Function", "Conditions", "Join Type", "Order By", "Top",
    };

    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);
    // A table whose objects failed to read here, with the listing they failed in: not tried again until it changes.
    private readonly Dictionary<string, string> failedListings = new(StringComparer.Ordinal);
    private int nextTable;
    private long useClock;

    /// <summary>How many objects have been read into memory so far (each read of a new or changed object counts).</summary>
    public long ObjectsLoaded { get; private set; }

    /// <summary>The clock files' change times are on (the system's), read to tell whether an object has settled; a test moves it on instead of waiting.</summary>
    internal TimeProvider FileClock { get; set; } = TimeProvider.System;

    /// <summary>A table's cached rows: which objects they came from, as they were when read.</summary>
    internal sealed class Entry(string key, string tableName, string shape, GlueTable table, bool hive)
    {
        public string Key { get; } = key;
        public string TableName { get; } = tableName;
        public string Shape { get; } = shape;
        public GlueTable Table { get; set; } = table;
        public bool Hive { get; } = hive;
        public Dictionary<string, (long Length, DateTime Written, bool Settled)> Loaded { get; } = new(StringComparer.Ordinal);
        public long LoadedBytes { get; set; }
        public long LastUse { get; set; }

        /// <summary>Whether some object held gave no rows (an empty object), so its partition values are not in the table.</summary>
        public bool ObjectsWithoutRows { get; set; }

        /// <summary>The objects the current query lists, with their length, last-write time and change time (see <see cref="FileStamps"/>).</summary>
        public List<(string Path, long Length, DateTime Written, DateTime? Changed)> Listed { get; set; } = [];

        /// <summary>When the listed stamps were taken, on the system's clock (<see cref="FileClock"/>).</summary>
        public DateTime StampedAt { get; set; }

        public string QualifiedName => $"{Database}.main.{TableName}";
    }

    /// <summary>
    /// The SELECT that reads a table from its cached rows, or null when it is not cached (Parquet, a partition outside
    /// the path layout, a column name the cache needs for itself, too many bytes, or objects that failed to read here).
    /// The rows are not read yet: <see cref="Refresh"/> does that once the query's plan has shown it reads them all.
    /// </summary>
    public (string Sql, Entry Entry)? Scan(string database, string name, GlueTable table, IReadOnlyList<string>? objects)
    {
        if (!Keepable(table, objects)) return null;
        var hive = table.PartitionKeys.Count > 0;
        var shape = ShapeOf(table);
        var key = $"{database}.{name}";
        if (entries.TryGetValue(key, out var entry) && entry.Shape != shape)
        {
            Drop(entry);
            entry = null;
        }
        var listed = new List<(string, long, DateTime, DateTime?)>(objects.Count);
        var stampedAt = FileClock.GetUtcNow().UtcDateTime;
        long bytes = 0;
        using (var stamps = new FileStamps())
            foreach (var path in objects)
            {
                if (!stamps.TryRead(path, out var length, out var written, out var changed)) return null;
                listed.Add((path, length, written, changed));
                bytes += length;
            }
        if (bytes > MaxBytes) return null;
        if (failedListings.TryGetValue(key, out var failed) && failed == Fingerprint(listed)) return null;
        if (entry is null)
        {
            entry = new Entry(key, $"rows_{nextTable++}", shape, table, hive);
            Run($"CREATE TABLE {entry.QualifiedName} ({shape})");
            entries[key] = entry;
            LoadSaved(entry);
        }
        entry.Table = table;
        entry.Listed = listed;
        entry.StampedAt = stampedAt;
        var projection = LakeTableScan.Projection(table, null);
        return ($"SELECT {projection} FROM {entry.QualifiedName}", entry);
    }

    /// <summary>Whether a table's rows can be kept: a JSON table with objects, none of whose columns takes a name the rows need for themselves.</summary>
    private static bool Keepable(GlueTable table, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] IReadOnlyList<string>? objects) =>
        objects is { Count: > 0 } && table.Classification != "parquet" && !table.AllColumns.Any(c => c.Name.StartsWith("__", StringComparison.Ordinal));

    /// <summary>The columns a table's rows are kept in: its own as read from JSON, its partition keys as text, and the object and row of each.</summary>
    private static string ShapeOf(GlueTable table) => string.Join(", ", table.Columns.Select(c => $"{LocalAthena.Quote(c.Name)} {LakeTableScan.ReadType(c.Type)}")
        .Concat(table.PartitionKeys.Count > 0 ? table.PartitionKeys.Select(p => $"{LocalAthena.Quote(p.Name)} VARCHAR") : [])
        .Append($"{ObjectColumn} VARCHAR").Append($"{RowColumn} BIGINT"));

    /// <summary>
    /// The Parquet file of a table's rows that an Athena engine saved in <paramref name="savedFolder"/>, when it holds exactly
    /// the rows of <paramref name="objects"/> as they are now: the same columns, and the same objects with the same lengths
    /// and last-write times, every one settled. Another engine (Spectrum in the warehouse) can then read the rows from it,
    /// in the same order as from the objects, instead of opening each object. Null otherwise, or when anything fails to read.
    /// </summary>
    public static string? SavedRowsOf(WorkspaceDirectory workspace, string savedFolder, string database, string name, GlueTable table, IReadOnlyList<string>? objects)
    {
        if (!Keepable(table, objects)) return null;
        try
        {
            var saved = ReadManifest(workspace, savedFolder, $"{database}.{name}", ShapeOf(table));
            if (saved is null || saved.Objects.Count != objects.Count || saved.Objects.Any(o => !o.Settled)) return null;
            var held = saved.Objects.ToDictionary(o => o.Path, StringComparer.Ordinal);
            foreach (var path in objects)
            {
                var file = new FileInfo(path);
                if (!held.TryGetValue(path, out var savedObject) || !file.Exists || file.Length != savedObject.Length || file.LastWriteTimeUtc.Ticks != savedObject.WrittenTicks)
                    return null;
            }
            var rows = workspace.Confine(Path.Combine(savedFolder, saved.RowsFile));
            return File.Exists(rows) ? rows : null;
        }
        catch (Exception error) when (error is IOException or JsonException or UnauthorizedAccessException or WorkspaceEscapeException or NotSupportedException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// One scan of a kept table in a query's plan, with the partition values its filters pin and the other filters it
    /// puts on partition columns alone (DuckDB's text of each), which DuckDB over the files evaluates on each object's
    /// folder values to skip objects. Both empty: every object.
    /// </summary>
    internal sealed record KeptScan(Entry Entry, IReadOnlyList<(string Key, string Value)> Pinned, IReadOnlyList<string> Conditions)
    {
        /// <summary>The objects whose folders meet <see cref="Conditions"/> (and the pins), once worked out.</summary>
        public IReadOnlyList<(string Path, long Length)>? ByFolder { get; set; }
    }

    /// <summary>
    /// The scans of kept tables in a plan (EXPLAIN (FORMAT JSON)), or null when the objects the query would open over
    /// the files cannot be told from it: a limit or sample above a kept scan that can stop reading early, or a partition
    /// column named anywhere but in the scan's own filters or a filter right above it. Only a filter that names
    /// partition columns and nothing else can make DuckDB skip objects over the files, so only those are kept with the
    /// scan; which of them DuckDB does judge is asked of DuckDB itself (see <see cref="OpenedByFolder"/>). Joins and
    /// orderings on partition columns skip no objects; the tests that compare both paths hold all of that to DuckDB.
    /// </summary>
    public static IReadOnlyList<KeptScan>? ScansOf(string planJson, IReadOnlyCollection<Entry> named)
    {
        var partitionWords = named.SelectMany(e => e.Table.PartitionKeys.Select(p => p.Name)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var mentionsPartition = partitionWords.Count == 0 ? null
            : new Regex($@"\b({string.Join("|", partitionWords.Select(Regex.Escape))})\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        var scans = new List<KeptScan>();
        using var plan = JsonDocument.Parse(planJson);
        // Each step with the partition filters of a FILTER right above it, which belong to it when it is a kept scan.
        var pending = new Stack<(JsonElement Step, List<string>? FromAbove)>();
        foreach (var root in plan.RootElement.EnumerateArray()) pending.Push((root, null));
        while (pending.Count > 0)
        {
            var (step, fromAbove) = pending.Pop();
            var operatorName = step.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
            if ((operatorName.Contains("LIMIT", StringComparison.Ordinal) || operatorName.Contains("SAMPLE", StringComparison.Ordinal)) && ScansKept(step, named))
                return null;
            var children = step.TryGetProperty("children", out var c) ? c.EnumerateArray().ToList() : [];
            List<string>? passedDown = null;
            if (step.TryGetProperty("extra_info", out var details) && details.ValueKind == JsonValueKind.Object)
            {
                var kept = KeptTable(step, named);
                // A scan of anything else (a Parquet table, a table function) filters only what it reads itself.
                if (kept is null && children.Count == 0) continue;
                var projected = new List<JsonElement>();
                var below = operatorName == "FILTER" && children.Count == 1 ? KeptScanBelow(children[0], named, projected) : null;
                var pinned = new List<(string, string)>();
                var conditions = new List<string>(fromAbove ?? []);
                foreach (var detail in details.EnumerateObject())
                {
                    if (Harmless.Contains(detail.Name) || mentionsPartition is null) continue;
                    if (!mentionsPartition.IsMatch(detail.Value.GetRawText())) continue;
                    if (kept is not null && detail.Name == "Filters")
                    {
                        // A scan's own filters each name one column.
                        foreach (var filter in Texts(detail.Value))
                        {
                            if (!mentionsPartition.IsMatch(filter)) continue;
                            var pin = PinnedValue().Match(filter);
                            var key = pin.Success ? kept.Table.PartitionKeys.FirstOrDefault(k => k.Name.Equals(pin.Groups["key"].Value, StringComparison.OrdinalIgnoreCase)) : null;
                            if (key is not null) pinned.Add((key.Name, pin.Groups["value"].Value));
                            else if (Naming(filter, kept.Table) == Names.PartitionsOnly) conditions.Add(filter);
                            else return null;
                        }
                        continue;
                    }
                    if (below is not null && detail.Name == "Expression")
                    {
                        passedDown = [];
                        foreach (var conjunct in Conjuncts(detail.Value.ToString()))
                        {
                            switch (Naming(conjunct, below.Table))
                            {
                                // The projections between the filter and the scan must hand the partition columns on as they are.
                                case Names.PartitionsOnly when below.Table.PartitionKeys.All(k => projected.All(p => PassesOn(p, k.Name))):
                                    passedDown.Add(conjunct);
                                    break;
                                case Names.PartitionsOnly or Names.Unknown: return null;
                            }
                        }
                        continue;
                    }
                    return null;
                }
                if (kept is not null) scans.Add(new KeptScan(kept, pinned, conditions));
            }
            // Filters found above a projection go on down to the scan under it.
            foreach (var child in children) pending.Push((child, passedDown ?? (operatorName == "PROJECTION" ? fromAbove : null)));
        }
        // A table the query names but the plan does not scan (a filter folded to false) is left to the files to judge.
        return named.All(e => scans.Any(s => s.Entry == e)) ? scans : null;
    }

    private static Entry? KeptTable(JsonElement step, IReadOnlyCollection<Entry> named) =>
        step.TryGetProperty("extra_info", out var details) && details.ValueKind == JsonValueKind.Object
        && details.TryGetProperty("Table", out var table) && table.ValueKind == JsonValueKind.String
            ? named.FirstOrDefault(e => e.QualifiedName == table.GetString()) : null;

    /// <summary>The kept table scanned by <paramref name="step"/> or under a chain of projections, which are added to <paramref name="projected"/>.</summary>
    private static Entry? KeptScanBelow(JsonElement step, IReadOnlyCollection<Entry> named, List<JsonElement> projected)
    {
        while (true)
        {
            if (KeptTable(step, named) is { } kept) return kept;
            var name = step.TryGetProperty("name", out var n) ? n.GetString() : null;
            if (name != "PROJECTION" || !step.TryGetProperty("children", out var children) || children.GetArrayLength() != 1) return null;
            projected.Add(step);
            step = children[0];
        }
    }

    /// <summary>Whether a projection hands column <paramref name="name"/> on unchanged, or leaves it out.</summary>
    private static bool PassesOn(JsonElement projection, string name)
    {
        if (!projection.TryGetProperty("extra_info", out var details) || !details.TryGetProperty("Projections", out var list)) return false;
        var items = Texts(list).Select(t => t.Trim()).ToList();
        if (items.Any(t => t.Equals(name, StringComparison.OrdinalIgnoreCase) || t.Equals($"\"{name}\"", StringComparison.OrdinalIgnoreCase))) return true;
        return !items.Any(t => Regex.IsMatch(t, $@"\b{Regex.Escape(name)}\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant));
    }

    /// <summary>Whether a step or any step below it scans a kept table.</summary>
    private static bool ScansKept(JsonElement step, IReadOnlyCollection<Entry> named)
    {
        if (KeptTable(step, named) is not null) return true;
        return step.TryGetProperty("children", out var children) && children.EnumerateArray().Any(child => ScansKept(child, named));
    }

    private enum Names { None, PartitionsOnly, Mixed, Unknown }

    /// <summary>Words DuckDB writes in an expression that name no column.</summary>
    private static readonly HashSet<string> ExpressionWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "or", "not", "cast", "try_cast", "as", "between", "is", "null", "in", "like", "ilike", "glob", "similar", "to", "escape",
        "true", "false", "case", "when", "then", "else", "end", "distinct", "from", "interval", "collate",
        "varchar", "date", "timestamp", "time", "integer", "bigint", "smallint", "tinyint", "hugeint", "double", "float", "real",
        "decimal", "boolean", "with", "zone", "day", "hour", "minute", "second", "month", "year", "days", "hours", "months", "years",
    };

    /// <summary>
    /// Which columns of <paramref name="table"/>'s kept rows an expression as DuckDB prints it names: only partition keys,
    /// also other columns, none, or a word it cannot place (then nothing is assumed).
    /// </summary>
    private static Names Naming(string expression, Catalog.GlueTable table)
    {
        var tokens = AthenaSql.SignificantTokens(expression);
        bool partition = false, other = false;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Kind is not (AthenaSql.TokenKind.Word or AthenaSql.TokenKind.QuotedIdentifier)) continue;
            var word = token.Kind == AthenaSql.TokenKind.QuotedIdentifier ? token.Text[1..^1] : token.Text;
            var isFunction = token.Kind == AthenaSql.TokenKind.Word && i + 1 < tokens.Count && tokens[i + 1].Text == "(";
            // A type after :: names no column.
            var isType = i > 0 && tokens[i - 1].Text is "::" or ":";
            if (isFunction || isType) continue;
            if (table.PartitionKeys.Any(k => k.Name.Equals(word, StringComparison.OrdinalIgnoreCase))) partition = true;
            else if (table.Columns.Any(k => k.Name.Equals(word, StringComparison.OrdinalIgnoreCase)) || word.StartsWith("__", StringComparison.Ordinal)) other = true;
            else if (token.Kind == AthenaSql.TokenKind.QuotedIdentifier || !ExpressionWords.Contains(word)) return Names.Unknown;
        }
        return other ? Names.Mixed : partition ? Names.PartitionsOnly : Names.None;
    }

    /// <summary>
    /// The conjuncts of a filter as DuckDB prints it: "((a = 1) AND (b BETWEEN 2 AND 3))" gives "(a = 1)" and
    /// "(b BETWEEN 2 AND 3)". The AND of a BETWEEN does not split.
    /// </summary>
    internal static List<string> Conjuncts(string expression)
    {
        var text = expression.Trim();
        while (text.Length > 1 && text[0] == '(' && ClosingParenthesis(text, 0) == text.Length - 1) text = text[1..^1].Trim();
        var parts = new List<string>();
        int depth = 0, start = 0, betweens = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (ch is '\'' or '"')
            {
                i = ClosingQuote(text, i);
                if (i < 0) return [expression];
                continue;
            }
            if (ch == '(') depth++;
            else if (ch == ')') depth--;
            else if (depth == 0 && WordAt(text, i, "BETWEEN")) betweens++;
            else if (depth == 0 && WordAt(text, i, "AND"))
            {
                if (betweens > 0) { betweens--; continue; }
                parts.Add(text[start..i].Trim());
                start = i + 3;
            }
        }
        parts.Add(text[start..].Trim());
        // A part that is itself a conjunction in brackets splits further.
        return parts.Count == 1 ? parts : parts.SelectMany(Conjuncts).ToList();
    }

    private static bool WordAt(string text, int i, string word) =>
        string.Compare(text, i, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) == 0
        && (i == 0 || !char.IsLetterOrDigit(text[i - 1]) && text[i - 1] != '_')
        && (i + word.Length == text.Length || !char.IsLetterOrDigit(text[i + word.Length]) && text[i + word.Length] != '_');

    /// <summary>Where the quoted text or name opened at <paramref name="open"/> ends (a doubled quote stays inside), or -1.</summary>
    private static int ClosingQuote(string text, int open)
    {
        var quote = text[open];
        var close = text.IndexOf(quote, open + 1);
        while (close >= 0 && close + 1 < text.Length && text[close + 1] == quote) close = text.IndexOf(quote, close + 2);
        return close;
    }

    private static int ClosingParenthesis(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            var ch = text[i];
            if (ch is '\'' or '"')
            {
                i = ClosingQuote(text, i);
                if (i < 0) return -1;
                continue;
            }
            if (ch == '(') depth++;
            else if (ch == ')' && --depth == 0) return i;
        }
        return -1;
    }

    /// <summary>
    /// Over the files, DuckDB's judgement of a scan's partition filters, given one object of each folder in its place:
    /// whether it judges any filter on the paths before reading, and how many of those objects it would then open. Null
    /// when it cannot be told.
    /// </summary>
    internal delegate (bool Judged, int Opened)? FilesJudgement(KeptScan scan, IReadOnlyList<string> firstOfEachFolder);

    /// <summary>
    /// Whether memory is the quicker way to a scan. Always for a whole table, and for filters on partitions other than
    /// <c>key='value'</c>: over the files DuckDB then takes every object's path and judges each folder itself. When
    /// pinned values leave out some objects, only when a good share is left: the files path lists only the pinned
    /// folders (<see cref="PartitionPruning"/>), and a few objects read from their files beat a pass over every row.
    /// </summary>
    public bool QuickerInMemory(KeptScan scan, FilesJudgement judge)
    {
        if (scan.Conditions.Count > 0) return OpenedByFolder(scan, judge) is not null;
        if (scan.Pinned.Count == 0) return true;
        var folders = scan.Pinned.Select(p => $"{Path.DirectorySeparatorChar}{p.Key}={p.Value}{Path.DirectorySeparatorChar}").ToList();
        var left = scan.Entry.Listed.Count(o => folders.All(f => o.Path.Contains(f, StringComparison.Ordinal)));
        return left * 16 >= scan.Entry.Listed.Count;
    }

    /// <summary>
    /// The objects DuckDB would open over the files for a scan with partition filters. DuckDB skips an object when the
    /// filters it judges before reading rule its folder out; which ones it judges depends on the query around them (a
    /// filter that can fail, such as a CAST to a date, is not moved past the table's view). The filters are evaluated
    /// here on the key=value folders of each object's path, and <paramref name="judge"/> asks DuckDB, without reading
    /// anything, what it would open of one object of each folder. It opens the folders found here or more, since it may
    /// judge fewer of the filters: the same count means the same folders, and no filter judged means every object.
    /// Null when the counts differ, a folder value holds a %-escape (DuckDB may decode it), or a filter fails to
    /// evaluate: the files then give the answer, or the error.
    /// </summary>
    private IReadOnlyList<(string Path, long Length)>? OpenedByFolder(KeptScan scan, FilesJudgement judge)
    {
        if (scan.ByFolder is { } known) return known;
        var keys = scan.Entry.Table.PartitionKeys.Select(k => k.Name).ToList();
        var folders = new Dictionary<string, int>(StringComparer.Ordinal);
        var tuples = new List<string[]>();
        var objectFolder = new List<int>(scan.Entry.Listed.Count);
        foreach (var (path, _, _, _) in scan.Entry.Listed)
        {
            var values = new string[keys.Count];
            foreach (var segment in path.Split(Path.DirectorySeparatorChar))
            {
                var equals = segment.IndexOf('=');
                if (equals <= 0) continue;
                var index = keys.FindIndex(k => k.Equals(segment[..equals], StringComparison.OrdinalIgnoreCase));
                if (index >= 0) values[index] = segment[(equals + 1)..];
            }
            if (values.Any(v => v is null || v.Contains('%'))) return null;
            var folder = string.Join('\u0001', values);
            if (!folders.TryGetValue(folder, out var number))
            {
                folders[folder] = number = tuples.Count;
                tuples.Add(values);
            }
            objectFolder.Add(number);
        }
        var conditions = scan.Conditions.Concat(scan.Pinned.Select(p => $"{LocalAthena.Quote(p.Key)} = '{p.Value.Replace("'", "''")}'"));
        var rows = string.Join(", ", tuples.Select((values, i) => $"({i}, {string.Join(", ", values.Select(v => $"'{v.Replace("'", "''")}'"))})"));
        var admitted = new HashSet<int>();
        try
        {
            using var command = engine.CreateCommand();
            command.CommandText = $"SELECT folder FROM (VALUES {rows}) AS folders(folder, {string.Join(", ", keys.Select(LocalAthena.Quote))}) " +
                                  $"WHERE {string.Join(" AND ", conditions.Select(c => $"({c})"))}";
            using var reader = command.ExecuteReader();
            while (reader.Read()) admitted.Add(reader.GetInt32(0));
        }
        catch (DbException)
        {
            return null;
        }
        var firstOfFolder = new string[tuples.Count];
        for (var i = scan.Entry.Listed.Count - 1; i >= 0; i--) firstOfFolder[objectFolder[i]] = scan.Entry.Listed[i].Path;
        if (judge(scan, firstOfFolder) is not { } files) return null;
        var opensAll = !files.Judged;
        if (files.Judged && files.Opened != admitted.Count) return null;
        var opened = new List<(string Path, long Length)>();
        for (var i = 0; i < scan.Entry.Listed.Count; i++)
            if (opensAll || admitted.Contains(objectFolder[i])) opened.Add((scan.Entry.Listed[i].Path, scan.Entry.Listed[i].Length));
        scan.ByFolder = opened;
        return opened;
    }

    private static IEnumerable<string> Texts(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(v => v.ToString()) : [value.ToString()];

    /// <summary>
    /// The objects a scan reads over the files, with their lengths: all of them, or those whose folders spell the
    /// pinned values, told from the rows' partition columns as DuckDB parsed them from the paths. Null when an object
    /// gave no rows, so its values cannot be told from them.
    /// </summary>
    public IReadOnlyList<(string Path, long Length)>? ObjectsOpenedOverFiles(KeptScan scan, FilesJudgement judge)
    {
        var entry = scan.Entry;
        if (scan.Conditions.Count > 0) return OpenedByFolder(scan, judge);
        if (scan.Pinned.Count == 0) return entry.Listed.Select(o => (o.Path, o.Length)).ToList();
        if (entry.ObjectsWithoutRows) return null;
        var condition = string.Join(" AND ", scan.Pinned.Select(p => $"{LocalAthena.Quote(p.Key)} = '{p.Value.Replace("'", "''")}'"));
        using var command = engine.CreateCommand();
        command.CommandText = $"SELECT DISTINCT {ObjectColumn} FROM {entry.QualifiedName} WHERE {condition}";
        using var reader = command.ExecuteReader();
        var matching = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read()) matching.Add(reader.GetString(0));
        return entry.Listed.Where(o => matching.Contains(o.Path)).Select(o => (o.Path, o.Length)).ToList();
    }

    /// <summary>
    /// Brings a table's rows up to its listing: drops the rows of objects gone, changed or still settling, reads the
    /// objects not held, and puts the rows back in listing order when new ones landed between old ones. False when an
    /// object cannot be read here (the usual path then reports it).
    /// </summary>
    public bool Refresh(Entry entry)
    {
        entry.LastUse = ++useClock;
        var listed = entry.Listed.ToDictionary(o => o.Path, StringComparer.Ordinal);
        var stale = entry.Loaded.Where(kv => !listed.TryGetValue(kv.Key, out var now) || !kv.Value.Settled || now.Length != kv.Value.Length || now.Written != kv.Value.Written)
            .Select(kv => kv.Key).ToList();
        var staleSet = stale.ToHashSet(StringComparer.Ordinal);
        var toRead = entry.Listed.Where(o => !entry.Loaded.ContainsKey(o.Path) || staleSet.Contains(o.Path)).ToList();
        try
        {
            if (stale.Count > 0)
            {
                Run($"DELETE FROM {entry.QualifiedName} WHERE {ObjectColumn} IN (SELECT unnest({PathList(stale)}))");
                foreach (var path in stale)
                {
                    entry.LoadedBytes -= entry.Loaded[path].Length;
                    entry.Loaded.Remove(path);
                }
            }
            if (toRead.Count == 0)
            {
                if (stale.Count > 0) Save(entry);
                return true;
            }
            // The listing's order (partition by partition, as the catalog lists them) is the order the files path reads in.
            var position = new Dictionary<string, int>(entry.Listed.Count, StringComparer.Ordinal);
            for (var i = 0; i < entry.Listed.Count; i++) position[entry.Listed[i].Path] = i;
            var lastHeld = entry.Loaded.Keys.Select(p => position[p]).DefaultIfEmpty(-1).Max();
            var columns = string.Join(", ", entry.Table.Columns.Select(c => LocalAthena.Quote(c.Name))
                .Concat(entry.Hive ? entry.Table.PartitionKeys.Select(p => LocalAthena.Quote(p.Name)) : []));
            // One thread reads the objects in the order listed, so the row numbers follow each object's lines.
            Run($"INSERT INTO {entry.QualifiedName} SELECT {columns}, {ObjectColumn}, row_number() OVER () " +
                $"FROM {LakeTableScan.Reader(entry.Table, toRead.Select(o => o.Path), entry.Hive, ObjectColumn)}");
            ObjectsLoaded += toRead.Count;
            foreach (var (path, length, written, changed) in toRead)
            {
                // Settled by when the file really changed: its last-write time is on the workspace's clock, which may run ahead
                // of the system's (every query would then read it again) or behind it (a file just written would count as old).
                var settled = changed is { } at ? FileTimes.HadSettled(at, entry.StampedAt) : written < entry.StampedAt - FileTimes.Settled;
                entry.Loaded[path] = (length, written, settled);
                entry.LoadedBytes += length;
            }
            if (toRead.Any(o => position[o.Path] < lastHeld))
                Run($"CREATE OR REPLACE TABLE {entry.QualifiedName} AS SELECT held.* FROM {entry.QualifiedName} held " +
                    $"JOIN (SELECT unnest({PathList(entry.Listed.Select(o => o.Path))}) AS object, unnest(range({entry.Listed.Count})) AS position) listing " +
                    $"ON held.{ObjectColumn} = listing.object ORDER BY listing.position, held.{RowColumn}");
            using (var count = engine.CreateCommand())
            {
                count.CommandText = $"SELECT count(DISTINCT {ObjectColumn}) FROM {entry.QualifiedName}";
                entry.ObjectsWithoutRows = Convert.ToInt64(count.ExecuteScalar()) != entry.Loaded.Count;
            }
            EvictBeyondLimit(entry);
            Save(entry);
            return true;
        }
        catch (DbException)
        {
            Drop(entry);
            failedListings[entry.Key] = Fingerprint(entry.Listed);
            return false;
        }
    }

    /// <summary>Forgets every table's rows (a statement changed what the engine holds, or a test wants the files read).</summary>
    public void Clear()
    {
        foreach (var entry in entries.Values.ToList()) Drop(entry);
    }

    /// <summary>What a saved table's manifest records: the table, its columns, its Parquet file and the objects its rows came from.</summary>
    private sealed record SavedRows(string Key, string Shape, string RowsFile, long RowCount, bool ObjectsWithoutRows, List<SavedObject> Objects);

    private sealed record SavedObject(string Path, long Length, long WrittenTicks, bool Settled);

    private static string Stem(string key) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)))[..24].ToLowerInvariant();

    /// <summary>The manifest saved for a table, or null when there is none or it was saved for other columns.</summary>
    private static SavedRows? ReadManifest(WorkspaceDirectory workspace, string savedFolder, string key, string shape)
    {
        var manifest = workspace.Confine(Path.Combine(savedFolder, Stem(key) + ".json"));
        if (!File.Exists(manifest)) return null;
        var saved = WorkspaceJson.Read<SavedRows>(manifest);
        return saved is null || saved.Key != key || saved.Shape != shape || Path.GetFileName(saved.RowsFile) != saved.RowsFile ? null : saved;
    }

    /// <summary>Starts a new table from the rows an earlier engine saved, when they were saved for the same columns.</summary>
    private void LoadSaved(Entry entry)
    {
        if (workspace is null || savedFolder is null) return;
        try
        {
            var saved = ReadManifest(workspace, savedFolder, entry.Key, entry.Shape);
            if (saved is null || saved.Objects.Sum(o => o.Length) > MaxBytes) return;
            var rows = workspace.Confine(Path.Combine(savedFolder, saved.RowsFile));
            Run($"INSERT INTO {entry.QualifiedName} SELECT * FROM read_parquet('{rows.Replace("'", "''")}')");
            // Rows that do not add up to what the manifest recorded are not the ones it describes.
            if (RowCount(entry) != saved.RowCount) throw new IOException($"{saved.RowsFile} does not hold the {saved.RowCount} rows its manifest records.");
            foreach (var held in saved.Objects)
            {
                entry.Loaded[held.Path] = (held.Length, new DateTime(held.WrittenTicks, DateTimeKind.Utc), held.Settled);
                entry.LoadedBytes += held.Length;
            }
            entry.ObjectsWithoutRows = saved.ObjectsWithoutRows;
        }
        catch (Exception error) when (error is IOException or JsonException or DbException or UnauthorizedAccessException or WorkspaceEscapeException or NotSupportedException)
        {
            // Whatever was read of it is dropped: the objects are read from the lake instead.
            Run($"DELETE FROM {entry.QualifiedName}");
            entry.Loaded.Clear();
            entry.LoadedBytes = 0;
            entry.ObjectsWithoutRows = false;
        }
    }

    /// <summary>
    /// Saves a table's rows for the next engine: a new Parquet file, then the manifest naming it, replaced at once, so
    /// a reader finds either the old pair or the new one. Files an interrupted save left behind go with the next save.
    /// </summary>
    private void Save(Entry entry)
    {
        if (workspace is null || savedFolder is null) return;
        var stem = Stem(entry.Key);
        var rowsFile = $"{stem}-{Guid.NewGuid():N}.parquet";
        var rows = Path.Combine(savedFolder, rowsFile);
        try
        {
            workspace.Confine(rows);
            Run($"COPY (SELECT * FROM {entry.QualifiedName}) TO '{rows.Replace("'", "''")}' (FORMAT parquet)");
            var objects = entry.Loaded.Select(kv => new SavedObject(kv.Key, kv.Value.Length, kv.Value.Written.Ticks, kv.Value.Settled)).ToList();
            workspace.WriteAtomically(Path.Combine(savedFolder, stem + ".json"),
                JsonSerializer.SerializeToUtf8Bytes(new SavedRows(entry.Key, entry.Shape, rowsFile, RowCount(entry), entry.ObjectsWithoutRows, objects)));
            // Another engine may be reading the previous file this moment: only files older than a minute go.
            foreach (var old in new DirectoryInfo(savedFolder).EnumerateFiles(stem + "-*.parquet"))
                if (old.Name != rowsFile && old.LastWriteTimeUtc < DateTime.UtcNow.AddMinutes(-1)) old.Delete();
        }
        catch (Exception error) when (error is IOException or DbException or UnauthorizedAccessException or WorkspaceEscapeException)
        {
            // Saving is only a head start for the next engine; this one keeps its rows.
            try
            {
                File.Delete(rows);
            }
            catch (IOException)
            {
            }
        }
    }

    private long RowCount(Entry entry)
    {
        using var command = engine.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {entry.QualifiedName}";
        return Convert.ToInt64(command.ExecuteScalar());
    }

    private void EvictBeyondLimit(Entry keep)
    {
        while (entries.Values.Sum(e => e.LoadedBytes) > MaxBytes && entries.Values.Where(e => e != keep).MinBy(e => e.LastUse) is { } oldest)
            Drop(oldest);
    }

    private void Drop(Entry entry)
    {
        entries.Remove(entry.Key);
        Run($"DROP TABLE IF EXISTS {entry.QualifiedName}");
    }

    private static string Fingerprint(IReadOnlyList<(string Path, long Length, DateTime Written, DateTime? Changed)> listed) =>
        string.Join('\n', listed.Select(o => $"{o.Path}\t{o.Length}\t{o.Written.Ticks}"));

    // DuckDB's rendering of an equality on a text column pushed into a scan: day='04'.
    [GeneratedRegex(@"^""?(?<key>[A-Za-z_][A-Za-z0-9_]*)""?='(?<value>[^']*)'$")]
    private static partial Regex PinnedValue();

    private static string PathList(IEnumerable<string> paths) => "[" + string.Join(", ", paths.Select(p => $"'{p.Replace("'", "''")}'")) + "]";

    private void Run(string sql)
    {
        using var command = engine.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
