using StreamingWorkshop;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Errors;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Broker;

/// <summary>
/// On-demand capacity mode: created without a shard count (four shards to start), shards managed by the service so
/// resharding calls are refused, and at most two mode switches in any 24 hours.
/// </summary>
public sealed class CapacityModeTests() : LocalStreamTest(shardCount: null)
{
    private const string StreamArn = "arn:aws:kinesis:us-east-1:123456789012:stream/weather";

    [Fact]
    public async Task An_on_demand_stream_starts_with_four_shards_and_says_ON_DEMAND()
    {
        await Service.CreateOnDemandStreamAsync("weather");
        var summary = await Service.DescribeStreamSummaryAsync("weather");
        var shards = await Service.ListShardsAsync("weather");

        Assert.Equal(("ON_DEMAND", 4), (summary.StreamModeDetails, summary.OpenShardCount));
        Assert.Equal(["shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003"], shards.Select(s => s.ShardId));
        Assert.Equal("PROVISIONED", (await CreateProvisioned("other")).StreamModeDetails);
    }

    private async Task<StreamSummary> CreateProvisioned(string name)
    {
        await Service.CreateStreamAsync(name, 2);
        return await Service.DescribeStreamSummaryAsync(name);
    }

    [Fact]
    public async Task Resharding_an_on_demand_stream_is_refused_until_it_is_switched_to_provisioned_keeping_its_shards()
    {
        await Service.CreateOnDemandStreamAsync("weather");
        var scale = await Assert.ThrowsAsync<ValidationException>(() => Service.UpdateShardCountAsync("weather", 8));
        var split = await Assert.ThrowsAsync<ValidationException>(() => Service.SplitShardAsync("weather", "shardId-000000000000", "1"));
        var merge = await Assert.ThrowsAsync<ValidationException>(() => Service.MergeShardsAsync("weather", "shardId-000000000000", "shardId-000000000001"));

        await Service.UpdateStreamModeAsync(StreamArn, StreamModes.Provisioned);
        var switching = await Service.DescribeStreamSummaryAsync("weather");
        Clock.Advance(LocalStreamService.ReshardDuration);
        await Service.UpdateShardCountAsync("weather", 8);

        Assert.Contains("UpdateShardCount is not supported for stream weather: it is in ON_DEMAND capacity mode", scale.Message);
        Assert.Contains("SplitShard", split.Message);
        Assert.Contains("MergeShards", merge.Message);
        Assert.Equal(("PROVISIONED", "UPDATING", 4), (switching.StreamModeDetails, switching.StreamStatus, switching.OpenShardCount));
        Assert.Equal(8, (await Service.DescribeStreamSummaryAsync("weather")).OpenShardCount);
    }

    [Fact]
    public async Task A_stream_changes_mode_twice_in_24_hours_at_most()
    {
        await Service.CreateStreamAsync("weather", 1);
        await Service.UpdateStreamModeAsync(StreamArn, StreamModes.OnDemand);
        Clock.Advance(TimeSpan.FromHours(1));
        await Service.UpdateStreamModeAsync(StreamArn, StreamModes.Provisioned);
        Clock.Advance(TimeSpan.FromHours(1));
        var third = await Assert.ThrowsAsync<LimitExceededException>(() => Service.UpdateStreamModeAsync(StreamArn, StreamModes.OnDemand));
        Clock.Advance(TimeSpan.FromHours(22));
        await Service.UpdateStreamModeAsync(StreamArn, StreamModes.OnDemand);

        // The first switch was at 09:00 on the 14th, so a third is possible from 09:00 on the 15th.
        Assert.Contains("2 times in the last 24 hours", third.Message);
        Assert.Contains("Wed Jan 15 09:00:00 UTC 2025", third.Message);
        Assert.Equal("ON_DEMAND", (await Service.DescribeStreamSummaryAsync("weather")).StreamModeDetails);
    }

    [Fact]
    public async Task Switching_to_the_mode_a_stream_has_or_to_an_unknown_one_is_refused()
    {
        await Service.CreateStreamAsync("weather", 1);
        var same = await Assert.ThrowsAsync<InvalidArgumentException>(() => Service.UpdateStreamModeAsync(StreamArn, StreamModes.Provisioned));
        var unknown = await Assert.ThrowsAsync<ValidationException>(() => Service.UpdateStreamModeAsync(StreamArn, "ELASTIC"));
        var missing = await Assert.ThrowsAsync<ResourceNotFoundException>(() => Service.UpdateStreamModeAsync("arn:aws:kinesis:us-east-1:123456789012:stream/nowhere", StreamModes.OnDemand));

        Assert.Contains("already in PROVISIONED mode", same.Message);
        Assert.Contains("'ELASTIC'", unknown.Message);
        Assert.Contains("nowhere", missing.Message);
    }
}

/// <summary>AWS::Kinesis::Stream's StreamModeDetails in a template deployed locally.</summary>
public sealed class StreamModeTemplateTests : LocalSessionTest
{
    [Fact]
    public async Task A_template_stream_with_StreamMode_ON_DEMAND_deploys_with_four_shards()
    {
        var stack = await Session.Local!.Stacks.DeployAsync("modes", """
            Resources:
              OnDemand: { Type: AWS::Kinesis::Stream, Properties: { Name: elastic, StreamModeDetails: { StreamMode: ON_DEMAND } } }
              Provisioned: { Type: AWS::Kinesis::Stream, Properties: { Name: fixed, ShardCount: 2, StreamModeDetails: { StreamMode: PROVISIONED } } }
            """, null);

        Assert.Equal("CREATE_COMPLETE", stack.StackStatus);
        var elastic = await Session.Stream.DescribeStreamSummaryAsync("elastic");
        var fixedSize = await Session.Stream.DescribeStreamSummaryAsync("fixed");
        Assert.Equal(("ON_DEMAND", 4), (elastic.StreamModeDetails, elastic.OpenShardCount));
        Assert.Equal(("PROVISIONED", 2), (fixedSize.StreamModeDetails, fixedSize.OpenShardCount));
    }

    [Fact]
    public async Task A_shard_count_on_an_ON_DEMAND_stream_fails_the_resource()
    {
        var stack = await Session.Local!.Stacks.DeployAsync("modes", """
            Resources:
              OnDemand: { Type: AWS::Kinesis::Stream, Properties: { Name: elastic, ShardCount: 2, StreamModeDetails: { StreamMode: ON_DEMAND } } }
            """, null);

        Assert.Equal("ROLLBACK_COMPLETE", stack.StackStatus);
        Assert.Contains("ShardCount cannot be set on an ON_DEMAND stream", stack.Events.Single(e => e.ResourceStatus == "CREATE_FAILED").ResourceStatusReason);
        Assert.Empty(await Session.Stream.ListStreamsAsync());
    }
}
