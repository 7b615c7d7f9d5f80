using System.Globalization;
using StreamingWorkshop.Query;

namespace StreamingWorkshop.Jobs;

/// <summary>What a day of traffic looks like, scaled up from the measured period.</summary>
/// <param name="Records">Readings put on the stream in a day.</param>
/// <param name="RecordBytes">Their average size in bytes.</param>
/// <param name="LakeObjects">Objects Firehose writes in a day.</param>
/// <param name="LakeBytesScanned">Bytes a dashboard query over the lake scans.</param>
/// <param name="LakeObjectsRead">Objects a dashboard query over the lake opens (S3 bills a GET for each).</param>
/// <param name="JobObjects">Objects the streaming job writes in a day (curated files and checkpoint files).</param>
/// <param name="JobBytesScanned">Bytes a dashboard query over the streaming job's tables scans.</param>
/// <param name="JobObjectsRead">Objects a dashboard query over the streaming job's tables opens.</param>
public sealed record DayOfTraffic(long Records, double RecordBytes, long LakeObjects, long LakeBytesScanned, long JobObjects, long JobBytesScanned,
    long LakeObjectsRead = 0, long JobObjectsRead = 0);

/// <summary>
/// What each path costs for a day, at the list prices the kit writes down in <see cref="CostAssumptions"/> and the Glue
/// prices below (us-east-1, on demand). The stream itself is the same for every path and is left out.
/// </summary>
public sealed record FreshnessPrices
{
    public CostAssumptions Listed { get; init; } = new();

    /// <summary>Glue bills jobs and crawlers $0.44 per DPU-hour, per second.</summary>
    public decimal GlueUsdPerDpuHour { get; init; } = 0.44m;

    /// <summary>The streaming job's size: 2 workers of G.025X, a quarter of a DPU each, running all day.</summary>
    public int StreamingWorkers { get; init; } = 2;
    public decimal DpuPerStreamingWorker { get; init; } = 0.25m;

    /// <summary>A crawler run is billed for at least 10 minutes; a small crawl is assumed to use 2 DPUs for that minimum.</summary>
    public decimal CrawlerDpus { get; init; } = 2m;
    public TimeSpan CrawlerMinimumBilled { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Firehose rounds each record up to 5 KB before billing the GBs ingested.</summary>
    public const long FirehoseRecordRounding = 5 * 1024;

    private static string Usd(decimal value) => "$" + value.ToString("0.00", CultureInfo.InvariantCulture);
    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private decimal AthenaPerQuery(long scanned) => AthenaPricing.EstimatedCost(scanned, isDdl: false);

    /// <summary>
    /// A day of dashboard queries, each scanning <paramref name="scanned"/> bytes and opening <paramref name="objectsRead"/>
    /// objects: Athena's scan charge and S3's GETs, and the words that say so.
    /// </summary>
    private (decimal Usd, string Text) DashboardQueries(long queries, long scanned, long objectsRead)
    {
        var athena = queries * AthenaPerQuery(scanned);
        var gets = S3RequestPricing.EstimatedGetCost(queries * objectsRead);
        return (athena + gets, $"{Count(queries)} Athena queries {Usd(athena)} and their {Count(queries * objectsRead)} S3 GETs {Usd(gets)}");
    }

    /// <summary>
    /// Firehose ingestion and its dynamic partitioning (the stack partitions by city), the objects it puts, the
    /// crawler's runs (none with partition projection) and the dashboard's Athena queries.
    /// </summary>
    public PathCost Lake(DayOfTraffic day, TimeSpan? crawlEvery, long dashboardQueriesPerDay)
    {
        var billedRecordBytes = Math.Max(1, (long)Math.Ceiling(day.RecordBytes / FirehoseRecordRounding)) * FirehoseRecordRounding;
        var billedGb = day.Records * billedRecordBytes / 1_073_741_824m;
        var firehose = billedGb * Listed.FirehoseIngestUsdPerGb;
        var partitioning = billedGb * Listed.DynamicPartitioningUsdPerGb + day.LakeObjects / 1000m * Listed.DynamicPartitioningUsdPerThousandObjects;
        var puts = day.LakeObjects / 1000m * Listed.S3PutUsdPerThousandRequests;
        var crawls = crawlEvery is { } every ? (long)Math.Ceiling(TimeSpan.FromDays(1) / every) : 0;
        var crawler = crawls * CrawlerDpus * (decimal)CrawlerMinimumBilled.TotalHours * GlueUsdPerDpuHour;
        var queries = DashboardQueries(dashboardQueriesPerDay, day.LakeBytesScanned, day.LakeObjectsRead);
        var crawlText = crawls == 0 ? "no crawler (partition projection)" : $"{Count(crawls)} {(crawls == 1 ? "crawl" : "crawls")} {Usd(crawler)}";
        return new PathCost(firehose + partitioning + puts + crawler + queries.Usd,
            $"Firehose {Usd(firehose)}, dynamic partitioning {Usd(partitioning)}, {Count(day.LakeObjects)} S3 puts {Usd(puts)}, {crawlText}, {queries.Text}.");
    }

    /// <summary>The streaming job's workers all day, the objects it puts, and the dashboard's Athena queries over its tables.</summary>
    public PathCost StreamingJob(DayOfTraffic day, long dashboardQueriesPerDay)
    {
        var dpu = StreamingWorkers * DpuPerStreamingWorker;
        var workers = dpu * 24 * GlueUsdPerDpuHour;
        var puts = day.JobObjects / 1000m * Listed.S3PutUsdPerThousandRequests;
        var queries = DashboardQueries(dashboardQueriesPerDay, day.JobBytesScanned, day.JobObjectsRead);
        return new PathCost(workers + puts + queries.Usd,
            $"{StreamingWorkers} × G.025X ({dpu.ToString("0.##", CultureInfo.InvariantCulture)} DPU) for 24 h {Usd(workers)}, {Count(day.JobObjects)} S3 puts {Usd(puts)}, {queries.Text}.");
    }

    /// <summary>The warehouse's node all day; its queries and refreshes bill nothing more.</summary>
    public PathCost Warehouse()
    {
        var nodes = Listed.WarehouseUsdPerNodeHour * Listed.WarehouseNodes * 24;
        return new PathCost(nodes, $"{Listed.WarehouseNodes} node{(Listed.WarehouseNodes == 1 ? "" : "s")} for 24 h at the smallest node's list price ({Listed.WarehouseNode}; the stack's ra3.large costs no less) {Usd(nodes)}; queries and refreshes add nothing.");
    }

    /// <summary>The prices behind the figures, one line each.</summary>
    public IReadOnlyList<string> Sources =>
    [
        $"Glue: ${GlueUsdPerDpuHour.ToString("0.00", CultureInfo.InvariantCulture)} per DPU-hour, per second; a crawler run bills at least {CrawlerMinimumBilled.TotalMinutes:0} minutes (assumed {CrawlerDpus:0} DPUs); G.025X is 0.25 DPU (https://aws.amazon.com/glue/pricing/)",
        .. CostAssumptions.Sources.Select(s => $"{s.Price} ({s.Source})"),
    ];
}
