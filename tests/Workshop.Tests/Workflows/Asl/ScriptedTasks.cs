using System.Text.Json.Nodes;
using StreamingWorkshop.Workflows.Asl;

namespace StreamingWorkshop.Tests.Workflows.Asl;

/// <summary>
/// Task integrations whose answers a test scripts per resource: each start and each poll takes the next answer
/// from the resource's list (the last one repeats). Every call is kept so a test can count them.
/// </summary>
internal sealed class ScriptedTasks : ITaskIntegrations
{
    private readonly Dictionary<string, Queue<Func<TaskRequest, TaskOutcome>>> scripts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<TaskRequest, TaskOutcome>> lastAnswers = new(StringComparer.Ordinal);

    public List<TaskRequest> Starts { get; } = [];
    public List<(TaskRequest Request, JsonNode? Handle)> Polls { get; } = [];
    public List<(TaskRequest Request, JsonNode? Handle)> Cancels { get; } = [];

    public IReadOnlyList<string> Supported { get; init; } = ["arn:aws:states:::glue:startJobRun.sync", "arn:aws:states:::lambda:invoke"];

    public bool Supports(string resource) => Supported.Contains(resource) || scripts.ContainsKey(resource);

    /// <summary>Adds answers for <paramref name="resource"/>: each given the request (At is the call's time).</summary>
    public ScriptedTasks On(string resource, params Func<TaskRequest, TaskOutcome>[] answers)
    {
        if (!scripts.TryGetValue(resource, out var queue))
            scripts[resource] = queue = new Queue<Func<TaskRequest, TaskOutcome>>();
        foreach (var answer in answers)
            queue.Enqueue(answer);
        return this;
    }

    /// <summary>Answers every call with the task's parameters as its output, at once.</summary>
    public ScriptedTasks Echo(string resource) => On(resource, r => new TaskOutcome.Succeeded(r.Parameters?.DeepClone(), r.At));

    private TaskOutcome Answer(TaskRequest request)
    {
        if (!scripts.TryGetValue(request.Resource, out var queue))
            throw new InvalidOperationException($"No answer scripted for {request.Resource}");
        if (queue.TryDequeue(out var answer))
            lastAnswers[request.Resource] = answer;
        return lastAnswers[request.Resource](request);
    }

    public Task<TaskOutcome> StartAsync(TaskRequest request, CancellationToken cancellationToken = default)
    {
        Starts.Add(request);
        return Task.FromResult(Answer(request));
    }

    public Task<TaskOutcome> PollAsync(TaskRequest request, JsonNode? handle, CancellationToken cancellationToken = default)
    {
        Polls.Add((request, handle));
        return Task.FromResult(Answer(request));
    }

    public Task CancelAsync(TaskRequest request, JsonNode? handle, CancellationToken cancellationToken = default)
    {
        Cancels.Add((request, handle));
        return Task.CompletedTask;
    }
}

internal static class AslRun
{
    public static readonly DateTimeOffset Start = new(2024, 5, 1, 6, 0, 0, TimeSpan.Zero);

    public static ExecutionIdentity Identity(string input = "{}", DateTimeOffset? start = null) => new(
        "arn:aws:states:eu-west-1:123456789012:execution:weather-analytics-daily-pipeline-dev:run-1",
        "run-1",
        "arn:aws:states:eu-west-1:123456789012:stateMachine:weather-analytics-daily-pipeline-dev",
        "weather-analytics-daily-pipeline-dev",
        "arn:aws:iam::123456789012:role/workflow-role",
        start ?? Start,
        input);

    /// <summary>Runs <paramref name="definition"/> on <paramref name="input"/> up to <paramref name="now"/> (a day after the start by default).</summary>
    public static Task<ExecutionProgress> RunAsync(string definition, string input = "{}", ScriptedTasks? tasks = null,
        DateTimeOffset? now = null, ExecutionJournal? journal = null)
    {
        tasks ??= new ScriptedTasks();
        var parsed = StateMachineDefinition.Parse(definition, tasks);
        return AslInterpreter.AdvanceAsync(parsed, Identity(input), now ?? Start.AddDays(1), journal ?? new ExecutionJournal(), tasks);
    }

    public static JsonNode? Output(ExecutionProgress progress) => progress.Output is null ? null : JsonNode.Parse(progress.Output);

    public static List<string> Types(ExecutionProgress progress) => progress.Events.Select(e => e.Type).ToList();

    public static string InvalidMessage(string definition, ITaskIntegrations? tasks = null)
    {
        var error = Assert.Throws<StreamingWorkshop.Workflows.InvalidDefinitionException>(() => StateMachineDefinition.Parse(definition, tasks));
        return error.Message;
    }
}
