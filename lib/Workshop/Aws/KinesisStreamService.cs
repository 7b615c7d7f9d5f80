using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using StreamingWorkshop.Broker;

namespace StreamingWorkshop.Aws;

/// <summary>The stream stage on Kinesis Data Streams: the operations of <see cref="IStreamService"/> over the JSON 1.1 protocol.</summary>
public sealed class KinesisStreamService(AwsJsonClient kinesis, Func<TimeSpan, CancellationToken, Task>? wait = null) : IStreamService, StreamingWorkshop.Display.IHtmlDisplay, IDisposable
{
    /// <summary>In a notebook, the calls this offers rather than an object tree.</summary>
    public string ToHtml() => StreamingWorkshop.Broker.StreamCalls.View.ToHtml();

    public override string ToString() => StreamingWorkshop.Broker.StreamCalls.View.ToString();

    // GetRecords answers do not say which shard they came from; the kit's displays do, so each iterator remembers its shard.
    private readonly ConcurrentDictionary<string, string> shardOfIterator = new(StringComparer.Ordinal);
    private readonly Func<TimeSpan, CancellationToken, Task> wait = wait ?? Task.Delay;

    /// <summary>How long <see cref="CreateStreamAsync"/> waits for the stream to become ACTIVE.</summary>
    public TimeSpan ActivationTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public async Task CreateStreamAsync(string streamName, int shardCount, int retentionPeriodHours = 24, CancellationToken cancellationToken = default)
    {
        await kinesis.CallAsync("CreateStream", new JsonObject { ["StreamName"] = streamName, ["ShardCount"] = shardCount }, cancellationToken);
        await WaitUntilActiveAsync(streamName, cancellationToken);
        if (retentionPeriodHours > 24)
        {
            await kinesis.CallAsync("IncreaseStreamRetentionPeriod", new JsonObject { ["StreamName"] = streamName, ["RetentionPeriodHours"] = retentionPeriodHours }, cancellationToken);
            await WaitUntilActiveAsync(streamName, cancellationToken);
        }
    }

