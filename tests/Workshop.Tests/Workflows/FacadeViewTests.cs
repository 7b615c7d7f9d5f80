using System.Text.Json.Nodes;
using StreamingWorkshop.Workflows;

namespace Workshop.Tests.Workflows;

/// <summary>What workshop.Workflows shows: the state machines, an execution, the executions and a history, in 80 columns and as HTML.</summary>
public sealed class FacadeViewTests
{
    private const string Machine = "weather-analytics-daily-pipeline-dev";
    private const string MachineArn = "arn:aws:states:us-east-1:123456789012:stateMachine:" + Machine;
    private const string ExecutionArn = "arn:aws:states:us-east-1:123456789012:execution:" + Machine + ":daily-2026-03-01";

    private static DateTimeOffset At(int day, int hour, int minute, double second = 0) =>
        new DateTimeOffset(2026, 3, day, hour, minute, 0, TimeSpan.Zero).AddSeconds(second);

    private static void AssertFits80Columns(string text) =>
        Assert.All(text.Split('\n'), line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));

    [Fact]
    public void The_state_machines_show_type_and_the_latest_execution_in_80_columns()
    {
        var view = new StateMachineListView(
        [
            new(new StateMachineSummary(Machine, MachineArn, "STANDARD", At(1, 0, 0)),
                new ExecutionDescription(ExecutionArn.Replace("03-01", "03-02"), MachineArn, "daily-2026-03-02", "SUCCEEDED", At(2, 6, 0), At(2, 6, 4))),
            new(new StateMachineSummary("weather-analytics-backfill-dev", MachineArn.Replace("daily-pipeline", "backfill"), "STANDARD", At(1, 0, 0)), null),
        ]);

        Assert.Equal("""
            Step Functions state machines (2)
            State machine                         Type      Latest     Started (UTC)
            ------------------------------------  --------  ---------  ----------------
            weather-analytics-daily-pipeline-dev  STANDARD  SUCCEEDED  2026-03-02 06:00
            weather-analytics-backfill-dev        STANDARD  never run

            """, view.ToString());
        var html = view.ToHtml();
        Assert.Contains("\">2026-03-01 00:00:00</td>", html);
        Assert.Contains("\">daily-2026-03-02</td>", html);
        Assert.Contains("\">Created (UTC)</th>", html);
        Assert.Equal("No state machines yet: deploy the stack (workshop deploy), which defines the daily pipeline.", new StateMachineListView([]).ToString());
    }

    [Fact]
    public void A_failed_execution_shows_its_times_input_error_and_cause_in_80_columns()
    {
        var view = new ExecutionView(new ExecutionDescription(ExecutionArn, MachineArn, "daily-2026-03-01", "FAILED", At(1, 6, 0), At(1, 6, 1, 35),
            Input: """{"date":"2026-03-01"}""", Error: "States.TaskFailed", Cause: "Job run jr_1 of weather-analytics-curate-batch-dev failed: no raw objects under weather-data/ for 2026-03-01."));

        var text = view.ToString();
        AssertFits80Columns(text);
        var lines = text.Split('\n');
        Assert.Equal("Execution daily-2026-03-01: FAILED", lines[0]);
        Assert.Contains("Machine   weather-analytics-daily-pipeline-dev", lines);
        Assert.Contains("Status    FAILED", lines);
        Assert.Contains("Started   2026-03-01 06:00:00 UTC", lines);
        Assert.Contains("Stopped   2026-03-01 06:01:35 UTC", lines);
        Assert.Contains("Duration  1 min 35 s", lines);
        Assert.Contains("""Input     {"date":"2026-03-01"}""", lines);
        Assert.Contains("Error     States.TaskFailed", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("Output", StringComparison.Ordinal));
        // The cause wraps under itself rather than being cut.
        Assert.Contains("Cause     Job run jr_1 of weather-analytics-curate-batch-dev failed: no raw", lines);
        Assert.Contains("          objects under weather-data/ for 2026-03-01.", lines);

        var html = view.ToHtml();
        Assert.Contains("\">Job run jr_1 of weather-analytics-curate-batch-dev failed: no raw objects under weather-data/ for 2026-03-01.</td>", html);
        Assert.Contains("\">{&quot;date&quot;:&quot;2026-03-01&quot;}</td>", html);
        Assert.Contains($"\">{ExecutionArn}</td>", html);
    }

    [Fact]
    public void A_running_execution_says_so_and_has_no_duration_yet()
    {
        var view = new ExecutionView(new ExecutionDescription(ExecutionArn, MachineArn, "daily-2026-03-01", "RUNNING", At(1, 6, 0), Input: "{}"));

        var lines = view.ToString().Split('\n');
        Assert.Contains("Stopped   (still running)", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("Duration", StringComparison.Ordinal));
        Assert.Equal("RUNNING", view.Status);
    }

    [Fact]
    public void The_executions_are_listed_newest_first_with_their_duration()
    {
        var view = new ExecutionListView(Machine,
        [
            new(ExecutionArn, MachineArn, "daily-2026-03-02", "RUNNING", At(2, 6, 0)),
            new(ExecutionArn, MachineArn, "daily-2026-03-01", "FAILED", At(1, 6, 0), At(1, 6, 1, 35)),
            new(ExecutionArn, MachineArn, "manual-1", "SUCCEEDED", At(1, 9, 15).AddDays(-1), At(1, 9, 15, 42.5).AddDays(-1)),
        ]);

        Assert.Equal("""
            Executions of weather-analytics-daily-pipeline-dev, newest first (3)
            Execution         Status     Started (UTC)        Duration
            ----------------  ---------  -------------------  ----------
            daily-2026-03-02  RUNNING    2026-03-02 06:00:00
            daily-2026-03-01  FAILED     2026-03-01 06:00:00  1 min 35 s
            manual-1          SUCCEEDED  2026-02-28 09:15:00  42.5 s

            """, view.ToString());
        Assert.Contains("\">2026-03-01 06:01:35</td>", view.ToHtml());
        Assert.Equal($"{Machine} has no executions yet: start one with workshop workflow run {Machine}.", new ExecutionListView(Machine, []).ToString());
    }

    private static HistoryEvent Event(long id, DateTimeOffset at, string type, string? member = null, JsonObject? details = null) =>
        new(id, id - 1, at, type, member, details);

    private static readonly HistoryEvent[] FailedRun =
    [
        Event(1, At(1, 6, 0), "ExecutionStarted", "executionStartedEventDetails", new JsonObject { ["input"] = """{"date":"2026-03-01"}""", ["roleArn"] = "arn:aws:iam::123456789012:role/r" }),
        Event(2, At(1, 6, 0), "WaitStateEntered", "stateEnteredEventDetails", new JsonObject { ["name"] = "WaitForCrawler", ["input"] = "{}" }),
        Event(3, At(1, 6, 0, 30), "WaitStateExited", "stateExitedEventDetails", new JsonObject { ["name"] = "WaitForCrawler", ["output"] = "{}" }),
        Event(4, At(1, 6, 0, 30), "TaskStateEntered", "stateEnteredEventDetails", new JsonObject { ["name"] = "RunBatchJob", ["input"] = "{}" }),
        Event(5, At(1, 6, 0, 30), "TaskScheduled", "taskScheduledEventDetails", new JsonObject { ["resourceType"] = "glue", ["resource"] = "startJobRun.sync", ["region"] = "us-east-1", ["parameters"] = "{}" }),
        Event(6, At(1, 6, 0, 30), "TaskStarted", "taskStartedEventDetails", new JsonObject { ["resourceType"] = "glue", ["resource"] = "startJobRun.sync" }),
        Event(7, At(1, 6, 2, 5), "TaskFailed", "taskFailedEventDetails", new JsonObject { ["resourceType"] = "glue", ["resource"] = "startJobRun.sync", ["error"] = "States.TaskFailed", ["cause"] = "Job run failed: no raw objects" }),
        Event(8, At(1, 6, 2, 5), "ExecutionFailed", "executionFailedEventDetails", new JsonObject { ["error"] = "States.TaskFailed", ["cause"] = "Job run failed: no raw objects" }),
    ];

    [Fact]
    public void The_history_reads_like_the_consoles_events_table_in_80_columns()
    {
        var view = new HistoryView(ExecutionArn, FailedRun);

        Assert.Equal("""
            History of daily-2026-03-01 (8 events, times in UTC)
            ID  Time      Type              Step            Detail
            --  --------  ----------------  --------------  --------------------------------
            1   06:00:00  ExecutionStarted                  input {"date":"2026-03-01"}
            2   06:00:00  WaitStateEntered  WaitForCrawler  until 06:00:30
            3   06:00:30  WaitStateExited   WaitForCrawler
            4   06:00:30  TaskStateEntered  RunBatchJob
            5   06:00:30  TaskScheduled     RunBatchJob     glue:startJobRun.sync
            6   06:00:30  TaskStarted       RunBatchJob     glue:startJobRun.sync
            7   06:02:05  TaskFailed        RunBatchJob     States.TaskFailed: Job run
                                                            failed: no raw objects
            8   06:02:05  ExecutionFailed                   States.TaskFailed: Job run
                                                            failed: no raw objects

            """, view.ToString());
        var html = view.ToHtml();
        // No-break spaces keep a duration on one line of its narrow column.
        Assert.Contains("\">2&#160;min&#160;05&#160;s</td>", html);
        Assert.Contains("\">30&#160;s</td>", html);
        Assert.Contains("\">2026-03-01 06:02:05.000</td>", html);
        Assert.Contains("\">States.TaskFailed: Job run failed: no raw objects</td>", html);
        Assert.Equal("RunBatchJob", view.StateOf(FailedRun[6]));
    }

    [Fact]
    public void A_service_errors_detail_in_80_columns_leaves_out_the_SDKs_repeat_of_its_error_code()
    {
        const string cause = "Concurrent runs exceeded for curate-batch: run jr_1 is still active. (Service: Glue, Status Code: 400, Error Code: ConcurrentRunsExceededException)";
        var failed = Event(2, At(1, 6, 0, 30), "TaskFailed", "taskFailedEventDetails",
            new JsonObject { ["resourceType"] = "glue", ["resource"] = "startJobRun.sync", ["error"] = "Glue.ConcurrentRunsExceededException", ["cause"] = cause });
        var view = new HistoryView(ExecutionArn, [FailedRun[0], failed]);

        var text = view.ToString();

        Assert.Contains("TaskFailed", text);
        Assert.EndsWith("still active.", text.TrimEnd());
        Assert.DoesNotContain("Status Code", text);
        // The page keeps the service's whole cause.
        Assert.Contains("(Service: Glue, Status Code: 400, Error Code: ConcurrentRunsExceededException)</td>", view.ToHtml());
    }

    [Fact]
    public void A_wait_still_under_way_says_it_is_waiting()
    {
        var view = new HistoryView(ExecutionArn, FailedRun[..2]);

        Assert.Equal("waiting", view.DetailOf(FailedRun[1]));
    }

    [Fact]
    public void The_definition_is_indented_JSON_and_its_HTML_is_encoded()
    {
        var view = new DefinitionView(Machine, """{"StartAt":"Done","States":{"Done":{"Type":"Succeed","Comment":"°C < 40"}}}""");

        Assert.Equal("""
            {
              "StartAt": "Done",
              "States": {
                "Done": {
                  "Type": "Succeed",
                  "Comment": "°C < 40"
                }
              }
            }
            """, view.ToString());
        Assert.Equal("Succeed", (string?)view.Root!["States"]!["Done"]!["Type"]);
        Assert.Contains("&quot;Comment&quot;: &quot;&#176;C &lt; 40&quot;", view.ToHtml());
    }

    [Fact]
    public void An_input_is_a_JSON_text_as_given_or_an_object_written_with_its_own_member_names()
    {
        Assert.Equal("""{"date": "2026-03-01"}""", WorkflowsFacade.InputText("""{"date": "2026-03-01"}"""));
        Assert.Equal("""{"Date":"2026-03-01","Cities":["Oslo","Leeds"]}""", WorkflowsFacade.InputText(new { Date = "2026-03-01", Cities = new[] { "Oslo", "Leeds" } }));
        Assert.Equal("""{"date":"2026-03-01"}""", WorkflowsFacade.InputText(new JsonObject { ["date"] = "2026-03-01" }));
        Assert.Null(WorkflowsFacade.InputText(null));
    }
}
