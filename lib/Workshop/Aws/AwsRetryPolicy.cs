using System.Net;

namespace StreamingWorkshop.Aws;

/// <summary>
/// When and how long to wait before trying again: exponential backoff with full jitter (a random wait between
/// zero and base × 2^attempt, capped), as the AWS SDKs' standard retry mode does.
/// </summary>
public sealed class AwsRetryPolicy(int maxAttempts, TimeSpan baseDelay, TimeSpan maxDelay, Func<TimeSpan, CancellationToken, Task>? wait = null)
{
    public static AwsRetryPolicy Standard { get; } = new(4, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));

    public int MaxAttempts { get; } = maxAttempts;

    /// <summary>Error codes services use for "slow down": worth waiting and trying again.</summary>
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    };

    public static bool IsRetryable(HttpStatusCode status, string errorCode) =>
        (int)status >= 500 || status == HttpStatusCode.TooManyRequests || ThrottlingCodes.Contains(errorCode);

    /// <summary>The wait before attempt <paramref name="attempt"/> + 1.</summary>
    public TimeSpan DelayBefore(int attempt)
    {
        var ceiling = Math.Min(maxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

    public Task DelayAsync(int attempt, CancellationToken cancellationToken) =>
        (wait ?? Task.Delay)(DelayBefore(attempt), cancellationToken);
}
