using System.Net;
using System.Text.Json.Nodes;
using StreamingWorkshop.Catalog;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Serve;

/// <summary>The local endpoint as Glue's catalog, over HTTP: GetTables and GetPartitions answer only what their Expression matches.</summary>
public sealed class LocalEndpointGlueTests : LocalEndpointTest
{
    private Task<(HttpStatusCode Status, JsonObject Body)> CallAsync(string operation, JsonObject input) =>
        JsonTargetAsync("glue", $"AWSGlue.{operation}", input);

    private void CatalogueWeather()
    {
        var catalog = Session.Local!.Catalog;
        catalog.CreateDatabase("weather_db");
        foreach (var name in new[] { "raw_weather_data", "curated_weather" })
            catalog.CreateTable(new GlueTable
            {
                Name = name, DatabaseName = "weather_db", Columns = [new GlueColumn("temperature", "double")],
                PartitionKeys = [new GlueColumn("location", "string"), new GlueColumn("day", "string")], Location = $"s3://lake/{name}/",
            });
        catalog.BatchCreatePartition("weather_db", "raw_weather_data", new[] { ("Edinburgh", "14"), ("London", "14"), ("London", "15"), ("Manchester", "15") }
            .Select(p => new GluePartition([p.Item1, p.Item2], $"s3://lake/raw_weather_data/location={p.Item1}/day={p.Item2}/", DateTimeOffset.UnixEpoch)));
    }

    [Fact]
    public async Task Tables_and_partitions_come_in_pages_of_MaxResults_each_with_the_token_of_the_next()
    {
        CatalogueWeather();
        async Task<(List<string> Names, string? Next)> PageAsync(string operation, string list, Func<JsonNode, string> nameOf, JsonObject input)
        {
            var (status, body) = await CallAsync(operation, input);
            Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
            return (body[list]!.AsArray().Select(item => nameOf(item!)).ToList(), (string?)body["NextToken"]);
        }
        JsonObject Partitions(int max, string? token = null) => new()
        {
            ["DatabaseName"] = "weather_db", ["TableName"] = "raw_weather_data", ["MaxResults"] = max, ["NextToken"] = token,
        };
        static string Values(JsonNode p) => string.Join("/", p["Values"]!.AsArray().Select(v => (string?)v));

        var tables = await PageAsync("GetTables", "TableList", t => (string)t["Name"]!, new JsonObject { ["DatabaseName"] = "weather_db", ["MaxResults"] = 1 });
        Assert.Equal(["curated_weather"], tables.Names);
        var rest = await PageAsync("GetTables", "TableList", t => (string)t["Name"]!, new JsonObject { ["DatabaseName"] = "weather_db", ["MaxResults"] = 1, ["NextToken"] = tables.Next });
        Assert.Equal(["raw_weather_data"], rest.Names);
        Assert.Null(rest.Next);

        var seen = new List<string>();
        string? next = null;
        var pages = 0;
        do
        {
            (var names, next) = await PageAsync("GetPartitions", "Partitions", Values, Partitions(3, next));
            seen.AddRange(names);
            pages++;
        } while (next is not null);
        Assert.Equal(["Edinburgh/14", "London/14", "London/15", "Manchester/15"], seen);
        Assert.Equal(2, pages);

        var (tooMany, refused) = await CallAsync("GetTables", new JsonObject { ["DatabaseName"] = "weather_db", ["MaxResults"] = 101 });
        Assert.Equal((HttpStatusCode.BadRequest, "ValidationException"), (tooMany, (string?)refused["__type"]));
        Assert.Equal("1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100", (string?)refused["message"]);
        var (badToken, garbage) = await CallAsync("GetPartitions", Partitions(3, "not a token"));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidInputException"), (badToken, (string?)garbage["__type"]));
    }

