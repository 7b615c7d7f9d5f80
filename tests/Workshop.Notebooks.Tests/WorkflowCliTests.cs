namespace Workshop.Notebooks.Tests;

/// <summary>`workshop workflow`: the daily pipeline listed, run and followed from the command line on the local backend.</summary>
public sealed class WorkflowCliTests : IDisposable
{
    private const string Pipeline = "weather-analytics-daily-pipeline-dev";
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-workflow-cli-").FullName;

    private (int Exit, string Stdout, string Stderr) Workshop(params string[] arguments) =>
        Cli.Capture(folder, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = Path.Combine(folder, "ws") }, arguments);

    [Fact]
    public void A_run_whose_athena_query_failed_shows_the_reason_first_and_says_on_one_line_how_to_lead_on()
    {
        Assert.Equal(0, Workshop("deploy").Exit);
        // The crawler exists but the lake is empty: it makes no table, and the pipeline's curation finds none.
        Assert.Equal(0, Workshop("crawl").Exit);

        var run = Workshop("workflow", "run", Pipeline, "--wait");

        Assert.Equal(1, run.Exit);
        var lines = run.Stdout.Replace("\r", "").Split('\n');
        Assert.Contains("Error        States.TaskFailed", lines);
        // The Cause row, its wrapped lines joined: the reason inside Athena's answer, not the answer itself.
        var cause = lines.SkipWhile(l => !l.StartsWith("Cause ", StringComparison.Ordinal)).TakeWhile(l => !l.StartsWith("Whole cause", StringComparison.Ordinal));
        Assert.Equal("Cause TABLE_NOT_FOUND: line 1:467: Table 'awsdatacatalog.weather-analytics_dev_db.raw_weather_data' does not exist",
            System.Text.RegularExpressions.Regex.Replace(string.Join(' ', cause), " +", " ").Trim());
        Assert.Contains(lines, l => l.StartsWith("Whole cause  {\"QueryExecution\":{\"QueryExecutionId\":", StringComparison.Ordinal));
        var execution = lines[0].Split(' ')[1].TrimEnd(':');
        Assert.Equal($"Execution {execution} ended FAILED: States.TaskFailed: TABLE_NOT_FOUND: line 1:467: Table "
            + "'awsdatacatalog.weather-analytics_dev_db.raw_weather_data' does not exist. The crawler makes that table from the lake's readings: "
            + $"fill the lake (workshop simulate --duration 24h), then run 'workshop workflow run {Pipeline} --wait' again.", run.Stderr.Trim());
    }

    [Fact]
    public void The_daily_pipeline_is_listed_run_to_its_end_and_its_history_read_and_mistakes_are_named_on_one_line()
    {
        var deployed = Workshop("deploy");
        Assert.True(deployed.Exit == 0, $"workshop deploy exited {deployed.Exit}: {deployed.Stderr}");

        var listed = Workshop("workflow", "list");
        Assert.Equal(0, listed.Exit);
        Assert.Equal([
            "Step Functions state machines (1)",
            "State machine                         Type      Latest     Started (UTC)",
            "------------------------------------  --------  ---------  -------------",
            "weather-analytics-daily-pipeline-dev  STANDARD  never run",
        ], listed.Stdout.Replace("\r", "").TrimEnd('\n').Split('\n'));

        // No crawler has been made in this workspace, so the pipeline's first task fails, and the execution with it.
        var run = Workshop("workflow", "run", Pipeline, "--input", """{"day": "2026-03-01"}""", "--wait");
        Assert.Equal(1, run.Exit);
        var lines = run.Stdout.Replace("\r", "").Split('\n');
        Assert.Matches("^Execution [0-9a-f-]{36}: FAILED$", lines[0]);
        Assert.Contains($"Machine   {Pipeline}", lines);
        Assert.Contains("""Input     {"day": "2026-03-01"}""", lines);
        Assert.Contains("Error     Glue.EntityNotFoundException", lines);
        Assert.Contains(lines, l => l.StartsWith("✗ StartCrawler", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("✓ GivenDay", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("· RunBatchJob", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        var execution = lines[0].Split(' ')[1].TrimEnd(':');
        Assert.Equal($"Execution {execution} ended FAILED: Glue.EntityNotFoundException: Crawler entry with name weather-data-crawler does not exist. "
            + "Create it first (workshop crawl creates the workshop's). (Service: Glue, Status Code: 400, Error Code: EntityNotFoundException). "
            + $"'workshop workflow history {execution}' lists its events.", run.Stderr.Trim());

        var history = Workshop("workflow", "history", execution);
        Assert.Equal(0, history.Exit);
        var events = history.Stdout.Replace("\r", "").Split('\n');
        Assert.Equal($"History of {execution} (10 events, times in UTC)", events[0]);
        Assert.Contains(events, l => l.StartsWith("4   ", StringComparison.Ordinal) && l.EndsWith("  PassStateEntered    GivenDay", StringComparison.Ordinal));
        Assert.Contains(events, l => l.StartsWith("7   ", StringComparison.Ordinal) && l.EndsWith("  TaskScheduled       StartCrawler  aws-sdk:glue:startCrawler", StringComparison.Ordinal));
        Assert.Contains(events, l => l.StartsWith("10  ", StringComparison.Ordinal) && l.EndsWith("  ExecutionFailed                   Glue.EntityNotFoundException:", StringComparison.Ordinal));

        var executions = Workshop("workflow", "executions");
        Assert.Equal(0, executions.Exit);
        var rows = executions.Stdout.Replace("\r", "").Split('\n');
        Assert.Equal($"Executions of {Pipeline}, newest first (1)", rows[0]);
        Assert.Matches($@"^{execution}  FAILED\s+\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\s+\d+ s$", rows[3]);

        var listedAgain = Workshop("workflow", "list");
        Assert.Contains("weather-analytics-daily-pipeline-dev  STANDARD  FAILED", listedAgain.Stdout);

        var unknown = Workshop("workflow", "run", "daily");
        Assert.Equal(1, unknown.Exit);
        Assert.Equal($"Error: There is no state machine 'daily'. The state machines are: {Pipeline}.", unknown.Stderr.Trim());

        var badInput = Workshop("workflow", "run", Pipeline, "--input", "{day");
        Assert.Equal(1, badInput.Exit);
        var line = Assert.Single(badInput.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("--input: '{day' is not JSON ('d' is an invalid start of a property name. Expected a '\"'); give a JSON text such as '{\"day\": \"2026-03-01\"}'.", line);
        Assert.Equal("", badInput.Stdout);

        var missing = Workshop("workflow", "history", "no-such-execution");
        Assert.Equal(1, missing.Exit);
        Assert.StartsWith($"ExecutionDoesNotExist: Execution Does Not Exist: 'arn:aws:states:us-east-1:123456789012:execution:{Pipeline}:no-such-execution'", missing.Stderr.Trim());
    }

    [Fact]
    public void Bench_workflow_prints_its_tables_and_writes_the_same_figures_to_json()
    {
        var figuresPath = Path.Combine(folder, "workflow.json");
        var bench = Cli.Capture(folder, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = Path.Combine(folder, "ws"), ["COLUMNS"] = "80" },
            "bench", "workflow", "--items", "20", "--days", "1", "--json", figuresPath);
        Assert.True(bench.Exit == 0, $"bench workflow exited {bench.Exit}: {bench.Stderr}");
        Assert.Contains("A Map over 20 items (Choice, then Pass); fastest of 5 runs each", bench.Stdout);
        Assert.Contains("The daily pipeline, once a day over 1 days", bench.Stdout);
        Assert.Matches(@"│ Executions that SUCCEEDED\s+│\s+│\s+│ 1 of 1\s+│", bench.Stdout);
        Assert.All(bench.Stdout.Split('\n'), l => Assert.True(l.TrimEnd('\r').Length <= 80, $"{l.Length} columns: {l}"));
        Assert.Equal($"Wrote the figures to {figuresPath}.", bench.Stderr.Trim());

        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(figuresPath))!;
        Assert.Equal("workflow", json["bench"]!.GetValue<string>());
        Assert.Equal(1, json["figures"]!["pipelineExecutionsSucceeded"]!["value"]!.GetValue<double>());
        Assert.True(json["figures"]!["mapTransitionsPerSecond"]!["value"]!.GetValue<double>() > 0);
        var map = json["tables"]![0]!["rows"]![1]!;
        Assert.Equal("Interpreter: 41 transitions, 126 events", map["Measured"]!.GetValue<string>());
        Assert.Equal("x", map["Time vs floor"]!["unit"]!.GetValue<string>());
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
