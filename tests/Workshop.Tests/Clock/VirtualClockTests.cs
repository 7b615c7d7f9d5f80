using StreamingWorkshop;
using StreamingWorkshop.Clock;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Clock;

public sealed class VirtualClockTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);
    private readonly TempWorkspace temp = new();

    [Fact]
    public void Replay_time_moves_only_when_told_and_never_backwards()
    {
        var clock = new VirtualClock(Start);
        Thread.Sleep(20);
        Assert.Equal(Start, clock.GetUtcNow());

        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(Start.AddHours(1), clock.GetUtcNow());

        var error = Assert.Throws<InvalidOperationException>(() => clock.AdvanceTo(Start));
        Assert.Contains("never runs backwards", error.Message);
    }

    [Fact]
    public void The_clock_is_shared_through_the_workspace()
    {
        var first = VirtualClock.Load(temp.Workspace);
        first.SetStart(Start);
        first.Advance(TimeSpan.FromMinutes(90));
        first.Save();

        var second = VirtualClock.Load(temp.Workspace);

        Assert.Equal(Start.AddMinutes(90), second.GetUtcNow());
        Assert.False(second.IsUnset);
        Assert.Throws<InvalidOperationException>(() => second.SetStart(Start));
    }

    [Fact]
    public async Task A_notebook_that_moves_the_clock_on_leaves_the_next_notebook_there()
    {
        // 04 moves the clock ten quiet minutes on by hand; 05, in a new kernel, must start from there, not from before.
        DateTimeOffset started;
        await using (var first = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root }))
        {
            started = first.Clock.GetUtcNow();
            first.Clock.Advance(TimeSpan.FromMinutes(10));
            first.Clock.AdvanceTo(started.AddMinutes(25));
        }

        await using var next = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });

        Assert.Equal(started.AddMinutes(25), next.Clock.GetUtcNow());
    }

    [Fact]
    public void Advancing_saves_each_step_for_the_workspaces_other_processes()
    {
        var mine = VirtualClock.Load(temp.Workspace);
        mine.SetStart(Start);

        mine.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(Start.AddMinutes(10), VirtualClock.Load(temp.Workspace).GetUtcNow());
        mine.AdvanceTo(Start.AddHours(1));
        Assert.Equal(Start.AddHours(1), VirtualClock.Load(temp.Workspace).GetUtcNow());
    }

    [Fact]
    public void Refresh_catches_up_with_another_process_but_never_goes_back()
    {
        var mine = VirtualClock.Load(temp.Workspace);
        mine.SetStart(Start);
        mine.Save();
        var savedFile = temp.Workspace.Resolve("state", "clock.json");
        var olderSave = File.ReadAllBytes(savedFile);
        var theirs = VirtualClock.Load(temp.Workspace);
        theirs.Advance(TimeSpan.FromDays(1));
        theirs.Save();

        mine.Refresh();
        Assert.Equal(Start.AddDays(1), mine.GetUtcNow());

        // A save from before (another process still at the start) is not followed back in time.
        File.WriteAllBytes(savedFile, olderSave);
        Assert.Equal(Start, VirtualClock.Load(temp.Workspace).GetUtcNow()); // the file really holds the older time
        mine.Refresh();
        Assert.Equal(Start.AddDays(1), mine.GetUtcNow());
    }

    [Fact]
    public void A_process_behind_the_workspaces_clock_saves_without_moving_it_back()
    {
        // workshop serve's live clock at the start, while a replay in another process moves the workspace two hours on.
        var serve = VirtualClock.Load(temp.Workspace);
        serve.SetStart(Start);
        serve.Save();
        var replay = VirtualClock.Load(temp.Workspace);
        replay.Advance(TimeSpan.FromHours(2));
        replay.Save();

        serve.Advance(TimeSpan.FromSeconds(7));
        serve.Save();

        Assert.Equal(Start.AddHours(2), VirtualClock.Load(temp.Workspace).GetUtcNow());
        replay.Advance(TimeSpan.FromMinutes(1));
        replay.Save();
        Assert.Equal(Start.AddHours(2).AddMinutes(1), VirtualClock.Load(temp.Workspace).GetUtcNow());
    }

    [Fact]
    public void Live_mode_follows_the_wall_clock_sped_up_and_stops_where_it_got_to()
    {
        var clock = new VirtualClock(Start);
        clock.StartLive(speed: 3600);
        Thread.Sleep(50);
        var during = clock.GetUtcNow();
        clock.StopLive();
        var stopped = clock.GetUtcNow();
        Thread.Sleep(20);

        // 50 ms of wall time at 3,600x is at least three virtual minutes.
        Assert.True(during >= Start.AddMinutes(3), $"Live time only reached {during:O}");
        Assert.True(stopped >= during);
        Assert.Equal(stopped, clock.GetUtcNow());
        Assert.Throws<InvalidOperationException>(() => { clock.StartLive(); clock.AdvanceTo(Start.AddDays(9)); });
    }

    [Fact]
    public void A_held_live_clock_never_passes_the_next_event_and_reads_exactly_its_time_while_it_runs()
    {
        var clock = new VirtualClock(Start);
        clock.StartLive(speed: 100_000);
        var eventAt = Start.AddSeconds(1);
        clock.HoldLiveAt(eventAt);
        // 20 ms of wall time at this speed is over half an hour of clock time: only the hold keeps it at the event.
        Thread.Sleep(20);
        var held = clock.GetUtcNow();
        clock.ReachLive(eventAt);
        Thread.Sleep(20);
        var whileItRuns = clock.GetUtcNow();
        clock.HoldLiveAt(Start.AddHours(1));
        Thread.Sleep(20);
        var released = clock.GetUtcNow();
        clock.StopLiveAt(Start.AddHours(1));

        Assert.Equal(eventAt, held);
        Assert.Equal(eventAt, whileItRuns);
        Assert.True(released > eventAt.AddMinutes(30), $"released at {released:O}");
        Assert.Equal(Start.AddHours(1), clock.GetUtcNow());
    }

    public void Dispose() => temp.Dispose();
}
