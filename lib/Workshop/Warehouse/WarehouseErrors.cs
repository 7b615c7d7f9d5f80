using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Warehouse;

/// <summary>
/// A statement the warehouse refused or could not run, with Redshift's own message (for example
/// <c>relation "weather" does not exist</c>). Over the Data API it is not a call error: the statement ends FAILED and
/// DescribeStatement's Error reads <c>ERROR: </c> and this message.
/// </summary>
public sealed class RedshiftSqlException(string message, string sqlState = "XX000") : Exception(message)
{
    /// <summary>The SQLSTATE Redshift gives (42P01 for a missing relation, 42601 for a syntax error, 0A000 for what is not supported, XX000 otherwise).</summary>
    public string SqlState { get; } = sqlState;

    /// <summary>The error as DescribeStatement's Error field shows it.</summary>
    public string DataApiError => $"ERROR: {Message}";

    /// <summary>
    /// What must outlive the statement's rolled-back transaction: Redshift writes its system logs (STL_LOAD_ERRORS) whatever
    /// becomes of the statement, so a failed COPY still says why. Run on the same connection after the rollback.
    /// </summary>
    public Action<DuckDB.NET.Data.DuckDBConnection>? AfterRollback { get; init; }

    /// <summary>A feature the local warehouse does not have, named so the learner can look it up.</summary>
    public static RedshiftSqlException NotSupported(string feature, string instead) =>
        new($"Not supported by the local warehouse: {feature}. {instead}", "0A000");
}

/// <summary>A statement that ended FAILED or ABORTED, as the session's calls raise it.</summary>
public sealed class WarehouseStatementException(string statementId, string status, string error)
    : ServiceException("redshift-data", status == StatementStatuses.Aborted ? "StatementAborted" : "StatementFailed", error)
{
    public string StatementId { get; } = statementId;
    public string Status { get; } = status;
}
