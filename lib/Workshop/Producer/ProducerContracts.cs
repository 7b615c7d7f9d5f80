namespace StreamingWorkshop.Producer;

/// <summary>
/// The producer as a function: one invocation reads the weather and puts it on the stream. Locally the kit's C#
/// producer runs in this process on the virtual clock; on AWS the Lambda function is invoked.
/// </summary>
public interface IProducerFunction
{
    Task<ProducerSummary> InvokeAsync(string functionName, CancellationToken cancellationToken = default);
}

/// <summary>The producer function's log lines, as CloudWatch Logs keeps them under /aws/lambda/&lt;function&gt;.</summary>
public interface IProducerLogs
{
    /// <summary>
    /// The last <paramref name="count"/> events of the function's log group, oldest first; with <paramref name="before"/>,
    /// the last of those logged before that time (FilterLogEvents with an endTime a millisecond earlier).
    /// </summary>
    Task<IReadOnlyList<LogEvent>> TailAsync(string functionName, int count, DateTimeOffset? before = null, CancellationToken cancellationToken = default);
}

/// <summary>
/// The rule that invokes the producer on a schedule (EventBridge). Only the AWS backend has one: locally the producer
/// runs inside a replay or a live run, so the session offers no schedule there.
/// </summary>
public interface IProducerSchedule
{
    /// <summary>The rule as it is now, or null when it was deleted by hand.</summary>
    Task<ScheduleRule?> DescribeAsync(string ruleName, CancellationToken cancellationToken = default);

    Task SetEnabledAsync(string ruleName, bool enabled, CancellationToken cancellationToken = default);
}

public sealed record ScheduleRule(string Name, string? ScheduleExpression, string State, string? Arn);
