namespace StreamingWorkshop.Jobs;

/// <summary>What one micro-batch read from one shard: the first and last sequence numbers (null when it read none).</summary>
public sealed record ShardRead(string ShardId, string? FirstSequenceNumber, string? LastSequenceNumber, int Records);

/// <summary>
/// One committed micro-batch of the streaming job, as its checkpoint's commits/N records it.
/// <see cref="TriggerTime"/> is when the batch started (run start-up + k × window, virtual clock): it read the records
/// that arrived on the stream up to that instant. <see cref="CommitTime"/> is when its output was in the lake, so from
/// then on a query sees it. RecordsOut counts new rows in curated_weather_live (readings written before are not counted);
/// LateRecords arrived after their 5-minute window was written; WindowsWritten counts rows of weather_5min_by_city.
/// </summary>
public sealed record StreamingBatch(
    string RunId,
    long BatchId,
    DateTimeOffset TriggerTime,
    DateTimeOffset CommitTime,
    IReadOnlyList<ShardRead> Shards,
    int RecordsIn,
    int RecordsOut,
    int RecordsError,
    int LateRecords,
    int WindowsWritten,
    long LostRecords = 0)
{
    /// <summary>Whether this batch read the record with <paramref name="sequenceNumber"/> from <paramref name="shardId"/>.</summary>
    public bool Read(string shardId, string sequenceNumber) =>
        Shards.Any(s => s.ShardId == shardId && s.FirstSequenceNumber is { } first && s.LastSequenceNumber is { } last
            && CompareSequence(first, sequenceNumber) <= 0 && CompareSequence(sequenceNumber, last) <= 0);

    /// <summary>Orders sequence numbers as the numbers they are (longer is larger; same length compares as text).</summary>
    public static int CompareSequence(string a, string b) =>
        a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
}

/// <summary>The streaming job's batch log on the local backend, read from its checkpoint (for freshness measurements).</summary>
public static class StreamingBatchLog
{
    /// <summary>
    /// The committed micro-batches of one run, oldest first. The run is settled to the clock first, so every batch that
    /// fell due is listed.
    /// </summary>
    public static IReadOnlyList<StreamingBatch> StreamingBatches(this LocalJobService jobs, string jobName, string runId)
    {
        var job = jobs.GetJobAsync(jobName).GetAwaiter().GetResult();
        var run = jobs.GetJobRunAsync(jobName, runId).GetAwaiter().GetResult();
        var settings = StreamingJobSettings.For(jobs, job, run);
        return new StreamingCheckpoint(jobs.Lake, settings.CheckpointBucket, settings.CheckpointPrefix).Commits()
            .Where(b => b.RunId == runId).ToList();
    }

    /// <summary>Every committed micro-batch of the job's checkpoint (its default location), across runs, oldest first.</summary>
    public static IReadOnlyList<StreamingBatch> StreamingBatches(this LocalJobService jobs, string jobName)
    {
        var job = jobs.GetJobAsync(jobName).GetAwaiter().GetResult();
        var settings = StreamingJobSettings.For(jobs, job, null);
        return new StreamingCheckpoint(jobs.Lake, settings.CheckpointBucket, settings.CheckpointPrefix).Commits();
    }
}
