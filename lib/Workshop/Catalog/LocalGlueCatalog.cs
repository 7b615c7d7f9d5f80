using System.Text.Json;
using System.Text.RegularExpressions;
using StreamingWorkshop.Display;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Catalog;

/// <summary>
/// The Glue Data Catalog on the local backend, kept in the workspace (catalog/&lt;database&gt;/): databases, tables
/// with their version history, partitions, and views. Names are stored in lower case, as Glue does.
/// </summary>
public sealed partial class LocalGlueCatalog(WorkspaceDirectory workspace, TimeProvider clock) : IHtmlDisplay
{
    /// <summary>In a notebook, the local Data Catalog and its calls rather than an object tree.</summary>
    public string ToHtml() => OwnCalls.ToHtml();

    public override string ToString() => OwnCalls.ToString();

    private static readonly CallsView OwnCalls = new("workshop.Local.Catalog: the local Glue Data Catalog in the workspace, each call named after its operation (local backend only)", [
        ("GetDatabases()", "GetDatabases"),
        ("GetDatabase(name)", "GetDatabase"),
        ("CreateDatabase(name)", "CreateDatabase"),
        ("DeleteDatabase(name)", "DeleteDatabase"),
        ("GetTables(database)", "GetTables"),
        ("GetTable(database, name)", "GetTable"),
        ("GetTableVersions(database, name)", "GetTableVersions"),
        ("CreateTable(table)", "CreateTable"),
        ("UpdateTable(table)", "UpdateTable"),
        ("UpdateColumnType(database, tableName, column, newType)", "GetTable, then UpdateTable with the column's new type"),
        ("DeleteTable(database, name)", "DeleteTable"),
        ("GetPartitions(database, tableName)", "GetPartitions"),
        ("BatchCreatePartition(database, tableName, partitions)", "BatchCreatePartition"),
        ("BatchDeletePartition(database, tableName, partitionValues)", "BatchDeletePartition"),
    ], "The day's database is workshop.Names.Database; its crawler (workshop.Local.Crawlers) makes its tables.");

    /// <summary>How a missing table's message ends: SQL's way to list the tables (the command line gives its own verb instead).</summary>
    public const string SqlTableListing = "; SHOW TABLES lists the tables there are.";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
    private readonly object sync = new();
    // Each table file's last bytes read and what they parse to: a table with thousands of partitions takes far longer
    // to parse than to read and compare.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (byte[] Content, FileStamp Stamp, TableHistory History)> parsed = new(StringComparer.Ordinal);

    /// <summary>What the file system says of a table's file: every write of it gives it a new last-write time.</summary>
    private readonly record struct FileStamp(long Length, DateTime Written);

    public GlueDatabase CreateDatabase(string name, string? description = null, string? locationUri = null)
    {
        name = ValidName(name, "database");
        lock (sync)
        {
            var path = DatabaseFile(name);
            if (File.Exists(path)) throw new AlreadyExistsException($"Database {name} already exists.");
            var database = new GlueDatabase(name, description, locationUri, clock.GetUtcNow());
            workspace.WriteAtomically(path, JsonSerializer.SerializeToUtf8Bytes(database, JsonOptions));
            return database;
        }
    }

    /// <summary>Deletes a database and everything in it (tables, views, partitions); the lake's objects stay.</summary>
    public void DeleteDatabase(string name)
    {
        var folder = workspace.Resolve("catalog", ValidName(name, "database"));
        if (!File.Exists(Path.Combine(folder, "database.json"))) throw new EntityNotFoundException($"Database {name} not found.");
        Directory.Delete(folder, recursive: true);
    }

    public GlueDatabase GetDatabase(string name)
    {
        var path = DatabaseFile(ValidName(name, "database"));
        if (!File.Exists(path))
            throw new EntityNotFoundException($"Database {name.ToLowerInvariant()} not found. Deploy the stack, or create it with CREATE DATABASE.");
        return WorkspaceJson.Read<GlueDatabase>(path, JsonOptions)!;
    }

    public bool DatabaseExists(string name) => File.Exists(DatabaseFile(ValidName(name, "database")));

    public IReadOnlyList<GlueDatabase> GetDatabases()
    {
        var root = workspace.Resolve("catalog");
        if (!Directory.Exists(root)) return [];
        return Directory.GetDirectories(root).Select(d => Path.Combine(d, "database.json")).Where(File.Exists)
            .Select(f => WorkspaceJson.Read<GlueDatabase>(f, JsonOptions)!)
            .OrderBy(d => d.Name, StringComparer.Ordinal).ToArray();
    }

