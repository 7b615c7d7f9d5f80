using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace StreamingWorkshop.Workflows.Asl;

/// <summary>
/// One replay of an execution up to <c>now</c>: a discrete-event run of its fibers (the machine, its Parallel
/// branches and Map iterations) in the order of their logical times, taking task outcomes from the journal.
/// </summary>
internal sealed partial class ExecutionRun(
    StateMachineDefinition definition,
    ExecutionIdentity identity,
    DateTimeOffset now,
    ExecutionJournal journal,
    ITaskIntegrations tasks,
    CancellationToken cancellationToken)
{
    /// <summary>The service ends an execution whose history would pass this many events.</summary>
    public const int MaxHistoryEvents = 25_000;

    private readonly HistoryRecorder history = new();
    private readonly List<Fiber> fibers = [];
    private readonly JsonNode? executionInput = JsonNode.Parse(identity.Input);
    private int eventCount;

    private DateTimeOffset? MachineDeadline =>
        definition.TimeoutSeconds is { } seconds ? identity.StartTime.AddSeconds(seconds) : null;

    private string Region => identity.ExecutionArn.Split(':') is { Length: > 3 } parts ? parts[3] : "";

    public async Task<ExecutionProgress> RunAsync()
    {
        var started = history.Add(identity.StartTime, HistoryEventTypes.ExecutionStarted, null, "executionStartedEventDetails", new JsonObject
        {
            ["input"] = identity.Input,
            ["inputDetails"] = new JsonObject { ["truncated"] = false },
            ["roleArn"] = identity.RoleArn,
        });
        eventCount = 1;
        var machine = NewFiber(definition, "", null, identity.StartTime, started);
        machine.Schedule(identity.StartTime, () => EnterAsync(machine, definition.StartAt, executionInput?.DeepClone()));

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var next = EarliestReady();
            if (next is null || next.NextTime > now || (MachineDeadline is { } deadline && next.NextTime >= deadline))
                break;
            var step = next.TakeStep();
            await step();
            if (next.Status == FiberStatus.Running)
                throw new InvalidOperationException($"The step of state '{next.Current?.State.Name}' left its branch without a next step.");
            if (eventCount > MaxHistoryEvents && !machine.HasEnded)
                await EndForEventLimitAsync(machine);
        }
        return await FinishAsync(machine);
    }

    private Fiber? EarliestReady()
    {
        Fiber? earliest = null;
        foreach (var fiber in fibers)
        {
            if (fiber.Status != FiberStatus.Ready)
                continue;
            if (earliest is null || fiber.NextTime < earliest.NextTime || (fiber.NextTime == earliest.NextTime && fiber.Order < earliest.Order))
                earliest = fiber;
        }
        return earliest;
    }

    private Fiber NewFiber(StateMachineDefinition scope, string prefix, Fiber? parent, DateTimeOffset time, HistoryRecorder.Recorded? lastEvent,
        int index = 0, JsonObject? mapItem = null)
    {
        var fiber = new Fiber(scope, prefix, parent, fibers.Count, time) { Index = index, MapItem = mapItem, LastEvent = lastEvent };
        fibers.Add(fiber);
        return fiber;
    }

    private void Record(Fiber fiber, string type, string? detailsMember = null, JsonObject? details = null)
    {
        fiber.LastEvent = history.Add(fiber.Time, type, fiber.LastEvent, detailsMember, details);
        eventCount++;
    }

    private async Task<ExecutionProgress> FinishAsync(Fiber machine)
    {
        var events = history.Build();
        if (machine.Status == FiberStatus.Done)
        {
            return new ExecutionProgress(ExecutionStatuses.Succeeded, events, JsonValues.ToText(FinalOutput),
                null, null, machine.Time, null, []);
        }
        if (machine.Status == FiberStatus.Failed)
            return new ExecutionProgress(ExecutionStatuses.Failed, events, null, FinalError, FinalCause, machine.Time, null, []);

        var earliest = EarliestReady()?.NextTime;
        if (MachineDeadline is { } deadline && deadline <= now && (earliest is null || earliest >= deadline))
        {
            foreach (var fiber in fibers.Where(f => !f.HasEnded))
                await CancelPendingAsync(fiber);
            var last = LastRecorded();
            history.Add(deadline, HistoryEventTypes.ExecutionTimedOut, last, "executionTimedOutEventDetails", new JsonObject
            {
                ["error"] = StatesErrors.Timeout,
                ["cause"] = $"The execution ran longer than the state machine's TimeoutSeconds ({definition.TimeoutSeconds} seconds).",
            });
            return new ExecutionProgress(ExecutionStatuses.TimedOut, history.Build(), null, StatesErrors.Timeout, null, deadline, null, []);
        }

        DateTimeOffset? wakeAt = earliest;
        if (MachineDeadline is { } machineDeadline && (wakeAt is null || machineDeadline < wakeAt))
            wakeAt = machineDeadline;
        var pending = fibers
            .Where(f => f.Status == FiberStatus.Ready && f.Pending is not null)
            .Select(f => (f.Pending!.Request, f.Pending.Handle))
            .ToList();
        return new ExecutionProgress(ExecutionStatuses.Running, events, null, null, null, null, wakeAt, pending);
    }

    private HistoryRecorder.Recorded? LastRecorded() =>
        fibers.Select(f => f.LastEvent).Where(e => e is not null).MaxBy(e => (e!.Timestamp, e.Sequence));

    private JsonNode? FinalOutput { get; set; }
    private string? FinalError { get; set; }
    private string? FinalCause { get; set; }

    private async Task EndForEventLimitAsync(Fiber machine)
    {
        foreach (var fiber in fibers.Where(f => !f.HasEnded && f != machine))
            await AbortAsync(fiber, machine.Time, recordEvent: false);
        machine.Time = fibers.Max(f => f.Time);
        await CancelPendingAsync(machine);
        FailMachine(machine, StatesErrors.Runtime, $"The execution reached the {MaxHistoryEvents} events a history may have.");
    }

    /// <summary>A random source that is the same on every replay: seeded by the execution, the branch, the state's visit and the draw.</summary>
    private Func<Random> RandomFor(Fiber fiber, StateEntry entry) => () =>
    {
        var seedText = $"{identity.ExecutionArn}|{fiber.StepPrefix}|{entry.State.Name}|{entry.Visit}|{entry.RetryCount}|{entry.RandomDraws++}";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(seedText));
        return new Random(BitConverter.ToInt32(hash, 0));
    };

    private JsonObject ContextObject(Fiber fiber, StateEntry entry)
    {
        var context = new JsonObject
        {
            ["Execution"] = new JsonObject
            {
                ["Id"] = identity.ExecutionArn,
                ["Input"] = executionInput?.DeepClone(),
                ["Name"] = identity.ExecutionName,
                ["RoleArn"] = identity.RoleArn,
                ["StartTime"] = JsonValues.Timestamp(identity.StartTime),
                ["RedriveCount"] = 0,
            },
            ["State"] = new JsonObject
            {
                ["EnteredTime"] = JsonValues.Timestamp(entry.EnteredTime),
                ["Name"] = entry.State.Name,
                ["RetryCount"] = entry.RetryCount,
            },
            ["StateMachine"] = new JsonObject
            {
                ["Id"] = identity.StateMachineArn,
                ["Name"] = identity.StateMachineName,
            },
        };
        if (fiber.MapItem is not null)
            context["Map"] = new JsonObject { ["Item"] = fiber.MapItem.DeepClone() };
        return context;
    }

    private EvaluationScope Scope(Fiber fiber, StateEntry entry, JsonNode? data) => new(data, ContextObject(fiber, entry), RandomFor(fiber, entry));
}
