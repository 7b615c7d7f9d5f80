namespace StreamingWorkshop.Broker;

/// <summary>
/// The Kinesis Data Streams operations the kit uses. The local backend implements them on shard logs in
/// the workspace; the AWS backend sends them to Kinesis. Errors are the kit's ServiceException types
/// named as Kinesis names them.
/// </summary>
public interface IStreamService
{
    Task CreateStreamAsync(string streamName, int shardCount, int retentionPeriodHours = 24, CancellationToken cancellationToken = default);
    Task DeleteStreamAsync(string streamName, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<string>> ListStreamsAsync(CancellationToken cancellationToken = default);
    Task<StreamSummary> DescribeStreamSummaryAsync(string streamName, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<ShardDescription>> ListShardsAsync(string streamName, CancellationToken cancellationToken = default);
    Task<PutRecordResult> PutRecordAsync(string streamName, ReadOnlyMemory<byte> data, string partitionKey, string? explicitHashKey = null, CancellationToken cancellationToken = default);
    Task<PutRecordsResult> PutRecordsAsync(string streamName, IReadOnlyList<PutRecordsEntry> records, CancellationToken cancellationToken = default);
    Task<string> GetShardIteratorAsync(string streamName, string shardId, ShardIteratorType iteratorType, string? startingSequenceNumber = null, DateTimeOffset? timestamp = null, CancellationToken cancellationToken = default);
    Task<GetRecordsResult> GetRecordsAsync(string shardIterator, int limit = 10_000, CancellationToken cancellationToken = default);

    /// <summary>UpdateShardCount with UNIFORM_SCALING: the open shards become <paramref name="targetShardCount"/> shards of equal hash-key ranges.</summary>
    Task UpdateShardCountAsync(string streamName, int targetShardCount, CancellationToken cancellationToken = default);

    /// <summary>SplitShard: the shard closes and two children take its hash keys, the second starting at <paramref name="newStartingHashKey"/>.</summary>
    Task SplitShardAsync(string streamName, string shardToSplit, string newStartingHashKey, CancellationToken cancellationToken = default);

    /// <summary>MergeShards: two open shards with adjacent hash-key ranges close and one child takes both ranges.</summary>
    Task MergeShardsAsync(string streamName, string shardToMerge, string adjacentShardToMerge, CancellationToken cancellationToken = default);
}

public enum ShardIteratorType
{
    TRIM_HORIZON,
    LATEST,
    AT_SEQUENCE_NUMBER,
    AFTER_SEQUENCE_NUMBER,
    AT_TIMESTAMP,
}

public sealed record StreamSummary(
    string StreamName,
    string StreamArn,
    string StreamStatus,
    int OpenShardCount,
    int RetentionPeriodHours,
    DateTimeOffset StreamCreationTimestamp,
    string StreamModeDetails = "PROVISIONED");

/// <summary>
/// A shard as ListShards describes it. A shard made by a reshard names its parent (and, after a merge, the adjacent
/// parent); a closed shard has an EndingSequenceNumber and takes no more writes, but stays readable until retention ends.
/// </summary>
public sealed record ShardDescription(
    string ShardId,
    string StartingHashKey,
    string EndingHashKey,
    string StartingSequenceNumber,
    string? EndingSequenceNumber = null,
    string? ParentShardId = null,
    string? AdjacentParentShardId = null)
{
    public bool IsOpen => EndingSequenceNumber is null;

    /// <summary>The shards a reader must read to their end before this one, so that each partition key stays in order.</summary>
    public IReadOnlyList<string> Parents => new[] { ParentShardId, AdjacentParentShardId }.OfType<string>().ToArray();
}

/// <summary>A child of a closed shard, as GetRecords returns it once the reader reaches the closed shard's end.</summary>
public sealed record ChildShard(string ShardId, IReadOnlyList<string> ParentShards, string StartingHashKey, string EndingHashKey);

public sealed record PutRecordResult(string ShardId, string SequenceNumber);

public sealed record PutRecordsEntry(ReadOnlyMemory<byte> Data, string PartitionKey, string? ExplicitHashKey = null);

/// <summary>One entry per request record, in request order: either ShardId + SequenceNumber, or ErrorCode + ErrorMessage.</summary>
public sealed record PutRecordsResultEntry(string? ShardId, string? SequenceNumber, string? ErrorCode, string? ErrorMessage)
{
    public bool Succeeded => ErrorCode is null;
}

public sealed record PutRecordsResult(int FailedRecordCount, IReadOnlyList<PutRecordsResultEntry> Records);

/// <summary>A record as GetRecords returns it. ShardId is not in the Kinesis response; the kit adds it for displays.</summary>
public sealed record StreamRecord(
    string ShardId,
    string SequenceNumber,
    DateTimeOffset ApproximateArrivalTimestamp,
    string PartitionKey,
    ReadOnlyMemory<byte> Data);

/// <summary>
/// One GetRecords answer. NextShardIterator is null once the reader has reached the end of a closed shard; ChildShards
/// then names the shards to read next.
/// </summary>
public sealed record GetRecordsResult(IReadOnlyList<StreamRecord> Records, string? NextShardIterator, long MillisBehindLatest, IReadOnlyList<ChildShard>? ChildShards = null);
