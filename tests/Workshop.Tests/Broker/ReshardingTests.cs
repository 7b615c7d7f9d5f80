using System.Text;
using StreamingWorkshop;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Delivery;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Broker;

/// <summary>SplitShard, MergeShards and UpdateShardCount: parents and children, closed shards, status, limits, and order across a reshard.</summary>
public sealed class ReshardingTests() : LocalStreamTest(shardCount: null)
{
    // 2^127, 2^126 and 2^128 - 1 written out, so no expected value comes from the kit's own arithmetic.
    private const string Half = "170141183460469231731687303715884105728";
    private const string HalfMinusOne = "170141183460469231731687303715884105727";
    private const string Quarter = "85070591730234615865843651857942052864";
    private const string QuarterMinusOne = "85070591730234615865843651857942052863";
    private const string ThreeQuarters = "255211775190703847597530955573826158592";
    private const string Top = "340282366920938463463374607431768211455";

    private Task<PutRecordResult> Put(string stream, string text, string key) => Service.PutRecordAsync(stream, Encoding.UTF8.GetBytes(text), key);

    private async Task<Dictionary<string, ShardDescription>> Shards(string stream) =>
        (await Service.ListShardsAsync(stream)).ToDictionary(s => s.ShardId);

    [Fact]
    public async Task Split_closes_the_parent_after_its_last_record_and_gives_two_children_its_hash_keys()
    {
        await Service.CreateStreamAsync("weather", 1);
        await Put("weather", "a", "Dublin");
        await Put("weather", "b", "Cork");

        await Service.SplitShardAsync("weather", "shardId-000000000000", Half);

        var shards = await Shards("weather");
        Assert.Equal(["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"], shards.Keys.Order());
        Assert.Equal("49000000000000000000000000000002", shards["shardId-000000000000"].EndingSequenceNumber);
        Assert.Equal(("0", HalfMinusOne, "shardId-000000000000", (string?)null),
            (shards["shardId-000000000001"].StartingHashKey, shards["shardId-000000000001"].EndingHashKey, shards["shardId-000000000001"].ParentShardId, shards["shardId-000000000001"].EndingSequenceNumber));
        Assert.Equal((Half, Top, "shardId-000000000000"),
            (shards["shardId-000000000002"].StartingHashKey, shards["shardId-000000000002"].EndingHashKey, shards["shardId-000000000002"].ParentShardId));
    }

    [Fact]
    public async Task The_stream_is_UPDATING_for_thirty_seconds_of_the_clock_and_refuses_another_reshard_meanwhile()
    {
        await Service.CreateStreamAsync("weather", 1);
        await Service.SplitShardAsync("weather", "shardId-000000000000", Half);

        var during = await Service.DescribeStreamSummaryAsync("weather");
        var refused = await Assert.ThrowsAsync<ResourceInUseException>(() => Service.MergeShardsAsync("weather", "shardId-000000000001", "shardId-000000000002"));
        Clock.Advance(TimeSpan.FromSeconds(30));
        var after = await Service.DescribeStreamSummaryAsync("weather");

        Assert.Equal(("UPDATING", 2), (during.StreamStatus, during.OpenShardCount));
        Assert.Contains("not ACTIVE, instead in state UPDATING", refused.Message);
        Assert.Equal(("ACTIVE", 2), (after.StreamStatus, after.OpenShardCount));
    }

    [Fact]
    public async Task Reading_a_closed_shard_to_its_end_gives_no_next_iterator_and_names_the_children()
    {
        await Service.CreateStreamAsync("weather", 1);
        await Put("weather", "a", "Dublin");
        await Service.SplitShardAsync("weather", "shardId-000000000000", Half);
        await Put("weather", "b", "Dublin");

        var iterator = await Service.GetShardIteratorAsync("weather", "shardId-000000000000", ShardIteratorType.TRIM_HORIZON);
        var result = await Service.GetRecordsAsync(iterator);

        Assert.Equal(["a"], result.Records.Select(r => Encoding.UTF8.GetString(r.Data.Span)));
        Assert.Null(result.NextShardIterator);
        Assert.Equal(["shardId-000000000001 from shardId-000000000000 (0..." + HalfMinusOne + ")", "shardId-000000000002 from shardId-000000000000 (" + Half + "..." + Top + ")"],
            result.ChildShards!.Select(c => $"{c.ShardId} from {string.Join('+', c.ParentShards)} ({c.StartingHashKey}...{c.EndingHashKey})"));
    }

    [Fact]
    public async Task Records_put_after_a_split_go_to_the_children_never_to_the_closed_parent()
    {
        await Service.CreateStreamAsync("weather", 1);
        await Service.SplitShardAsync("weather", "shardId-000000000000", Half);

        var shardsUsed = new HashSet<string>();
        foreach (var city in new[] { "Dublin", "Cork", "Galway", "Limerick", "Waterford", "Sligo" })
            shardsUsed.Add((await Put("weather", "x", city)).ShardId);

        Assert.DoesNotContain("shardId-000000000000", shardsUsed);
        Assert.Subset(new HashSet<string> { "shardId-000000000001", "shardId-000000000002" }, shardsUsed);
    }

