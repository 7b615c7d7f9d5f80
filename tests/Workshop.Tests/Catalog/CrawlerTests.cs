using System.Text;
using System.Text.Json;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Lake;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Catalog;

/// <summary>Glue's JSON classifier and crawler behaviour, and the catalog's table versions.</summary>
public sealed class CrawlerTests : IDisposable
{
    private readonly TempWorkspace temp = new();
    private readonly VirtualClock clock = new(new DateTimeOffset(2025, 1, 14, 0, 0, 0, TimeSpan.Zero));
    private readonly LocalObjectStore lake;
    private readonly LocalGlueCatalog catalog;
    private readonly LocalCrawlers crawlers;

    public CrawlerTests()
    {
        lake = new LocalObjectStore(temp.Workspace, clock);
        catalog = new LocalGlueCatalog(temp.Workspace, clock);
        crawlers = new LocalCrawlers(temp.Workspace, clock, catalog, lake);
        lake.CreateBucketAsync("lake").GetAwaiter().GetResult();
        catalog.CreateDatabase("db");
    }

    private Task Put(string key, params string[] lines) =>
        lake.PutObjectAsync("lake", key, StreamingWorkshop.Delivery.LocalDeliveryStream.Gzip(Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n")));

    private Task<CrawlerInfo> Crawl(string target = "s3://lake/sensor-readings/")
    {
        if (!crawlers.Exists("c")) crawlers.CreateCrawler(new CrawlerDefinition("c", "role", "db", "raw_", [target]));
        return crawlers.StartCrawlerAsync("c");
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Theory]
    [InlineData("3", "int")]
    [InlineData("3000000000", "bigint")]
    [InlineData("3.5", "double")]
    [InlineData("true", "boolean")]
    [InlineData("\"2025-01-14T00:15\"", "string")]
    [InlineData("[1, 2]", "array<int>")]
    [InlineData("{\"Speed\": 1.5, \"dir\": \"N\"}", "struct<speed:double,dir:string>")]
    public void Json_values_get_the_types_Glue_infers(string json, string type) => Assert.Equal(type, HiveTypes.Infer(Json(json)));

    [Theory]
    [InlineData("int", "double", "double")]
    [InlineData("int", "bigint", "bigint")]
    [InlineData("int", "string", "string")]
    [InlineData("struct<a:int>", "struct<b:string>", "struct<a:int,b:string>")]
    [InlineData("array<int>", "array<double>", "array<double>")]
    public void Types_seen_in_different_records_merge(string a, string b, string merged) => Assert.Equal(merged, HiveTypes.Merge(a, b));

    [Fact]
    public async Task A_crawler_left_running_by_a_process_that_died_is_failed_and_the_next_crawl_runs()
    {
        await Put("sensor-readings/site=North/year=2025/a.gz", """{"reading":1}""");
        crawlers.CreateCrawler(new CrawlerDefinition("c", "role", "db", "raw_", ["s3://lake/sensor-readings/"]));
        using var gone = System.Diagnostics.Process.Start("/bin/true")!;
        var deadPid = gone.Id;
        gone.WaitForExit();
        var stateFile = Path.Combine(temp.Root, "catalog", "_crawlers", "c.json");
        var state = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(stateFile))!.AsObject();
        state["State"] = "RUNNING";
        state["RunOwner"] = new System.Text.Json.Nodes.JsonObject { ["ProcessId"] = deadPid, ["ProcessStartTime"] = "2025-01-13T23:00:00+00:00" };
        File.WriteAllText(stateFile, state.ToJsonString());

        var recovered = crawlers.GetCrawler("c");
        Assert.Equal("READY", recovered.State);
        Assert.Equal("FAILED", recovered.LastCrawl!.Status);
        Assert.Equal(["the crawl was interrupted"], recovered.LastCrawl.Notes);

        var next = await crawlers.StartCrawlerAsync("c");
        Assert.Equal("SUCCEEDED", next.LastCrawl!.Status);
        Assert.Equal(1, next.LastCrawl.TablesCreated);
    }

    [Fact]
    public async Task A_first_crawl_makes_a_table_named_from_prefix_and_folder_with_string_partitions()
    {
        await Put("sensor-readings/site=North/year=2025/a.gz", """{"reading":1,"at":"2025-01-14T00:15"}""", """{"reading":2.5,"at":"2025-01-14T00:30","extra":{"ok":true}}""");
        await Put("sensor-readings/site=South/year=2025/b.gz", """{"reading":3,"at":"2025-01-14T00:45"}""");

        var info = await Crawl();
        var table = catalog.GetTable("db", "raw_sensor_readings");

        Assert.Equal("READY", info.State);
        Assert.Equal(["READY", "RUNNING", "STOPPING", "READY"], info.History.Select(h => h.State));
        Assert.Equal((1, 0, 2), (info.LastCrawl!.TablesCreated, info.LastCrawl.TablesUpdated, info.LastCrawl.PartitionsAdded));
        Assert.Equal(["reading:double", "at:string", "extra:struct<ok:boolean>"], table.Columns.Select(c => $"{c.Name}:{c.Type}"));
        Assert.Equal(["site:string", "year:string"], table.PartitionKeys.Select(c => $"{c.Name}:{c.Type}"));
        Assert.Equal("s3://lake/sensor-readings/", table.Location);
        Assert.Equal("json", table.Classification);
        Assert.Equal("org.openx.data.jsonserde.JsonSerDe", table.SerdeLibrary);
    }

    [Fact]
    public async Task A_crawl_samples_the_first_200_records_of_one_object_per_partition()
    {
        // Record 201 of the first object, and every record of the partition's second object, bring a column the sample never sees.
        var first = Enumerable.Repeat("""{"reading":1}""", 200).Append("""{"reading":1,"late":"x"}""").ToArray();
        await Put("sensor-readings/site=North/a.gz", first);
        await Put("sensor-readings/site=North/b.gz", """{"reading":2,"other":"y"}""");

        var info = await Crawl();
        var table = catalog.GetTable("db", "raw_sensor_readings");

        Assert.Equal((1, 200), (info.LastCrawl!.ObjectsSampled, info.LastCrawl.RecordsSampled));
        Assert.Equal(["reading:int"], table.Columns.Select(c => $"{c.Name}:{c.Type}"));
    }

    [Fact]
    public async Task A_re_crawl_adds_new_partitions_and_new_columns_and_keeps_edited_types()
    {
        await Put("sensor-readings/site=North/a.gz", """{"reading":1,"at":"2025-01-14T00:15"}""");
        await Crawl();
        catalog.UpdateColumnType("db", "raw_sensor_readings", "at", "timestamp");
        await Put("sensor-readings/site=East/c.gz", """{"reading":1,"at":"2025-01-14T00:15","humidity":80}""");

        var info = await Crawl();
        var table = catalog.GetTable("db", "raw_sensor_readings");

        Assert.Equal((0, 1, 1), (info.LastCrawl!.TablesCreated, info.LastCrawl.TablesUpdated, info.LastCrawl.PartitionsAdded));
        Assert.Equal(["reading:int", "at:timestamp", "humidity:int"], table.Columns.Select(c => $"{c.Name}:{c.Type}"));
        Assert.Equal(2, catalog.GetPartitions("db", "raw_sensor_readings").Count);
    }

    [Fact]
    public async Task Editing_a_column_type_makes_a_new_table_version()
    {
        await Put("sensor-readings/site=North/a.gz", """{"reading":1,"at":"2025-01-14T00:15"}""");
        await Crawl();

        catalog.UpdateColumnType("db", "raw_sensor_readings", "at", "TIMESTAMP");

        var versions = catalog.GetTableVersions("db", "raw_sensor_readings");
        Assert.Equal([1, 2], versions.Select(v => v.VersionId));
        Assert.Equal("string", versions[0].Columns.Single(c => c.Name == "at").Type);
        Assert.Equal("timestamp", versions[1].Columns.Single(c => c.Name == "at").Type);
    }

    [Theory]
    [InlineData("at", "datetime", "not a Hive type")]
    [InlineData("nope", "timestamp", "Column nope not found")]
    [InlineData("site", "int", "partition key")]
    public async Task Bad_column_edits_are_refused_with_the_reason(string column, string type, string reason)
    {
        await Put("sensor-readings/site=North/a.gz", """{"reading":1,"at":"2025-01-14T00:15"}""");
        await Crawl();

        var error = Assert.ThrowsAny<StreamingWorkshop.Errors.ServiceException>(() => catalog.UpdateColumnType("db", "raw_sensor_readings", column, type));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public async Task An_empty_target_makes_no_table_and_says_so()
    {
        var info = await Crawl("s3://lake/nothing-here/");
        Assert.Equal(0, info.LastCrawl!.TablesCreated);
        Assert.Contains(info.LastCrawl.Notes, n => n.Contains("no objects"));
    }

    [Fact]
    public void Unknown_tables_and_databases_are_EntityNotFoundException()
    {
        Assert.Equal("EntityNotFoundException", Assert.Throws<EntityNotFoundException>(() => catalog.GetTable("db", "missing")).ErrorCode);
        Assert.Throws<EntityNotFoundException>(() => catalog.GetDatabase("missing"));
        Assert.Throws<AlreadyExistsException>(() => catalog.CreateDatabase("db"));
    }

    public void Dispose() => temp.Dispose();
}
