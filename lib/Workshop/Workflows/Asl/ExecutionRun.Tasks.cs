using System.Text.Json.Nodes;

namespace StreamingWorkshop.Workflows.Asl;

// Task states: each attempt started once (its outcome kept in the journal), polled while pending, timed out at its deadline.
internal sealed partial class ExecutionRun
{
    private const string ServiceIntegrationPrefix = "arn:aws:states:::";

    /// <summary>
    /// The resourceType and resource the service writes in task events: "arn:aws:states:::glue:startJobRun.sync" is
    /// ("glue", "startJobRun.sync"), "arn:aws:states:::aws-sdk:glue:startCrawler" is ("aws-sdk:glue", "startCrawler"),
    /// a Lambda function's ARN is ("lambda", the ARN).
    /// </summary>
    public static (string ResourceType, string Resource) SplitResource(string resource)
    {
        var integration = resource.StartsWith(ServiceIntegrationPrefix, StringComparison.Ordinal) ? resource[ServiceIntegrationPrefix.Length..] : null;
        if (integration is null)
        {
            var service = resource.Split(':') is { Length: > 2 } parts ? parts[2] : resource;
            return (service, resource);
        }
        var lastColon = integration.LastIndexOf(':');
        return lastColon < 0 ? (integration, integration) : (integration[..lastColon], integration[(lastColon + 1)..]);
    }

    private async Task RunTaskAsync(Fiber fiber, StateEntry entry)
    {
        var json = entry.Json;
        var effective = EffectiveInput(fiber, entry);
        var parameters = ApplyTemplate(fiber, entry, "Parameters", effective);
        long? timeoutSeconds = null;
        if (JsonValues.TryGetInteger(json["TimeoutSeconds"], out var fixedTimeout))
            timeoutSeconds = fixedTimeout;
        else if (JsonValues.TryGetString(json["TimeoutSecondsPath"], out var timeoutPath))
        {
            var value = DataFlow.SelectPath(timeoutPath, effective, Scope(fiber, entry, effective));
            if (!JsonValues.TryGetInteger(value, out var pathTimeout) || pathTimeout <= 0)
                throw new StateFailure(StatesErrors.Runtime, $"The TimeoutSecondsPath '{timeoutPath}' of state '{entry.State.Name}' gave {JsonValues.ToText(value)}, which is not a positive integer.");
            timeoutSeconds = pathTimeout;
        }

        var name = entry.State.Name;
        var attempt = fiber.TaskAttempts.GetValueOrDefault(name);
        fiber.TaskAttempts[name] = attempt + 1;
        var stepKey = $"{fiber.StepPrefix}{name}/{attempt}";
        var resource = entry.State.Resource!;
        var request = new TaskRequest(resource, parameters?.DeepClone(), fiber.Time, identity.ExecutionArn, name, stepKey);
        var (resourceType, resourceName) = SplitResource(resource);

        var scheduled = new JsonObject
        {
            ["resourceType"] = resourceType,
            ["resource"] = resourceName,
            ["region"] = Region,
            ["parameters"] = JsonValues.ToText(parameters),
        };
        if (timeoutSeconds is { } seconds)
            scheduled["timeoutInSeconds"] = seconds;
        Record(fiber, HistoryEventTypes.TaskScheduled, "taskScheduledEventDetails", scheduled);
        Record(fiber, HistoryEventTypes.TaskStarted, "taskStartedEventDetails", TaskDetails(resource));

        var journalEntry = JournalEntries.Find(journal, stepKey);
        if (journalEntry is null)
        {
            var outcome = await tasks.StartAsync(request, cancellationToken);
            JournalEntries.RecordStart(journal, stepKey, outcome);
            journalEntry = JournalEntries.Find(journal, stepKey)!;
        }
        if (JournalEntries.Start(journalEntry) is TaskOutcome.Pending submitted)
        {
            var details = TaskDetails(resource);
            details["output"] = JsonValues.ToText(submitted.Handle);
            details["outputDetails"] = new JsonObject { ["truncated"] = false };
            Record(fiber, HistoryEventTypes.TaskSubmitted, "taskSubmittedEventDetails", details);
        }
        DateTimeOffset? deadline = timeoutSeconds is { } timeout ? fiber.Time.AddSeconds(timeout) : null;
        ContinueTask(fiber, entry, request, journalEntry, deadline);
    }

