using System.Globalization;
using System.Text.Json.Nodes;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Serve;

/// <summary>
/// Kinesis Data Streams on JSON 1.1, over the local stream: the requests and answers as the service's API
/// reference spells them (record data base64 encoded, times in epoch seconds).
/// </summary>
internal sealed class KinesisHandler(IStreamService stream)
{
    public const string TargetPrefix = "Kinesis_20131202";

    /// <summary>The operations this endpoint answers, in the order the API reference lists them.</summary>
    public static readonly IReadOnlyList<string> Operations =
        ["CreateStream", "DeleteStream", "DescribeStreamSummary", "GetRecords", "GetShardIterator", "ListShards", "ListStreams", "PutRecord", "PutRecords"];

    public async Task<JsonObject> HandleAsync(string operation, JsonObject input, CancellationToken cancellationToken)
    {
        switch (operation)
        {
            case "CreateStream":
                var mode = input["StreamModeDetails"]?["StreamMode"]?.GetValue<string>();
                if (mode == StreamModes.OnDemand)
                    await stream.CreateOnDemandStreamAsync(Required(input, "StreamName"), cancellationToken: cancellationToken);
                else
                    await stream.CreateStreamAsync(Required(input, "StreamName"), Number(input, "ShardCount") ?? throw Invalid("ShardCount is required for a PROVISIONED stream."), cancellationToken: cancellationToken);
                return [];
            case "DeleteStream":
                await stream.DeleteStreamAsync(StreamName(input), cancellationToken);
                return [];
            case "ListStreams":
                var names = await stream.ListStreamsAsync(cancellationToken);
                return new JsonObject { ["StreamNames"] = Array(names.Select(n => (JsonNode)n)), ["HasMoreStreams"] = false };
            case "DescribeStreamSummary":
                var summary = await stream.DescribeStreamSummaryAsync(StreamName(input), cancellationToken);
                return new JsonObject
                {
                    ["StreamDescriptionSummary"] = new JsonObject
                    {
                        ["StreamName"] = summary.StreamName,
                        ["StreamARN"] = summary.StreamArn,
                        ["StreamStatus"] = summary.StreamStatus,
                        ["StreamModeDetails"] = new JsonObject { ["StreamMode"] = summary.StreamModeDetails },
                        ["RetentionPeriodHours"] = summary.RetentionPeriodHours,
                        ["StreamCreationTimestamp"] = EpochSeconds(summary.StreamCreationTimestamp),
                        ["EnhancedMonitoring"] = new JsonArray(new JsonObject { ["ShardLevelMetrics"] = new JsonArray() }),
                        ["EncryptionType"] = "NONE",
                        ["OpenShardCount"] = summary.OpenShardCount,
                    },
                };
            case "ListShards":
                var shards = await stream.ListShardsAsync(StreamName(input), cancellationToken);
                return new JsonObject { ["Shards"] = Array(shards.Select(Shard)) };
            case "PutRecord":
                var put = await stream.PutRecordAsync(StreamName(input), Data(input), Required(input, "PartitionKey"), Optional(input, "ExplicitHashKey"), cancellationToken);
                return new JsonObject { ["ShardId"] = put.ShardId, ["SequenceNumber"] = put.SequenceNumber, ["EncryptionType"] = "NONE" };
            case "PutRecords":
                var entries = (input["Records"] as JsonArray ?? throw Invalid("Records is required: a list of 1 to 500 records."))
                    .Select(r => r as JsonObject ?? throw Invalid("Each of Records must be an object with Data and PartitionKey."))
                    .Select(r => new PutRecordsEntry(Data(r), Required(r, "PartitionKey"), Optional(r, "ExplicitHashKey")))
                    .ToList();
                var putMany = await stream.PutRecordsAsync(StreamName(input), entries, cancellationToken);
                return new JsonObject
                {
                    ["FailedRecordCount"] = putMany.FailedRecordCount,
                    ["Records"] = Array(putMany.Records.Select(r => (JsonNode)(r.Succeeded
                        ? new JsonObject { ["SequenceNumber"] = r.SequenceNumber, ["ShardId"] = r.ShardId }
                        : new JsonObject { ["ErrorCode"] = r.ErrorCode, ["ErrorMessage"] = r.ErrorMessage }))),
                    ["EncryptionType"] = "NONE",
                };
            case "GetShardIterator":
                var typeText = Required(input, "ShardIteratorType");
                if (!Enum.TryParse<ShardIteratorType>(typeText, ignoreCase: false, out var type) || !Enum.IsDefined(type))
                    throw Invalid($"ShardIteratorType '{typeText}' is not one of {string.Join(", ", Enum.GetNames<ShardIteratorType>())}.");
                DateTimeOffset? timestamp = input["Timestamp"] is { } at ? DateTimeOffset.FromUnixTimeMilliseconds((long)(at.GetValue<double>() * 1000)) : null;
                var iterator = await stream.GetShardIteratorAsync(StreamName(input), Required(input, "ShardId"), type, Optional(input, "StartingSequenceNumber"), timestamp, cancellationToken);
                return new JsonObject { ["ShardIterator"] = iterator };
            case "GetRecords":
                var read = await stream.GetRecordsAsync(Required(input, "ShardIterator"), Number(input, "Limit") ?? LocalStreamService.MaxGetRecordsLimit, cancellationToken);
                var answer = new JsonObject
                {
                    ["Records"] = Array(read.Records.Select(r => (JsonNode)new JsonObject
                    {
                        ["SequenceNumber"] = r.SequenceNumber,
                        ["ApproximateArrivalTimestamp"] = EpochSeconds(r.ApproximateArrivalTimestamp),
                        ["Data"] = Convert.ToBase64String(r.Data.Span),
                        ["PartitionKey"] = r.PartitionKey,
                    })),
                    ["MillisBehindLatest"] = read.MillisBehindLatest,
                };
                if (read.NextShardIterator is { } next) answer["NextShardIterator"] = next;
                if (read.ChildShards is { } children)
                    answer["ChildShards"] = Array(children.Select(c => (JsonNode)new JsonObject
                    {
                        ["ShardId"] = c.ShardId,
                        ["ParentShards"] = Array(c.ParentShards.Select(p => (JsonNode)p)),
                        ["HashKeyRange"] = new JsonObject { ["StartingHashKey"] = c.StartingHashKey, ["EndingHashKey"] = c.EndingHashKey },
                    }));
                return answer;
            default:
                throw new ServiceException("kinesis", "UnknownOperationException",
                    $"Kinesis operation '{operation}' is not served by the local endpoint yet; it serves {string.Join(", ", Operations)}.");
        }
    }

