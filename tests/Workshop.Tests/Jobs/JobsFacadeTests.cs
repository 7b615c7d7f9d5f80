using System.Text.RegularExpressions;
using StreamingWorkshop.Jobs;
using Workshop.Tests.BadInput;
using static Workshop.Tests.Jobs.BatchJobFixture;

namespace Workshop.Tests.Jobs;

/// <summary>workshop.Jobs and the job verb: what a learner sees when running, watching and stopping a job.</summary>
public sealed class JobsFacadeTests(BatchJobFixture fixture) : IClassFixture<BatchJobFixture>
{
    private static GlueJob Job(string name, string command, string workerType, int workers) =>
        new(name, "role", new JobCommand(command, "s3://scripts/x.py"), new Dictionary<string, string>(), "4.0", workerType, workers, 30);

    [Fact]
    public void The_job_list_shows_workers_DPUs_and_the_cost_per_hour_in_80_columns()
    {
        var view = new JobListView([Job("curate-batch", JobCommandNames.Batch, "G.1X", 2), Job("curate-stream", JobCommandNames.Streaming, "G.025X", 2)]);

        Assert.Equal("""
            Glue jobs ($0.44 per DPU-hour, billed per second, at least a minute per run)
            Job            Type       Workers     Glue  DPU  $/hour
            -------------  ---------  ----------  ----  ---  ------
            curate-batch   batch      2 × G.1X    4.0   2    $0.88
            curate-stream  streaming  2 × G.025X  4.0   0.5  $0.22

            """, view.ToString());
    }

    [Fact]
    public void The_runs_show_state_time_and_cost_with_each_failure_under_the_table()
    {
        var start = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        JobRun Run(string id, string state, int seconds, double dpuSeconds, string? error = null) => new(id, "curate-batch", 0, state, new Dictionary<string, string>(),
            start, start, start.AddSeconds(10 + seconds), seconds, 30, "G.1X", 2, "4.0", error, DpuSeconds: dpuSeconds);
        var view = new JobRunsView("curate-batch",
        [
            Run("jr_" + new string('b', 64), JobRunStates.Failed, 15, 120, "Raw object s3://lake/raw/a.gz is not valid gzip."),
            Run("jr_" + new string('a', 64), JobRunStates.Succeeded, 541, 1082),
        ]);

        Assert.Equal("""
            Runs of curate-batch, newest first (2)
            Run id            State      Started (UTC)        Time   DPU-s  Cost
            ----------------  ---------  -------------------  -----  -----  -------
            jr_bbbbbbbbbbbb…  FAILED     2026-03-01 12:00:00  15 s   120    $0.0147
            jr_aaaaaaaaaaaa…  SUCCEEDED  2026-03-01 12:00:00  541 s  1082   $0.1322
            jr_bbbbbbbbbbbb…: Raw object s3://lake/raw/a.gz is not valid gzip.

            """, view.ToString());
    }

    [Fact]
    public async Task Waiting_on_a_run_moves_the_clock_to_its_end_and_its_log_tells_what_it_did()
    {
        fixture.PutJob("facade-wait");
        await fixture.PutRawAsync("facade-wait", "a", Reading("Oslo", 1.0, "2026-03-01T10:00", "2026-03-01T10:01:00.000Z"));
        var clock = fixture.Session.Clock;
        var startedAt = clock.GetUtcNow();

        var run = (await fixture.Session.Jobs.RunAsync("facade-wait", wait: true)).Run;
        var log = await fixture.Session.Jobs.LogAsync(run.Id);

        Assert.Equal((JobRunStates.Succeeded, startedAt.AddSeconds(40)), (run.JobRunState, clock.GetUtcNow()));
        var at = (string time) => startedAt.Add(TimeSpan.Parse(time, System.Globalization.CultureInfo.InvariantCulture)).UtcDateTime.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        // Sizes depend on gzip and Parquet encoders, not on the job: they are shown as SIZE here.
        var lines = log.ToString().TrimEnd('\n').Split('\n').Select(l => Regex.Replace(l, @"\d+(\.\d)? (B|KiB)", "SIZE"));
        Assert.Equal(
        [
            $"{at("0:00:00")} output Job run {run.Id} of facade-wait accepted: 2 × G.1X workers, Glue 4.0, timeout 30 min.",
            $"{at("0:00:10")} output Reading s3://{Bucket}/facade-wait/raw/ with job-bookmark-enable: 1 of 1 raw objects to read (SIZE).",
            $"{at("0:00:40")} output Read 1 raw readings from 1 objects.",
            $"{at("0:00:40")} output Curated 1 raw readings into facade_wait at s3://{Bucket}/facade-wait/curated/: 1 partitions rewritten.",
            $"{at("0:00:40")} output   location=Oslo/year=2026/month=03/day=01: 1 rows, SIZE",
            $"{at("0:00:40")} output Catalog: {Database}.facade_wait has 1 new partitions.",
            $"{at("0:00:40")} output Bookmark committed: 1 raw objects processed so far.",
            $"{at("0:00:40")} output Job run succeeded after 30 s: billed 120 DPU-seconds ($0.0147).",
        ], lines);
    }

