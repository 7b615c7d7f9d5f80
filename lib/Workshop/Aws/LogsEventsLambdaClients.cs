using System.Text;
using System.Text.Json.Nodes;
using StreamingWorkshop.Producer;

namespace StreamingWorkshop.Aws;

/// <summary>CloudWatch Logs: the producer function's log lines.</summary>
public sealed class LogsClient(AwsJsonClient logs) : IDisposable
{
    /// <summary>
    /// The last <paramref name="count"/> events of a log group across its streams, oldest first, of those from
    /// <paramref name="lookBack"/> ago through <paramref name="notAfter"/> (FilterLogEvents' endTime, included) if given.
    /// </summary>
    public async Task<IReadOnlyList<LogEvent>> TailAsync(string logGroup, int count, TimeSpan lookBack, DateTimeOffset? notAfter = null, CancellationToken cancellationToken = default)
    {
        var events = new List<LogEvent>();
        string? next = null;
        var start = (notAfter ?? DateTimeOffset.UtcNow) - lookBack;
        do
        {
            var request = new JsonObject { ["logGroupName"] = logGroup, ["startTime"] = start.ToUnixTimeMilliseconds(), ["limit"] = 10_000 };
            if (notAfter is { } end) request["endTime"] = end.ToUnixTimeMilliseconds();
            if (next is not null) request["nextToken"] = next;
            var page = await logs.CallAsync("FilterLogEvents", request, cancellationToken);
            events.AddRange(page["events"]?.AsArray().Select(e => new LogEvent(
                DateTimeOffset.FromUnixTimeMilliseconds((long?)e!["timestamp"] ?? 0), ((string?)e["message"] ?? "").TrimEnd('\n'))) ?? []);
            next = (string?)page["nextToken"];
        } while (next is not null);
        return events.OrderBy(e => e.Timestamp).TakeLast(count).ToArray();
    }

    public void Dispose() => logs.Dispose();
}

/// <summary>EventBridge: the producer's schedule rule.</summary>
public sealed class EventBridgeClient(AwsJsonClient events) : IDisposable
{
    public async Task<ScheduleRule> DescribeRuleAsync(string name, CancellationToken cancellationToken = default)
    {
        var rule = await events.CallAsync("DescribeRule", new JsonObject { ["Name"] = name }, cancellationToken);
        return new ScheduleRule((string)rule["Name"]!, (string?)rule["ScheduleExpression"], (string?)rule["State"] ?? "ENABLED", (string?)rule["Arn"]);
    }

    /// <summary>Pauses or resumes the producer's schedule.</summary>
    public async Task SetRuleEnabledAsync(string name, bool enabled, CancellationToken cancellationToken = default) =>
        await events.CallAsync(enabled ? "EnableRule" : "DisableRule", new JsonObject { ["Name"] = name }, cancellationToken);

    public void Dispose() => events.Dispose();
}

/// <summary>AWS Lambda: invokes the producer function once, as its schedule would.</summary>
public sealed class LambdaClient(AwsRestJsonClient lambda) : IDisposable
{
    public async Task<LambdaInvocation> InvokeAsync(string functionName, string payloadJson = "{}", CancellationToken cancellationToken = default)
    {
        var reply = await lambda.CallAsync("Invoke", HttpMethod.Post, $"2015-03-31/functions/{Uri.EscapeDataString(functionName)}/invocations",
            Encoding.UTF8.GetBytes(payloadJson), new Dictionary<string, string> { ["X-Amz-Invocation-Type"] = "RequestResponse", ["X-Amz-Log-Type"] = "Tail" }, cancellationToken);
        var log = reply.Header("X-Amz-Log-Result") is { Length: > 0 } encoded ? lambda.Redact(Encoding.UTF8.GetString(Convert.FromBase64String(encoded))) : "";
        return new LambdaInvocation((int)reply.Status, reply.Header("X-Amz-Function-Error"), reply.Text, log, reply.Header("x-amzn-RequestId"));
    }

    public void Dispose() => lambda.Dispose();
}

/// <summary>One invocation's outcome: FunctionError is set (Unhandled or Handled) when the function failed; LogTail is its last 4 KB of log.</summary>
public sealed record LambdaInvocation(int StatusCode, string? FunctionError, string Payload, string LogTail, string? RequestId);