    private async Task WaitUntilActiveAsync(string streamName, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + ActivationTimeout;
        for (var pause = TimeSpan.FromMilliseconds(100); ; pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 2000)))
        {
            var summary = await DescribeStreamSummaryAsync(streamName, cancellationToken);
            if (summary.StreamStatus == "ACTIVE") return;
            if (DateTimeOffset.UtcNow > deadline)
                throw new TimeoutException($"Stream {streamName} is still {summary.StreamStatus} after {ActivationTimeout.TotalMinutes:0} minutes; look at it in the Kinesis console, then try again.");
            await wait(pause, cancellationToken);
        }
    }

    public async Task DeleteStreamAsync(string streamName, CancellationToken cancellationToken = default) =>
        await kinesis.CallAsync("DeleteStream", new JsonObject { ["StreamName"] = streamName }, cancellationToken);

    public Task<IReadOnlyList<string>> ListStreamsAsync(CancellationToken cancellationToken = default) =>
        kinesis.ListNamesAsync("ListStreams", "StreamNames", "HasMoreStreams", "ExclusiveStartStreamName", cancellationToken: cancellationToken);

    public async Task<StreamSummary> DescribeStreamSummaryAsync(string streamName, CancellationToken cancellationToken = default)
    {
        var reply = await kinesis.CallAsync("DescribeStreamSummary", new JsonObject { ["StreamName"] = streamName }, cancellationToken);
        var s = reply["StreamDescriptionSummary"]!;
        return new StreamSummary((string)s["StreamName"]!, (string)s["StreamARN"]!, (string)s["StreamStatus"]!,
            (int?)s["OpenShardCount"] ?? 0, (int?)s["RetentionPeriodHours"] ?? 24, AwsJson.Timestamp(s["StreamCreationTimestamp"]),
            (string?)s["StreamModeDetails"]?["StreamMode"] ?? "PROVISIONED");
    }

    public async Task<IReadOnlyList<ShardDescription>> ListShardsAsync(string streamName, CancellationToken cancellationToken = default)
    {
        var shards = new List<ShardDescription>();
        string? next = null;
        do
        {
            // ListShards takes either the stream name or a NextToken, never both.
            var request = next is null ? new JsonObject { ["StreamName"] = streamName } : new JsonObject { ["NextToken"] = next };
            var page = await kinesis.CallAsync("ListShards", request, cancellationToken);
            foreach (var shard in page["Shards"]?.AsArray() ?? [])
                shards.Add(new ShardDescription((string)shard!["ShardId"]!, (string)shard["HashKeyRange"]!["StartingHashKey"]!,
                    (string)shard["HashKeyRange"]!["EndingHashKey"]!, (string)shard["SequenceNumberRange"]!["StartingSequenceNumber"]!,
                    (string?)shard["SequenceNumberRange"]!["EndingSequenceNumber"], (string?)shard["ParentShardId"], (string?)shard["AdjacentParentShardId"]));
            next = (string?)page["NextToken"];
        } while (next is not null);
        return shards;
    }

    public async Task<PutRecordResult> PutRecordAsync(string streamName, ReadOnlyMemory<byte> data, string partitionKey, string? explicitHashKey = null, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject { ["StreamName"] = streamName, ["Data"] = Convert.ToBase64String(data.Span), ["PartitionKey"] = partitionKey };
        if (explicitHashKey is not null) request["ExplicitHashKey"] = explicitHashKey;
        var reply = await kinesis.CallAsync("PutRecord", request, cancellationToken);
        return new PutRecordResult((string)reply["ShardId"]!, (string)reply["SequenceNumber"]!);
    }

    public async Task<PutRecordsResult> PutRecordsAsync(string streamName, IReadOnlyList<PutRecordsEntry> records, CancellationToken cancellationToken = default)
    {
        var entries = new JsonArray();
        foreach (var record in records)
        {
            var entry = new JsonObject { ["Data"] = Convert.ToBase64String(record.Data.Span), ["PartitionKey"] = record.PartitionKey };
            if (record.ExplicitHashKey is not null) entry["ExplicitHashKey"] = record.ExplicitHashKey;
            entries.Add(entry);
        }
        var reply = await kinesis.CallAsync("PutRecords", new JsonObject { ["StreamName"] = streamName, ["Records"] = entries }, cancellationToken);
        var results = reply["Records"]!.AsArray().Select(r => new PutRecordsResultEntry((string?)r!["ShardId"], (string?)r["SequenceNumber"], (string?)r["ErrorCode"], (string?)r["ErrorMessage"])).ToArray();
        return new PutRecordsResult((int?)reply["FailedRecordCount"] ?? results.Count(r => !r.Succeeded), results);
    }

    public async Task<string> GetShardIteratorAsync(string streamName, string shardId, ShardIteratorType iteratorType, string? startingSequenceNumber = null, DateTimeOffset? timestamp = null, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject { ["StreamName"] = streamName, ["ShardId"] = shardId, ["ShardIteratorType"] = iteratorType.ToString() };
        if (startingSequenceNumber is not null) request["StartingSequenceNumber"] = startingSequenceNumber;
        if (timestamp is { } at) request["Timestamp"] = AwsJson.EpochSeconds(at);
        var reply = await kinesis.CallAsync("GetShardIterator", request, cancellationToken);
        var iterator = (string)reply["ShardIterator"]!;
        shardOfIterator[iterator] = shardId;
        return iterator;
    }

    public async Task<GetRecordsResult> GetRecordsAsync(string shardIterator, int limit = 10_000, CancellationToken cancellationToken = default)
    {
        var reply = await kinesis.CallAsync("GetRecords", new JsonObject { ["ShardIterator"] = shardIterator, ["Limit"] = limit }, cancellationToken);
        shardOfIterator.TryRemove(shardIterator, out var shardId);
        shardId ??= "";
        var records = Records(reply, shardId);
        var next = (string?)reply["NextShardIterator"];
        if (next is not null && shardId.Length > 0) shardOfIterator[next] = shardId;
        var children = ChildShards(reply);
        return new GetRecordsResult(records, next, (long?)reply["MillisBehindLatest"] ?? 0, children);
    }

    // Kinesis answers a reshard at once and works on it while the stream is UPDATING; these return once it is ACTIVE
    // again, so the children are listed and the next reshard is accepted.

    public async Task UpdateShardCountAsync(string streamName, int targetShardCount, CancellationToken cancellationToken = default)
    {
        await kinesis.CallAsync("UpdateShardCount", new JsonObject { ["StreamName"] = streamName, ["TargetShardCount"] = targetShardCount, ["ScalingType"] = "UNIFORM_SCALING" }, cancellationToken);
        await WaitUntilActiveAsync(streamName, cancellationToken);
    }

    public async Task SplitShardAsync(string streamName, string shardToSplit, string newStartingHashKey, CancellationToken cancellationToken = default)
    {
        await kinesis.CallAsync("SplitShard", new JsonObject { ["StreamName"] = streamName, ["ShardToSplit"] = shardToSplit, ["NewStartingHashKey"] = newStartingHashKey }, cancellationToken);
        await WaitUntilActiveAsync(streamName, cancellationToken);
    }

    public async Task MergeShardsAsync(string streamName, string shardToMerge, string adjacentShardToMerge, CancellationToken cancellationToken = default)
    {
        await kinesis.CallAsync("MergeShards", new JsonObject { ["StreamName"] = streamName, ["ShardToMerge"] = shardToMerge, ["AdjacentShardToMerge"] = adjacentShardToMerge }, cancellationToken);
        await WaitUntilActiveAsync(streamName, cancellationToken);
    }

    public async Task CreateOnDemandStreamAsync(string streamName, int retentionPeriodHours = 24, CancellationToken cancellationToken = default)
    {
        await kinesis.CallAsync("CreateStream", new JsonObject { ["StreamName"] = streamName, ["StreamModeDetails"] = new JsonObject { ["StreamMode"] = StreamModes.OnDemand } }, cancellationToken);
        await WaitUntilActiveAsync(streamName, cancellationToken);
        if (retentionPeriodHours > 24)
        {
            await kinesis.CallAsync("IncreaseStreamRetentionPeriod", new JsonObject { ["StreamName"] = streamName, ["RetentionPeriodHours"] = retentionPeriodHours }, cancellationToken);
            await WaitUntilActiveAsync(streamName, cancellationToken);
        }
    }

    public async Task UpdateStreamModeAsync(string streamArn, string streamMode, CancellationToken cancellationToken = default)
    {
        await kinesis.CallAsync("UpdateStreamMode", new JsonObject { ["StreamARN"] = streamArn, ["StreamModeDetails"] = new JsonObject { ["StreamMode"] = streamMode } }, cancellationToken);
        await WaitUntilActiveAsync(streamArn[(streamArn.LastIndexOf('/') + 1)..], cancellationToken);
    }

    public async Task<StreamConsumer> RegisterStreamConsumerAsync(string streamArn, string consumerName, CancellationToken cancellationToken = default)
    {
        var reply = await kinesis.CallAsync("RegisterStreamConsumer", new JsonObject { ["StreamARN"] = streamArn, ["ConsumerName"] = consumerName }, cancellationToken);
        return Consumer(reply["Consumer"]!, streamArn);
    }

    public async Task<StreamConsumer> DescribeStreamConsumerAsync(ConsumerReference consumer, CancellationToken cancellationToken = default)
    {
        var reply = await kinesis.CallAsync("DescribeStreamConsumer", ConsumerRequest(consumer), cancellationToken);
        var description = reply["ConsumerDescription"]!;
        return Consumer(description, (string?)description["StreamARN"] ?? consumer.StreamArn ?? "");
    }

    public async Task<IReadOnlyList<StreamConsumer>> ListStreamConsumersAsync(string streamArn, CancellationToken cancellationToken = default)
    {
        var consumers = new List<StreamConsumer>();
        string? next = null;
        do
        {
            var request = new JsonObject { ["StreamARN"] = streamArn };
            if (next is not null) request["NextToken"] = next;
            var page = await kinesis.CallAsync("ListStreamConsumers", request, cancellationToken);
            consumers.AddRange(page["Consumers"]?.AsArray().Select(c => Consumer(c!, streamArn)) ?? []);
            next = (string?)page["NextToken"];
        } while (next is not null);
        return consumers;
    }

    public async Task DeregisterStreamConsumerAsync(ConsumerReference consumer, CancellationToken cancellationToken = default) =>
        await kinesis.CallAsync("DeregisterStreamConsumer", ConsumerRequest(consumer), cancellationToken);

    /// <summary>
    /// SubscribeToShard over HTTP/2: the reply is an event stream of up to five minutes, read as it arrives. The first
    /// event (initial-response) carries nothing; each SubscribeToShardEvent becomes one event.
    /// </summary>
    public async IAsyncEnumerable<SubscribeToShardEvent> SubscribeToShardAsync(string consumerArn, string shardId, StartingPosition startingPosition,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var position = new JsonObject { ["Type"] = startingPosition.Type.ToString() };
        if (startingPosition.SequenceNumber is not null) position["SequenceNumber"] = startingPosition.SequenceNumber;
        if (startingPosition.Timestamp is { } at) position["Timestamp"] = AwsJson.EpochSeconds(at);
        var request = new JsonObject { ["ConsumerARN"] = consumerArn, ["ShardId"] = shardId, ["StartingPosition"] = position };
        await foreach (var (eventType, payload) in kinesis.EventStreamAsync("SubscribeToShard", request, cancellationToken))
        {
            if (eventType != "SubscribeToShardEvent") continue;
            yield return new SubscribeToShardEvent(Records(payload, shardId), (string?)payload["ContinuationSequenceNumber"],
                (long?)payload["MillisBehindLatest"] ?? 0, ChildShards(payload));
        }
    }

    private static StreamRecord[] Records(JsonObject reply, string shardId) =>
        reply["Records"]?.AsArray().Select(r => new StreamRecord(shardId, (string)r!["SequenceNumber"]!,
            AwsJson.Timestamp(r["ApproximateArrivalTimestamp"]), (string)r["PartitionKey"]!, Convert.FromBase64String((string)r["Data"]!))).ToArray() ?? [];

    private static ChildShard[]? ChildShards(JsonObject reply) =>
        reply["ChildShards"]?.AsArray().Select(c => new ChildShard((string)c!["ShardId"]!,
            c["ParentShards"]!.AsArray().Select(p => (string)p!).ToArray(),
            (string)c["HashKeyRange"]!["StartingHashKey"]!, (string)c["HashKeyRange"]!["EndingHashKey"]!)).ToArray();

    private static JsonObject ConsumerRequest(ConsumerReference consumer)
    {
        var request = new JsonObject();
        if (consumer.ConsumerArn is not null) request["ConsumerARN"] = consumer.ConsumerArn;
        if (consumer.StreamArn is not null) request["StreamARN"] = consumer.StreamArn;
        if (consumer.ConsumerName is not null) request["ConsumerName"] = consumer.ConsumerName;
        return request;
    }

    private static StreamConsumer Consumer(JsonNode node, string streamArn) =>
        new((string)node["ConsumerName"]!, (string)node["ConsumerARN"]!, (string)node["ConsumerStatus"]!, AwsJson.Timestamp(node["ConsumerCreationTimestamp"]), streamArn);

    public void Dispose() => kinesis.Dispose();
}

/// <summary>How JSON 1.1 services write timestamps: seconds since the epoch, with a fraction.</summary>
internal static class AwsJson
{
    public static DateTimeOffset Timestamp(JsonNode? node) => node switch
    {
        null => DateTimeOffset.MinValue,
        JsonValue value when value.TryGetValue<double>(out var seconds) => DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)),
        JsonValue value when value.TryGetValue<string>(out var text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new InvalidDataException($"'{node}' is not a timestamp."),
    };

    public static double EpochSeconds(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / 1000.0;
}
