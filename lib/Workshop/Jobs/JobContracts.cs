namespace StreamingWorkshop.Jobs;

/// <summary>What a Glue job runs: its command's name (glueetl for batch Spark, gluestreaming for streaming) and script.</summary>
public sealed record JobCommand(string Name, string ScriptLocation, string PythonVersion = "3");

/// <summary>The command names Glue knows for Spark jobs.</summary>
public static class JobCommandNames
{
    public const string Batch = "glueetl";
    public const string Streaming = "gluestreaming";
}

/// <summary>A Glue job as GetJob describes it: what it runs, with which arguments, on how many workers of which type.</summary>
public sealed record GlueJob(
    string Name,
    string Role,
    JobCommand Command,
    IReadOnlyDictionary<string, string> DefaultArguments,
    string GlueVersion,
    string WorkerType,
    int NumberOfWorkers,
    int TimeoutMinutes,
    int MaxRetries = 0,
    string? Description = null,
    DateTimeOffset? CreatedOn = null);

/// <summary>The states GetJobRun reports (JobRunState).</summary>
public static class JobRunStates
{
    public const string Starting = "STARTING";
    public const string Running = "RUNNING";
    public const string Stopping = "STOPPING";
    public const string Stopped = "STOPPED";
    public const string Succeeded = "SUCCEEDED";
    public const string Failed = "FAILED";
    public const string Timeout = "TIMEOUT";
    public const string Error = "ERROR";

    /// <summary>Whether a run in <paramref name="state"/> has ended and will not change again.</summary>
    public static bool HasEnded(string state) => state is Stopped or Succeeded or Failed or Timeout or Error;
}

/// <summary>
/// One run of a job as GetJobRun reports it. ExecutionTime is in seconds, as the service gives it; DpuSeconds is what
/// the run is billed for (workers × DPU per worker × seconds, at least a minute).
/// </summary>
public sealed record JobRun(
    string Id,
    string JobName,
    int Attempt,
    string JobRunState,
    IReadOnlyDictionary<string, string> Arguments,
    DateTimeOffset StartedOn,
    DateTimeOffset LastModifiedOn,
    DateTimeOffset? CompletedOn,
    int ExecutionTime,
    int TimeoutMinutes,
    string WorkerType,
    int NumberOfWorkers,
    string GlueVersion,
    string? ErrorMessage = null,
    string LogGroupName = JobLogGroups.Output,
    double DpuSeconds = 0);

/// <summary>Where a job's driver writes its log, as CloudWatch log groups (one stream per run, named by the run's id).</summary>
public static class JobLogGroups
{
    public const string Output = "/aws-glue/jobs/output";
    public const string Error = "/aws-glue/jobs/error";
}

/// <summary>A run BatchStopJobRun could not stop, with the service's error code and message.</summary>
public sealed record JobRunStopError(string JobRunId, string ErrorCode, string ErrorMessage);

/// <summary>
/// The jobs stage: Glue ETL jobs through the Glue API's job calls. Locally a runtime on the virtual clock that runs the
/// kit's transformation (<see cref="ReadingsCuration"/>) with DuckDB; on AWS the Glue service running the PySpark scripts.
/// </summary>
public interface IJobService
{
    /// <summary>Every job (GetJobs).</summary>
    Task<IReadOnlyList<GlueJob>> GetJobsAsync(CancellationToken cancellationToken = default);

    /// <summary>One job (GetJob); EntityNotFoundException when there is none by that name.</summary>
    Task<GlueJob> GetJobAsync(string jobName, CancellationToken cancellationToken = default);

    /// <summary>Starts a run and returns its id (StartJobRun). Arguments override the job's default arguments.</summary>
    Task<string> StartJobRunAsync(string jobName, IReadOnlyDictionary<string, string>? arguments = null, CancellationToken cancellationToken = default);

    /// <summary>One run (GetJobRun).</summary>
    Task<JobRun> GetJobRunAsync(string jobName, string runId, CancellationToken cancellationToken = default);

    /// <summary>The job's runs, newest first (GetJobRuns).</summary>
    Task<IReadOnlyList<JobRun>> GetJobRunsAsync(string jobName, int maxResults = 100, CancellationToken cancellationToken = default);

    /// <summary>Asks runs to stop (BatchStopJobRun); returns the ids accepted and the errors for the rest.</summary>
    Task<(IReadOnlyList<string> Stopping, IReadOnlyList<JobRunStopError> Errors)> BatchStopJobRunAsync(string jobName, IReadOnlyList<string> runIds, CancellationToken cancellationToken = default);

    /// <summary>Forgets what the job's bookmark says it has processed, so the next run reads everything (ResetJobBookmark).</summary>
    Task ResetJobBookmarkAsync(string jobName, CancellationToken cancellationToken = default);
}
