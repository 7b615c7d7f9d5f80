namespace StreamingWorkshop.Workflows;

/// <summary>How one state fared in an execution, as the console's graph view colours it.</summary>
public enum StateOutcome
{
    NotRun,
    Running,
    Succeeded,
    Failed,
    Caught,
}

/// <summary>
/// One state's part in an execution: its outcome the last time it ran, how often it was entered (a polling loop
/// enters its states again and again), how many retries its tasks made, and the error it last failed with.
/// </summary>
public sealed record StateRun(string Name, StateOutcome Outcome, int Entries = 0, int Retries = 0, string? Error = null)
{
    public static StateRun NotRun(string name) => new(name, StateOutcome.NotRun);
}

/// <summary>
/// Each state's outcome, read from an execution's history (GetExecutionHistory): entered and exited is succeeded;
/// a failure with no later exit is failed, unless the next state entered follows it (the state's Catch took it),
/// which is caught; entered and not exited while the execution still runs is running. A task scheduled more than
/// once in one visit was retried.
/// </summary>
public sealed class StateOutcomes
{
    // The history event types that say the state that is running failed (botocore's HistoryEventType).
    private static readonly HashSet<string> FailureTypes =
    [
        "TaskFailed", "TaskStartFailed", "TaskSubmitFailed", "TaskTimedOut",
        "ActivityFailed", "ActivityScheduleFailed", "ActivityTimedOut",
        "LambdaFunctionFailed", "LambdaFunctionScheduleFailed", "LambdaFunctionStartFailed", "LambdaFunctionTimedOut",
        "MapStateFailed", "ParallelStateFailed", "MapRunFailed",
        "TaskStateAborted", "WaitStateAborted", "MapStateAborted", "ParallelStateAborted",
    ];

    private static readonly HashSet<string> ExecutionEnds = ["ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"];

    private readonly IReadOnlyDictionary<string, StateRun> states;

    private StateOutcomes(IReadOnlyDictionary<string, StateRun> states, bool executionEnded)
    {
        this.states = states;
        ExecutionEnded = executionEnded;
    }

    /// <summary>Whether the history holds the execution's end (succeeded, failed, aborted or timed out).</summary>
    public bool ExecutionEnded { get; }

    /// <summary>The states that ran, in the order they were first entered.</summary>
    public IReadOnlyCollection<StateRun> States => states.Values.ToList();

    /// <summary>The state's run, or NotRun for a state the execution never entered.</summary>
    public StateRun this[string stateName] => states.TryGetValue(stateName, out var run) ? run : StateRun.NotRun(stateName);

    public static StateOutcomes FromHistory(IReadOnlyList<HistoryEvent> events)
    {
        var runs = new Dictionary<string, Visit>();
        var order = new List<string>();
        // States entered and not yet left, innermost (most recently entered) last: a Parallel's branches run inside it.
        var open = new List<Visit>();
        Visit? lastFailed = null;
        var ended = false;

        foreach (var e in events)
        {
            if (ExecutionEnds.Contains(e.Type))
            {
                ended = true;
                continue;
            }
            if (e.Type.EndsWith("StateEntered", StringComparison.Ordinal))
            {
                // The next state entered after a failure that nothing retried: the failed state's Catch led here.
                if (lastFailed is { Outcome: StateOutcome.Failed } caught && open.Contains(caught))
                {
                    caught.Outcome = StateOutcome.Caught;
                    Close(open, caught);
                }
                lastFailed = null;
                var name = e.Details?["name"]?.GetValue<string>() ?? "";
                if (!runs.TryGetValue(name, out var visit))
                {
                    runs[name] = visit = new Visit(name);
                    order.Add(name);
                }
                visit.Kind = e.Type[..^"StateEntered".Length];
                visit.Entries++;
                visit.ScheduledThisVisit = 0;
                visit.Error = null;
                visit.Outcome = e.Type == "FailStateEntered" ? StateOutcome.Failed : StateOutcome.Running;
                if (e.Type == "FailStateEntered")
                {
                    visit.Error = e.Details?["error"]?.GetValue<string>();
                    lastFailed = null;
                }
                else
                {
                    open.Remove(visit);
                    open.Add(visit);
                }
                continue;
            }
            if (e.Type.EndsWith("StateExited", StringComparison.Ordinal))
            {
                var name = e.Details?["name"]?.GetValue<string>() ?? "";
                if (runs.TryGetValue(name, out var visit))
                {
                    visit.Outcome = StateOutcome.Succeeded;
                    Close(open, visit);
                    if (lastFailed == visit) lastFailed = null;
                }
                continue;
            }
            // A Parallel's or Map's own events belong to it, not to the branch states still open inside it.
            var kind = e.Type.StartsWith("Parallel", StringComparison.Ordinal) ? "Parallel" : e.Type.StartsWith("Map", StringComparison.Ordinal) ? "Map"
                : e.Type.StartsWith("Wait", StringComparison.Ordinal) ? "Wait" : "Task";
            var current = open.LastOrDefault(v => v.Kind == kind);
            if (current is null) continue;
            if (e.Type is "TaskScheduled" or "ActivityScheduled" or "LambdaFunctionScheduled")
            {
                // Scheduled again in the same visit: a Retry took the failure, so the state is running again.
                if (++current.ScheduledThisVisit > 1) current.Retries++;
                current.Outcome = StateOutcome.Running;
                current.Error = null;
                if (lastFailed == current) lastFailed = null;
            }
            else if (FailureTypes.Contains(e.Type))
            {
                current.Outcome = StateOutcome.Failed;
                current.Error = e.Details?["error"]?.GetValue<string>() ?? current.Error;
                lastFailed = current;
                if (kind != "Task") CloseInside(open, current);
            }
        }

        // A state still open when the execution ended was cut short: it did not succeed.
        if (ended)
            foreach (var visit in open.Where(v => v.Outcome == StateOutcome.Running)) visit.Outcome = StateOutcome.Failed;

        return new StateOutcomes(order.ToDictionary(n => n, n => runs[n].ToRun()), ended);
    }

    // Leaving a state leaves whatever was still open inside it (a Parallel's branches that were stopped).
    private static void Close(List<Visit> open, Visit visit)
    {
        CloseInside(open, visit);
        open.Remove(visit);
    }

    private static void CloseInside(List<Visit> open, Visit visit)
    {
        var at = open.IndexOf(visit);
        if (at < 0) return;
        foreach (var inner in open.Skip(at + 1).Where(v => v.Outcome == StateOutcome.Running)) inner.Outcome = StateOutcome.Failed;
        open.RemoveRange(at + 1, open.Count - at - 1);
    }

    private sealed class Visit(string name)
    {
        public string Kind { get; set; } = "Task";
        public string Name { get; } = name;
        public StateOutcome Outcome { get; set; } = StateOutcome.Running;
        public int Entries { get; set; }
        public int ScheduledThisVisit { get; set; }
        public int Retries { get; set; }
        public string? Error { get; set; }

        public StateRun ToRun() => new(Name, Outcome, Entries, Retries, Error);
    }
}
