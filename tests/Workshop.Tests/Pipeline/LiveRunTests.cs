using StreamingWorkshop;
using StreamingWorkshop.Broker;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Pipeline;

/// <summary>Live mode follows the wall clock sped up, in the background, and stops cleanly when asked.</summary>
public sealed class LiveRunTests : IDisposable
{
    private readonly TempWorkspace temp = new();

    [Fact]
    public async Task A_live_run_given_a_length_leaves_the_clock_exactly_at_its_end_whatever_the_wall_clock_did()
    {
        await using var session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
        var start = session.Clock.GetUtcNow();

        // 600x: the three virtual minutes take 0.3 s of wall time; noticing the end takes a few milliseconds more.
        var report = await session.StartLive(speed: 600, duration: TimeSpan.FromMinutes(3)).Completion;

        Assert.Equal(start + TimeSpan.FromMinutes(3), session.Clock.GetUtcNow());
        Assert.Equal(start + TimeSpan.FromMinutes(3), report.To);
        Assert.False(session.Clock.IsLive);
    }

    [Fact]
    public async Task A_live_run_on_a_fresh_workspace_invokes_the_producer_at_its_first_minute_as_a_replay_does()
    {
        await using var session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
        var start = session.Clock.GetUtcNow();
        using var other = new TempWorkspace();
        await using var replaying = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = other.Root });

        var live = await session.StartLive(speed: 600, duration: TimeSpan.FromMinutes(3)).Completion;
        var replay = await replaying.SimulateAsync(TimeSpan.FromMinutes(3));

        // Minutes 00, 01 and 02 of the first day: three invocations of three cities each, in both.
        Assert.Equal(start, replay.Start);
        Assert.Equal((3, 9), (replay.Invocations, replay.RecordsPut));
        Assert.Equal((3, 9), (live.Invocations, live.RecordsPut));
        var first = await session.PeekAsync(ShardIteratorType.TRIM_HORIZON, limit: 1);
        Assert.Equal(start, first.Records[0].ApproximateArrivalTimestamp);
    }

    [Fact]
    public async Task A_live_run_puts_records_while_running_and_stops_cleanly()
    {
        await using var session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
        var before = session.Clock.GetUtcNow();

        // 600x: a virtual minute passes every 0.1 s of wall time.
        var run = session.StartLive(speed: 600);
        var waited = TimeSpan.Zero;
        while (!run.Events.Any(e => e.Contains("delivered")) && waited < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50);
            waited += TimeSpan.FromMilliseconds(50);
        }
        var report = await run.StopAsync();
        var stoppedAt = session.Clock.GetUtcNow();

        Assert.False(run.IsRunning);
        Assert.Contains(run.Events, e => e.Contains("producer put 3 reading(s)"));
        Assert.Contains(run.Events, e => e.Contains("delivered"));
        Assert.True(report.RecordsPut >= 3);
        Assert.True(session.Clock.GetUtcNow() > before);
        Assert.False(session.Clock.IsLive);
        var records = await session.PeekAsync(ShardIteratorType.TRIM_HORIZON, limit: 100);
        Assert.Equal(report.RecordsPut, records.Records.Count);
        // The clock stays where the run got to: it does not move on its own once stopped, it is saved for other
        // processes, and replay carries on from there.
        await Task.Delay(100); // at 600x this would be a virtual minute if the clock still followed the wall clock
        Assert.Equal(stoppedAt, session.Clock.GetUtcNow());
        Assert.Equal(report.To, stoppedAt);
        Assert.Equal(stoppedAt, StreamingWorkshop.Clock.VirtualClock.Load(new StreamingWorkshop.Storage.WorkspaceDirectory(temp.Root)).GetUtcNow());
        var replay = await session.SimulateAsync(TimeSpan.FromMinutes(5));
        Assert.True(replay.Start >= stoppedAt && replay.Start < stoppedAt.AddMinutes(1), $"replay started at {replay.Start:O}, the live run stopped at {stoppedAt:O}");
    }

    [Fact]
    public async Task A_live_run_nobody_watches_does_not_wait_for_the_wall_clock_and_does_what_a_watched_one_does()
    {
        using var otherFolder = new TempWorkspace();
        var start = new DateTimeOffset(2025, 1, 14, 9, 0, 0, TimeSpan.Zero);
        async Task<(StreamingWorkshop.Simulation.LiveReport Report, List<string> Keys)> RunAsync(string folder, double speed, bool watched)
        {
            await using var session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = folder });
            session.Clock.SetStart(start);
            StreamingWorkshop.Display.LiveDisplay.Watched = watched;
            try
            {
                // Unwatched at real speed, ten virtual minutes would take ten minutes if the run waited for the wall clock.
                var report = await session.StartLive(speed, TimeSpan.FromMinutes(10)).Completion.WaitAsync(TimeSpan.FromSeconds(60));
                var keys = Directory.EnumerateFiles(Path.Combine(folder, "lake"), "*", SearchOption.AllDirectories)
                    .Select(f => Path.GetRelativePath(folder, f)).Order(StringComparer.Ordinal).ToList();
                return (report, keys);
            }
            finally
            {
                StreamingWorkshop.Display.LiveDisplay.Watched = true;
            }
        }

        var unwatched = await RunAsync(temp.Root, speed: 1, watched: false);
        var watched = await RunAsync(otherFolder.Root, speed: 600, watched: true);

        Assert.Equal(start + TimeSpan.FromMinutes(10), unwatched.Report.To);
        Assert.Equal(watched.Report, unwatched.Report);
        Assert.True(unwatched.Report.ObjectsWritten > 0);
        Assert.Equal(watched.Keys, unwatched.Keys);
    }

    [Fact]
    public async Task A_live_run_without_an_end_keeps_the_wall_clocks_pace_even_when_nobody_watches()
    {
        await using var session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
        var start = session.Clock.GetUtcNow();
        StreamingWorkshop.Display.LiveDisplay.Watched = false;
        try
        {
            var run = session.StartLive(speed: 60);
            await Task.Delay(200);
            var report = await run.StopAsync();
            // 60x for a fraction of a second: a minute or so at most, where an unpaced run would race through hours.
            Assert.True(report.To - start < TimeSpan.FromMinutes(5), $"the run reached {report.To:O} from {start:O}");
        }
        finally
        {
            StreamingWorkshop.Display.LiveDisplay.Watched = true;
        }
    }

    [Fact]
    public async Task A_live_run_stopped_before_its_stack_is_ready_stops_once_it_is_and_reports_nothing_done()
    {
        // A fresh workspace: the run starts by deploying the stack, and the stop comes while it does.
        await using var session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
        var start = session.Clock.GetUtcNow();

        var report = await session.StartLive(speed: 60).StopAsync();

        Assert.Equal(0, report.Invocations);
        Assert.Equal(0, report.RecordsPut);
        Assert.True(report.To - start < TimeSpan.FromMinutes(1), $"the run reached {report.To:O} from {start:O}");
        Assert.Equal("CREATE_COMPLETE", (await session.DescribeStackAsync()).StackStatus);
        Assert.False(session.Clock.IsLive);
    }

    [Fact]
    public async Task A_deployment_interrupted_before_its_first_resource_is_named_with_what_to_do_next_time()
    {
        await using var session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
        using var stopped = new CancellationTokenSource();
        stopped.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => session.EnsurePipelineAsync(stopped.Token));
        var next = await Assert.ThrowsAsync<InvalidOperationException>(() => session.EnsurePipelineAsync());

        Assert.Equal("The workshop stack stream was left CREATE_IN_PROGRESS by a deployment that was interrupted. " +
            "Run 'workshop destroy --stack-name stream --empty-buckets' (the data lake is kept), then deploy again ('workshop deploy').", next.Message);
    }

    public void Dispose() => temp.Dispose();
}
