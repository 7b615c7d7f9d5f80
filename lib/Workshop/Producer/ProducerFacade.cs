using StreamingWorkshop.Display;

namespace StreamingWorkshop.Producer;

/// <summary><c>workshop.Producer</c>: the producer function: invoke it once, read its logs, and (where it has one) pause its schedule.</summary>
public sealed class ProducerFacade : IHtmlDisplay
{
    private readonly WorkshopSession session;

    internal ProducerFacade(WorkshopSession session) => this.session = session;

    /// <summary>Runs the producer once now, as one scheduled invocation of the Lambda would.</summary>
    public async Task<ProducerSummary> InvokeAsync(CancellationToken cancellationToken = default)
    {
        await session.EnsurePipelineAsync(cancellationToken);
        return await session.Stages.ProducerFunction.InvokeAsync(session.Names.ProducerFunction, cancellationToken);
    }

    /// <summary>The last lines the producer function logged, oldest first.</summary>
    public async Task<LogEventsView> LogsAsync(int lastEvents = 30, CancellationToken cancellationToken = default) =>
        new(await session.Stages.ProducerLogs.TailAsync(session.Names.ProducerFunction, lastEvents, cancellationToken: cancellationToken));

    /// <summary>
    /// The last lines the producer function logged before <paramref name="before"/>, oldest first: with an invocation's
    /// time, the lines of the runs before it (on the local backend the schedule's, since an invocation by hand runs at the
    /// instant the clock stands at, and so does every earlier one made there).
    /// </summary>
    public async Task<LogEventsView> LogsAsync(int lastEvents, DateTimeOffset before, CancellationToken cancellationToken = default) =>
        new(await session.Stages.ProducerLogs.TailAsync(session.Names.ProducerFunction, lastEvents, before, cancellationToken));

    /// <summary>The producer's schedule rule, on a backend that has one to pause (AWS); null locally, where the producer runs only in a replay or a live run.</summary>
    public IProducerSchedule? Schedule => session.Stages.Schedule;

    private CallsView Calls => new($"workshop.Producer: function {session.Names.ProducerFunction}", [
        ("InvokeAsync()", "Lambda Invoke"),
        ("LogsAsync()", "CloudWatch Logs FilterLogEvents"),
        ("Schedule", Schedule is null ? "none on this backend: the producer runs in a replay or a live run" : "EventBridge DescribeRule, EnableRule, DisableRule"),
    ]);

    public string ToHtml() => Calls.ToHtml();

    public override string ToString() => Calls.ToString();
}
