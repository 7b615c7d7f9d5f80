using System.Text;
using StreamingWorkshop.Broker;

namespace Workshop.Tests.Display;

/// <summary>The consumer list and the subscription's events, as text for the terminal and HTML for notebooks.</summary>
public sealed class FanOutViewTests
{
    private static readonly DateTimeOffset At = new(2025, 1, 14, 9, 0, 0, TimeSpan.Zero);
    private const string ConsumerArn = "arn:aws:kinesis:us-east-1:123456789012:stream/weather/consumer/dashboard:1736845200";
    private static readonly StreamConsumer Dashboard = new("dashboard", ConsumerArn, "ACTIVE", At, "arn:aws:kinesis:us-east-1:123456789012:stream/weather");

    [Fact]
    public void The_consumer_list_shows_name_status_time_and_ARN_and_says_what_each_consumer_gets()
    {
        var view = new ConsumerListView("weather", [Dashboard]);
        var lines = view.ToString().Split('\n');
        var html = view.ToHtml();

        Assert.Equal("1 consumer(s) of weather (at most 20)", lines[0]);
        Assert.Matches(@"^Consumer\s+Status\s+Registered\s+Consumer ARN$", lines[1]);
        Assert.Matches(@"^dashboard\s+ACTIVE\s+2025-01-14 09:00:00 UTC\s+arn:aws:kinesis:us-east-1:123456789012:stream/weather/consumer/dashboard:1736845200$", lines[3]);
        Assert.Contains("GetRecords readers share 2 MiB/s and 5 calls/s per shard", lines[^1]);
        Assert.Matches(@"<tr><td[^>]*>dashboard</td><td[^>]*>ACTIVE</td><td[^>]*>2025-01-14 09:00:00 UTC</td>", html);
        Assert.Contains("its own 2 MiB/s per shard through SubscribeToShard", html);
    }

    [Fact]
    public async Task Describing_one_of_two_consumers_names_that_consumer_and_does_not_count_the_streams()
    {
        using var temp = new Workshop.Tests.TestSupport.TempWorkspace();
        await using var session = await StreamingWorkshop.Workshop.ConnectAsync(new StreamingWorkshop.WorkshopOptions { WorkspacePath = temp.Root });
        await session.EnsurePipelineAsync();
        var stream = session.Names.StreamName;

        var registered = await session.RegisterConsumerAsync("dashboard");
        await session.RegisterConsumerAsync("archive");
        var described = await session.DescribeConsumerAsync("dashboard");
        var deregistered = await session.DeregisterConsumerAsync("archive");

        Assert.Equal($"Consumer dashboard of {stream}", registered.ToString().Split('\n')[0]);
        Assert.Equal($"Consumer dashboard of {stream}", described.ToString().Split('\n')[0]);
        Assert.Contains($"Consumer dashboard of {stream}", described.ToHtml());
        Assert.Equal($"Consumer archive of {stream}", deregistered.ToString().Split('\n')[0]);
        Assert.Equal($"2 consumer(s) of {stream} (at most 20)", (await session.ListConsumersAsync()).ToString().Split('\n')[0]);
    }

    [Fact]
    public void A_resharded_streams_page_shows_each_range_start_above_end_so_the_closed_shards_end_is_in_sight()
    {
        var summary = new StreamSummary("weather", "arn:aws:kinesis:us-east-1:123456789012:stream/weather", "UPDATING", 2, 24, At);
        const string Top = "340282366920938463463374607431768211455", Half = "170141183460469231731687303715884105727";
        var view = new StreamDescriptionView(summary,
        [
            new ShardDescription("shardId-000000000000", "0", Top, "49000000000000000000000000000000", "49000000000000000000000000000060"),
            new ShardDescription("shardId-000000000001", "0", Half, "49000000000100000000000000000000", ParentShardId: "shardId-000000000000"),
        ]);
        var html = view.ToHtml();

        var shards = html[html.IndexOf("Shards", StringComparison.Ordinal)..];
        Assert.Equal(5, System.Text.RegularExpressions.Regex.Matches(shards[..shards.IndexOf("</thead>", StringComparison.Ordinal)], "<th style").Count);
        Assert.Matches($"<td style=\"[^\"]*white-space:pre-wrap;overflow-wrap:anywhere\">0\nto\n{Top}</td>", html);
        Assert.Contains("49000000000000000000000000000000\nto\n49000000000000000000000000000060</td>", html);
        Assert.Contains("49000000000100000000000000000000\nonwards (open)</td>", html);
        // The terminal keeps a column per value.
        Assert.Contains("Ending sequence number", view.ToString());
    }

    [Fact]
    public void The_stream_description_shows_its_capacity_mode_and_both_kinds_of_read_allowance()
    {
        var summary = new StreamSummary("weather", "arn:aws:kinesis:us-east-1:123456789012:stream/weather", "ACTIVE", 4, 24, At, "ON_DEMAND");
        var view = new StreamDescriptionView(summary, [new ShardDescription("shardId-000000000000", "0", "9", "49000000000000000000000000000000")]);
        var text = view.ToString();

        Assert.Matches(@"\nCapacity mode\s+ON_DEMAND\n", text);
        Assert.Contains("2 MiB/s of reads (5 GetRecords calls/s) shared by its GetRecords readers, plus 2 MiB/s of its own to each enhanced fan-out consumer", text);
        Assert.Matches(@"<td[^>]*>Capacity mode</td><td[^>]*>ON_DEMAND</td>", view.ToHtml());
    }

    [Fact]
    public void An_empty_consumer_list_says_how_to_register_one()
    {
        var view = new ConsumerListView("weather", []);
        Assert.StartsWith("No consumers are registered with weather. Register one with 'workshop stream consumers register --name <name>'", view.ToString());
        Assert.StartsWith("<p>No consumers are registered with weather.", view.ToHtml());
    }

    [Fact]
    public void The_subscription_lists_each_event_with_records_bytes_lag_and_continuation_and_says_why_it_stopped()
    {
        var record = new StreamRecord("shardId-000000000000", "49000000000000000000000000000001", At, "Cork", Encoding.UTF8.GetBytes("{\"city\":\"Cork\"}"));
        var events = new SubscriptionView.PushedEvent[]
        {
            new(At, new SubscribeToShardEvent([record], "49000000000000000000000000000001", 1500)),
            new(At.AddSeconds(1), new SubscribeToShardEvent([], null, 0, [new ChildShard("shardId-000000000001", ["shardId-000000000000"], "0", "9")])),
        };
        var view = new SubscriptionView(Dashboard, "shardId-000000000000", StartingPosition.TrimHorizon, events, "shardId-000000000000 is closed and read to its end.");
        var text = view.ToString();
        var html = view.ToHtml();

        Assert.StartsWith("dashboard subscribed to shardId-000000000000 from TRIM_HORIZON: 2 event(s), 1 record(s)", text);
        Assert.Matches(@"\n1\s+2025-01-14 09:00:00 UTC\s+1\s+15\s+1,500\s+49000000000000000000000000000001\s+-", text);
        Assert.Matches(@"\n2\s+2025-01-14 09:00:01 UTC\s+0\s+0\s+0\s+- \(shard ended\)\s+shardId-000000000001", text);
        Assert.EndsWith("shardId-000000000000 is closed and read to its end.", text);
        Assert.Matches(@"<td[^>]*>1</td><td[^>]*>2025-01-14 09:00:00 UTC</td><td[^>]*>1</td><td[^>]*>15</td><td[^>]*>1,500</td>", html);
        Assert.Matches("<td style=\"[^\"]*\">shardId-000000000001</td>", html);
    }
}
