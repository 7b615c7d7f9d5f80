namespace StreamingWorkshop.Workflows.Asl;

/// <summary>The error names the States Language reserves (States.*), and how a Retry's or Catch's ErrorEquals matches them.</summary>
public static class StatesErrors
{
    public const string All = "States.ALL";
    public const string HeartbeatTimeout = "States.HeartbeatTimeout";
    public const string Timeout = "States.Timeout";
    public const string TaskFailed = "States.TaskFailed";
    public const string Permissions = "States.Permissions";
    public const string ResultPathMatchFailure = "States.ResultPathMatchFailure";
    public const string ParameterPathFailure = "States.ParameterPathFailure";
    public const string BranchFailed = "States.BranchFailed";
    public const string NoChoiceMatched = "States.NoChoiceMatched";
    public const string IntrinsicFailure = "States.IntrinsicFailure";
    public const string ExceedToleratedFailureThreshold = "States.ExceedToleratedFailureThreshold";
    public const string ItemReaderFailed = "States.ItemReaderFailed";
    public const string ResultWriterFailed = "States.ResultWriterFailed";
    public const string Runtime = "States.Runtime";
    public const string QueryEvaluationError = "States.QueryEvaluationError";

    /// <summary>Every reserved name; an ErrorEquals naming another States.* name is refused.</summary>
    public static readonly IReadOnlyList<string> Reserved =
    [
        All, HeartbeatTimeout, Timeout, TaskFailed, Permissions, ResultPathMatchFailure, ParameterPathFailure, BranchFailed,
        NoChoiceMatched, IntrinsicFailure, ExceedToleratedFailureThreshold, ItemReaderFailed, ResultWriterFailed, Runtime,
        QueryEvaluationError,
    ];

    /// <summary>
    /// Whether <paramref name="pattern"/> (one ErrorEquals entry) matches <paramref name="error"/>: the name itself;
    /// States.ALL matches every error but States.Runtime (which no retrier or catcher handles); States.TaskFailed
    /// matches any error but States.Timeout.
    /// </summary>
    public static bool Matches(string pattern, string error)
    {
        if (error == Runtime)
            return false;
        if (pattern == All)
            return true;
        if (pattern == TaskFailed)
            return error != Timeout;
        return pattern == error;
    }
}
