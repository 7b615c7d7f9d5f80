using System.Diagnostics;
using System.Text.Json;
using StreamingWorkshop.Display;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Catalog;

public sealed record CrawlerDefinition(string Name, string Role, string DatabaseName, string TablePrefix, IReadOnlyList<string> S3Targets, string Schedule = "On demand",
    SchemaChangePolicy? SchemaChangePolicy = null, string? Configuration = null);

/// <summary>
/// What a crawler does to a table that already exists when it finds a changed schema (UpdateBehavior
/// UPDATE_IN_DATABASE, the default, or LOG) or removed objects (DeleteBehavior DEPRECATE_IN_DATABASE, the default,
/// DELETE_FROM_DATABASE or LOG). New tables and new partitions are added whatever the policy.
/// </summary>
public sealed record SchemaChangePolicy(string UpdateBehavior = SchemaChangePolicy.UpdateInDatabase, string DeleteBehavior = SchemaChangePolicy.DeprecateInDatabase)
{
    public const string UpdateInDatabase = "UPDATE_IN_DATABASE";
    public const string Log = "LOG";
    public const string DeprecateInDatabase = "DEPRECATE_IN_DATABASE";
    public const string DeleteFromDatabase = "DELETE_FROM_DATABASE";

    /// <summary>The crawler Configuration that makes every new and existing partition take the table's schema.</summary>
    public const string InheritFromTableConfiguration = """{"Version":1.0,"CrawlerOutput":{"Partitions":{"AddOrUpdateBehavior":"InheritFromTable"}}}""";

    public void Validate()
    {
        if (UpdateBehavior is not (UpdateInDatabase or Log))
            throw new InvalidInputException($"UpdateBehavior '{UpdateBehavior}' is not valid: use UPDATE_IN_DATABASE or LOG.");
        if (DeleteBehavior is not (DeprecateInDatabase or DeleteFromDatabase or Log))
            throw new InvalidInputException($"DeleteBehavior '{DeleteBehavior}' is not valid: use DEPRECATE_IN_DATABASE, DELETE_FROM_DATABASE or LOG.");
    }

    /// <summary>True when the crawler Configuration JSON sets CrawlerOutput.Partitions.AddOrUpdateBehavior to InheritFromTable.</summary>
    public static bool PartitionsInheritFromTable(string? configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration)) return false;
        try
        {
            using var document = JsonDocument.Parse(configuration);
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty("CrawlerOutput", out var output) && output.ValueKind == JsonValueKind.Object
                   && output.TryGetProperty("Partitions", out var partitions) && partitions.ValueKind == JsonValueKind.Object
                   && partitions.TryGetProperty("AddOrUpdateBehavior", out var behavior) && behavior.ValueKind == JsonValueKind.String
                   && behavior.GetString() == "InheritFromTable";
        }
        catch (JsonException)
        {
            throw new InvalidInputException($"Crawler configuration '{configuration}' is not JSON; write it as {InheritFromTableConfiguration}.");
        }
    }
}

public sealed record CrawlerStateChange(string State, DateTimeOffset At);

public sealed record CrawlSummary(
    string Status, DateTimeOffset StartTime, DateTimeOffset EndTime, TimeSpan WallTime,
    int TablesCreated, int TablesUpdated, int PartitionsAdded, int ObjectsSampled, int RecordsSampled, IReadOnlyList<string> Notes);

/// <summary>The process running a crawl, so a later process can tell a live run from one that died with its process.</summary>
public sealed record CrawlerRunOwner(int ProcessId, DateTimeOffset ProcessStartTime)
{
    public static CrawlerRunOwner Current()
    {
        using var self = Process.GetCurrentProcess();
        return new CrawlerRunOwner(self.Id, self.StartTime.ToUniversalTime());
    }

    /// <summary>Alive when a process with that id exists and started at the same moment (ids are reused).</summary>
    public bool IsAlive()
    {
        try
        {
            using var process = Process.GetProcessById(ProcessId);
            if (process.HasExited) return false;
            return (process.StartTime.ToUniversalTime() - ProcessStartTime).Duration() < TimeSpan.FromSeconds(1);
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return false;
        }
    }
}

public sealed record CrawlerInfo(CrawlerDefinition Definition, string State, IReadOnlyList<CrawlerStateChange> History, CrawlSummary? LastCrawl, CrawlerRunOwner? RunOwner = null)
{
    public string Name => Definition.Name;
}

