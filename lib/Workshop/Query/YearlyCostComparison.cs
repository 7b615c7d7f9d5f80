using System.Globalization;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Query;

/// <summary>What one city's day looks like in the lake, as measured from the workshop's own data.</summary>
/// <param name="JsonBytesPerCityDay">Compressed bytes of one city's day of JSON.gz objects (what Athena scans).</param>
/// <param name="ObjectsPerCityDay">Objects Firehose wrote for one city in a day (each one an S3 GET when a query reads it).</param>
/// <param name="RecordsPerCityDay">Records the producer put for one city in a day.</param>
/// <param name="ParquetToJsonRatio">Bytes of the same readings as Parquet divided by their bytes as JSON.gz.</param>
/// <param name="ParquetObjectsPerCity">Parquet objects the CTAS wrote in one city's folder (its <c>location</c> partition).</param>
public sealed record CityDayMeasurements(long JsonBytesPerCityDay, long ObjectsPerCityDay, long RecordsPerCityDay, double ParquetToJsonRatio, long ParquetObjectsPerCity);

/// <summary>
/// List prices the comparison assumes: us-east-1, on demand, written down on <see cref="WrittenDown"/> from the
/// pages named in <see cref="Sources"/>. Prices change; check the pages before quoting a figure.
/// </summary>
public sealed record CostAssumptions
{
    public string WrittenDown { get; init; } = "2026-12-03";
    public decimal AthenaUsdPerTerabyte { get; init; } = AthenaPricing.UsdPerTerabyte;
    public long AthenaMinimumBytesPerQuery { get; init; } = AthenaPricing.MinimumBilledBytes;

    /// <summary>
    /// The node whose price <see cref="WarehouseUsdPerNodeHour"/> is: dc2.large, the lowest hourly price the Redshift
    /// pricing page states in its text ("start small at $0.25 per hour"). The stack deploys ra3.large, since dc2 is being
    /// retired; the page gives ra3.large's own price in no form the kit could check, so the kit quotes none, and no node
    /// costs less than this one: a warehouse priced at it costs at least what is shown.
    /// </summary>
    public string WarehouseNode { get; init; } = "dc2.large";
    public decimal WarehouseUsdPerNodeHour { get; init; } = 0.25m;
    public int WarehouseNodes { get; init; } = 1;
    public decimal ShardUsdPerHour { get; init; } = 0.015m;
    public decimal PutPayloadUnitsUsdPerMillion { get; init; } = 0.014m;
    public decimal FirehoseIngestUsdPerGb { get; init; } = 0.029m;
    public decimal DynamicPartitioningUsdPerGb { get; init; } = 0.020m;
    public decimal DynamicPartitioningUsdPerThousandObjects { get; init; } = 0.005m;
    public decimal S3PutUsdPerThousandRequests { get; init; } = 0.005m;
    public decimal S3GetUsdPerThousandRequests { get; init; } = S3RequestPricing.GetUsdPerThousand;
    public decimal S3ListUsdPerThousandRequests { get; init; } = S3RequestPricing.ListUsdPerThousand;

    public static IReadOnlyList<(string Price, string Source)> Sources { get; } =
    [
        ("Athena: $5 per TB scanned, rounded up to the nearest MB, at least 10 MB per query", "https://aws.amazon.com/athena/pricing/"),
        ("Redshift: $0.25 per node-hour, dc2.large's, the lowest price the page states (\"start small at $0.25 per hour\"); the stack's ra3.large costs no less, and its own price is not quoted here", "https://aws.amazon.com/redshift/pricing/"),
        ("Kinesis Data Streams, provisioned: $0.015 per shard-hour, $0.014 per million 25 KB PUT payload units", "https://aws.amazon.com/kinesis/data-streams/pricing/"),
        ("Firehose: $0.029 per GB ingested, each record rounded up to 5 KB; dynamic partitioning $0.020 per GB and $0.005 per 1,000 objects, and an hourly charge for the JQ that parses each record, left out here", "https://aws.amazon.com/firehose/pricing/"),
        ("S3 Standard: $0.005 per 1,000 PUT or LIST requests, $0.0004 per 1,000 GET requests; a query pays a GET for each object it reads and a LIST for each 1,000 keys of each folder it lists", "https://aws.amazon.com/s3/pricing/"),
    ];
}

/// <summary>
/// One way of serving the readings, with its yearly cost, the part of it that is S3 requests, and how that cost adds
/// up; for an Athena path, what one query costs, its scan and its requests together.
/// </summary>
public sealed record YearlyCostLine(string Path, decimal UsdPerYear, decimal S3RequestsUsdPerYear, string HowItAddsUp, decimal? UsdPerQuery = null);

