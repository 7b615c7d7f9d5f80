using Spectre.Console;
using StreamingWorkshop.Cli.Commands;
using StreamingWorkshop.Display;
using StreamingWorkshop.Jobs;

namespace Workshop.Tests.Jobs;

/// <summary>What a learner reads from the jobs' displays at 80 columns: whole prices and addresses, sums that add up, times in UTC.</summary>
public sealed class JobDisplayWordingTests
{
    [Fact]
    public void Prose_wraps_at_its_spaces_so_a_price_or_an_address_stays_whole()
    {
        Assert.Equal(
        [
            "- Redshift: the smallest provisioned node at $0.25 per hour (\"start small at",
            "$0.25 per hour\") (https://aws.amazon.com/redshift/pricing/)",
        ], TextTable.Wrap("- Redshift: the smallest provisioned node at $0.25 per hour (\"start small at $0.25 per hour\") (https://aws.amazon.com/redshift/pricing/)", 80));
        Assert.Equal(
        [
            "- Firehose: $0.029 per GB ingested, each record rounded up to 5 KB; dynamic",
            "partitioning $0.020 per GB and $0.005 per 1,000 objects",
            "(https://aws.amazon.com/firehose/pricing/)",
        ], TextTable.Wrap("- Firehose: $0.029 per GB ingested, each record rounded up to 5 KB; dynamic partitioning $0.020 per GB and $0.005 per 1,000 objects (https://aws.amazon.com/firehose/pricing/)", 80));
    }

    [Fact]
    public void A_path_with_no_spaces_still_breaks_after_its_punctuation()
    {
        Assert.Equal(["curated/weather/location=", "Edinburgh/year=2026/month=12/", "day=03"],
            TextTable.Wrap("curated/weather/location=Edinburgh/year=2026/month=12/day=03", 30));
    }

    [Fact]
    public void A_json_record_breaks_between_its_members_so_keys_and_values_stay_whole()
    {
        Assert.Equal([
            "{\"city\":\"Manchester\",\"temperature\":2.4,",
            "\"measurement_time\":\"2026-12-05T00:00\",",
            "\"collection_time\":\"2026-12-05T00:05:00.000Z\",",
            "\"source\":\"simulated\",\"wind_speed\":18.3,\"weather_code\":53}",
        ], TextTable.Wrap("{\"city\":\"Manchester\",\"temperature\":2.4,\"measurement_time\":\"2026-12-05T00:00\",\"collection_time\":\"2026-12-05T00:05:00.000Z\",\"source\":\"simulated\",\"wind_speed\":18.3,\"weather_code\":53}", 59));
    }

    [Fact]
    public void A_word_longer_than_its_column_breaks_after_its_punctuation_not_inside_a_name()
    {
        Assert.Equal(["Glue.", "EntityNotFoundException:", "Crawler entry"], TextTable.Wrap("Glue.EntityNotFoundException: Crawler entry", 28));
        Assert.Equal(["athena:", "startQueryExecution.sync"], TextTable.Wrap("athena:startQueryExecution.sync", 26));
    }

    [Fact]
    public void A_name_longer_than_its_column_breaks_between_its_words()
    {
        Assert.Equal(["ConcurrentRunsExceeded", "Exception: Concurrent runs"], TextTable.Wrap("ConcurrentRunsExceededException: Concurrent runs", 28));
        // A run of hex digits has no words to break between.
        Assert.Equal(["4abcb6ca7fab5c52", "314a725880e7"], TextTable.Wrap("4abcb6ca7fab5c52314a725880e7", 16));
    }

    private sealed class NeverQueryable : IFreshnessPath
    {
        public string Name => "Streaming job";
        public DateTimeOffset? QueryableAt(TrackedReading reading) => null;
        public PathCost Cost => new(5.38m, "2 × G.025X (0.5 DPU) for 24 h $5.28, 5,421 S3 puts $0.03, 1,440 Athena queries $0.07.");
    }

    [Fact]
    public void A_long_freshness_note_wraps_under_its_dash()
    {
        var report = new FreshnessReport([], [new NeverQueryable()],
            ["Redshift: the smallest provisioned node at $0.25 per hour (\"start small at $0.25 per hour\") (https://aws.amazon.com/redshift/pricing/)"]);

        Assert.EndsWith("""
            - Streaming job: 2 × G.025X (0.5 DPU) for 24 h $5.28, 5,421 S3 puts $0.03, 1,440
              Athena queries $0.07.
            - Redshift: the smallest provisioned node at $0.25 per hour ("start small at
              $0.25 per hour") (https://aws.amazon.com/redshift/pricing/)

            """.ReplaceLineEndings("\n"), report.ToString());
    }

