using System.Text.RegularExpressions;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Lake;

namespace StreamingWorkshop.Query;

/// <summary>INSERT INTO a Hive table stored as Parquet, as Athena runs it: new files beside the old, new partitions registered.</summary>
public sealed partial class LocalAthena
{
    /// <summary>The most partitions one INSERT INTO or CTAS may write, as Athena limits them.</summary>
    public const int MaxPartitionsWritten = 100;

    private Outcome InsertInto(Match match, string statement, string database, string id)
    {
        var (db, name) = Reference(match, database);
        if (!catalog.TableExists(db, name))
        {
            var (line, column) = AthenaSql.Position(statement, match.Groups["name"].Index);
            throw new AthenaQueryException("TABLE_NOT_FOUND", $"line {line}:{column}: Table 'awsdatacatalog.{db}.{name}' does not exist");
        }
        var table = catalog.GetTable(db, name);
        if (table.IsView) throw new AthenaQueryException("NOT_SUPPORTED", "line 1:1: Inserting into views is not supported");
        if (!IsParquet(table))
            throw new AthenaQueryException("NOT_SUPPORTED",
                $"line 1:1: The local engine inserts into tables stored as PARQUET only; '{db}.{name}' is stored with {table.SerdeLibrary ?? table.Classification ?? "another format"}. Insert into a Parquet table, or make one with CREATE TABLE ... WITH (format = 'PARQUET') AS SELECT.");

        var tableColumns = table.AllColumns.ToArray();
        var insertColumns = InsertColumns(match.Groups["columns"], tableColumns);

        var select = SelectPart(statement, match.Groups["select"]);
        var translated = TranslateForEngine(select, clock.GetUtcNow());
        var staged = Quote($"insert_{id.Replace("-", "")}");
        // The rows kept in memory are read when the SELECT would read every object it needs of a kept table anyway; the
        // files are read otherwise, or if anything fails on the way, so an error is the one the files give.
        var keptObjects = PrepareKeptRows(select, translated, db, out _, out _);
        if (keptObjects is not null)
        {
            try
            {
                StageRows(select, translated, staged, tableColumns, insertColumns);
            }
            catch (Exception error) when (error is AthenaQueryException or System.Data.Common.DbException)
            {
                Execute($"DROP TABLE IF EXISTS {staged}");
                keptObjects = null;
            }
        }
        if (keptObjects is null)
        {
            PrepareTables(select, db);
            StageRows(select, translated, staged, tableColumns, insertColumns);
        }
        var location = ParseLocation(table.Location!);
        var target = LocalFolder(location);
        try
        {
            var (bytes, files) = ScannedObjects(excludeFolder: null, keptObjects: keptObjects);
            var inserted = Count($"SELECT COUNT(*) FROM {staged}");
            var keys = table.PartitionKeys.Select(k => k.Name).ToArray();
            if (keys.Length > 0)
            {
                var partitions = Count($"SELECT COUNT(*) FROM (SELECT DISTINCT {string.Join(", ", keys.Select(Quote))} FROM {staged})");
                if (partitions > MaxPartitionsWritten)
                    throw new AthenaQueryException("HIVE_TOO_MANY_OPEN_PARTITIONS", $"Exceeded limit of {MaxPartitionsWritten} open writers for partitions/buckets. The query writes {partitions} partitions of {db}.{name}; insert at most {MaxPartitionsWritten} at a time, for example one range of {keys[0]} per INSERT.");
            }
            if (inserted > 0) WriteInsertedFiles(staged, target, keys, id);
            RegisterNewPartitions(table, location);
            return new Outcome("DML", [], [], bytes, files, inserted);
        }
        finally
        {
            Execute($"DROP TABLE IF EXISTS {staged}");
        }
    }

    /// <summary>
    /// Checks the SELECT's column types against the columns it fills and gathers its rows into <paramref name="staged"/>,
    /// before any file is written, so a SELECT that reads the target sees only its old files.
    /// </summary>
    private void StageRows(string select, string translated, string staged, GlueColumn[] tableColumns, GlueColumn[] insertColumns)
    {
        var (queryColumns, _) = Read($"SELECT * FROM ({translated}) AS source LIMIT 0", select);
        var tableTypes = insertColumns.Select(c => TrinoType(HiveTypes.ToAthena(c.Type))).ToArray();
        var queryTypes = queryColumns.Select(c => TrinoType(c.Type)).ToArray();
        if (tableTypes.Length != queryTypes.Length || tableTypes.Zip(queryTypes).Any(pair => !InsertCoerces(pair.Second, pair.First)))
            throw new AthenaQueryException("TYPE_MISMATCH", $"line 1:1: Insert query has mismatched column types: Table: [{string.Join(", ", tableTypes)}], Query: [{string.Join(", ", queryTypes)}]");

        // Every column of the table in its order, partition keys last: the query's value cast to the column's type, NULL for a column not named.
        var aliases = queryColumns.Select((_, i) => $"c{i}").ToArray();
        var projection = tableColumns.Select(c =>
        {
            var position = Array.FindIndex(insertColumns, named => named.Name == c.Name);
            var value = position < 0 ? "NULL" : Quote(aliases[position]);
            return $"CAST({value} AS {HiveTypes.ToDuckDb(c.Type)}) AS {Quote(c.Name)}";
        });
        openedFiles.Clear();
        try
        {
            Execute($"CREATE TEMP TABLE {staged} AS SELECT {string.Join(", ", projection)} FROM ({translated}) AS source({string.Join(", ", aliases.Select(Quote))})");
        }
        catch (System.Data.Common.DbException error)
        {
            throw AthenaErrors.From(error.Message, select, translated, Settings, workspace.Resolve("lake"));
        }
    }

