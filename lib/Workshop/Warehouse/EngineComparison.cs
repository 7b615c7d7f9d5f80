using System.Globalization;
using StreamingWorkshop.Display;
using StreamingWorkshop.Query;

namespace StreamingWorkshop.Warehouse;

/// <summary>
/// One question answered by one engine: its fastest run, what it scanned, Athena's scan charge for one run, how many rows it
/// gave, and the objects it opened in S3 (null where the engine does not say, as Athena on AWS does not).
/// </summary>
public sealed record EngineRun(string Question, string Engine, double Milliseconds, long ScannedBytes, decimal UsdPerQuery, long Rows, long? ObjectsRead = null);

/// <summary>
/// The same questions asked of Athena over the lake as JSON.gz, Athena over a Parquet copy, and the warehouse: each run a few
/// times and the fastest kept, since the first run of a query also pays for warming up. Athena is priced per byte scanned (with
/// its 10 MB minimum), plus S3's GET for each object it reads (<see cref="S3RequestPricing"/>); the warehouse scans nothing
/// billable and costs its nodes' hours instead (<see cref="CostAssumptions"/>).
/// </summary>
public sealed class EngineComparison : IHtmlDisplay
{
    public const string AthenaJson = "Athena, JSON.gz";
    public const string AthenaParquet = "Athena, Parquet";
    public const string Warehouse = "Warehouse";

    public static IReadOnlyList<string> Engines { get; } = [AthenaJson, AthenaParquet, Warehouse];

    public EngineComparison(IReadOnlyList<EngineRun> runs, CostAssumptions prices)
    {
        Runs = runs;
        Prices = prices;
    }

    public IReadOnlyList<EngineRun> Runs { get; }
    public CostAssumptions Prices { get; }
    public IReadOnlyList<string> Questions => Runs.Select(r => r.Question).Distinct().ToList();

    /// <summary>What the cluster costs for a day, queried or not.</summary>
    public decimal WarehouseUsdPerDay => Prices.WarehouseUsdPerNodeHour * Prices.WarehouseNodes * 24;

    /// <summary>
    /// What one query on <paramref name="engine"/> costs, on average over the questions, if the data were <paramref name="dataScale"/>
    /// times as large and held by <paramref name="cityScale"/> times as many cities: Athena bills the bytes scanned, at least
    /// 10 MB a query, and S3 a GET for each object read. The lake's JSON.gz objects (one per city a minute) grow with the
    /// data; the Parquet copy's (one per city's partition) with the cities, which default to the data's scale. The warehouse
    /// bills no query.
    /// </summary>
    public decimal UsdPerQuery(string engine, double dataScale = 1, double? cityScale = null) => engine == Warehouse
        ? 0
        : AthenaPricing.EstimatedCost((long)(Runs.Where(r => r.Engine == engine).Average(r => r.ScannedBytes) * dataScale), isDdl: false)
          + S3RequestPricing.EstimatedGetCost((long)Math.Round(ObjectsPerQuery(engine) * (engine == AthenaParquet ? cityScale ?? dataScale : dataScale)));

    /// <summary>The objects a query on <paramref name="engine"/> opened, on average; 0 where they were not counted.</summary>
    public double ObjectsPerQuery(string engine) => Runs.Where(r => r.Engine == engine).Average(r => r.ObjectsRead ?? 0);

    /// <summary>True when every Athena run says how many objects it opened, so its GETs are in its cost.</summary>
    public bool GetsCounted => Runs.Where(r => r.Engine != Warehouse).All(r => r.ObjectsRead is not null);

    /// <summary>An engine's cost for a day of <paramref name="queriesPerDay"/> queries (the cluster's day whatever the queries).</summary>
    public decimal UsdPerDay(string engine, long queriesPerDay, double dataScale = 1, double? cityScale = null) =>
        engine == Warehouse ? WarehouseUsdPerDay : UsdPerQuery(engine, dataScale, cityScale) * queriesPerDay;

    /// <summary>How many queries a day make Athena over <paramref name="engine"/>'s store cost as much as the cluster.</summary>
    public long BreakEvenQueriesPerDay(string engine, double dataScale = 1, double? cityScale = null) =>
        (long)Math.Ceiling(WarehouseUsdPerDay / UsdPerQuery(engine, dataScale, cityScale));

