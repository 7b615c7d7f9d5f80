using System.Text.Json.Nodes;

namespace StreamingWorkshop.Workflows;

/// <summary>The statuses DescribeExecution reports (ExecutionStatus).</summary>
public static class ExecutionStatuses
{
    public const string Running = "RUNNING";
    public const string Succeeded = "SUCCEEDED";
    public const string Failed = "FAILED";
    public const string TimedOut = "TIMED_OUT";
    public const string Aborted = "ABORTED";

    /// <summary>Whether an execution in <paramref name="status"/> has ended and will not change again.</summary>
    public static bool HasEnded(string status) => status is Succeeded or Failed or TimedOut or Aborted;
}

/// <summary>A state machine as ListStateMachines lists it.</summary>
public sealed record StateMachineSummary(string Name, string StateMachineArn, string Type, DateTimeOffset CreationDate);

/// <summary>A state machine as DescribeStateMachine gives it: its Amazon States Language definition and the role it runs as.</summary>
public sealed record StateMachineDescription(
    string Name,
    string StateMachineArn,
    string Definition,
    string RoleArn,
    string Type,
    DateTimeOffset CreationDate,
    string Status = "ACTIVE");

/// <summary>
/// One execution as DescribeExecution gives it (ListExecutions leaves out Input, Output, Error and Cause). Input and
/// Output are JSON texts, as the service gives them.
/// </summary>
public sealed record ExecutionDescription(
    string ExecutionArn,
    string StateMachineArn,
    string Name,
    string Status,
    DateTimeOffset StartDate,
    DateTimeOffset? StopDate = null,
    string? Input = null,
    string? Output = null,
    string? Error = null,
    string? Cause = null);

/// <summary>What StartExecution answers.</summary>
public sealed record ExecutionStart(string ExecutionArn, DateTimeOffset StartDate);

/// <summary>
/// One event of an execution's history as GetExecutionHistory gives it. <see cref="DetailsMember"/> is the name of the
/// member that carries the event's details on the wire (for example stateEnteredEventDetails), and <see cref="Details"/>
/// holds them with the service's own member names (name, input, output, resource, error, cause, ...).
/// </summary>
public sealed record HistoryEvent(
    long Id,
    long PreviousEventId,
    DateTimeOffset Timestamp,
    string Type,
    string? DetailsMember = null,
    JsonObject? Details = null);

/// <summary>
/// The workflows stage: Step Functions state machines and their executions, through the service's API. Locally an
/// interpreter of the Amazon States Language on the virtual clock (<see cref="Asl.AslInterpreter"/>); on AWS the service.
/// </summary>
public interface IWorkflowService
{
    /// <summary>Every state machine (ListStateMachines).</summary>
    Task<IReadOnlyList<StateMachineSummary>> ListStateMachinesAsync(CancellationToken cancellationToken = default);

    /// <summary>One state machine with its definition (DescribeStateMachine); StateMachineDoesNotExist when there is none.</summary>
    Task<StateMachineDescription> DescribeStateMachineAsync(string stateMachineArn, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts an execution (StartExecution). <paramref name="name"/> is unique per state machine (ExecutionAlreadyExists
    /// otherwise; a name is made when none is given); <paramref name="input"/> is a JSON text ("{}" when none is given).
    /// </summary>
    Task<ExecutionStart> StartExecutionAsync(string stateMachineArn, string? name = null, string? input = null, CancellationToken cancellationToken = default);

    /// <summary>One execution (DescribeExecution); ExecutionDoesNotExist when there is none.</summary>
    Task<ExecutionDescription> DescribeExecutionAsync(string executionArn, CancellationToken cancellationToken = default);

    /// <summary>The state machine's executions, newest first (ListExecutions), optionally only those in <paramref name="statusFilter"/>.</summary>
    Task<IReadOnlyList<ExecutionDescription>> ListExecutionsAsync(string stateMachineArn, string? statusFilter = null, int maxResults = 100,
        CancellationToken cancellationToken = default);

    /// <summary>Stops a running execution (StopExecution); it ends ABORTED. Returns the stop date.</summary>
    Task<DateTimeOffset> StopExecutionAsync(string executionArn, string? error = null, string? cause = null, CancellationToken cancellationToken = default);

    /// <summary>Every event of the execution's history (GetExecutionHistory, all pages), oldest first unless <paramref name="reverseOrder"/>.</summary>
    Task<IReadOnlyList<HistoryEvent>> GetExecutionHistoryAsync(string executionArn, bool reverseOrder = false, CancellationToken cancellationToken = default);
}
