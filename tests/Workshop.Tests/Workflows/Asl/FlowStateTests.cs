using System.Text.Json.Nodes;
using StreamingWorkshop.Workflows;
using StreamingWorkshop.Workflows.Asl;

namespace StreamingWorkshop.Tests.Workflows.Asl;

public class FlowStateTests
{
    private static readonly DateTimeOffset T0 = AslRun.Start;

    [Fact]
    public async Task A_wait_ends_at_its_time_and_until_then_the_execution_runs_with_that_wake_time()
    {
        const string definition = """{"StartAt":"Pause","States":{"Pause":{"Type":"Wait","Seconds":90,"Next":"Done"},"Done":{"Type":"Succeed"}}}""";

        var running = await AslRun.RunAsync(definition, now: T0.AddSeconds(89));
        var ended = await AslRun.RunAsync(definition, now: T0.AddSeconds(90));

        Assert.Equal(ExecutionStatuses.Running, running.Status);
        Assert.Equal(T0.AddSeconds(90), running.WakeAt);
        Assert.Equal(["ExecutionStarted", "WaitStateEntered"], AslRun.Types(running));
        Assert.Equal(ExecutionStatuses.Succeeded, ended.Status);
        Assert.Equal(["ExecutionStarted", "WaitStateEntered", "WaitStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"],
            AslRun.Types(ended));
        Assert.Equal(T0.AddSeconds(90), ended.Events[2].Timestamp);
    }

    [Theory]
    [InlineData("""{"Seconds":30}""", "2024-05-01T06:00:30Z")]
    [InlineData("""{"Timestamp":"2024-05-01T07:00:00Z"}""", "2024-05-01T07:00:00Z")]
    [InlineData("""{"SecondsPath":"$.delay"}""", "2024-05-01T06:00:45Z")]
    [InlineData("""{"TimestampPath":"$.until"}""", "2024-05-01T06:30:00Z")]
    public async Task A_wait_takes_its_end_from_each_of_its_four_fields(string timeField, string expectedEnd)
    {
        var field = JsonNode.Parse(timeField)!.AsObject().Single();
        var definition = """{"StartAt":"Pause","States":{"Pause":{"Type":"Wait","KEY":VALUE,"End":true}}}""".Replace("KEY", field.Key).Replace("VALUE", field.Value!.ToJsonString());

        var progress = await AslRun.RunAsync(definition, """{"delay":45,"until":"2024-05-01T06:30:00Z"}""");

        Assert.Equal(DateTimeOffset.Parse(expectedEnd, System.Globalization.CultureInfo.InvariantCulture), progress.StopDate);
    }

    [Fact]
    public async Task A_choice_goes_to_the_first_rule_that_matches_and_otherwise_to_its_default()
    {
        const string definition = """
            {"StartAt":"Check","States":{
              "Check":{"Type":"Choice","Choices":[
                 {"Variable":"$.status","StringEquals":"FAILED","Next":"Failed"},
                 {"And":[{"Variable":"$.rows","NumericGreaterThan":0},{"Variable":"$.rows","NumericLessThanEquals":100}],"Next":"Small"}],
               "Default":"Large"},
              "Failed":{"Type":"Fail","Error":"Pipeline.Failed","Cause":"the job failed"},
              "Small":{"Type":"Pass","Result":"small","End":true},
              "Large":{"Type":"Pass","Result":"large","End":true}}}
            """;

        var failed = await AslRun.RunAsync(definition, """{"status":"FAILED","rows":5}""");
        var small = await AslRun.RunAsync(definition, """{"status":"SUCCEEDED","rows":5}""");
        var large = await AslRun.RunAsync(definition, """{"status":"SUCCEEDED","rows":500}""");

        Assert.Equal(ExecutionStatuses.Failed, failed.Status);
        Assert.Equal("Pipeline.Failed", failed.Error);
        Assert.Equal("the job failed", failed.Cause);
        Assert.Equal(["ExecutionStarted", "ChoiceStateEntered", "ChoiceStateExited", "FailStateEntered", "ExecutionFailed"], AslRun.Types(failed));
        Assert.Equal("\"small\"", small.Output);
        Assert.Equal("\"large\"", large.Output);
    }

    [Fact]
    public async Task A_choice_with_no_match_and_no_default_fails_with_States_NoChoiceMatched()
    {
        const string definition = """
            {"StartAt":"Check","States":{"Check":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericEquals":1,"Next":"One"}]},
              "One":{"Type":"Succeed"}}}
            """;

        var progress = await AslRun.RunAsync(definition, """{"n":2}""");

        Assert.Equal(ExecutionStatuses.Failed, progress.Status);
        Assert.Equal("States.NoChoiceMatched", progress.Error);
    }

    [Fact]
    public async Task A_fail_state_takes_its_error_and_cause_from_paths_and_intrinsic_functions()
    {
        const string definition = """
            {"StartAt":"Stop","States":{"Stop":{"Type":"Fail","ErrorPath":"$.code","CausePath":"States.Format('job {} failed', $.job)"}}}
            """;

        var progress = await AslRun.RunAsync(definition, """{"code":"Job.Failed","job":"curate"}""");

        Assert.Equal("Job.Failed", progress.Error);
        Assert.Equal("job curate failed", progress.Cause);
        var failed = progress.Events[^1];
        Assert.Equal("executionFailedEventDetails", failed.DetailsMember);
        Assert.Equal("Job.Failed", failed.Details!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_machine_timeout_ends_the_execution_timed_out_at_start_plus_timeout_seconds()
    {
        const string definition = """{"TimeoutSeconds":60,"StartAt":"Pause","States":{"Pause":{"Type":"Wait","Seconds":600,"End":true}}}""";

        var before = await AslRun.RunAsync(definition, now: T0.AddSeconds(30));
        var after = await AslRun.RunAsync(definition, now: T0.AddSeconds(61));

        Assert.Equal(T0.AddSeconds(60), before.WakeAt);
        Assert.Equal(ExecutionStatuses.TimedOut, after.Status);
        Assert.Equal(T0.AddSeconds(60), after.StopDate);
        Assert.Equal(["ExecutionStarted", "WaitStateEntered", "ExecutionTimedOut"], AslRun.Types(after));
        Assert.Equal(2, after.Events[^1].PreviousEventId);
    }
}
