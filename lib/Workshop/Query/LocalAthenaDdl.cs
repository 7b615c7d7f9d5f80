using System.Data.Common;
using System.Text;
using System.Text.RegularExpressions;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Lake;

namespace StreamingWorkshop.Query;

/// <summary>The DDL and SHOW statements Athena runs against the Glue catalog.</summary>
public sealed partial class LocalAthena
{
    private delegate Outcome DdlHandler(Match match, string statement, string database, string id);

    private const RegexOptions Ddl = RegexOptions.IgnoreCase | RegexOptions.Singleline;
    private const string Name = @"(?<name>[\w`""-]+(?:\.[\w`""-]+)?)";

    private IReadOnlyList<(Regex, DdlHandler)>? ddlHandlers;

    // Made once per engine: building eighteen regular expressions cost more than matching them.
    private IReadOnlyList<(Regex, DdlHandler)> DdlHandlers() => ddlHandlers ??=
    [
        (new Regex($@"^CREATE\s+(?<replace>OR\s+REPLACE\s+)?VIEW\s+{Name}\s+AS\s+(?<select>.+)$", Ddl), CreateView),
        (new Regex($@"^DROP\s+VIEW\s+(?<ifexists>IF\s+EXISTS\s+)?{Name}$", Ddl), DropView),
        (new Regex($@"^DROP\s+TABLE\s+(?<ifexists>IF\s+EXISTS\s+)?{Name}$", Ddl), DropTable),
        (new Regex($@"^CREATE\s+EXTERNAL\s+TABLE\s+(?<ifnot>IF\s+NOT\s+EXISTS\s+)?{Name}\s*(?<rest>\(.+)$", Ddl), CreateExternalTable),
        (new Regex($@"^CREATE\s+TABLE\s+(?<ifnot>IF\s+NOT\s+EXISTS\s+)?{Name}\s+WITH\s*\((?<props>.*?)\)\s*AS\s+(?<select>.+)$", Ddl), CreateTableAsSelect),
        (new Regex($@"^INSERT\s+INTO\s+{Name}\s*(?<columns>\((?!\s*(?:SELECT|WITH|VALUES)\b)[^()]*\))?\s*(?<select>(?:SELECT|WITH|VALUES|\().+)$", Ddl), InsertInto),
        (new Regex($@"^CREATE\s+(DATABASE|SCHEMA)\s+(?<ifnot>IF\s+NOT\s+EXISTS\s+)?{Name}$", Ddl), CreateDatabase),
        (new Regex($@"^MSCK\s+REPAIR\s+TABLE\s+{Name}$", Ddl), RepairTable),
        (new Regex($@"^ALTER\s+TABLE\s+{Name}\s+ADD\s+(?<ifnot>IF\s+NOT\s+EXISTS\s+)?(?<partitions>PARTITION.+)$", Ddl), AddPartitions),
        (new Regex($@"^ALTER\s+TABLE\s+{Name}\s+SET\s+TBLPROPERTIES\s*(?<props>\(.+)$", Ddl), SetTableProperties),
        (new Regex($@"^ALTER\s+TABLE\s+{Name}\s+DROP\s+(?<ifexists>IF\s+EXISTS\s+)?(?<partitions>PARTITION.+)$", Ddl), DropPartitions),
        (new Regex(@"^SHOW\s+(DATABASES|SCHEMAS)$", Ddl), ShowDatabases),
        (new Regex(@"^SHOW\s+TABLES(\s+(IN|FROM)\s+(?<db>[\w`""-]+))?(\s+'(?<pattern>[^']*)')?$", Ddl), ShowTables),
        (new Regex(@"^SHOW\s+VIEWS(\s+(IN|FROM)\s+(?<db>[\w`""-]+))?(\s+LIKE\s+'(?<pattern>[^']*)')?$", Ddl), ShowViews),
        (new Regex($@"^SHOW\s+PARTITIONS\s+{Name}$", Ddl), ShowPartitions),
        (new Regex($@"^SHOW\s+CREATE\s+(TABLE|VIEW)\s+{Name}$", Ddl), ShowCreateTable),
        (new Regex($@"^SHOW\s+COLUMNS\s+(IN|FROM)\s+{Name}$", Ddl), ShowColumns),
        (new Regex($@"^(DESCRIBE|DESC)\s+{Name}$", Ddl), Describe),
    ];

