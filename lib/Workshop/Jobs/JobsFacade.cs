using StreamingWorkshop.Display;
using StreamingWorkshop.Query;
using StreamingWorkshop.Lake;

namespace StreamingWorkshop.Jobs;

/// <summary>
/// <c>workshop.Jobs</c>: the stack's Glue jobs as a notebook uses them: list them, run one and watch it, stop it,
/// reset its bookmark, read a run's log and look at the Parquet they wrote. The same calls work on both backends.
/// </summary>
public sealed class JobsFacade(WorkshopSession session) : IHtmlDisplay
{
    internal WorkshopSession Session { get; } = session;

    /// <summary>A wait on AWS asks for the run again (GetJobRun) after this, then twice as long each time up to <see cref="AwsPoll"/>.</summary>
    public static TimeSpan FirstAwsPoll { get; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest a wait on AWS goes between two GetJobRun calls.</summary>
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
    /// one returns once it is RUNNING. On AWS it asks for the run again after <see cref="FirstAwsPoll"/>, doubling up to <see cref="AwsPoll"/>.
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
        return new JobRunView(await WaitAsync(job, run, Waiting, cancellationToken));
    }

    /// <summary>Asks for <paramref name="run"/> again until it is no longer <paramref name="waiting"/>, moving the local clock or polling AWS.</summary>
    private async Task<JobRun> WaitAsync(GlueJob job, JobRun run, Func<JobRun, bool> waiting, CancellationToken cancellationToken)
    {
        var poll = FirstAwsPoll;
        while (waiting(run))
        {
            if (Session.Stages.Local is { } local)
                await Session.MoveClockTowardAsync(local.Jobs.NextChangeAt(job.Name, run.Id), cancellationToken);
            else
            {
                await Task.Delay(poll, cancellationToken);
                poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, AwsPoll.Ticks));
            }
            run = await Session.Stages.Jobs.GetJobRunAsync(job.Name, run.Id, cancellationToken);
        }
        return run;
    }

    /// <summary>The job's runs, newest first (GetJobRuns).</summary>
    public async Task<JobRunsView> RunsAsync(string name, CancellationToken cancellationToken = default)
    {
        var job = await JobAsync(name, cancellationToken);
        return new JobRunsView(job.Name, await Session.Stages.Jobs.GetJobRunsAsync(job.Name, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Stops the job's active runs (BatchStopJobRun) and waits until they have stopped (as <see cref="RunAsync"/> waits);
    /// says so when none is active.
    /// </summary>
    public async Task<JobMessageView> StopAsync(string name, CancellationToken cancellationToken = default)
    {
        var job = await JobAsync(name, cancellationToken);
        var runs = await Session.Stages.Jobs.GetJobRunsAsync(job.Name, cancellationToken: cancellationToken);
        var active = runs.Where(r => !JobRunStates.HasEnded(r.JobRunState) && r.JobRunState != JobRunStates.Stopping).Select(r => r.Id).ToArray();
        var alreadyStopping = runs.Where(r => r.JobRunState == JobRunStates.Stopping).Select(r => r.Id);
        if (active.Length == 0 && !alreadyStopping.Any()) return new JobMessageView($"{job.Name} has no active run to stop.");
        var (stopping, errors) = active.Length == 0
            ? ([], [])
            : await Session.Stages.Jobs.BatchStopJobRunAsync(job.Name, active, cancellationToken);
        var lines = new List<string>();
        foreach (var id in stopping.Concat(alreadyStopping))
        {
            var run = await WaitAsync(job, await Session.Stages.Jobs.GetJobRunAsync(job.Name, id, cancellationToken),
                r => !JobRunStates.HasEnded(r.JobRunState), cancellationToken);
            lines.Add($"Run {id} of {job.Name} is {run.JobRunState}" + (run.CompletedOn is { } at ? $" since {at.UtcDateTime:HH:mm:ss}." : "."));
        }
        lines.AddRange(errors.Select(e => $"Run {e.JobRunId} was not stopped: {e.ErrorCode}: {e.ErrorMessage}"));
        return new JobMessageView(string.Join("\n", lines));
    }

    /// <summary>Resets the job's bookmark (ResetJobBookmark): its next run reads every raw object again.</summary>
    public async Task<JobMessageView> ResetBookmarkAsync(string name, CancellationToken cancellationToken = default)
    {
        var job = await JobAsync(name, cancellationToken);
        if (job.Command.Name == JobCommandNames.Streaming)
            return new JobMessageView($"{job.Name} is a streaming job: it keeps its place in the stream in its checkpoint, not in a bookmark, so nothing was reset. " +
                "To read the stream from the start again, start a run whose arguments give a new --checkpoint_location and --starting_position TRIM_HORIZON, " +
                "from a notebook: workshop.Jobs.RunAsync(name, arguments: ...) ('workshop job run' takes no job arguments).") { NothingDone = true };
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

    // The streaming job's dashboard (local backend).

    /// <summary>
    /// Shows the streaming job's dashboard below the cell: the latest reading per city and the 5-minute averages. Given
    /// <paramref name="until"/> (a live run's Completion), it updates in place each time a micro-batch lands and returns when
    /// that ends. On AWS it shows curated_weather_live and weather_5min_by_city as Athena reads them now.
    /// </summary>
    public async Task ShowDashboardAsync(Task? until = null, CancellationToken cancellationToken = default)
    {
        await Session.EnsurePipelineAsync(cancellationToken);
        if (Session.Stages.Local is { } local)
        {
            using var dashboard = new StreamingDashboard(local.Jobs, Session.Names.StreamingJob, until ?? Task.CompletedTask);
            await dashboard.Following.WaitAsync(cancellationToken);
            return;
        }
        if (until is not null) await until.WaitAsync(cancellationToken);
        LiveDisplay.Show(await DashboardFromAthenaAsync(cancellationToken));
    }

    /// <summary>The dashboard as Athena reads the streaming job's tables (AWS, where the job's checkpoint is Spark's own).</summary>
    private async Task<DashboardView> DashboardFromAthenaAsync(CancellationToken cancellationToken)
    {
        var run = (await Session.Stages.Jobs.GetJobRunsAsync(Session.Names.StreamingJob, 1, cancellationToken)).FirstOrDefault();
        async Task<IReadOnlyList<object?[]>> RowsAsync(string sql)
        {
            try
            {
                return (await Session.QueryAsync(sql, cancellationToken: cancellationToken)).Rows;
            }
            catch (Query.AthenaQueryException)
            {
                return []; // the job has not registered the table yet
            }
        }
        var latest = (await RowsAsync($"""
                SELECT city, measurement_time, temperature_c, temperature_f FROM (
                    SELECT *, row_number() OVER (PARTITION BY city ORDER BY measurement_time DESC, first_collected DESC) AS n
                    FROM {ReadingsCuration.LiveTable})
                WHERE n = 1 ORDER BY city
                """))
            .Select(r => new LatestReading((string)r[0]!, (DateTime)r[1]!, Convert.ToDouble(r[2]), Convert.ToDouble(r[3]))).ToList();
        var windows = (await RowsAsync($"""
                SELECT window_start, window_end, city, readings, avg_temperature_c, min_temperature_c, max_temperature_c
                FROM {ReadingsCuration.WindowTable} ORDER BY window_start DESC, city LIMIT {DashboardView.WindowsPerCity * Session.Cities.Count}
                """))
            .Select(r => new WindowAverage((DateTime)r[0]!, (DateTime)r[1]!, (string)r[2]!, Convert.ToInt32(r[3]), Convert.ToDouble(r[4]),
                Convert.ToDouble(r[5]), Convert.ToDouble(r[6]), Open: false)).ToList();
        return new DashboardView(Session.Names.StreamingJob, run?.JobRunState ?? "never run", null, Session.Stages.Time.GetUtcNow(), latest, windows);
    }

    /// <summary>
    /// How soon each reading produced since the streaming job's newest run started became queryable: through Firehose, the
    /// lake and Athena (once its partition was in the catalog), through the streaming job, and through the warehouse's
    /// streaming view <paramref name="warehouseView"/> when it has one. Measured on the local backend's virtual clock.
    /// </summary>
    public async Task<FreshnessReport> FreshnessAsync(string warehouseView = "live_readings", CancellationToken cancellationToken = default)
    {
        await Session.EnsurePipelineAsync(cancellationToken);
        var local = Session.Local ?? throw new NotSupportedException(
            "Freshness is measured on the local backend's virtual clock; on AWS, compare each reading's collection_time with when a query first returns it.");
        var run = (await Session.Stages.Jobs.GetJobRunsAsync(Session.Names.StreamingJob, 1, cancellationToken)).FirstOrDefault()
            ?? throw new InvalidOperationException($"{Session.Names.StreamingJob} has not run yet: start it with RunAsync(workshop.Names.StreamingJob), then run the pipeline live.");
        var now = Session.Clock.GetUtcNow();
        IReadOnlyDictionary<(string ShardId, string SequenceNumber), DateTimeOffset>? refreshes = null;
        var notes = new List<string>
        {
            "A new partition of the raw table is queryable once the crawler has added it; the crawler is run by hand in the workshop.",
        };
        if (local.Warehouse.Clusters().FirstOrDefault() is { } cluster)
        {
            var warehouse = local.Warehouse.Cluster(cluster.Identifier);
            var exists = warehouse.Execute($"SELECT COUNT(*) FROM pg_internal.stv_mv_info WHERE name = '{warehouseView.Replace("'", "''")}'",
                cancellationToken).Rows is [[long count]] && count > 0;
            if (exists)
            {
                refreshes = warehouse.Execute($"SELECT shard_id, sequence_number, MIN(refresh_time) FROM {warehouseView} GROUP BY 1, 2", cancellationToken).Rows
                    .ToDictionary(r => ((string)r[0]!, (string)r[1]!), r => FreshnessMeasurement.RefreshTime(r[2]));
                notes.Add($"The local warehouse refreshes the view {warehouseView} every {Warehouse.LocalWarehouse.AutoRefreshInterval.TotalSeconds:0} s (AUTO REFRESH YES); Redshift sets no interval and refreshes it as soon as it can.");
            }
        }
        return await FreshnessMeasurement.MeasureAsync(Session, new FreshnessMeasurement.Window(run.StartedOn, now, run.Id, run.StartedOn,
            CrawlEvery: TimeSpan.FromDays(1), QueriesPerDay: 1440, refreshes, notes), cancellationToken);
    }

    /// <summary>The notebook's challenge: each city's warmest hour on average in °F from curated_weather, checked against the raw lake.</summary>
    public Task<ChallengeVerdict> CheckChallengeAsync(string sql, CancellationToken cancellationToken = default) =>
        EtlChallenge.CheckAsync(Session, sql, cancellationToken);

    private CallsView Calls => new("workshop.Jobs: the stack's Glue ETL jobs", [
        ("ListAsync()", "GetJobs: each job's type, workers, Glue version and cost per hour"),
        ("RunAsync(name, wait)", "StartJobRun, then GetJobRun until it ends (a streaming job: until RUNNING)"),
        ("RunsAsync(name)", "GetJobRuns, newest first"),
        ("StopAsync(name)", "BatchStopJobRun, then GetJobRun until each run has stopped"),
        ("ResetBookmarkAsync(name)", "ResetJobBookmark: the batch job's next run reads everything again"),
        ("LogAsync(runId)", "the run's lines in /aws-glue/jobs/output and /aws-glue/jobs/error (local)"),
        ("CuratedFilesAsync()", "ListObjectsV2 under curated/ in the lake bucket"),
        ("ShowDashboardAsync(until)", "the streaming job's latest readings and 5-minute averages, live"),
        ("FreshnessAsync()", "produce-to-queryable delay per path, on the virtual clock (local)"),
        ("CheckChallengeAsync(sql)", "the query on Athena, judged against the raw lake"),
    ]);

    public string ToHtml() => Calls.ToHtml();

    public override string ToString() => Calls.ToString();
}
