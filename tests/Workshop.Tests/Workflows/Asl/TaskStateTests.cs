using System.Text.Json.Nodes;
using StreamingWorkshop.Workflows;
using StreamingWorkshop.Workflows.Asl;

namespace StreamingWorkshop.Tests.Workflows.Asl;

public class TaskStateTests
{
    private const string Glue = "arn:aws:states:::glue:startJobRun.sync";

    private static readonly DateTimeOffset T0 = AslRun.Start;

    private static string OneTask(string extra = "") => """
        {"StartAt":"Curate","States":{"Curate":{"Type":"Task","Resource":"arn:aws:states:::glue:startJobRun.sync",
          "Parameters":{"JobName":"curate","Arguments":{"--day.$":"$.day"}}EXTRA,"End":true}}}
        """.Replace("EXTRA", extra);

    [Fact]
    public async Task A_task_is_started_with_its_parameters_and_its_output_becomes_the_state_output()
    {
        var tasks = new ScriptedTasks().On(Glue, r => new TaskOutcome.Succeeded(JsonNode.Parse("""{"JobRunState":"SUCCEEDED"}"""), r.At.AddMinutes(2)));

        var progress = await AslRun.RunAsync(OneTask(), """{"day":"2024-05-01"}""", tasks);

        Assert.Equal(ExecutionStatuses.Succeeded, progress.Status);
        Assert.Equal("""{"JobRunState":"SUCCEEDED"}""", progress.Output);
        Assert.Equal(T0.AddMinutes(2), progress.StopDate);
        var request = Assert.Single(tasks.Starts);
        Assert.Equal("Curate/0", request.StepKey);
        Assert.Equal("""{"JobName":"curate","Arguments":{"--day":"2024-05-01"}}""", request.Parameters!.ToJsonString());
        Assert.Equal(["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"],
            AslRun.Types(progress));
        var scheduled = progress.Events[2];
        Assert.Equal("taskScheduledEventDetails", scheduled.DetailsMember);
        Assert.Equal("glue", scheduled.Details!["resourceType"]!.GetValue<string>());
        Assert.Equal("startJobRun.sync", scheduled.Details!["resource"]!.GetValue<string>());
        Assert.Equal("eu-west-1", scheduled.Details!["region"]!.GetValue<string>());
        Assert.Equal("""{"JobName":"curate","Arguments":{"--day":"2024-05-01"}}""", scheduled.Details!["parameters"]!.GetValue<string>());
        Assert.Equal(T0.AddMinutes(2), progress.Events[4].Timestamp);
    }

    [Fact]
    public async Task A_pending_task_makes_the_execution_wait_until_its_wake_time_and_is_polled_then()
    {
        var handle = JsonNode.Parse("""{"JobRunId":"jr_1"}""");
        var tasks = new ScriptedTasks().On(Glue,
            r => new TaskOutcome.Pending(handle, r.At.AddSeconds(30)),
            r => new TaskOutcome.Succeeded(JsonNode.Parse("""{"JobRunState":"SUCCEEDED"}"""), r.At.AddSeconds(5)));
        var journal = new ExecutionJournal();
        var definition = StateMachineDefinition.Parse(OneTask(), tasks);

        var early = await AslInterpreter.AdvanceAsync(definition, AslRun.Identity("""{"day":"d"}"""), T0.AddSeconds(10), journal, tasks);

        Assert.Equal(ExecutionStatuses.Running, early.Status);
        Assert.Equal(T0.AddSeconds(30), early.WakeAt);
        var pending = Assert.Single(early.PendingTasks);
        Assert.Equal("""{"JobRunId":"jr_1"}""", pending.Handle!.ToJsonString());
        Assert.Empty(tasks.Polls);
        Assert.Equal("TaskSubmitted", early.Events[^1].Type);
        Assert.Equal("""{"JobRunId":"jr_1"}""", early.Events[^1].Details!["output"]!.GetValue<string>());

        var late = await AslInterpreter.AdvanceAsync(definition, AslRun.Identity("""{"day":"d"}"""), T0.AddMinutes(1), journal, tasks);

        Assert.Equal(ExecutionStatuses.Succeeded, late.Status);
        Assert.Single(tasks.Starts);
        Assert.Single(tasks.Polls);
        Assert.Equal(T0.AddSeconds(35), late.StopDate);
    }