    private static (string Database, string Table) Reference(Match match, string database)
    {
        var parts = match.Groups["name"].Value.Split('.').Select(p => p.Trim('`', '"').ToLowerInvariant()).ToArray();
        return parts.Length == 2 ? (parts[0], parts[1]) : (database, parts[0]);
    }

    private static Outcome Done() => new("DDL", [], []);

    private static Outcome Rows(string column, IEnumerable<string> values) =>
        new("DDL", [new ResultColumn(column, "varchar")], values.Select(v => new object?[] { v }).ToArray());

    private GlueTable RequireTable(string database, string table, Match match, string statement)
    {
        if (catalog.TableExists(database, table)) return catalog.GetTable(database, table);
        var (line, column) = AthenaSql.Position(statement, match.Groups["name"].Index);
        throw new AthenaQueryException("TABLE_NOT_FOUND", $"line {line}:{column}: Table 'awsdatacatalog.{database}.{table}' does not exist");
    }

    /// <summary>The SELECT inside a statement, with everything before it blanked out so positions stay those of the statement.</summary>
    private static string SelectPart(string statement, Group select) =>
        Regex.Replace(statement[..select.Index], @"[^\n]", " ") + statement[select.Index..];

    private Outcome CreateView(Match match, string statement, string database, string id)
    {
        var (db, view) = Reference(match, database);
        if (catalog.TableExists(db, view))
        {
            var existing = catalog.GetTable(db, view);
            if (!existing.IsView || !match.Groups["replace"].Success)
                throw new AthenaQueryException("ALREADY_EXISTS", existing.IsView
                    ? $"line 1:1: View 'awsdatacatalog.{db}.{view}' already exists. Write CREATE OR REPLACE VIEW {view} to replace it."
                    : $"line 1:1: Table 'awsdatacatalog.{db}.{view}' already exists. Give the view another name.");
        }
        var select = SelectPart(statement, match.Groups["select"]);
        var definition = $"SELECT * FROM ({TranslateForEngine(select, clock.GetUtcNow())}) AS definition LIMIT 0";
        IReadOnlyList<ResultColumn>? columns = null;
        if (ReuseRows)
        {
            // Only the columns are read. A kept table gives the same names and types as its files, without DuckDB binding
            // a reader over every object's path; any failure is left to the files, so an error is the one they give.
            try
            {
                PrepareTables(select, db, keptRows: []);
                (columns, _) = Read(definition, select);
            }
            catch (Exception error) when (error is AthenaQueryException or DbException)
            {
                columns = null;
            }
        }
        if (columns is null)
        {
            PrepareTables(select, db);
            (columns, _) = Read(definition, select);
        }
        var table = new GlueTable
        {
            Name = view,
            DatabaseName = db,
            TableType = GlueTable.VirtualView,
            Columns = columns.Select(c => new GlueColumn(c.Name, HiveType(c.Type))).ToArray(),
            ViewOriginalText = match.Groups["select"].Value.Trim(),
            Parameters = new Dictionary<string, string> { ["presto_view"] = "true", ["comment"] = "Presto View" },
        };
        if (catalog.TableExists(db, view)) catalog.UpdateTable(table);
        else catalog.CreateTable(table);
        return Done();
    }

    private Outcome DropView(Match match, string statement, string database, string id)
    {
        var (db, view) = Reference(match, database);
        if (!catalog.TableExists(db, view))
        {
            if (match.Groups["ifexists"].Success) return Done();
            throw new AthenaQueryException("TABLE_NOT_FOUND", $"line 1:1: View 'awsdatacatalog.{db}.{view}' does not exist");
        }
        if (!catalog.GetTable(db, view).IsView)
            throw new AthenaQueryException("NOT_SUPPORTED", $"line 1:1: '{db}.{view}' is a table, not a view; use DROP TABLE.");
        catalog.DeleteTable(db, view);
        return Done();
    }

