using System.Text.Json.Nodes;
using StreamingWorkshop.Display;
using StreamingWorkshop.Jobs;

namespace StreamingWorkshop.Aws;

/// <summary>The Glue API's job calls (GetJobs, GetJob, StartJobRun, GetJobRun, GetJobRuns, BatchStopJobRun, ResetJobBookmark).</summary>
public sealed class GlueJobsClient(AwsJsonClient glue) : IJobService, IHtmlDisplay, IDisposable
{
    /// <summary>In a notebook, the jobs stage's calls rather than an object tree.</summary>
    public string ToHtml() => StageCalls.Jobs.ToHtml();

    public override string ToString() => StageCalls.Jobs.ToString();

    /// <summary>The most runs GetJobRuns gives in one page.</summary>
    public const int MaxRunsPerPage = 200;

    public async Task<IReadOnlyList<GlueJob>> GetJobsAsync(CancellationToken cancellationToken = default)
    {
        var jobs = new List<GlueJob>();
        string? next = null;
        do
        {
            var request = new JsonObject();
            if (next is not null) request["NextToken"] = next;
            var page = await glue.CallAsync("GetJobs", request, cancellationToken);
            jobs.AddRange(page["Jobs"]?.AsArray().Select(j => ReadJob(j!)) ?? []);
            next = (string?)page["NextToken"];
        } while (next is not null);
        return jobs;
    }

    public async Task<GlueJob> GetJobAsync(string jobName, CancellationToken cancellationToken = default) =>
        ReadJob((await glue.CallAsync("GetJob", new JsonObject { ["JobName"] = jobName }, cancellationToken))["Job"]!);

    public async Task<string> StartJobRunAsync(string jobName, IReadOnlyDictionary<string, string>? arguments = null, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject { ["JobName"] = jobName };
        if (arguments is { Count: > 0 }) request["Arguments"] = new JsonObject(arguments.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value)));
        return (string)(await glue.CallAsync("StartJobRun", request, cancellationToken))["JobRunId"]!;
    }

    public async Task<JobRun> GetJobRunAsync(string jobName, string runId, CancellationToken cancellationToken = default) =>
        ReadRun((await glue.CallAsync("GetJobRun", new JsonObject { ["JobName"] = jobName, ["RunId"] = runId }, cancellationToken))["JobRun"]!);

    /// <summary>The job's runs, newest first, page by page until <paramref name="maxResults"/> are read or there are no more.</summary>
    public async Task<IReadOnlyList<JobRun>> GetJobRunsAsync(string jobName, int maxResults = 100, CancellationToken cancellationToken = default)
    {
        if (maxResults < 1) throw new ArgumentOutOfRangeException(nameof(maxResults), maxResults, "Ask for at least one run.");
        var runs = new List<JobRun>();
        string? next = null;
        do
        {
            var request = new JsonObject { ["JobName"] = jobName, ["MaxResults"] = Math.Min(MaxRunsPerPage, maxResults - runs.Count) };
            if (next is not null) request["NextToken"] = next;
            var page = await glue.CallAsync("GetJobRuns", request, cancellationToken);
            runs.AddRange(page["JobRuns"]?.AsArray().Select(r => ReadRun(r!)) ?? []);
            next = (string?)page["NextToken"];
        } while (next is not null && runs.Count < maxResults);
        return runs.Take(maxResults).ToArray();
    }

    public async Task<(IReadOnlyList<string> Stopping, IReadOnlyList<JobRunStopError> Errors)> BatchStopJobRunAsync(string jobName, IReadOnlyList<string> runIds,
        CancellationToken cancellationToken = default)
    {
        var reply = await glue.CallAsync("BatchStopJobRun", new JsonObject
        {
            ["JobName"] = jobName,
            ["JobRunIds"] = new JsonArray(runIds.Select(id => (JsonNode)id).ToArray()),
        }, cancellationToken);
        var stopping = reply["SuccessfulSubmissions"]?.AsArray().Select(s => (string)s!["JobRunId"]!).ToArray() ?? [];
        var errors = reply["Errors"]?.AsArray().Select(e => new JobRunStopError((string?)e!["JobRunId"] ?? "",
            (string?)e["ErrorDetail"]?["ErrorCode"] ?? "", (string?)e["ErrorDetail"]?["ErrorMessage"] ?? "")).ToArray() ?? [];
        return (stopping, errors);
    }

    public async Task ResetJobBookmarkAsync(string jobName, CancellationToken cancellationToken = default) =>
        await glue.CallAsync("ResetJobBookmark", new JsonObject { ["JobName"] = jobName }, cancellationToken);

    public void Dispose() => glue.Dispose();

    private static GlueJob ReadJob(JsonNode j)
    {
        var command = j["Command"];
        return new GlueJob(
            (string)j["Name"]!,
            (string?)j["Role"] ?? "",
            new JobCommand((string?)command?["Name"] ?? "", (string?)command?["ScriptLocation"] ?? "", (string?)command?["PythonVersion"] ?? "3"),
            Arguments(j["DefaultArguments"]),
            (string?)j["GlueVersion"] ?? "",
            (string?)j["WorkerType"] ?? "",
            (int?)j["NumberOfWorkers"] ?? 0,
            (int?)j["Timeout"] ?? 0,
            (int?)j["MaxRetries"] ?? 0,
            (string?)j["Description"],
            j["CreatedOn"] is { } created ? AwsJson.Timestamp(created) : null);
    }

    private static JobRun ReadRun(JsonNode r)
    {
        var (workerType, workers, executionTime) = ((string?)r["WorkerType"] ?? "", (int?)r["NumberOfWorkers"] ?? 0, (int?)r["ExecutionTime"] ?? 0);
        return new JobRun(
            (string)r["Id"]!,
            (string?)r["JobName"] ?? "",
            (int?)r["Attempt"] ?? 0,
            (string?)r["JobRunState"] ?? "",
            Arguments(r["Arguments"]),
            AwsJson.Timestamp(r["StartedOn"]),
            AwsJson.Timestamp(r["LastModifiedOn"]),
            r["CompletedOn"] is { } completed ? AwsJson.Timestamp(completed) : null,
            executionTime,
            (int?)r["Timeout"] ?? 0,
            workerType,
            workers,
            (string?)r["GlueVersion"] ?? "",
            (string?)r["ErrorMessage"],
            (string?)r["LogGroupName"] ?? JobLogGroups.Output,
            // Glue reports DPUSeconds only for Flex and auto-scaled runs; a standard run is billed for its workers the whole time, at least a minute.
            (double?)r["DPUSeconds"] ?? BilledDpuSeconds(workerType, workers, executionTime));
    }

    /// <summary>What a standard run is billed for: every worker's DPU for the whole run, at least one minute (Glue 2.0 and later).</summary>
    public static double BilledDpuSeconds(string workerType, int workers, int executionSeconds) =>
        GlueBilling.SparkWorkerTypes.ContainsKey(workerType) ? GlueBilling.BilledDpuSeconds(workerType, workers, executionSeconds) : 0;

    private static IReadOnlyDictionary<string, string> Arguments(JsonNode? map) =>
        map?.AsObject().ToDictionary(a => a.Key, a => (string?)a.Value ?? "", StringComparer.Ordinal) ?? new Dictionary<string, string>(StringComparer.Ordinal);
}
