using System.Text.Json.Nodes;

namespace StreamingWorkshop.Workflows.Asl;

// Retry and Catch: what a state does with an error it raised.
internal sealed partial class ExecutionRun
{
    private const int DefaultIntervalSeconds = 1;
    private const int DefaultMaxAttempts = 3;
    private const decimal DefaultBackoffRate = 2.0m;

    /// <summary>
    /// The first retrier whose ErrorEquals matches decides: another attempt after its interval while it has attempts
    /// left. Otherwise the first matching catcher goes to its Next with the error output at its ResultPath; otherwise
    /// the branch fails.
    /// </summary>
    private Task HandleErrorAsync(Fiber fiber, StateEntry entry, string? error, string? cause)
    {
        var name = error ?? "";
        if (entry.Json["Retry"] is JsonArray retriers)
        {
            for (var i = 0; i < retriers.Count; i++)
            {
                var retrier = retriers[i]!.AsObject();
                if (!MatchesAny(retrier, name))
                    continue;
                var attempts = entry.RetrierAttempts.GetValueOrDefault(i);
                var maxAttempts = JsonValues.TryGetInteger(retrier["MaxAttempts"], out var max) ? max : DefaultMaxAttempts;
                if (attempts < maxAttempts)
                {
                    var delay = RetryDelay(fiber, entry, retrier, attempts);
                    entry.RetrierAttempts[i] = attempts + 1;
                    entry.RetryCount++;
                    fiber.Schedule(fiber.Time + delay, () => RunBodyAsync(fiber, entry));
                    return Task.CompletedTask;
                }
                break;
            }
        }
        if (entry.Json["Catch"] is JsonArray catchers)
        {
            foreach (var catcher in catchers.Select(c => c!.AsObject()))
            {
                if (!MatchesAny(catcher, name))
                    continue;
                var errorOutput = new JsonObject { ["Error"] = error };
                if (cause is not null)
                    errorOutput["Cause"] = cause;
                JsonNode? output;
                try
                {
                    output = catcher.TryGetPropertyValue("ResultPath", out var resultPath)
                        ? resultPath is null ? entry.RawInput?.DeepClone() : DataFlow.Place(resultPath.GetValue<string>(), entry.RawInput, errorOutput)
                        : errorOutput;
                }
                catch (StateFailure failure)
                {
                    FailFiber(fiber, failure.Error, failure.Cause);
                    return Task.CompletedTask;
                }
                GoTo(fiber, catcher["Next"]!.GetValue<string>(), output);
                return Task.CompletedTask;
            }
        }
        FailFiber(fiber, error, cause);
        return Task.CompletedTask;
    }

    private static bool MatchesAny(JsonObject retrierOrCatcher, string error) =>
        retrierOrCatcher["ErrorEquals"]!.AsArray().Any(e => StatesErrors.Matches(e!.GetValue<string>(), error));

    /// <summary>
    /// IntervalSeconds × BackoffRate^(retries so far), at most MaxDelaySeconds; FULL jitter takes a random part of it,
    /// drawn the same way on every replay.
    /// </summary>
    private TimeSpan RetryDelay(Fiber fiber, StateEntry entry, JsonObject retrier, int attempts)
    {
        var interval = JsonValues.TryGetInteger(retrier["IntervalSeconds"], out var i) ? i : DefaultIntervalSeconds;
        var backoff = JsonValues.TryGetNumber(retrier["BackoffRate"], out var b) ? (double)b : (double)DefaultBackoffRate;
        var seconds = interval * Math.Pow(backoff, attempts);
        if (JsonValues.TryGetInteger(retrier["MaxDelaySeconds"], out var maxDelay))
            seconds = Math.Min(seconds, maxDelay);
        if (JsonValues.TryGetString(retrier["JitterStrategy"], out var jitter) && jitter == "FULL")
            seconds *= RandomFor(fiber, entry)().NextDouble();
        return TimeSpan.FromMilliseconds(Math.Round(seconds * 1000));
    }
}