/// <summary>
/// A year of readings for many cities, priced four ways: the streaming ingestion that fills the lake, Athena over
/// the lake as JSON.gz, Athena over the same readings as Parquet, and a provisioned warehouse left running. The
/// volumes come from measurements of the workshop's lake; the prices are <see cref="CostAssumptions"/>.
/// </summary>
public sealed class YearlyCostComparison : IHtmlDisplay
{
    private const double BytesPerGb = 1024.0 * 1024 * 1024;
    private const long FirehoseRecordIncrement = 5 * 1024;
    private const int HoursPerYear = 24 * 365;

    public IReadOnlyList<YearlyCostLine> Lines { get; }
    public CostAssumptions Prices { get; }
    public int Cities { get; }
    public int QueriesPerDay { get; }

    /// <summary>Bytes a query reading every city's whole year scans in JSON.gz.</summary>
    public long YearOfJsonBytes { get; }

    private YearlyCostComparison(IReadOnlyList<YearlyCostLine> lines, CostAssumptions prices, int cities, int queriesPerDay, long yearOfJsonBytes) =>
        (Lines, Prices, Cities, QueriesPerDay, YearOfJsonBytes) = (lines, prices, cities, queriesPerDay, yearOfJsonBytes);

    public YearlyCostLine this[string path] => Lines.Single(l => l.Path == path);

    public const string Ingestion = "Streaming ingestion (Kinesis, Firehose, S3 writes)";
    public const string AthenaOnJson = "Athena on JSON.gz (the lake as it is)";
    public const string AthenaOnParquet = "Athena on Parquet (after CTAS)";
    public const string Warehouse = "Provisioned warehouse left running";

    /// <summary>
    /// A year of <paramref name="cities"/> cities, queried <paramref name="queriesPerDay"/> times a day, each query reading
    /// the whole year. An Athena query costs its scan and the S3 requests of its reads: a GET for each object it opens
    /// (at least one: a large Parquet object may take more), and a LIST for each 1,000 keys of each partition folder.
    /// </summary>
    public static YearlyCostComparison ForAYear(CityDayMeasurements measured, int cities, int queriesPerDay, CostAssumptions? prices = null)
    {
        if (cities < 1) throw new ArgumentOutOfRangeException(nameof(cities), cities, "A comparison needs at least one city.");
        if (queriesPerDay < 0) throw new ArgumentOutOfRangeException(nameof(queriesPerDay), queriesPerDay, "Queries per day cannot be negative.");
        var price = prices ?? new CostAssumptions();
        var cityDays = (long)cities * 365;
        var queries = (long)queriesPerDay * 365;

        var records = measured.RecordsPerCityDay * cityDays;
        var objects = measured.ObjectsPerCityDay * cityDays;
        var recordsPerSecond = measured.RecordsPerCityDay * cities / 86_400.0;
        var shards = Math.Max(1, (int)Math.Ceiling(recordsPerSecond / 1000));
        var firehoseGb = (decimal)(records * FirehoseRecordIncrement / BytesPerGb);
        var shardCost = shards * HoursPerYear * price.ShardUsdPerHour;
        var putUnits = records / 1_000_000m * price.PutPayloadUnitsUsdPerMillion;
        var firehose = firehoseGb * price.FirehoseIngestUsdPerGb;
        var partitioning = firehoseGb * price.DynamicPartitioningUsdPerGb + objects / 1000m * price.DynamicPartitioningUsdPerThousandObjects;
        var s3Puts = S3RequestPricing.Cost(objects, price.S3PutUsdPerThousandRequests);
        var ingestion = new YearlyCostLine(Ingestion, shardCost + putUnits + firehose + partitioning + s3Puts, s3Puts,
            $"{shards} shard × {HoursPerYear:N0} h; {records:N0} records (each one PUT payload unit, billed by Firehose as 5 KB); " +
            $"{objects:N0} objects written and partitioned, each an S3 PUT");

        var jsonBytes = measured.JsonBytesPerCityDay * cityDays;
        var parquetBytes = (long)Math.Round(jsonBytes * measured.ParquetToJsonRatio);
        // The JSON.gz lake has a folder a city-day; the Parquet copy, partitioned by location, a folder a city.
        YearlyCostLine Athena(string path, long scanned, long gets, long lists, string format, string objectsRead)
        {
            var scan = QueryCost(scanned, price);
            var requests = S3RequestPricing.Cost(gets, price.S3GetUsdPerThousandRequests) + S3RequestPricing.Cost(lists, price.S3ListUsdPerThousandRequests);
            return new YearlyCostLine(path, queries * (scan + requests), queries * requests,
                $"{queries:N0} queries × {Usd(scan + requests)} each: " +
                $"{QueryResult.Scanned(AthenaPricing.BilledBytes(scanned, price.AthenaMinimumBytesPerQuery))} billed {Usd(scan)} ({format}); " +
                $"S3 requests {Usd(requests)}: {gets:N0} GETs ({objectsRead}) and {lists:N0} LISTs (one a folder)",
                scan + requests);
        }

        var warehouse = new YearlyCostLine(Warehouse, price.WarehouseNodes * HoursPerYear * price.WarehouseUsdPerNodeHour, 0,
            $"{price.WarehouseNodes} node × {HoursPerYear:N0} h at {price.WarehouseNode}'s ${price.WarehouseUsdPerNodeHour} an hour, the lowest node price " +
            "(the stack's ra3.large costs no less), whether anyone queries or not; it keeps its own copy, so its queries make no S3 requests");

        var jsonLists = S3RequestPricing.ListsFor(measured.ObjectsPerCityDay) * cityDays;
        var parquetObjects = measured.ParquetObjectsPerCity * cities;
        var parquetLists = S3RequestPricing.ListsFor(measured.ParquetObjectsPerCity) * cities;
        return new YearlyCostComparison(
            [ingestion,
             Athena(AthenaOnJson, jsonBytes, objects, jsonLists, "gzipped JSON, every column", "one an object"),
             Athena(AthenaOnParquet, parquetBytes, parquetObjects, parquetLists, $"Parquet, {measured.ParquetToJsonRatio:0.00} × the JSON.gz bytes",
                 $"at least one an object; {measured.ParquetObjectsPerCity:N0} object{(measured.ParquetObjectsPerCity == 1 ? "" : "s")} a city, as the CTAS wrote them"),
             warehouse],
            price, cities, queriesPerDay, jsonBytes);
    }

