using StreamingWorkshop.Producer;

namespace StreamingWorkshop.Jobs;

/// <summary>
/// Runs the streaming job's runs on the local backend. A run is STARTING for <see cref="StartUp"/>, then RUNNING until
/// it is stopped or its timeout (when it has one: a streaming run without one runs on) passes. While it runs, a
/// micro-batch starts every window (start-up end + k × window on the virtual clock) and reads, per shard, what arrived
/// since the previous batch up to its start. The work is done when the run is looked at (settled), batch by batch, each
/// one only once its processing time has passed on the clock.
/// </summary>
internal sealed class StreamingJobRuntime(LocalJobService jobs) : IJobRuntime
{
    /// <summary>From StartJobRun until the first micro-batch can start.</summary>
    public static readonly TimeSpan StartUp = TimeSpan.FromSeconds(30);

    /// <summary>A batch's processing time: a fixed part plus a part per record, never more than 90% of the window.</summary>
    public static TimeSpan ProcessingTime(int records, TimeSpan window) =>
        TimeSpan.FromTicks(Math.Min((TimeSpan.FromSeconds(5) + TimeSpan.FromMilliseconds(records)).Ticks, window.Ticks * 9 / 10));

    internal LocalJobService Jobs { get; } = jobs;

    public JobRun Start(GlueJob job, JobRun run) =>
        run with { JobRunState = JobRunStates.Starting, LastModifiedOn = run.StartedOn, CompletedOn = null, ExecutionTime = 0 };

    public JobRun Settle(GlueJob job, JobRun run)
    {
        if (JobRunStates.HasEnded(run.JobRunState)) return run;
        var now = Jobs.Clock.GetUtcNow();
        var ready = run.StartedOn + StartUp;
        DateTimeOffset? stopAt = run.JobRunState == JobRunStates.Stopping ? run.LastModifiedOn : null;
        DateTimeOffset? timeoutAt = run.TimeoutMinutes > 0 ? run.StartedOn + TimeSpan.FromMinutes(run.TimeoutMinutes) : null;
        var end = new[] { now, stopAt ?? now, timeoutAt ?? now }.Min();
        StreamingJobSettings settings;
        try
        {
            settings = StreamingJobSettings.For(Jobs, job, run);
        }
        catch (ArgumentException error)
        {
            // The script reads its arguments as it starts: the run fails when its start-up ends.
            if (end < ready) return Billed(job, run with { ExecutionTime = Seconds(run.StartedOn, now) }, now);
            Jobs.Log(JobLogGroups.Error, run.Id, new LogEvent(ready, $"Job run failed: {error.Message}"));
            return Ended(job, run, JobRunStates.Failed, ready, error.Message);
        }
        try
        {
            if (end >= ready) RunBatches(settings, run, ready, end);
        }
        catch (Exception error) when (error is ArgumentException or InvalidDataException or IOException or Errors.ServiceException or DuckDB.NET.Data.DuckDBException)
        {
            var failedAt = end < ready ? ready : end;
            Jobs.Log(JobLogGroups.Error, run.Id, new LogEvent(failedAt, $"Job run failed: {error.Message}"));
            return Ended(job, run, JobRunStates.Failed, failedAt, error.Message);
        }
        if (stopAt is { } stopped && now >= stopped) return Ended(job, run, JobRunStates.Stopped, stopped, null);
        if (timeoutAt is { } timedOut && now >= timedOut)
            return Ended(job, run, JobRunStates.Timeout, timedOut, $"Job run timed out after {run.TimeoutMinutes} minutes; a streaming job's run ends at its timeout, so give it none (or a longer one) to keep it running.");
        if (run.JobRunState == JobRunStates.Stopping) return Billed(job, run with { ExecutionTime = Seconds(run.StartedOn, now) }, now);
        var state = now < ready ? JobRunStates.Starting : JobRunStates.Running;
        return Billed(job, run with { JobRunState = state, LastModifiedOn = state == JobRunStates.Running ? ready : run.StartedOn, ExecutionTime = Seconds(run.StartedOn, now) }, now);
    }

    public JobRun Stop(GlueJob job, JobRun run)
    {
        var settled = Settle(job, run);
        if (JobRunStates.HasEnded(settled.JobRunState) || settled.JobRunState == JobRunStates.Stopping) return settled;
        return settled with { JobRunState = JobRunStates.Stopping, LastModifiedOn = Jobs.Clock.GetUtcNow() };
    }

    /// <summary>Does every micro-batch that falls due and finishes by <paramref name="end"/>, first re-running an interrupted one.</summary>
    private void RunBatches(StreamingJobSettings settings, JobRun run, DateTimeOffset ready, DateTimeOffset end)
    {
        var checkpoint = new StreamingCheckpoint(Jobs.Lake, settings.CheckpointBucket, settings.CheckpointPrefix);
        var batches = new StreamingMicroBatch(Jobs, settings, checkpoint);
        while (true)
        {
            var latest = checkpoint.LatestOffsets();
            if (latest is not null && !checkpoint.IsCommitted(latest.BatchId))
            {
                // Offsets without a commit: the batch was cut short (stopped, or its process killed). Run it again with
                // the same offsets; it writes the same files.
                var redoneAt = latest.RunId == run.Id ? latest.TriggerTime : ready;
                Commit(checkpoint, batches, latest, run.Id, redoneAt, settings.Window);
                continue;
            }
            var next = latest is not null && latest.RunId == run.Id ? latest.TriggerTime + settings.Window : ready;
            if (next > end) return;
            var planned = Plan(settings, latest, run, next);
            var records = planned.Shards.Sum(s => s.Records);
            if (next + ProcessingTime(records, settings.Window) > end) return;
            checkpoint.WriteOffsets(planned);
            Commit(checkpoint, batches, planned, run.Id, next, settings.Window);
        }
    }