    [Fact]
    public async Task A_failed_crawl_says_why_in_its_last_crawl()
    {
        Session.Local!.Catalog.CreateDatabase("weather_db");
        var (created, _) = await CallAsync("CreateCrawler", new JsonObject
        {
            ["Name"] = "lost", ["Role"] = "arn:aws:iam::123456789012:role/crawler", ["DatabaseName"] = "weather_db",
            ["Targets"] = new JsonObject { ["S3Targets"] = new JsonArray(new JsonObject { ["Path"] = "s3://no-such-bucket-zz/x/" }) },
        });
        Assert.Equal(HttpStatusCode.OK, created);
        await CallAsync("StartCrawler", new JsonObject { ["Name"] = "lost" });

        var (_, crawler) = await CallAsync("GetCrawler", new JsonObject { ["Name"] = "lost" });

        var last = crawler["Crawler"]!["LastCrawl"]!;
        Assert.Equal("FAILED", (string?)last["Status"]);
        Assert.Contains("no-such-bucket-zz", (string?)last["ErrorMessage"]);
    }

    [Fact]
    public async Task Get_partitions_and_get_tables_answer_only_what_the_expression_matches()
    {
        CatalogueWeather();

        var (status, london) = await CallAsync("GetPartitions", new JsonObject { ["DatabaseName"] = "weather_db", ["TableName"] = "raw_weather_data", ["Expression"] = "location='London'" });
        var (_, fifteenth) = await CallAsync("GetPartitions", new JsonObject
            { ["DatabaseName"] = "weather_db", ["TableName"] = "raw_weather_data", ["Expression"] = "day = '15' AND location IN ('Manchester', 'Paris')" });
        var (_, all) = await CallAsync("GetPartitions", new JsonObject { ["DatabaseName"] = "weather_db", ["TableName"] = "raw_weather_data" });
        var (_, raw) = await CallAsync("GetTables", new JsonObject { ["DatabaseName"] = "weather_db", ["Expression"] = "raw*" });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["London/14", "London/15"], london["Partitions"]!.AsArray().Select(p => string.Join('/', p!["Values"]!.AsArray().Select(v => (string)v!))));
        Assert.Equal(["Manchester/15"], fifteenth["Partitions"]!.AsArray().Select(p => string.Join('/', p!["Values"]!.AsArray().Select(v => (string)v!))));
        Assert.Equal(4, all["Partitions"]!.AsArray().Count);
        Assert.Equal(["raw_weather_data"], raw["TableList"]!.AsArray().Select(t => (string)t!["Name"]!));
    }

    [Fact]
    public async Task An_expression_the_endpoint_cannot_read_is_InvalidInputException_naming_it_and_the_next_request_is_served()
    {
        CatalogueWeather();

        var (status, partitions) = await CallAsync("GetPartitions", new JsonObject { ["DatabaseName"] = "weather_db", ["TableName"] = "raw_weather_data", ["Expression"] = "nonsense ===" });
        var (tablesStatus, tables) = await CallAsync("GetTables", new JsonObject { ["DatabaseName"] = "weather_db", ["Expression"] = "raw(" });
        var (nextStatus, _) = await CallAsync("GetTables", new JsonObject { ["DatabaseName"] = "weather_db" });

        Assert.Equal((HttpStatusCode.BadRequest, "InvalidInputException"), (status, (string?)partitions["__type"]));
        Assert.StartsWith("Expression 'nonsense ===' cannot be read: 'nonsense' is not a partition key of raw_weather_data, whose keys are location, day. "
            + "The local catalog takes comparisons of partition keys with 'quoted strings' or numbers (=, <>, !=, <, >, <=, >=, [NOT] IN (...), ", (string?)partitions["message"]);
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidInputException"), (tablesStatus, (string?)tables["__type"]));
        Assert.StartsWith("Expression 'raw(' is not a pattern the local catalog can read", (string?)tables["message"]);
        Assert.Equal(HttpStatusCode.OK, nextStatus);
    }
}
