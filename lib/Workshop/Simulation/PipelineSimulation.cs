using System.Diagnostics;
using StreamingWorkshop.Delivery;

namespace StreamingWorkshop.Simulation;

/// <summary>
/// Drives the pipeline through virtual time. The next event is always the earliest of: the producer's next
/// minute, a delivery read one second after records arrived, or a delivery buffer falling due. In replay the
/// clock jumps straight to it, so a day takes seconds.
/// </summary>
internal sealed class PipelineSimulation(WorkshopSession session, LocalBackend local)
{

    // Firehose reads a Kinesis source about once a second; records put at t are read at t + 1 s.
    private static readonly TimeSpan DeliveryReadDelay = TimeSpan.FromSeconds(1);

    // How often a replay saves the clock on the wall clock (a live run saves it at every invocation).
    private static readonly TimeSpan ClockSaveInterval = TimeSpan.FromMilliseconds(250);

    // How often a replay reports its progress on the wall clock (and once more at its end).
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(100);

    public async Task<SimulationReport> RunAsync(TimeSpan duration, DateTimeOffset? requestedStart,
        IProgress<SimulationProgress>? progress, CancellationToken cancellationToken, Producer.ProducerScenario? scenario = null)
    {
        if (duration <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "The duration must be positive, for example 24h or 90m.");
        // In a notebook, interrupting the cell stops the replay too, rather than leaving it writing behind the next cells.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, StreamingWorkshop.Display.LiveDisplay.CellStopping);
        cancellationToken = stopping.Token;
        var workspace = session.Workspace;
        var clock = session.Clock;
        clock.Refresh();
        var cities = session.Cities.Select(c => c.Name).ToArray();
        var state = SimulationState.Load(workspace);
        var resumed = false;
        DateTimeOffset? stoppedReplayEnd = null;
        DateTimeOffset? reportedStart = null; // where this run's own part began, when it is not the state's start
        using var stateFile = SimulationState.OpenFile(workspace);

        if (state is { Completed: false } && (requestedStart is null || requestedStart == state.Start))
        {
            resumed = true;
            // The same request again (a killed `workshop simulate` started again, an interrupted cell run again) finishes
            // the stopped replay. A request of another length is a change of mind, typically after stopping a replay
            // longer than meant: finishing the old one would run it all again, with no way out but another stop. So the
            // stopped replay ends where this run does: the length asked for from where it got to, or from an explicit
            // start when it is the stopped replay's (never before where that one got to: virtual time only moves on).
            if (duration != state.RequestedDuration)
            {
                var end = requestedStart is null ? state.NextInvocation + duration
                    : state.Start + duration > state.NextInvocation ? state.Start + duration : state.NextInvocation;
                stoppedReplayEnd = state.End;
                reportedStart = state.NextInvocation;
                state = state with { End = end, Requested = duration };
                state.SaveWhole(stateFile);
            }
        }
        else if (state is { Completed: true } && requestedStart == state.Start && state.End == state.Start + duration)
        {
            return new SimulationReport(state.Start, state.End, false, true, 0, 0, 0, 0, 0, 0, TimeSpan.Zero);
        }
        else
        {
            if (state is { Completed: false })
                throw new InvalidOperationException(
                    $"This workspace holds an unfinished replay from {state.Start:u} to {state.End:u}, stopped at {state.NextInvocation:u}. Leave out the start (--start, or SimulateAsync's start) to go on from there, or start afresh with 'workshop reset'.");
            // A requested start is taken to its minute; "from now" waits for the next whole minute.
            var start = requestedStart is { } requested ? AlignToMinute(requested) : AlignToMinute(clock.GetUtcNow().AddTicks(TimeSpan.TicksPerMinute - 1));
            scenario?.CheckReplay(start, start + duration);
            if (clock.IsUnset) clock.SetStart(start);
            if (start < clock.GetUtcNow())
                throw new InvalidOperationException(
                    $"The workspace clock is already at {clock.GetUtcNow():u}; virtual time never runs backwards. Leave out --start to continue from there, choose a later start, or 'workshop reset' for a fresh workspace.");
            clock.MoveTo(start);
            state = new SimulationState(start, start + duration, session.GivenOptions.Seed, cities, start, Completed: false, scenario,
                FirstStart: state is null ? null : state.FirstStart ?? state.Start, Requested: duration);
            state.SaveWhole(stateFile);
            clock.Save();
        }

        await session.EnsurePipelineAsync(CancellationToken.None);
        local.Producer.Scenario = state.Scenario ?? Producer.ProducerScenario.None;
        local.Faults.Arm(state.NextInvocation);
        var stopwatch = Stopwatch.StartNew();
        using var delivery = local.OpenDelivery(session.Names.DeliveryStreamName);
        var current = state;
        var counts = new EventCounts();
        var clockSavedAt = Stopwatch.GetTimestamp();
        var reportedAt = Stopwatch.GetTimestamp();
        await RunEventsAsync(counts, delivery, state.NextInvocation, state.End,
            time => { clock.MoveTo(time); return Task.CompletedTask; },
            next =>
            {
                current = current with { NextInvocation = next };
                current.SaveProgress(stateFile);
                // The clock file is for other processes to follow the replay; four times a second is plenty. After a
                // kill it may stand before the saved progress, never after it, so the resumed run moves it forwards.
                if (Stopwatch.GetElapsedTime(clockSavedAt) >= ClockSaveInterval)
                {
                    clock.Save();
                    clockSavedAt = Stopwatch.GetTimestamp();
                }
            },
            _ =>
            {
                // Ten reports a second are plenty for a progress bar; one per poll kept a thread-pool thread waking.
                if (progress is null || Stopwatch.GetElapsedTime(reportedAt) < ProgressInterval) return;
                progress.Report(new SimulationProgress(clock.GetUtcNow(), reportedStart ?? current.Start, current.End, counts.Put, delivery.Metrics.RecordsInLake));
                reportedAt = Stopwatch.GetTimestamp();
            },
            cancellationToken);

        clock.MoveTo(state.End);
        if (local.Faults.ConsumerStoppedUntil(state.End) is null)
        {
            await delivery.PollAsync(cancellationToken);
            await delivery.FlushAllAsync(cancellationToken);
        }
        state = current with { Completed = true, NextInvocation = state.End };
        state.SaveWhole(stateFile);
        clock.Save();
        progress?.Report(new SimulationProgress(clock.GetUtcNow(), reportedStart ?? state.Start, state.End, counts.Put, delivery.Metrics.RecordsInLake));

        var metrics = delivery.Metrics;
        return new SimulationReport(reportedStart ?? state.Start, state.End, resumed, false, counts.Invocations, counts.Put, counts.Failed,
            metrics.DeliveredRecords, metrics.ErrorRecords, metrics.ObjectsWritten, stopwatch.Elapsed, stoppedReplayEnd, counts.StoredTwice, metrics.RedeliveredRecords);
    }

