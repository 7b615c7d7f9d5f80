using System.Text.Json.Nodes;

namespace StreamingWorkshop.Workflows.Asl;

// Entering and leaving states, and the states that take no task: Pass, Choice, Wait, Succeed, Fail.
internal sealed partial class ExecutionRun
{
    private async Task EnterAsync(Fiber fiber, string name, JsonNode? rawInput)
    {
        var state = fiber.Scope.State(name);
        fiber.Visits[name] = fiber.Visits.GetValueOrDefault(name) + 1;
        var entry = new StateEntry(state, rawInput, fiber.Time, fiber.Visits[name] - 1);
        fiber.Current = entry;
        var enteredType = state.Type == AslStateTypes.Fail ? HistoryEventTypes.FailStateEntered : HistoryEventTypes.Entered(state.Type);
        Record(fiber, enteredType, "stateEnteredEventDetails", HistoryRecorder.Entered(name, rawInput));
        await RunBodyAsync(fiber, entry);
    }

    /// <summary>Runs the state's work; also what a retry runs again.</summary>
    private Task RunBodyAsync(Fiber fiber, StateEntry entry) => GuardAsync(fiber, entry, () => entry.State.Type switch
    {
        AslStateTypes.Pass => RunPass(fiber, entry),
        AslStateTypes.Choice => RunChoice(fiber, entry),
        AslStateTypes.Wait => RunWait(fiber, entry),
        AslStateTypes.Succeed => RunSucceed(fiber, entry),
        AslStateTypes.Fail => RunFail(fiber, entry),
        AslStateTypes.Task => RunTaskAsync(fiber, entry),
        AslStateTypes.Parallel => RunParallel(fiber, entry),
        _ => RunMap(fiber, entry),
    });

    /// <summary>Runs <paramref name="work"/>; a state error it raises goes to the state's Retry and Catch.</summary>
    private async Task GuardAsync(Fiber fiber, StateEntry entry, Func<Task> work)
    {
        try
        {
            await work();
        }
        catch (StateFailure failure)
        {
            await HandleErrorAsync(fiber, entry, failure.Error, failure.Cause);
        }
    }

    private Func<Task> Guarded(Fiber fiber, StateEntry entry, Func<Task> work) => () => GuardAsync(fiber, entry, work);

    private Func<Task> Guarded(Fiber fiber, StateEntry entry, Action work) => () => GuardAsync(fiber, entry, () =>
    {
        work();
        return Task.CompletedTask;
    });

    private JsonNode? EffectiveInput(Fiber fiber, StateEntry entry) =>
        DataFlow.ApplyInputPath(entry.Json, entry.RawInput, Scope(fiber, entry, entry.RawInput));

    /// <summary>ResultPath then OutputPath: the state's output from its raw input and its result.</summary>
    private JsonNode? StateOutput(Fiber fiber, StateEntry entry, JsonNode? result)
    {
        var combined = DataFlow.ApplyResultPath(entry.Json, entry.RawInput, result);
        return DataFlow.ApplyOutputPath(entry.Json, combined, Scope(fiber, entry, combined));
    }

    private JsonNode? ApplyTemplate(Fiber fiber, StateEntry entry, string field, JsonNode? data) =>
        entry.Json.TryGetPropertyValue(field, out var template) ? PayloadTemplate.Apply(template, Scope(fiber, entry, data)) : data;

    /// <summary>Leaves the state with <paramref name="output"/>: its Exited event, then its Next (at the same time) or the branch's end.</summary>
    private void ExitState(Fiber fiber, StateEntry entry, JsonNode? output)
    {
        Record(fiber, HistoryEventTypes.Exited(entry.State.Type), "stateExitedEventDetails", HistoryRecorder.Exited(entry.State.Name, output));
        var next = entry.State.Transitions.FirstOrDefault(t => t.Kind == AslTransitionKinds.Next);
        if (next is null)
            CompleteFiber(fiber, output);
        else
            GoTo(fiber, next.Target, output);
    }

    private void GoTo(Fiber fiber, string target, JsonNode? input) => fiber.Schedule(fiber.Time, () => EnterAsync(fiber, target, input));

    private Task RunPass(Fiber fiber, StateEntry entry)
    {
        var effective = EffectiveInput(fiber, entry);
        var result = entry.Json.TryGetPropertyValue("Result", out var fixedResult)
            ? fixedResult?.DeepClone()
            : ApplyTemplate(fiber, entry, "Parameters", effective);
        ExitState(fiber, entry, StateOutput(fiber, entry, result));
        return Task.CompletedTask;
    }

    private Task RunChoice(Fiber fiber, StateEntry entry)
    {
        var effective = EffectiveInput(fiber, entry);
        var scope = Scope(fiber, entry, effective);
        string? target = null;
        foreach (var rule in entry.Json["Choices"]!.AsArray().OfType<JsonObject>())
        {
            if (ChoiceRules.Matches(rule, scope))
            {
                target = rule["Next"]!.GetValue<string>();
                break;
            }
        }
        if (target is null && JsonValues.TryGetString(entry.Json["Default"], out var fallback))
            target = fallback;
        if (target is null)
            throw new StateFailure(StatesErrors.NoChoiceMatched, $"No Matches! No choice rule of state '{entry.State.Name}' matched its input, and it has no Default.");
        var output = DataFlow.ApplyOutputPath(entry.Json, effective, scope);
        Record(fiber, HistoryEventTypes.Exited(entry.State.Type), "stateExitedEventDetails", HistoryRecorder.Exited(entry.State.Name, output));
        GoTo(fiber, target, output);
        return Task.CompletedTask;
    }

