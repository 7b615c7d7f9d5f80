using DuckDB.NET.Data;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Query;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Jobs;

/// <summary>
/// A Parquet table a job writes into the lake: the catalog database and lake bucket it lives in, its folder, its data
/// columns (Hive types) and its partition columns (strings, as folder names give them).
/// </summary>
public sealed record CuratedTableSpec(string Database, string Bucket, string Table, string Prefix,
    IReadOnlyList<(string Name, string HiveType)> Columns, IReadOnlyList<string> PartitionColumns)
{
    /// <summary>The batch job's curated_weather in the given database and lake bucket.</summary>
    public static CuratedTableSpec CuratedWeather(string database, string bucket) =>
        new(database, bucket, ReadingsCuration.CuratedTable, ReadingsCuration.CuratedPrefix, ReadingsCuration.CuratedColumns, ReadingsCuration.PartitionColumns);

    /// <summary>The table's location, as the catalog stores it.</summary>
    public string Location => $"s3://{Bucket}/{Prefix}";

    /// <summary>A partition's folder in the bucket, Hive style: curated/weather/location=Berlin/year=2026/month=12/day=04/.</summary>
    public string PartitionPrefix(IReadOnlyList<string> values)
    {
        if (values.Count != PartitionColumns.Count)
            throw new ArgumentException($"Table {Table} has {PartitionColumns.Count} partition columns ({string.Join(", ", PartitionColumns)}) but {values.Count} values were given: {string.Join(", ", values)}.", nameof(values));
        return Prefix + string.Concat(PartitionColumns.Zip(values, (column, value) => $"{column}={value}/"));
    }
}

/// <summary>
/// Writes a job's tables as Glue does with enableUpdateCatalog and partitionKeys: each partition's rows as Parquet
/// objects in the lake (through the lake store, so they carry the virtual clock's time), the table and its partitions
/// registered in the catalog with the Hive Parquet SerDe. DuckDB runs only in the sandbox that can reach the lake and the
/// jobs' scratch folder.
/// </summary>
public sealed class CuratedTables(WorkspaceDirectory workspace, LocalObjectStore lake, LocalGlueCatalog catalog)
{
    /// <summary>The name a partition's single Parquet object gets when the caller gives none.</summary>
    public const string DefaultFileName = "part-00000.snappy.parquet";

    /// <summary>Creates the table in the catalog if it is not there yet (an existing table is left as it is); returns it.</summary>
    public GlueTable Register(CuratedTableSpec spec)
    {
        if (catalog.TableExists(spec.Database, spec.Table)) return catalog.GetTable(spec.Database, spec.Table);
        return catalog.CreateTable(new GlueTable
        {
            Name = spec.Table,
            DatabaseName = spec.Database,
            Columns = spec.Columns.Select(c => new GlueColumn(c.Name, c.HiveType)).ToArray(),
            PartitionKeys = spec.PartitionColumns.Select(c => new GlueColumn(c, "string")).ToArray(),
            Location = spec.Location,
            SerdeLibrary = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
            InputFormat = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            OutputFormat = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            Parameters = new Dictionary<string, string> { ["classification"] = "parquet", ["compressionType"] = "snappy" },
        });
    }

    /// <summary>Registers the table (if needed) and the partitions not registered yet; returns how many were new.</summary>
    public int RegisterPartitions(CuratedTableSpec spec, IEnumerable<IReadOnlyList<string>> partitionValues)
    {
        Register(spec);
        return catalog.BatchCreatePartition(spec.Database, spec.Table,
            partitionValues.Select(v => new GluePartition(v.ToArray(), $"s3://{spec.Bucket}/{spec.PartitionPrefix(v)}", default)));
    }

    /// <summary>
    /// Replaces a partition's content with <paramref name="rows"/> (values in the order of the spec's data columns:
    /// string, double, int, long, DateTime or null) as one Parquet object; the partition's other objects are removed.
    /// Does not register anything: call <see cref="RegisterPartitions"/>.
    /// </summary>
    public ObjectInfo WritePartition(CuratedTableSpec spec, IReadOnlyList<string> values, IReadOnlyList<object?[]> rows, string fileName = DefaultFileName)
    {
        using var engine = OpenEngine();
        LoadRows(engine, "rows_to_write", spec.Columns, rows);
        return WritePartition(engine, spec, values, "SELECT * FROM rows_to_write", fileName);
    }

