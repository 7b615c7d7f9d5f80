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

public sealed record ShardDescription(string ShardId, string StartingHashKey, string EndingHashKey, string StartingSequenceNumber);

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

public sealed record GetRecordsResult(IReadOnlyList<StreamRecord> Records, string? NextShardIterator, long MillisBehindLatest);
