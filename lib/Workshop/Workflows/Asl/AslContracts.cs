using System.Text.Json.Nodes;

namespace StreamingWorkshop.Workflows.Asl;

/// <summary>
/// A Task state's call as the interpreter makes it: the state's Resource ARN and its effective parameters, at the
/// execution's time. <see cref="StepKey"/> names this attempt of this state uniquely within the execution (the same on
/// every replay), for example "Curate/1" or "Cities[2]/Lookup/0".
/// </summary>
public sealed record TaskRequest(string Resource, JsonNode? Parameters, DateTimeOffset At, string ExecutionArn, string StateName, string StepKey);

/// <summary>What a task integration answers when started or asked again.</summary>
public abstract record TaskOutcome
{
    /// <summary>The task ended well at <paramref name="At"/> with <paramref name="Output"/> (its result, before ResultSelector).</summary>
    public sealed record Succeeded(JsonNode? Output, DateTimeOffset At) : TaskOutcome;

    /// <summary>
    /// The task failed at <paramref name="At"/> with an error name a Retry or Catch can match (States.TaskFailed,
    /// Glue.EntityNotFoundException, Lambda.ServiceException, ...) and a cause.
    /// </summary>
    public sealed record Failed(string Error, string Cause, DateTimeOffset At) : TaskOutcome;

    /// <summary>
    /// The task is under way (a .sync job not yet ended): ask again (<see cref="ITaskIntegrations.PollAsync"/>) with
    /// <paramref name="Handle"/> once the clock reaches <paramref name="WakeAt"/>. The handle is kept with the execution.
    /// </summary>
    public sealed record Pending(JsonNode? Handle, DateTimeOffset WakeAt) : TaskOutcome;
}

/// <summary>The services a Task state can call: the optimised integrations and the AWS SDK integrations the backend offers.</summary>
public interface ITaskIntegrations
{
    /// <summary>Whether a Task may name <paramref name="resource"/>; a definition naming another is refused, with <see cref="Supported"/>.</summary>
    bool Supports(string resource);

    /// <summary>The resources this backend runs, for the message that refuses another.</summary>
    IReadOnlyList<string> Supported { get; }

    /// <summary>Starts the task. Called once per attempt: the interpreter keeps the outcome in the execution's journal.</summary>
    Task<TaskOutcome> StartAsync(TaskRequest request, CancellationToken cancellationToken = default);

    /// <summary>Asks again about a task that was <see cref="TaskOutcome.Pending"/>, by the handle it gave.</summary>
    Task<TaskOutcome> PollAsync(TaskRequest request, JsonNode? handle, CancellationToken cancellationToken = default);

    /// <summary>Stops a pending task whose execution was stopped or whose state timed out (a .sync Glue job: BatchStopJobRun).</summary>
    Task CancelAsync(TaskRequest request, JsonNode? handle, CancellationToken cancellationToken = default);
}

/// <summary>Who and what an execution is: the context object's Execution and StateMachine fields ($$).</summary>
public sealed record ExecutionIdentity(
    string ExecutionArn,
    string ExecutionName,
    string StateMachineArn,
    string StateMachineName,
    string RoleArn,
    DateTimeOffset StartTime,
    string Input);

/// <summary>
/// Where an execution has got to after <see cref="AslInterpreter.AdvanceAsync"/>: its status (RUNNING until it ends),
/// its whole history so far, and, while it runs, when it next needs the clock to move (<see cref="WakeAt"/>) and the
/// tasks it waits on (which StopExecution cancels).
/// </summary>
public sealed record ExecutionProgress(
    string Status,
    IReadOnlyList<HistoryEvent> Events,
    string? Output,
    string? Error,
    string? Cause,
    DateTimeOffset? StopDate,
    DateTimeOffset? WakeAt,
    IReadOnlyList<(TaskRequest Request, JsonNode? Handle)> PendingTasks);

/// <summary>
/// What an execution has done that must not be done again when it is replayed: each task attempt's outcome by its step
/// key, and each value an intrinsic function drew at random. The service keeps it with the execution (as JSON).
/// </summary>
public sealed class ExecutionJournal
{
    public ExecutionJournal() : this(new JsonObject()) { }

    public ExecutionJournal(JsonObject entries) => Entries = entries;

    /// <summary>Step key → the recorded outcome, in a shape only the interpreter reads.</summary>
    public JsonObject Entries { get; }

    public static ExecutionJournal Parse(string json) => new(JsonNode.Parse(json)!.AsObject());

    public string ToJson() => Entries.ToJsonString();
}