    /// <summary>
    /// Replaces a partition's content with what <paramref name="selectSql"/> returns on <paramref name="engine"/> (one
    /// of <see cref="OpenEngine"/>'s; its columns are the spec's data columns, in order) as one Parquet object.
    /// </summary>
    public ObjectInfo WritePartition(DuckDBConnection engine, CuratedTableSpec spec, IReadOnlyList<string> values, string selectSql, string fileName = DefaultFileName)
    {
        var prefix = spec.PartitionPrefix(values);
        var scratch = Path.Combine(ScratchFolder(), Guid.NewGuid().ToString("N") + ".parquet");
        try
        {
            var casts = string.Join(", ", spec.Columns.Select(c => $"CAST({Quote(c.Name)} AS {DuckType(c.HiveType)}) AS {Quote(c.Name)}"));
            using (var command = engine.CreateCommand())
            {
                command.CommandText = $"COPY (SELECT {casts} FROM ({selectSql}) AS written) TO {Literal(scratch)} (FORMAT parquet, COMPRESSION snappy)";
                command.ExecuteNonQuery();
            }
            var stale = lake.ListAllAsync(spec.Bucket, prefix).ToBlockingEnumerable().Select(o => o.Key).Where(k => k != prefix + fileName).ToArray();
            var written = lake.PutObjectAsync(spec.Bucket, prefix + fileName, File.ReadAllBytes(scratch)).GetAwaiter().GetResult();
            foreach (var key in stale) lake.DeleteObjectAsync(spec.Bucket, key).GetAwaiter().GetResult();
            return written;
        }
        finally
        {
            if (File.Exists(scratch)) File.Delete(scratch);
        }
    }

    /// <summary>
    /// A FROM item that reads a partition's existing Parquet objects (read_parquet over their local files), or null when
    /// the partition has none yet. Its columns are the data columns only.
    /// </summary>
    public string? PartitionSource(CuratedTableSpec spec, IReadOnlyList<string> values)
    {
        var files = lake.ListAllAsync(spec.Bucket, spec.PartitionPrefix(values)).ToBlockingEnumerable()
            .Where(o => o.Key.EndsWith(".parquet", StringComparison.Ordinal)).Select(o => lake.GetLocalPath(spec.Bucket, o.Key)).ToArray();
        return files.Length == 0 ? null : $"read_parquet([{string.Join(", ", files.Select(Literal))}], hive_partitioning = false)";
    }

    /// <summary>A partition's rows (data columns, in order), as DuckDB reads them back: empty when it has none.</summary>
    public IReadOnlyList<object?[]> ReadPartition(CuratedTableSpec spec, IReadOnlyList<string> values)
    {
        if (PartitionSource(spec, values) is not { } source) return [];
        using var engine = OpenEngine();
        return Rows(engine, $"SELECT {string.Join(", ", spec.Columns.Select(c => Quote(c.Name)))} FROM {source}");
    }

    /// <summary>A query's rows on one of the jobs' engines, each value as DuckDB gives it (null for SQL NULL).</summary>
    internal static List<object?[]> Rows(DuckDBConnection engine, string sql)
    {
        using var command = engine.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>The table's objects in the lake, in key order.</summary>
    public IReadOnlyList<ObjectInfo> Files(CuratedTableSpec spec) => lake.ListAllAsync(spec.Bucket, spec.Prefix).ToBlockingEnumerable().ToArray();

    /// <summary>A DuckDB engine that can read and write only the lake and the jobs' scratch folder.</summary>
    public DuckDBConnection OpenEngine() => LocalAthena.OpenSandboxedEngine([workspace.EnsureFolder("lake"), ScratchFolder()], LocalAthena.SpillFolder(workspace), []);

    /// <summary>Loads rows into a temporary table of the given columns, for SQL to read.</summary>
    public static void LoadRows(DuckDBConnection engine, string table, IReadOnlyList<(string Name, string HiveType)> columns, IReadOnlyList<object?[]> rows)
    {
        using (var command = engine.CreateCommand())
        {
            command.CommandText = $"CREATE OR REPLACE TEMP TABLE {Quote(table)} ({string.Join(", ", columns.Select(c => $"{Quote(c.Name)} {DuckType(c.HiveType)}"))})";
            command.ExecuteNonQuery();
        }
        using var appender = engine.CreateAppender("temp", "main", table);
        foreach (var values in rows)
        {
            if (values.Length != columns.Count)
                throw new ArgumentException($"A row for {table} has {values.Length} values but the table has {columns.Count} columns ({string.Join(", ", columns.Select(c => c.Name))}).", nameof(rows));
            var row = appender.CreateRow();
            foreach (var value in values)
            {
                row = value switch
                {
                    null => row.AppendNullValue(),
                    string text => row.AppendValue(text),
                    double number => row.AppendValue(number),
                    int number => row.AppendValue(number),
                    long number => row.AppendValue(number),
                    DateTime time => row.AppendValue(time),
                    DateTimeOffset time => row.AppendValue(time.UtcDateTime),
                    bool flag => row.AppendValue(flag),
                    _ => throw new ArgumentException($"A row for {table} has a value of type {value.GetType().Name}; give string, double, int, long, DateTime or null.", nameof(rows)),
                };
            }
            row.EndRow();
        }
    }

    /// <summary>DuckDB's type for a Hive type of the curated tables.</summary>
    public static string DuckType(string hiveType) => hiveType switch
    {
        "string" => "VARCHAR",
        "double" => "DOUBLE",
        "int" => "INTEGER",
        "bigint" => "BIGINT",
        "timestamp" => "TIMESTAMP",
        "boolean" => "BOOLEAN",
        _ => throw new ArgumentException($"Hive type '{hiveType}' is not one the curated tables use; use string, double, int, bigint, timestamp or boolean.", nameof(hiveType)),
    };

    private string ScratchFolder() => workspace.EnsureFolder("state", "jobs-scratch");

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    private static string Literal(string text) => "'" + text.Replace("'", "''") + "'";
}
