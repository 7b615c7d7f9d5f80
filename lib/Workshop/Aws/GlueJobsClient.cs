using StreamingWorkshop.Jobs;

namespace StreamingWorkshop.Aws;

/// <summary>The Glue API's job calls (GetJobs, StartJobRun, GetJobRun, GetJobRuns, BatchStopJobRun, ResetJobBookmark).</summary>
public sealed class GlueJobsClient(AwsJsonClient glue) : IJobService, IDisposable
{
    public Task<IReadOnlyList<GlueJob>> GetJobsAsync(CancellationToken cancellationToken = default) => throw Pending();

    public Task<GlueJob> GetJobAsync(string jobName, CancellationToken cancellationToken = default) => throw Pending();

    public Task<string> StartJobRunAsync(string jobName, IReadOnlyDictionary<string, string>? arguments = null, CancellationToken cancellationToken = default) =>
        throw Pending();

    public Task<JobRun> GetJobRunAsync(string jobName, string runId, CancellationToken cancellationToken = default) => throw Pending();

    public Task<IReadOnlyList<JobRun>> GetJobRunsAsync(string jobName, int maxResults = 100, CancellationToken cancellationToken = default) => throw Pending();

    public Task<(IReadOnlyList<string> Stopping, IReadOnlyList<JobRunStopError> Errors)> BatchStopJobRunAsync(string jobName, IReadOnlyList<string> runIds,
        CancellationToken cancellationToken = default) => throw Pending();

    public Task ResetJobBookmarkAsync(string jobName, CancellationToken cancellationToken = default) => throw Pending();

    public void Dispose() => glue.Dispose();

    private static NotSupportedException Pending() => new("The Glue job client is being built.");
}
