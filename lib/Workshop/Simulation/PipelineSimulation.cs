using System.Diagnostics;
using StreamingWorkshop.Delivery;

namespace StreamingWorkshop.Simulation;

/// <summary>
/// Drives the pipeline through virtual time. The next event is always the earliest of: the producer's next
/// minute, a delivery read one second after records arrived, or a delivery buffer falling due. In replay the
/// clock jumps straight to it, so a day takes seconds.
/// </summary>
internal sealed class PipelineSimulation(WorkshopSession session)
{
    private static readonly TimeSpan ProducerInterval = TimeSpan.FromMinutes(1);

    // Firehose reads a Kinesis source about once a second; records put at t are read at t + 1 s.
    private static readonly TimeSpan DeliveryReadDelay = TimeSpan.FromSeconds(1);

    public async Task<SimulationReport> RunAsync(TimeSpan duration, DateTimeOffset? requestedStart,
        IProgress<SimulationProgress>? progress, CancellationToken cancellationToken)
    {
        if (duration <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "The duration must be positive, for example 24h or 90m.");
        var workspace = session.Workspace;
        var clock = session.Clock;
        clock.Refresh();
        var cities = session.Cities.Select(c => c.Name).ToArray();
        var state = SimulationState.Load(workspace);
        var resumed = false;

        if (state is { Completed: false } && (requestedStart is null || requestedStart == state.Start))
        {
            resumed = true;
        }
        else if (state is { Completed: true } && requestedStart == state.Start && state.End == state.Start + duration)
        {
            return new SimulationReport(state.Start, state.End, false, true, 0, 0, 0, 0, 0, 0, TimeSpan.Zero);
        }
        else
        {
            if (state is { Completed: false })
                throw new InvalidOperationException(
                    $"This workspace holds an unfinished simulation from {state.Start:u} to {state.End:u}. Run simulate without --start to resume it, or 'workshop reset' to start again.");
            var start = AlignToMinute(requestedStart ?? clock.GetUtcNow());
            if (clock.IsUnset) clock.SetStart(start);
            if (start < clock.GetUtcNow())
                throw new InvalidOperationException(
                    $"The workspace clock is already at {clock.GetUtcNow():u}; virtual time never runs backwards. Leave out --start to continue from there, choose a later start, or 'workshop reset' for a fresh workspace.");
            clock.AdvanceTo(start);
            state = new SimulationState(start, start + duration, session.Options.Seed, cities, start, Completed: false);
            state.Save(workspace);
            clock.Save();
        }

        await session.EnsurePipelineAsync(cancellationToken);
        var stopwatch = Stopwatch.StartNew();
        long invocations = 0, put = 0, failed = 0;
        using var delivery = session.OpenDelivery();
        var next = state.NextInvocation;
        DateTimeOffset? readAt = null;

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var deadline = delivery.NextDeadline;
            var producerDue = next < state.End ? next : (DateTimeOffset?)null;
            var earliest = Earliest(producerDue, readAt, deadline);
            if (earliest is null || earliest >= state.End) break;

            clock.AdvanceTo(earliest.Value);
            if (producerDue == earliest)
            {
                var summary = await session.InvokeProducerAsync(cancellationToken);
                invocations++;
                put += summary.Processed;
                failed += summary.FailedCities.Count;
                next += ProducerInterval;
                state = state with { NextInvocation = next };
                state.Save(workspace);
                clock.Save();
                readAt ??= earliest.Value + DeliveryReadDelay;
            }
            else
            {
                if (readAt == earliest) readAt = null;
                await delivery.PollAsync(cancellationToken);
                progress?.Report(new SimulationProgress(clock.GetUtcNow(), state.Start, state.End, put, delivery.Metrics.DeliveredRecords));
            }
        }

        clock.AdvanceTo(state.End);
        await delivery.PollAsync(cancellationToken);
        await delivery.FlushAllAsync(cancellationToken);
        state = state with { Completed = true, NextInvocation = state.End };
        state.Save(workspace);
        clock.Save();
        progress?.Report(new SimulationProgress(clock.GetUtcNow(), state.Start, state.End, put, delivery.Metrics.DeliveredRecords));

        var metrics = delivery.Metrics;
        return new SimulationReport(state.Start, state.End, resumed, false, invocations, put, failed,
            metrics.DeliveredRecords, metrics.ErrorRecords, metrics.ObjectsWritten, stopwatch.Elapsed);
    }

    private static DateTimeOffset? Earliest(params DateTimeOffset?[] candidates)
    {
        DateTimeOffset? earliest = null;
        foreach (var candidate in candidates)
            if (candidate is { } time && (earliest is null || time < earliest)) earliest = time;
        return earliest;
    }

    private static DateTimeOffset AlignToMinute(DateTimeOffset time) =>
        new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
}
