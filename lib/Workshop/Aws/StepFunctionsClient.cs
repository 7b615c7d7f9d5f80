using System.Text.Json.Nodes;
using StreamingWorkshop.Display;
using StreamingWorkshop.Workflows;

namespace StreamingWorkshop.Aws;

/// <summary>
/// Step Functions' calls on state machines and their executions (ListStateMachines, DescribeStateMachine,
/// StartExecution, DescribeExecution, ListExecutions, StopExecution, GetExecutionHistory), over JSON 1.0.
/// </summary>
public sealed class StepFunctionsClient(AwsJsonClient states) : IWorkflowService, IHtmlDisplay, IDisposable
{
    /// <summary>In a notebook, the workflows stage's calls rather than an object tree.</summary>
    public string ToHtml() => StageCalls.Workflows.ToHtml();

    public override string ToString() => StageCalls.Workflows.ToString();

    /// <summary>The most items one page of a list call holds (PageSize's maximum).</summary>
    public const int MaxPageSize = 1000;

    public async Task<IReadOnlyList<StateMachineSummary>> ListStateMachinesAsync(CancellationToken cancellationToken = default)
    {
        var machines = new List<StateMachineSummary>();
        string? next = null;
        do
        {
            var request = new JsonObject { ["maxResults"] = MaxPageSize };
            if (next is not null) request["nextToken"] = next;
            var page = await states.CallAsync("ListStateMachines", request, cancellationToken);
            machines.AddRange(page["stateMachines"]?.AsArray().Select(m => new StateMachineSummary(
                (string)m!["name"]!, (string)m["stateMachineArn"]!, (string?)m["type"] ?? "STANDARD", AwsJson.Timestamp(m["creationDate"]))) ?? []);
            next = (string?)page["nextToken"];
        } while (next is not null);
        return machines;
    }

    public async Task<StateMachineDescription> DescribeStateMachineAsync(string stateMachineArn, CancellationToken cancellationToken = default)
    {
        var m = await states.CallAsync("DescribeStateMachine", new JsonObject { ["stateMachineArn"] = stateMachineArn }, cancellationToken);
        return new StateMachineDescription((string)m["name"]!, (string)m["stateMachineArn"]!, (string?)m["definition"] ?? "{}", (string?)m["roleArn"] ?? "",
            (string?)m["type"] ?? "STANDARD", AwsJson.Timestamp(m["creationDate"]), (string?)m["status"] ?? "ACTIVE");
    }

    public async Task<ExecutionStart> StartExecutionAsync(string stateMachineArn, string? name = null, string? input = null, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject { ["stateMachineArn"] = stateMachineArn };
        if (name is not null) request["name"] = name;
        if (input is not null) request["input"] = input;
        var started = await states.CallAsync("StartExecution", request, cancellationToken);
        return new ExecutionStart((string)started["executionArn"]!, AwsJson.Timestamp(started["startDate"]));
    }

    public async Task<ExecutionDescription> DescribeExecutionAsync(string executionArn, CancellationToken cancellationToken = default) =>
        ReadExecution(await states.CallAsync("DescribeExecution", new JsonObject { ["executionArn"] = executionArn }, cancellationToken));

    /// <summary>The executions, newest first, page by page until <paramref name="maxResults"/> are read or there are no more.</summary>
    public async Task<IReadOnlyList<ExecutionDescription>> ListExecutionsAsync(string stateMachineArn, string? statusFilter = null, int maxResults = 100,
        CancellationToken cancellationToken = default)
    {
        if (maxResults < 1) throw new ArgumentOutOfRangeException(nameof(maxResults), maxResults, "Ask for at least one execution.");
        var executions = new List<ExecutionDescription>();
        string? next = null;
        do
        {
            var request = new JsonObject { ["stateMachineArn"] = stateMachineArn, ["maxResults"] = Math.Min(MaxPageSize, maxResults - executions.Count) };
            if (statusFilter is not null) request["statusFilter"] = statusFilter;
            if (next is not null) request["nextToken"] = next;
            var page = await states.CallAsync("ListExecutions", request, cancellationToken);
            executions.AddRange(page["executions"]?.AsArray().Select(e => ReadExecution(e!)) ?? []);
            next = (string?)page["nextToken"];
        } while (next is not null && executions.Count < maxResults);
        return executions.Take(maxResults).ToArray();
    }

    public async Task<DateTimeOffset> StopExecutionAsync(string executionArn, string? error = null, string? cause = null, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject { ["executionArn"] = executionArn };
        if (error is not null) request["error"] = error;
        if (cause is not null) request["cause"] = cause;
        return AwsJson.Timestamp((await states.CallAsync("StopExecution", request, cancellationToken))["stopDate"]);
    }

    public async Task<IReadOnlyList<HistoryEvent>> GetExecutionHistoryAsync(string executionArn, bool reverseOrder = false, CancellationToken cancellationToken = default)
    {
        var events = new List<HistoryEvent>();
        string? next = null;
        do
        {
            var request = new JsonObject
            {
                ["executionArn"] = executionArn, ["maxResults"] = MaxPageSize, ["reverseOrder"] = reverseOrder, ["includeExecutionData"] = true,
            };
            if (next is not null) request["nextToken"] = next;
            var page = await states.CallAsync("GetExecutionHistory", request, cancellationToken);
            events.AddRange(page["events"]?.AsArray().Select(e => ReadEvent(e!.AsObject())) ?? []);
            next = (string?)page["nextToken"];
        } while (next is not null);
        return events;
    }

    public void Dispose() => states.Dispose();

    private static ExecutionDescription ReadExecution(JsonNode e)
    {
        var arn = (string)e["executionArn"]!;
        return new ExecutionDescription(
            arn,
            (string?)e["stateMachineArn"] ?? "",
            // The name is the ARN's last part when an answer leaves it out.
            (string?)e["name"] ?? arn[(arn.LastIndexOf(':') + 1)..],
            (string?)e["status"] ?? "",
            AwsJson.Timestamp(e["startDate"]),
            e["stopDate"] is { } stopped ? AwsJson.Timestamp(stopped) : null,
            (string?)e["input"],
            (string?)e["output"],
            (string?)e["error"],
            (string?)e["cause"]);
    }

    /// <summary>An event with its one details member (stateEnteredEventDetails, taskFailedEventDetails, ...) kept under the service's names.</summary>
    private static HistoryEvent ReadEvent(JsonObject e)
    {
        var details = e.FirstOrDefault(member => member.Key.EndsWith("EventDetails", StringComparison.Ordinal) && member.Value is JsonObject);
        return new HistoryEvent(
            (long?)e["id"] ?? 0,
            (long?)e["previousEventId"] ?? 0,
            AwsJson.Timestamp(e["timestamp"]),
            (string?)e["type"] ?? "",
            details.Key,
            details.Value?.DeepClone().AsObject());
    }
}
