using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Jobs;

/// <summary>StartJobRun was refused because the job already has as many active runs as it allows (MaxConcurrentRuns).</summary>
public sealed class ConcurrentRunsExceededException(string message) : ServiceException("glue", nameof(ConcurrentRunsExceededException), message);

/// <summary>The error code BatchStopJobRun gives for a run that cannot be stopped (it has ended, or there is no such run).</summary>
public static class JobRunStopErrorCodes
{
    public const string InvalidInput = "InvalidInputException";
    public const string EntityNotFound = "EntityNotFoundException";
}