    private Outcome DropTable(Match match, string statement, string database, string id)
    {
        var (db, table) = Reference(match, database);
        if (!catalog.TableExists(db, table))
        {
            if (match.Groups["ifexists"].Success) return Done();
            throw new AthenaQueryException("TABLE_NOT_FOUND", $"line 1:1: Table 'awsdatacatalog.{db}.{table}' does not exist");
        }
        // External tables: the catalog entry goes, the objects in S3 stay.
        catalog.DeleteTable(db, table);
        return Done();
    }

    private Outcome CreateDatabase(Match match, string statement, string database, string id)
    {
        var name = match.Groups["name"].Value.Trim('`', '"');
        if (catalog.DatabaseExists(name))
        {
            if (match.Groups["ifnot"].Success) return Done();
            throw new AthenaQueryException("ALREADY_EXISTS", $"line 1:1: Schema '{name}' already exists");
        }
        catalog.CreateDatabase(name);
        return Done();
    }

    /// <summary>
    /// Athena's refusal of a table made twice (a learner running a CREATE cell again), with the two ways on: the table
    /// dropped first, or the new one named otherwise. IF NOT EXISTS is not offered, as it would keep the old table silently.
    /// </summary>
    private static string TableExists(string db, string name) =>
        $"line 1:1: Table 'awsdatacatalog.{db}.{name}' already exists. Drop it first (DROP TABLE {name}) or give the new one another name.";

    private Outcome CreateExternalTable(Match match, string statement, string database, string id)
    {
        var (db, name) = Reference(match, database);
        if (catalog.TableExists(db, name))
        {
            if (match.Groups["ifnot"].Success) return Done();
            throw new AthenaQueryException("ALREADY_EXISTS", TableExists(db, name));
        }
        var rest = match.Groups["rest"].Value;
        var (columnsText, after) = Parenthesised(rest);
        var columns = ColumnList(columnsText);
        var partitionKeys = new List<GlueColumn>();
        var partitioned = Regex.Match(after, @"PARTITIONED\s+BY\s*(?=\()", Ddl);
        if (partitioned.Success) partitionKeys = ColumnList(Parenthesised(after[(partitioned.Index + partitioned.Length)..]).Inside);
        var location = Regex.Match(after, @"LOCATION\s+'(?<l>[^']+)'", Ddl);
        if (!location.Success) throw new AthenaQueryException("SYNTAX_ERROR", "line 1:1: CREATE EXTERNAL TABLE needs LOCATION 's3://bucket/prefix/'.");
        var serde = Regex.Match(after, @"ROW\s+FORMAT\s+SERDE\s+'(?<s>[^']+)'", Ddl);
        var storedAs = Regex.Match(after, @"STORED\s+AS\s+(?<f>PARQUET|TEXTFILE|JSON|ORC)\b", Ddl);
        var parquet = storedAs.Success && storedAs.Groups["f"].Value.Equals("parquet", StringComparison.OrdinalIgnoreCase)
                      || serde.Groups["s"].Value.Contains("parquet", StringComparison.OrdinalIgnoreCase);
        try
        {
            S3Location.Parse(location.Groups["l"].Value);
            catalog.CreateTable(new GlueTable
            {
                Name = name,
                DatabaseName = db,
                Columns = columns,
                PartitionKeys = partitionKeys,
                Location = location.Groups["l"].Value,
                SerdeLibrary = serde.Success ? serde.Groups["s"].Value : parquet ? "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" : "org.openx.data.jsonserde.JsonSerDe",
                InputFormat = parquet ? "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat" : "org.apache.hadoop.mapred.TextInputFormat",
                OutputFormat = parquet ? "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat" : "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                Parameters = new Dictionary<string, string>(TableProperties(after)) { ["classification"] = parquet ? "parquet" : "json", ["EXTERNAL"] = "TRUE" },
            });
        }
        catch (Errors.ServiceException error)
        {
            throw new AthenaQueryException("INVALID_TABLE_PROPERTY", $"line 1:1: {error.Message}");
        }
        return Done();
    }

