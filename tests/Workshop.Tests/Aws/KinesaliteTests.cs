using System.Text;
using Amazon.Runtime;
using StreamingWorkshop.Aws;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Errors;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Aws;

public sealed class KinesalitePeer : IDisposable
{
    public NodePeer Peer { get; } = NodePeer.Kinesalite();
    public void Dispose() => Peer.Dispose();
}

/// <summary>The stream stage through the AWS backend against kinesalite, which speaks the Kinesis wire protocol.</summary>
public sealed class KinesaliteTests(KinesalitePeer kinesalite) : IClassFixture<KinesalitePeer>
{
    private KinesisStreamService Connect()
    {
        var endpoint = kinesalite.Peer.Endpoint.ToString();
        var settings = AwsSettings.WithCredentials("eu-west-1", new BasicAWSCredentials("AKIDKINESALITE01", "kinesalite-secret-key"),
            name => name == "AWS_ENDPOINT_URL_KINESIS" ? endpoint : null);
        return new AwsClients(settings).Kinesis();
    }

    private static string NewStreamName() => $"weather-{Guid.NewGuid():N}"[..24];

    [Fact]
    public async Task Create_then_describe_and_list_shards()
    {
        using var kinesis = Connect();
        var name = NewStreamName();
        await kinesis.CreateStreamAsync(name, shardCount: 2);

        var summary = await kinesis.DescribeStreamSummaryAsync(name);
        Assert.Equal(name, summary.StreamName);
        Assert.Equal("ACTIVE", summary.StreamStatus);
        Assert.Equal(2, summary.OpenShardCount);
        Assert.Equal(24, summary.RetentionPeriodHours);
        Assert.StartsWith("arn:aws:kinesis:", summary.StreamArn);
        Assert.EndsWith($":stream/{name}", summary.StreamArn);
        Assert.Contains(name, await kinesis.ListStreamsAsync());

        var shards = await kinesis.ListShardsAsync(name);
        Assert.Equal(["shardId-000000000000", "shardId-000000000001"], shards.Select(s => s.ShardId));
        Assert.Equal("0", shards[0].StartingHashKey);
        Assert.Equal("340282366920938463463374607431768211455", shards[1].EndingHashKey);
    }

    [Fact]
    public async Task Split_then_merge_closes_parents_and_lists_children_with_their_parents()
    {
        using var kinesis = Connect();
        var name = NewStreamName();
        await kinesis.CreateStreamAsync(name, shardCount: 1);
        await kinesis.PutRecordAsync(name, "before"u8.ToArray(), "Dublin");

        await kinesis.SplitShardAsync(name, "shardId-000000000000", "170141183460469231731687303715884105728");
        await kinesis.MergeShardsAsync(name, "shardId-000000000001", "shardId-000000000002");

        var shards = await kinesis.ListShardsAsync(name);
        Assert.Equal([
            "shardId-000000000000 closed <-",
            "shardId-000000000001 closed <- shardId-000000000000",
            "shardId-000000000002 closed <- shardId-000000000000",
            "shardId-000000000003 open <- shardId-000000000001+shardId-000000000002",
        ], shards.Select(s => $"{s.ShardId} {(s.IsOpen ? "open" : "closed")} <- {string.Join('+', s.Parents)}".TrimEnd()));
        Assert.Equal(("0", "340282366920938463463374607431768211455"), (shards[3].StartingHashKey, shards[3].EndingHashKey));
        var iterator = await kinesis.GetShardIteratorAsync(name, "shardId-000000000000", ShardIteratorType.TRIM_HORIZON);
        var records = await kinesis.GetRecordsAsync(iterator);
        var end = await kinesis.GetRecordsAsync(records.NextShardIterator!);
        Assert.Equal(["before"], records.Records.Select(r => Encoding.UTF8.GetString(r.Data.Span)));
        Assert.Null(end.NextShardIterator);
    }

