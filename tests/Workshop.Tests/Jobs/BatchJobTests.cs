using StreamingWorkshop.Catalog;
using StreamingWorkshop.Jobs;
using static Workshop.Tests.Jobs.BatchJobFixture;

namespace Workshop.Tests.Jobs;

/// <summary>The batch job on the local backend: its states on the virtual clock, what it writes, its bookmark and its failures.</summary>
public sealed class BatchJobTests(BatchJobFixture fixture) : IClassFixture<BatchJobFixture>
{
    private LocalJobService Jobs => fixture.Jobs;

    [Fact]
    public async Task A_run_is_starting_for_ten_seconds_running_for_thirty_then_succeeds_billed_a_minute()
    {
        fixture.PutJob("states");
        await fixture.PutRawAsync("states", "a", Reading("Oslo", -3.5, "2026-03-01T10:15", "2026-03-01T10:16:02.123Z"));
        var clock = fixture.Session.Local!.Clock;
        var startedAt = clock.GetUtcNow();

        var id = await Jobs.StartJobRunAsync("states");
        var starting = await Jobs.GetJobRunAsync("states", id);
        clock.Advance(TimeSpan.FromSeconds(10));
        var running = await Jobs.GetJobRunAsync("states", id);
        clock.Advance(TimeSpan.FromSeconds(29));
        var stillRunning = await Jobs.GetJobRunAsync("states", id);
        clock.Advance(TimeSpan.FromSeconds(5));
        var done = await Jobs.GetJobRunAsync("states", id);

        Assert.Matches("^jr_[0-9a-f]{64}$", id);
        Assert.Equal((JobRunStates.Starting, startedAt), (starting.JobRunState, starting.LastModifiedOn));
        Assert.Equal((JobRunStates.Running, startedAt.AddSeconds(10)), (running.JobRunState, running.LastModifiedOn));
        Assert.Equal(JobRunStates.Running, stillRunning.JobRunState);
        Assert.Equal((JobRunStates.Succeeded, startedAt.AddSeconds(40), 30, 120.0), (done.JobRunState, done.CompletedOn, done.ExecutionTime, done.DpuSeconds));
        Assert.Null(done.ErrorMessage);
    }

    [Fact]
    public async Task Curated_rows_carry_fahrenheit_hour_and_the_first_collection_with_duplicates_merged()
    {
        fixture.PutJob("rows");
        await fixture.PutRawAsync("rows", "a",
            Reading("Oslo", -3.5, "2026-03-01T10:15", "2026-03-01T10:16:02.123Z", ""","wind_speed":12.5,"weather_code":3"""),
            Reading("Oslo", -3.5, "2026-03-01T10:15", "2026-03-01T10:15:40.500Z"),
            Reading("Oslo", -2.0, "2026-03-01T11:00", "2026-03-01T11:01:00.000Z"),
            """{"city":"Oslo","measurement_time":"2026-03-01T11:15","collection_time":"2026-03-01T11:16:00.000Z"}""");

        var run = await fixture.RunToEndAsync("rows");
        var rows = fixture.Curated("rows", "Oslo", "2026", "03", "01");

        Assert.Equal(JobRunStates.Succeeded, run.JobRunState);
        Assert.Equal(
        [
            ["Oslo", new DateTime(2026, 3, 1, 10, 15, 0), 10, -3.5, 25.7, 12.5, 3, new DateTime(2026, 3, 1, 10, 15, 40, 500)],
            ["Oslo", new DateTime(2026, 3, 1, 11, 0, 0), 11, -2.0, 28.4, null, null, new DateTime(2026, 3, 1, 11, 1, 0)],
        ], rows);
    }

