using System.Text.Json.Nodes;
using StreamingWorkshop.Workflows;
using StreamingWorkshop.Workflows.Asl;

namespace StreamingWorkshop.Tests.Workflows.Asl;

public class BranchStateTests
{
    private const string Lambda = "arn:aws:states:::lambda:invoke";
    private static readonly DateTimeOffset T0 = AslRun.Start;

    [Fact]
    public async Task A_parallel_state_gives_each_branch_its_input_and_outputs_their_results_in_order_when_the_last_ends()
    {
        var tasks = new ScriptedTasks().On(Lambda, r => new TaskOutcome.Succeeded(JsonNode.Parse("""{"n":2}"""), r.At.AddSeconds(30)));
        const string definition = """
            {"StartAt":"Both","States":{"Both":{"Type":"Parallel","End":true,"Branches":[
              {"StartAt":"Pause","States":{"Pause":{"Type":"Wait","Seconds":10,"Next":"One"},"One":{"Type":"Pass","InputPath":"$.a","End":true}}},
              {"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","ResultSelector":{"value.$":"$.n"},"End":true}}}]}}}
            """;

        var progress = await AslRun.RunAsync(definition, """{"a":1}""", tasks);

        Assert.Equal(ExecutionStatuses.Succeeded, progress.Status);
        Assert.Equal("""[1,{"value":2}]""", progress.Output);
        Assert.Equal(T0.AddSeconds(30), progress.StopDate);
        Assert.Equal("Both[1]/Call/0", Assert.Single(tasks.Starts).StepKey);
        Assert.Equal([
            "ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted",
            "WaitStateEntered", "TaskStateEntered", "TaskScheduled", "TaskStarted",
            "WaitStateExited", "PassStateEntered", "PassStateExited",
            "TaskSucceeded", "TaskStateExited",
            "ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"], AslRun.Types(progress));
        // Each branch's first event follows ParallelStateStarted (id 3); each later event follows its own branch's last.
        Assert.Equal(3, progress.Events[3].PreviousEventId);
        Assert.Equal(3, progress.Events[4].PreviousEventId);
        Assert.Equal(4, progress.Events[7].PreviousEventId);
        Assert.Equal(7, progress.Events[10].PreviousEventId);
        Assert.Equal(12, progress.Events[12].PreviousEventId);
    }

    [Fact]
    public async Task A_failing_branch_stops_the_others_and_the_parallel_state_can_catch_its_error()
    {
        const string definition = """
            {"StartAt":"Both","States":{
              "Both":{"Type":"Parallel","Next":"Done","Catch":[{"ErrorEquals":["Branch.Broke"],"Next":"Recover"}],"Branches":[
                {"StartAt":"Slow","States":{"Slow":{"Type":"Wait","Seconds":60,"End":true}}},
                {"StartAt":"Pause","States":{"Pause":{"Type":"Wait","Seconds":5,"Next":"Broke"},"Broke":{"Type":"Fail","Error":"Branch.Broke","Cause":"b"}}}]},
              "Recover":{"Type":"Pass","End":true},
              "Done":{"Type":"Succeed"}}}
            """;

        var progress = await AslRun.RunAsync(definition, "{}");

        Assert.Equal(ExecutionStatuses.Succeeded, progress.Status);
        Assert.Equal(T0.AddSeconds(5), progress.StopDate);
        Assert.Equal("""{"Error":"Branch.Broke","Cause":"b"}""", progress.Output);
        Assert.Equal([
            "ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted", "WaitStateEntered", "WaitStateEntered",
            "WaitStateExited", "FailStateEntered", "WaitStateAborted", "ParallelStateFailed",
            "PassStateEntered", "PassStateExited", "ExecutionSucceeded"], AslRun.Types(progress));
    }

    [Fact]
    public async Task A_map_runs_its_item_processor_on_each_item_with_the_item_selector_and_keeps_their_order()
    {
        const string definition = """
            {"StartAt":"Cities","States":{"Cities":{"Type":"Map","ItemsPath":"$.cities","End":true,
              "ItemSelector":{"index.$":"$$.Map.Item.Index","city.$":"$$.Map.Item.Value","unit.$":"$.unit"},
              "ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"Label","States":{
                "Label":{"Type":"Pass","Parameters":{"label.$":"States.Format('{}:{} {}', $.index, $.city, $.unit)"},"End":true}}}}}}
            """;

        var progress = await AslRun.RunAsync(definition, """{"cities":["Oslo","Lima"],"unit":"C"}""");

        Assert.Equal("""[{"label":"0:Oslo C"},{"label":"1:Lima C"}]""", progress.Output);
        Assert.Equal([
            "ExecutionStarted", "MapStateEntered", "MapStateStarted",
            "MapIterationStarted", "MapIterationStarted",
            "PassStateEntered", "PassStateExited", "MapIterationSucceeded",
            "PassStateEntered", "PassStateExited", "MapIterationSucceeded",
            "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"], AslRun.Types(progress));
        Assert.Equal(2, progress.Events[2].Details!["length"]!.GetValue<int>());
        Assert.Equal(1, progress.Events[4].Details!["index"]!.GetValue<int>());
        Assert.Equal("Cities", progress.Events[4].Details!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_map_with_max_concurrency_one_runs_its_iterations_one_after_the_other()
    {
        var tasks = new ScriptedTasks().On(Lambda, r => new TaskOutcome.Succeeded(r.Parameters, r.At.AddSeconds(10)));
        const string definition = """
            {"StartAt":"Cities","States":{"Cities":{"Type":"Map","MaxConcurrency":1,"End":true,
              "Iterator":{"StartAt":"Lookup","States":{"Lookup":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}}}}
            """;

        var progress = await AslRun.RunAsync(definition, """["a","b","c"]""", tasks);

        Assert.Equal("""["a","b","c"]""", progress.Output);
        Assert.Equal([T0, T0.AddSeconds(10), T0.AddSeconds(20)], tasks.Starts.Select(s => s.At));
        Assert.Equal(["Cities[0]/Lookup/0", "Cities[1]/Lookup/0", "Cities[2]/Lookup/0"], tasks.Starts.Select(s => s.StepKey));
        Assert.Equal(T0.AddSeconds(30), progress.StopDate);
    }

    [Fact]
    public async Task A_failing_iteration_fails_the_map_with_its_error()
    {
        const string definition = """
            {"StartAt":"Items","States":{"Items":{"Type":"Map","End":true,
              "ItemProcessor":{"StartAt":"Check","States":{"Check":{"Type":"Choice","Choices":[{"Variable":"$","NumericGreaterThan":1,"Next":"Bad"}],"Default":"Good"},
                "Bad":{"Type":"Fail","Error":"Item.TooBig"},"Good":{"Type":"Succeed"}}}}}}
            """;

        var progress = await AslRun.RunAsync(definition, "[1,2]");

        Assert.Equal(ExecutionStatuses.Failed, progress.Status);
        Assert.Equal("Item.TooBig", progress.Error);
        Assert.Contains("MapIterationFailed", AslRun.Types(progress));
        Assert.Equal("MapStateFailed", progress.Events[^2].Type);
    }
}