    public GlueTable CreateTable(GlueTable table)
    {
        var stored = Normalise(table);
        GetDatabase(stored.DatabaseName);
        if (stored.Location is { } location) S3Location.Parse(location);
        lock (sync)
        {
            if (File.Exists(TableFile(stored.DatabaseName, stored.Name)))
                throw new AlreadyExistsException($"Table {stored.Name} already exists in database {stored.DatabaseName}.");
            var now = clock.GetUtcNow();
            Save(new TableHistory([stored with { CreateTime = now, UpdateTime = now, VersionId = 1 }], []));
            return GetTable(stored.DatabaseName, stored.Name);
        }
    }

    public GlueTable GetTable(string database, string name) => Load(database, name).Versions[^1];

    public bool TableExists(string database, string name) => File.Exists(TableFile(ValidName(database, "database"), ValidName(name, "table")));

    /// <summary>
    /// The names of a database's tables and views, none when it does not exist: one look at its folder, for a caller
    /// with many candidate names (every word of a query), where asking <see cref="TableExists"/> of each checks a file.
    /// </summary>
    public IReadOnlySet<string> TableNames(string database)
    {
        var folder = workspace.Resolve("catalog", ValidName(database, "database"), "tables");
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (!Directory.Exists(folder)) return names;
        foreach (var file in Directory.EnumerateFiles(folder, "*.json")) names.Add(Path.GetFileNameWithoutExtension(file));
        return names;
    }

    public IReadOnlyList<GlueTable> GetTables(string database)
    {
        GetDatabase(database);
        return TableNames(database).Order(StringComparer.Ordinal).Select(n => GetTable(database, n)).ToArray();
    }

