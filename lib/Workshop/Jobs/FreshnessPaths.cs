namespace StreamingWorkshop.Jobs;

/// <summary>One object Firehose wrote to the lake: the folder (partition location) it is in, when it landed, and the readings it holds.</summary>
public sealed record LakeLanding(string Folder, DateTimeOffset LastModified, IReadOnlyCollection<string> ReadingKeys);

/// <summary>
/// Firehose into the lake, then Athena: a reading is queryable once the object holding it has landed and its partition is in
/// the catalog (a crawler run after the object's folder first appeared). Athena lists a known partition's folder at query
/// time, so later objects in that folder are seen as soon as they land. With partition projection the catalog is not
/// needed and the landing alone counts.
/// </summary>
public sealed class LakeFreshnessPath : IFreshnessPath
{
    private readonly Dictionary<string, LakeLanding> firstLanding = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, DateTimeOffset>? partitionCreated;

    /// <param name="partitionCreated">Each partition's folder and its CreationTime in the catalog; null for partition projection.</param>
    public LakeFreshnessPath(string name, IEnumerable<LakeLanding> landings, IReadOnlyDictionary<string, DateTimeOffset>? partitionCreated, PathCost cost)
    {
        Name = name;
        Cost = cost;
        this.partitionCreated = partitionCreated;
        // A reading delivered twice (a retried delivery) was first queryable with its first copy.
        foreach (var landing in landings.OrderBy(l => l.LastModified))
            foreach (var key in landing.ReadingKeys)
                firstLanding.TryAdd(key, landing);
    }

    public string Name { get; }
    public PathCost Cost { get; }

    public DateTimeOffset? QueryableAt(TrackedReading reading)
    {
        if (!firstLanding.TryGetValue(reading.ReadingKey, out var landing)) return null;
        if (partitionCreated is null) return landing.LastModified;
        if (!partitionCreated.TryGetValue(landing.Folder, out var created)) return null;
        return created > landing.LastModified ? created : landing.LastModified;
    }
}

/// <summary>The streaming job: a reading is queryable when the micro-batch that read it from the stream commits its output.</summary>
public sealed class StreamingJobFreshnessPath(string name, IReadOnlyList<StreamingBatch> batches, PathCost cost) : IFreshnessPath
{
    public string Name { get; } = name;
    public PathCost Cost { get; } = cost;

    public DateTimeOffset? QueryableAt(TrackedReading reading)
    {
        DateTimeOffset? first = null;
        foreach (var batch in batches)
            if (batch.Read(reading.ShardId, reading.SequenceNumber) && (first is null || batch.CommitTime < first))
                first = batch.CommitTime;
        return first;
    }
}

/// <summary>
/// The warehouse's streaming materialized view: a reading is queryable from the refresh that first brought its record into
/// the view (the view's refresh_time column for that shard and sequence number).
/// </summary>
public sealed class RefreshFreshnessPath(string name, IReadOnlyDictionary<(string ShardId, string SequenceNumber), DateTimeOffset> firstRefresh, PathCost cost)
    : IFreshnessPath
{
    public string Name { get; } = name;
    public PathCost Cost { get; } = cost;

    public DateTimeOffset? QueryableAt(TrackedReading reading) =>
        firstRefresh.TryGetValue((reading.ShardId, reading.SequenceNumber), out var refreshed) ? refreshed : null;
}
