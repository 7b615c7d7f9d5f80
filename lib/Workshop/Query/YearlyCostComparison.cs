using System.Globalization;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Query;

/// <summary>What one city's day looks like in the lake, as measured from the workshop's own data.</summary>
/// <param name="JsonBytesPerCityDay">Compressed bytes of one city's day of JSON.gz objects (what Athena scans).</param>
/// <param name="ObjectsPerCityDay">Objects Firehose wrote for one city in a day.</param>
/// <param name="RecordsPerCityDay">Records the producer put for one city in a day.</param>
/// <param name="ParquetToJsonRatio">Bytes of the same readings as Parquet divided by their bytes as JSON.gz.</param>
public sealed record CityDayMeasurements(long JsonBytesPerCityDay, long ObjectsPerCityDay, long RecordsPerCityDay, double ParquetToJsonRatio);

/// <summary>
/// List prices the comparison assumes: us-east-1, on demand, written down on <see cref="WrittenDown"/> from the
/// pages named in <see cref="Sources"/>. Prices change; check the pages before quoting a figure.
/// </summary>
public sealed record CostAssumptions
{
    public string WrittenDown { get; init; } = "2026-12-03";
    public decimal AthenaUsdPerTerabyte { get; init; } = AthenaPricing.UsdPerTerabyte;
    public long AthenaMinimumBytesPerQuery { get; init; } = AthenaPricing.MinimumBilledBytes;
    public string WarehouseNode { get; init; } = "dc2.large";
    public decimal WarehouseUsdPerNodeHour { get; init; } = 0.25m;
    public int WarehouseNodes { get; init; } = 1;
    public decimal ShardUsdPerHour { get; init; } = 0.015m;
    public decimal PutPayloadUnitsUsdPerMillion { get; init; } = 0.014m;
    public decimal FirehoseIngestUsdPerGb { get; init; } = 0.029m;
    public decimal DynamicPartitioningUsdPerGb { get; init; } = 0.020m;
    public decimal DynamicPartitioningUsdPerThousandObjects { get; init; } = 0.005m;
    public decimal S3PutUsdPerThousandRequests { get; init; } = 0.005m;

    public static IReadOnlyList<(string Price, string Source)> Sources { get; } =
    [
        ("Athena: $5 per TB scanned, rounded up to the nearest MB, at least 10 MB per query", "https://aws.amazon.com/athena/pricing/"),
        ("Redshift: the smallest provisioned node at $0.25 per hour (\"start small at $0.25 per hour\")", "https://aws.amazon.com/redshift/pricing/"),
        ("Kinesis Data Streams, provisioned: $0.015 per shard-hour, $0.014 per million 25 KB PUT payload units", "https://aws.amazon.com/kinesis/data-streams/pricing/"),
        ("Firehose: $0.029 per GB ingested, each record rounded up to 5 KB; dynamic partitioning $0.020 per GB and $0.005 per 1,000 objects, and an hourly charge for the JQ that parses each record, left out here", "https://aws.amazon.com/firehose/pricing/"),
        ("S3: $0.005 per 1,000 PUT requests", "https://aws.amazon.com/s3/pricing/"),
    ];
}

/// <summary>One way of serving the readings, with its yearly cost and how that cost adds up.</summary>
public sealed record YearlyCostLine(string Path, decimal UsdPerYear, string HowItAddsUp);

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

    /// <summary>A year of <paramref name="cities"/> cities, queried <paramref name="queriesPerDay"/> times a day, each query reading the whole year.</summary>
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
        var s3Puts = objects / 1000m * price.S3PutUsdPerThousandRequests;
        var ingestion = new YearlyCostLine(Ingestion, shardCost + putUnits + firehose + partitioning + s3Puts,
            $"{shards} shard × {HoursPerYear:N0} h; {records:N0} records (each one PUT payload unit, billed by Firehose as 5 KB); " +
            $"{objects:N0} objects written and partitioned");

        var jsonBytes = measured.JsonBytesPerCityDay * cityDays;
        var parquetBytes = (long)Math.Round(jsonBytes * measured.ParquetToJsonRatio);
        YearlyCostLine Athena(string path, long scanned, string format) => new(path, queries * QueryCost(scanned, price),
            $"{queries:N0} queries × {QueryResult.Scanned(AthenaPricing.BilledBytes(scanned, price.AthenaMinimumBytesPerQuery))} billed each ({format})");

        var warehouse = new YearlyCostLine(Warehouse, price.WarehouseNodes * HoursPerYear * price.WarehouseUsdPerNodeHour,
            $"{price.WarehouseNodes} × {price.WarehouseNode} × {HoursPerYear:N0} h, whether anyone queries or not");

        return new YearlyCostComparison(
            [ingestion, Athena(AthenaOnJson, jsonBytes, "gzipped JSON, every column"),
             Athena(AthenaOnParquet, parquetBytes, $"Parquet, {measured.ParquetToJsonRatio:0.00} × the JSON.gz bytes"), warehouse],
            price, cities, queriesPerDay, jsonBytes);
    }

    /// <summary>What Athena bills for one query that scans <paramref name="scannedBytes"/>: whole megabytes, at least the minimum.</summary>
    public static decimal QueryCost(long scannedBytes, CostAssumptions? prices = null)
    {
        var price = prices ?? new CostAssumptions();
        return AthenaPricing.Cost(scannedBytes, price.AthenaMinimumBytesPerQuery, price.AthenaUsdPerTerabyte);
    }

    private static readonly string[] Headers = ["Path", "USD per year", "How it adds up"];

    private IEnumerable<IReadOnlyList<string>> Rows => Lines.Select(l => (IReadOnlyList<string>)
        [l.Path, l.UsdPerYear.ToString("N2", CultureInfo.InvariantCulture), l.HowItAddsUp]);

    private string Caption => $"A year of readings for {Cities:N0} cities, queried {QueriesPerDay:N0} times a day over the whole year";

    private string AssumptionsText =>
        $"Assumed prices (us-east-1, on demand, written down on {Prices.WrittenDown}; check before quoting): " +
        string.Join("; ", CostAssumptions.Sources.Select(s => $"{s.Price} ({s.Source})")) + ".";

    public string ToHtml() => HtmlTable.Render(Headers, Rows, Caption) +
        HtmlTable.Note(AssumptionsText);

    public override string ToString() => Caption + "\n" + TextTable.Render(Headers, Rows, maxWidth: 140) + "\n" + AssumptionsText + "\n";
}