/// <summary>
/// Glue crawlers on the local backend. A run samples the target's objects (gzip or not), infers the JSON schema
/// the way Glue's JSON classifier does, turns key=value folders into string partition columns, and creates the
/// table (prefix + last folder of the target, '-' turned into '_') or, on a later run, adds new partitions and
/// new columns. Columns that already exist keep their type, so an edited type (string to timestamp) survives a
/// re-crawl: the console calls this "add new columns only".
/// </summary>
public sealed class LocalCrawlers(WorkspaceDirectory workspace, TimeProvider clock, LocalGlueCatalog catalog, IObjectStore lake) : IHtmlDisplay
{
    /// <summary>In a notebook, the local crawlers and its calls rather than an object tree.</summary>
    public string ToHtml() => OwnCalls.ToHtml();

    public override string ToString() => OwnCalls.ToString();

    private static readonly CallsView OwnCalls = new("workshop.Local.Crawlers: the local Glue crawlers, each call named after its operation (local backend only)", [
        ("ListCrawlers()", "ListCrawlers"),
        ("GetCrawler(name)", "GetCrawler"),
        ("CreateCrawler(definition)", "CreateCrawler"),
        ("UpdateCrawler(name, policy, configuration)", "UpdateCrawler"),
        ("StartCrawlerAsync(name)", "StartCrawler, then GetCrawler until READY"),
    ], "The day's crawler is workshop.Names.CrawlerName; workshop.CrawlAsync() makes it and runs it.");

    private const int MaxSampledObjectsPerPartition = 1;
    private const int MaxSampledRecordsPerObject = 200;
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public CrawlerInfo CreateCrawler(CrawlerDefinition definition)
    {
        LocalGlueCatalog.ValidName(definition.Name, "crawler");
        if (definition.S3Targets.Count == 0) throw new InvalidInputException($"Crawler {definition.Name} needs at least one S3 target path.");
        foreach (var target in definition.S3Targets) S3Location.Parse(target);
        definition.SchemaChangePolicy?.Validate();
        SchemaChangePolicy.PartitionsInheritFromTable(definition.Configuration);
        catalog.GetDatabase(definition.DatabaseName);
        var path = CrawlerFile(definition.Name);
        if (File.Exists(path)) throw new AlreadyExistsException($"Crawler with name {definition.Name} has already been created.");
        var info = new CrawlerInfo(definition, "READY", [new CrawlerStateChange("READY", clock.GetUtcNow())], null);
        Save(info);
        return info;
    }

    public bool Exists(string name) => File.Exists(CrawlerFile(name));

