using System.Text.Json.Nodes;

namespace StreamingWorkshop.Workflows.Asl;

/// <summary>A definition read and checked as Step Functions checks CreateStateMachine's.</summary>
public sealed class StateMachineDefinition
{
    private StateMachineDefinition(JsonObject root) => Root = root;

    /// <summary>The definition as JSON.</summary>
    public JsonObject Root { get; }

    /// <summary>
    /// Reads and checks <paramref name="json"/>; anything that is not valid ASL, or that this interpreter does not run
    /// (named), is refused with <see cref="InvalidDefinitionException"/> in the service's message shape.
    /// </summary>
    public static StateMachineDefinition Parse(string json, ITaskIntegrations? integrations = null) =>
        throw new NotImplementedException();
}

/// <summary>
/// Runs executions of the Amazon States Language on a clock it does not own: each call replays the execution from its
/// start, taking every task's outcome already recorded from the journal, and goes as far as <c>now</c> allows. Event
/// times are the execution's own (a Wait ends exactly when it says; a task when its integration says), so the same
/// journal always gives the same history.
/// </summary>
public static class AslInterpreter
{
    public static Task<ExecutionProgress> AdvanceAsync(StateMachineDefinition definition, ExecutionIdentity execution, DateTimeOffset now,
        ExecutionJournal journal, ITaskIntegrations tasks, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
