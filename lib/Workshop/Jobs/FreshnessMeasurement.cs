using System.Globalization;

namespace StreamingWorkshop.Jobs;

/// <summary>
/// Measures freshness from what the local workspace holds after traffic has run: the readings produced in a stretch of the
/// virtual clock, the objects Firehose landed and the partitions the crawler made, the streaming job's committed batches,
/// and, when the warehouse has a streaming view, the refresh that first held each record. Used by `workshop bench
/// freshness` and by <see cref="JobsFacade.FreshnessAsync"/>.
/// </summary>
public static class FreshnessMeasurement
{
    public const string LakePath = "Firehose, lake, Athena";
    public const string StreamingJobPath = "Streaming job";
    public const string WarehousePath = "Warehouse view";

    /// <summary>What was run: the readings measured, the streaming job's run, and how the lake's partitions were found.</summary>
    /// <param name="MeasuredFrom">Readings produced from here on are measured.</param>
    /// <param name="MeasuredTo">...and before here.</param>
    /// <param name="JobRunId">The streaming job's run whose batches count.</param>
    /// <param name="JobStarted">When that run started (its objects are counted over its whole run).</param>
    /// <param name="CrawlEvery">The crawler's schedule; null when partition projection stands in for it.</param>
    /// <param name="Refreshes">Per record (shard, sequence number), when the warehouse's view first held it; null without one.</param>
    public sealed record Window(DateTimeOffset MeasuredFrom, DateTimeOffset MeasuredTo, string JobRunId, DateTimeOffset JobStarted,
        TimeSpan? CrawlEvery, int QueriesPerDay, IReadOnlyDictionary<(string ShardId, string SequenceNumber), DateTimeOffset>? Refreshes,
        IReadOnlyList<string> Notes);

    public static async Task<FreshnessReport> MeasureAsync(WorkshopSession session, Window window, CancellationToken cancellationToken = default)
    {
        var local = session.Local ?? throw new InvalidOperationException("Freshness is measured on the local backend's clock; this session is connected to AWS.");
        var end = session.Clock.GetUtcNow();
        var sources = new FreshnessSources(session);
        var (readings, recordBytes) = sources.Readings(window.MeasuredFrom, window.MeasuredTo);
        var landings = await sources.LandingsAsync("weather-data/", cancellationToken, landedSince: window.MeasuredFrom);
        var batches = local.Jobs.StreamingBatches(session.Names.StreamingJob, window.JobRunId);

        // A day is the measured minutes scaled up; a dashboard query reads the last hour.
        var measured = window.MeasuredTo - window.MeasuredFrom;
        var scale = TimeSpan.FromDays(1) / measured;
        var measuredObjects = landings.Where(l => l.Info.LastModified >= window.MeasuredFrom && l.Info.LastModified < window.MeasuredTo).ToList();
        var lakeHourObjects = landings.Where(l => l.Info.LastModified >= window.MeasuredTo.AddHours(-1) && l.Info.LastModified < window.MeasuredTo).ToList();
        var lakeHour = lakeHourObjects.Sum(l => l.Info.Size);
        // Only the measured minutes' objects are counted: a window under an hour stands for a whole hour of them.
        var hoursMeasured = Math.Min(1, measured / TimeSpan.FromHours(1));
        var lakeHourObjectsRead = (long)Math.Round(lakeHourObjects.Count / hoursMeasured);
        var jobObjects = (await sources.ListAsync(session.Names.LakeBucket, ReadingsCuration.LivePrefix, cancellationToken))
            .Concat(await sources.ListAsync(session.Names.LakeBucket, ReadingsCuration.WindowPrefix, cancellationToken))
            .Concat(await sources.ListAsync(session.Names.ScriptsBucket, "checkpoints/", cancellationToken))
            .Where(o => o.LastModified >= window.JobStarted)
            .ToList();
        // The job writes when its run is looked at (as late as now), so its objects are counted over its whole run.
        var jobRan = end - window.JobStarted;
        var liveObjects = jobObjects.Where(o => o.Key.StartsWith(ReadingsCuration.LivePrefix, StringComparison.Ordinal)).ToList();
        var liveHour = (long)(liveObjects.Sum(o => o.Size) * (TimeSpan.FromHours(1) / jobRan));
        var liveHourObjects = (long)Math.Round(liveObjects.Count * (TimeSpan.FromHours(1) / jobRan));
        var day = new DayOfTraffic((long)(readings.Count * scale), recordBytes, (long)(measuredObjects.Count * scale), lakeHour,
            (long)(jobObjects.Count * (TimeSpan.FromDays(1) / jobRan)), liveHour, lakeHourObjectsRead, liveHourObjects);
        var prices = new FreshnessPrices();

        var paths = new List<IFreshnessPath>
        {
            new LakeFreshnessPath(LakePath, landings.Select(l => l.Landing), window.CrawlEvery is null ? null : sources.PartitionsCreated(),
                prices.Lake(day, window.CrawlEvery, window.QueriesPerDay)),
            new StreamingJobFreshnessPath(StreamingJobPath, batches, prices.StreamingJob(day, window.QueriesPerDay)),
        };
        if (window.Refreshes is { } refreshes) paths.Add(new RefreshFreshnessPath(WarehousePath, refreshes, prices.Warehouse()));
        return new FreshnessReport(readings, paths,
        [
            string.Create(CultureInfo.InvariantCulture,
                $"Readings produced from {window.MeasuredFrom:HH:mm} to {window.MeasuredTo:HH:mm} on the virtual clock ({readings.Count:N0}), followed until {end:HH:mm}."),
            .. window.Notes,
            string.Create(CultureInfo.InvariantCulture,
                $"Costs per day scale the measured minutes up to 24 h; each Athena path answers {window.QueriesPerDay:N0} dashboard queries a day over its last hour, paying Athena's scan and a GET for each object it opens (its LISTs are left out). The stream costs the same for every path and is left out."),
            .. prices.Sources,
        ]);
    }

    /// <summary>A refresh_time as the warehouse returns it (a timestamp, or its text), in UTC.</summary>
    public static DateTimeOffset RefreshTime(object? value) => value switch
    {
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        string text => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal),
        _ => throw new InvalidOperationException($"The view's refresh_time came back as {value?.GetType().Name ?? "null"}."),
    };
}
