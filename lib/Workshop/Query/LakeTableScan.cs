using System.IO.Enumeration;
using System.Runtime.CompilerServices;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Query;

/// <summary>
/// The SELECT that reads a catalogued table over the lake's files, shared by Athena and the warehouse's external
/// schemas so both read a table the same way.
/// </summary>
internal sealed class LakeTableScan(LocalGlueCatalog catalog, LocalObjectStore lake, TimeProvider clock, LakeListing? listing = null)
{
    /// <summary>
    /// The SELECT that reads a table's registered partitions with its declared column types. Partitions whose
    /// folders name their values (key=value/...) are read in one scan that DuckDB prunes from the path; a partition
    /// registered at another location gets its own scan, with its values from the catalog, as Athena takes them.
    /// With <paramref name="pruning"/>, folders whose values the query's filters rule out are left out of the list
    /// before DuckDB sees it (DuckDB would skip them unopened anyway, after parsing every path of the list).
    /// </summary>
    public string Sql(GlueTable table, PartitionPruning? pruning = null)
    {
        var (pathPartitioned, elsewhere) = TableFiles(table, pruning);
        var scans = new List<string>();
        if (pathPartitioned.Count > 0) scans.Add($"SELECT {Projection(table, null)} FROM {Reader(table, pathPartitioned, table.PartitionKeys.Count > 0)}");
        foreach (var (values, files) in elsewhere) scans.Add($"SELECT {Projection(table, values)} FROM {Reader(table, files, hive: false)}");
        if (scans.Count == 0)
        {
            var empty = table.AllColumns.Select(c => $"CAST(NULL AS {HiveTypes.ToDuckDb(c.Type)}) AS {LocalAthena.Quote(c.Name)}");
            return $"SELECT {string.Join(", ", empty)} WHERE false";
        }
        return string.Join(" UNION ALL ", scans);
    }

    /// <summary>The table read from exactly these files, with its declared types and the partition values their paths spell.</summary>
    public static string SqlOver(GlueTable table, IReadOnlyList<string> files) =>
        files.Count == 0
            ? $"SELECT {string.Join(", ", table.AllColumns.Select(c => $"CAST(NULL AS {HiveTypes.ToDuckDb(c.Type)}) AS {LocalAthena.Quote(c.Name)}"))} WHERE false"
            : $"SELECT {Projection(table, null)} FROM {Reader(table, files, table.PartitionKeys.Count > 0)}";

    /// <summary>
    /// The objects a table reads when no filter prunes it, if every one sits in a folder that spells its partition
    /// values (null when a partition is registered elsewhere: its values come from the catalog, not the path).
    /// </summary>
    public IReadOnlyList<string>? PathPartitionedObjects(GlueTable table)
    {
        var (pathPartitioned, elsewhere) = TableFiles(table, null);
        return elsewhere.Count == 0 ? pathPartitioned : null;
    }

    /// <summary>Whether a filter leaves so few of a table's partitions (under a sixteenth) that reading their files beats a pass over every row in memory.</summary>
    public bool LeavesFewPartitions(GlueTable table, PartitionPruning pruning) =>
        Admitted(table, pruning).Count * 16 < Partitions(table).Count;

    // The partitions a filter admits (by index, in no order), worked out once per scan: deciding between memory and the files needs them too.
    private readonly Dictionary<PartitionPruning, IReadOnlyList<int>> admittedBy = new(ReferenceEqualityComparer.Instance);

    private IReadOnlyList<int> Admitted(GlueTable table, PartitionPruning pruning)
    {
        if (admittedBy.TryGetValue(pruning, out var known)) return known;
        var partitions = Partitions(table);
        var admitted = Layout(table).Candidates(pruning).Where(i => pruning.Admits(table, partitions[i].Values)).ToList();
        admittedBy[pruning] = admitted;
        return admitted;
    }

    private PartitionLayout Layout(GlueTable table) =>
        listing?.Layout(table, Partitions(table)) ?? new PartitionLayout(table, Partitions(table), null);

