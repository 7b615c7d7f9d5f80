using StreamingWorkshop;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Delivery;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Broker;

/// <summary>A shard's read limits on the clock: 5 GetRecords calls per second and 2 MiB per second, shared by every reader of the shard.</summary>
public sealed class ReadLimitTests() : LocalStreamTest()
{
    private Task<string> Iterator() => Service.GetShardIteratorAsync("weather", Shard, ShardIteratorType.LATEST);

    [Fact]
    public async Task Five_GetRecords_calls_in_a_second_are_served_and_the_sixth_is_refused_whichever_reader_makes_it()
    {
        var first = await Iterator();
        var second = await Iterator();
        for (var i = 0; i < 3; i++) first = (await Service.GetRecordsAsync(first)).NextShardIterator!;
        for (var i = 0; i < 2; i++) second = (await Service.GetRecordsAsync(second)).NextShardIterator!;

        var refused = await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => Service.GetRecordsAsync(first));
        Clock.Advance(TimeSpan.FromSeconds(1));
        var servedAgain = await Service.GetRecordsAsync(second);

        Assert.Contains("Rate exceeded for Shard - shardId-000000000000 in stream weather", refused.Message);
        Assert.NotNull(servedAgain.NextShardIterator);
    }

    [Fact]
    public async Task A_read_refused_on_a_standing_clock_says_how_to_move_it_on_and_on_a_live_one_to_wait()
    {
        // A learner runs a reading cell again and again: the replay's clock stands still between cells.
        var iterator = await Iterator();
        for (var i = 0; i < 5; i++) iterator = (await Service.GetRecordsAsync(iterator)).NextShardIterator!;
        var standing = await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => Service.GetRecordsAsync(iterator));
        Clock.Advance(TimeSpan.FromSeconds(1));
        Clock.StartLive(speed: 0.001); // following the wall clock, slowly enough that the six calls share one second
        try
        {
            var live = await Iterator();
            for (var i = 0; i < 5; i++) live = (await Service.GetRecordsAsync(live)).NextShardIterator!;
            var following = await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => Service.GetRecordsAsync(live));
            Assert.EndsWith("to all its consumers together; wait a second (of the clock) and read again.", following.Message);
        }
        finally
        {
            Clock.StopLive();
        }

        Assert.EndsWith("to all its consumers together; the clock does not move by itself here, so move it on a second " +
            "(Clock.Advance(TimeSpan.FromSeconds(1)) in a notebook, or a replay) and read again.", standing.Message);
    }

    [Fact]
    public async Task Ten_megabytes_read_at_once_are_owed_so_the_shard_refuses_reads_until_the_2_MiB_a_second_pays_them_back()
    {
        await PutReadingsAsync(1, 10);
        var iterator = await Service.GetShardIteratorAsync("weather", Shard, ShardIteratorType.TRIM_HORIZON);
        var big = await Service.GetRecordsAsync(iterator);

        // Owed 10,000,000 bytes; 2 MiB = 2,097,152 bytes a second: after 3 s still 3,708,544 owed, after 4 s 1,611,392.
        Clock.Advance(TimeSpan.FromSeconds(3));
        await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => Service.GetRecordsAsync(big.NextShardIterator!));
        Clock.Advance(TimeSpan.FromSeconds(1));
        var after = await Service.GetRecordsAsync(big.NextShardIterator!);

        Assert.Equal(10, big.Records.Count);
        Assert.Empty(after.Records);
    }

    [Fact]
    public async Task The_delivery_stream_waits_out_a_refused_read_and_delivers_everything_at_a_later_poll()
    {
        const string bucket = "lake-bucket";
        var lake = new LocalObjectStore(Temp.Workspace, Clock);
        await lake.CreateBucketAsync(bucket);
        using var delivery = new LocalDeliveryStream(WorkshopSession.WorkshopDeliveryConfig("delivery", "weather", bucket), Service, lake, Temp.Workspace, Clock);
        await PutReadingsAsync(1, 10);
        await delivery.PollAsync();          // reads 10,000,000 bytes in one call
        await PutReadingsAsync(11, 11);           // one second later: 7,902,848 bytes still owed
        await delivery.PollAsync();
        var throttledAfterOneSecond = delivery.Metrics.ReadThrottled;

        Clock.Advance(TimeSpan.FromSeconds(4)); // five seconds after the big read: nothing owed
        await delivery.PollAsync();
        await delivery.FlushAllAsync();

        Assert.Equal(1, throttledAfterOneSecond);
        Assert.Equal(Enumerable.Range(1, 11).Select(t => $"\"t\":{t},").ToList(),
            LakeFiles.Lines(Temp.Root, bucket, "").Select(l => System.Text.RegularExpressions.Regex.Match(l.Line, "\"t\":[0-9]+,").Value).ToList());
    }
}
