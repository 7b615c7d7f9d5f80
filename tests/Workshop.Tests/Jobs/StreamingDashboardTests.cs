using StreamingWorkshop.Display;
using StreamingWorkshop.Jobs;

namespace Workshop.Tests.Jobs;

/// <summary>The streaming job's dashboard: a snapshot of the latest readings and 5-minute averages, updated in place while live.</summary>
public sealed class StreamingDashboardTests
{
    private sealed class Recorder : IUpdatableDisplay
    {
        public List<object?> Shown { get; } = [];
        public void Update(object? value) => Shown.Add(value);
    }

    [Fact]
    public async Task The_dashboard_shows_the_latest_readings_and_windows_and_updates_in_place_while_live()
    {
        using var world = new StreamingJobWorld(shards: 1);
        world.Jobs.PutJob(world.Job);
        var runId = await world.Jobs.StartJobRunAsync(world.Job.Name);
        world.At(TimeSpan.FromSeconds(10));
        world.Reading("Berlin", 5.0, "2025-01-14T00:00", TimeSpan.FromSeconds(5));
        world.At(TimeSpan.FromSeconds(70));
        world.Reading("Paris", 7.5, "2025-01-14T00:01", TimeSpan.FromSeconds(65));
        world.At(TimeSpan.FromSeconds(200));
        world.Reading("Berlin", 7.0, "2025-01-14T00:03", TimeSpan.FromSeconds(195));
        world.At(TimeSpan.FromSeconds(350));
        world.Reading("Berlin", 9.0, "2025-01-14T00:05", TimeSpan.FromSeconds(345));
        world.At(TimeSpan.FromMinutes(6));

        // In replay the dashboard is a snapshot: the window of 00:00 is still open (its watermark passes at 00:06:00,
        // the next batch starts at 00:06:30), so its averages so far come from the checkpoint.
        using (var snapshot = world.Jobs.Dashboard(world.Job.Name))
            Assert.Equal("""
                Streaming job curate-stream-test (RUNNING) · batch 5 landed 00:05:35 (0 record(s) read) · clock 2025-01-14 00:06:00 UTC
                Latest reading per city
                City    Measured (UTC)    °C   °F
                ------  ----------------  ---  ----
                Berlin  2025-01-14 00:03  7.0  44.6
                Paris   2025-01-14 00:01  7.5  45.5
                5-minute averages per city
                Window (UTC)  City    Readings  Avg °C  Min °C  Max °C  State
                ------------  ------  --------  ------  ------  ------  ------------
                00:00-00:05   Berlin  2         6.0     5.0     7.0     open, so far
                00:00-00:05   Paris   1         7.5     7.5     7.5     open, so far
                """, snapshot.ToString());

        var recorder = new Recorder();
        LiveDisplay.Current = first => { recorder.Shown.Add(first); return recorder; };
        try
        {
            // At 60 times real time the minute takes a second; the next batch lands only 35 virtual seconds (0.6 s) after its end.
            world.Clock.StartLive(speed: 60);
            // Held at 00:07:00, as a live run holds its clock at its end: a test thread woken late on a busy machine
            // would otherwise let the dashboard settle the job past it (the next batch lands at 00:07:35).
            world.Clock.HoldLiveAt(StreamingJobWorld.Midnight + TimeSpan.FromMinutes(7));
            using var live = world.Jobs.Dashboard(world.Job.Name);
            while (world.Clock.GetUtcNow() < StreamingJobWorld.Midnight + TimeSpan.FromMinutes(7)) await Task.Delay(10);
            world.Clock.StopLiveAt(StreamingJobWorld.Midnight + TimeSpan.FromMinutes(7));
            await live.Following;
        }
        finally
        {
            LiveDisplay.Current = null;
            world.Clock.StopLive();
        }

        Assert.StartsWith("Streaming job curate-stream-test (RUNNING) · batch 5 landed 00:05:35", recorder.Shown[0]!.ToString());
        Assert.Equal("""
            Streaming job curate-stream-test (RUNNING) · batch 6 landed 00:06:35 (1 record(s) read) · clock 2025-01-14 00:07:00 UTC
            Latest reading per city
            City    Measured (UTC)    °C   °F
            ------  ----------------  ---  ----
            Berlin  2025-01-14 00:05  9.0  48.2
            Paris   2025-01-14 00:01  7.5  45.5
            5-minute averages per city
            Window (UTC)  City    Readings  Avg °C  Min °C  Max °C  State
            ------------  ------  --------  ------  ------  ------  ------------
            00:05-00:10   Berlin  1         9.0     9.0     9.0     open, so far
            00:00-00:05   Berlin  2         6.0     5.0     7.0     written
            00:00-00:05   Paris   1         7.5     7.5     7.5     written
            """, recorder.Shown[^1]!.ToString());
        Assert.Equal(runId, (await world.Jobs.GetJobRunsAsync(world.Job.Name)).Single().Id);
    }
}
