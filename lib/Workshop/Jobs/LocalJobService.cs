using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Display;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Stack;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Jobs;

/// <summary>
/// The Glue job API on the local backend: the stacks' jobs, run on the virtual clock in the workspace.
/// A job's definition is state/jobs/&lt;job&gt;/job.json; each run is a record in state/jobs/&lt;job&gt;/runs/, and a runtime
/// (batch or streaming, by the job's command) keeps whatever else it needs (bookmark, checkpoints) in the job's folder.
/// Runs move lazily: every call that returns a run first settles it up to the clock's time, so what a run shows depends
/// only on the virtual clock.
/// </summary>
public sealed class LocalJobService : IJobService, IHtmlDisplay
{
    /// <summary>In a notebook, the jobs stage's calls rather than an object tree.</summary>
    public string ToHtml() => StageCalls.Jobs.ToHtml();

    public override string ToString() => StageCalls.Jobs.ToString();

    /// <summary>Glue's default MaxConcurrentRuns: one active run per job.</summary>
    public const int MaxConcurrentRuns = 1;

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
    private readonly object sync = new();
    private readonly BatchJobRuntime batch;
    private readonly StreamingJobRuntime streaming;

    public LocalJobService(WorkspaceDirectory workspace, VirtualClock clock, LocalObjectStore lake, LocalGlueCatalog catalog,
        LocalStreamService stream, LocalCloudFormation stacks)
    {
        Workspace = workspace;
        Clock = clock;
        Lake = lake;
        Catalog = catalog;
        Stream = stream;
        Stacks = stacks;
        CuratedTables = new CuratedTables(workspace, lake, catalog);
        Logs = new ProducerLog(workspace, clock);
        batch = new BatchJobRuntime(this);
        streaming = new StreamingJobRuntime(this);
    }

    internal WorkspaceDirectory Workspace { get; }
    internal VirtualClock Clock { get; }
    internal LocalObjectStore Lake { get; }
    internal LocalGlueCatalog Catalog { get; }
    internal LocalStreamService Stream { get; }
    internal LocalCloudFormation Stacks { get; }

    /// <summary>Writes the jobs' Parquet tables into the lake and registers them in the catalog.</summary>
    internal CuratedTables CuratedTables { get; }

    /// <summary>The runs' driver logs: groups /aws-glue/jobs/output and /aws-glue/jobs/error, one stream per run id.</summary>
    internal ProducerLog Logs { get; }

    /// <summary>Appends a run's log lines at the virtual times they happened.</summary>
    internal void Log(string group, string runId, params LogEvent[] events) => Logs.AppendToStream(group, runId, events);

    /// <summary>A run's log lines from both groups, in time order (output before error at the same instant).</summary>
    internal IReadOnlyList<(string Group, LogEvent Event)> RunLog(string runId)
    {
        IEnumerable<(string, LogEvent)> Group(string group) =>
            Logs.ListLogStreams(group).Contains(runId) ? Logs.GetLogEvents(group, runId).Select(e => (group, e)) : [];
        return Group(JobLogGroups.Output).Concat(Group(JobLogGroups.Error)).OrderBy(e => e.Item2.Timestamp).ToArray();
    }

    /// <summary>Records a job the stack defines (AWS::Glue::Job), replacing one by that name.</summary>
    internal void PutJob(GlueJob job)
    {
        if (job.Command.Name is not (JobCommandNames.Batch or JobCommandNames.Streaming))
            throw new InvalidInputException($"Job {job.Name} has command '{job.Command.Name}'; the local backend runs {JobCommandNames.Batch} and {JobCommandNames.Streaming} jobs.");
        if (job.NumberOfWorkers < 1)
            throw new InvalidInputException($"Job {job.Name} asks for {job.NumberOfWorkers} workers; give NumberOfWorkers of at least 1 (2 is the smallest Glue allows for Spark jobs).");
        ValidJobName(job.Name);
        lock (sync)
        {
            using var exclusive = Exclusive();
            var path = JobFile(job.Name);
            var created = File.Exists(path) ? ReadJob(path).CreatedOn : null;
            Workspace.WriteAtomically(path, JsonSerializer.SerializeToUtf8Bytes(job with { CreatedOn = created ?? Clock.GetUtcNow() }, JsonOptions));
        }
    }

