using StreamingWorkshop;
using StreamingWorkshop.Query;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.LateData;

/// <summary>
/// Athena partition projection in the local Athena: two hours of the 14th (22:00..23:59) are crawled, then two hours
/// of the 15th arrive. 3 cities x 120 minutes = 360 readings a day. The crawled table sees only the 14th until the
/// next crawl; a projected table sees the 15th's new folders at once, and only the values its ranges allow.
/// </summary>
public sealed class PartitionProjectionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2025, 1, 14, 22, 0, 0, TimeSpan.Zero);
    private readonly TempWorkspace temp = new();
    private WorkshopSession session = null!;

    public async Task InitializeAsync()
    {
        session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
        await session.SimulateAsync(TimeSpan.FromHours(2), Start);
        await session.CrawlAsync();
        await session.SimulateAsync(TimeSpan.FromHours(2));
    }

    public async Task DisposeAsync()
    {
        await session.DisposeAsync();
        temp.Dispose();
    }

    private string Lake => $"s3://{session.Names.LakeBucket}/weather-data/";

    private Task CreateProjected(string name, string properties, string partitionedBy = "location string, year string, month string, day string") =>
        session.QueryAsync($"""
            CREATE EXTERNAL TABLE {name} (city string, temperature double, measurement_time string)
            PARTITIONED BY ({partitionedBy})
            ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
            LOCATION '{Lake}'
            TBLPROPERTIES ({properties})
            """);

    private const string ByDay = """
        'projection.enabled'='true',
        'projection.location.type'='enum', 'projection.location.values'='London,Manchester,Edinburgh',
        'projection.year.type'='integer', 'projection.year.range'='2025,2025',
        'projection.month.type'='integer', 'projection.month.range'='1,12', 'projection.month.digits'='2',
        'projection.day.type'='integer', 'projection.day.range'='1,14', 'projection.day.digits'='2'
        """;

    private async Task<Dictionary<string, long>> PerDay(string table)
    {
        var result = await session.QueryAsync($"SELECT day, COUNT(*) AS readings FROM {table} GROUP BY day ORDER BY day");
        return result.Column<string>("day").Zip(result.Column<long>("readings")).ToDictionary(p => p.First, p => p.Second);
    }

    [Fact]
    public async Task A_projected_table_reads_a_new_day_without_a_crawl_and_only_within_its_range()
    {
        await CreateProjected("weather_projected", ByDay);

        // The crawled table knows only the partitions the crawler found at 00:00.
        Assert.Equal(new Dictionary<string, long> { ["14"] = 360 }, await PerDay("raw_weather_data"));
        // Day 15 lies outside projection.day.range 1,14: its folders are not read.
        Assert.Equal(new Dictionary<string, long> { ["14"] = 360 }, await PerDay("weather_projected"));

        await session.QueryAsync("ALTER TABLE weather_projected SET TBLPROPERTIES ('projection.day.range'='1,31')");

        Assert.Equal(new Dictionary<string, long> { ["14"] = 360, ["15"] = 360 }, await PerDay("weather_projected"));
        Assert.Equal(new Dictionary<string, long> { ["14"] = 360 }, await PerDay("raw_weather_data"));
    }

    [Fact]
    public async Task An_enum_reads_only_the_values_it_lists()
    {
        await CreateProjected("weather_london", ByDay.Replace("London,Manchester,Edinburgh", "London"));

        var result = await session.QueryAsync("SELECT location, COUNT(*) AS readings FROM weather_london GROUP BY location");
        Assert.Equal(["London"], result.Column<string>("location"));
        Assert.Equal([120L], result.Column<long>("readings"));
    }

    [Fact]
    public async Task A_date_projection_up_to_NOW_follows_a_location_template()
    {
        // A yearly date column from 2024 to NOW (the clock stands at 02:00 on 2025-01-15): 2024 has no folder, 2025 holds both days.
        await CreateProjected("weather_by_year", $"""
            'projection.enabled'='true',
            'projection.location.type'='enum', 'projection.location.values'='London,Manchester,Edinburgh',
            'projection.dt.type'='date', 'projection.dt.format'='yyyy', 'projection.dt.range'='2024,NOW',
            'projection.dt.interval'='1', 'projection.dt.interval.unit'='YEARS',
            'storage.location.template'='{Lake}location=${"{"}location{"}"}/year=${"{"}dt{"}"}/'
            """, partitionedBy: "location string, dt string");

        var result = await session.QueryAsync("SELECT dt, COUNT(*) AS readings FROM weather_by_year GROUP BY dt ORDER BY dt");
        Assert.Equal(["2025"], result.Column<string>("dt"));
        Assert.Equal([720L], result.Column<long>("readings"));

        await session.QueryAsync("ALTER TABLE weather_by_year SET TBLPROPERTIES ('projection.dt.range'='2024,NOW-1YEARS')");
        Assert.Equal(0L, Convert.ToInt64((await session.QueryAsync("SELECT COUNT(*) AS n FROM weather_by_year"))[0, "n"]));
    }

    [Fact]
    public async Task A_partition_column_without_projection_fails_as_Athena_says()
    {
        await CreateProjected("weather_half", ByDay.Replace("'projection.day.type'='integer', 'projection.day.range'='1,14', 'projection.day.digits'='2'", "'projection.day.digits'='2'"));

        var error = await Assert.ThrowsAsync<AthenaQueryException>(() => session.QueryAsync("SELECT COUNT(*) FROM weather_half"));
        Assert.Equal("INVALID_TABLE_PROPERTY", error.ErrorType);
        Assert.Equal("Table weather_half is configured for partition projection, but the following partition columns are missing projection configuration: [day]", error.Detail);
    }

    [Fact]
    public async Task A_location_template_without_every_partition_column_fails_as_Athena_says()
    {
        await CreateProjected("weather_template", ByDay + $", 'storage.location.template'='{Lake}location=${{location}}/'");

        var error = await Assert.ThrowsAsync<AthenaQueryException>(() => session.QueryAsync("SELECT COUNT(*) FROM weather_template"));
        Assert.Equal("INVALID_TABLE_PROPERTY", error.ErrorType);
        Assert.Equal("The 'storage.location.template' table property must contain templates for all partition columns!", error.Detail);
    }
}