    /// <summary>The 'key'='value' pairs of a TBLPROPERTIES (...) clause, if the text has one.</summary>
    private static Dictionary<string, string> TableProperties(string text)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        var clause = Regex.Match(text, @"TBLPROPERTIES\s*(?=\()", Ddl);
        if (!clause.Success) return properties;
        var inside = Parenthesised(text[(clause.Index + clause.Length)..]).Inside;
        foreach (Match pair in Regex.Matches(inside, @"(?<q>['""])(?<k>[^'""]+)\k<q>\s*=\s*(?<r>['""])(?<v>[^'""]*)\k<r>"))
            properties[pair.Groups["k"].Value] = pair.Groups["v"].Value;
        return properties;
    }

    private Outcome SetTableProperties(Match match, string statement, string database, string id)
    {
        var (db, name) = Reference(match, database);
        if (!catalog.TableExists(db, name))
            throw new AthenaQueryException("TABLE_NOT_FOUND", $"line 1:1: Table 'awsdatacatalog.{db}.{name}' does not exist");
        var added = TableProperties("TBLPROPERTIES " + match.Groups["props"].Value);
        if (added.Count == 0) throw new AthenaQueryException("SYNTAX_ERROR", "line 1:1: SET TBLPROPERTIES needs one or more 'key'='value' pairs in parentheses.");
        var table = catalog.GetTable(db, name);
        var merged = new Dictionary<string, string>(table.Parameters);
        foreach (var (key, value) in added) merged[key] = value;
        catalog.UpdateTable(table with { Parameters = merged });
        return Done();
    }

    private Outcome CreateTableAsSelect(Match match, string statement, string database, string id)
    {
        var (db, name) = Reference(match, database);
        if (catalog.TableExists(db, name))
        {
            if (match.Groups["ifnot"].Success) return Done();
            throw new AthenaQueryException("ALREADY_EXISTS", TableExists(db, name));
        }
        var properties = match.Groups["props"].Value;
        var format = Regex.Match(properties, @"format\s*=\s*'(?<f>[^']+)'", Ddl).Groups["f"].Value;
        if (format.Length > 0 && !format.Equals("parquet", StringComparison.OrdinalIgnoreCase))
            throw new AthenaQueryException("NOT_SUPPORTED", $"line 1:1: The local engine writes CTAS tables as PARQUET only, not '{format}'.");
        var locationText = Regex.Match(properties, @"external_location\s*=\s*'(?<l>[^']+)'", Ddl).Groups["l"].Value;
        var location = ParseLocation(locationText.Length > 0 ? locationText : $"s3://{Settings.ResultsBucket}/tables/{id}/");
        var partitionedBy = Regex.Match(properties, @"partitioned_by\s*=\s*ARRAY\s*\[(?<p>[^\]]*)\]", Ddl).Groups["p"].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => p.Trim('\'').ToLowerInvariant()).ToArray();

        var target = LocalFolder(location);
        if (Directory.Exists(target) && Directory.EnumerateFiles(target, "*", LocalObjectStore.EveryObject).Any())
            throw new AthenaQueryException("HIVE_PATH_ALREADY_EXISTS", $"Target directory for table '{db}.{name}' already exists: {location}. Choose an empty external_location.");

        var select = SelectPart(statement, match.Groups["select"]);
        var translated = TranslateForEngine(select, clock.GetUtcNow());
        // The rows kept in memory are read when the SELECT would read every object of a kept table anyway (a copy of
        // the raw table to Parquet); the files are read otherwise, or if anything fails on the way, so an error is the
        // one the files give.
        var keptObjects = PrepareKeptRows(select, translated, db, out _, out _);
        (IReadOnlyList<ResultColumn> Columns, long Bytes, int Files)? written = null;
        if (keptObjects is not null)
        {
            try
            {
                written = WriteSelectedRows(select, translated, target, partitionedBy, id, keptObjects);
            }
            catch (Exception error) when (error is AthenaQueryException or DbException)
            {
                // The folder was empty before: whatever the failed write left in it goes.
                if (Directory.Exists(target))
                    foreach (var file in Directory.EnumerateFiles(target, "*", LocalObjectStore.EveryObject)) File.Delete(file);
            }
        }
        if (written is null) PrepareTables(select, db);
        var (columns, bytes, files) = written ?? WriteSelectedRows(select, translated, target, partitionedBy, id, []);

        // Objects take the kit's clock as their last-modified time, like every other object in the lake.
        foreach (var file in Directory.EnumerateFiles(target, "*", LocalObjectStore.EveryObject))
            File.SetLastWriteTimeUtc(file, clock.GetUtcNow().UtcDateTime);

        catalog.CreateTable(new GlueTable
        {
            Name = name,
            DatabaseName = db,
            Columns = columns.Where(c => !partitionedBy.Contains(c.Name)).Select(c => new GlueColumn(c.Name, HiveType(c.Type))).ToArray(),
            PartitionKeys = columns.Where(c => partitionedBy.Contains(c.Name)).Select(c => new GlueColumn(c.Name, HiveType(c.Type))).ToArray(),
            Location = location.ToString(),
            SerdeLibrary = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
            InputFormat = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            OutputFormat = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            Parameters = new Dictionary<string, string> { ["classification"] = "parquet", ["EXTERNAL"] = "TRUE" },
        });
        if (partitionedBy.Length > 0) catalog.BatchCreatePartition(db, name, DiscoverPartitions(location, partitionedBy));
        return new Outcome("DDL", [], [], bytes, files);
    }

    /// <summary>
    /// Writes the SELECT's rows as Parquet under <paramref name="target"/>: the columns written, and what it scanned (the
    /// objects DuckDB opened and those read from kept rows, each once).
    /// </summary>
    private (IReadOnlyList<ResultColumn> Columns, long Bytes, int Files) WriteSelectedRows(string select, string translated, string target,
        string[] partitionedBy, string id, IReadOnlyList<(string Path, long Length)> keptObjects)
    {
        var (columns, _) = Read($"SELECT * FROM ({translated}) AS source LIMIT 0", select);
        var names = columns.Select(c => c.Name).ToArray();
        if (partitionedBy.Length > 0 && !names[^partitionedBy.Length..].SequenceEqual(partitionedBy))
            throw new AthenaQueryException("HIVE_COLUMN_ORDER_MISMATCH", $"line 1:1: Partition columns must be the last columns of the SELECT, in the order of partitioned_by ({string.Join(", ", partitionedBy)}); the SELECT ends with {string.Join(", ", names.TakeLast(partitionedBy.Length))}.");

        Directory.CreateDirectory(target);
        openedFiles.Clear();
        var partitionClause = partitionedBy.Length > 0 ? $", PARTITION_BY ({string.Join(", ", partitionedBy.Select(Quote))})" : "";
        // Partitioned, DuckDB writes key=value folders under the target; unpartitioned, it writes one file, so it is given the file's name.
        var copy = partitionedBy.Length > 0
            ? $"COPY (SELECT * FROM ({translated}) AS source) TO '{target.Replace("'", "''")}' (FORMAT PARQUET{partitionClause}, FILENAME_PATTERN '{id}_{{i}}', OVERWRITE_OR_IGNORE)"
            : $"COPY (SELECT * FROM ({translated}) AS source) TO '{Path.Combine(target, id + "_0.parquet").Replace("'", "''")}' (FORMAT PARQUET)";
        try { Execute(copy); }
        catch (DbException error) { throw AthenaErrors.From(error.Message, select, translated, Settings, workspace.Resolve("lake")); }
        var (bytes, files) = ScannedObjects(excludeFolder: target, keptObjects: keptObjects, plannedSql: translated);
        return (columns, bytes, files);
    }

    private Outcome RepairTable(Match match, string statement, string database, string id)
    {
        var (db, name) = Reference(match, database);
        var table = RequireTable(db, name, match, statement);
        if (table.PartitionKeys.Count == 0) return Rows("result", []);
        var found = DiscoverPartitions(ParseLocation(table.Location!), table.PartitionKeys.Select(k => k.Name).ToArray());
        var known = catalog.GetPartitions(db, name).Select(p => string.Join('/', p.Values)).ToHashSet();
        var missing = found.Where(p => !known.Contains(string.Join('/', p.Values))).ToList();
        catalog.BatchCreatePartition(db, name, missing);
        var lines = missing.Select(p => $"{name}:{string.Join('/', table.PartitionKeys.Zip(p.Values, (k, v) => $"{k.Name}={v}"))}").ToList();
        return Rows("result", lines.Count == 0 ? [] : ["Partitions not in metastore:\t" + string.Join('\t', lines), .. lines.Select(l => $"Repair: Added partition to metastore {l}")]);
    }

    /// <summary>key=value folders under a location whose keys are the table's partition keys, in order.</summary>
    private List<GluePartition> DiscoverPartitions(S3Location location, string[] keys)
    {
        var root = LocalFolder(location);
        var found = new List<GluePartition>();
        if (!Directory.Exists(root)) return found;
        foreach (var folder in Directory.EnumerateDirectories(root, "*", LocalObjectStore.EveryObject))
        {
            var relative = Path.GetRelativePath(root, folder).Replace('\\', '/').Split('/');
            if (relative.Length != keys.Length) continue;
            var pairs = relative.Select(r => r.Split('=', 2)).ToArray();
            if (pairs.Any(p => p.Length != 2) || !pairs.Select(p => p[0].ToLowerInvariant()).SequenceEqual(keys)) continue;
            if (!Directory.EnumerateFiles(folder, "*", new EnumerationOptions { AttributesToSkip = FileAttributes.ReparsePoint }).Any()) continue;
            found.Add(new GluePartition(pairs.Select(p => p[1]).ToArray(), $"s3://{location.Bucket}/{location.FolderPrefix}{string.Join('/', relative)}/", clock.GetUtcNow()));
        }
        return found.OrderBy(p => string.Join('/', p.Values), StringComparer.Ordinal).ToList();
    }

    private Outcome AddPartitions(Match match, string statement, string database, string id)
    {
        var (db, name) = Reference(match, database);
        var table = RequireTable(db, name, match, statement);
        var partitions = new List<GluePartition>();
        foreach (Match spec in Regex.Matches(match.Groups["partitions"].Value, @"PARTITION\s*\((?<kv>[^)]*)\)(\s*LOCATION\s+'(?<l>[^']+)')?", Ddl))
        {
            var values = spec.Groups["kv"].Value.Split(',').Select(kv => kv.Split('=', 2)).ToDictionary(
                kv => kv[0].Trim().Trim('`', '"').ToLowerInvariant(), kv => kv.Length == 2 ? kv[1].Trim().Trim('\'') : "");
            var missing = table.PartitionKeys.Where(k => !values.ContainsKey(k.Name)).Select(k => k.Name).ToList();
            if (missing.Count > 0 || values.Count != table.PartitionKeys.Count)
                throw new AthenaQueryException("INVALID_PARTITION_VALUE", $"line 1:1: Give a value for every partition key of {name} ({string.Join(", ", table.PartitionKeys.Select(k => k.Name))}); missing: {string.Join(", ", missing)}.");
            var ordered = table.PartitionKeys.Select(k => values[k.Name]).ToArray();
            var location = spec.Groups["l"].Success ? spec.Groups["l"].Value
                : $"{ParseLocation(table.Location!).ToString().TrimEnd('/')}/{string.Join('/', table.PartitionKeys.Select(k => $"{k.Name}={values[k.Name]}"))}/";
            LocalFolder(ParseLocation(location, "INVALID_PARTITION_VALUE"));
            partitions.Add(new GluePartition(ordered, location, clock.GetUtcNow()));
        }
        if (partitions.Count == 0) throw new AthenaQueryException("SYNTAX_ERROR", "line 1:1: ADD PARTITION needs at least one PARTITION (key='value', ...).");
        var added = catalog.BatchCreatePartition(db, name, partitions);
        if (added < partitions.Count && !match.Groups["ifnot"].Success)
            throw new AthenaQueryException("ALREADY_EXISTS", $"line 1:1: Partition already exists in {db}.{name}; use ADD IF NOT EXISTS.");
        return Done();
    }

    private Outcome DropPartitions(Match match, string statement, string database, string id)
    {
        var (db, name) = Reference(match, database);
        var table = RequireTable(db, name, match, statement);
        var doomed = new List<IReadOnlyList<string>>();
        foreach (Match spec in Regex.Matches(match.Groups["partitions"].Value, @"PARTITION\s*\((?<kv>[^)]*)\)", Ddl))
        {
            var values = spec.Groups["kv"].Value.Split(',').Select(kv => kv.Split('=', 2)).ToDictionary(
                kv => kv[0].Trim().Trim('`', '"').ToLowerInvariant(), kv => kv.Length == 2 ? kv[1].Trim().Trim('\'') : "");
            var missing = table.PartitionKeys.Where(k => !values.ContainsKey(k.Name)).Select(k => k.Name).ToList();
            if (missing.Count > 0 || values.Count != table.PartitionKeys.Count)
                throw new AthenaQueryException("INVALID_PARTITION_VALUE", $"line 1:1: Give a value for every partition key of {name} ({string.Join(", ", table.PartitionKeys.Select(k => k.Name))}); missing: {string.Join(", ", missing)}.");
            doomed.Add(table.PartitionKeys.Select(k => values[k.Name]).ToArray());
        }
        if (doomed.Count == 0) throw new AthenaQueryException("SYNTAX_ERROR", "line 1:1: DROP PARTITION needs at least one PARTITION (key='value', ...).");
        // As for the table itself, the catalog entry goes and the objects stay.
        var removed = catalog.BatchDeletePartition(db, name, doomed);
        if (removed < doomed.Count && !match.Groups["ifexists"].Success)
            throw new AthenaQueryException("HIVE_METASTORE_ERROR", $"line 1:1: Partition not found in {db}.{name}; use DROP IF EXISTS, or list them with SHOW PARTITIONS {name}.");
        return Done();
    }

    private Outcome ShowDatabases(Match match, string statement, string database, string id) =>
        Rows("database_name", catalog.GetDatabases().Select(d => d.Name));

    private Outcome ShowTables(Match match, string statement, string database, string id)
    {
        var db = match.Groups["db"].Success ? match.Groups["db"].Value.Trim('`', '"').ToLowerInvariant() : database;
        var pattern = match.Groups["pattern"].Success ? NamePattern(match.Groups["pattern"].Value) : null;
        return Rows("tab_name", catalog.GetTables(db).Select(t => t.Name).Where(n => pattern is null || Regex.IsMatch(n, pattern)));
    }

    private Outcome ShowViews(Match match, string statement, string database, string id)
    {
        var db = match.Groups["db"].Success ? match.Groups["db"].Value.Trim('`', '"').ToLowerInvariant() : database;
        var pattern = match.Groups["pattern"].Success ? NamePattern(match.Groups["pattern"].Value) : null;
        return Rows("views", catalog.GetTables(db).Where(t => t.IsView).Select(t => t.Name).Where(n => pattern is null || Regex.IsMatch(n, pattern)));
    }

    /// <summary>A SHOW statement's name pattern as a regular expression: Athena's takes only * (any characters) and | (or).</summary>
    private static string NamePattern(string pattern) => "^(" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\|", "|") + ")$";

    private Outcome ShowPartitions(Match match, string statement, string database, string id)
    {
        var (db, name) = Reference(match, database);
        var table = RequireTable(db, name, match, statement);
        return Rows("partition", catalog.GetPartitions(db, name).Select(p => string.Join('/', table.PartitionKeys.Zip(p.Values, (k, v) => $"{k.Name}={v}"))));
    }

    private Outcome ShowColumns(Match match, string statement, string database, string id)
    {
        var (db, name) = Reference(match, database);
        return Rows("field", RequireTable(db, name, match, statement).AllColumns.Select(c => c.Name));
    }

    private Outcome Describe(Match match, string statement, string database, string id)
    {
        var (db, name) = Reference(match, database);
        var table = RequireTable(db, name, match, statement);
        var lines = table.Columns.Select(c => $"{c.Name,-24}\t{c.Type,-12}\t{c.Comment}".TrimEnd()).ToList();
        if (table.PartitionKeys.Count > 0)
        {
            lines.Add("");
            lines.Add("# Partition Information");
            lines.Add($"{"# col_name",-24}\t{"data_type",-12}\tcomment");
            lines.Add("");
            lines.AddRange(table.PartitionKeys.Select(c => $"{c.Name,-24}\t{c.Type,-12}".TrimEnd()));
        }
        return Rows("col_name", lines);
    }

    private Outcome ShowCreateTable(Match match, string statement, string database, string id)
    {
        var (db, name) = Reference(match, database);
        var table = RequireTable(db, name, match, statement);
        var text = new StringBuilder();
        if (table.IsView)
        {
            text.Append($"CREATE VIEW `{db}`.`{name}` AS\n{table.ViewOriginalText}");
        }
        else
        {
            text.Append($"CREATE EXTERNAL TABLE `{db}`.`{name}`(\n");
            text.AppendJoin(",\n", table.Columns.Select(c => $"  `{c.Name}` {c.Type}"));
            text.Append(")\n");
            if (table.PartitionKeys.Count > 0)
                text.Append("PARTITIONED BY ( \n").AppendJoin(",\n", table.PartitionKeys.Select(c => $"  `{c.Name}` {c.Type}")).Append(")\n");
            text.Append($"ROW FORMAT SERDE \n  '{table.SerdeLibrary}' \n");
            text.Append($"STORED AS INPUTFORMAT \n  '{table.InputFormat}' \nOUTPUTFORMAT \n  '{table.OutputFormat}'\n");
            text.Append($"LOCATION\n  '{table.Location}'\n");
            text.Append("TBLPROPERTIES (\n").AppendJoin(",\n", table.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"  '{p.Key}'='{p.Value}'")).Append(')');
        }
        return Rows("createtab_stmt", text.ToString().Split('\n'));
    }

    /// <summary>The text inside the first balanced parentheses, and what follows them.</summary>
    private static (string Inside, string After) Parenthesised(string text)
    {
        var start = text.IndexOf('(');
        var depth = 0;
        for (var i = start; i < text.Length; i++)
        {
            if (text[i] == '(') depth++;
            else if (text[i] == ')' && --depth == 0) return (text[(start + 1)..i], text[(i + 1)..]);
        }
        throw new AthenaQueryException("SYNTAX_ERROR", "line 1:1: A '(' in the column list is not closed.");
    }

    /// <summary>"name type, name type" where types may hold commas inside &lt;&gt; or ().</summary>
    private static List<GlueColumn> ColumnList(string text)
    {
        var columns = new List<GlueColumn>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] is '<' or '(') depth++;
            else if (i < text.Length && text[i] is '>' or ')') depth--;
            else if (i == text.Length || (text[i] == ',' && depth == 0))
            {
                var part = text[start..i].Trim();
                start = i + 1;
                if (part.Length == 0) continue;
                var comment = Regex.Match(part, @"\s+COMMENT\s+'(?<c>[^']*)'\s*$", Ddl);
                if (comment.Success) part = part[..comment.Index];
                var space = part.IndexOfAny([' ', '\t', '\n']);
                if (space < 0) throw new AthenaQueryException("SYNTAX_ERROR", $"line 1:1: Column '{part}' has no type; write it as name type, for example city string.");
                try
                {
                    columns.Add(new GlueColumn(part[..space].Trim('`', '"').ToLowerInvariant(), HiveTypes.Normalise(part[space..].Trim()), comment.Success ? comment.Groups["c"].Value : null));
                }
                catch (InvalidInputException error)
                {
                    throw new AthenaQueryException("SYNTAX_ERROR", $"line 1:1: {error.Message}");
                }
            }
        }
        return columns;
    }
}
