using System.Text;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Errors;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Broker;

/// <summary>
/// Enhanced fan-out on the local stream: consumers (register, describe, list, deregister) with their statuses and limits,
/// and SubscribeToShard with its lifetime, starting positions, one subscription per consumer and shard, and its own
/// 2 MiB/s per shard, apart from the allowance GetRecords readers share.
/// </summary>
public sealed class FanOutTests() : LocalStreamTest()
{
    private const string StreamArn = "arn:aws:kinesis:us-east-1:123456789012:stream/weather";

    private async Task<string> ActiveConsumer(string name)
    {
        var consumer = await Service.RegisterStreamConsumerAsync(StreamArn, name);
        Clock.Advance(TimeSpan.FromSeconds(10));
        return consumer.ConsumerArn;
    }

    private static string Text(StreamRecord record) => Encoding.UTF8.GetString(record.Data.Span);

    [Fact]
    public async Task A_registered_consumer_is_CREATING_for_ten_seconds_of_the_clock_then_ACTIVE_under_an_ARN_naming_stream_name_and_creation_time()
    {
        Clock.Advance(TimeSpan.FromSeconds(10));
        var registered = await Service.RegisterStreamConsumerAsync(StreamArn, "dashboard");
        Clock.Advance(TimeSpan.FromSeconds(9));
        var stillCreating = await Service.DescribeStreamConsumerAsync(ConsumerReference.ByName(StreamArn, "dashboard"));
        Clock.Advance(TimeSpan.FromSeconds(1));
        var active = await Service.DescribeStreamConsumerAsync(ConsumerReference.ByArn(registered.ConsumerArn));

        // 2025-01-14 09:00:10 UTC is 1736845210 seconds after the epoch.
        Assert.Equal("arn:aws:kinesis:us-east-1:123456789012:stream/weather/consumer/dashboard:1736845210", registered.ConsumerArn);
        Assert.Equal(("CREATING", "CREATING", "ACTIVE"), (registered.ConsumerStatus, stillCreating.ConsumerStatus, active.ConsumerStatus));
        Assert.Equal(StreamArn, active.StreamArn);
        Assert.Equal(Start.AddSeconds(10), active.ConsumerCreationTimestamp);
    }

    [Fact]
    public async Task A_second_consumer_of_the_same_name_is_refused_and_a_stream_takes_twenty_consumers_at_most_five_of_them_CREATING()
    {
        await Service.RegisterStreamConsumerAsync(StreamArn, "dashboard");
        var duplicate = await Assert.ThrowsAsync<ResourceInUseException>(() => Service.RegisterStreamConsumerAsync(StreamArn, "dashboard"));
        for (var i = 1; i <= 4; i++) await Service.RegisterStreamConsumerAsync(StreamArn, $"reader-{i}");
        var sixthCreating = await Assert.ThrowsAsync<LimitExceededException>(() => Service.RegisterStreamConsumerAsync(StreamArn, "reader-5"));
        for (var i = 5; i <= 19; i++)
        {
            if (i % 5 == 0) Clock.Advance(TimeSpan.FromSeconds(10));
            await Service.RegisterStreamConsumerAsync(StreamArn, $"reader-{i}");
        }
        Clock.Advance(TimeSpan.FromSeconds(10));
        var twentyFirst = await Assert.ThrowsAsync<LimitExceededException>(() => Service.RegisterStreamConsumerAsync(StreamArn, "reader-20"));

        Assert.Contains("already exists", duplicate.Message);
        Assert.Contains("CREATING", sixthCreating.Message);
        Assert.Contains("20 registered consumers", twentyFirst.Message);
        Assert.Equal(20, (await Service.ListStreamConsumersAsync(StreamArn)).Count);
    }

