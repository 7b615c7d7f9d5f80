namespace Workshop.Notebooks.Tests;

/// <summary>
/// workshop stream consumers / subscribe / mode as a learner runs them: each command's output, in separate processes
/// sharing one workspace, and one clear line for each mistake.
/// </summary>
public sealed class FanOutCliTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-fan-out-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private (int Exit, string Stdout, string Stderr) Workshop(params string[] arguments) =>
        Cli.Capture(folder, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = Path.Combine(folder, "ws") }, arguments);

    [Fact]
    public void A_consumer_is_registered_subscribed_to_listed_and_deregistered_from_the_command_line()
    {
        Assert.Equal(0, Workshop("stream", "put", "--data", "{\"city\":\"Cork\"}", "--count", "3").Exit);
        var empty = Workshop("stream", "consumers", "list");
        var registered = Workshop("stream", "consumers", "register", "--name", "dashboard");
        var subscribed = Workshop("stream", "subscribe", "--consumer", "dashboard");
        var listed = Workshop("stream", "consumers", "list");
        var deregistered = Workshop("stream", "consumers", "deregister", "--name", "dashboard");

        Assert.Contains("No consumers are registered with weather-analytics-stream-dev", empty.Stdout);
        Assert.Matches(@"dashboard\s+CREATING", registered.Stdout);
        Assert.Contains("/consumer/dashboard:", registered.Stdout);
        // The three records on the first shard in one event (the consumer was waited for until ACTIVE), then caught up.
        Assert.Equal(0, subscribed.Exit);
        Assert.Contains("dashboard subscribed to shardId-000000000000 from TRIM_HORIZON: 2 event(s), 3 record(s)", subscribed.Stdout);
        Assert.Contains("Caught up with the tip of shardId-000000000000", subscribed.Stdout);
        Assert.Contains("Continue after 49000000000000000000000000000003", subscribed.Stdout);
        Assert.Matches(@"dashboard\s+ACTIVE", listed.Stdout);
        Assert.Contains("its own 2 MiB/s per shard", listed.Stdout);
        Assert.Matches(@"dashboard\s+DELETING", deregistered.Stdout);
    }

    [Fact]
    public void The_stream_switches_to_on_demand_and_a_reshard_is_then_refused_in_one_line()
    {
        var switched = Workshop("stream", "mode", "on-demand");
        var reshard = Workshop("stream", "reshard", "--shards", "2");
        var created = Workshop("stream", "create", "--stream", "elastic", "--on-demand");
        var described = Workshop("stream", "describe", "--stream", "elastic");

        Assert.Matches(@"Capacity mode\s+ON_DEMAND", switched.Stdout);
        Assert.Matches(@"Status\s+UPDATING", switched.Stdout);
        Assert.NotEqual(0, reshard.Exit);
        Assert.Single(reshard.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("it is in ON_DEMAND capacity mode", reshard.Stderr);
        // The command line names its own verb for the switch, with the stream it refused.
        Assert.EndsWith("first. 'workshop stream mode provisioned --stream weather-analytics-stream-dev' switches it.", reshard.Stderr.TrimEnd());
        var missing = Workshop("stream", "consumers", "describe", "--name", "no-such-consumer");
        Assert.NotEqual(0, missing.Exit);
        Assert.EndsWith("not found; ListStreamConsumers lists the registered ones. On the command line, 'workshop stream consumers list' does.",
            Assert.Single(missing.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)).TrimEnd());
        Assert.Contains("Created elastic in ON_DEMAND mode with 4 shards.", created.Stdout);
        Assert.Matches(@"Open shards\s+4", described.Stdout);
    }
}
