using System.Text.RegularExpressions;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// README says to edit a notebook and run it again. The sections of 04 and 05 that run on a lab of their own (a clock
/// of their own set to January 2025, a stream resharded, a delivery stream changed) must then show what they showed
/// the first time, not fail because the earlier run left the lab's clock later than the day they start.
/// </summary>
public sealed partial class RerunTests : IDisposable
{
    private static readonly string[] Notebooks = ["notebooks/04-stream-behaviour.ipynb", "notebooks/05-late-data-and-change.ipynb"];
    private readonly string workspace = Directory.CreateTempSubdirectory("workshop-rerun-ws-").FullName;
    private readonly string firstOut = Directory.CreateTempSubdirectory("workshop-rerun-1-").FullName;
    private readonly string secondOut = Directory.CreateTempSubdirectory("workshop-rerun-2-").FullName;

    [Fact]
    public void The_lab_sections_of_04_and_05_show_the_same_outputs_when_run_again_on_the_same_workspace()
    {
        var environment = new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = workspace };
        Assert.True(Cli.RunIn(WorkshopRun.RepositoryRoot, environment, out var firstLog, ["run", .. Notebooks, "--out", firstOut]) == 0, firstLog);
        Assert.True(Cli.RunIn(WorkshopRun.RepositoryRoot, environment, out var secondLog, ["run", .. Notebooks, "--out", secondOut]) == 0, secondLog);