    [Fact]
    public async Task Put_single_and_batch_then_read_from_every_iterator_type()
    {
        using var kinesis = Connect();
        var name = NewStreamName();
        await kinesis.CreateStreamAsync(name, shardCount: 1);
        var shard = (await kinesis.ListShardsAsync(name))[0].ShardId;
        var latest = await kinesis.GetShardIteratorAsync(name, shard, ShardIteratorType.LATEST);
        var beforeAll = DateTimeOffset.UtcNow.AddSeconds(-5);

        var first = await kinesis.PutRecordAsync(name, Encoding.UTF8.GetBytes("{\"city\":\"Dublin\"}"), "Dublin");
        var batch = await kinesis.PutRecordsAsync(name, new[] { "Cork", "Galway", "Limerick" }.Select(city =>
            new PutRecordsEntry(Encoding.UTF8.GetBytes($"{{\"city\":\"{city}\"}}"), city)).ToArray());

        Assert.Equal(shard, first.ShardId);
        Assert.Equal(0, batch.FailedRecordCount);
        Assert.All(batch.Records, r => Assert.True(r.Succeeded));
        var sequence = new[] { first.SequenceNumber }.Concat(batch.Records.Select(r => r.SequenceNumber!)).ToArray();

        async Task<string[]> Read(ShardIteratorType type, string? at = null, DateTimeOffset? timestamp = null)
        {
            var iterator = await kinesis.GetShardIteratorAsync(name, shard, type, at, timestamp);
            var result = await kinesis.GetRecordsAsync(iterator, 100);
            Assert.All(result.Records, r => Assert.Equal(shard, r.ShardId));
            return result.Records.Select(r => Encoding.UTF8.GetString(r.Data.Span)).ToArray();
        }

        string[] cities = ["Dublin", "Cork", "Galway", "Limerick"];
        string[] Json(IEnumerable<string> names) => names.Select(c => $"{{\"city\":\"{c}\"}}").ToArray();
        Assert.Equal(Json(cities), await Read(ShardIteratorType.TRIM_HORIZON));
        Assert.Equal(Json(cities[1..]), await Read(ShardIteratorType.AT_SEQUENCE_NUMBER, sequence[1]));
        Assert.Equal(Json(cities[2..]), await Read(ShardIteratorType.AFTER_SEQUENCE_NUMBER, sequence[1]));
        Assert.Equal(Json(cities), await Read(ShardIteratorType.AT_TIMESTAMP, timestamp: beforeAll));
        Assert.Empty(await Read(ShardIteratorType.LATEST));

        // The LATEST iterator taken before the puts sees all four, with their partition keys and arrival times.
        var fromLatest = await kinesis.GetRecordsAsync(latest, 100);
        Assert.Equal(cities, fromLatest.Records.Select(r => r.PartitionKey));
        Assert.Equal(sequence, fromLatest.Records.Select(r => r.SequenceNumber));
        Assert.All(fromLatest.Records, r => Assert.InRange(r.ApproximateArrivalTimestamp, beforeAll, DateTimeOffset.UtcNow.AddSeconds(5)));
        Assert.NotNull(fromLatest.NextShardIterator);
        var afterEnd = await kinesis.GetRecordsAsync(fromLatest.NextShardIterator!, 100);
        Assert.Empty(afterEnd.Records);

        // The iterator past the end is still live: a record put later is read through it, from this shard.
        await kinesis.PutRecordAsync(name, Encoding.UTF8.GetBytes("{\"city\":\"Sligo\"}"), "Sligo");
        var later = Assert.Single((await kinesis.GetRecordsAsync(afterEnd.NextShardIterator!, 10)).Records);
        Assert.Equal(shard, later.ShardId);
        Assert.Equal("Sligo", later.PartitionKey);
        Assert.Equal("{\"city\":\"Sligo\"}", Encoding.UTF8.GetString(later.Data.Span));
    }

    [Fact]
    public async Task Explicit_hash_key_picks_the_shard()
    {
        using var kinesis = Connect();
        var name = NewStreamName();
        await kinesis.CreateStreamAsync(name, shardCount: 2);
        var shards = await kinesis.ListShardsAsync(name);
        var put = await kinesis.PutRecordAsync(name, "x"u8.ToArray(), "any-key", explicitHashKey: shards[1].StartingHashKey);
        Assert.Equal(shards[1].ShardId, put.ShardId);
    }

    [Fact]
    public async Task Service_errors_become_the_kits_exceptions()
    {
        using var kinesis = Connect();
        var missing = await Assert.ThrowsAsync<ResourceNotFoundException>(() => kinesis.DescribeStreamSummaryAsync("no-such-stream"));
        Assert.Equal("kinesis", missing.Service);
        Assert.Contains("no-such-stream", missing.Message);
        Assert.Contains("DescribeStreamSummary", missing.Message);

        var name = NewStreamName();
        await kinesis.CreateStreamAsync(name, 1);
        await Assert.ThrowsAsync<ResourceInUseException>(() => kinesis.CreateStreamAsync(name, 1));
        var invalid = await Assert.ThrowsAnyAsync<ServiceException>(() => kinesis.PutRecordAsync(name, "x"u8.ToArray(), ""));
        Assert.Equal("ValidationException", invalid.ErrorCode);
    }
}