    /// <summary>Forgets a job the stack no longer defines, with its runs and bookmark.</summary>
    internal void DeleteJob(string jobName)
    {
        ValidJobName(jobName);
        lock (sync)
        {
            using var exclusive = Exclusive();
            var folder = JobFolder(jobName);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    public Task<IReadOnlyList<GlueJob>> GetJobsAsync(CancellationToken cancellationToken = default)
    {
        var root = Workspace.Resolve("state", "jobs");
        IReadOnlyList<GlueJob> jobs = !Directory.Exists(root) ? [] : Directory.GetDirectories(root).Select(d => Path.Combine(d, "job.json"))
            .Where(File.Exists).Select(ReadJob).OrderBy(j => j.Name, StringComparer.Ordinal).ToArray();
        return Task.FromResult(jobs);
    }

    public Task<GlueJob> GetJobAsync(string jobName, CancellationToken cancellationToken = default) => Task.FromResult(GetJob(jobName));

    public Task<string> StartJobRunAsync(string jobName, IReadOnlyDictionary<string, string>? arguments = null, CancellationToken cancellationToken = default)
    {
        lock (sync)
        {
            using var exclusive = Exclusive();
            var job = GetJob(jobName);
            var runs = SettledRuns(job);
            var active = runs.Count(r => !JobRunStates.HasEnded(r.JobRunState));
            if (active >= MaxConcurrentRuns)
            {
                var stop = $"workshop job stop {job.Name}; in a notebook, await workshop.Jobs.StopAsync(\"{job.Name}\")";
                // A streaming run never ends by itself, so waiting for it is no way on: it is already doing the work.
                var wayOn = job.Command.Name == JobCommandNames.Streaming
                    ? $"A streaming job runs until it is stopped, so this run is already reading the stream; to start it afresh, stop it first ({stop})."
                    : $"Wait for it to end, or stop it ({stop}).";
                throw new ConcurrentRunsExceededException($"Concurrent runs exceeded for {job.Name}: run {runs.First(r => !JobRunStates.HasEnded(r.JobRunState)).Id} is still active. {wayOn}");
            }
            var now = Clock.GetUtcNow();
            var sequence = runs.Count + 1;
            var run = new JobRun(RunId(job.Name, now, sequence), job.Name, 0, JobRunStates.Starting,
                new Dictionary<string, string>(arguments ?? new Dictionary<string, string>(), StringComparer.Ordinal), now, now, null, 0,
                job.TimeoutMinutes, job.WorkerType, job.NumberOfWorkers, job.GlueVersion);
            SaveRun(sequence, run);
            SaveRun(sequence, RuntimeFor(job).Start(job, run));
            return Task.FromResult(run.Id);
        }
    }

    public Task<JobRun> GetJobRunAsync(string jobName, string runId, CancellationToken cancellationToken = default)
    {
        lock (sync)
        {
            using var exclusive = Exclusive();
            var job = GetJob(jobName);
            var (sequence, run) = FindRun(job.Name, runId);
            return Task.FromResult(Settle(job, sequence, run));
        }
    }

    public Task<IReadOnlyList<JobRun>> GetJobRunsAsync(string jobName, int maxResults = 100, CancellationToken cancellationToken = default)
    {
        if (maxResults is < 1 or > 200) throw new InvalidInputException($"MaxResults {maxResults} is out of range; give 1 to 200.");
        lock (sync)
        {
            using var exclusive = Exclusive();
            var job = GetJob(jobName);
            IReadOnlyList<JobRun> runs = SettledRuns(job).AsEnumerable().Reverse().Take(maxResults).ToArray();
            return Task.FromResult(runs);
        }
    }

    public Task<(IReadOnlyList<string> Stopping, IReadOnlyList<JobRunStopError> Errors)> BatchStopJobRunAsync(string jobName, IReadOnlyList<string> runIds,
        CancellationToken cancellationToken = default)
    {
        if (runIds.Count is < 1 or > 25) throw new InvalidInputException($"BatchStopJobRun takes 1 to 25 run ids; {runIds.Count} were given.");
        lock (sync)
        {
            using var exclusive = Exclusive();
            var job = GetJob(jobName);
            var stopping = new List<string>();
            var errors = new List<JobRunStopError>();
            foreach (var id in runIds)
            {
                if (TryFindRun(job.Name, id) is not { } found)
                {
                    errors.Add(new JobRunStopError(id, JobRunStopErrorCodes.EntityNotFound, $"Job run {id} not found for job {job.Name}. List its runs with workshop job runs {job.Name}."));
                    continue;
                }
                var (sequence, stored) = found;
                var run = Settle(job, sequence, stored);
                if (JobRunStates.HasEnded(run.JobRunState))
                {
                    errors.Add(new JobRunStopError(id, JobRunStopErrorCodes.InvalidInput, $"Job run {id} cannot be stopped: it has already ended ({run.JobRunState})."));
                    continue;
                }
                SaveRun(sequence, RuntimeFor(job).Stop(job, run));
                stopping.Add(id);
            }
            return Task.FromResult<(IReadOnlyList<string>, IReadOnlyList<JobRunStopError>)>((stopping, errors));
        }
    }

    public Task ResetJobBookmarkAsync(string jobName, CancellationToken cancellationToken = default)
    {
        lock (sync)
        {
            using var exclusive = Exclusive();
            var job = GetJob(jobName);
            var folder = BookmarkFolder(job.Name);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// When a run will next change state on its own (null when the runtime cannot say, or the run has ended), so a wait
    /// can move the clock straight there.
    /// </summary>
    internal DateTimeOffset? NextChangeAt(string jobName, string runId)
    {
        lock (sync)
        {
            using var exclusive = Exclusive();
            var job = GetJob(jobName);
            var (sequence, stored) = FindRun(job.Name, runId);
            var run = Settle(job, sequence, stored);
            return JobRunStates.HasEnded(run.JobRunState) ? null : RuntimeFor(job) is BatchJobRuntime runtime ? runtime.NextChangeAt(job, run) : null;
        }
    }

    /// <summary>The job's folder in the workspace, where its definition, runs and its runtime's state are kept.</summary>
    internal string JobFolder(string jobName) => Workspace.Resolve("state", "jobs", jobName);

    /// <summary>Where a job's bookmark is kept: ResetJobBookmark deletes this folder.</summary>
    internal string BookmarkFolder(string jobName) => Workspace.Resolve("state", "jobs", jobName, "bookmark");

    /// <summary>The arguments a run sees: the job's default arguments with the run's own arguments over them.</summary>
    internal static IReadOnlyDictionary<string, string> EffectiveArguments(GlueJob job, JobRun run)
    {
        var merged = new Dictionary<string, string>(job.DefaultArguments, StringComparer.Ordinal);
        foreach (var (key, value) in run.Arguments) merged[key] = value;
        return merged;
    }

    private GlueJob GetJob(string jobName)
    {
        ValidJobName(jobName);
        var path = JobFile(jobName);
        if (!File.Exists(path))
        {
            var names = GetJobsAsync().Result.Select(j => j.Name).ToArray();
            var known = names.Length == 0 ? "There are no jobs: deploy the stack (workshop deploy)." : $"The jobs are: {string.Join(", ", names)}.";
            throw new EntityNotFoundException($"Job with name: {jobName} not found. {known}");
        }
        return ReadJob(path);
    }

    /// <summary>
    /// Holds the workspace's job lock until disposed, so a notebook and the CLI never settle the same run at once (each
    /// would do its work). Waits for another process's call to finish.
    /// </summary>
    private FileStream Exclusive() => Workspace.Lock("state", "jobs.lock");

    private IJobRuntime RuntimeFor(GlueJob job) => job.Command.Name == JobCommandNames.Streaming ? streaming : batch;

    private JobRun Settle(GlueJob job, int sequence, JobRun run)
    {
        if (JobRunStates.HasEnded(run.JobRunState)) return run;
        var settled = RuntimeFor(job).Settle(job, run);
        if (settled != run) SaveRun(sequence, settled);
        return settled;
    }

    /// <summary>The job's runs, oldest first, each settled up to the clock.</summary>
    private List<JobRun> SettledRuns(GlueJob job) => StoredRuns(job.Name).Select(s => Settle(job, s.Sequence, s.Run)).ToList();

    private IEnumerable<(int Sequence, JobRun Run)> StoredRuns(string jobName)
    {
        var folder = Workspace.Resolve("state", "jobs", jobName, "runs");
        if (!Directory.Exists(folder)) return [];
        return Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal)
            .Select(f => (int.Parse(Path.GetFileName(f)[..6], System.Globalization.CultureInfo.InvariantCulture),
                WorkspaceJson.Read<JobRun>(f, JsonOptions)!)).ToArray();
    }

    private (int Sequence, JobRun Run)? TryFindRun(string jobName, string runId)
    {
        if (!IsRunId(runId)) return null;
        var folder = Workspace.Resolve("state", "jobs", jobName, "runs");
        var file = Directory.Exists(folder) ? Directory.GetFiles(folder, $"*.{runId}.json").FirstOrDefault() : null;
        if (file is null) return null;
        return (int.Parse(Path.GetFileName(file)[..6], System.Globalization.CultureInfo.InvariantCulture),
            WorkspaceJson.Read<JobRun>(file, JsonOptions)!);
    }

    private (int Sequence, JobRun Run) FindRun(string jobName, string runId) =>
        TryFindRun(jobName, runId) ?? throw new EntityNotFoundException($"Job run {runId} not found for job {jobName}. List its runs with workshop job runs {jobName}.");

    private void SaveRun(int sequence, JobRun run) =>
        Workspace.WriteAtomically(Workspace.Resolve("state", "jobs", run.JobName, "runs", $"{sequence:000000}.{run.Id}.json"), JsonSerializer.SerializeToUtf8Bytes(run, JsonOptions));

    /// <summary>
    /// A run id shaped like Glue's (jr_ and 64 hex digits), made from the job, the virtual time and the run's number,
    /// so the same notebook run twice shows the same ids.
    /// </summary>
    private static string RunId(string jobName, DateTimeOffset startedOn, int sequence) =>
        "jr_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{jobName}\n{startedOn.UtcTicks}\n{sequence}")));

    private static bool IsRunId(string id) => id.Length == 67 && id.StartsWith("jr_", StringComparison.Ordinal) && id[3..].All(char.IsAsciiHexDigitLower);

    private string JobFile(string jobName) => Workspace.Resolve("state", "jobs", jobName, "job.json");

    private static GlueJob ReadJob(string path) => WorkspaceJson.Read<GlueJob>(path, JsonOptions)!;

    private static void ValidJobName(string jobName)
    {
        if (string.IsNullOrEmpty(jobName) || jobName.Length > 255 || jobName is "." or ".." || jobName.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw new InvalidInputException($"'{jobName}' is not a job name the kit accepts; use letters, digits, '-', '_' and '.' (up to 255 characters).");
    }
}
