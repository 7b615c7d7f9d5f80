using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Query;

/// <summary>
/// A failed query, in Athena's words: the error name Trino gives (COLUMN_NOT_FOUND, TABLE_NOT_FOUND, SYNTAX_ERROR,
/// FUNCTION_NOT_FOUND, TYPE_MISMATCH, ...) and a message with the line and column in the query as written.
/// </summary>
public sealed class AthenaQueryException(string errorType, string detail, string? queryExecutionId = null)
    : ServiceException("athena", errorType, $"{errorType}: {detail}")
{
    public string ErrorType { get; } = errorType;
    public string Detail { get; } = detail;
    public string? QueryExecutionId { get; } = queryExecutionId;

    /// <summary>1 = system, 2 = user, as Athena's AthenaError.ErrorCategory.</summary>
    public int ErrorCategory => ErrorType is "INTERNAL_ERROR" ? 1 : 2;
}