    /// <summary>
    /// Runs each question <paramref name="repeats"/> times on each engine. Each of <paramref name="questions"/> gives its SQL over a
    /// table; <paramref name="runOnWarehouse"/> runs SQL on the cluster and returns its duration and row count.
    /// </summary>
    public static async Task<EngineComparison> RunAsync(WorkshopSession session, IReadOnlyList<(string Name, Func<string, string> Sql)> questions,
        string jsonTable, string parquetTable, string warehouseTable,
        Func<string, CancellationToken, Task<(TimeSpan Duration, long Rows)>> runOnWarehouse, int repeats = 3, CancellationToken cancellationToken = default)
    {
        if (repeats < 1) throw new ArgumentOutOfRangeException(nameof(repeats), repeats, "Run each question at least once.");
        var runs = new List<EngineRun>();
        foreach (var (name, sql) in questions)
        {
            foreach (var (engine, table) in new[] { (AthenaJson, jsonTable), (AthenaParquet, parquetTable) })
            {
                QueryResult? fastest = null;
                for (var i = 0; i < repeats; i++)
                {
                    var result = await session.QueryAsync(sql(table), cancellationToken: cancellationToken);
                    if (fastest is null || result.Statistics.EngineExecutionTimeInMillis < fastest.Statistics.EngineExecutionTimeInMillis) fastest = result;
                }
                runs.Add(new EngineRun(name, engine, fastest!.Statistics.EngineExecutionTimeInMillis, fastest.Statistics.DataScannedInBytes,
                    fastest.Statistics.EstimatedCostUsd, fastest.Rows.Count, fastest.Statistics.FilesScanned));
            }
            (TimeSpan Duration, long Rows)? best = null;
            for (var i = 0; i < repeats; i++)
            {
                var run = await runOnWarehouse(sql(warehouseTable), cancellationToken);
                if (best is null || run.Duration < best.Value.Duration) best = run;
            }
            runs.Add(new EngineRun(name, Warehouse, best!.Value.Duration.TotalMilliseconds, 0, 0, best.Value.Rows));
        }
        return new EngineComparison(runs, new CostAssumptions());
    }

    private static string Milliseconds(double value) => value < 10 ? value.ToString("0.0", CultureInfo.InvariantCulture) + " ms" : value.ToString("N0", CultureInfo.InvariantCulture) + " ms";

    private static string Usd(decimal value) => value == 0 ? "none" : "$" + value.ToString("0.000000", CultureInfo.InvariantCulture);

    private static readonly string[] Headers = ["Question", "Engine", "Run time", "Data scanned", "Athena scan charge", "S3 GETs (est.)", "Rows"];

    private IEnumerable<IReadOnlyList<string>> Rows => Runs.Select(r => (IReadOnlyList<string>)
    [
        r.Question, r.Engine, Milliseconds(r.Milliseconds), r.Engine == Warehouse ? "none billed" : QueryResult.Scanned(r.ScannedBytes),
        r.Engine == Warehouse ? "none: hourly" : Usd(r.UsdPerQuery),
        r.Engine == Warehouse ? "none" : r.ObjectsRead is { } objects ? $"{Count(objects)}: {Usd(S3RequestPricing.EstimatedGetCost(objects))}" : "not counted",
        r.Rows.ToString("N0", CultureInfo.InvariantCulture),
    ]);

    private const string Title = "The same questions on three engines (fastest of the runs)";

    /// <summary>What a day of each costs, said once under the table.</summary>
    public string CostNote
    {
        get
        {
            var perHour = Prices.WarehouseUsdPerNodeHour.ToString("0.00", CultureInfo.InvariantCulture);
            var day = WarehouseUsdPerDay.ToString("0.00", CultureInfo.InvariantCulture);
            var minimum = Runs.Where(r => r.Engine != Warehouse).All(r => r.ScannedBytes < AthenaPricing.MinimumBilledBytes)
                ? " Every Athena query here scans less than the 10 MB Athena bills at least, so both stores pay the same scan charge."
                : "";
            var gets = GetsCounted
                ? string.Create(CultureInfo.InvariantCulture, $" S3 bills a GET for each object a query opens (${S3RequestPricing.GetUsdPerThousand} per 1,000 at S3 Standard's us-east-1 price): {Count((long)Math.Round(ObjectsPerQuery(AthenaJson)))} a query over JSON.gz, {Count((long)Math.Round(ObjectsPerQuery(AthenaParquet)))} over Parquet; the LISTs of the folders a query lists (${S3RequestPricing.ListUsdPerThousand} per 1,000) are left out.")
                : " S3's GETs for the objects read are not counted: Athena does not say how many objects it opened.";
            return $"A day of the cluster costs at least ${day}, queried or not: {Prices.WarehouseNodes} node{(Prices.WarehouseNodes == 1 ? "" : "s")} at ${perHour} an hour, the smallest node's list price ({Prices.WarehouseNode}; the stack's ra3.large costs no less). " +
                   $"Athena costs as much after {Count(BreakEvenQueriesPerDay(AthenaJson))} of these queries a day over JSON.gz, " +
                   $"or {Count(BreakEvenQueriesPerDay(AthenaParquet))} over Parquet.{minimum}{gets} List prices written down on {Prices.WrittenDown}.";
        }
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public string ToHtml() => HtmlTable.Render(Headers, Rows, Title) + $"<div style=\"{HtmlTable.Style};padding:4px 0\">{HtmlTable.Encode(CostNote)}</div>";

    public override string ToString() => Title + "\n" + TextTable.Render(Headers, Rows) + "\n" + CostNote;
}
