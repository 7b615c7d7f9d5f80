using System.Text.Json.Nodes;

namespace StreamingWorkshop.Workflows.Asl;

internal enum FiberStatus
{
    /// <summary>Has a next step at <see cref="Fiber.NextTime"/>.</summary>
    Ready,

    /// <summary>Is doing its current step.</summary>
    Running,

    /// <summary>Waits for its Parallel branches or Map iterations.</summary>
    Waiting,
    Done,
    Failed,
    Aborted,
}

/// <summary>
/// One line of execution on its own logical time: the machine itself, a Parallel branch or a Map iteration. The run
/// steps the fiber whose next step is earliest, so branches interleave as they would on the service's clock.
/// </summary>
internal sealed class Fiber(StateMachineDefinition scope, string stepPrefix, Fiber? parent, int order, DateTimeOffset time)
{
    public StateMachineDefinition Scope { get; } = scope;

    /// <summary>What this fiber's step keys start with: "" for the machine, "Cities[2]/" for a Map iteration.</summary>
    public string StepPrefix { get; } = stepPrefix;

    public Fiber? Parent { get; } = parent;

    /// <summary>Creation order: among steps at the same time, the older fiber goes first.</summary>
    public int Order { get; } = order;

    public DateTimeOffset Time { get; set; } = time;

    public FiberStatus Status { get; set; } = FiberStatus.Running;

    public DateTimeOffset NextTime { get; private set; }

    public Func<Task>? NextStep { get; private set; }

    /// <summary>The last event this fiber wrote: the next one's previousEventId.</summary>
    public HistoryRecorder.Recorded? LastEvent { get; set; }

    public StateEntry? Current { get; set; }

    /// <summary>The index of this branch or iteration in its parent's results.</summary>
    public int Index { get; init; }

    /// <summary>The context object's Map.Item for a Map iteration.</summary>
    public JsonObject? MapItem { get; init; }

    /// <summary>The Parallel or Map state this fiber waits on.</summary>
    public BranchJoin? Join { get; set; }

    /// <summary>The task this fiber waits on, while it waits on one.</summary>
    public PendingTask? Pending { get; set; }

    public Dictionary<string, int> TaskAttempts { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, int> BranchRuns { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, int> Visits { get; } = new(StringComparer.Ordinal);

    public void Schedule(DateTimeOffset at, Func<Task> step)
    {
        NextTime = at < Time ? Time : at;
        NextStep = step;
        Status = FiberStatus.Ready;
    }

    public Func<Task> TakeStep()
    {
        var step = NextStep!;
        NextStep = null;
        Time = NextTime;
        Status = FiberStatus.Running;
        return step;
    }

    public void Stop(FiberStatus status)
    {
        NextStep = null;
        Status = status;
    }

    public bool HasEnded => Status is FiberStatus.Done or FiberStatus.Failed or FiberStatus.Aborted;
}

/// <summary>One visit of a state: its raw input, when it was entered, and its retries so far.</summary>
internal sealed class StateEntry(AslState state, JsonNode? rawInput, DateTimeOffset enteredTime, int visit)
{
    public AslState State { get; } = state;
    public JsonObject Json => State.Json;
    public JsonNode? RawInput { get; } = rawInput;
    public DateTimeOffset EnteredTime { get; } = enteredTime;
    public int Visit { get; } = visit;
    public int RetryCount { get; set; }
    public Dictionary<int, int> RetrierAttempts { get; } = [];
    public int RandomDraws { get; set; }
}

/// <summary>A task attempt under way: what StopExecution or a timeout cancels.</summary>
internal sealed record PendingTask(TaskRequest Request, JsonNode? Handle, JsonObject JournalEntry);

/// <summary>A Parallel or Map state waiting on its branches or iterations.</summary>
internal sealed class BranchJoin(StateEntry entry, bool isMap, int count, JsonNode? effectiveInput)
{
    public StateEntry Entry { get; } = entry;
    public bool IsMap { get; } = isMap;
    public JsonNode? EffectiveInput { get; } = effectiveInput;
    public JsonNode?[] Results { get; } = new JsonNode?[count];
    public List<Fiber> Children { get; } = [];
    public Queue<int> NotStarted { get; } = new();
    public int Finished { get; set; }

    /// <summary>Which run of the state this is (a retry runs it again), for the branches' step keys.</summary>
    public int Run { get; init; }

    /// <summary>A Map's items.</summary>
    public JsonArray? Items { get; init; }

    public bool HasFailed { get; set; }
}
