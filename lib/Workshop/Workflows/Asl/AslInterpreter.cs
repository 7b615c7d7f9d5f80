using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamingWorkshop.Workflows.Asl;

/// <summary>A definition read and checked as Step Functions checks CreateStateMachine's.</summary>
public sealed class StateMachineDefinition
{
    private readonly Dictionary<string, AslState> statesByName;

    private StateMachineDefinition(JsonObject root)
    {
        Root = root;
        StartAt = root["StartAt"]!.GetValue<string>();
        Comment = JsonValues.TryGetString(root["Comment"], out var comment) ? comment : null;
        TimeoutSeconds = JsonValues.TryGetInteger(root["TimeoutSeconds"], out var timeout) ? timeout : null;
        States = root["States"]!.AsObject().Select(p => ReadState(p.Key, p.Value!.AsObject())).ToList();
        statesByName = States.ToDictionary(s => s.Name, StringComparer.Ordinal);
    }

    /// <summary>The definition as JSON.</summary>
    public JsonObject Root { get; }

    /// <summary>The state the machine (or branch, or item processor) starts at.</summary>
    public string StartAt { get; }

    public string? Comment { get; }

    /// <summary>The machine's TimeoutSeconds: its executions end TIMED_OUT after it.</summary>
    public long? TimeoutSeconds { get; }

    /// <summary>The states, in the order the definition lists them.</summary>
    public IReadOnlyList<AslState> States { get; }

    /// <summary>The state named <paramref name="name"/> in this machine (not in its branches).</summary>
    public AslState State(string name) => statesByName[name];

    /// <summary>
    /// Reads and checks <paramref name="json"/>; anything that is not valid ASL, or that this interpreter does not run
    /// (named), is refused with <see cref="InvalidDefinitionException"/> in the service's message shape.
    /// </summary>
    public static StateMachineDefinition Parse(string json, ITaskIntegrations? integrations = null)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw DefinitionProblems.Exception([$"{DefinitionProblems.InvalidJsonDescription}: {e.Message}"]);
        }
        if (node is not JsonObject root)
            throw DefinitionProblems.Exception([DefinitionProblems.Schema("The definition must be a JSON object", "/")]);
        var problems = new DefinitionValidator(integrations).Validate(root);
        if (problems.Count > 0)
            throw DefinitionProblems.Exception(problems);
        return new StateMachineDefinition(root);
    }

    private static AslState ReadState(string name, JsonObject state)
    {
        var type = state["Type"]!.GetValue<string>();
        var transitions = new List<AslTransition>();
        if (JsonValues.TryGetString(state["Next"], out var next))
            transitions.Add(new AslTransition(AslTransitionKinds.Next, next));
        if (state["Choices"] is JsonArray choices)
        {
            foreach (var rule in choices.OfType<JsonObject>())
                transitions.Add(new AslTransition(AslTransitionKinds.Choice, rule["Next"]!.GetValue<string>(), ChoiceRules.Describe(rule)));
        }
        if (JsonValues.TryGetString(state["Default"], out var fallback))
            transitions.Add(new AslTransition(AslTransitionKinds.Default, fallback));
        if (state["Catch"] is JsonArray catchers)
        {
            foreach (var catcher in catchers.OfType<JsonObject>())
            {
                var errors = string.Join(", ", catcher["ErrorEquals"]!.AsArray().Select(e => e!.GetValue<string>()));
                transitions.Add(new AslTransition(AslTransitionKinds.Catch, catcher["Next"]!.GetValue<string>(), errors));
            }
        }
        var isEnd = type is AslStateTypes.Succeed or AslStateTypes.Fail || (JsonValues.TryGetBoolean(state["End"], out var end) && end);
        var branches = state["Branches"] is JsonArray branchArray
            ? branchArray.Select(b => new StateMachineDefinition(b!.AsObject())).ToList()
            : [];
        var processor = (state["ItemProcessor"] ?? state["Iterator"]) is JsonObject processorJson ? new StateMachineDefinition(processorJson) : null;
        return new AslState(name, type, transitions, isEnd, branches, processor,
            JsonValues.TryGetString(state["Resource"], out var resource) ? resource : null,
            JsonValues.TryGetString(state["Comment"], out var comment) ? comment : null,
            state);
    }
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
        new ExecutionRun(definition, execution, now, journal, tasks, cancellationToken).RunAsync();

    /// <summary>
    /// The ExecutionAborted event the service adds when StopExecution ends a running execution, numbered after
    /// <paramref name="history"/>'s last event, with the error and cause StopExecution was given.
    /// </summary>
    public static HistoryEvent AbortedEvent(IReadOnlyList<HistoryEvent> history, DateTimeOffset at, string? error, string? cause)
    {
        var last = history.Count == 0 ? 0 : history[^1].Id;
        var details = new JsonObject();
        if (error is not null)
            details["error"] = error;
        if (cause is not null)
            details["cause"] = cause;
        return new HistoryEvent(last + 1, last, at, HistoryEventTypes.ExecutionAborted, "executionAbortedEventDetails", details);
    }
}
