namespace StreamingWorkshop.Jobs;

/// <summary>
/// What a Glue Spark job costs (Glue 2.0 and later): $0.44 per DPU-hour, billed per second with a 1-minute minimum
/// per run. A G.1X worker is 1 DPU, G.2X 2, G.4X 4, G.8X 8; G.025X (streaming jobs only) is a quarter of one.
/// </summary>
public static class GlueBilling
{
    public const double PricePerDpuHour = 0.44;

    /// <summary>The shortest time a run is billed for.</summary>
    public const int MinimumBilledSeconds = 60;

    /// <summary>The worker types Glue offers for Spark jobs, with the DPUs one worker of each is.</summary>
    public static readonly IReadOnlyDictionary<string, double> SparkWorkerTypes = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["G.025X"] = 0.25, ["G.1X"] = 1, ["G.2X"] = 2, ["G.4X"] = 4, ["G.8X"] = 8,
    };

    /// <summary>The DPUs one worker of <paramref name="workerType"/> is (Standard, the older type, is one DPU).</summary>
    public static double DpuPerWorker(string workerType) =>
        workerType == "Standard" ? 1
        : SparkWorkerTypes.TryGetValue(workerType, out var dpu) ? dpu
        : throw new ArgumentException($"Worker type '{workerType}' is not one Glue offers for Spark jobs; use G.025X, G.1X, G.2X, G.4X or G.8X.", nameof(workerType));

    /// <summary>The DPUs of all the job's workers.</summary>
    public static double Dpus(GlueJob job) => job.NumberOfWorkers * DpuPerWorker(job.WorkerType);

    /// <summary>What the job costs per hour while it runs.</summary>
    public static double CostPerHour(GlueJob job) => Dpus(job) * PricePerDpuHour;

    /// <summary>The DPU-seconds a run of <paramref name="executionSeconds"/> is billed for (at least a minute; none for a run that never ran).</summary>
    public static double BilledDpuSeconds(string workerType, int workers, int executionSeconds) =>
        executionSeconds <= 0 ? 0 : workers * DpuPerWorker(workerType) * Math.Max(MinimumBilledSeconds, executionSeconds);

    /// <summary>The dollars <paramref name="dpuSeconds"/> cost.</summary>
    public static double Cost(double dpuSeconds) => dpuSeconds / 3600 * PricePerDpuHour;
}