    [Fact]
    public async Task Merge_makes_one_child_with_both_ranges_naming_the_parent_and_the_adjacent_parent()
    {
        await Service.CreateStreamAsync("weather", 2);

        await Service.MergeShardsAsync("weather", "shardId-000000000001", "shardId-000000000000");

        var child = (await Shards("weather"))["shardId-000000000002"];
        Assert.Equal(("0", Top, "shardId-000000000001", "shardId-000000000000", true),
            (child.StartingHashKey, child.EndingHashKey, child.ParentShardId, child.AdjacentParentShardId, child.IsOpen));
        Assert.Equal(1, (await Service.DescribeStreamSummaryAsync("weather")).OpenShardCount);
    }

    [Fact]
    public async Task UpdateShardCount_from_two_to_four_splits_each_shard_into_equal_quarters()
    {
        await Service.CreateStreamAsync("weather", 2);

        await Service.UpdateShardCountAsync("weather", 4);

        var open = (await Service.ListShardsAsync("weather")).Where(s => s.IsOpen)
            .Select(s => $"{s.ShardId}:{s.StartingHashKey}-{s.EndingHashKey}<{s.ParentShardId}").ToList();
        Assert.Equal([
            $"shardId-000000000002:0-{QuarterMinusOne}<shardId-000000000000",
            $"shardId-000000000003:{Quarter}-{HalfMinusOne}<shardId-000000000000",
            $"shardId-000000000004:{Half}-{(UInt128.Parse(ThreeQuarters) - 1)}<shardId-000000000001",
            $"shardId-000000000005:{ThreeQuarters}-{Top}<shardId-000000000001",
        ], open);
    }

    [Fact]
    public async Task UpdateShardCount_from_three_to_two_goes_through_short_lived_shards_with_at_most_two_parents_each()
    {
        await Service.CreateStreamAsync("weather", 3);

        await Service.UpdateShardCountAsync("weather", 2);

        var shards = await Service.ListShardsAsync("weather");
        // Shard 1 (the middle third) splits at 2^127 into 3 and 4; 0+3 merge into 5 and 4+2 into 6.
        Assert.Equal([
            "shardId-000000000003<shardId-000000000001 closed",
            "shardId-000000000004<shardId-000000000001 closed",
            "shardId-000000000005<shardId-000000000000+shardId-000000000003 open",
            "shardId-000000000006<shardId-000000000004+shardId-000000000002 open",
        ], shards.Skip(3).Select(s => $"{s.ShardId}<{string.Join('+', s.Parents)} {(s.IsOpen ? "open" : "closed")}"));
        Assert.Equal([("0", HalfMinusOne), (Half, Top)], shards.Where(s => s.IsOpen).Select(s => (s.StartingHashKey, s.EndingHashKey)));
    }

    [Fact]
    public async Task UpdateShardCount_refuses_more_than_double_or_less_than_half_and_an_eleventh_scaling_in_a_day()
    {
        await Service.CreateStreamAsync("weather", 2);

        var tooMany = await Assert.ThrowsAsync<LimitExceededException>(() => Service.UpdateShardCountAsync("weather", 5));
        await Service.CreateStreamAsync("wide", 5);
        var tooFew = await Assert.ThrowsAsync<LimitExceededException>(() => Service.UpdateShardCountAsync("wide", 2));
        for (var i = 0; i < 10; i++)
        {
            await Service.UpdateShardCountAsync("weather", i % 2 == 0 ? 3 : 2);
            Clock.Advance(TimeSpan.FromMinutes(1));
        }
        var eleventh = await Assert.ThrowsAsync<LimitExceededException>(() => Service.UpdateShardCountAsync("weather", 3));

        Assert.Contains("from 2 to 5 shards: at most double the open shards (4)", tooMany.Message);
        Assert.Contains("from 5 to 2 shards: at least half the open shards (3)", tooFew.Message);
        Assert.Contains("has run 10 times on weather in the last 24 hours", eleventh.Message);
    }

    [Fact]
    public async Task Split_and_merge_refuse_a_hash_key_outside_the_shard_a_closed_shard_and_shards_that_are_not_neighbours()
    {
        await Service.CreateStreamAsync("weather", 3);

        var atStart = await Assert.ThrowsAsync<InvalidArgumentException>(() => Service.SplitShardAsync("weather", "shardId-000000000001", Half.Replace("170", "300")));
        var notNumber = await Assert.ThrowsAsync<InvalidArgumentException>(() => Service.SplitShardAsync("weather", "shardId-000000000000", "-5"));
        var notAdjacent = await Assert.ThrowsAsync<InvalidArgumentException>(() => Service.MergeShardsAsync("weather", "shardId-000000000000", "shardId-000000000002"));
        var missing = await Assert.ThrowsAsync<ResourceNotFoundException>(() => Service.SplitShardAsync("weather", "shardId-000000000009", Half));
        await Service.SplitShardAsync("weather", "shardId-000000000000", "1000");
        Clock.Advance(TimeSpan.FromSeconds(30));
        var closed = await Assert.ThrowsAsync<ResourceInUseException>(() => Service.SplitShardAsync("weather", "shardId-000000000000", "2000"));

        Assert.Contains("NewStartingHashKey 300141183460469231731687303715884105728 is not inside shardId-000000000001's range", atStart.Message);
        Assert.Contains("NewStartingHashKey -5 is not a hash key", notNumber.Message);
        Assert.Contains("shardId-000000000000 and shardId-000000000002 in stream weather under account 123456789012 are not adjacent", notAdjacent.Message);
        Assert.Contains("Shard shardId-000000000009 in stream weather", missing.Message);
        Assert.Contains("Shard shardId-000000000000 in stream weather under account 123456789012 is closed", closed.Message);
    }

