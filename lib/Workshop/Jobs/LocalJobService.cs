using StreamingWorkshop.Broker;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Stack;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Jobs;

/// <summary>The Glue job API on the local backend: the stacks' jobs, run on the virtual clock in the workspace.</summary>
public sealed class LocalJobService(WorkspaceDirectory workspace, VirtualClock clock, LocalObjectStore lake, LocalGlueCatalog catalog,
    LocalStreamService stream, LocalCloudFormation stacks) : IJobService
{
    internal WorkspaceDirectory Workspace { get; } = workspace;
    internal VirtualClock Clock { get; } = clock;
    internal LocalObjectStore Lake { get; } = lake;
    internal LocalGlueCatalog Catalog { get; } = catalog;
    internal LocalStreamService Stream { get; } = stream;
    internal LocalCloudFormation Stacks { get; } = stacks;

    /// <summary>Records a job the stack defines (AWS::Glue::Job), replacing one by that name.</summary>
    internal void PutJob(GlueJob job) => throw Pending();

    /// <summary>Forgets a job the stack no longer defines, with its runs and bookmark.</summary>
    internal void DeleteJob(string jobName) => throw Pending();

    public Task<IReadOnlyList<GlueJob>> GetJobsAsync(CancellationToken cancellationToken = default) => throw Pending();

    public Task<GlueJob> GetJobAsync(string jobName, CancellationToken cancellationToken = default) => throw Pending();

    public Task<string> StartJobRunAsync(string jobName, IReadOnlyDictionary<string, string>? arguments = null, CancellationToken cancellationToken = default) =>
        throw Pending();

    public Task<JobRun> GetJobRunAsync(string jobName, string runId, CancellationToken cancellationToken = default) => throw Pending();

    public Task<IReadOnlyList<JobRun>> GetJobRunsAsync(string jobName, int maxResults = 100, CancellationToken cancellationToken = default) => throw Pending();

    public Task<(IReadOnlyList<string> Stopping, IReadOnlyList<JobRunStopError> Errors)> BatchStopJobRunAsync(string jobName, IReadOnlyList<string> runIds,
        CancellationToken cancellationToken = default) => throw Pending();

    public Task ResetJobBookmarkAsync(string jobName, CancellationToken cancellationToken = default) => throw Pending();

    private static NotSupportedException Pending() => new("The local job runtime is being built.");
}