    /// <summary>
    /// Runs the pipeline following the wall clock (sped up by <paramref name="speed"/>) until cancelled or until
    /// <paramref name="until"/> on the virtual clock. Buffers still open at the end stay on the stream and are
    /// delivered by the next run, as the checkpoint says. Unless <paramref name="paced"/>, it does not wait for the wall
    /// clock between events: the clock still stops at each event's time, so the run does the same work at the same times.
    /// </summary>
    public async Task<LiveReport> RunLiveAsync(double speed, DateTimeOffset? until, bool paced, Action<string>? onEvent, Action<LiveReport>? onProgress, CancellationToken cancellationToken,
        DateTimeOffset? start = null, Producer.ProducerScenario? scenario = null)
    {
        var clock = session.Clock;
        clock.Refresh();
        // A fresh workspace's clock stands at a minute no run has polled yet, as a given start does.
        var firstMinuteUnpolled = start is not null || clock.IsUnset;
        if (SimulationState.Load(session.Workspace) is { Completed: false } unfinished)
            throw new InvalidOperationException(
                $"This workspace holds an unfinished simulation from {unfinished.Start:u} to {unfinished.End:u}. Finish it with simulate (no --start) or 'workshop reset' before going live.");
        if (start is { } requested)
        {
            // As a replay does: a fresh workspace's clock is set to the start, a used one moves on to it.
            if (clock.IsUnset) clock.SetStart(requested);
            clock.MoveTo(requested);
            clock.Save();
        }
        // Making the pipeline ready is one step, which a stop waits out: stopped halfway, the stack would be left
        // CREATE_IN_PROGRESS with part of its resources. The loop below then sees the stop at once.
        await session.EnsurePipelineAsync(CancellationToken.None);
        // Only the run's own scenario: a replay's outage or new field does not carry over into it.
        local.Producer.Scenario = scenario ?? Producer.ProducerScenario.None;
        local.Faults.Arm(clock.GetUtcNow());
        using var delivery = local.OpenDelivery(session.Names.DeliveryStreamName);
        var startedAt = clock.GetUtcNow();
        // From a start it was given, or a fresh workspace's, a run polls at that very minute, as a replay from the same start
        // does; otherwise the clock stands where the last run stopped, whose minute that run has already polled.
        var firstInvocation = ProducerSchedule.NextAfter(firstMinuteUnpolled ? startedAt - TimeSpan.FromTicks(1) : startedAt)
            ?? throw new InvalidOperationException($"The schedule {ProducerSchedule} never fires again.");
        clock.StartLive(speed);
        var counts = new EventCounts();
        LiveReport Report() => new(startedAt, clock.GetUtcNow(), counts.Invocations, counts.Put, delivery.Metrics.RecordsInLake, delivery.Metrics.ObjectsWritten);
        void Tell(string line)
        {
            onEvent?.Invoke(line);
            onProgress?.Invoke(Report());
        }
        var reachedEnd = false;
        try
        {
            await RunEventsAsync(counts, delivery, firstInvocation, until,
                async time =>
                {
                    // Held at the event until it happens, then exactly there while it runs: the puts, reads and
                    // deliveries of a live run carry the times a replay would give them.
                    clock.HoldLiveAt(time);
                    var wait = paced ? clock.WallTimeUntil(time) : TimeSpan.Zero;
                    if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken);
                    clock.ReachLive(time);
                },
                _ =>
                {
                    // Saved at every invocation, so other processes follow a live run minute by minute.
                    clock.Save();
                    Tell($"{clock.GetUtcNow():HH:mm:ss} producer put {session.Cities.Count} reading(s)");
                },
                poll =>
                {
                    if (poll.ObjectsWritten > 0)
                        Tell($"{clock.GetUtcNow():HH:mm:ss} delivered {poll.ObjectsWritten} object(s), the last s3://{delivery.Config.BucketName}/{delivery.Metrics.LastObjectKey}");
                },
                cancellationToken);
            if (until is { } end)
            {
                // Nothing more happens before the end: wait for it, then stop exactly there.
                clock.HoldLiveAt(end);
                var wait = paced ? clock.WallTimeUntil(end) : TimeSpan.Zero;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken);
                reachedEnd = true;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal way out of a live run.
        }
        finally
        {
            if (reachedEnd && until is { } end) clock.StopLiveAt(end);
            else clock.StopLive();
            clock.Save();
        }
        return Report();
    }

    /// <summary>The deployed rule's schedule (rate(1 minute) in the workshop's stack).</summary>
    private Clock.ScheduleExpression ProducerSchedule => Clock.ScheduleExpression.Parse(session.Names.Schedule);

    /// <summary>Running totals, kept outside the loop so a cancelled live run still reports what it did.</summary>
    private sealed class EventCounts
    {
        public long Invocations, Put, Failed, StoredTwice;
    }

    /// <summary>
    /// The event loop both modes share. <paramref name="reachTime"/> moves the clock (replay) or waits for it (live);
    /// each completed producer invocation is reported through <paramref name="invoked"/> with the next one's time.
    /// </summary>
    private async Task RunEventsAsync(EventCounts counts, LocalDeliveryStream delivery, DateTimeOffset next, DateTimeOffset? end,
        Func<DateTimeOffset, Task> reachTime, Action<DateTimeOffset> invoked, Action<DeliveryPollResult> polled, CancellationToken cancellationToken)
    {
        DateTimeOffset? readAt = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var producerDue = end is null || next < end ? next : (DateTimeOffset?)null;
            var deliveryDue = Earliest(readAt, delivery.NextDeadline);
            // A stopped consumer neither reads nor delivers; it picks up from its checkpoint when the stop ends.
            if (deliveryDue is { } due && local.Faults.ConsumerStoppedUntil(due) is { } resumes) deliveryDue = resumes;
            var earliest = Earliest(producerDue, deliveryDue);
            if (earliest is null || earliest >= end) break;

            await reachTime(earliest.Value);
            if (producerDue == earliest)
            {
                // The producer straight, not through the session's front door: the pipeline is ready, and the clock is
                // this loop's to move and save.
                var summary = await local.Producer.InvokeAsync(cancellationToken);
                counts.Invocations++;
                counts.Put += summary.Processed;
                counts.Failed += summary.FailedCities.Count;
                counts.StoredTwice += summary.StoredTwice;
                next = ProducerSchedule.NextAfter(next) ?? DateTimeOffset.MaxValue;
                invoked(next);
                readAt ??= earliest.Value + DeliveryReadDelay;
            }
            else
            {
                if (readAt <= earliest) readAt = null;
                polled(await delivery.PollAsync(cancellationToken));
            }
        }
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