    private static JobRun Run(int executionSeconds, double dpuSeconds, DateTimeOffset? completed) => new(
        "jr_0001", "weather-analytics-curate-batch-dev", 0, completed is null ? JobRunStates.Running : JobRunStates.Succeeded,
        new Dictionary<string, string>(), new DateTimeOffset(2026, 12, 4, 0, 5, 58, TimeSpan.Zero), completed ?? new DateTimeOffset(2026, 12, 4, 0, 6, 38, TimeSpan.Zero),
        completed, executionSeconds, 30, "G.1X", 2, "4.0", DpuSeconds: dpuSeconds);

    [Fact]
    public void A_short_run_says_it_is_billed_the_one_minute_minimum_and_its_times_are_utc()
    {
        var text = new JobRunView(Run(30, 120, new DateTimeOffset(2026, 12, 4, 0, 6, 38, TimeSpan.Zero))).ToString();

        Assert.Equal("""
            Run of weather-analytics-curate-batch-dev: SUCCEEDED
            Property   Value
            ---------  ---------------------------------------------------------------
            Job        weather-analytics-curate-batch-dev
            Run id     jr_0001
            State      SUCCEEDED
            Started    2026-12-04 00:05:58 UTC
            Completed  2026-12-04 00:06:38 UTC
            Start-up   10 s
            Run time   30 s
            Workers    2 × G.1X, Glue 4.0
            Billed     120 DPU-seconds, $0.0147 (2 DPU × 60 s, the one-minute minimum)

            """.ReplaceLineEndings("\n"), text);
    }

    [Fact]
    public void A_longer_run_shows_the_sum_its_billed_seconds_come_from()
    {
        var text = new JobRunView(Run(218, 436, new DateTimeOffset(2026, 12, 4, 0, 5, 58, TimeSpan.Zero))).ToString();

        Assert.Contains("\nBilled     436 DPU-seconds, $0.0533 (2 DPU × 218 s)\n", text);
    }

    [Fact]
    public void One_crawl_a_day_is_one_crawl()
    {
        var day = new DayOfTraffic(Records: 4_320, RecordBytes: 200, LakeObjects: 1_440, LakeBytesScanned: 300_000, JobObjects: 2_880, JobBytesScanned: 50_000,
            LakeObjectsRead: 180, JobObjectsRead: 60);

        // 1 crawl × 2 DPU × 1/6 h × $0.44 = $0.1467.
        Assert.Equal("Firehose $0.00, dynamic partitioning $0.01, 1,440 S3 puts $0.01, 1 crawl $0.15, 1,440 Athena queries $0.07 and their 259,200 S3 GETs $0.10.",
            new FreshnessPrices().Lake(day, TimeSpan.FromDays(1), dashboardQueriesPerDay: 1_440).Basis);
    }

    [Fact]
    public void The_job_bench_table_keeps_each_measurement_on_one_line_at_80_columns()
    {
        var batch = Run(30, 120, new DateTimeOffset(2026, 12, 4, 0, 6, 38, TimeSpan.Zero));
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 80;
        console.Profile.Capabilities.Unicode = true;

        console.Write(JobBench.Figures(new BenchReport("job"), 12_960, (TimeSpan.FromMilliseconds(20), 12_960), (TimeSpan.FromMilliseconds(190), batch),
            (TimeSpan.FromMilliseconds(220), 12_960)).ToTerminalTable());

        Assert.Equal("""
                  12,960 readings: the batch and streaming jobs against a plain COPY
            ┌─────────────────────────────────────┬───────────┬───────────┬───────────────┐
            │ Measured                            │ Wall time │ Records/s │ Time vs floor │
            ├─────────────────────────────────────┼───────────┼───────────┼───────────────┤
            │ Plain COPY to Parquet (the floor)   │ 0.02 s    │ 648,000   │ 1.0x          │
            │ Batch job (SUCCEEDED, 30 s virtual) │ 0.19 s    │ 68,211    │ 9.5x          │
            │ Streaming job, same readings        │ 0.22 s    │ 58,909    │ 11.0x         │
            └─────────────────────────────────────┴───────────┴───────────┴───────────────┘

            """.ReplaceLineEndings("\n"), string.Join("\n", writer.ToString().ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd())));
    }
}
