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
        ["CreateStream", "DeleteStream", "DescribeStream", "DescribeStreamSummary", "GetRecords", "GetShardIterator", "ListShards", "ListStreams", "PutRecord", "PutRecords"];

    public async Task<JsonObject> HandleAsync(string operation, JsonObject input, CancellationToken cancellationToken)
    {
        switch (operation)
        {
            case "CreateStream":
                var mode = input["StreamModeDetails"]?["StreamMode"]?.GetValue<string>();
                // A misspelt mode would otherwise make a provisioned stream without a word.
                if (mode is not (null or StreamModes.Provisioned or StreamModes.OnDemand))
                    throw Invalid($"1 validation error detected: Value '{mode}' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [{StreamModes.Provisioned}, {StreamModes.OnDemand}]");
                if (mode == StreamModes.OnDemand)
                    await stream.CreateOnDemandStreamAsync(Required(input, "StreamName"), cancellationToken: cancellationToken);
                else
                    await stream.CreateStreamAsync(Required(input, "StreamName"), Number(input, "ShardCount") ?? throw Invalid("ShardCount is required for a PROVISIONED stream."), cancellationToken: cancellationToken);
                return [];
            case "DeleteStream":
                await stream.DeleteStreamAsync(StreamName(input), cancellationToken);
                return [];
            case "ListStreams":
            {
                // A page of names in order, after ExclusiveStartStreamName or where NextToken left off.
                var limit = Bounded(input, "Limit", 1, 10_000) ?? 100;
                var after = Optional(input, "NextToken") is { } token ? Page.Read(token, "ListStreams").After : Optional(input, "ExclusiveStartStreamName");
                var names = (await stream.ListStreamsAsync(cancellationToken)).Order(StringComparer.Ordinal)
                    .Where(n => after is null || string.CompareOrdinal(n, after) > 0).ToList();
                var page = names.Take(limit).ToList();
                var listed = new JsonObject { ["StreamNames"] = Array(page.Select(n => (JsonNode)n)), ["HasMoreStreams"] = names.Count > limit };
                if (names.Count > limit) listed["NextToken"] = Page.Write("ListStreams", page[^1]);
                return listed;
            }
            case "DescribeStream":
            {
                // The older call, which the CLI's stream-exists and stream-not-exists waiters still make: the summary's
                // members and a page of the shards.
                var name = StreamName(input);
                var limit = Bounded(input, "Limit", 1, 10_000) ?? 100;
                var after = Optional(input, "ExclusiveStartShardId") ?? "";
                var described = Described(await stream.DescribeStreamSummaryAsync(name, cancellationToken));
                var shards = await ShardsAfterAsync(name, after, cancellationToken);
                described["Shards"] = Array(shards.Take(limit).Select(Shard));
                described["HasMoreShards"] = shards.Count > limit;
                return new JsonObject { ["StreamDescription"] = described };
            }
            case "DescribeStreamSummary":
            {
                var summary = await stream.DescribeStreamSummaryAsync(StreamName(input), cancellationToken);
                var described = Described(summary);
                described["OpenShardCount"] = summary.OpenShardCount;
                return new JsonObject { ["StreamDescriptionSummary"] = described };
            }
            case "ListShards":
            {
                // NextToken names the stream and the last shard given, so it comes without StreamName, as on Kinesis.
                var limit = Bounded(input, "MaxResults", 1, 10_000) ?? 1_000;
                string name, after;
                if (Optional(input, "NextToken") is { } token)
                {
                    if (Optional(input, "StreamName") is not null || Optional(input, "StreamARN") is not null)
                        throw new InvalidArgumentException("kinesis", "NextToken and StreamName cannot be provided together: the token names its stream.");
                    (name, after) = Page.Read(token, "ListShards");
                }
                else (name, after) = (StreamName(input), Optional(input, "ExclusiveStartShardId") ?? "");
                var shards = await ShardsAfterAsync(name, after, cancellationToken);
                var page = shards.Take(limit).ToList();
                var listed = new JsonObject { ["Shards"] = Array(page.Select(Shard)) };
                if (shards.Count > limit) listed["NextToken"] = Page.Write("ListShards", name, page[^1].ShardId);
                return listed;
            }
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

    /// <summary>The stream's shards after the one named (all of them after ""), in shard id order, for a page.</summary>
    private async Task<List<ShardDescription>> ShardsAfterAsync(string name, string after, CancellationToken cancellationToken) =>
        (await stream.ListShardsAsync(name, cancellationToken)).Where(s => string.CompareOrdinal(s.ShardId, after) > 0).ToList();

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
        if (Optional(input, "StreamARN") is { } arn)
            return arn.IndexOf(":stream/", StringComparison.Ordinal) is var at and >= 0
                ? arn[(at + 8)..]
                : throw Invalid($"StreamARN '{arn}' is not a stream's ARN; give one such as arn:aws:kinesis:us-east-1:123456789012:stream/NAME, or the StreamName.");
        throw Invalid("StreamName (or StreamARN) is required.");
    }

    /// <summary>A whole-number member within the service's range, its ValidationException naming the value otherwise.</summary>
    private static int? Bounded(JsonObject input, string name, int least, int most)
    {
        var number = Number(input, name);
        var broken = number < least ? $"greater than or equal to {least}" : number > most ? $"less than or equal to {most}" : null;
        return broken is null
            ? number
            : throw Invalid($"1 validation error detected: Value '{number}' at '{char.ToLowerInvariant(name[0])}{name[1..]}' failed to satisfy constraint: Member must have value {broken}");
    }

    /// <summary>The opaque NextToken of a listing: which listing it is for and where the last page ended.</summary>
    private static class Page
    {
        public static string Write(string operation, string stream, string? after = null) =>
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', operation, stream, after ?? "")));

        public static (string Stream, string After) Read(string token, string operation)
        {
            string[] parts;
            try
            {
                parts = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('\n');
            }
            catch (FormatException)
            {
                parts = [];
            }
            if (parts.Length != 3 || parts[0] != operation)
                throw new InvalidArgumentException("kinesis", $"NextToken '{token}' is not one a {operation} answer gave; start again without it.");
            return operation == "ListStreams" ? ("", parts[1]) : (parts[1], parts[2]);
        }
    }

    /// <summary>The members DescribeStream and DescribeStreamSummary both give.</summary>
    private static JsonObject Described(StreamSummary summary) => new()
    {
        ["StreamName"] = summary.StreamName,
        ["StreamARN"] = summary.StreamArn,
        ["StreamStatus"] = summary.StreamStatus,
        ["StreamModeDetails"] = new JsonObject { ["StreamMode"] = summary.StreamModeDetails },
        ["RetentionPeriodHours"] = summary.RetentionPeriodHours,
        ["StreamCreationTimestamp"] = EpochSeconds(summary.StreamCreationTimestamp),
        ["EnhancedMonitoring"] = new JsonArray(new JsonObject { ["ShardLevelMetrics"] = new JsonArray() }),
        ["EncryptionType"] = "NONE",
    };

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
