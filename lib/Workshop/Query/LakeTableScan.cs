using StreamingWorkshop.Catalog;
using StreamingWorkshop.Lake;

namespace StreamingWorkshop.Query;

/// <summary>
/// The SELECT that reads a catalogued table over the lake's files, shared by Athena and the warehouse's external
/// schemas so both read a table the same way.
/// </summary>
internal sealed class LakeTableScan(LocalGlueCatalog catalog, LocalObjectStore lake, TimeProvider clock)
{
    /// <summary>
    /// The SELECT that reads a table's registered partitions with its declared column types. Partitions whose
    /// folders name their values (key=value/...) are read in one scan that DuckDB prunes from the path; a partition
    /// registered at another location gets its own scan, with its values from the catalog, as Athena takes them.
    /// </summary>
    public string Sql(GlueTable table)
    {
        var (pathPartitioned, elsewhere) = TableFiles(table);
        var parquet = table.Classification == "parquet";
        var columns = table.Columns.Select(c => c.Type switch
        {
            "timestamp" => $"TRY_CAST({LocalAthena.Quote(c.Name)} AS TIMESTAMP) AS {LocalAthena.Quote(c.Name)}",
            "date" => $"TRY_CAST({LocalAthena.Quote(c.Name)} AS DATE) AS {LocalAthena.Quote(c.Name)}",
            _ => $"CAST({LocalAthena.Quote(c.Name)} AS {HiveTypes.ToDuckDb(c.Type)}) AS {LocalAthena.Quote(c.Name)}",
        }).ToArray();
        string Projection(IReadOnlyList<string>? values) => string.Join(", ", columns.Concat(table.PartitionKeys.Select((p, i) => values is null
            ? $"CAST({LocalAthena.Quote(p.Name)} AS {HiveTypes.ToDuckDb(p.Type)}) AS {LocalAthena.Quote(p.Name)}"
            : $"CAST('{values[i].Replace("'", "''")}' AS {HiveTypes.ToDuckDb(p.Type)}) AS {LocalAthena.Quote(p.Name)}")));
        string Reader(IEnumerable<string> files, bool hive)
        {
            var list = "[" + string.Join(", ", files.Select(f => $"'{f.Replace("'", "''")}'")) + "]";
            var hiveOption = hive ? "true" : "false";
            if (parquet) return $"read_parquet({list}, hive_partitioning = {hiveOption}, hive_types_autocast = false)";
            var declared = string.Join(", ", table.Columns.Select(c =>
                $"'{c.Name}': '{(c.Type is "timestamp" or "date" ? "VARCHAR" : HiveTypes.ToDuckDb(c.Type).Replace("'", "''"))}'"));
            return $"read_json({list}, format = 'newline_delimited', columns = {{{declared}}}, hive_partitioning = {hiveOption}, hive_types_autocast = false)";
        }

        var scans = new List<string>();
        if (pathPartitioned.Count > 0) scans.Add($"SELECT {Projection(null)} FROM {Reader(pathPartitioned, table.PartitionKeys.Count > 0)}");
        foreach (var (values, files) in elsewhere) scans.Add($"SELECT {Projection(values)} FROM {Reader(files, hive: false)}");
        if (scans.Count == 0)
        {
            var empty = table.AllColumns.Select(c => $"CAST(NULL AS {HiveTypes.ToDuckDb(c.Type)}) AS {LocalAthena.Quote(c.Name)}");
            return $"SELECT {string.Join(", ", empty)} WHERE false";
        }
        return string.Join(" UNION ALL ", scans);
    }

    /// <summary>
    /// The objects of the table's registered partitions (or under its location when unpartitioned): those in folders
    /// that spell the partition's values, and per partition those that do not. Names starting '_' or '.' are
    /// skipped, as Athena does; symbolic links are never followed.
    /// </summary>
    private (List<string> PathPartitioned, List<(IReadOnlyList<string> Values, List<string> Files)> Elsewhere) TableFiles(GlueTable table)
    {
        var pathPartitioned = new List<string>();
        var elsewhere = new List<(IReadOnlyList<string>, List<string>)>();
        if (table.PartitionKeys.Count == 0)
        {
            pathPartitioned.AddRange(ObjectsUnder(LocalAthena.ParseLocation(table.Location!)));
            return (pathPartitioned, elsewhere);
        }
        // A projected table's partitions come from its properties; Athena then ignores those in the catalog.
        var partitions = PartitionProjection.IsEnabled(table)
            ? PartitionProjection.Partitions(table, clock.GetUtcNow()).Select(p => new GluePartition(p.Values, p.Location, table.CreateTime))
            : catalog.GetPartitions(table.DatabaseName, table.Name);
        foreach (var partition in partitions)
        {
            var location = LocalAthena.ParseLocation(partition.Location);
            var files = ObjectsUnder(location);
            if (files.Count == 0) continue;
            var named = location.FolderPrefix.Split('/').Select(s => s.Split('=', 2)).Where(kv => kv.Length == 2)
                .GroupBy(kv => kv[0].ToLowerInvariant()).ToDictionary(g => g.Key, g => g.Last()[1]);
            var spelled = table.PartitionKeys.Select((k, i) => named.TryGetValue(k.Name, out var v) && v == partition.Values[i]).All(x => x);
            if (spelled) pathPartitioned.AddRange(files);
            else elsewhere.Add((partition.Values, files));
        }
        return (pathPartitioned, elsewhere);
    }

    private List<string> ObjectsUnder(S3Location location)
    {
        var root = LocalFolder(location);
        if (!Directory.Exists(root)) return [];
        return Directory.EnumerateFiles(root, "*", LocalObjectStore.EveryObject)
            .Where(f => Path.GetFileName(f) is var n && !n.StartsWith('_') && !n.StartsWith('.') && new FileInfo(f).Length > 0)
            .Order(StringComparer.Ordinal).ToList();
    }


    /// <summary>The lake folder of a location, refused if it would leave its bucket or pass through a symbolic link.</summary>
    private string LocalFolder(S3Location location)
    {
        try
        {
            return lake.GetLocalFolder(location.Bucket, location.FolderPrefix);
        }
        catch (Errors.ServiceException error)
        {
            throw new AthenaQueryException("ACCESS_DENIED", $"line 1:1: {location}: {error.Message}");
        }
    }
}
