using StreamingWorkshop;
using StreamingWorkshop.Query;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Query;

/// <summary>CTAS to Parquet, and new day partitions becoming visible through MSCK REPAIR TABLE and a crawler re-run.</summary>
public sealed class LakeGrowthTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);
    private readonly TempWorkspace temp = new();
    private WorkshopSession session = null!;

    public async Task InitializeAsync()
    {
        session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
        await session.SimulateAsync(TimeSpan.FromHours(6), Start);
        await session.CrawlAsync();
        session.AlterColumnTypeAsync("raw_weather_data", "measurement_time", "timestamp").GetAwaiter().GetResult();
    }

    public async Task DisposeAsync()
    {
        await session.DisposeAsync();
        temp.Dispose();
    }

    private async Task<long> Count(string table) => Convert.ToInt64((await session.QueryAsync($"SELECT COUNT(*) AS n FROM {table}"))[0, "n"]);

    [Fact]
    public async Task CTAS_writes_partitioned_parquet_into_the_lake_and_registers_a_table_that_queries_the_same()
    {
        var lake = $"s3://{session.Names.LakeBucket}/weather-parquet/";

        await session.QueryAsync($"""
            CREATE TABLE weather_parquet
            WITH (format = 'PARQUET', external_location = '{lake}', partitioned_by = ARRAY['location'])
            AS SELECT city, temperature, measurement_time, location FROM raw_weather_data
            """);
        var fromJson = await session.QueryAsync("SELECT location, COUNT(*) AS n, SUM(temperature) AS total FROM raw_weather_data GROUP BY location ORDER BY location");
        var fromParquet = await session.QueryAsync("SELECT location, COUNT(*) AS n, SUM(temperature) AS total FROM weather_parquet GROUP BY location ORDER BY location");

        var folder = Path.Combine(temp.Root, "lake", session.Names.LakeBucket, "weather-parquet");
        Assert.Equal(3, Directory.GetDirectories(folder).Count(d => Path.GetFileName(d).StartsWith("location=", StringComparison.Ordinal)));
        Assert.All(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories), f => Assert.EndsWith(".parquet", f));
        Assert.Equal(fromJson.Column<string>("location"), fromParquet.Column<string>("location"));
        Assert.Equal(fromJson.Column<long>("n"), fromParquet.Column<long>("n"));
        Assert.Equal(fromJson.Column<double>("total").Select(t => Math.Round(t, 6)), fromParquet.Column<double>("total").Select(t => Math.Round(t, 6)));
        Assert.Equal("timestamp", (await session.DescribeTableAsync("weather_parquet")).Table.Columns.Single(c => c.Name == "measurement_time").Type);
        Assert.Equal(["location"], (await session.DescribeTableAsync("weather_parquet")).Table.PartitionKeys.Select(p => p.Name));

        var error = await Assert.ThrowsAsync<AthenaQueryException>(() => session.QueryAsync($"CREATE TABLE again WITH (format = 'PARQUET', external_location = '{lake}') AS SELECT 1 AS x"));
        Assert.Equal("HIVE_PATH_ALREADY_EXISTS", error.ErrorType);
    }

    [Fact]
    public async Task New_days_stay_invisible_until_MSCK_REPAIR_TABLE_or_a_crawler_run_adds_their_partitions()
    {
        var firstDay = await Count("raw_weather_data");
        Assert.Equal(3 * 360, firstDay);

        await session.SimulateAsync(TimeSpan.FromHours(24)); // the rest of the 14th, then six hours of the 15th in new day=15 folders
        // The 6 hours left of the 14th land in registered partitions; the 15th is not registered yet.
        Assert.Equal(3 * 1440, await Count("raw_weather_data"));

        var repair = await session.QueryAsync("MSCK REPAIR TABLE raw_weather_data");
        Assert.Contains(repair.Rows, r => ((string)r[0]!).Contains("location=London/year=2025/month=01/day=15"));
        Assert.Equal(3 * 1440 + 3 * 360, await Count("raw_weather_data"));

        await session.SimulateAsync(TimeSpan.FromHours(24)); // the rest of the 15th, then six hours of the 16th
        var crawl = await session.CrawlAsync();
        Assert.Equal(3, crawl.Crawler.LastCrawl!.PartitionsAdded);
        Assert.Equal(0, crawl.Crawler.LastCrawl.TablesCreated);
        Assert.Equal(2 * 3 * 1440 + 3 * 360, await Count("raw_weather_data"));
        // The crawler adds new columns only: the edited type survives the re-crawl.
        Assert.Equal("timestamp", (await session.DescribeTableAsync("raw_weather_data")).Table.Columns.Single(c => c.Name == "measurement_time").Type);
    }

    [Fact]
    public async Task ALTER_TABLE_ADD_PARTITION_registers_one_partition()
    {
        await session.SimulateAsync(TimeSpan.FromHours(24));
        var before = await Count("raw_weather_data");

        await session.QueryAsync("ALTER TABLE raw_weather_data ADD IF NOT EXISTS PARTITION (location = 'London', year = '2025', month = '01', day = '15')");

        Assert.Equal(before + 360, await Count("raw_weather_data")); // six hours of London on the 15th
        var partitions = await session.QueryAsync("SHOW PARTITIONS raw_weather_data");
        Assert.Contains("location=London/year=2025/month=01/day=15", partitions.Column<string>("partition"));
    }

    [Fact]
    public async Task DESCRIBE_keeps_Athenas_tabs_in_its_values_and_lines_its_types_up_in_the_tables_a_person_reads()
    {
        var described = await session.QueryAsync("DESCRIBE raw_weather_data");

        // The values are Athena's: name padded to 24, a tab, the type (as in its result file).
        Assert.Equal("city                    \tstring", described.Column<string>("col_name")[0]);
        Assert.Equal("measurement_time        \ttimestamp", described.Column<string>("col_name")[2]);

        // Shown, each tab is the spaces to the next stop of 8, so every type starts in the same column and the table's
        // right border stays straight.
        var lines = described.ToString().Split('\n');
        Assert.Contains("city" + new string(' ', 28) + "string", lines);
        Assert.Contains("measurement_time" + new string(' ', 16) + "timestamp", lines);
        Assert.Contains("# col_name" + new string(' ', 22) + "data_type" + new string(' ', 7) + "comment", lines);
        Assert.DoesNotContain(lines, line => line.Contains('\t'));

        var html = described.ToHtml();
        Assert.DoesNotContain("\t", html);
        Assert.Contains("white-space:pre-wrap\">city" + new string(' ', 28) + "string</td>", html);
    }
}
