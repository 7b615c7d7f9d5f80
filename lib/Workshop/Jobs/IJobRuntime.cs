namespace StreamingWorkshop.Jobs;

/// <summary>
/// What runs a job's runs on the local backend, one per command (glueetl, gluestreaming). The job service keeps each
/// run's record; a runtime moves the record through its states as the virtual clock passes and does the run's work.
/// </summary>
internal interface IJobRuntime
{
    /// <summary>A new run was accepted at the clock's time: returns its first record (STARTING).</summary>
    JobRun Start(GlueJob job, JobRun run);

    /// <summary>Brings a run up to the clock: does whatever fell due since it was last settled and returns its record now.</summary>
    JobRun Settle(GlueJob job, JobRun run);

    /// <summary>The run was asked to stop (BatchStopJobRun): returns its record (STOPPING, then STOPPED once settled).</summary>
    JobRun Stop(GlueJob job, JobRun run);
}