    private void Commit(StreamingCheckpoint checkpoint, StreamingMicroBatch batches, BatchOffsets offsets, string runId, DateTimeOffset startedAt, TimeSpan window)
    {
        var outcome = batches.Run(offsets);
        var committed = new StreamingBatch(runId, offsets.BatchId, offsets.TriggerTime,
            startedAt + ProcessingTime(outcome.RecordsIn, window),
            offsets.Shards.Select(s => new ShardRead(s.ShardId, s.FirstSequenceNumber, s.LastSequenceNumber, s.Records)).ToList(),
            outcome.RecordsIn, outcome.RecordsOut, outcome.RecordsError, outcome.LateRecords, outcome.WindowsWritten, offsets.LostRecords);
        checkpoint.WriteCommit(committed);
        var events = new List<LogEvent>
        {
            new(committed.CommitTime, $"Batch {committed.BatchId} (started {committed.TriggerTime:HH:mm:ss}): {committed.RecordsIn} record(s) read, " +
                $"{committed.RecordsOut} new reading(s) written to {ReadingsCuration.LiveTable}, {committed.RecordsError} to {ReadingsCuration.ErrorPrefix}, " +
                $"{committed.WindowsWritten} 5-minute window(s) written to {ReadingsCuration.WindowTable}."),
        };
        if (committed.LateRecords > 0)
            events.Add(new(committed.CommitTime, $"Batch {committed.BatchId}: {committed.LateRecords} reading(s) arrived after their 5-minute window was written (watermark {StreamingMicroBatch.Watermark.TotalMinutes:0} minute); they are in {ReadingsCuration.LiveTable} but not in {ReadingsCuration.WindowTable}."));
        if (committed.LostRecords > 0)
            events.Add(new(committed.CommitTime, $"Batch {committed.BatchId}: {committed.LostRecords} record(s) left the stream's retention before they were read; they are lost to this job."));
        Jobs.Log(JobLogGroups.Output, runId, events.ToArray());
    }

    /// <summary>
    /// The next batch's offsets: per shard, from where the previous batch stopped (a shard it did not know, such as a
    /// child of a reshard, from its trim horizon) to the last record that arrived by <paramref name="trigger"/>. The
    /// checkpoint's very first batch of a LATEST run skips what arrived before the run started.
    /// </summary>
    private BatchOffsets Plan(StreamingJobSettings settings, BatchOffsets? previous, JobRun run, DateTimeOffset trigger)
    {
        var checkpoints = previous?.Shards.ToDictionary(s => s.ShardId, s => s.Through, StringComparer.Ordinal) ?? new Dictionary<string, long>(StringComparer.Ordinal);
        var shards = new List<ShardOffsets>();
        long lost = 0;
        foreach (var shard in Jobs.Stream.ReadAfter(settings.StreamName, checkpoints))
        {
            lost += shard.LostRecords;
            var pending = shard.Records.AsEnumerable();
            if (previous is null && settings.FromLatest) pending = pending.Where(r => r.ApproximateArrivalTimestamp >= run.StartedOn);
            var remaining = pending.ToList();
            var after = remaining.Count > 0 ? StreamingMicroBatch.RecordNumber(remaining[0].SequenceNumber) - 1 : shard.LastNumber;
            var taken = remaining.TakeWhile(r => r.ApproximateArrivalTimestamp <= trigger).ToList();
            var through = taken.Count > 0 ? StreamingMicroBatch.RecordNumber(taken[^1].SequenceNumber) : after;
            shards.Add(new ShardOffsets(shard.ShardId, after, through, taken.FirstOrDefault()?.SequenceNumber, taken.LastOrDefault()?.SequenceNumber, taken.Count));
        }
        return new BatchOffsets((previous?.BatchId ?? -1) + 1, run.Id, trigger, shards, lost);
    }

    private static JobRun Ended(GlueJob job, JobRun run, string state, DateTimeOffset at, string? error) =>
        Billed(job, run with { JobRunState = state, LastModifiedOn = at, CompletedOn = at, ExecutionTime = Seconds(run.StartedOn, at), ErrorMessage = error }, at);

    private static JobRun Billed(GlueJob job, JobRun run, DateTimeOffset until) =>
        run with { DpuSeconds = GlueBilling.BilledDpuSeconds(run.WorkerType, run.NumberOfWorkers, Seconds(run.StartedOn, until)) };

    private static int Seconds(DateTimeOffset from, DateTimeOffset to) => (int)Math.Max(0, (to - from).TotalSeconds);
}
