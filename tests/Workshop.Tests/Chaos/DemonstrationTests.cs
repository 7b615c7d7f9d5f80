using StreamingWorkshop;
using StreamingWorkshop.Faults;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Chaos;

/// <summary>The burst and ordering demonstrations, and the plan's views, checked on what a learner reads.</summary>
public sealed class DemonstrationTests
{
    private static async Task<(TempWorkspace Temp, WorkshopSession Session)> ConnectAsync()
    {
        var temp = new TempWorkspace();
        var session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
        return (temp, session);
    }

    [Fact]
    public async Task A_burst_of_2500_loses_1500_without_retry_and_none_with_the_batcher()
    {
        var (temp, session) = await ConnectAsync();
        using var _ = temp;
        await using var __ = session;

        var burst = await session.Faults.BurstAsync(2_500);

        // One shard takes 1,000 records in a second: five calls of 500 in one second put two calls' worth.
        Assert.Equal(1_500, burst.FailedWithoutRetry);
        Assert.Equal(0, burst.WithRetry.Failed);
        Assert.Equal(2_500, burst.Records);
        Assert.Contains("1,000 put; 1,500 failed with ProvisionedThroughputExceededException", burst.ToString());
        Assert.Contains("2,500 of 2,500 record(s) put", burst.ToHtml());
        var refused = await session.Metrics.StatisticsAsync("AWS/Kinesis", "WriteProvisionedThroughputExceeded", 60, "Sum", TimeSpan.FromHours(1), session.Names.StreamName + "-burst-demo");
        Assert.True(refused.Values.Sum() >= 1_500, $"refusals counted: {refused.Values.Sum()}");
    }

    [Fact]
    public async Task Two_keys_come_back_in_order_per_key_but_not_in_put_order()
    {
        var (temp, session) = await ConnectAsync();
        using var _ = temp;
        await using var __ = session;

        var ordering = await session.Faults.OrderingAsync(recordsPerKey: 3);

        var read = ordering.ReadOrder.Select(r => r.Data).ToList();
        var key = ordering.ReadOrder[0].PartitionKey;
        var other = ordering.ReadOrder[^1].PartitionKey;
        Assert.Equal("London", ordering.ReadOrder.OrderBy(r => r.PutOrder).First().PartitionKey);
        // Put: L1 X1 L2 X2 L3 X3; read shard by shard: one key's three, then the other's.
        Assert.Equal([$"{key} #1", $"{key} #2", $"{key} #3", $"{other} #1", $"{other} #2", $"{other} #3"], read);
        Assert.NotEqual(key, other);
        Assert.Equal(2, ordering.ReadOrder.Select(r => r.ShardId).Distinct().Count());
        Assert.True(ordering.EachKeyInOrder);
        Assert.False(ordering.ReadInPutOrder);
        var text = ordering.ToString();
        Assert.Contains($"Put order:  London #1, {(key == "London" ? other : key)} #1, London #2", text);
        Assert.Contains("Across keys: the read order is not the put order", text);
        Assert.Contains("<li>Across keys: the read order is not the put order", ordering.ToHtml());
    }

    [Fact]
    public async Task The_plan_is_kept_in_the_workspace_and_shown_in_text_and_html()
    {
        var (temp, session) = await ConnectAsync();
        using var _ = temp;
        await using (session)
        {
            Assert.Equal("No faults are on: the next replay runs normally.", session.Faults.Plan.ToString());
            session.Faults.DuplicatePuts(5);
            session.Faults.StopConsumer(new TimeOnly(10, 0), TimeSpan.FromHours(1));
        }

        // A second connection (another process, a restarted kernel) sees the same plan.
        await using var again = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
        var text = again.Faults.Plan.ToString();
        Assert.Contains("duplicate-put  the next 5 put(s) are sent twice", text);
        Assert.Contains("stop-consumer  from 10:00 UTC for 1 h: the delivery stream reads nothing", text);
        var html = again.Faults.Plan.ToHtml();
        Assert.Contains(">duplicate-put</td>", html);
        Assert.Contains("Faults on for the next replay", html);
        Assert.Contains("BurstAsync(records)", again.Faults.ToString());

        again.Faults.Clear();
        Assert.False(File.Exists(Path.Combine(temp.Root, "state", "faults.json")));
    }

    [Fact]
    public void A_window_is_placed_on_the_replays_day_or_the_next_when_it_has_passed()
    {
        var window = new FaultWindow(new TimeOnly(10, 0), TimeSpan.FromHours(1));
        var day = new DateTimeOffset(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal((day.AddHours(10), day.AddHours(11)), window.PlaceFrom(day));
        Assert.Equal((day.AddHours(10), day.AddHours(11)), window.PlaceFrom(day.AddHours(10.5)));
        Assert.Equal((day.AddHours(34), day.AddHours(35)), window.PlaceFrom(day.AddHours(11)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public async Task A_count_below_one_is_refused_with_what_to_give(int count)
    {
        var (temp, session) = await ConnectAsync();
        using var _ = temp;
        await using var __ = session;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => session.Faults.DuplicatePuts(count));
        Assert.Contains("Give a count of 1 or more puts", error.Message);
    }
}
