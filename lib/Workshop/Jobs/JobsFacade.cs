using StreamingWorkshop.Lake;

namespace StreamingWorkshop.Jobs;

/// <summary>
/// <c>workshop.Jobs</c>: the stack's Glue jobs as a notebook uses them: list them, run one and watch it, stop it,
/// reset its bookmark, read a run's log and look at the Parquet they wrote. The same calls work on both backends.
/// </summary>
public sealed class JobsFacade(WorkshopSession session)
{
    internal WorkshopSession Session { get; } = session;

    /// <summary>How often a wait on AWS asks for the run again (GetJobRun).</summary>
    public static TimeSpan AwsPoll { get; } = TimeSpan.FromSeconds(10);

    /// <summary>The stack's jobs with their type, workers, Glue version, DPUs and cost per hour (GetJobs).</summary>
    public async Task<JobListView> ListAsync(CancellationToken cancellationToken = default)
    {
        await Session.EnsurePipelineAsync(cancellationToken);
        return new JobListView(await Session.Stages.Jobs.GetJobsAsync(cancellationToken));
    }

    /// <summary>
    /// Starts a run of <paramref name="name"/> (StartJobRun); <paramref name="arguments"/> override the job's default
    /// arguments for this run only (for example --job-bookmark-option job-bookmark-disable).
    /// With <paramref name="wait"/>, returns once the run has ended. On the local backend, waiting moves the virtual
    /// clock straight to each of the run's state changes when nothing live is moving it (no readings are produced in
    /// that time), or waits for the live clock to get there; a streaming job runs until it is stopped, so waiting on
    /// one returns once it is RUNNING. On AWS it asks for the run every <see cref="AwsPoll"/>.
    /// </summary>
    public async Task<JobRunView> RunAsync(string name, bool wait = false, IReadOnlyDictionary<string, string>? arguments = null, CancellationToken cancellationToken = default)
    {
        var job = await JobAsync(name, cancellationToken);
        var jobs = Session.Stages.Jobs;
        var id = await jobs.StartJobRunAsync(job.Name, arguments, cancellationToken);
        var run = await jobs.GetJobRunAsync(job.Name, id, cancellationToken);
        if (!wait) return new JobRunView(run);
        var streaming = job.Command.Name == JobCommandNames.Streaming;
        bool Waiting(JobRun r) => streaming ? r.JobRunState == JobRunStates.Starting : !JobRunStates.HasEnded(r.JobRunState);
        while (Waiting(run))
        {
            if (Session.Stages.Local is { } local)
                await MoveLocalClockAsync(local.Jobs, job, run, cancellationToken);
            else
                await Task.Delay(AwsPoll, cancellationToken);
            run = await jobs.GetJobRunAsync(job.Name, id, cancellationToken);
        }
        return new JobRunView(run);
    }

    /// <summary>The job's runs, newest first (GetJobRuns).</summary>
    public async Task<JobRunsView> RunsAsync(string name, CancellationToken cancellationToken = default)
    {
        var job = await JobAsync(name, cancellationToken);
        return new JobRunsView(job.Name, await Session.Stages.Jobs.GetJobRunsAsync(job.Name, cancellationToken: cancellationToken));
    }

    /// <summary>Stops the job's active runs (BatchStopJobRun); says so when none is active.</summary>
    public async Task<JobMessageView> StopAsync(string name, CancellationToken cancellationToken = default)
    {
        var job = await JobAsync(name, cancellationToken);
        var active = (await Session.Stages.Jobs.GetJobRunsAsync(job.Name, cancellationToken: cancellationToken))
            .Where(r => !JobRunStates.HasEnded(r.JobRunState) && r.JobRunState != JobRunStates.Stopping).Select(r => r.Id).ToArray();
        if (active.Length == 0) return new JobMessageView($"{job.Name} has no active run to stop.");
        var (stopping, errors) = await Session.Stages.Jobs.BatchStopJobRunAsync(job.Name, active, cancellationToken);
        var lines = stopping.Select(id => $"Stopping run {id} of {job.Name}.").Concat(errors.Select(e => $"Run {e.JobRunId} was not stopped: {e.ErrorCode}: {e.ErrorMessage}"));
        return new JobMessageView(string.Join("\n", lines));
    }

    /// <summary>Resets the job's bookmark (ResetJobBookmark): its next run reads every raw object again.</summary>
    public async Task<JobMessageView> ResetBookmarkAsync(string name, CancellationToken cancellationToken = default)
    {
        var job = await JobAsync(name, cancellationToken);
        await Session.Stages.Jobs.ResetJobBookmarkAsync(job.Name, cancellationToken);
        return new JobMessageView($"The bookmark of {job.Name} is reset: its next run reads every raw object again, and rewrites the partitions they fall in.");
    }

    /// <summary>
    /// A run's log, from /aws-glue/jobs/output and /aws-glue/jobs/error (log stream = the run's id). On AWS, says where
    /// to read it in CloudWatch Logs.
    /// </summary>
    public Task<JobLogView> LogAsync(string runId, CancellationToken cancellationToken = default)
    {
        if (Session.Stages.Local is not { } local)
            throw new NotSupportedException($"On AWS, read run {runId}'s log in CloudWatch Logs: log groups {JobLogGroups.Output} and {JobLogGroups.Error}, log stream {runId}.");
        return Task.FromResult(new JobLogView(runId, local.Jobs.RunLog(runId)));
    }

    /// <summary>The objects the jobs wrote under curated/ in the lake bucket, per folder with their sizes (ListObjectsV2).</summary>
    public async Task<CuratedFilesView> CuratedFilesAsync(CancellationToken cancellationToken = default)
    {
        await Session.EnsurePipelineAsync(cancellationToken);
        var bucket = Session.Names.LakeBucket;
        var objects = new List<ObjectInfo>();
        await foreach (var item in Session.Stages.Lake.ListAllAsync(bucket, "curated/", cancellationToken)) objects.Add(item);
        return new CuratedFilesView(bucket, objects);
    }

    /// <summary>The job by its name; a name that is not a job is refused with the names there are.</summary>
    private async Task<GlueJob> JobAsync(string name, CancellationToken cancellationToken)
    {
        await Session.EnsurePipelineAsync(cancellationToken);
        var jobs = await Session.Stages.Jobs.GetJobsAsync(cancellationToken);
        return jobs.FirstOrDefault(j => j.Name == name) ?? throw new ArgumentException(jobs.Count == 0
            ? $"There is no job '{name}': the stack defines no Glue jobs yet. Deploy it (workshop deploy)."
            : $"There is no job '{name}'. The jobs are: {string.Join(", ", jobs.Select(j => j.Name))}.");
    }

    /// <summary>Moves the local clock to the run's next change, or waits for the live clock to get there.</summary>
    private async Task MoveLocalClockAsync(LocalJobService jobs, GlueJob job, JobRun run, CancellationToken cancellationToken)
    {
        var clock = Session.Clock;
        var next = jobs.NextChangeAt(job.Name, run.Id) ?? clock.GetUtcNow() + TimeSpan.FromSeconds(1);
        if (clock.IsLive)
        {
            var wall = clock.WallTimeUntil(next);
            await Task.Delay(wall > TimeSpan.FromMilliseconds(10) ? wall : TimeSpan.FromMilliseconds(10), cancellationToken);
            return;
        }
        if (next > clock.GetUtcNow()) clock.AdvanceTo(next);
        clock.Save();
    }
}
