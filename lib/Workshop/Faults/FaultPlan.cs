using System.Globalization;
using System.Text.Json;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Faults;

/// <summary>
/// The faults a learner has switched on, kept in the workspace (state/faults.json) so that <c>workshop simulate</c>,
/// <c>workshop chaos</c> and every notebook see the same plan. Each fault is null when off.
/// </summary>
public sealed record FaultPlan
{
    public static readonly FaultPlan None = new();

    /// <summary>The producer's put is answered but the answer is lost, so it puts the same reading again.</summary>
    public DuplicatePutFault? DuplicatePut { get; init; }

    /// <summary>The delivery stream writes a batch it already delivered a second time, as a second object.</summary>
    public RedeliveryFault? Redelivery { get; init; }

    /// <summary>In this window, another writer's burst has spent each shard's write allowance before the producer puts.</summary>
    public FaultWindow? Throttle { get; init; }

    /// <summary>The producer's invocations in this window fail (or time out) before putting anything.</summary>
    public InvocationFault? FailedInvocation { get; init; }

    /// <summary>The delivery stream reads nothing in this window, then catches up from its checkpoint.</summary>
    public FaultWindow? StopConsumer { get; init; }

    public bool IsEmpty => this == None;

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private static string PathIn(WorkspaceDirectory workspace) => workspace.Resolve("state", "faults.json");

    public static FaultPlan Load(WorkspaceDirectory workspace)
    {
        var path = PathIn(workspace);
        return File.Exists(path) ? WorkspaceJson.Read<FaultPlan>(path, JsonOptions) ?? None : None;
    }

    public void Save(WorkspaceDirectory workspace)
    {
        var path = PathIn(workspace);
        if (IsEmpty)
        {
            if (File.Exists(path)) File.Delete(path);
            return;
        }
        workspace.WriteAtomically(path, JsonSerializer.SerializeToUtf8Bytes(this, JsonOptions));
    }

    /// <summary>Each fault that is on, with what it does, in the order the CLI lists them.</summary>
    public IReadOnlyList<(string Fault, string Effect)> Describe()
    {
        var rows = new List<(string, string)>();
        if (DuplicatePut is { } duplicate) rows.Add(("duplicate-put", duplicate.ToString()));
        if (Redelivery is { } redelivery) rows.Add(("redelivery", redelivery.ToString()));
        if (Throttle is { } throttle) rows.Add(("throttle", $"{throttle}: another writer's burst spends each shard's 1,000 records/s before the producer's puts, which fail with ProvisionedThroughputExceededException"));
        if (FailedInvocation is { } failed) rows.Add((failed.TimedOut ? "timeout" : "failed-invocation", failed.ToString()));
        if (StopConsumer is { } stop) rows.Add(("stop-consumer", $"{stop}: the delivery stream reads nothing, then catches up from its checkpoint"));
        return rows;
    }
}

/// <summary>
/// A put answered but whose answer was lost: the producer puts the same reading again and gets a new sequence number.
/// Either the next <see cref="Count"/> puts, or each put with probability <see cref="Rate"/> (decided from the reading
/// itself, so a replay repeats the same ones).
/// </summary>
public sealed record DuplicatePutFault(int? Count, double? Rate)
{
    public override string ToString() => Count is { } count
        ? $"the next {count:N0} put(s) are sent twice (same data, new sequence number)"
        : string.Create(CultureInfo.InvariantCulture, $"each put is sent twice with probability {Rate:0.###} (same data, new sequence number)");
}

/// <summary>The next <see cref="Count"/> objects the delivery stream writes are written again as a second object.</summary>
public sealed record RedeliveryFault(int Count)
{
    public override string ToString() => $"the next {Count:N0} object(s) delivered are delivered again as a second object (a retry after a timeout)";
}

/// <summary>
/// A stretch of time of day (UTC), <see cref="Length"/> long from <see cref="From"/>. A replay places it at the first
/// such stretch that has not ended by the replay's start, so "10:00 for 1h" on a replay of the 14th is 10:00-11:00 on the 14th.
/// </summary>
public sealed record FaultWindow(TimeOnly From, TimeSpan Length)
{
    public (DateTimeOffset From, DateTimeOffset To) PlaceFrom(DateTimeOffset runStart)
    {
        var from = new DateTimeOffset(runStart.UtcDateTime.Date, TimeSpan.Zero) + From.ToTimeSpan();
        if (from + Length <= runStart) from = from.AddDays(1);
        return (from, from + Length);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"from {From:HH:mm} UTC for {Describe(Length)}");

    public static string Describe(TimeSpan span) =>
        span.TotalMinutes < 60 || span.Minutes != 0
            ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0} min")
            : string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0} h");
}

/// <summary>
/// The producer's invocations in <see cref="Window"/> fail: with an error, or (<see cref="TimedOut"/>) by running past
/// the function's timeout. Lambda counts each in Errors; the minute's readings never reach the stream.
/// </summary>
public sealed record InvocationFault(FaultWindow Window, bool TimedOut)
{
    /// <summary>The workshop stack's producer function has Timeout: 30.</summary>
    public const double FunctionTimeoutSeconds = 30;

    public override string ToString() =>
        $"the producer's invocations {Window} {(TimedOut ? $"time out after {FunctionTimeoutSeconds:0} s" : "fail with an error")}: no readings for those minutes";
}
