using System.Text.Json.Nodes;
using StreamingWorkshop.Catalog;

namespace StreamingWorkshop.Aws;

/// <summary>The Glue Data Catalog and crawlers, for the operations the kit uses, in the local catalog's types.</summary>
public sealed class GlueClient(AwsJsonClient glue) : IDisposable
{
    public async Task<GlueDatabase> GetDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        var d = (await glue.CallAsync("GetDatabase", new JsonObject { ["Name"] = name }, cancellationToken))["Database"]!;
        return new GlueDatabase((string)d["Name"]!, (string?)d["Description"], (string?)d["LocationUri"], AwsJson.Timestamp(d["CreateTime"]));
    }

    public async Task<IReadOnlyList<GlueTable>> GetTablesAsync(string database, CancellationToken cancellationToken = default)
    {
        var tables = new List<GlueTable>();
        string? next = null;
        do
        {
            var request = new JsonObject { ["DatabaseName"] = database };
            if (next is not null) request["NextToken"] = next;
            var page = await glue.CallAsync("GetTables", request, cancellationToken);
            tables.AddRange(page["TableList"]?.AsArray().Select(t => ReadTable(t!)) ?? []);
            next = (string?)page["NextToken"];
        } while (next is not null);
        return tables;
    }

    public async Task<GlueTable> GetTableAsync(string database, string table, CancellationToken cancellationToken = default) =>
        ReadTable((await glue.CallAsync("GetTable", new JsonObject { ["DatabaseName"] = database, ["Name"] = table }, cancellationToken))["Table"]!);

    public async Task<IReadOnlyList<GluePartition>> GetPartitionsAsync(string database, string table, CancellationToken cancellationToken = default)
    {
        var partitions = new List<GluePartition>();
        string? next = null;
        do
        {
            var request = new JsonObject { ["DatabaseName"] = database, ["TableName"] = table };
            if (next is not null) request["NextToken"] = next;
            var page = await glue.CallAsync("GetPartitions", request, cancellationToken);
            partitions.AddRange(page["Partitions"]?.AsArray().Select(p => new GluePartition(
                p!["Values"]?.AsArray().Select(v => (string)v!).ToArray() ?? [],
                (string?)p["StorageDescriptor"]?["Location"] ?? "", AwsJson.Timestamp(p["CreationTime"]))) ?? []);
            next = (string?)page["NextToken"];
        } while (next is not null);
        return partitions;
    }

    /// <summary>Writes a table's definition back, as editing its schema in the console does.</summary>
    public async Task UpdateTableAsync(GlueTable table, CancellationToken cancellationToken = default)
    {
        var storage = new JsonObject { ["Columns"] = Columns(table.Columns) };
        if (table.Location is not null) storage["Location"] = table.Location;
        if (table.InputFormat is not null) storage["InputFormat"] = table.InputFormat;
        if (table.OutputFormat is not null) storage["OutputFormat"] = table.OutputFormat;
        if (table.SerdeLibrary is not null) storage["SerdeInfo"] = new JsonObject { ["SerializationLibrary"] = table.SerdeLibrary };
        var input = new JsonObject
        {
            ["Name"] = table.Name,
            ["TableType"] = table.TableType,
            ["StorageDescriptor"] = storage,
            ["PartitionKeys"] = Columns(table.PartitionKeys),
            ["Parameters"] = new JsonObject(table.Parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        };
        if (table.ViewOriginalText is not null) input["ViewOriginalText"] = table.ViewOriginalText;
        await glue.CallAsync("UpdateTable", new JsonObject { ["DatabaseName"] = table.DatabaseName, ["TableInput"] = input }, cancellationToken);
    }

    public async Task CreateCrawlerAsync(CrawlerDefinition definition, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject
        {
            ["Name"] = definition.Name,
            ["Role"] = definition.Role,
            ["DatabaseName"] = definition.DatabaseName,
            ["TablePrefix"] = definition.TablePrefix,
            ["Targets"] = new JsonObject { ["S3Targets"] = new JsonArray(definition.S3Targets.Select(path => (JsonNode)new JsonObject { ["Path"] = path }).ToArray()) },
        };
        if (definition.SchemaChangePolicy is { } policy)
            request["SchemaChangePolicy"] = new JsonObject { ["UpdateBehavior"] = policy.UpdateBehavior, ["DeleteBehavior"] = policy.DeleteBehavior };
        if (definition.Configuration is { } configuration) request["Configuration"] = configuration;
        await glue.CallAsync("CreateCrawler", request, cancellationToken);
    }

    /// <summary>Changes a crawler's schema change policy and configuration (UpdateCrawler).</summary>
    public async Task UpdateCrawlerAsync(string name, SchemaChangePolicy? policy, string? configuration, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject { ["Name"] = name };
        if (policy is not null) request["SchemaChangePolicy"] = new JsonObject { ["UpdateBehavior"] = policy.UpdateBehavior, ["DeleteBehavior"] = policy.DeleteBehavior };
        if (configuration is not null) request["Configuration"] = configuration;
        await glue.CallAsync("UpdateCrawler", request, cancellationToken);
    }

    public async Task StartCrawlerAsync(string name, CancellationToken cancellationToken = default) =>
        await glue.CallAsync("StartCrawler", new JsonObject { ["Name"] = name }, cancellationToken);

    public async Task StopCrawlerAsync(string name, CancellationToken cancellationToken = default) =>
        await glue.CallAsync("StopCrawler", new JsonObject { ["Name"] = name }, cancellationToken);

    /// <summary>The crawler's state (READY, RUNNING, STOPPING) and how its last crawl ended.</summary>
    public async Task<CrawlerStatus> GetCrawlerAsync(string name, CancellationToken cancellationToken = default)
    {
        var c = (await glue.CallAsync("GetCrawler", new JsonObject { ["Name"] = name }, cancellationToken))["Crawler"]!;
        var targets = c["Targets"]?["S3Targets"]?.AsArray().Select(t => (string)t!["Path"]!).ToArray() ?? [];
        var definition = new CrawlerDefinition((string)c["Name"]!, (string?)c["Role"] ?? "", (string?)c["DatabaseName"] ?? "", (string?)c["TablePrefix"] ?? "", targets);
        var last = c["LastCrawl"];
        return new CrawlerStatus(definition, (string?)c["State"] ?? "READY", (string?)last?["Status"], (string?)last?["ErrorMessage"]);
    }

    public async Task<CrawlerMetrics> GetCrawlerMetricsAsync(string name, CancellationToken cancellationToken = default)
    {
        var reply = await glue.CallAsync("GetCrawlerMetrics", new JsonObject { ["CrawlerNameList"] = new JsonArray(name) }, cancellationToken);
        var m = reply["CrawlerMetricsList"]?.AsArray().FirstOrDefault();
        return new CrawlerMetrics((int?)m?["TablesCreated"] ?? 0, (int?)m?["TablesUpdated"] ?? 0, (int?)m?["TablesDeleted"] ?? 0, (double?)m?["LastRuntimeSeconds"] ?? 0);
    }

    private static JsonArray Columns(IEnumerable<GlueColumn> columns) => new(columns.Select(c =>
    {
        var column = new JsonObject { ["Name"] = c.Name, ["Type"] = c.Type };
        if (c.Comment is not null) column["Comment"] = c.Comment;
        return (JsonNode)column;
    }).ToArray());

    private static GlueTable ReadTable(JsonNode t)
    {
        IReadOnlyList<GlueColumn> ReadColumns(JsonNode? list) =>
            list?.AsArray().Select(c => new GlueColumn((string)c!["Name"]!, (string?)c["Type"] ?? "string", (string?)c["Comment"])).ToArray() ?? [];
        var storage = t["StorageDescriptor"];
        return new GlueTable
        {
            Name = (string)t["Name"]!,
            DatabaseName = (string?)t["DatabaseName"] ?? "",
            TableType = (string?)t["TableType"] ?? GlueTable.ExternalTable,
            Columns = ReadColumns(storage?["Columns"]),
            PartitionKeys = ReadColumns(t["PartitionKeys"]),
            Location = (string?)storage?["Location"],
            InputFormat = (string?)storage?["InputFormat"],
            OutputFormat = (string?)storage?["OutputFormat"],
            SerdeLibrary = (string?)storage?["SerdeInfo"]?["SerializationLibrary"],
            Parameters = t["Parameters"]?.AsObject().ToDictionary(p => p.Key, p => (string?)p.Value ?? "") ?? new Dictionary<string, string>(),
            ViewOriginalText = (string?)t["ViewOriginalText"],
            CreateTime = AwsJson.Timestamp(t["CreateTime"]),
            UpdateTime = AwsJson.Timestamp(t["UpdateTime"]),
            VersionId = int.TryParse((string?)t["VersionId"], out var version) ? version : 1,
        };
    }

    public void Dispose() => glue.Dispose();
}

public sealed record CrawlerStatus(CrawlerDefinition Definition, string State, string? LastCrawlStatus, string? LastCrawlError);

public sealed record CrawlerMetrics(int TablesCreated, int TablesUpdated, int TablesDeleted, double LastRuntimeSeconds);
