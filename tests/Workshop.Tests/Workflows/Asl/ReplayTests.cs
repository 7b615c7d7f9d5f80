using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingWorkshop.Workflows;
using StreamingWorkshop.Workflows.Asl;

namespace StreamingWorkshop.Tests.Workflows.Asl;

public class ReplayTests
{
    private const string Glue = "arn:aws:states:::glue:startJobRun.sync";
    private static readonly DateTimeOffset T0 = AslRun.Start;

    private const string Definition = """
        {"StartAt":"Curate","States":{
          "Curate":{"Type":"Task","Resource":"arn:aws:states:::glue:startJobRun.sync","Parameters":{"JobName":"curate","Id.$":"States.UUID()"},
            "Retry":[{"ErrorEquals":["States.TaskFailed"],"IntervalSeconds":5,"MaxAttempts":2,"JitterStrategy":"FULL"}],"Next":"Pause"},
          "Pause":{"Type":"Wait","Seconds":60,"Next":"Both"},
          "Both":{"Type":"Parallel","End":true,"Branches":[
            {"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"r.$":"States.MathRandom(0, 1000000)"},"End":true}}},
            {"StartAt":"B","States":{"B":{"Type":"Wait","Seconds":5,"End":true}}}]}}}
        """;

    private static ScriptedTasks Tasks() => new ScriptedTasks().On(Glue,
        r => new TaskOutcome.Failed("Glue.Throttled", "slow down", r.At.AddSeconds(2)),
        r => new TaskOutcome.Pending(JsonNode.Parse("""{"JobRunId":"jr_2"}"""), r.At.AddSeconds(40)),
        r => new TaskOutcome.Succeeded(JsonNode.Parse("""{"JobRunState":"SUCCEEDED"}"""), r.At.AddSeconds(1)));

    private static string Snapshot(ExecutionProgress progress) => JsonSerializer.Serialize(new
    {
        progress.Status,
        progress.Output,
        progress.Error,
        progress.StopDate,
        progress.WakeAt,
        Events = progress.Events.Select(e => new { e.Id, e.PreviousEventId, e.Timestamp, e.Type, e.DetailsMember, Details = e.Details?.ToJsonString() }),
        Pending = progress.PendingTasks.Select(p => new { p.Request.StepKey, Handle = p.Handle?.ToJsonString() }),
    });

    [Fact]
    public async Task The_same_journal_and_now_give_exactly_the_same_progress()
    {
        var definition = StateMachineDefinition.Parse(Definition);
        var tasks = Tasks();
        var journal = new ExecutionJournal();
        await AslInterpreter.AdvanceAsync(definition, AslRun.Identity(), T0.AddSeconds(20), journal, tasks);
        var saved = journal.ToJson();

        var first = await AslInterpreter.AdvanceAsync(definition, AslRun.Identity(), T0.AddSeconds(30), ExecutionJournal.Parse(saved), tasks);
        var second = await AslInterpreter.AdvanceAsync(definition, AslRun.Identity(), T0.AddSeconds(30), ExecutionJournal.Parse(saved), tasks);

        Assert.Equal(Snapshot(first), Snapshot(second));
        Assert.Equal(ExecutionStatuses.Running, first.Status);
    }

    [Fact]
    public async Task Advancing_in_small_steps_gives_the_same_history_as_advancing_at_once()
    {
        var definition = StateMachineDefinition.Parse(Definition);
        var journal = new ExecutionJournal();
        var stepwise = Tasks();
        ExecutionProgress progress;
        var now = T0;
        var calls = 0;
        do
        {
            progress = await AslInterpreter.AdvanceAsync(definition, AslRun.Identity(), now, journal, stepwise);
            now = progress.WakeAt ?? now;
            calls++;
        }
        while (progress.Status == ExecutionStatuses.Running && calls < 20);

        var atOnce = await AslInterpreter.AdvanceAsync(definition, AslRun.Identity(), T0.AddHours(1), new ExecutionJournal(), Tasks());

        Assert.Equal(ExecutionStatuses.Succeeded, progress.Status);
        Assert.Equal(Snapshot(atOnce), Snapshot(progress));
        Assert.Equal(2, stepwise.Starts.Count);
        Assert.Single(stepwise.Polls);
    }

    [Fact]
    public async Task A_recorded_outcome_is_not_asked_for_again()
    {
        var definition = StateMachineDefinition.Parse(Definition);
        var journal = new ExecutionJournal();
        var tasks = Tasks();
        await AslInterpreter.AdvanceAsync(definition, AslRun.Identity(), T0.AddHours(1), journal, tasks);
        var counted = (tasks.Starts.Count, tasks.Polls.Count);

        var again = await AslInterpreter.AdvanceAsync(definition, AslRun.Identity(), T0.AddHours(2), journal, tasks);

        Assert.Equal(ExecutionStatuses.Succeeded, again.Status);
        Assert.Equal(counted, (tasks.Starts.Count, tasks.Polls.Count));
    }

    [Fact]
    public void The_aborted_event_follows_the_last_event_of_the_history()
    {
        var history = new List<HistoryEvent> { new(1, 0, T0, "ExecutionStarted"), new(2, 1, T0, "WaitStateEntered") };

        var aborted = AslInterpreter.AbortedEvent(history, T0.AddSeconds(3), "Stopped", "by the learner");

        Assert.Equal((3L, 2L, "ExecutionAborted", "executionAbortedEventDetails"), (aborted.Id, aborted.PreviousEventId, aborted.Type, aborted.DetailsMember));
        Assert.Equal("Stopped", aborted.Details!["error"]!.GetValue<string>());
    }
}
