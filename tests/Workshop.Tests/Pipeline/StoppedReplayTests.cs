using StreamingWorkshop;
using StreamingWorkshop.Simulation;
using StreamingWorkshop.Storage;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Pipeline;

/// <summary>
/// A replay stopped part-way (an interrupted cell, Ctrl+C) and then asked for again with another length runs that length
/// from where it stopped, and says what became of the stopped one; asked for again with the same length, it finishes.
/// </summary>
public sealed class StoppedReplayTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);
    private readonly string workspace = Directory.CreateTempSubdirectory("workshop-stopped-").FullName;
    private WorkshopSession session = null!;

    public async Task InitializeAsync() =>
        session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = workspace, Seed = 1 });

    public async Task DisposeAsync()
    {
        await session.DisposeAsync();
        Directory.Delete(workspace, recursive: true);
    }

    [Fact]
    public async Task A_shorter_request_after_a_stopped_month_replays_that_length_from_where_it_stopped()
    {
        var stoppedAt = await StopPartWayAsync(TimeSpan.FromDays(30), Start);

        var report = await session.SimulateAsync(TimeSpan.FromHours(1));

        Assert.True(report.Resumed);
        Assert.Equal(stoppedAt, report.Start);
        Assert.Equal(stoppedAt.AddHours(1), report.End);
        Assert.Equal(60, report.Invocations);
        Assert.Equal(stoppedAt.AddHours(1), session.Clock.GetUtcNow());
        var state = SimulationState.Load(new WorkspaceDirectory(workspace))!;
        Assert.True(state.Completed);
        Assert.Equal(stoppedAt.AddHours(1), state.End);
        // No reading of the month beyond the hour asked for reached the lake.
        var latest = LakeFiles.Lines(workspace, session.Names.LakeBucket, "weather-data/")
            .Max(line => DateTimeOffset.Parse(System.Text.Json.JsonDocument.Parse(line.Line).RootElement.GetProperty("collection_time").GetString()!,
                System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(latest < stoppedAt.AddHours(1), $"The lake holds a reading collected at {latest:u}, after the hour asked for.");

        var text = report.ToString();
        Assert.Contains($"{stoppedAt.UtcDateTime:yyyy-MM-dd HH:mm} → {stoppedAt.AddHours(1).UtcDateTime:yyyy-MM-dd HH:mm} UTC (resumed)", text);
        Assert.Contains($"stopped at {stoppedAt.UtcDateTime:yyyy-MM-dd HH:mm} on its way to 2025-02-13 00:00 UTC; this run replaced the rest of it", text);
        Assert.Contains("Stopped replay", report.ToHtml());
    }

    [Fact]
    public async Task The_same_request_again_finishes_the_stopped_replay_and_says_nothing_of_a_stopped_one()
    {
        var stoppedAt = await StopPartWayAsync(TimeSpan.FromDays(3), Start);

        var report = await session.SimulateAsync(TimeSpan.FromDays(3));

        Assert.True(report.Resumed);
        Assert.Equal(Start, report.Start);
        Assert.Equal(Start.AddDays(3), report.End);
        Assert.Equal((int)(Start.AddDays(3) - stoppedAt).TotalMinutes, report.Invocations);
        Assert.DoesNotContain("Stopped replay", report.ToString());
    }

    [Fact]
    public async Task A_request_from_the_stopped_replays_own_start_ends_at_that_start_plus_its_length()
    {
        var stoppedAt = await StopPartWayAsync(TimeSpan.FromDays(30), Start);
        var length = stoppedAt - Start + TimeSpan.FromHours(2);

        var report = await session.SimulateAsync(length, Start);

        Assert.Equal(stoppedAt, report.Start);
        Assert.Equal(Start + length, report.End);
        Assert.Equal(120, report.Invocations);
    }

    [Fact]
    public async Task A_request_from_another_start_is_refused_with_where_the_stopped_replay_got_to_and_the_way_on()
    {
        var stoppedAt = await StopPartWayAsync(TimeSpan.FromDays(30), Start);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => session.SimulateAsync(TimeSpan.FromHours(1), Start.AddDays(40)));

        Assert.Equal($"This workspace holds an unfinished replay from 2025-01-14 00:00:00Z to 2025-02-13 00:00:00Z, stopped at {stoppedAt:u}. " +
            "Leave out the start (--start, or SimulateAsync's start) to go on from there, or start afresh with 'workshop reset'.", refused.Message);
    }

    /// <summary>Starts a replay and stops it at its first progress report; returns the minute it will go on from.</summary>
    private async Task<DateTimeOffset> StopPartWayAsync(TimeSpan duration, DateTimeOffset start)
    {
        using var stop = new CancellationTokenSource();
        var progress = new SynchronousProgress(_ => stop.Cancel());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => session.SimulateAsync(duration, start, progress, stop.Token));
        var state = SimulationState.Load(new WorkspaceDirectory(workspace))!;
        Assert.False(state.Completed);
        Assert.True(state.NextInvocation > start && state.NextInvocation < start + duration,
            $"The replay was to stop part-way, and stopped at {state.NextInvocation:u}.");
        return state.NextInvocation;
    }

    /// <summary>Reports on the replay's own thread, so the stop lands before its next minute.</summary>
    private sealed class SynchronousProgress(Action<SimulationProgress> report) : IProgress<SimulationProgress>
    {
        public void Report(SimulationProgress value) => report(value);
    }
}