    /// <summary>The tables whose names match GetTables' Expression (see <see cref="TableNamePattern"/>); all of them when there is none.</summary>
    public IReadOnlyList<GlueTable> GetTables(string database, string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression)) return GetTables(database);
        var matches = TableNamePattern.Parse(expression);
        GetDatabase(database);
        return TableNames(database).Where(matches).Order(StringComparer.Ordinal).Select(n => GetTable(database, n)).ToArray();
    }

    /// <summary>Replaces a table's definition and makes a new table version, as Glue's UpdateTable does.</summary>
    public GlueTable UpdateTable(GlueTable table)
    {
        var stored = Normalise(table);
        lock (sync)
        {
            var history = Load(stored.DatabaseName, stored.Name);
            var current = history.Versions[^1];
            var updated = stored with { CreateTime = current.CreateTime, UpdateTime = clock.GetUtcNow(), VersionId = current.VersionId + 1 };
            Save(history with { Versions = [.. history.Versions, updated] });
            return updated;
        }
    }

    /// <summary>Changes one column's type (for example measurement_time from string to timestamp): a new table version.</summary>
    public GlueTable UpdateColumnType(string database, string tableName, string column, string newType)
    {
        var table = GetTable(database, tableName);
        var type = HiveTypes.Normalise(newType);
        var name = column.ToLowerInvariant();
        if (table.PartitionKeys.Any(c => c.Name == name))
            throw new InvalidInputException($"{name} is a partition key of {table.Name}; partition keys keep the type the folders give them (string).");
        if (table.Columns.All(c => c.Name != name))
            throw new EntityNotFoundException($"Column {name} not found in table {table.Name}. Its columns are: {string.Join(", ", table.Columns.Select(c => c.Name))}.");
        return UpdateTable(table with { Columns = table.Columns.Select(c => c.Name == name ? c with { Type = type } : c).ToArray() });
    }

    public IReadOnlyList<GlueTable> GetTableVersions(string database, string name) => Load(database, name).Versions;

    public void DeleteTable(string database, string name)
    {
        var path = TableFile(ValidName(database, "database"), ValidName(name, "table"));
        if (!File.Exists(path)) throw new EntityNotFoundException($"Table {name} not found in database {database}.");
        File.Delete(path);
    }

    /// <summary>Adds partitions whose values are not registered yet; returns how many were new.</summary>
    public int BatchCreatePartition(string database, string tableName, IEnumerable<GluePartition> partitions)
    {
        lock (sync)
        {
            var history = Load(database, tableName);
            var keys = history.Versions[^1].PartitionKeys.Count;
            var existing = history.Partitions.Select(p => string.Join('\u0001', p.Values)).ToHashSet(StringComparer.Ordinal);
            var added = new List<GluePartition>();
            foreach (var partition in partitions)
            {
                S3Location.Parse(partition.Location);
                if (partition.Values.Count != keys)
                    throw new InvalidInputException($"Table {tableName} has {keys} partition key(s) but a partition gives {partition.Values.Count} value(s): {string.Join(", ", partition.Values)}.");
                if (existing.Add(string.Join('\u0001', partition.Values))) added.Add(partition with { CreateTime = clock.GetUtcNow() });
            }
            if (added.Count > 0) Save(history with { Partitions = [.. history.Partitions, .. added] });
            return added.Count;
        }
    }

    /// <summary>Replaces the schema of registered partitions (matched by values), as Glue's BatchUpdatePartition does.</summary>
    public int UpdatePartitionColumns(string database, string tableName, IReadOnlyDictionary<string, IReadOnlyList<GlueColumn>> columnsByValues)
    {
        lock (sync)
        {
            var history = Load(database, tableName);
            var changed = 0;
            var partitions = history.Partitions.Select(p =>
            {
                if (!columnsByValues.TryGetValue(string.Join('/', p.Values), out var columns)) return p;
                changed++;
                return p with { Columns = columns };
            }).ToArray();
            if (changed > 0) Save(history with { Partitions = partitions });
            return changed;
        }
    }

    /// <summary>Removes the partitions with these values; returns how many were registered.</summary>
    public int BatchDeletePartition(string database, string tableName, IEnumerable<IReadOnlyList<string>> partitionValues)
    {
        lock (sync)
        {
            var history = Load(database, tableName);
            var doomed = partitionValues.Select(v => string.Join('\u0001', v)).ToHashSet(StringComparer.Ordinal);
            var kept = history.Partitions.Where(p => !doomed.Contains(string.Join('\u0001', p.Values))).ToArray();
            var removed = history.Partitions.Count - kept.Length;
            if (removed > 0) Save(history with { Partitions = kept });
            return removed;
        }
    }

    public IReadOnlyList<GluePartition> GetPartitions(string database, string tableName) => Load(database, tableName).Partitions;

    /// <summary>The partitions GetPartitions' Expression admits (see <see cref="PartitionExpression"/>); all of them when there is none.</summary>
    public IReadOnlyList<GluePartition> GetPartitions(string database, string tableName, string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression)) return GetPartitions(database, tableName);
        var filter = PartitionExpression.Parse(expression, GetTable(database, tableName));
        return GetPartitions(database, tableName).Where(p => filter.Admits(p.Values)).ToArray();
    }

    private GlueTable Normalise(GlueTable table) => table with
    {
        Name = ValidName(table.Name, "table"),
        DatabaseName = ValidName(table.DatabaseName, "database"),
        Columns = table.Columns.Select(c => c with { Name = c.Name.ToLowerInvariant(), Type = HiveTypes.Normalise(c.Type) }).ToArray(),
        PartitionKeys = table.PartitionKeys.Select(c => c with { Name = c.Name.ToLowerInvariant(), Type = HiveTypes.Normalise(c.Type) }).ToArray(),
    };

    private TableHistory Load(string database, string name)
    {
        var path = TableFile(ValidName(database, "database"), ValidName(name, "table"));
        var checkedAt = DateTime.UtcNow;
        var file = new FileInfo(path);
        // Another process may have changed the file since. Its stamp, taken before the bytes are read, tells once the
        // file has settled; until then, the bytes do.
        var stamp = file.Exists ? new FileStamp(file.Length, file.LastWriteTimeUtc) : default;
        if (file.Exists && parsed.TryGetValue(path, out var known) && known.Stamp != default && known.Stamp == stamp) return known.History;
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new EntityNotFoundException($"Table {name.ToLowerInvariant()} not found in database {database.ToLowerInvariant()}. A crawler or a CREATE TABLE makes a table{SqlTableListing}");
        }
        // A stamp is kept only for a file that had settled before it was read: one still being written keeps being compared.
        if (!FileTimes.HadSettled(stamp.Written, checkedAt)) stamp = default;
        if (parsed.TryGetValue(path, out known) && known.Content.AsSpan().SequenceEqual(content))
        {
            parsed[path] = known with { Stamp = stamp };
            return known.History;
        }
        var history = WorkspaceJson.Parse<TableHistory>(content, path, JsonOptions)!;
        parsed[path] = (content, stamp, history);
        return history;
    }

    private void Save(TableHistory history)
    {
        var table = history.Versions[^1];
        workspace.WriteAtomically(TableFile(table.DatabaseName, table.Name), JsonSerializer.SerializeToUtf8Bytes(history, JsonOptions));
    }

    private string DatabaseFile(string name) => workspace.Resolve("catalog", name, "database.json");

    private string TableFile(string database, string name) => workspace.Resolve("catalog", database, "tables", name + ".json");

    /// <summary>Glue names: 1 to 255 characters, lower case; letters, digits, '_' and '-' (no dots or slashes).</summary>
    internal static string ValidName(string name, string kind)
    {
        var lower = name?.Trim().ToLowerInvariant() ?? "";
        if (!NamePattern().IsMatch(lower))
            throw new InvalidInputException($"'{name}' is not a valid {kind} name: use 1 to 255 letters, digits, underscores or hyphens.");
        return lower;
    }

    [GeneratedRegex("^[a-z0-9_-]{1,255}$")]
    private static partial Regex NamePattern();

    private sealed record TableHistory(IReadOnlyList<GlueTable> Versions, IReadOnlyList<GluePartition> Partitions);
}
