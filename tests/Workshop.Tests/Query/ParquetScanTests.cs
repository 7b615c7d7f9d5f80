using StreamingWorkshop.Query;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Query;

/// <summary>
/// Athena bills a Parquet file by the column chunks a query reads, not whole: a query on one column scans a part of
/// what one on every column scans, two columns scan what each scans alone added up, and JSON objects stay billed whole.
/// </summary>
public sealed class ParquetScanTests : LocalSessionTest
{
    /// <summary>Three hours of readings, crawled, and their Parquet copy by CTAS, one file per city.</summary>
    private async Task MakeParquetCopyAsync()
    {
        await Session.SimulateAsync(TimeSpan.FromHours(3), new DateTimeOffset(2025, 1, 14, 0, 0, 0, TimeSpan.Zero));
        await Session.CrawlAsync();
        await Session.QueryAsync($"""
            CREATE TABLE weather_parquet
            WITH (format = 'PARQUET', external_location = 's3://{Session.Names.LakeBucket}/weather-parquet/', partitioned_by = ARRAY['location'])
            AS SELECT city, temperature, measurement_time, collection_time, source, location FROM raw_weather_data
            """);
    }

    private async Task<long> ScannedAsync(string sql) => (await Session.QueryAsync(sql)).Statistics.DataScannedInBytes;

    private long ParquetFilesBytes() => Directory.EnumerateFiles(Path.Combine(Temp.Root, "lake", Session.Names.LakeBucket, "weather-parquet"), "*", SearchOption.AllDirectories)
        .Sum(path => new FileInfo(path).Length);

    [Fact]
    public async Task A_query_is_billed_the_chunks_of_the_columns_it_reads()
    {
        await MakeParquetCopyAsync();
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
        await MakeParquetCopyAsync();
        var lake = Directory.EnumerateFiles(Path.Combine(Temp.Root, "lake", Session.Names.LakeBucket, "weather-data"), "*", SearchOption.AllDirectories)
            .Sum(path => new FileInfo(path).Length);

        Assert.Equal(lake, await ScannedAsync("SELECT AVG(temperature) AS t FROM raw_weather_data"));
        Assert.Equal(lake, await ScannedAsync("SELECT * FROM raw_weather_data"));
    }
}
