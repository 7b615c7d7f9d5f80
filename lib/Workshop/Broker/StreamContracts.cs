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

    // Capacity mode and enhanced fan-out. The defaults only refuse, so a stand-in written for one test still compiles;
    // both backends implement every one of them.

    /// <summary>CreateStream with StreamModeDetails ON_DEMAND: no shard count; the stream starts with <see cref="StreamModes.OnDemandInitialShards"/> shards.</summary>
    Task CreateOnDemandStreamAsync(string streamName, int retentionPeriodHours = 24, CancellationToken cancellationToken = default) =>
        throw NotOffered("CreateStream with ON_DEMAND");

    /// <summary>UpdateStreamMode: switches the stream between PROVISIONED and ON_DEMAND (see <see cref="StreamModes"/>).</summary>
    Task UpdateStreamModeAsync(string streamArn, string streamMode, CancellationToken cancellationToken = default) =>
        throw NotOffered("UpdateStreamMode");

    /// <summary>RegisterStreamConsumer: a named reader with its own 2 MiB/s per shard, CREATING at first, then ACTIVE.</summary>
    Task<StreamConsumer> RegisterStreamConsumerAsync(string streamArn, string consumerName, CancellationToken cancellationToken = default) =>
        throw NotOffered("RegisterStreamConsumer");

    /// <summary>DescribeStreamConsumer, by consumer ARN or by stream ARN and consumer name.</summary>
    Task<StreamConsumer> DescribeStreamConsumerAsync(ConsumerReference consumer, CancellationToken cancellationToken = default) =>
        throw NotOffered("DescribeStreamConsumer");

    /// <summary>ListStreamConsumers: every consumer registered with the stream, whatever its status.</summary>
    Task<IReadOnlyList<StreamConsumer>> ListStreamConsumersAsync(string streamArn, CancellationToken cancellationToken = default) =>
        throw NotOffered("ListStreamConsumers");

    /// <summary>DeregisterStreamConsumer: the consumer is DELETING for a while, then gone; its subscriptions end.</summary>
    Task DeregisterStreamConsumerAsync(ConsumerReference consumer, CancellationToken cancellationToken = default) =>
        throw NotOffered("DeregisterStreamConsumer");

    /// <summary>
    /// SubscribeToShard: the shard's records pushed to an ACTIVE consumer as events, for up to five minutes of the clock.
    /// The call is made when enumeration starts, so its errors come from the first MoveNextAsync.
    /// </summary>
    IAsyncEnumerable<SubscribeToShardEvent> SubscribeToShardAsync(string consumerArn, string shardId, StartingPosition startingPosition, CancellationToken cancellationToken = default) =>
        throw NotOffered("SubscribeToShard");

    private static NotSupportedException NotOffered(string operation) =>
        new($"{operation} is not offered by this stream service; use the kit's local or AWS stream.");
}

/// <summary>The two capacity modes, as Kinesis spells them in StreamModeDetails.</summary>
public static class StreamModes
{
    public const string Provisioned = "PROVISIONED";
    public const string OnDemand = "ON_DEMAND";

    /// <summary>An on-demand stream starts with 4 MiB/s of write capacity, which is four shards.</summary>
    public const int OnDemandInitialShards = 4;

    /// <summary>How many times a stream may change capacity mode in any 24 hours.</summary>
    public const int SwitchesPerDay = 2;

    public static bool IsKnown(string? mode) => mode is Provisioned or OnDemand;
}

/// <summary>Enhanced fan-out's limits, as Kinesis documents them; the local stream keeps to them.</summary>
public static class EnhancedFanOut
{
    public const int MaxConsumersPerStream = 20;

    /// <summary>What a subscription may push per shard per second, for each consumer on its own.</summary>
    public const long ConsumerReadBytesPerSecond = 2L * 1024 * 1024;

    public static readonly TimeSpan SubscriptionLifetime = TimeSpan.FromMinutes(5);

    /// <summary>How long a new consumer is CREATING (and a deregistered one DELETING): a few seconds on Kinesis, this long on the local clock.</summary>
    public static readonly TimeSpan StatusChangeTime = TimeSpan.FromSeconds(10);
}

/// <summary>A consumer as RegisterStreamConsumer and DescribeStreamConsumer describe it. Status is CREATING, ACTIVE or DELETING.</summary>
public sealed record StreamConsumer(string ConsumerName, string ConsumerArn, string ConsumerStatus, DateTimeOffset ConsumerCreationTimestamp, string StreamArn);

/// <summary>How a request names a consumer: its ARN, or its stream's ARN and its name.</summary>
public sealed record ConsumerReference(string? ConsumerArn = null, string? StreamArn = null, string? ConsumerName = null)
{
    public static ConsumerReference ByArn(string consumerArn) => new(ConsumerArn: consumerArn);
    public static ConsumerReference ByName(string streamArn, string consumerName) => new(StreamArn: streamArn, ConsumerName: consumerName);
}

/// <summary>Where a subscription starts: any of the five iterator types, with a sequence number or a time where the type needs one.</summary>
public sealed record StartingPosition(ShardIteratorType Type, string? SequenceNumber = null, DateTimeOffset? Timestamp = null)
{
    public static StartingPosition TrimHorizon { get; } = new(ShardIteratorType.TRIM_HORIZON);
    public static StartingPosition Latest { get; } = new(ShardIteratorType.LATEST);
    public static StartingPosition AfterSequenceNumber(string sequenceNumber) => new(ShardIteratorType.AFTER_SEQUENCE_NUMBER, sequenceNumber);
}

/// <summary>
/// One event of a subscription. ContinuationSequenceNumber is where to subscribe again (AFTER_SEQUENCE_NUMBER) once the
/// five minutes end; it is null at the end of a closed shard, whose last event names the ChildShards to read next.
/// </summary>
public sealed record SubscribeToShardEvent(IReadOnlyList<StreamRecord> Records, string? ContinuationSequenceNumber, long MillisBehindLatest, IReadOnlyList<ChildShard>? ChildShards = null);

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

/// <summary>What <c>workshop.Stream</c> offers, shown when a cell's value is the stream service itself.</summary>
internal static class StreamCalls
{
    public static StreamingWorkshop.Display.CallsView View { get; } = new(
        "workshop.Stream: Kinesis Data Streams, each call named after its operation (the day's stream is workshop.Names.StreamName)", [
        ("ListStreamsAsync()", "ListStreams"),
        ("DescribeStreamSummaryAsync(stream)", "DescribeStreamSummary"),
        ("ListShardsAsync(stream)", "ListShards"),
        ("PutRecordAsync(stream, data, partitionKey)", "PutRecord"),
        ("PutRecordsAsync(stream, records)", "PutRecords"),
        ("GetShardIteratorAsync(stream, shard, type)", "GetShardIterator"),
        ("GetRecordsAsync(iterator)", "GetRecords"),
        ("CreateStreamAsync(stream, shards)", "CreateStream"),
        ("UpdateShardCountAsync(stream, shards)", "UpdateShardCount"),
        ("SplitShardAsync(...), MergeShardsAsync(...)", "SplitShard, MergeShards"),
        ("RegisterStreamConsumerAsync(streamArn, name)", "RegisterStreamConsumer"),
        ("SubscribeToShardAsync(consumerArn, shard, from)", "SubscribeToShard"),
    ]);
}
