namespace StreamingWorkshop.Producer;

/// <summary><c>workshop.Producer</c>: the producer function: invoke it once, read its logs, and (where it has one) pause its schedule.</summary>
public sealed class ProducerFacade
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
        new(await session.Stages.ProducerLogs.TailAsync(session.Names.ProducerFunction, lastEvents, cancellationToken));

    /// <summary>The producer's schedule rule, on a backend that has one to pause (AWS); null locally, where the producer runs only in a replay or a live run.</summary>
    public IProducerSchedule? Schedule => session.Stages.Schedule;

    public override string ToString() => $"Producer {session.Names.ProducerFunction}: InvokeAsync, LogsAsync{(Schedule is null ? "" : ", Schedule")}";
}
