using System.Globalization;
using System.Text.RegularExpressions;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// What a learner reads in the orchestration notebook after `workshop run`. Worked out by hand: the simulated day gives
/// each of three cities a reading measured every quarter-hour, so yesterday has 96 readings and 24 hours per city; the
/// daily pipeline's crawler loop waits 30 s once; a batch run started by hand holds the job, so the pipeline's first
/// attempt at RunBatchJob fails and its retrier waits the definition's 60 s; today has only begun when the pipeline is
/// run for it, so its check finds 1 hour of 24; that hour is one INSERT's one Parquet object, deleted when the day is
/// mended.
/// </summary>
[Collection(WorkshopRunCollection.Name)]
public sealed class OrchestrationNotebookTests(WorkshopRun run)
{
    private const string Notebook = "08-going-further-orchestration.ipynb";

    private List<(string Source, string Text)> CodeCells() => ExecutedNotebook.CodeCells(run, Notebook);

    private static string OutputOf(List<(string Source, string Text)> cells, string sourceMarker) => ExecutedNotebook.OutputOf(cells, sourceMarker);

    [Fact]
    public void The_first_run_takes_the_catch_to_create_the_daily_table_and_curates_yesterday_in_full()
    {
        var cells = CodeCells();

        Assert.Contains("weather-analytics-daily-pipeline-dev  STANDARD  never run", OutputOf(cells, "await workshop.Workflows.ListAsync()"));
        Assert.Contains("\"StartAt\": \"ChooseDay\"", OutputOf(cells, "DefinitionAsync()"));
        Assert.Contains("weather-analytics-daily-pipeline-dev (not run yet)", OutputOf(cells, "DrawAsync()"));

        var first = OutputOf(cells, "var first = await workshop.Workflows.RunAsync(wait: true);");
        Assert.Matches(@"^Execution [0-9a-f-]{36}: SUCCEEDED\n", first);
        Assert.Matches(@"Machine\s+weather-analytics-daily-pipeline-dev\n", first);
        Assert.Matches(@"↷ FindDailyTable\s+glue:getTable", first);
        Assert.Matches(@"✓ CreateDailyTable\s+athena:startQueryExecution\.sync", first);
        Assert.Matches(@"· CurateDay\s", first);
        Assert.Matches(@"· MissingHours\s", first);

        var history = OutputOf(cells, "HistoryAsync(first.Execution.Name)");
        // A name longer than its column breaks after its dot, never inside the name.
        Assert.Matches(@"TaskFailed\s+FindDailyTable\s+Glue\.\s+EntityNotFoundException:", history);
        Assert.Matches(@"WaitStateEntered\s+WaitForCrawler", history);
        Assert.Contains("ExecutionSucceeded", history);

        var table = OutputOf(cells, "COUNT(DISTINCT substr(measurement_time");
        foreach (var city in new[] { "Edinburgh", "London", "Manchester" })
            Assert.Matches($@"\d{{4}}-\d\d-\d\d\s+{city}\s+96\s+24\n", table);
    }

    [Fact]
    public void A_busy_batch_job_is_retried_after_the_definitions_interval_and_a_day_that_has_barely_begun_fails_the_check()
    {
        var cells = CodeCells();

        var again = OutputOf(cells, "var again = await workshop.Workflows.RunAsync(wait: true);");
        Assert.Contains(": SUCCEEDED", again);
        Assert.Matches(@"✓ CurateDay\s", again);
        Assert.Matches(@"✓ RunBatchJob\s+glue:startJobRun\.sync\s+\[retried 1\]", again);

        var step = OutputOf(cells, "var batchJobStep");
        var failedAt = Regex.Match(step, @"(\d\d:\d\d:\d\d)\s+TaskFailed\s+RunBatchJob\s+Glue\.\s+ConcurrentRunsExceededException:");
        var retriedAt = Regex.Match(step, @"(\d\d:\d\d:\d\d)\s+TaskScheduled\s+RunBatchJob", RegexOptions.RightToLeft);
        Assert.True(failedAt.Success && retriedAt.Success, step);
        Assert.Equal(TimeSpan.FromSeconds(60), Time(retriedAt) - Time(failedAt));
        Assert.Matches(@"TaskSucceeded\s+RunBatchJob", step);
        // The second run's INSERT added nothing to the day already there: 96 readings for each of three cities.
        Assert.Matches(@"\d{4}-\d\d-\d\d\s+288\n", OutputOf(cells, "the second run added none"));

        var broken = OutputOf(cells, "var broken = await workshop.Workflows.RunAsync(");
        Assert.Contains(": FAILED", broken);
        Assert.Matches(@"Error\s+DataQuality\.MissingHours", broken);
        Assert.Matches(@"Cause\s+Day \d{4}-\d\d-\d\d has readings in only 1 of its 24 hours for at least one", broken);
        Assert.Matches(@"✗ MissingHours\s+Fail", broken);
        Assert.Matches(@"· Done\s+Succeed", broken);

        // The mend: the broken day's one Parquet object deleted, and only yesterday left in the table.
        var today = Regex.Match(broken, @"Input\s+\{""day"":""(\d{4}-\d\d-\d\d)""\}").Groups[1].Value;
        Assert.NotEqual("", today);
        var mended = OutputOf(cells, "DROP IF EXISTS PARTITION");
        Assert.Contains($"Deleted 1 object(s) under s3://weather-analytics-data-lake-dev-123456789012/curated/daily/day={today}/\n", mended);
        Assert.Matches(@"day\s+readings\n-+\s+-+\n\d{4}-\d\d-\d\d\s+288\nRun time", mended);
    }

    [Fact]
    public void The_learners_diagram_is_drawn_and_the_challenge_is_judged_by_running_the_definition()
    {
        var cells = CodeCells();

        var sketch = OutputOf(cells, "workshop.Stack.DiagramWith(sketch)");
        Assert.Contains("Your sketch: 1 stage(s), 3 arrow(s)", sketch);
        Assert.Contains("athena -> lake", sketch);

        var challenge = OutputOf(cells, "CheckChallengeAsync(myDefinition)");
        Assert.Contains("Orchestration challenge · Not yet", challenge);
        Assert.Contains("(Manchester has 19 hours) the execution SUCCEEDED; it should fail with error DataQuality.MissingHours.", challenge);
        var solution = ExecutedNotebook.CodeCells(run, Path.Combine("solutions", "orchestration-solution.ipynb"));
        Assert.Contains("Orchestration challenge · Correct", OutputOf(solution, "CheckChallengeAsync"));

        // The page shows the state machine drawn four times (before any run, and with each of the three executions)
        // and the two architecture pictures of the sketch, each an inline SVG.
        var page = File.ReadAllText(Path.Combine(run.Output, "notebooks", "08-going-further-orchestration.html"));
        Assert.Equal(6, Regex.Matches(page, "<svg[ >]").Count);
    }

    private static TimeSpan Time(Match match) => TimeSpan.ParseExact(match.Groups[1].Value, @"hh\:mm\:ss", CultureInfo.InvariantCulture);
}