    private Task RunWait(Fiber fiber, StateEntry entry)
    {
        var effective = EffectiveInput(fiber, entry);
        var scope = Scope(fiber, entry, effective);
        var json = entry.Json;
        DateTimeOffset end;
        if (JsonValues.TryGetInteger(json["Seconds"], out var seconds))
        {
            end = fiber.Time.AddSeconds(seconds);
        }
        else if (JsonValues.TryGetString(json["Timestamp"], out var timestamp))
        {
            JsonValues.TryParseTimestamp(timestamp, out end);
        }
        else if (JsonValues.TryGetString(json["SecondsPath"], out var secondsPath))
        {
            var value = DataFlow.SelectPath(secondsPath, effective, scope);
            if (!JsonValues.TryGetInteger(value, out var pathSeconds) || pathSeconds < 0)
                throw new StateFailure(StatesErrors.Runtime, $"The SecondsPath '{secondsPath}' of state '{entry.State.Name}' gave {JsonValues.ToText(value)}, which is not a non-negative integer.");
            end = fiber.Time.AddSeconds(pathSeconds);
        }
        else
        {
            var timestampPath = json["TimestampPath"]!.GetValue<string>();
            var value = DataFlow.SelectPath(timestampPath, effective, scope);
            if (!JsonValues.TryGetString(value, out var text) || !JsonValues.TryParseTimestamp(text, out end))
                throw new StateFailure(StatesErrors.Runtime, $"The TimestampPath '{timestampPath}' of state '{entry.State.Name}' gave {JsonValues.ToText(value)}, which is not an RFC 3339 timestamp.");
        }
        fiber.Schedule(end, Guarded(fiber, entry, () => ExitState(fiber, entry, DataFlow.ApplyOutputPath(json, effective, Scope(fiber, entry, effective)))));
        return Task.CompletedTask;
    }

    private Task RunSucceed(Fiber fiber, StateEntry entry)
    {
        var effective = EffectiveInput(fiber, entry);
        var output = DataFlow.ApplyOutputPath(entry.Json, effective, Scope(fiber, entry, effective));
        Record(fiber, HistoryEventTypes.Exited(entry.State.Type), "stateExitedEventDetails", HistoryRecorder.Exited(entry.State.Name, output));
        CompleteFiber(fiber, output);
        return Task.CompletedTask;
    }

    private Task RunFail(Fiber fiber, StateEntry entry)
    {
        var error = FailText(fiber, entry, "Error", "ErrorPath");
        var cause = FailText(fiber, entry, "Cause", "CausePath");
        FailFiber(fiber, error, cause);
        return Task.CompletedTask;
    }

    private string? FailText(Fiber fiber, StateEntry entry, string field, string pathField)
    {
        if (JsonValues.TryGetString(entry.Json[field], out var text))
            return text;
        if (!JsonValues.TryGetString(entry.Json[pathField], out var expression))
            return null;
        var scope = Scope(fiber, entry, entry.RawInput);
        var value = expression.StartsWith("States.", StringComparison.Ordinal)
            ? IntrinsicFunctions.Evaluate(expression, scope)
            : DataFlow.SelectPath(expression, entry.RawInput, scope);
        return JsonValues.TryGetString(value, out var result)
            ? result
            : throw new StateFailure(StatesErrors.Runtime, $"The {pathField} '{expression}' of state '{entry.State.Name}' gave {JsonValues.ToText(value)}, which is not a string.");
    }

    /// <summary>The branch ends well: the machine succeeds, or the Parallel or Map state it belongs to counts it.</summary>
    private void CompleteFiber(Fiber fiber, JsonNode? output)
    {
        fiber.Stop(FiberStatus.Done);
        if (fiber.Parent is null)
        {
            FinalOutput = output;
            Record(fiber, HistoryEventTypes.ExecutionSucceeded, "executionSucceededEventDetails", new JsonObject
            {
                ["output"] = JsonValues.ToText(output),
                ["outputDetails"] = new JsonObject { ["truncated"] = false },
            });
            return;
        }
        BranchCompleted(fiber, output);
    }

    /// <summary>The branch ends in an error no Retry or Catch handled: the machine fails, or so does its Parallel or Map state.</summary>
    private void FailFiber(Fiber fiber, string? error, string? cause)
    {
        if (fiber.Parent is null)
        {
            FailMachine(fiber, error, cause);
            return;
        }
        fiber.Stop(FiberStatus.Failed);
        BranchFailed(fiber, error, cause);
    }

    private void FailMachine(Fiber machine, string? error, string? cause)
    {
        machine.Stop(FiberStatus.Failed);
        FinalError = error;
        FinalCause = cause;
        var details = new JsonObject();
        if (error is not null)
            details["error"] = error;
        if (cause is not null)
            details["cause"] = cause;
        Record(machine, HistoryEventTypes.ExecutionFailed, "executionFailedEventDetails", details);
    }
}
