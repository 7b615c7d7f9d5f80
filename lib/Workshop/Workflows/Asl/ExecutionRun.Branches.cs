using System.Text.Json.Nodes;

namespace StreamingWorkshop.Workflows.Asl;

// Parallel and Map states: their branches and iterations run as fibers on their own logical times from the state's start.
internal sealed partial class ExecutionRun
{
    private string ChildPrefix(Fiber fiber, string stateName, int run, int index) =>
        run == 0 ? $"{fiber.StepPrefix}{stateName}[{index}]/" : $"{fiber.StepPrefix}{stateName}/{run}[{index}]/";

    private int NextRun(Fiber fiber, string stateName)
    {
        var run = fiber.BranchRuns.GetValueOrDefault(stateName);
        fiber.BranchRuns[stateName] = run + 1;
        return run;
    }

    private Task RunParallel(Fiber fiber, StateEntry entry)
    {
        var effective = EffectiveInput(fiber, entry);
        var branchInput = ApplyTemplate(fiber, entry, "Parameters", effective);
        var branches = entry.State.Branches;
        var run = NextRun(fiber, entry.State.Name);
        Record(fiber, HistoryEventTypes.ParallelStateStarted);
        var join = new BranchJoin(entry, isMap: false, branches.Count, effective) { Run = run };
        fiber.Join = join;
        fiber.Stop(FiberStatus.Waiting);
        for (var i = 0; i < branches.Count; i++)
        {
            var branch = branches[i];
            var child = NewFiber(branch, ChildPrefix(fiber, entry.State.Name, run, i), fiber, fiber.Time, fiber.LastEvent, i);
            join.Children.Add(child);
            child.Schedule(fiber.Time, () => EnterAsync(child, branch.StartAt, branchInput?.DeepClone()));
        }
        return Task.CompletedTask;
    }

    private Task RunMap(Fiber fiber, StateEntry entry)
    {
        var json = entry.Json;
        var effective = EffectiveInput(fiber, entry);
        var itemsPath = JsonValues.TryGetString(json["ItemsPath"], out var path) ? path : "$";
        var items = DataFlow.SelectPath(itemsPath, effective, Scope(fiber, entry, effective));
        if (items is not JsonArray array)
            throw new StateFailure(StatesErrors.Runtime, $"Invalid path '{itemsPath}' : The value at it must be an array, not {JsonValues.ToText(items)}");
        var maxConcurrency = 0L;
        if (JsonValues.TryGetInteger(json["MaxConcurrency"], out var fixedConcurrency))
            maxConcurrency = fixedConcurrency;
        else if (JsonValues.TryGetString(json["MaxConcurrencyPath"], out var concurrencyPath))
        {
            var value = DataFlow.SelectPath(concurrencyPath, effective, Scope(fiber, entry, effective));
            if (!JsonValues.TryGetInteger(value, out maxConcurrency) || maxConcurrency < 0)
                throw new StateFailure(StatesErrors.Runtime, $"The MaxConcurrencyPath '{concurrencyPath}' of state '{entry.State.Name}' gave {JsonValues.ToText(value)}, which is not a non-negative integer.");
        }

        var run = NextRun(fiber, entry.State.Name);
        Record(fiber, HistoryEventTypes.MapStateStarted, "mapStateStartedEventDetails", new JsonObject { ["length"] = array.Count });
        var join = new BranchJoin(entry, isMap: true, array.Count, effective) { Run = run, Items = array };
        fiber.Join = join;
        if (array.Count == 0)
        {
            fiber.Schedule(fiber.Time, Guarded(fiber, entry, () => MapOrParallelSucceeded(fiber, join)));
            return Task.CompletedTask;
        }
        fiber.Stop(FiberStatus.Waiting);
        for (var i = 0; i < array.Count; i++)
            join.NotStarted.Enqueue(i);
        var first = maxConcurrency == 0 ? array.Count : (int)Math.Min(maxConcurrency, array.Count);
        for (var i = 0; i < first; i++)
            StartIteration(fiber, join, fiber.Time, fiber.LastEvent);
        return Task.CompletedTask;
    }

