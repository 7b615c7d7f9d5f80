using StreamingWorkshop.Query;

namespace Workshop.Tests.Query;

/// <summary>
/// The yearly comparison of Task 3, checked against sums worked by hand from the assumed prices: 100 cities,
/// 130,000 bytes, 720 objects and 1,440 records per city-day, Parquet a tenth of the JSON.gz in one object a city,
/// 96 queries a day. Each Athena query also pays S3 Standard's requests: $0.0004 per 1,000 GETs, one an object it reads,
/// and $0.005 per 1,000 LISTs, one a folder of up to 1,000 keys.
/// </summary>
public sealed class YearlyCostComparisonTests
{
    private static readonly CityDayMeasurements Measured = new(JsonBytesPerCityDay: 130_000, ObjectsPerCityDay: 720, RecordsPerCityDay: 1_440, ParquetToJsonRatio: 0.1, ParquetObjectsPerCity: 1);

    private static YearlyCostComparison Year => YearlyCostComparison.ForAYear(Measured, cities: 100, queriesPerDay: 96);

    [Fact]
    public void Athena_on_json_bills_every_query_for_the_whole_year_it_scans_and_s3_for_every_object_it_reads()
    {
        // Scan: 130,000 B × 100 cities × 365 days = 4.745 GB a query; × $5/TB = $0.023725.
        // GETs: 720 objects × 36,500 city-days = 26,280,000 a query; × $0.0004/1,000 = $10.512.
        // LISTs: one a city-day folder (720 keys), 36,500 a query; × $0.005/1,000 = $0.1825.
        // A query: $0.023725 + $10.512 + $0.1825 = $10.718225; × 96 × 365 = 35,040 queries = $375,566.604.
        var json = Year[YearlyCostComparison.AthenaOnJson];
        Assert.Equal(10.718225m, json.UsdPerQuery);
        Assert.Equal(375_566.604m, json.UsdPerYear);
        Assert.Equal(374_735.28m, json.S3RequestsUsdPerYear); // ($10.512 + $0.1825) × 35,040
        Assert.Equal(4_745_000_000, Year.YearOfJsonBytes);
        Assert.Contains("35,040 queries × $10.718225 each: 4.75 GB billed $0.023725", json.HowItAddsUp);
        Assert.Contains("S3 requests $10.694500: 26,280,000 GETs (one an object) and 36,500 LISTs (one a folder)", json.HowItAddsUp);
    }

    [Fact]
    public void Athena_on_parquet_scales_the_scan_by_the_measured_ratio_and_reads_its_few_objects()
    {
        // Scan: a tenth of 4.745 GB = 474.5 MB a query, billed as 475 MB: $0.002375.
        // GETs: 1 object × 100 cities = 100, $0.00004; LISTs: one a city folder, 100, $0.0005.
        // A query: $0.002915; × 35,040 = $102.1416, of which S3 $0.00054 × 35,040 = $18.9216.
        var parquet = Year[YearlyCostComparison.AthenaOnParquet];
        Assert.Equal(0.002915m, parquet.UsdPerQuery);
        Assert.Equal(102.1416m, parquet.UsdPerYear);
        Assert.Equal(18.9216m, parquet.S3RequestsUsdPerYear);
        Assert.Contains("35,040 queries × $0.002915 each: 475.00 MB billed $0.002375", parquet.HowItAddsUp);
        Assert.Contains("100 GETs (at least one an object; 1 object a city, as the CTAS wrote them) and 100 LISTs", parquet.HowItAddsUp);
    }

    [Fact]
    public void The_break_even_divides_the_warehouses_day_by_a_whole_query_scan_and_requests()
    {
        // $2,190 a year is $6.00 a day: $6.00 / $10.718225 = 0.5598 queries a day on JSON.gz; $6.00 / $0.002915 = 2,058.3 on Parquet.
        Assert.Equal(0.5598m, decimal.Round(Year.BreakEvenQueriesPerDay(YearlyCostComparison.AthenaOnJson), 4));
        Assert.Equal(2_058.3m, decimal.Round(Year.BreakEvenQueriesPerDay(YearlyCostComparison.AthenaOnParquet), 1));
        Assert.Throws<ArgumentException>(() => Year.BreakEvenQueriesPerDay(YearlyCostComparison.Warehouse));
    }

    [Fact]
    public void A_lake_folder_of_more_than_a_thousand_keys_takes_a_list_request_a_page()
    {
        Assert.Equal(1, S3RequestPricing.ListsFor(0));
        Assert.Equal(1, S3RequestPricing.ListsFor(1_000));
        Assert.Equal(2, S3RequestPricing.ListsFor(1_001));
        // 1,500 objects a city-day: 2 LISTs a folder, 73,000 a query of 100 cities' year, $0.365; GETs 54,750,000, $21.90.
        var busier = YearlyCostComparison.ForAYear(Measured with { ObjectsPerCityDay = 1_500 }, cities: 100, queriesPerDay: 1);
        Assert.Equal(365 * (0.023725m + 21.90m + 0.365m), busier[YearlyCostComparison.AthenaOnJson].UsdPerYear);
    }

    [Fact]
    public void A_warehouse_left_running_costs_every_hour_of_the_year_and_no_s3_requests()
    {
        Assert.Equal(2_190m, Year[YearlyCostComparison.Warehouse].UsdPerYear); // $0.25 × 8,760 h
        Assert.Equal(0m, Year[YearlyCostComparison.Warehouse].S3RequestsUsdPerYear);
        Assert.Contains("dc2.large's $0.25 an hour", Year[YearlyCostComparison.Warehouse].HowItAddsUp);
    }

    [Fact]
    public void Streaming_ingestion_adds_shard_hours_payload_units_firehose_partitioning_and_s3_writes()
    {
        // 1 shard × 8,760 h × $0.015 = 131.40; 52,560,000 records × $0.014/M = 0.73584;
        // Firehose bills 5 KiB a record: 269,107,200,000 B = 250.6256104 GiB × ($0.029 + $0.020) = 12.28065491;
        // 26,280,000 objects: × $0.005/1,000 for dynamic partitioning = 131.40, and again for S3 PUTs = 131.40.
        var ingestion = Year[YearlyCostComparison.Ingestion].UsdPerYear;
        Assert.InRange(ingestion, 407.21649m, 407.21650m);
        Assert.Equal(131.40m, Year[YearlyCostComparison.Ingestion].S3RequestsUsdPerYear);
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
        Assert.Contains("375,566.60", text);
        Assert.Contains("374,735.28", text);
        Assert.Contains("$0.0004 per 1,000 GET requests", text);
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
