using System.Text.Json.Nodes;

namespace StreamingWorkshop.Workflows.Asl;

/// <summary>The history event types the interpreter writes (HistoryEventType in the service's model).</summary>
public static class HistoryEventTypes
{
    public const string ExecutionStarted = "ExecutionStarted";
    public const string ExecutionSucceeded = "ExecutionSucceeded";
    public const string ExecutionFailed = "ExecutionFailed";
    public const string ExecutionTimedOut = "ExecutionTimedOut";
    public const string ExecutionAborted = "ExecutionAborted";
    public const string FailStateEntered = "FailStateEntered";
    public const string TaskScheduled = "TaskScheduled";
    public const string TaskStarted = "TaskStarted";
    public const string TaskSubmitted = "TaskSubmitted";
    public const string TaskSucceeded = "TaskSucceeded";
    public const string TaskFailed = "TaskFailed";
    public const string TaskTimedOut = "TaskTimedOut";
    public const string ParallelStateStarted = "ParallelStateStarted";
    public const string ParallelStateSucceeded = "ParallelStateSucceeded";
    public const string ParallelStateFailed = "ParallelStateFailed";
    public const string MapStateStarted = "MapStateStarted";
    public const string MapStateSucceeded = "MapStateSucceeded";
    public const string MapStateFailed = "MapStateFailed";
    public const string MapIterationStarted = "MapIterationStarted";
    public const string MapIterationSucceeded = "MapIterationSucceeded";
    public const string MapIterationFailed = "MapIterationFailed";
    public const string MapIterationAborted = "MapIterationAborted";

    /// <summary>{Type}StateEntered, for example TaskStateEntered (a Fail state's is FailStateEntered).</summary>
    public static string Entered(string stateType) => stateType + "StateEntered";

    /// <summary>{Type}StateExited, for example PassStateExited.</summary>
    public static string Exited(string stateType) => stateType + "StateExited";

    /// <summary>{Type}StateAborted, which only Task, Wait, Parallel and Map states have.</summary>
    public static string Aborted(string stateType) => stateType + "StateAborted";
}

/// <summary>
/// Collects an execution's events as they happen on its logical time, each linked to the event before it in the same
/// branch, then orders them by (time, order of generation), numbers them from 1 and sets previousEventId.
/// </summary>
internal sealed class HistoryRecorder
{
    private readonly List<Recorded> events = [];

    internal sealed class Recorded(DateTimeOffset timestamp, int sequence, string type, string? detailsMember, JsonObject? details, Recorded? previous)
    {
        public DateTimeOffset Timestamp { get; } = timestamp;
        public int Sequence { get; } = sequence;
        public string Type { get; } = type;
        public string? DetailsMember { get; } = detailsMember;
        public JsonObject? Details { get; } = details;
        public Recorded? Previous { get; } = previous;
        public long Id { get; set; }
    }

    public Recorded Add(DateTimeOffset at, string type, Recorded? previous, string? detailsMember = null, JsonObject? details = null)
    {
        var recorded = new Recorded(at, events.Count, type, detailsMember, details, previous);
        events.Add(recorded);
        return recorded;
    }

    public IReadOnlyList<HistoryEvent> Build()
    {
        var ordered = events.OrderBy(e => e.Timestamp).ThenBy(e => e.Sequence).ToList();
        for (var i = 0; i < ordered.Count; i++)
            ordered[i].Id = i + 1;
        return ordered.Select(e => new HistoryEvent(e.Id, e.Previous?.Id ?? 0, e.Timestamp, e.Type, e.DetailsMember, e.Details)).ToList();
    }

    /// <summary>The details of a StateEntered event: name, input and inputDetails.</summary>
    public static JsonObject Entered(string name, JsonNode? input) => new()
    {
        ["name"] = name,
        ["input"] = JsonValues.ToText(input),
        ["inputDetails"] = new JsonObject { ["truncated"] = false },
    };

    /// <summary>The details of a StateExited event: name, output and outputDetails.</summary>
    public static JsonObject Exited(string name, JsonNode? output) => new()
    {
        ["name"] = name,
        ["output"] = JsonValues.ToText(output),
        ["outputDetails"] = new JsonObject { ["truncated"] = false },
    };
}