    private static JsonNode Shard(ShardDescription shard)
    {
        var sequence = new JsonObject { ["StartingSequenceNumber"] = shard.StartingSequenceNumber };
        if (shard.EndingSequenceNumber is { } end) sequence["EndingSequenceNumber"] = end;
        var answer = new JsonObject { ["ShardId"] = shard.ShardId };
        if (shard.ParentShardId is { } parent) answer["ParentShardId"] = parent;
        if (shard.AdjacentParentShardId is { } adjacent) answer["AdjacentParentShardId"] = adjacent;
        answer["HashKeyRange"] = new JsonObject { ["StartingHashKey"] = shard.StartingHashKey, ["EndingHashKey"] = shard.EndingHashKey };
        answer["SequenceNumberRange"] = sequence;
        return answer;
    }

    /// <summary>The stream a request names, by StreamName or by StreamARN (whose last part is the name).</summary>
    private static string StreamName(JsonObject input)
    {
        if (Optional(input, "StreamName") is { } name) return name;
        if (Optional(input, "StreamARN") is { } arn && arn.IndexOf(":stream/", StringComparison.Ordinal) is var at and >= 0) return arn[(at + 8)..];
        throw Invalid("StreamName (or StreamARN) is required.");
    }

    private static ReadOnlyMemory<byte> Data(JsonObject input)
    {
        var text = Optional(input, "Data") ?? throw Invalid("Data is required: the record's bytes, base64 encoded.");
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new ServiceException("kinesis", "SerializationException", "Data is not valid base64; the AWS SDKs and CLI encode the record's bytes for you.");
        }
    }

    private static string Required(JsonObject input, string name) => Optional(input, name) ?? throw Invalid($"{name} is required.");

    private static string? Optional(JsonObject input, string name) => input[name] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => throw Invalid($"{name} must be a string."),
    };

    private static int? Number(JsonObject input, string name) => input[name] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<int>(out var number) => number,
        _ => throw Invalid($"{name} must be a whole number."),
    };

    private static JsonArray Array(IEnumerable<JsonNode?> items) => new(items.ToArray());

    private static double EpochSeconds(DateTimeOffset time) => Math.Round(time.ToUnixTimeMilliseconds() / 1000.0, 3);

    private static ValidationException Invalid(string message) => new("kinesis", message);
}