    private static JsonObject TaskDetails(string resource)
    {
        var (resourceType, resourceName) = SplitResource(resource);
        return new JsonObject { ["resourceType"] = resourceType, ["resource"] = resourceName };
    }

    /// <summary>Schedules what the attempt's current outcome says next: a poll, its end, or its timeout, whichever comes first.</summary>
    private void ContinueTask(Fiber fiber, StateEntry entry, TaskRequest request, JsonObject journalEntry, DateTimeOffset? deadline)
    {
        switch (JournalEntries.Current(journalEntry))
        {
            case TaskOutcome.Pending pending:
                fiber.Pending = new PendingTask(request, pending.Handle, journalEntry);
                if (deadline is { } limit && pending.WakeAt >= limit)
                {
                    fiber.Schedule(limit, Guarded(fiber, entry, () => TimeOutTaskAsync(fiber, entry, request)));
                    return;
                }
                fiber.Schedule(pending.WakeAt, Guarded(fiber, entry, async () =>
                {
                    fiber.Pending = null;
                    var outcome = await tasks.PollAsync(request with { At = fiber.Time }, pending.Handle, cancellationToken);
                    JournalEntries.RecordCurrent(journalEntry, outcome);
                    ContinueTask(fiber, entry, request, journalEntry, deadline);
                }));
                return;
            case TaskOutcome.Succeeded succeeded:
                if (deadline is { } succeededLimit && succeeded.At > succeededLimit)
                {
                    fiber.Schedule(succeededLimit, Guarded(fiber, entry, () => TimeOutTaskAsync(fiber, entry, request)));
                    return;
                }
                fiber.Schedule(succeeded.At, Guarded(fiber, entry, () =>
                {
                    var details = TaskDetails(request.Resource);
                    details["output"] = JsonValues.ToText(succeeded.Output);
                    details["outputDetails"] = new JsonObject { ["truncated"] = false };
                    Record(fiber, HistoryEventTypes.TaskSucceeded, "taskSucceededEventDetails", details);
                    var result = ApplyTemplate(fiber, entry, "ResultSelector", succeeded.Output?.DeepClone());
                    ExitState(fiber, entry, StateOutput(fiber, entry, result));
                }));
                return;
            case TaskOutcome.Failed failed:
                if (deadline is { } failedLimit && failed.At > failedLimit)
                {
                    fiber.Schedule(failedLimit, Guarded(fiber, entry, () => TimeOutTaskAsync(fiber, entry, request)));
                    return;
                }
                fiber.Schedule(failed.At, async () =>
                {
                    var details = TaskDetails(request.Resource);
                    details["error"] = failed.Error;
                    details["cause"] = failed.Cause;
                    Record(fiber, HistoryEventTypes.TaskFailed, "taskFailedEventDetails", details);
                    await HandleErrorAsync(fiber, entry, failed.Error, failed.Cause);
                });
                return;
        }
    }

    private async Task TimeOutTaskAsync(Fiber fiber, StateEntry entry, TaskRequest request)
    {
        await CancelPendingAsync(fiber);
        var details = TaskDetails(request.Resource);
        details["error"] = StatesErrors.Timeout;
        details["cause"] = $"The task ran longer than the state's {(request.At - fiber.Time).Duration().TotalSeconds:0} seconds timeout.";
        Record(fiber, HistoryEventTypes.TaskTimedOut, "taskTimedOutEventDetails", details);
        await HandleErrorAsync(fiber, entry, StatesErrors.Timeout, null);
    }

    /// <summary>Cancels the task the fiber waits on, once: the journal remembers it was cancelled.</summary>
    private async Task CancelPendingAsync(Fiber fiber)
    {
        if (fiber.Pending is not { } pending)
            return;
        fiber.Pending = null;
        if (JournalEntries.IsCancelled(pending.JournalEntry))
            return;
        await tasks.CancelAsync(pending.Request with { At = fiber.Time }, pending.Handle, cancellationToken);
        JournalEntries.MarkCancelled(pending.JournalEntry);
    }
}
