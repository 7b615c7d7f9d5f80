using System.Globalization;
using System.Text.Json.Nodes;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Workflows;

namespace StreamingWorkshop.Serve;

/// <summary>
/// Step Functions on JSON 1.0 (X-Amz-Target AWSStepFunctions.*), over the workspace's local state machines: the calls
/// that list, describe, start, stop and follow executions, with the service's page sizes (maxResults 0 to 1000, 0
/// meaning 100) and nextToken, and times in epoch seconds.
/// </summary>
internal sealed class StepFunctionsHandler(IWorkflowService workflows)
{
    public const string TargetPrefix = "AWSStepFunctions";
    public const string ContentType = "application/x-amz-json-1.0";
    private const string Service = "states";

    /// <summary>The largest page a list call gives, and the size of a page when maxResults is 0 or left out.</summary>
    private const int MaxPageSize = 1000, DefaultPageSize = 100;

    /// <summary>The operations this endpoint answers.</summary>
    public static readonly IReadOnlyList<string> Operations =
        ["DescribeExecution", "DescribeStateMachine", "GetExecutionHistory", "ListExecutions", "ListStateMachines", "StartExecution", "StopExecution"];

    public async Task<JsonObject> HandleAsync(string operation, JsonObject input, CancellationToken cancellationToken)
    {
        switch (operation)
        {
            case "ListStateMachines":
            {
                var machines = await workflows.ListStateMachinesAsync(cancellationToken);
                var (page, next) = Page(input, machines);
                return WithToken(new JsonObject
                {
                    ["stateMachines"] = new JsonArray(page.Select(m => (JsonNode)new JsonObject
                    {
                        ["stateMachineArn"] = m.StateMachineArn, ["name"] = m.Name, ["type"] = m.Type, ["creationDate"] = Seconds(m.CreationDate),
                    }).ToArray()),
                }, next);
            }
            case "DescribeStateMachine":
            {
                var m = await workflows.DescribeStateMachineAsync(Required(input, "stateMachineArn"), cancellationToken);
                return new JsonObject
                {
                    ["stateMachineArn"] = m.StateMachineArn, ["name"] = m.Name, ["status"] = m.Status, ["definition"] = m.Definition,
                    ["roleArn"] = m.RoleArn, ["type"] = m.Type, ["creationDate"] = Seconds(m.CreationDate),
                    ["loggingConfiguration"] = new JsonObject { ["level"] = "OFF", ["includeExecutionData"] = false },
                    ["tracingConfiguration"] = new JsonObject { ["enabled"] = false },
                };
            }
            case "StartExecution":
            {
                var started = await workflows.StartExecutionAsync(Required(input, "stateMachineArn"), Optional(input, "name"), Optional(input, "input"), cancellationToken);
                return new JsonObject { ["executionArn"] = started.ExecutionArn, ["startDate"] = Seconds(started.StartDate) };
            }
            case "DescribeExecution":
                return Execution(await workflows.DescribeExecutionAsync(Required(input, "executionArn"), cancellationToken), described: true);
            case "ListExecutions":
            {
                if (Optional(input, "mapRunArn") is not null)
                    throw new ValidationException(Service, "The local endpoint runs no Distributed Map, so it has no Map Runs; give stateMachineArn.");
                var statusFilter = Optional(input, "statusFilter");
                if (statusFilter is not null && !ExecutionStatuses.HasEnded(statusFilter) && statusFilter != ExecutionStatuses.Running)
                    throw new ValidationException(Service, $"1 validation error detected: Value '{statusFilter}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED]");
                // The local service keeps its newest 1,000 executions within reach, as many as one page holds.
                var executions = await workflows.ListExecutionsAsync(Required(input, "stateMachineArn"), statusFilter, MaxPageSize, cancellationToken);
                var (page, next) = Page(input, executions);
                return WithToken(new JsonObject { ["executions"] = new JsonArray(page.Select(e => (JsonNode)Execution(e, described: false)).ToArray()) }, next);
            }
            case "StopExecution":
            {
                var stopped = await workflows.StopExecutionAsync(Required(input, "executionArn"), Optional(input, "error"), Optional(input, "cause"), cancellationToken);
                return new JsonObject { ["stopDate"] = Seconds(stopped) };
            }
            case "GetExecutionHistory":
            {
                var reverse = Flag(input, "reverseOrder") ?? false;
                var withData = Flag(input, "includeExecutionData") ?? true;
                var events = await workflows.GetExecutionHistoryAsync(Required(input, "executionArn"), reverse, cancellationToken);
                var (page, next) = Page(input, events);
                return WithToken(new JsonObject { ["events"] = new JsonArray(page.Select(e => (JsonNode)Event(e, withData)).ToArray()) }, next);
            }
            default:
                throw new ServiceException(Service, "UnknownOperationException",
                    $"Step Functions {operation} is not served by the local endpoint; it serves {string.Join(", ", Operations)}.");
        }
    }