    [Fact]
    public async Task A_closed_shard_stays_readable_until_the_retention_period_ends_then_it_is_gone()
    {
        await Service.CreateStreamAsync("weather", 1);
        await Put("weather", "a", "Dublin");
        await Service.SplitShardAsync("weather", "shardId-000000000000", Half);

        Clock.Advance(TimeSpan.FromHours(24));
        var iterator = await Service.GetShardIteratorAsync("weather", "shardId-000000000000", ShardIteratorType.AT_SEQUENCE_NUMBER, "49000000000000000000000000000001");
        var stillThere = await Service.GetRecordsAsync(iterator);
        Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(["a"], stillThere.Records.Select(r => Encoding.UTF8.GetString(r.Data.Span)));
        Assert.Equal(["shardId-000000000001", "shardId-000000000002"], (await Service.ListShardsAsync("weather")).Select(s => s.ShardId));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => Service.GetShardIteratorAsync("weather", "shardId-000000000000", ShardIteratorType.TRIM_HORIZON));
    }

    [Fact]
    public async Task A_child_waits_while_its_parent_is_only_partly_read_so_newer_records_never_overtake_older_ones()
    {
        const string bucket = "lake-bucket";
        var lake = new LocalObjectStore(Temp.Workspace, Clock);
        await lake.CreateBucketAsync(bucket);
        await Service.CreateStreamAsync("source", 1);
        using var delivery = new LocalDeliveryStream(WorkshopSession.WorkshopDeliveryConfig("delivery", "source", bucket), Service, lake, Temp.Workspace, Clock);
        // Twelve readings of about 1 MB on the parent, one a second; one GetRecords returns at most 10 MiB, so ten of them.
        for (var t = 1; t <= 12; t++)
        {
            await Put("source", $$"""{"city":"Dublin","t":{{t}},"pad":"{{new string('x', 999_950)}}"}""", "Dublin");
            Clock.Advance(TimeSpan.FromSeconds(1));
        }
        await Service.SplitShardAsync("source", "shardId-000000000000", Half);
        await Put("source", """{"city":"Dublin","t":13}""", "Dublin");

        await delivery.PollAsync();             // the parent's first ten; its last two wait for the next poll
        Clock.Advance(TimeSpan.FromSeconds(5)); // the shard's 2 MiB a second pays back the 10 MB read
        await delivery.PollAsync();
        await delivery.FlushAllAsync();

        Assert.Equal(Enumerable.Range(1, 13).Select(t => $"\"t\":{t}").ToList(),
            LakeFiles.Lines(Temp.Root, bucket, "").Select(l => System.Text.RegularExpressions.Regex.Match(l.Line, "\"t\":[0-9]+").Value).ToList());
    }

    [Fact]
    public async Task The_delivery_stream_reads_parents_to_their_end_before_children_so_each_city_stays_in_order_across_a_reshard()
    {
        const string bucket = "lake-bucket";
        var lake = new LocalObjectStore(Temp.Workspace, Clock);
        await lake.CreateBucketAsync(bucket);
        await Service.CreateStreamAsync("source", 3);
        using var delivery = new LocalDeliveryStream(WorkshopSession.WorkshopDeliveryConfig("delivery", "source", bucket), Service, lake, Temp.Workspace, Clock);
        string[] cities = ["Dublin", "Cork", "Galway", "Limerick"];
        foreach (var t in new[] { 1, 2, 3 })
            foreach (var city in cities) await Put("source", $$"""{"city":"{{city}}","t":{{t}}}""", city);
        await delivery.PollAsync();
        foreach (var t in new[] { 4, 5 })
            foreach (var city in cities) await Put("source", $$"""{"city":"{{city}}","t":{{t}}}""", city);

        await Service.UpdateShardCountAsync("source", 2);
        foreach (var t in new[] { 6, 7 })
            foreach (var city in cities) await Put("source", $$"""{"city":"{{city}}","t":{{t}}}""", city);
        await delivery.PollAsync();
        await delivery.FlushAllAsync();

        var lines = LakeFiles.Lines(Temp.Root, bucket, "").Select(l => l.Line).ToList();
        foreach (var city in cities)
            Assert.Equal(Enumerable.Range(1, 7).Select(t => $$"""{"city":"{{city}}","t":{{t}}}""").ToList(), lines.Where(l => l.Contains(city, StringComparison.Ordinal)).ToList());
    }
}