    private void StartIteration(Fiber fiber, BranchJoin join, DateTimeOffset at, HistoryRecorder.Recorded? previous)
    {
        var entry = join.Entry;
        var items = join.Items!;
        var run = join.Run;
        var index = join.NotStarted.Dequeue();
        var mapItem = new JsonObject { ["Index"] = index, ["Value"] = items[index]?.DeepClone() };
        var processor = entry.State.ItemProcessor!;
        var child = NewFiber(processor, ChildPrefix(fiber, entry.State.Name, run, index), fiber, at, previous, index, mapItem);
        join.Children.Add(child);
        Record(child, HistoryEventTypes.MapIterationStarted, "mapIterationStartedEventDetails", IterationDetails(entry, index));
        var selector = entry.Json.ContainsKey("ItemSelector") ? "ItemSelector" : "Parameters";
        child.Schedule(at, async () =>
        {
            JsonNode? itemInput;
            try
            {
                itemInput = entry.Json.TryGetPropertyValue(selector, out var template)
                    ? PayloadTemplate.Apply(template, new EvaluationScope(join.EffectiveInput, ContextWithItem(fiber, entry, mapItem), RandomFor(child, entry)))
                    : items[index]?.DeepClone();
            }
            catch (StateFailure failure)
            {
                FailFiber(child, failure.Error, failure.Cause);
                return;
            }
            await EnterAsync(child, processor.StartAt, itemInput);
        });
    }

    private JsonObject ContextWithItem(Fiber fiber, StateEntry entry, JsonObject mapItem)
    {
        var context = ContextObject(fiber, entry);
        context["Map"] = new JsonObject { ["Item"] = mapItem.DeepClone() };
        return context;
    }

    private static JsonObject IterationDetails(StateEntry entry, int index) => new() { ["name"] = entry.State.Name, ["index"] = index };

    private void BranchCompleted(Fiber child, JsonNode? output)
    {
        var parent = child.Parent!;
        var join = parent.Join!;
        if (join.HasFailed)
            return;
        if (join.IsMap)
            Record(child, HistoryEventTypes.MapIterationSucceeded, "mapIterationSucceededEventDetails", IterationDetails(join.Entry, child.Index));
        join.Results[child.Index] = output;
        join.Finished++;
        if (join.IsMap && join.NotStarted.Count > 0)
        {
            StartIteration(parent, join, child.Time, child.LastEvent);
        }
        if (join.Finished < join.Results.Length)
            return;
        parent.Time = child.Time;
        parent.LastEvent = child.LastEvent;
        parent.Schedule(child.Time, Guarded(parent, join.Entry, () => MapOrParallelSucceeded(parent, join)));
    }

    private void MapOrParallelSucceeded(Fiber fiber, BranchJoin join)
    {
        fiber.Join = null;
        var entry = join.Entry;
        Record(fiber, join.IsMap ? HistoryEventTypes.MapStateSucceeded : HistoryEventTypes.ParallelStateSucceeded);
        var results = new JsonArray(join.Results.Select(r => r?.DeepClone()).ToArray());
        var result = ApplyTemplate(fiber, entry, "ResultSelector", results);
        ExitState(fiber, entry, StateOutput(fiber, entry, result));
    }

    /// <summary>A branch or iteration failed: the others are stopped, and the state fails with the branch's error at that time.</summary>
    private void BranchFailed(Fiber child, string? error, string? cause)
    {
        var parent = child.Parent!;
        var join = parent.Join!;
        if (join.HasFailed)
            return;
        join.HasFailed = true;
        if (join.IsMap)
            Record(child, HistoryEventTypes.MapIterationFailed, "mapIterationFailedEventDetails", IterationDetails(join.Entry, child.Index));
        parent.Time = child.Time;
        parent.LastEvent = child.LastEvent;
        parent.Schedule(child.Time, async () =>
        {
            foreach (var sibling in join.Children.Where(c => !c.HasEnded))
                await AbortAsync(sibling, parent.Time, recordEvent: true);
            join.NotStarted.Clear();
            parent.Join = null;
            Record(parent, join.IsMap ? HistoryEventTypes.MapStateFailed : HistoryEventTypes.ParallelStateFailed);
            await HandleErrorAsync(parent, join.Entry, error, cause);
        });
    }

    /// <summary>Stops a branch (and what runs inside it) whose Parallel or Map state has failed, or the execution ended.</summary>
    private async Task AbortAsync(Fiber fiber, DateTimeOffset at, bool recordEvent)
    {
        if (fiber.Join is { } inner)
        {
            foreach (var child in inner.Children.Where(c => !c.HasEnded))
                await AbortAsync(child, at, recordEvent);
            inner.NotStarted.Clear();
        }
        await CancelPendingAsync(fiber);
        fiber.Stop(FiberStatus.Aborted);
        if (!recordEvent)
            return;
        fiber.Time = at;
        if (fiber.Current is { } current && current.State.Type is AslStateTypes.Task or AslStateTypes.Wait or AslStateTypes.Parallel or AslStateTypes.Map)
            Record(fiber, HistoryEventTypes.Aborted(current.State.Type));
        if (fiber.MapItem is not null && fiber.Parent?.Join is { IsMap: true } parentJoin)
            Record(fiber, HistoryEventTypes.MapIterationAborted, "mapIterationAbortedEventDetails", IterationDetails(parentJoin.Entry, fiber.Index));
    }
}