    // A table's partitions, looked up once per scan: deciding between memory and the files reads them too.
    private readonly Dictionary<GlueTable, IReadOnlyList<GluePartition>> partitionsOf = new(ReferenceEqualityComparer.Instance);

    private IReadOnlyList<GluePartition> Partitions(GlueTable table)
    {
        if (partitionsOf.TryGetValue(table, out var known)) return known;
        // A projected table's partitions come from its properties; Athena then ignores those in the catalog.
        IReadOnlyList<GluePartition> partitions = PartitionProjection.IsEnabled(table)
            ? PartitionProjection.Partitions(table, clock.GetUtcNow()).Select(p => new GluePartition(p.Values, p.Location, table.CreateTime)).ToList()
            : catalog.GetPartitions(table.DatabaseName, table.Name);
        partitionsOf[table] = partitions;
        return partitions;
    }

    internal static string Projection(GlueTable table, IReadOnlyList<string>? values)
    {
        var columns = table.Columns.Select(c => c.Type switch
        {
            "timestamp" => $"TRY_CAST({LocalAthena.Quote(c.Name)} AS TIMESTAMP) AS {LocalAthena.Quote(c.Name)}",
            "date" => $"TRY_CAST({LocalAthena.Quote(c.Name)} AS DATE) AS {LocalAthena.Quote(c.Name)}",
            _ => $"CAST({LocalAthena.Quote(c.Name)} AS {HiveTypes.ToDuckDb(c.Type)}) AS {LocalAthena.Quote(c.Name)}",
        });
        return string.Join(", ", columns.Concat(table.PartitionKeys.Select((p, i) => values is null
            ? $"CAST({LocalAthena.Quote(p.Name)} AS {HiveTypes.ToDuckDb(p.Type)}) AS {LocalAthena.Quote(p.Name)}"
            : $"CAST('{values[i].Replace("'", "''")}' AS {HiveTypes.ToDuckDb(p.Type)}) AS {LocalAthena.Quote(p.Name)}")));
    }

    /// <summary>The DuckDB type a JSON column is read as: a timestamp or date is read as text, then cast leniently.</summary>
    internal static string ReadType(string hiveType) => hiveType is "timestamp" or "date" ? "VARCHAR" : HiveTypes.ToDuckDb(hiveType);

    /// <summary>The reader of these objects with the table's declared types; with <paramref name="objectColumn"/>, each row also names its object there.</summary>
    internal static string Reader(GlueTable table, IEnumerable<string> files, bool hive, string? objectColumn = null)
    {
        var list = "[" + string.Join(", ", files.Select(f => $"'{f.Replace("'", "''")}'")) + "]";
        var hiveOption = hive ? "true" : "false";
        if (table.Classification == "parquet") return $"read_parquet({list}, hive_partitioning = {hiveOption}, hive_types_autocast = false)";
        var declared = string.Join(", ", table.Columns.Select(c => $"'{c.Name}': '{ReadType(c.Type).Replace("'", "''")}'"));
        var named = objectColumn is null ? "" : $", filename = '{objectColumn}'";
        return $"read_json({list}, format = 'newline_delimited', columns = {{{declared}}}, hive_partitioning = {hiveOption}, hive_types_autocast = false{named})";
    }

    /// <summary>
    /// The objects of the table's registered partitions (or under its location when unpartitioned): those in folders
    /// that spell the partition's values, and per partition those that do not. Names starting '_' or '.' are
    /// skipped, as Athena does; symbolic links are never followed.
    /// </summary>
    private (List<string> PathPartitioned, List<(IReadOnlyList<string> Values, List<string> Files)> Elsewhere) TableFiles(GlueTable table, PartitionPruning? pruning)
    {
        var pathPartitioned = new List<string>();
        var elsewhere = new List<(IReadOnlyList<string>, List<string>)>();
        var folders = new FolderCheck(lake, listing);
        if (table.PartitionKeys.Count == 0)
        {
            pathPartitioned.AddRange(ObjectsUnder(LocalAthena.ParseLocation(table.Location!), folders));
            return (pathPartitioned, elsewhere);
        }
        var partitions = Partitions(table);
        var layout = Layout(table);
        // The first object of a Parquet list stays even when its folder is ruled out: DuckDB opens it for the schema,
        // and so bills it, as over the whole list. A JSON table declares its columns, and DuckDB opens no object of a
        // folder this pruning rules out.
        var keptFirst = pruning is null || table.Classification != "parquet";
        void Add(int index)
        {
            var spelled = layout.Spelled[index];
            var ruledOut = spelled && pruning is not null && !pruning.Admits(table, partitions[index].Values);
            if (ruledOut && keptFirst) return;
            var files = ObjectsUnder(layout.Locations[index], folders);
            if (files.Count == 0) return;
            if (spelled)
            {
                if (ruledOut) files.RemoveRange(1, files.Count - 1);
                pathPartitioned.AddRange(files);
                keptFirst = true;
            }
            else elsewhere.Add((partitions[index].Values, files));
        }
        var next = 0;
        // Until an object is kept, every partition is looked at in order; after that, only those a filter cannot rule
        // out: the admitted and those outside the path layout.
        for (; next < partitions.Count && !keptFirst; next++) Add(next);
        if (pruning is null)
            for (; next < partitions.Count; next++) Add(next);
        else
            foreach (var index in Admitted(table, pruning).Union(layout.Unspelled).Where(i => i >= next).Order()) Add(index);
        return (pathPartitioned, elsewhere);
    }

    /// <summary>Whether a partition's folders spell its values (key=value for each partition key), so DuckDB reads them from the path.</summary>
    internal static bool Spells(GlueTable table, GluePartition partition, Dictionary<string, string> named)
    {
        for (var i = 0; i < table.PartitionKeys.Count; i++)
            if (i >= partition.Values.Count || !named.TryGetValue(table.PartitionKeys[i].Name, out var value) || value != partition.Values[i]) return false;
        return true;
    }

    private static List<string> ObjectsUnder(S3Location location, FolderCheck folders)
    {
        var root = folders.LocalFolder(location);
        if (folders.Listing is { } listing) return [.. listing.ObjectsUnder(root)];
        return List(root).Files;
    }

    /// <summary>
    /// The objects under a folder, sorted, and every folder met on the way with its last-write time. Zero-length
    /// objects are left out (an object being written); <c>Complete</c> is false when one was seen, since it may grow
    /// without its folder changing.
    /// </summary>
    internal static (List<string> Files, List<(string Folder, DateTime Written)> Folders, bool Complete) List(string root)
    {
        if (!Directory.Exists(root)) return ([], [], false);
        var folders = new List<(string, DateTime)> { (root, Directory.GetLastWriteTimeUtc(root)) };
        var complete = true;
        var files = new List<string>();
        // The walk itself reads no file's attributes (the kind of each entry comes with its name); each object's
        // length is then read relative to its folder.
        var entries = new FileSystemEnumerable<(string Path, bool IsFolder)>(root, (ref FileSystemEntry entry) => (entry.ToFullPath(), entry.IsDirectory), LocalObjectStore.EveryObject);
        using var stamps = new FileStamps();
        foreach (var (path, isFolder) in entries)
        {
            if (isFolder) { folders.Add((path, Directory.GetLastWriteTimeUtc(path))); continue; }
            var name = Path.GetFileName(path.AsSpan());
            if (name.StartsWith('_') || name.StartsWith('.')) continue;
            if (!stamps.TryRead(path, out var length, out _) || length == 0) { complete = false; continue; }
            files.Add(path);
        }
        files.Sort(StringComparer.Ordinal);
        return (files, folders, complete);
    }

    /// <summary>
    /// The lake folder of each location, refused if it would leave its bucket or pass through a symbolic link, as
    /// <see cref="LocalObjectStore.GetLocalFolder"/> checks it. Within one listing every folder on the way is looked
    /// at once, not once per partition below it; anything unusual goes to the store's own check, so errors stay its own.
    /// </summary>
    private sealed class FolderCheck(LocalObjectStore lake, LakeListing? listing)
    {
        public LakeListing? Listing => listing;

        private readonly Dictionary<string, string?> bucketRoots = new(StringComparer.Ordinal);
        private readonly HashSet<string> plainFolders = new(StringComparer.Ordinal);

        public string LocalFolder(S3Location location)
        {
            if (Fast(location) is { } folder) return folder;
            try
            {
                return lake.GetLocalFolder(location.Bucket, location.FolderPrefix);
            }
            catch (Errors.ServiceException error)
            {
                throw new AthenaQueryException("ACCESS_DENIED", $"line 1:1: {location}: {error.Message}");
            }
        }

        private string? Fast(S3Location location)
        {
            var prefix = location.FolderPrefix;
            if (prefix.Length == 0 || LocalObjectStore.KeyProblem(prefix, isPrefix: true) is not null) return null;
            if (!bucketRoots.TryGetValue(location.Bucket, out var root))
            {
                try
                {
                    root = lake.GetLocalFolder(location.Bucket, "");
                }
                catch (Errors.ServiceException)
                {
                    root = null;
                }
                bucketRoots[location.Bucket] = root;
            }
            if (root is null) return null;
            var path = Path.GetFullPath(Path.Combine(root, prefix.TrimEnd('/')));
            if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return null;
            var current = root;
            foreach (var part in path[(root.Length + 1)..].Split(Path.DirectorySeparatorChar))
            {
                current = Path.Combine(current, part);
                if (plainFolders.Contains(current)) continue;
                var entry = new FileInfo(current);
                if (entry.LinkTarget is not null || (entry.Exists && entry.Attributes.HasFlag(FileAttributes.ReparsePoint))) return null;
                if (!entry.Exists && !Directory.Exists(current)) return path;
                plainFolders.Add(current);
            }
            return path;
        }
    }
}

/// <summary>
/// What a table's partition list says, worked out once per list rather than at every query: each partition's location
/// and whether its folders spell its values, and, for the first filter that asks, each key's values with the partitions
/// holding them, so a filter finds its few partitions among thousands without looking at every one.
/// </summary>
internal sealed class PartitionLayout
{
    private readonly GlueTable table;
    private readonly IReadOnlyList<GluePartition> partitions;
    private Dictionary<string, List<int>>[]? byValue;
    // Partitions a value index cannot place: too few values, or a %-escape DuckDB may decode. Every filter admits them as candidates.
    private List<int>? unplaced;

    public PartitionLayout(GlueTable table, IReadOnlyList<GluePartition> partitions, LakeListing? listing)
    {
        this.table = table;
        this.partitions = partitions;
        KeyNames = KeyNamesOf(table);
        Locations = new S3Location[partitions.Count];
        Spelled = new bool[partitions.Count];
        var unspelled = new List<int>();
        for (var i = 0; i < partitions.Count; i++)
        {
            var (location, named) = listing?.Location(partitions[i].Location) ?? LakeListing.ParseFolder(partitions[i].Location);
            Locations[i] = location;
            Spelled[i] = LakeTableScan.Spells(table, partitions[i], named);
            if (!Spelled[i]) unspelled.Add(i);
        }
        Unspelled = unspelled;
    }

    /// <summary>The table's partition keys, by name, when the layout was made: spelling depends on them.</summary>
    public string KeyNames { get; }

    /// <summary>A table's partition key names, in the form <see cref="KeyNames"/> keeps them.</summary>
    public static string KeyNamesOf(GlueTable table) => string.Join('\u0001', table.PartitionKeys.Select(k => k.Name));

    public S3Location[] Locations { get; }
    public bool[] Spelled { get; }

    /// <summary>Partitions whose folders do not spell their values: no filter rules them out.</summary>
    public IReadOnlyList<int> Unspelled { get; }

    /// <summary>Every partition the filter may admit (and some it may not: the caller asks the filter of each), in no order.</summary>
    public IEnumerable<int> Candidates(PartitionPruning pruning)
    {
        if (byValue is null) IndexValues();
        List<int>? fewest = null;
        foreach (var (key, value) in pruning.PinnedValues)
        {
            var index = PartitionPruning.IndexOfKey(table, key);
            if (index < 0) return Enumerable.Range(0, partitions.Count);
            var holding = byValue![index].TryGetValue(value, out var found) ? found : [];
            if (fewest is null || holding.Count < fewest.Count) fewest = holding;
        }
        return fewest is null ? Enumerable.Range(0, partitions.Count) : fewest.Concat(unplaced!);
    }

    private void IndexValues()
    {
        var keys = table.PartitionKeys.Count;
        var index = Enumerable.Range(0, keys).Select(_ => new Dictionary<string, List<int>>(StringComparer.Ordinal)).ToArray();
        var odd = new List<int>();
        for (var i = 0; i < partitions.Count; i++)
        {
            var values = partitions[i].Values;
            if (values.Count < keys || values.Any(v => v.Contains('%'))) { odd.Add(i); continue; }
            for (var k = 0; k < keys; k++)
            {
                if (!index[k].TryGetValue(values[k], out var holding)) index[k][values[k]] = holding = [];
                holding.Add(i);
            }
        }
        (byValue, unplaced) = (index, odd);
    }
}

/// <summary>
/// What one Athena engine remembers between queries about the lake's folders: each partition location parsed, and
/// each partition folder's objects with the last-write time of every folder under it. A listing is served again only
/// while every one of those folders still has the time it had: adding, removing or renaming an object (this process
/// or another) changes its folder's time. A folder written within the last seconds before it was listed is never
/// trusted, since a change in the same clock tick would leave its time as it was.
/// </summary>
internal sealed class LakeListing
{
    private const int MaxRemembered = 200_000;
    private readonly Dictionary<string, (List<string> Files, List<(string Folder, DateTime Written)> Folders)> folders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (S3Location Location, Dictionary<string, string> Named)> locations = new(StringComparer.Ordinal);

    // The catalog hands out the same partition list until the table's partitions change.
    private readonly ConditionalWeakTable<IReadOnlyList<GluePartition>, PartitionLayout> layouts = new();

    /// <summary>The layout of a table's partition list, made once per list (and again if the table's partition keys change).</summary>
    public PartitionLayout Layout(GlueTable table, IReadOnlyList<GluePartition> partitions)
    {
        if (layouts.TryGetValue(partitions, out var known) && known.KeyNames == PartitionLayout.KeyNamesOf(table)) return known;
        var layout = new PartitionLayout(table, partitions, this);
        layouts.AddOrUpdate(partitions, layout);
        return layout;
    }

    /// <summary>A partition location, parsed (refused as a query error when invalid), with the key=value pairs its folders spell.</summary>
    public (S3Location Location, Dictionary<string, string> Named) Location(string text)
    {
        if (locations.TryGetValue(text, out var known)) return known;
        var parsed = ParseFolder(text);
        if (locations.Count >= MaxRemembered) locations.Clear();
        locations[text] = parsed;
        return parsed;
    }

    public static (S3Location Location, Dictionary<string, string> Named) ParseFolder(string text)
    {
        var location = LocalAthena.ParseLocation(text);
        var named = location.FolderPrefix.Split('/').Select(s => s.Split('=', 2)).Where(kv => kv.Length == 2)
            .GroupBy(kv => kv[0].ToLowerInvariant()).ToDictionary(g => g.Key, g => g.Last()[1]);
        return (location, named);
    }

    /// <summary>The objects under a checked lake folder, as <see cref="LakeTableScan.List"/> finds them.</summary>
    public IReadOnlyList<string> ObjectsUnder(string root)
    {
        if (folders.TryGetValue(root, out var known) && known.Folders.All(f => Directory.GetLastWriteTimeUtc(f.Folder) == f.Written))
            return known.Files;
        folders.Remove(root);
        var started = DateTime.UtcNow;
        var (files, seen, complete) = LakeTableScan.List(root);
        if (complete && seen.All(f => FileTimes.HadSettled(f.Written, started)))
        {
            if (folders.Count >= MaxRemembered) folders.Clear();
            folders[root] = (files, seen);
        }
        return files;
    }
}
