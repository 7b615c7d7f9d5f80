using DuckDB.NET.Data;
using StreamingWorkshop.Jobs;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Jobs;

/// <summary>The stack's own streaming job, with the arguments the template gives it, over readings the producer made.</summary>
public sealed class StreamingJobStackTests : LocalSessionTest
{
    [Fact]
    public async Task The_stacks_streaming_job_curates_every_reading_the_producer_put_on_the_stream()
    {
        await Session.SimulateAsync(TimeSpan.FromMinutes(10), new DateTimeOffset(2025, 1, 14, 0, 0, 0, TimeSpan.Zero));
        var jobs = Session.Local!.Jobs;
        var runId = await jobs.StartJobRunAsync(Session.Names.StreamingJob);
        Session.Clock.Advance(TimeSpan.FromMinutes(2));
        var run = await jobs.GetJobRunAsync(Session.Names.StreamingJob, runId);

        // The producer asks every minute; the weather service's reading changes less often, so Task 3's rule (one row
        // per city, measurement time and temperature) keeps fewer rows than there are records.
        var records = await StreamContents.ReadAllAsync(Temp.Root, Session.Names.StreamName);
        var readings = records.Select(r => System.Text.Json.JsonDocument.Parse(r).RootElement)
            .Select(e => $"{e.GetProperty("city").GetString()} {e.GetProperty("measurement_time").GetString()} {e.GetProperty("temperature").GetDouble()}")
            .Distinct().Count();
        Assert.Equal((JobRunStates.Running, 30, 3), (run.JobRunState, records.Count, readings));
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*), COUNT(DISTINCT (city, measurement_time, temperature_c)) FROM read_parquet('{Temp.Root}/lake/{Session.Names.LakeBucket}/curated/weather-live/**/*.parquet')";
        using var reader = command.ExecuteReader();
        reader.Read();
        Assert.Equal((3L, 3L), (reader.GetInt64(0), reader.GetInt64(1)));
        Assert.Equal(30, jobs.StreamingBatches(Session.Names.StreamingJob, runId).Sum(b => b.RecordsIn));
        Assert.Equal($"s3://{Session.Names.LakeBucket}/curated/weather-live/", Session.Local.Catalog.GetTable(Session.Names.Database, ReadingsCuration.LiveTable).Location);
    }

    [Fact]
    public async Task Starting_the_running_streaming_job_again_says_the_run_is_already_at_work_and_how_to_start_afresh()
    {
        await Session.SimulateAsync(TimeSpan.FromMinutes(2), new DateTimeOffset(2025, 1, 14, 0, 0, 0, TimeSpan.Zero));
        var job = Session.Names.StreamingJob;
        await Session.Jobs.RunAsync(job, wait: true);

        var refused = await Assert.ThrowsAsync<ConcurrentRunsExceededException>(() => Session.Jobs.RunAsync(job, wait: true));

        // Waiting is no way on for a run that never ends by itself.
        Assert.DoesNotContain("Wait for it to end", refused.Message);
        Assert.Matches($@"^Concurrent runs exceeded for {job}: run jr_\w+ is still active\. A streaming job runs until it is stopped, so this run is already reading the stream; " +
            $@"to start it afresh, stop it first \(workshop job stop {job}; in a notebook, await workshop\.Jobs\.StopAsync\(""{job}""\)\)\.$", refused.Message);
    }
}