    /// <summary>An amount to the millionth of a dollar, as the query summaries show them.</summary>
    private static string Usd(decimal amount) => amount.ToString("$#,##0.000000", CultureInfo.InvariantCulture);

    /// <summary>
    /// The queries a day at which an Athena path costs as much as the warehouse left running: the warehouse's day divided by
    /// what one query costs on the path, its scan and its S3 requests together.
    /// </summary>
    public decimal BreakEvenQueriesPerDay(string path) =>
        this[Warehouse].UsdPerYear / 365 / (this[path].UsdPerQuery ?? throw new ArgumentException($"'{path}' is not an Athena path: it has no cost a query.", nameof(path)));

    /// <summary>What Athena bills for one query that scans <paramref name="scannedBytes"/>: whole megabytes, at least the minimum.</summary>
    public static decimal QueryCost(long scannedBytes, CostAssumptions? prices = null)
    {
        var price = prices ?? new CostAssumptions();
        return AthenaPricing.Cost(scannedBytes, price.AthenaMinimumBytesPerQuery, price.AthenaUsdPerTerabyte);
    }

    private static readonly string[] Headers = ["Path", "USD per year", "of which S3 requests", "How it adds up"];

    private IEnumerable<IReadOnlyList<string>> Rows => Lines.Select(l => (IReadOnlyList<string>)
        [l.Path, l.UsdPerYear.ToString("N2", CultureInfo.InvariantCulture), l.S3RequestsUsdPerYear.ToString("N2", CultureInfo.InvariantCulture), l.HowItAddsUp]);

    private string Caption => $"A year of readings for {Cities:N0} cities, queried {QueriesPerDay:N0} times a day over the whole year";

    private string AssumptionsText =>
        $"Assumed prices (us-east-1, on demand, written down on {Prices.WrittenDown}; check before quoting): " +
        string.Join("; ", CostAssumptions.Sources.Select(s => $"{s.Price} ({s.Source})")) + ".";

    public string ToHtml() => HtmlTable.Render(Headers, Rows, Caption) +
        HtmlTable.Note(AssumptionsText);

    // Each row on one line, whole: how a path's cost adds up is read to the end, not cut.
    public override string ToString() => Caption + "\n" + TextTable.Render(Headers, Rows, maxWidth: 400) + "\n" + AssumptionsText + "\n";
}
