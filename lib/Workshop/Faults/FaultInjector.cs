using System.Security.Cryptography;
using System.Text;
using StreamingWorkshop.Display;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Faults;

/// <summary>
/// Applies the workspace's <see cref="FaultPlan"/> inside the local pipeline: the producer asks it before each
/// invocation and after each put, the delivery stream after each object, and a replay before each read. Faults with
/// a count are used up one by one and the plan is saved as they are, so a second replay does not repeat them.
/// </summary>
public sealed class FaultInjector(WorkspaceDirectory workspace, Action<string> exhaustWriteAllowance) : IHtmlDisplay
{
    /// <summary>In a notebook, what this is and the faults switched on, rather than an object tree.</summary>
    public string ToHtml() => OwnCalls.ToHtml() + new FaultPlanView(Plan).ToHtml();

    public override string ToString() => OwnCalls + "\n" + new FaultPlanView(Plan);

    private static readonly CallsView OwnCalls = new("workshop.Local.Faults: the faults the local producer, stream and delivery apply (local backend only)", [
        ("Plan", "the faults switched on for the next replay, kept in state/faults.json"),
    ], "workshop.Faults switches them on and off.", secondHeader: "What it is");

    private readonly Lock gate = new();
    private (DateTimeOffset From, DateTimeOffset To)? throttle, failedInvocation, stoppedConsumer;

    public FaultPlan Plan { get; private set; } = FaultPlan.Load(workspace);

    /// <summary>Reads the plan again and places its time windows from <paramref name="runStart"/> on (a replay's start).</summary>
    public void Arm(DateTimeOffset runStart)
    {
        lock (gate)
        {
            Plan = FaultPlan.Load(workspace);
            throttle = Plan.Throttle?.PlaceFrom(runStart);
            failedInvocation = Plan.FailedInvocation?.Window.PlaceFrom(runStart);
            stoppedConsumer = Plan.StopConsumer?.PlaceFrom(runStart);
        }
    }

    /// <summary>Saves a new plan and arms it from <paramref name="now"/>.</summary>
    public void Replace(FaultPlan plan, DateTimeOffset now)
    {
        plan.Save(workspace);
        Arm(now);
    }

    /// <summary>When the producer's invocation at <paramref name="time"/> is to fail, how; null when it runs normally.</summary>
    public InvocationFault? InvocationFailure(DateTimeOffset time) =>
        failedInvocation is { } window && time >= window.From && time < window.To ? Plan.FailedInvocation : null;

    /// <summary>Spends the stream's write allowance for this second when the throttle window covers <paramref name="time"/>.</summary>
    public void BeforePuts(string streamName, DateTimeOffset time)
    {
        if (throttle is { } window && time >= window.From && time < window.To) exhaustWriteAllowance(streamName);
    }

    /// <summary>True when the put of this reading is to be sent twice; a counted fault is used up by one.</summary>
    public bool TakeDuplicatePut(string city, DateTimeOffset collectionTime)
    {
        lock (gate)
        {
            switch (Plan.DuplicatePut)
            {
                case { Count: { } count }:
                    Plan = Plan with { DuplicatePut = count > 1 ? new DuplicatePutFault(count - 1, null) : null };
                    Plan.Save(workspace);
                    return true;
                case { Rate: { } rate }:
                    return Draw(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{city}|{collectionTime.UtcTicks}")) < rate;
                default:
                    return false;
            }
        }
    }

    /// <summary>True when the object just written is to be written again; used up by one.</summary>
    public bool TakeRedelivery()
    {
        lock (gate)
        {
            if (Plan.Redelivery is not { } redelivery) return false;
            Plan = Plan with { Redelivery = redelivery.Count > 1 ? new RedeliveryFault(redelivery.Count - 1) : null };
            Plan.Save(workspace);
            return true;
        }
    }

    /// <summary>When the consumer is stopped at <paramref name="time"/>, the time it reads again; null when it is reading.</summary>
    public DateTimeOffset? ConsumerStoppedUntil(DateTimeOffset time) =>
        stoppedConsumer is { } window && time >= window.From && time < window.To ? window.To : null;

    /// <summary>A number in [0, 1) fixed by the text, so the same readings are duplicated on every replay.</summary>
    private static double Draw(string text) =>
        BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0) / (ulong.MaxValue + 1.0);
}
