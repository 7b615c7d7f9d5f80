namespace StreamingWorkshop.Jobs;

/// <summary>Runs the batch job's runs on the local backend.</summary>
internal sealed class BatchJobRuntime(LocalJobService jobs) : IJobRuntime
{
    internal LocalJobService Jobs { get; } = jobs;

    public JobRun Start(GlueJob job, JobRun run) => throw Pending();

    public JobRun Settle(GlueJob job, JobRun run) => throw Pending();

    public JobRun Stop(GlueJob job, JobRun run) => throw Pending();

    private static NotSupportedException Pending() => new("The batch job runtime is being built.");
}