    [Fact]
    public async Task The_table_and_its_partitions_are_registered_as_parquet_under_the_lake_bucket()
    {
        fixture.PutJob("catalog-reg");
        await fixture.PutRawAsync("catalog-reg", "a",
            Reading("Oslo", 1.0, "2026-03-01T10:15", "2026-03-01T10:16:00.000Z"), Reading("Bergen", 2.0, "2026-03-02T09:00", "2026-03-02T09:01:00.000Z"));

        await fixture.RunToEndAsync("catalog-reg");
        var table = fixture.Session.Local!.Catalog.GetTable(Database, "catalog_reg");
        var partitions = fixture.Session.Local!.Catalog.GetPartitions(Database, "catalog_reg");

        Assert.Equal($"s3://{Bucket}/catalog-reg/curated/", table.Location);
        Assert.Equal("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe", table.SerdeLibrary);
        Assert.Equal("parquet", table.Classification);
        Assert.Equal(["city string", "measurement_time timestamp", "hour int", "temperature_c double", "temperature_f double", "wind_speed double", "weather_code int", "first_collected timestamp"],
            table.Columns.Select(c => $"{c.Name} {c.Type}"));
        Assert.Equal(["location", "year", "month", "day"], table.PartitionKeys.Select(c => c.Name));
        Assert.Equal(
        [
            $"Bergen/2026/03/02 s3://{Bucket}/catalog-reg/curated/location=Bergen/year=2026/month=03/day=02/",
            $"Oslo/2026/03/01 s3://{Bucket}/catalog-reg/curated/location=Oslo/year=2026/month=03/day=01/",
        ], partitions.Select(p => $"{string.Join('/', p.Values)} {p.Location}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_second_run_reads_only_new_objects_and_a_reset_rereads_all_without_duplicating_rows()
    {
        fixture.PutJob("bookmark");
        await fixture.PutRawAsync("bookmark", "a", Reading("Oslo", 1.0, "2026-03-01T10:00", "2026-03-01T10:01:00.000Z"));
        var first = await fixture.RunToEndAsync("bookmark");
        await fixture.PutRawAsync("bookmark", "b",
            Reading("Oslo", 1.0, "2026-03-01T10:00", "2026-03-01T10:02:00.000Z"), Reading("Oslo", 2.0, "2026-03-01T10:15", "2026-03-01T10:16:00.000Z"));
        var second = await fixture.RunToEndAsync("bookmark");
        var afterSecond = fixture.Curated("bookmark", "Oslo", "2026", "03", "01").Select(r => new[] { r[1], r[3], r[7] }).ToArray();
        await Jobs.ResetJobBookmarkAsync("bookmark");
        var third = await fixture.RunToEndAsync("bookmark");
        var afterReset = fixture.Curated("bookmark", "Oslo", "2026", "03", "01").Select(r => new[] { r[1], r[3], r[7] }).ToArray();

        string ReadLine(JobRun run) => Jobs.RunLog(run.Id).Select(e => e.Event.Message).Single(m => m.StartsWith("Reading ", StringComparison.Ordinal));
        Assert.StartsWith($"Reading s3://{Bucket}/bookmark/raw/ with job-bookmark-enable: 1 of 1 raw objects to read (", ReadLine(first));
        Assert.StartsWith($"Reading s3://{Bucket}/bookmark/raw/ with job-bookmark-enable: 1 of 2 raw objects to read (", ReadLine(second));
        Assert.StartsWith($"Reading s3://{Bucket}/bookmark/raw/ with job-bookmark-enable: 2 of 2 raw objects to read (", ReadLine(third));
        object?[][] expected =
        [
            [new DateTime(2026, 3, 1, 10, 0, 0), 1.0, new DateTime(2026, 3, 1, 10, 1, 0)],
            [new DateTime(2026, 3, 1, 10, 15, 0), 2.0, new DateTime(2026, 3, 1, 10, 16, 0)],
        ];
        Assert.Equal(expected, afterSecond);
        Assert.Equal(expected, afterReset);
    }

    [Fact]
    public async Task A_raw_object_that_is_not_gzip_fails_the_run_naming_the_object_in_its_error_log()
    {
        fixture.PutJob("broken");
        await fixture.Session.Local!.Lake.PutObjectAsync(Bucket, "broken/raw/bad.gz", "not gzip at all"u8.ToArray());

        var run = await fixture.RunToEndAsync("broken");
        var errors = fixture.Session.Local!.Jobs.Logs.GetLogEvents(JobLogGroups.Error, run.Id);

        const string message = $"Raw object s3://{Bucket}/broken/raw/bad.gz is not valid gzip: its content cannot be decompressed. Remove or replace the object, then run the job again.";
        Assert.Equal((JobRunStates.Failed, message), (run.JobRunState, run.ErrorMessage));
        Assert.Equal([(run.CompletedOn!.Value, "ERROR " + message)], errors.Select(e => (e.Timestamp, e.Message)));
    }

    [Fact]
    public async Task A_raw_prefix_with_nothing_in_the_lake_fails_the_run_after_fifteen_seconds()
    {
        fixture.PutJob("no-prefix");

        var run = await fixture.RunToEndAsync("no-prefix", new Dictionary<string, string> { ["--raw_prefix"] = "wether-data/" });

        Assert.Equal((JobRunStates.Failed, 15), (run.JobRunState, run.ExecutionTime));
        Assert.Equal($"Path does not exist: s3://{Bucket}/wether-data/ has no objects. Check --raw_prefix (the raw readings are under weather-data/; list the lake with workshop lake ls).", run.ErrorMessage);
    }

    [Fact]
    public async Task Stopping_an_ended_run_gives_an_error_entry_and_a_second_start_while_one_runs_is_refused()
    {
        fixture.PutJob("stops");
        await fixture.PutRawAsync("stops", "a", Reading("Oslo", 1.0, "2026-03-01T10:00", "2026-03-01T10:01:00.000Z"));
        var ended = await fixture.RunToEndAsync("stops");
        var active = await Jobs.StartJobRunAsync("stops");

        var (stopping, errors) = await Jobs.BatchStopJobRunAsync("stops", [ended.Id, active]);
        var refused = await Assert.ThrowsAsync<ConcurrentRunsExceededException>(() => Jobs.StartJobRunAsync("stops"));
        fixture.Session.Local!.Clock.Advance(TimeSpan.FromSeconds(5));
        var stopped = await Jobs.GetJobRunAsync("stops", active);

        Assert.Equal([active], stopping);
        Assert.Equal([new JobRunStopError(ended.Id, "InvalidInputException", $"Job run {ended.Id} cannot be stopped: it has already ended (SUCCEEDED).")], errors);
        Assert.Equal($"Concurrent runs exceeded for stops: run {active} is still active. Wait for it to end, or stop it (workshop job stop stops; in a notebook, await workshop.Jobs.StopAsync(\"stops\")).", refused.Message);
        Assert.Equal((JobRunStates.Stopped, 0, 0.0), (stopped.JobRunState, stopped.ExecutionTime, stopped.DpuSeconds));
        Assert.Equal([active, ended.Id], (await Jobs.GetJobRunsAsync("stops")).Select(r => r.Id));
    }

    [Fact]
    public async Task An_unknown_job_is_named_with_the_jobs_there_are()
    {
        fixture.PutJob("known");

        var error = await Assert.ThrowsAsync<EntityNotFoundException>(() => Jobs.GetJobAsync("unknown"));

        Assert.StartsWith("Job with name: unknown not found. The jobs are: ", error.Message);
        Assert.Contains("known", error.Message.Split(": ")[^1].TrimEnd('.').Split(", "));
    }

    [Fact]
    public async Task Bookmark_disable_reads_everything_and_pause_reads_the_new_objects_without_moving_the_bookmark()
    {
        fixture.PutJob("options");
        await fixture.PutRawAsync("options", "a", Reading("Oslo", 1.0, "2026-03-01T10:00", "2026-03-01T10:01:00.000Z"));
        await fixture.RunToEndAsync("options");
        await fixture.PutRawAsync("options", "b", Reading("Oslo", 2.0, "2026-03-01T10:15", "2026-03-01T10:16:00.000Z"));

        var disabled = await fixture.RunToEndAsync("options", new Dictionary<string, string> { ["--job-bookmark-option"] = "job-bookmark-disable" });
        var paused = await fixture.RunToEndAsync("options", new Dictionary<string, string> { ["--job-bookmark-option"] = "job-bookmark-pause" });
        var pausedAgain = await fixture.RunToEndAsync("options", new Dictionary<string, string> { ["--job-bookmark-option"] = "job-bookmark-pause" });

        string Summary(JobRun run) => string.Join(" | ", Jobs.RunLog(run.Id).Select(e => e.Event.Message)
            .Where(m => m.StartsWith("Reading ", StringComparison.Ordinal) || m.StartsWith("Bookmark", StringComparison.Ordinal)).Select(m => m.Split(" (")[0]));
        Assert.Equal($"Reading s3://{Bucket}/options/raw/ with job-bookmark-disable: 2 of 2 raw objects to read | Bookmark not moved", Summary(disabled));
        Assert.Equal($"Reading s3://{Bucket}/options/raw/ with job-bookmark-pause: 1 of 2 raw objects to read | Bookmark not moved", Summary(paused));
        Assert.Equal(Summary(paused), Summary(pausedAgain));
        Assert.Equal(2, fixture.Curated("options", "Oslo", "2026", "03", "01").Count);
    }

    [Fact]
    public async Task A_run_still_going_at_its_timeout_ends_in_TIMEOUT_at_that_minute_with_nothing_written()
    {
        fixture.PutJob("slow", timeoutMinutes: 1);
        for (var i = 0; i < 501; i++) await fixture.PutRawAsync("slow", $"part-{i:000}", Reading("Oslo", 1.0, "2026-03-01T10:00", "2026-03-01T10:01:00.000Z"));

        var run = await fixture.RunToEndAsync("slow");

        Assert.Equal((JobRunStates.Timeout, run.StartedOn.AddMinutes(1), 50), (run.JobRunState, run.CompletedOn, run.ExecutionTime));
        Assert.Equal("Job run timed out: it was still running after the job's timeout of 1 minutes. Give the job a longer Timeout, or more workers.", run.ErrorMessage);
        Assert.Empty(fixture.Curated("slow", "Oslo", "2026", "03", "01"));
    }

    [Fact]
    public async Task A_run_stopped_while_running_is_stopped_five_seconds_later_billed_a_minute_with_nothing_written()
    {
        fixture.PutJob("stop-running");
        await fixture.PutRawAsync("stop-running", "a", Reading("Oslo", 1.0, "2026-03-01T10:00", "2026-03-01T10:01:00.000Z"));
        var clock = fixture.Session.Local!.Clock;
        var id = await Jobs.StartJobRunAsync("stop-running");
        clock.Advance(TimeSpan.FromSeconds(20));

        var (stopping, _) = await Jobs.BatchStopJobRunAsync("stop-running", [id]);
        var whileStopping = await Jobs.GetJobRunAsync("stop-running", id);
        clock.Advance(TimeSpan.FromMinutes(1));
        var stopped = await Jobs.GetJobRunAsync("stop-running", id);

        Assert.Equal([id], stopping);
        Assert.Equal(JobRunStates.Stopping, whileStopping.JobRunState);
        Assert.Equal((JobRunStates.Stopped, stopped.StartedOn.AddSeconds(25), 15, 120.0), (stopped.JobRunState, stopped.CompletedOn, stopped.ExecutionTime, stopped.DpuSeconds));
        Assert.Empty(fixture.Curated("stop-running", "Oslo", "2026", "03", "01"));
    }
}
