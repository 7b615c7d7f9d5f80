using StreamingWorkshop;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Query;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.LateData;

/// <summary>
/// The producer adds a humidity field at midnight: 22:00..23:59 on the 14th is crawled without it, then 00:00..01:59
/// on the 15th arrives with it, and the crawler runs again under each schema change policy.
/// 3 cities x 120 minutes = 360 readings a day; the day=14 partitions are old, the day=15 ones new.
/// </summary>
public sealed class SchemaChangeTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 14, 22, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Midnight = new(2025, 1, 15, 0, 0, 0, TimeSpan.Zero);

    private static async Task<(TempWorkspace Temp, WorkshopSession Session)> TwoDaysAsync(SchemaChangePolicy? policy, string? configuration = null)
    {
        var temp = new TempWorkspace();
        var session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
        await session.SimulateAsync(TimeSpan.FromHours(2), Start);
        await session.CrawlAsync();
        await session.SimulateAsync(TimeSpan.FromHours(2), null, new ProducerScenario { HumidityFrom = Midnight });
        if (policy is null) await session.CrawlAsync();
        else await session.Catalog.CrawlAsync(policy, configuration);
        return (temp, session);
    }

    private static async Task<Dictionary<string, bool>> PartitionsWithHumidity(WorkshopSession session) =>
        (await session.Catalog.PartitionsAsync("raw_weather_data"))
            .ToDictionary(p => string.Join('/', p.Values), p => p.Columns!.Any(c => c.Name == "humidity"));

    [Fact]
    public async Task The_lake_carries_humidity_only_from_midnight()
    {
        var (temp, session) = await TwoDaysAsync(policy: null);
        await using var sessionScope = session;
        using var workspaceScope = temp;

        var readings = LakeFiles.Lines(temp.Root, session.Names.LakeBucket, "weather-data/").Select(l => LakeFiles.Parse(l.Line)).ToList();
        Assert.Equal(720, readings.Count);
        Assert.Equal(360, readings.Count(r => r.TryGetProperty("humidity", out _)));
        Assert.All(readings.Where(r => r.TryGetProperty("humidity", out _)), r => Assert.StartsWith("2025-01-15", r.GetProperty("measurement_time").GetString()));
        // The new producer's rule: 95 - 2 x temperature, kept within 30..100.
        Assert.All(readings.Where(r => r.TryGetProperty("humidity", out _)),
            r => Assert.Equal(Math.Round(Math.Clamp(95 - 2 * r.GetProperty("temperature").GetDouble(), 30, 100), 1), r.GetProperty("humidity").GetDouble()));
    }

    [Fact]
    public async Task UPDATE_IN_DATABASE_adds_the_column_new_partitions_have_it_old_ones_keep_their_schema_and_read_NULL()
    {
        var (temp, session) = await TwoDaysAsync(policy: null);
        await using var sessionScope = session;
        using var workspaceScope = temp;

        var table = (await session.DescribeTableAsync("raw_weather_data")).Table;
        Assert.Equal("double", table.Columns.Single(c => c.Name == "humidity").Type);
        var partitions = await PartitionsWithHumidity(session);
        Assert.Equal(6, partitions.Count);
        Assert.All(partitions.Where(p => p.Key.EndsWith("/14", StringComparison.Ordinal)), p => Assert.False(p.Value));
        Assert.All(partitions.Where(p => p.Key.EndsWith("/15", StringComparison.Ordinal)), p => Assert.True(p.Value));

        var result = await session.QueryAsync("SELECT day, COUNT(*) AS readings, COUNT(humidity) AS with_humidity FROM raw_weather_data GROUP BY day ORDER BY day");
        Assert.Equal(["14", "15"], result.Column<string>("day"));
        Assert.Equal([360L, 360L], result.Column<long>("readings"));
        Assert.Equal([0L, 360L], result.Column<long>("with_humidity"));
    }

    [Fact]
    public async Task LOG_leaves_the_table_as_it_was_but_still_adds_the_new_partitions()
    {
        var (temp, session) = await TwoDaysAsync(new SchemaChangePolicy(SchemaChangePolicy.Log, SchemaChangePolicy.Log));
        await using var sessionScope = session;
        using var workspaceScope = temp;

        var crawl = await session.Catalog.CrawlAsync(new SchemaChangePolicy(SchemaChangePolicy.Log, SchemaChangePolicy.Log));
        Assert.Contains("Schema change detected in raw_weather_data: new column(s) humidity double; the table was left as it is (UpdateBehavior LOG).", crawl.Crawler.LastCrawl!.Notes);
        Assert.DoesNotContain((await session.DescribeTableAsync("raw_weather_data")).Table.Columns, c => c.Name == "humidity");
        Assert.Equal(6, (await PartitionsWithHumidity(session)).Count);
        Assert.Equal(720L, Convert.ToInt64((await session.QueryAsync("SELECT COUNT(*) AS n FROM raw_weather_data"))[0, "n"]));
        var error = await Assert.ThrowsAsync<AthenaQueryException>(() => session.QueryAsync("SELECT humidity FROM raw_weather_data"));
        Assert.Equal("COLUMN_NOT_FOUND", error.ErrorType);
    }

    [Fact]
    public async Task InheritFromTable_gives_every_old_and_new_partition_the_tables_schema()
    {
        var (temp, session) = await TwoDaysAsync(new SchemaChangePolicy(), SchemaChangePolicy.InheritFromTableConfiguration);
        await using var sessionScope = session;
        using var workspaceScope = temp;

        var table = (await session.DescribeTableAsync("raw_weather_data")).Table;
        var partitions = (await session.Catalog.PartitionsAsync("raw_weather_data"));
        Assert.Equal(6, partitions.Count);
        Assert.All(partitions, p => Assert.Equal(table.Columns.Select(c => c.Name), p.Columns!.Select(c => c.Name)));
        Assert.All(partitions, p => Assert.Contains(p.Columns!, c => c.Name == "humidity"));
    }
}
