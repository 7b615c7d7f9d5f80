using StreamingWorkshop.Query;

namespace Workshop.Tests.Query;

/// <summary>
/// The yearly comparison of Task 3, checked against sums worked by hand from the assumed prices: 100 cities,
/// 130,000 bytes, 720 objects and 1,440 records per city-day, Parquet a tenth of the JSON.gz, 96 queries a day.
/// </summary>
public sealed class YearlyCostComparisonTests
{
    private static readonly CityDayMeasurements Measured = new(JsonBytesPerCityDay: 130_000, ObjectsPerCityDay: 720, RecordsPerCityDay: 1_440, ParquetToJsonRatio: 0.1);

    private static YearlyCostComparison Year => YearlyCostComparison.ForAYear(Measured, cities: 100, queriesPerDay: 96);

    [Fact]
    public void Athena_on_json_bills_every_query_for_the_whole_year_it_scans()
    {
        // 130,000 B × 100 cities × 365 days = 4.745 GB a query; × $5/TB = $0.023725; × 96 × 365 = 35,040 queries.
        Assert.Equal(831.324m, Year[YearlyCostComparison.AthenaOnJson].UsdPerYear);
        Assert.Equal(4_745_000_000, Year.YearOfJsonBytes);
        Assert.Contains("35,040 queries × 4.75 GB billed each", Year[YearlyCostComparison.AthenaOnJson].HowItAddsUp);
    }

    [Fact]
    public void Athena_on_parquet_scales_the_scan_by_the_measured_ratio()
    {
        // A tenth of 4.745 GB = 474.5 MB a query, billed as 475 MB: $0.002375 × 35,040.
        Assert.Equal(83.22m, Year[YearlyCostComparison.AthenaOnParquet].UsdPerYear);
        Assert.Contains("35,040 queries × 475.00 MB billed each", Year[YearlyCostComparison.AthenaOnParquet].HowItAddsUp);
    }

    [Fact]
    public void A_warehouse_left_running_costs_every_hour_of_the_year()
    {
        Assert.Equal(2_190m, Year[YearlyCostComparison.Warehouse].UsdPerYear); // $0.25 × 8,760 h
    }

    [Fact]
    public void Streaming_ingestion_adds_shard_hours_payload_units_firehose_partitioning_and_s3_writes()
    {
        // 1 shard × 8,760 h × $0.015 = 131.40; 52,560,000 records × $0.014/M = 0.73584;
        // Firehose bills 5 KiB a record: 269,107,200,000 B = 250.6256104 GiB × ($0.029 + $0.020) = 12.28065491;
        // 26,280,000 objects: × $0.005/1,000 for dynamic partitioning = 131.40, and again for S3 PUTs = 131.40.
        var ingestion = Year[YearlyCostComparison.Ingestion].UsdPerYear;
        Assert.InRange(ingestion, 407.21649m, 407.21650m);
    }

    [Fact]
    public void A_small_query_is_billed_the_ten_megabyte_minimum()
    {
        Assert.Equal(0.00005m, YearlyCostComparison.QueryCost(130_000));
        Assert.Equal(YearlyCostComparison.QueryCost(1), YearlyCostComparison.QueryCost(10_000_000));
        Assert.Equal(0.0001m, YearlyCostComparison.QueryCost(20_000_000));
    }

    [Fact]
    public void A_scan_is_billed_in_whole_megabytes_rounded_up_as_the_notes_say()
    {
        // Task 3 prints one city's year, 365 × 130,210 B = 47.53 MB: billed as 48 MB, $0.000240, not $0.000238.
        Assert.Equal(0.00024m, YearlyCostComparison.QueryCost(365 * 130_210));
        Assert.Equal(0.00024m, AthenaPricing.EstimatedCost(365 * 130_210, isDdl: false));
        Assert.Equal(48_000_000, AthenaPricing.BilledBytes(47_000_001));
        Assert.Equal(47_000_000, AthenaPricing.BilledBytes(47_000_000));
        Assert.Contains("rounded up to the nearest MB", Year.ToString());
    }

    [Fact]
    public void The_table_shows_each_path_and_dates_its_prices()
    {
        var text = Year.ToString();
        Assert.Contains("A year of readings for 100 cities, queried 96 times a day", text);
        Assert.Contains("2,190.00", text);
        Assert.Contains("831.32", text);
        Assert.Contains("written down on 2026-12-03", text);
        Assert.Contains("https://aws.amazon.com/athena/pricing/", text);
    }

    [Fact]
    public void No_cities_is_refused_naming_the_value()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => YearlyCostComparison.ForAYear(Measured, cities: 0, queriesPerDay: 96));
        Assert.Equal("cities", error.ParamName);
    }
}