    [Fact]
    public async Task A_retrier_waits_its_interval_times_the_backoff_rate_between_attempts()
    {
        // IntervalSeconds 2, BackoffRate 2, MaxAttempts 3: attempts at 0, 2, 2+4 and 6+8 seconds.
        var tasks = new ScriptedTasks().On(Glue, r => new TaskOutcome.Failed("Glue.ConcurrentRunsExceededException", "busy", r.At));
        const string retry = """, "Retry":[{"ErrorEquals":["Glue.ConcurrentRunsExceededException"],"IntervalSeconds":2,"BackoffRate":2,"MaxAttempts":3}]""";

        var progress = await AslRun.RunAsync(OneTask(retry), """{"day":"d"}""", tasks);

        Assert.Equal([T0, T0.AddSeconds(2), T0.AddSeconds(6), T0.AddSeconds(14)], tasks.Starts.Select(s => s.At));
        Assert.Equal(["Curate/0", "Curate/1", "Curate/2", "Curate/3"], tasks.Starts.Select(s => s.StepKey));
        Assert.Equal(ExecutionStatuses.Failed, progress.Status);
        Assert.Equal("Glue.ConcurrentRunsExceededException", progress.Error);
        Assert.Equal("busy", progress.Cause);
        Assert.Equal(T0.AddSeconds(14), progress.StopDate);
    }

    [Fact]
    public async Task MaxDelaySeconds_caps_the_wait_between_attempts()
    {
        var tasks = new ScriptedTasks().On(Glue, r => new TaskOutcome.Failed("States.TaskFailed", "x", r.At));
        const string retry = """, "Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":10,"BackoffRate":3,"MaxAttempts":3,"MaxDelaySeconds":20}]""";

        await AslRun.RunAsync(OneTask(retry), """{"day":"d"}""", tasks);

        Assert.Equal([T0, T0.AddSeconds(10), T0.AddSeconds(30), T0.AddSeconds(50)], tasks.Starts.Select(s => s.At));
    }

    [Fact]
    public async Task A_catcher_sends_the_error_output_to_its_next_state_at_its_result_path()
    {
        var tasks = new ScriptedTasks().On(Glue, r => new TaskOutcome.Failed("Glue.EntityNotFoundException", "no job curate", r.At.AddSeconds(3)));
        const string definition = """
            {"StartAt":"Curate","States":{
              "Curate":{"Type":"Task","Resource":"arn:aws:states:::glue:startJobRun.sync","Catch":[{"ErrorEquals":["States.TaskFailed"],"ResultPath":"$.error","Next":"Report"}],"End":true},
              "Report":{"Type":"Pass","End":true}}}
            """;

        var progress = await AslRun.RunAsync(definition, """{"day":"d"}""", tasks);

        Assert.Equal(ExecutionStatuses.Succeeded, progress.Status);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"day":"d","error":{"Error":"Glue.EntityNotFoundException","Cause":"no job curate"}}"""), AslRun.Output(progress)));
        Assert.Equal(["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"],
            AslRun.Types(progress));
        Assert.Equal(T0.AddSeconds(3), progress.StopDate);
    }

    [Fact]
    public async Task A_task_past_its_timeout_fails_with_States_Timeout_at_the_deadline_and_is_cancelled()
    {
        var tasks = new ScriptedTasks().On(Glue, r => new TaskOutcome.Pending(JsonNode.Parse("""{"JobRunId":"jr_9"}"""), r.At.AddMinutes(10)));

        var progress = await AslRun.RunAsync(OneTask(""", "TimeoutSeconds":60"""), """{"day":"d"}""", tasks);

        Assert.Equal(ExecutionStatuses.Failed, progress.Status);
        Assert.Equal("States.Timeout", progress.Error);
        Assert.Equal(T0.AddSeconds(60), progress.StopDate);
        Assert.Equal("TaskTimedOut", progress.Events[^2].Type);
        Assert.Equal(60, progress.Events.Single(e => e.Type == "TaskScheduled").Details!["timeoutInSeconds"]!.GetValue<long>());
        var cancel = Assert.Single(tasks.Cancels);
        Assert.Equal("""{"JobRunId":"jr_9"}""", cancel.Handle!.ToJsonString());
        Assert.Empty(tasks.Polls);
    }

    [Fact]
    public async Task States_ALL_catches_a_task_error_but_not_a_runtime_error()
    {
        var tasks = new ScriptedTasks().Echo(Glue);
        const string definition = """
            {"StartAt":"Curate","States":{
              "Curate":{"Type":"Task","Resource":"arn:aws:states:::glue:startJobRun.sync","InputPath":"$.missing","Catch":[{"ErrorEquals":["States.ALL"],"Next":"Report"}],"End":true},
              "Report":{"Type":"Pass","End":true}}}
            """;

        var progress = await AslRun.RunAsync(definition, """{"day":"d"}""", tasks);

        Assert.Equal(ExecutionStatuses.Failed, progress.Status);
        Assert.Equal("States.Runtime", progress.Error);
        Assert.Equal("Invalid path '$.missing' : No results for path: $['missing']", progress.Cause);
        Assert.Empty(tasks.Starts);
    }
}