    /// <summary>The names of the workspace's crawlers, in order.</summary>
    public IReadOnlyList<string> ListCrawlers()
    {
        var folder = workspace.Resolve("catalog", "_crawlers");
        return Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal).ToArray()
            : [];
    }

    /// <summary>Changes a crawler's schema change policy and configuration (UpdateCrawler); not while it runs.</summary>
    public CrawlerInfo UpdateCrawler(string name, SchemaChangePolicy? policy, string? configuration)
    {
        var info = GetCrawler(name);
        if (info.State != "READY") throw new CrawlerRunningException($"Crawler with name {name} has already started.");
        policy?.Validate();
        SchemaChangePolicy.PartitionsInheritFromTable(configuration);
        var updated = info with { Definition = info.Definition with { SchemaChangePolicy = policy, Configuration = configuration } };
        Save(updated);
        return updated;
    }

    public CrawlerInfo GetCrawler(string name)
    {
        var path = CrawlerFile(name);
        if (!File.Exists(path)) throw new EntityNotFoundException($"Crawler entry with name {name} does not exist. Create it first (workshop crawl creates the workshop's).");
        var info = WorkspaceJson.Read<CrawlerInfo>(path, JsonOptions)!;
        return info.State == "RUNNING" && info.RunOwner?.IsAlive() != true ? Interrupted(info) : info;
    }

    public const string InterruptedMessage = "the crawl was interrupted";

    /// <summary>As Glue does for a run that died: the crawler is READY again and its last crawl FAILED, so the next crawl can start.</summary>
    private CrawlerInfo Interrupted(CrawlerInfo info)
    {
        var now = clock.GetUtcNow();
        var started = info.History.LastOrDefault(change => change.State == "RUNNING")?.At ?? now;
        var history = info.History.Append(new CrawlerStateChange("READY", now)).TakeLast(30).ToArray();
        var summary = new CrawlSummary("FAILED", started, now, TimeSpan.Zero, 0, 0, 0, 0, 0, [InterruptedMessage]);
        var recovered = info with { State = "READY", History = history, LastCrawl = summary, RunOwner = null };
        Save(recovered);
        return recovered;
    }

    /// <summary>Runs the crawler to the end and returns it READY again, with the run's summary.</summary>
    public async Task<CrawlerInfo> StartCrawlerAsync(string name, CancellationToken cancellationToken = default)
    {
        var info = GetCrawler(name);
        if (info.State != "READY") throw new CrawlerRunningException($"Crawler with name {name} has already started.");
        var started = clock.GetUtcNow();
        var watch = Stopwatch.StartNew();
        var history = info.History.ToList();
        history.Add(new CrawlerStateChange("RUNNING", started));
        Save(info with { State = "RUNNING", History = history, RunOwner = CrawlerRunOwner.Current() });

        CrawlSummary summary;
        try
        {
            summary = await CrawlAsync(info.Definition, started, watch, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            var stopped = new CrawlSummary("FAILED", started, clock.GetUtcNow(), watch.Elapsed, 0, 0, 0, 0, 0, [InterruptedMessage]);
            history.Add(new CrawlerStateChange("READY", clock.GetUtcNow()));
            Save(info with { State = "READY", History = history.TakeLast(30).ToArray(), LastCrawl = stopped, RunOwner = null });
            throw;
        }
        catch (Exception error)
        {
            summary = new CrawlSummary("FAILED", started, clock.GetUtcNow(), watch.Elapsed, 0, 0, 0, 0, 0, [error.Message]);
        }
        history.Add(new CrawlerStateChange("STOPPING", clock.GetUtcNow()));
        history.Add(new CrawlerStateChange("READY", clock.GetUtcNow()));
        var finished = info with { State = "READY", History = history.TakeLast(30).ToArray(), LastCrawl = summary, RunOwner = null };
        Save(finished);
        return finished;
    }

    private async Task<CrawlSummary> CrawlAsync(CrawlerDefinition definition, DateTimeOffset started, Stopwatch watch, CancellationToken cancellationToken)
    {
        int created = 0, updated = 0, added = 0, sampledObjects = 0, sampledRecords = 0;
        var notes = new List<string>();
        foreach (var target in definition.S3Targets)
        {
            var location = S3Location.Parse(target);
            var objects = await ListAllAsync(location, cancellationToken);
            var tableName = (definition.TablePrefix + location.Prefix.TrimEnd('/').Split('/')[^1]).Replace('-', '_').ToLowerInvariant();
            var policy = definition.SchemaChangePolicy ?? new SchemaChangePolicy();
            if (objects.Count == 0)
            {
                if (catalog.TableExists(definition.DatabaseName, tableName)) notes.Add(TableGone(definition.DatabaseName, tableName, target, policy.DeleteBehavior));
                else notes.Add($"{target} holds no objects yet; no table was made. Fill the lake first (offline: workshop simulate --duration 24h, or a notebook's await workshop.CatchUpAsync(3)), then crawl again.");
                continue;
            }

            // Group objects by their folder below the target; key=value folders become partition columns.
            var byFolder = objects.GroupBy(o => string.Join('/', FolderOf(o.Key, location.FolderPrefix)))
                .Select(g => (Key: g.Key.Length == 0 ? [] : g.Key.Split('/'), Objects: g.ToList())).ToList();
            var depth = byFolder.GroupBy(g => g.Key.Length).OrderByDescending(g => g.Count()).First().Key;
            var skipped = byFolder.Where(g => g.Key.Length != depth).Sum(g => g.Objects.Count);
            if (skipped > 0) notes.Add($"{skipped} object(s) at another folder depth were left out of the table.");
            var folders = byFolder.Where(g => g.Key.Length == depth).ToList();
            var partitionNames = Enumerable.Range(0, depth).Select(i =>
                folders[0].Key[i].Contains('=') ? folders[0].Key[i][..folders[0].Key[i].IndexOf('=')].ToLowerInvariant() : $"partition_{i}").ToArray();

            var exists = catalog.TableExists(definition.DatabaseName, tableName);
            var known = exists ? catalog.GetPartitions(definition.DatabaseName, tableName).Select(p => string.Join('/', p.Values)).ToHashSet() : [];

            // Sample the first object of each partition not seen before (every partition on a first run), and the newest
            // object of each known one, so a field that appears later in a partition is seen. Each partition keeps the
            // schema of its own sample.
            string? columnsType = null;
            var order = new List<string>();
            var inferred = new Dictionary<string, string>(StringComparer.Ordinal);
            var partitionSchemas = new Dictionary<string, List<GlueColumn>>(StringComparer.Ordinal);
            foreach (var folder in folders)
            {
                var values = string.Join('/', Values(folder.Key));
                var isKnown = known.Contains(values);
                var schema = partitionSchemas[values] = [];
                foreach (var item in isKnown ? folder.Objects.TakeLast(1) : folder.Objects.Take(MaxSampledObjectsPerPartition))
                {
                    var stored = await lake.GetObjectAsync(location.Bucket, item.Key, cancellationToken);
                    sampledObjects++;
                    foreach (var line in LocalObjectStore.ReadLines(stored).Take(MaxSampledRecordsPerObject))
                    {
                        if (string.IsNullOrWhiteSpace(line)) continue;
                        JsonElement record;
                        try { record = JsonDocument.Parse(line).RootElement; }
                        catch (JsonException) { continue; }
                        if (record.ValueKind != JsonValueKind.Object) continue;
                        sampledRecords++;
                        foreach (var property in record.EnumerateObject())
                        {
                            var column = property.Name.ToLowerInvariant();
                            var type = HiveTypes.Infer(property.Value);
                            if (!inferred.ContainsKey(column)) order.Add(column);
                            inferred[column] = HiveTypes.Merge(inferred.GetValueOrDefault(column), type);
                            var index = schema.FindIndex(c => c.Name == column);
                            if (index < 0) schema.Add(new GlueColumn(column, type));
                            else schema[index] = schema[index] with { Type = HiveTypes.Merge(schema[index].Type, type) };
                        }
                    }
                    columnsType ??= item.Key.EndsWith(".gz", StringComparison.Ordinal) ? "gzip" : "none";
                }
            }

            var inherit = SchemaChangePolicy.PartitionsInheritFromTable(definition.Configuration);
            if (!exists)
            {
                catalog.CreateTable(new GlueTable
                {
                    Name = tableName,
                    DatabaseName = definition.DatabaseName,
                    Columns = order.Select(c => new GlueColumn(c, inferred[c])).ToArray(),
                    PartitionKeys = partitionNames.Select(p => new GlueColumn(p, "string")).ToArray(),
                    Location = $"s3://{location.Bucket}/{location.FolderPrefix}",
                    InputFormat = "org.apache.hadoop.mapred.TextInputFormat",
                    OutputFormat = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                    SerdeLibrary = "org.openx.data.jsonserde.JsonSerDe",
                    Parameters = new Dictionary<string, string>
                    {
                        ["classification"] = "json",
                        ["compressionType"] = columnsType ?? "none",
                        ["typeOfData"] = "file",
                        ["objectCount"] = objects.Count.ToString(),
                        ["sizeKey"] = objects.Sum(o => o.Size).ToString(),
                        ["UPDATED_BY_CRAWLER"] = definition.Name,
                    },
                });
                created++;
            }
            else
            {
                var table = catalog.GetTable(definition.DatabaseName, tableName);
                var newColumns = order.Where(c => table.AllColumns.All(existing => existing.Name != c)).Select(c => new GlueColumn(c, inferred[c])).ToArray();
                if (newColumns.Length > 0 && policy.UpdateBehavior == SchemaChangePolicy.Log)
                    notes.Add($"Schema change detected in {tableName}: new column(s) {string.Join(", ", newColumns.Select(c => $"{c.Name} {c.Type}"))}; the table was left as it is (UpdateBehavior LOG).");
                else if (newColumns.Length > 0)
                {
                    catalog.UpdateTable(table with { Columns = [.. table.Columns, .. newColumns] });
                    updated++;
                    notes.Add($"New column(s) added to {tableName}: {string.Join(", ", newColumns.Select(c => $"{c.Name} {c.Type}"))}.");
                }
            }
            var tableColumns = catalog.GetTable(definition.DatabaseName, tableName).Columns;
            IReadOnlyList<GlueColumn> SchemaOf(string values) =>
                inherit ? tableColumns : partitionSchemas.TryGetValue(values, out var own) && own.Count > 0 ? own : tableColumns;
            var partitions = folders.Select(f => new GluePartition(Values(f.Key), $"s3://{location.Bucket}/{location.FolderPrefix}{string.Join('/', f.Key)}/", started,
                SchemaOf(string.Join('/', Values(f.Key))))).ToList();
            added += catalog.BatchCreatePartition(definition.DatabaseName, tableName, partitions);
            var found = partitions.Select(p => string.Join('/', p.Values)).ToHashSet(StringComparer.Ordinal);
            var gone = known.Where(values => !found.Contains(values)).Order(StringComparer.Ordinal).ToList();
            if (gone.Count > 0) notes.Add(PartitionsGone(definition.DatabaseName, tableName, gone, policy.DeleteBehavior));
            // Existing partitions: with InheritFromTable all take the table's schema; with UPDATE_IN_DATABASE one whose
            // newest object shows new fields takes them; with LOG they stay as they were.
            if (exists)
            {
                var existing = catalog.GetPartitions(definition.DatabaseName, tableName).Where(p => known.Contains(string.Join('/', p.Values)));
                var changes = new Dictionary<string, IReadOnlyList<GlueColumn>>(StringComparer.Ordinal);
                foreach (var partition in existing)
                {
                    var values = string.Join('/', partition.Values);
                    var current = partition.Columns ?? tableColumns;
                    if (inherit)
                    {
                        if (!current.SequenceEqual(tableColumns)) changes[values] = tableColumns;
                    }
                    else if (policy.UpdateBehavior == SchemaChangePolicy.UpdateInDatabase && partitionSchemas.TryGetValue(values, out var sampled))
                    {
                        var gained = sampled.Where(c => current.All(k => k.Name != c.Name)).ToArray();
                        if (gained.Length > 0) changes[values] = [.. current, .. gained];
                    }
                }
                if (changes.Count > 0)
                {
                    catalog.UpdatePartitionColumns(definition.DatabaseName, tableName, changes);
                    notes.Add($"{changes.Count} existing partition(s) of {tableName} updated to {(inherit ? "the table's schema (InheritFromTable)" : "the fields their newest objects show")}.");
                }
            }
        }
        return new CrawlSummary("SUCCEEDED", started, clock.GetUtcNow(), watch.Elapsed, created, updated, added, sampledObjects, sampledRecords, notes);
    }

    /// <summary>
    /// A table whose target no longer holds any object, under DeleteBehavior: LOG only says so, DELETE_FROM_DATABASE
    /// deletes the table, DEPRECATE_IN_DATABASE (the default) keeps it with a DEPRECATED property giving the time.
    /// </summary>
    private string TableGone(string database, string tableName, string target, string deleteBehavior)
    {
        var gone = $"Table {tableName}: {target} no longer holds any object";
        switch (deleteBehavior)
        {
            case SchemaChangePolicy.DeleteFromDatabase:
                catalog.DeleteTable(database, tableName);
                return $"{gone}; the table was deleted (DeleteBehavior DELETE_FROM_DATABASE).";
            case SchemaChangePolicy.DeprecateInDatabase:
                var table = catalog.GetTable(database, tableName);
                var at = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
                catalog.UpdateTable(table with { Parameters = new Dictionary<string, string>(table.Parameters) { ["DEPRECATED"] = at } });
                return $"{gone}; the table was marked DEPRECATED at {at} (DeleteBehavior DEPRECATE_IN_DATABASE).";
            default:
                return $"{gone}; the table was left as it is (DeleteBehavior LOG).";
        }
    }

    /// <summary>
    /// Partitions whose folders no longer hold any object, under DeleteBehavior: DELETE_FROM_DATABASE deletes them; LOG and
    /// DEPRECATE_IN_DATABASE keep them (Glue's deprecation marks tables, not partitions), and a query simply finds no rows there.
    /// </summary>
    private string PartitionsGone(string database, string tableName, IReadOnlyList<string> gone, string deleteBehavior)
    {
        var which = $"{gone.Count} partition(s) of {tableName} no longer hold any object ({string.Join(", ", gone.Take(3))}{(gone.Count > 3 ? ", ..." : "")})";
        if (deleteBehavior != SchemaChangePolicy.DeleteFromDatabase) return $"{which}; they were left in the table (DeleteBehavior {deleteBehavior}).";
        catalog.BatchDeletePartition(database, tableName, gone.Select(values => (IReadOnlyList<string>)values.Split('/')));
        return $"{which}; they were deleted (DeleteBehavior DELETE_FROM_DATABASE).";
    }

    private async Task<List<ObjectInfo>> ListAllAsync(S3Location location, CancellationToken cancellationToken)
    {
        var all = new List<ObjectInfo>();
        await foreach (var item in lake.ListAllAsync(location.Bucket, location.FolderPrefix, cancellationToken)) all.Add(item);
        return all;
    }

    private static string[] FolderOf(string key, string prefix)
    {
        var parts = key[prefix.Length..].Split('/');
        return parts[..^1];
    }

    private static string[] Values(string[] folders) => folders.Select(f => f.Contains('=') ? f[(f.IndexOf('=') + 1)..] : f).ToArray();

    private void Save(CrawlerInfo info) =>
        workspace.WriteAtomically(CrawlerFile(info.Name), JsonSerializer.SerializeToUtf8Bytes(info, JsonOptions));

    private string CrawlerFile(string name) => workspace.Resolve("catalog", "_crawlers", LocalGlueCatalog.ValidName(name, "crawler") + ".json");
}