    [Fact]
    public async Task A_deregistered_consumer_is_DELETING_then_gone_and_its_name_can_be_used_again()
    {
        var arn = await ActiveConsumer("dashboard");
        await Service.DeregisterStreamConsumerAsync(ConsumerReference.ByArn(arn));
        var deleting = await Service.ListStreamConsumersAsync(StreamArn);
        var nameTaken = await Assert.ThrowsAsync<ResourceInUseException>(() => Service.RegisterStreamConsumerAsync(StreamArn, "dashboard"));
        Clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(["dashboard DELETING"], deleting.Select(c => $"{c.ConsumerName} {c.ConsumerStatus}"));
        Assert.Contains("DELETING", nameTaken.Message);
        Assert.Empty(await Service.ListStreamConsumersAsync(StreamArn));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => Service.DescribeStreamConsumerAsync(ConsumerReference.ByArn(arn)));
        var again = await Service.RegisterStreamConsumerAsync(StreamArn, "dashboard");
        Assert.NotEqual(arn, again.ConsumerArn);
    }

    [Fact]
    public async Task Consumers_of_unknown_streams_or_names_and_malformed_ARNs_are_refused_by_name()
    {
        var unknownStream = await Assert.ThrowsAsync<ResourceNotFoundException>(() => Service.RegisterStreamConsumerAsync("arn:aws:kinesis:us-east-1:123456789012:stream/nowhere", "dashboard"));
        var otherAccount = await Assert.ThrowsAsync<ResourceNotFoundException>(() => Service.ListStreamConsumersAsync("arn:aws:kinesis:us-east-1:999999999999:stream/weather"));
        var unknownConsumer = await Assert.ThrowsAsync<ResourceNotFoundException>(() => Service.DescribeStreamConsumerAsync(ConsumerReference.ByName(StreamArn, "nobody")));
        var malformed = await Assert.ThrowsAsync<ValidationException>(() => Service.DescribeStreamConsumerAsync(ConsumerReference.ByArn("dashboard")));
        var badName = await Assert.ThrowsAsync<ValidationException>(() => Service.RegisterStreamConsumerAsync(StreamArn, "two words"));
        var neither = await Assert.ThrowsAsync<InvalidArgumentException>(() => Service.DeregisterStreamConsumerAsync(new ConsumerReference(StreamArn: StreamArn)));

        Assert.Contains("nowhere", unknownStream.Message);
        Assert.Contains("999999999999", otherAccount.Message);
        Assert.Contains("nobody", unknownConsumer.Message);
        Assert.Contains("'dashboard' at 'consumerARN'", malformed.Message);
        Assert.Contains("'two words' at 'consumerName'", badName.Message);
        Assert.Contains("ConsumerARN, or by StreamARN and ConsumerName", neither.Message);
    }

    [Fact]
    public async Task A_shared_reader_is_held_to_the_shared_limit_while_a_fan_out_consumer_reads_its_own_2_MiB_every_second()
    {
        await PutReadingsAsync(1, 10);
        var arn = await ActiveConsumer("dashboard");
        var sharedIterator = await Service.GetShardIteratorAsync("weather", Shard, ShardIteratorType.TRIM_HORIZON);
        var shared = await Service.GetRecordsAsync(sharedIterator);

        var recordsPerEvent = new List<int>();
        var bytesPerEvent = new List<long>();
        var sharedRefused = new List<bool>();
        await foreach (var pushed in Service.SubscribeToShardAsync(arn, Shard, StartingPosition.TrimHorizon))
        {
            recordsPerEvent.Add(pushed.Records.Count);
            bytesPerEvent.Add(pushed.Records.Sum(r => (long)r.Data.Length));
            try
            {
                await Service.GetRecordsAsync(shared.NextShardIterator!);
                sharedRefused.Add(false);
            }
            catch (ProvisionedThroughputExceededException)
            {
                sharedRefused.Add(true);
            }
            if (recordsPerEvent.Sum() == 10) break;
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        // The shared reader took 10,000,000 bytes at once and owes them at 2 MiB (2,097,152 bytes) a second: refused at
        // 0, 1, 2 and 3 s, served at 4 s (1,611,392 still owed). The consumer meanwhile gets two 1,000,000-byte records
        // (within its 2,097,152 bytes) every second.
        Assert.Equal(10, shared.Records.Count);
        Assert.Equal([2, 2, 2, 2, 2], recordsPerEvent);
        Assert.Equal([2_000_000L, 2_000_000, 2_000_000, 2_000_000, 2_000_000], bytesPerEvent);
        Assert.Equal([true, true, true, true, false], sharedRefused);
    }

    [Fact]
    public async Task Two_consumers_each_read_at_the_full_2_MiB_a_second_from_the_same_shard()
    {
        await PutReadingsAsync(1, 4);
        var first = (await Service.SubscribeToShardAsync(await ActiveConsumer("dashboard"), Shard, StartingPosition.TrimHorizon).GetAsyncEnumerator().MoveNextAndGet());
        var second = (await Service.SubscribeToShardAsync(await ActiveConsumer("archive"), Shard, StartingPosition.TrimHorizon).GetAsyncEnumerator().MoveNextAndGet());

        // Two 1,000,000-byte readings fit in one second's 2 MiB; each consumer gets both, neither waits for the other.
        Assert.Equal(["\"t\":1", "\"t\":2"], first.Records.Select(r => Text(r)[17..22]));
        Assert.Equal(["\"t\":1", "\"t\":2"], second.Records.Select(r => Text(r)[17..22]));
    }

    [Fact]
    public async Task Subscribing_again_from_the_continuation_sequence_number_misses_nothing_and_repeats_nothing()
    {
        for (var i = 1; i <= 6; i++) await Service.PutRecordAsync("weather", Encoding.UTF8.GetBytes($"r{i}"), "Dublin");
        var arn = await ActiveConsumer("dashboard");
        var firstPart = new List<string>();
        string? continuation = null;
        await foreach (var pushed in Service.SubscribeToShardAsync(arn, Shard, StartingPosition.TrimHorizon))
        {
            firstPart.AddRange(pushed.Records.Select(Text));
            continuation = pushed.ContinuationSequenceNumber;
            break;
        }
        for (var i = 7; i <= 8; i++) await Service.PutRecordAsync("weather", Encoding.UTF8.GetBytes($"r{i}"), "Dublin");
        Clock.Advance(TimeSpan.FromSeconds(5));
        var secondPart = new List<string>();
        await foreach (var pushed in Service.SubscribeToShardAsync(arn, Shard, StartingPosition.AfterSequenceNumber(continuation!)))
        {
            secondPart.AddRange(pushed.Records.Select(Text));
            break;
        }

        Assert.Equal(["r1", "r2", "r3", "r4", "r5", "r6"], firstPart);
        Assert.Equal("49000000000000000000000000000006", continuation);
        Assert.Equal(["r7", "r8"], secondPart);
    }

    [Fact]
    public async Task LATEST_and_AT_TIMESTAMP_start_where_GetShardIterator_would()
    {
        await Service.PutRecordAsync("weather", "before"u8.ToArray(), "Dublin");
        Clock.Advance(TimeSpan.FromMinutes(1));
        var middle = Clock.GetUtcNow();
        await Service.PutRecordAsync("weather", "middle"u8.ToArray(), "Dublin");
        var arn = await ActiveConsumer("dashboard");

        var latest = Service.SubscribeToShardAsync(arn, Shard, StartingPosition.Latest).GetAsyncEnumerator();
        var atLatest = await latest.MoveNextAndGet();
        await Service.PutRecordAsync("weather", "after"u8.ToArray(), "Dublin");
        Clock.Advance(TimeSpan.FromSeconds(1));
        var afterLatest = await latest.MoveNextAndGet();
        await latest.DisposeAsync();
        var byTime = await Service.SubscribeToShardAsync(arn, Shard, new StartingPosition(ShardIteratorType.AT_TIMESTAMP, Timestamp: middle)).GetAsyncEnumerator().MoveNextAndGet();

        Assert.Empty(atLatest.Records);
        Assert.Equal(["after"], afterLatest.Records.Select(Text));
        Assert.Equal(["middle", "after"], byTime.Records.Select(Text));
    }

    [Fact]
    public async Task A_consumer_still_CREATING_cannot_subscribe()
    {
        var registered = await Service.RegisterStreamConsumerAsync(StreamArn, "dashboard");
        var error = await Assert.ThrowsAsync<ResourceInUseException>(() => Service.SubscribeToShardAsync(registered.ConsumerArn, Shard, StartingPosition.TrimHorizon).GetAsyncEnumerator().MoveNextAndGet());
        Assert.Contains("CREATING, not ACTIVE", error.Message);
    }

    [Fact]
    public async Task A_second_subscription_within_five_seconds_is_refused_and_a_later_one_takes_over_ending_the_first()
    {
        var arn = await ActiveConsumer("dashboard");
        var first = Service.SubscribeToShardAsync(arn, Shard, StartingPosition.TrimHorizon).GetAsyncEnumerator();
        await first.MoveNextAndGet();
        Clock.Advance(TimeSpan.FromSeconds(4));
        var tooSoon = await Assert.ThrowsAsync<ResourceInUseException>(() => Service.SubscribeToShardAsync(arn, Shard, StartingPosition.TrimHorizon).GetAsyncEnumerator().MoveNextAndGet());
        Clock.Advance(TimeSpan.FromSeconds(1));
        var second = Service.SubscribeToShardAsync(arn, Shard, StartingPosition.TrimHorizon).GetAsyncEnumerator();
        await second.MoveNextAndGet();
        var takenOver = await Assert.ThrowsAsync<ResourceInUseException>(() => first.MoveNextAndGet());

        Assert.Contains("one subscription per consumer per shard", tooSoon.Message);
        Assert.Contains("took over", takenOver.Message);
        await second.DisposeAsync();
    }

    [Fact]
    public async Task A_subscription_ends_after_five_minutes_of_the_clock()
    {
        var arn = await ActiveConsumer("dashboard");
        var events = 0;
        await foreach (var _ in Service.SubscribeToShardAsync(arn, Shard, StartingPosition.TrimHorizon))
        {
            events++;
            Clock.Advance(TimeSpan.FromSeconds(30));
        }
        // Events at 0, 30, ... 270 s; at 300 s the subscription is over.
        Assert.Equal(10, events);
    }

    [Fact]
    public async Task At_the_end_of_a_closed_shard_the_last_event_names_the_children_and_carries_no_continuation()
    {
        await Service.PutRecordAsync("weather", "old"u8.ToArray(), "Dublin");
        var arn = await ActiveConsumer("dashboard");
        await Service.UpdateShardCountAsync("weather", 2);
        var events = new List<SubscribeToShardEvent>();
        await foreach (var pushed in Service.SubscribeToShardAsync(arn, Shard, StartingPosition.TrimHorizon)) events.Add(pushed);

        var last = Assert.Single(events);
        Assert.Equal(["old"], last.Records.Select(Text));
        Assert.Null(last.ContinuationSequenceNumber);
        Assert.Equal(["shardId-000000000001", "shardId-000000000002"], last.ChildShards!.Select(c => c.ShardId));
    }
}

internal static class EnumeratorSteps
{
    /// <summary>The next event, or a failure if the subscription ended instead.</summary>
    public static async Task<T> MoveNextAndGet<T>(this IAsyncEnumerator<T> enumerator)
    {
        Assert.True(await enumerator.MoveNextAsync(), "the subscription ended");
        return enumerator.Current;
    }
}
