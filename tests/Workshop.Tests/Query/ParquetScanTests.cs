using StreamingWorkshop;
using StreamingWorkshop.Query;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Query;

/// <summary>
/// Athena bills a Parquet file by the column chunks a query reads, not whole: a query on one column scans a part of
/// what one on every column scans, two columns scan what each scans alone added up, and JSON objects stay billed whole.
/// </summary>
public sealed class ParquetScanTests : IAsyncLifetime
{
    private readonly TempWorkspace temp = new();
    private WorkshopSession session = null!;

    public async Task InitializeAsync()
    {
        session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
        await session.SimulateAsync(TimeSpan.FromHours(3), new DateTimeOffset(2025, 1, 14, 0, 0, 0, TimeSpan.Zero));
        await session.CrawlAsync();
        await session.QueryAsync($"""
            CREATE TABLE weather_parquet
            WITH (format = 'PARQUET', external_location = 's3://{session.Names.LakeBucket}/weather-parquet/', partitioned_by = ARRAY['location'])
            AS SELECT city, temperature, measurement_time, collection_time, source, location FROM raw_weather_data
            """);
    }

    public async Task DisposeAsync()
    {
        await session.DisposeAsync();
        temp.Dispose();
    }

    private async Task<long> ScannedAsync(string sql) => (await session.QueryAsync(sql)).Statistics.DataScannedInBytes;

    private long ParquetFilesBytes() => Directory.EnumerateFiles(Path.Combine(temp.Root, "lake", session.Names.LakeBucket, "weather-parquet"), "*", SearchOption.AllDirectories)
        .Sum(path => new FileInfo(path).Length);

    [Fact]
    public async Task A_query_is_billed_the_chunks_of_the_columns_it_reads()
    {
        var everything = await ScannedAsync("SELECT * FROM weather_parquet");
        var temperature = await ScannedAsync("SELECT AVG(temperature) AS t FROM weather_parquet");
        var city = await ScannedAsync("SELECT COUNT(DISTINCT city) AS n FROM weather_parquet");
        var both = await ScannedAsync("SELECT city, MAX(temperature) AS t FROM weather_parquet GROUP BY city");
        var filtered = await ScannedAsync("SELECT city FROM weather_parquet WHERE temperature > -100");

        // Every column's chunks, without the files' footers (a large share of files this small): over half, never all.
        Assert.InRange(everything, ParquetFilesBytes() / 2, ParquetFilesBytes() - 1);
        Assert.InRange(temperature, 1, everything / 4);
        Assert.InRange(city, 1, everything / 4);
        Assert.Equal(temperature + city, both);
        // A column only filtered on is read too.
        Assert.Equal(both, filtered);
    }

    [Fact]
    public async Task Json_objects_are_still_billed_whole()
    {
        var lake = Directory.EnumerateFiles(Path.Combine(temp.Root, "lake", session.Names.LakeBucket, "weather-data"), "*", SearchOption.AllDirectories)
            .Sum(path => new FileInfo(path).Length);

        Assert.Equal(lake, await ScannedAsync("SELECT AVG(temperature) AS t FROM raw_weather_data"));
        Assert.Equal(lake, await ScannedAsync("SELECT * FROM raw_weather_data"));
    }
}