    [Fact]
    public async Task Stopping_a_job_waits_for_the_run_to_stop_and_a_job_with_none_active_says_so()
    {
        fixture.PutJob("facade-stop");
        await fixture.PutRawAsync("facade-stop", "a", Reading("Oslo", 1.0, "2026-03-01T10:00", "2026-03-01T10:01:00.000Z"));
        var started = (await fixture.Session.Jobs.RunAsync("facade-stop")).Run;
        var askedAt = fixture.Session.Clock.GetUtcNow();

        var stopped = await fixture.Session.Jobs.StopAsync("facade-stop");
        var again = await fixture.Session.Jobs.StopAsync("facade-stop");
        var runs = await fixture.Session.Jobs.RunsAsync("facade-stop");

        // STOPPING lasts 5 s: waiting moves the clock there, as a wait for a run's end does.
        Assert.Equal($"Run {started.Id} of facade-stop is STOPPED since {askedAt.AddSeconds(5).UtcDateTime:HH:mm:ss}.", stopped.ToString());
        Assert.Equal("facade-stop has no active run to stop.", again.ToString());
        Assert.Equal([JobRunStates.Stopped], runs.Select(r => r.JobRunState));
    }

    [Fact]
    public async Task Resetting_a_streaming_jobs_bookmark_resets_nothing_and_says_where_a_run_can_be_given_new_arguments()
    {
        fixture.Jobs.PutJob(Job("facade-stream", JobCommandNames.Streaming, "G.025X", 2));

        var shown = (await fixture.Session.Jobs.ResetBookmarkAsync("facade-stream")).ToString();

        Assert.StartsWith("facade-stream is a streaming job: it keeps its place in the stream in its checkpoint, not in a bookmark, so nothing was reset.", shown);
        // The command line's 'job run' takes no job arguments, so the way to give them is named, not an option it lacks.
        Assert.Contains("from a notebook: workshop.Jobs.RunAsync(name, arguments: ...) ('workshop job run' takes no job arguments).", shown);
    }

    [Fact]
    public void The_job_verb_refuses_a_name_that_is_no_job_with_one_line_listing_the_jobs()
    {
        // A process of its own, so the test process keeps its working folder (see BenchSimulateTests).
        var run = WorkshopCli.Child(fixture.Temp.Root, "job", "run", "curate-nothing", "--workspace", fixture.Temp.Root);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        var line = Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("Error: There is no job 'curate-nothing'. The jobs are: ", line);
        Assert.Contains("weather-analytics-curate-batch-dev", line.Split(": ")[^1].TrimEnd('.').Split(", "));
    }

    [Fact]
    public async Task The_curated_files_are_listed_per_partition_folder_of_the_lake_bucket()
    {
        await fixture.Session.EnsurePipelineAsync();
        var names = fixture.Session.Names;
        var job = fixture.PutJob("facade-files") with
        {
            DefaultArguments = new Dictionary<string, string>
            {
                ["--database"] = names.Database, ["--lake_bucket"] = names.LakeBucket, ["--raw_prefix"] = "facade-files-raw/",
                ["--curated_prefix"] = ReadingsCuration.CuratedPrefix, ["--curated_table"] = ReadingsCuration.CuratedTable,
            },
        };
        fixture.Jobs.PutJob(job);
        await fixture.Session.Local!.Lake.PutObjectAsync(names.LakeBucket, "facade-files-raw/a.json",
            System.Text.Encoding.UTF8.GetBytes(Reading("Oslo", 1.0, "2026-03-01T10:00", "2026-03-01T10:01:00.000Z") + "\n" + Reading("Bergen", 3.0, "2026-03-02T10:00", "2026-03-02T10:01:00.000Z")));

        var run = (await fixture.Session.Jobs.RunAsync("facade-files", wait: true)).Run;
        var files = await fixture.Session.Jobs.CuratedFilesAsync();

        Assert.Equal(JobRunStates.Succeeded, run.JobRunState);
        Assert.Equal(
        [
            $"curated/weather/location=Bergen/year=2026/month=03/day=02/part-00000-{run.Id[3..15]}.c000.snappy.parquet",
            $"curated/weather/location=Oslo/year=2026/month=03/day=01/part-00000-{run.Id[3..15]}.c000.snappy.parquet",
        ], files.Objects.Select(o => o.Key));
        Assert.Equal(
        [
            $"Curated objects in s3://{names.LakeBucket}/: 2 files, SIZE",
            "Folder                                                     Files  Size",
            "---------------------------------------------------------  -----  ----",
            "curated/weather/location=Bergen/year=2026/month=03/day=02  1      SIZE",
            "curated/weather/location=Oslo/year=2026/month=03/day=01    1      SIZE",
        // The sizes come from DuckDB's Parquet writer, so they and the width of their column are left out.
        ], files.ToString().TrimEnd('\n').Split('\n').Select(l => Regex.Replace(Regex.Replace(l, @"\d+(\.\d)? (B|KiB)", "SIZE"), "  -+$", "  ----")));
    }

    [Fact]
    public void The_facade_shows_the_calls_it_offers_and_what_each_makes_of_the_Glue_API()
    {
        var shown = fixture.Session.Jobs.ToString();

        Assert.StartsWith("workshop.Jobs: the stack's Glue ETL jobs", shown);
        Assert.Contains("StopAsync(name)", shown);
        Assert.Contains("\nStopAsync(name)            BatchStopJobRun, then GetJobRun until each run has\n                           stopped\n", shown);
        Assert.Contains("<table", fixture.Session.Jobs.ToHtml());
    }
}