    /// <summary>Writes the staged rows as new Parquet files under the table's folder; files already there are left as they are.</summary>
    private void WriteInsertedFiles(string staged, string target, string[] partitionKeys, string id)
    {
        Directory.CreateDirectory(target);
        var before = Directory.EnumerateFiles(target, "*", LocalObjectStore.EveryObject).ToHashSet(StringComparer.Ordinal);
        // Each file is named after the query, so no name can be one an earlier query wrote.
        var copy = partitionKeys.Length > 0
            ? $"COPY {staged} TO '{target.Replace("'", "''")}' (FORMAT PARQUET, PARTITION_BY ({string.Join(", ", partitionKeys.Select(Quote))}), FILENAME_PATTERN '{id}_{{i}}', OVERWRITE_OR_IGNORE)"
            : $"COPY {staged} TO '{Path.Combine(target, id + "_0.parquet").Replace("'", "''")}' (FORMAT PARQUET)";
        try { Execute(copy); }
        catch (System.Data.Common.DbException error) { throw new AthenaQueryException("HIVE_WRITER_CLOSE_ERROR", $"The new files could not be written: {error.Message.Split('\n')[0]}"); }
        // New objects take the kit's clock as their last-modified time, like every other object in the lake.
        foreach (var file in Directory.EnumerateFiles(target, "*", LocalObjectStore.EveryObject).Where(f => !before.Contains(f)))
            File.SetLastWriteTimeUtc(file, clock.GetUtcNow().UtcDateTime);
    }

    private void RegisterNewPartitions(GlueTable table, S3Location location)
    {
        if (table.PartitionKeys.Count == 0) return;
        var known = catalog.GetPartitions(table.DatabaseName, table.Name).Select(p => string.Join('/', p.Values)).ToHashSet(StringComparer.Ordinal);
        var found = DiscoverPartitions(location, table.PartitionKeys.Select(k => k.Name).ToArray());
        catalog.BatchCreatePartition(table.DatabaseName, table.Name, found.Where(p => !known.Contains(string.Join('/', p.Values))).ToList());
    }

    /// <summary>The table's columns the statement names, in its order (every column when it names none), checked as Trino checks them.</summary>
    private static GlueColumn[] InsertColumns(Group list, GlueColumn[] tableColumns)
    {
        if (!list.Success) return tableColumns;
        var names = list.Value.Trim()[1..^1].Split(',', StringSplitOptions.TrimEntries).Select(n => n.Trim('`', '"').ToLowerInvariant()).ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var columns = new List<GlueColumn>();
        foreach (var name in names)
        {
            var column = tableColumns.FirstOrDefault(c => c.Name == name)
                         ?? throw new AthenaQueryException("COLUMN_NOT_FOUND", $"line 1:1: Insert column name does not exist in target table: {name}");
            if (!seen.Add(name)) throw new AthenaQueryException("DUPLICATE_COLUMN_NAME", $"line 1:1: Insert column name is specified more than once: {name}");
            columns.Add(column);
        }
        return columns.ToArray();
    }

    private static bool IsParquet(GlueTable table) =>
        table.Classification == "parquet" || (table.SerdeLibrary ?? "").Contains("parquet", StringComparison.OrdinalIgnoreCase);

    /// <summary>Type names as Trino prints them in its messages.</summary>
    private static string TrinoType(string athenaType) => athenaType switch
    {
        "float" => "real",
        "timestamp" => "timestamp(3)",
        "null" => "unknown",
        var t => t,
    };

    /// <summary>Whether Trino casts a <paramref name="query"/> value into a <paramref name="table"/> column on INSERT: the same type, or a widening.</summary>
    private static bool InsertCoerces(string query, string table)
    {
        if (query == table || query == "unknown") return true;
        static bool IsDecimal(string t) => t.StartsWith("decimal", StringComparison.Ordinal);
        string[] wider = query switch
        {
            "tinyint" => ["smallint", "integer", "bigint", "real", "double"],
            "smallint" => ["integer", "bigint", "real", "double"],
            "integer" => ["bigint", "real", "double"],
            "bigint" => ["real", "double"],
            "real" => ["double"],
            "date" => ["timestamp(3)"],
            _ when IsDecimal(query) => ["real", "double"],
            _ => [],
        };
        return wider.Contains(table) || (IsDecimal(table) && (IsDecimal(query) || query is "tinyint" or "smallint" or "integer" or "bigint"));
    }

    private long Count(string sql)
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
