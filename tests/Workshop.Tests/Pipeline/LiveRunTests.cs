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

    public void Dispose() => temp.Dispose();
}