    /// <summary>One page of <paramref name="items"/> as maxResults and nextToken ask (the token is where the next page starts), and the next page's token.</summary>
    private static (IEnumerable<T> Page, string? Next) Page<T>(JsonObject input, IReadOnlyList<T> items)
    {
        var size = input["maxResults"] switch
        {
            null => DefaultPageSize,
            JsonValue value when value.TryGetValue<int>(out var number) => number,
            _ => throw new ValidationException(Service, "The parameter 'maxResults' must be a whole number."),
        };
        if (size is < 0 or > MaxPageSize)
            throw new ValidationException(Service, $"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy constraint: Member must have value {(size < 0 ? "greater than or equal to 0" : $"less than or equal to {MaxPageSize}")}");
        if (size == 0) size = DefaultPageSize;
        var start = 0;
        if (Optional(input, "nextToken") is { } token && (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out start) || start > items.Count))
            throw new ServiceException(Service, "InvalidToken", $"Invalid Token: '{token}' is not a token this endpoint gave; call again without nextToken to start from the first page.");
        return (items.Skip(start).Take(size), start + size < items.Count ? (start + size).ToString(CultureInfo.InvariantCulture) : null);
    }

    private static JsonObject WithToken(JsonObject answer, string? next)
    {
        if (next is not null) answer["nextToken"] = next;
        return answer;
    }

    /// <summary>DescribeExecution's answer, or (not <paramref name="described"/>) an item of ListExecutions, which has no input, output, error or cause.</summary>
    private static JsonObject Execution(ExecutionDescription e, bool described)
    {
        var json = new JsonObject
        {
            ["executionArn"] = e.ExecutionArn, ["stateMachineArn"] = e.StateMachineArn, ["name"] = e.Name, ["status"] = e.Status, ["startDate"] = Seconds(e.StartDate),
        };
        if (e.StopDate is { } stop) json["stopDate"] = Seconds(stop);
        if (!described) return json;
        if (e.Input is not null)
        {
            json["input"] = e.Input;
            json["inputDetails"] = new JsonObject { ["included"] = true };
        }
        if (e.Output is not null)
        {
            json["output"] = e.Output;
            json["outputDetails"] = new JsonObject { ["included"] = true };
        }
        if (e.Error is not null) json["error"] = e.Error;
        if (e.Cause is not null) json["cause"] = e.Cause;
        return json;
    }

    /// <summary>An event with its details member; without execution data, the details leave out the input and output.</summary>
    private static JsonObject Event(HistoryEvent e, bool withData)
    {
        var json = new JsonObject { ["timestamp"] = Seconds(e.Timestamp), ["type"] = e.Type, ["id"] = e.Id, ["previousEventId"] = e.PreviousEventId };
        if (e.DetailsMember is { } member && e.Details is { } details)
        {
            var copy = details.DeepClone().AsObject();
            if (!withData)
                foreach (var data in new[] { "input", "inputDetails", "output", "outputDetails" }) copy.Remove(data);
            json[member] = copy;
        }
        return json;
    }

    private static double Seconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;

    private static string Required(JsonObject input, string name) => Optional(input, name)
        ?? throw new ValidationException(Service, $"1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null");

    private static string? Optional(JsonObject input, string name) => input[name] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => throw new ValidationException(Service, $"The parameter '{name}' must be a string."),
    };

    private static bool? Flag(JsonObject input, string name) => input[name] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<bool>(out var flag) => flag,
        _ => throw new ValidationException(Service, $"The parameter '{name}' must be true or false."),
    };
}