        // One cell from each lab: its text shows the lab's shards, records and objects.
        AssertSameOutput("04-stream-behaviour.ipynb", "await lab.ReshardAsync(2)");
        AssertSameOutput("05-late-data-and-change.ipynb", "HAVING COUNT(*) >= 2");
        AssertSameOutput("05-late-data-and-change.ipynb", "ProducerLogsAsync");
        AssertSameOutput("05-late-data-and-change.ipynb", "FROM weather_projected");
    }

    /// <summary>
    /// 08 runs the pipeline for a day that has barely begun, which curates that day's first hour, and then mends the day.
    /// Run again on the same workspace a day later, its nightly run curates that day whole instead of finding the
    /// broken one, and every cell runs. Worked out by hand: a fresh clock set to 2025-03-10 00:00 and replayed for a
    /// day and half an hour makes 2025-03-11 the day broken the first time; a day replayed after it makes 2025-03-11
    /// the second run's yesterday, 96 readings in 24 hours for each city, and 2025-03-12 its broken day.
    /// </summary>
    [Fact]
    public void The_orchestration_notebook_run_again_a_day_later_curates_in_full_the_day_it_broke_the_first_time()
    {
        const string orchestration = "notebooks/08-going-further-orchestration.ipynb";
        var environment = new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = workspace };
        Assert.True(Cli.RunIn(WorkshopRun.RepositoryRoot, environment, out var dayAndHalfHour, "simulate", "--duration", "1470m", "--start", "2025-03-10T00:00:00Z") == 0, dayAndHalfHour);
        Assert.True(Cli.RunIn(WorkshopRun.RepositoryRoot, environment, out var firstLog, "run", orchestration, "--out", firstOut) == 0, firstLog);
        Assert.True(Cli.RunIn(WorkshopRun.RepositoryRoot, environment, out var nextDay, "simulate", "--duration", "24h") == 0, nextDay);
        Assert.True(Cli.RunIn(WorkshopRun.RepositoryRoot, environment, out var secondLog, "run", orchestration, "--out", secondOut) == 0, secondLog);

        var first = ExecutedNotebook.CodeCells(firstOut, Path.GetFileName(orchestration));
        Assert.Contains("Deleted 1 object(s) under s3://weather-analytics-data-lake-dev-123456789012/curated/daily/day=2025-03-11/",
            ExecutedNotebook.OutputOf(first, "DROP IF EXISTS PARTITION"));

        // The first run meets a machine that has not run and a table it has to make; the second is told it is neither.
        Assert.DoesNotContain("ran the pipeline before", ExecutedNotebook.OutputOf(first, "DrawAsync()"));
        Assert.DoesNotContain("exists already", ExecutedNotebook.OutputOf(first, "var first = await workshop.Workflows.RunAsync(wait: true);"));
        var second = ExecutedNotebook.CodeCells(secondOut, Path.GetFileName(orchestration));
        Assert.Matches(@"^This workspace ran the pipeline before: the drawing shows its latest execution, started 2025-03-11 \d\d:\d\d UTC \(status FAILED\)\.\n",
            ExecutedNotebook.OutputOf(second, "DrawAsync()"));
        var nightly = ExecutedNotebook.OutputOf(second, "var first = await workshop.Workflows.RunAsync(wait: true);");
        Assert.StartsWith("daily_weather exists already (an earlier run made it): FindDailyTable finds it, so this run goes through CurateDay, not the Catch.\n", nightly);
        Assert.Matches(@"\nExecution [0-9a-f-]{36}: SUCCEEDED\n", nightly);
        Assert.Matches(@"Started\s+2025-03-12 ", nightly);
        var curated = ExecutedNotebook.OutputOf(second, "COUNT(DISTINCT substr(measurement_time");
        foreach (var city in new[] { "Edinburgh", "London", "Manchester" })
            Assert.Matches($@"2025-03-11\s+{city}\s+96\s+24\n", curated);
        Assert.Matches(@"Cause\s+Day 2025-03-12 has readings in only 1 of its 24 hours", ExecutedNotebook.OutputOf(second, "var broken = await"));
        Assert.Matches(@"2025-03-10\s+288\n2025-03-11\s+288\nRun time", ExecutedNotebook.OutputOf(second, "DROP IF EXISTS PARTITION"));
    }

    /// <summary>
    /// Task 3 copies the lake into Parquet with a CTAS and sets the two formats' sizes side by side. Run again after the
    /// lake has grown by a day, the copy must hold the lake as it is then, not the first run's day.
    /// </summary>
    [Fact]
    public void Task_3_run_again_after_the_lake_grew_makes_its_parquet_copy_of_the_whole_lake()
    {
        const string task3 = "notebooks/03-task3-lake-exploration.ipynb";
        var environment = new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = workspace };
        const string counts = "SELECT (SELECT COUNT(*) FROM weather_parquet) AS parquet_rows, (SELECT COUNT(*) FROM raw_weather_data) AS json_rows";
        Assert.True(Cli.RunIn(WorkshopRun.RepositoryRoot, environment, out var firstLog, "run", task3, "--out", firstOut) == 0, firstLog);
        Assert.True(Cli.RunIn(WorkshopRun.RepositoryRoot, environment, out var firstCounts, "query", counts) == 0, firstCounts);
        Assert.True(Cli.RunIn(WorkshopRun.RepositoryRoot, environment, out var nextDay, "simulate", "--duration", "24h") == 0, nextDay);
        Assert.True(Cli.RunIn(WorkshopRun.RepositoryRoot, environment, out var secondLog, "run", task3, "--out", secondOut) == 0, secondLog);
        Assert.True(Cli.RunIn(WorkshopRun.RepositoryRoot, environment, out var secondCounts, "query", counts) == 0, secondCounts);

        var (firstParquet, firstJson) = Counts(firstCounts);
        var (secondParquet, secondJson) = Counts(secondCounts);
        Assert.Equal(firstJson, firstParquet);
        Assert.True(secondJson > firstJson, $"The lake did not grow: {firstJson} rows, then {secondJson}.");
        Assert.Equal(secondJson, secondParquet);

        static (long Parquet, long Json) Counts(string log)
        {
            var row = Regex.Match(log, @"│\s*(?<parquet>[\d,]+)\s*│\s*(?<json>[\d,]+)\s*│");
            Assert.True(row.Success, log);
            return (long.Parse(row.Groups["parquet"].Value.Replace(",", "")), long.Parse(row.Groups["json"].Value.Replace(",", "")));
        }
    }

    /// <summary>
    /// Task 2 run again replays the next day into a lake that holds the first: its listings and counts (4,380 objects
    /// where the answer says 2,160) are then both days', and the replay says so. Two replays before it (as a whole day
    /// leaves: Task 2's day, then 07's half hour) must not make it name the later one's start as the lake's.
    /// </summary>
    [Fact]
    public void Task_2_run_again_says_the_lake_also_holds_the_earlier_runs_readings()
    {
        const string task2 = "notebooks/02-task2-explore.ipynb";
        var environment = new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = workspace };
        Assert.True(Cli.RunIn(WorkshopRun.RepositoryRoot, environment, out var dayBefore, "simulate", "--duration", "30m", "--start", "2025-03-10T00:00:00Z") == 0, dayBefore);
        Assert.True(Cli.RunIn(WorkshopRun.RepositoryRoot, environment, out var halfHour, "simulate", "--duration", "30m") == 0, halfHour);
        Assert.True(Cli.RunIn(WorkshopRun.RepositoryRoot, environment, out var log, "run", task2, "--out", secondOut) == 0, log);

        var replay = ExecutedNotebook.OutputOf(ExecutedNotebook.CodeCells(secondOut, Path.GetFileName(task2)), "SimulateAsync(TimeSpan.FromHours(24))");
        Assert.Matches(@"\nReplayed 2025-03-10 01:00 to 2025-03-11 01:00 UTC in [0-9.]+ s:\n", replay);
        Assert.EndsWith("files.\nThe lake also holds the readings of earlier replays (an earlier run):\n" +
            "the listings and counts below include them ('workshop reset' empties the lake).\n", replay);
    }

    [Fact]
    public void Task_2_on_a_fresh_workspace_says_nothing_of_an_earlier_run()
    {
        const string task2 = "notebooks/02-task2-explore.ipynb";
        var environment = new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = workspace };
        Assert.True(Cli.RunIn(WorkshopRun.RepositoryRoot, environment, out var log, "run", task2, "--out", firstOut) == 0, log);

        var replay = ExecutedNotebook.OutputOf(ExecutedNotebook.CodeCells(firstOut, Path.GetFileName(task2)), "SimulateAsync(TimeSpan.FromHours(24))");
        Assert.DoesNotContain("earlier run", replay);
        Assert.DoesNotContain("earlier replays", replay);
        Assert.EndsWith("files.\n", replay);
    }

    private void AssertSameOutput(string notebook, string sourceMarker)
    {
        // A query's wall-clock run time is the one thing that may change between runs.
        string Shown(string output) => RunTime().Replace(ExecutedNotebook.OutputOf(ExecutedNotebook.CodeCells(output, notebook), sourceMarker), "Run time: T sec");
        var first = Shown(firstOut);
        var second = Shown(secondOut);
        Assert.False(string.IsNullOrWhiteSpace(first), $"{notebook}: the cell with '{sourceMarker}' showed nothing.");
        Assert.Equal(first, second);
    }

    /// <summary>
    /// `workshop run` of the whole day on a workspace that already holds replayed readings says so, once, before anything runs,
    /// with the command that starts clean; on a fresh workspace it says nothing of the kind.
    /// </summary>
    [Fact]
    public void The_whole_day_run_again_says_first_that_the_workspace_already_holds_a_day()
    {
        // A day of one trivial notebook, so the test is about the notice and not about the workshop's notebooks.
        var day = Directory.CreateTempSubdirectory("workshop-rerun-day-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(day, "workshop.dib"), "#!csharp\n\n1 + 1\n");
            var environment = new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = workspace };
            Assert.True(Cli.RunIn(day, environment, out var firstLog, "run", "--out", firstOut) == 0, firstLog);
            Assert.DoesNotContain("already holds", firstLog);

            // Two replays, one after the other: the lake holds both, so the notice spans them.
            Assert.True(Cli.RunIn(day, environment, out var simulated, "simulate", "--duration", "10m", "--start", "2025-01-14T00:00:00Z") == 0, simulated);
            Assert.True(Cli.RunIn(day, environment, out var simulatedAgain, "simulate", "--duration", "5m") == 0, simulatedAgain);
            Assert.True(Cli.RunIn(day, environment, out var secondLog, "run", "--out", secondOut) == 0, secondLog);
            Assert.Single(Regex.Matches(secondLog, "already holds"));
            Assert.Contains($"The workspace {workspace} already holds readings replayed from 2025-01-14 00:00 to 2025-01-14 00:15 UTC.", secondLog);
            Assert.Contains("run 'workshop reset' first for a fresh day.", secondLog);
        }
        finally
        {
            Directory.Delete(day, recursive: true);
        }
    }

    [GeneratedRegex(@"Run time: [0-9.]+ sec")]
    private static partial Regex RunTime();

    public void Dispose()
    {
        foreach (var folder in new[] { workspace, firstOut, secondOut }) Directory.Delete(folder, recursive: true);
    }
}
