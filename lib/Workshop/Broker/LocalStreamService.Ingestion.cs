namespace StreamingWorkshop.Broker;

/// <summary>What one shard held past a reader's checkpoint: the records still retained, and how many left the retention unread.</summary>
/// <param name="LastNumber">The record number of the shard's newest record read (the checkpoint to keep); 0 when the shard has none.</param>
/// <param name="LostRecords">Records after the checkpoint that aged out of the stream's retention before this read.</param>
/// <param name="OldestRetainedArrival">When the oldest record still retained arrived; null when none is.</param>
public sealed record ShardCatchUp(string ShardId, IReadOnlyList<StreamRecord> Records, long LastNumber, long LostRecords, DateTimeOffset? OldestRetainedArrival);

// Reading for a consumer inside the local backend (the warehouse's streaming ingestion): every shard the stream has had,
// parents before children, from each shard's checkpoint on. It bypasses the per-call read limits, which exist to pace
// clients on the clock; a refresh reads a shard to its end in one go at one instant of the clock.
public sealed partial class LocalStreamService
{
    /// <summary>The account the streams belong to, as their ARNs name it.</summary>
    public string AccountId => accountId;

    /// <summary>The region the streams are in, as their ARNs name it.</summary>
    public string Region => region;

    /// <summary>Whether a stream of that name exists in the workspace.</summary>
    public bool Exists(string streamName) =>
        StreamNamePattern().IsMatch(streamName ?? "") && File.Exists(Path.Combine(workspace.Resolve("streams", streamName!), "stream.json"));

    /// <summary>
    /// Each shard's records after the record number in <paramref name="checkpoints"/> (by shard id; a shard without one is
    /// read from its trim horizon, as a new reader would), in shard order, so a closed parent comes before its children.
    /// </summary>
    public IReadOnlyList<ShardCatchUp> ReadAfter(string streamName, IReadOnlyDictionary<string, long> checkpoints)
    {
        var stream = Open(streamName);
        var result = new List<ShardCatchUp>(stream.Layout.Count);
        foreach (var shard in stream.Layout)
        {
            var log = stream.Shards[shard.Index];
            log.CatchUp(cutTornTail: false);
            var id = ShardId(shard.Index);
            var trim = TrimHorizon(stream, log);
            var known = checkpoints.TryGetValue(id, out var checkpoint);
            // The checkpoint is the last record number read, which is also the index of the next record to read.
            var from = known ? (int)Math.Min(checkpoint, log.Count) : trim;
            var lost = known && trim > from ? trim - from : 0;
            from = Math.Max(from, trim);
            var records = new List<StreamRecord>(Math.Max(0, log.Count - from));
            long? lastRead = null;
            while (from < log.Count)
            {
                var stored = log.Read(from, MaxGetRecordsLimit, MaxGetRecordsBytes);
                foreach (var record in stored)
                {
                    records.Add(new StreamRecord(id, SequenceNumber(shard.Index, record.Number),
                        new DateTimeOffset(record.ArrivalTicks, TimeSpan.Zero), record.PartitionKey, record.Data));
                    lastRead = record.Number;
                }
                from += stored.Count;
            }
            var last = lastRead ?? (known ? Math.Max(checkpoint, trim) : trim);
            DateTimeOffset? oldest = trim < log.Count ? new DateTimeOffset(log.ArrivalTicks(trim), TimeSpan.Zero) : null;
            result.Add(new ShardCatchUp(id, records, last, lost, oldest));
        }
        return result;
    }

    /// <summary>How many records each shard the stream has had holds (its newest record number), by shard id.</summary>
    public IReadOnlyDictionary<string, long> RecordCounts(string streamName)
    {
        var stream = Open(streamName);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var shard in stream.Layout)
        {
            var log = stream.Shards[shard.Index];
            log.CatchUp(cutTornTail: false);
            counts[ShardId(shard.Index)] = log.Count;
        }
        return counts;
    }
}
