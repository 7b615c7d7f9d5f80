namespace StreamingWorkshop.Warehouse;

/// <summary>Which cluster, database and user a statement runs as, as the Redshift Data API names them.</summary>
public sealed record WarehouseTarget(string ClusterIdentifier, string Database, string DbUser);

/// <summary>The states the Data API reports for a statement (DescribeStatement's Status).</summary>
public static class StatementStatuses
{
    public const string Submitted = "SUBMITTED";
    public const string Picked = "PICKED";
    public const string Started = "STARTED";
    public const string Finished = "FINISHED";
    public const string Aborted = "ABORTED";
    public const string Failed = "FAILED";

    /// <summary>Whether a statement in <paramref name="status"/> has ended and will not change again.</summary>
    public static bool HasEnded(string status) => status is Finished or Aborted or Failed;
}

/// <summary>A result column as GetStatementResult's ColumnMetadata gives it: its name and Redshift's type name (int8, varchar, float8, timestamp, super, ...).</summary>
public sealed record WarehouseColumn(string Name, string TypeName);

/// <summary>One statement of a batch, as DescribeStatement's SubStatements lists it.</summary>
public sealed record SubStatement(string Id, string QueryString, string Status, string? Error, long DurationNanoseconds, bool HasResultSet, long ResultRows, long ResultSize, long RedshiftQueryId = 0);

/// <summary>A statement as DescribeStatement reports it. A batch's own fields sum its sub-statements.</summary>
public sealed record StatementDescription(
    string Id,
    string QueryString,
    string Status,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long DurationNanoseconds,
    bool HasResultSet,
    long ResultRows,
    long ResultSize,
    string ClusterIdentifier,
    string Database,
    string DbUser,
    string? StatementName = null,
    IReadOnlyList<SubStatement>? SubStatements = null,
    long RedshiftQueryId = 0);

/// <summary>
/// One page of a statement's result (GetStatementResult): typed values (long, double, string, bool, byte[] or null;
/// timestamps as Redshift's text form), the total row count, and the token of the next page (null on the last).
/// </summary>
public sealed record StatementResultPage(IReadOnlyList<WarehouseColumn> Columns, IReadOnlyList<object?[]> Records, long TotalNumRows, string? NextToken);

/// <summary>
/// The warehouse stage: SQL on a Redshift cluster through the Redshift Data API's calls. Locally an embedded engine per
/// cluster in the workspace; on AWS the Data API itself. Statements run asynchronously: execute, describe until ended, read.
/// </summary>
public interface IWarehouseService
{
    /// <summary>Starts one statement and returns its id (ExecuteStatement).</summary>
    Task<string> ExecuteStatementAsync(WarehouseTarget target, string sql, string? statementName = null, CancellationToken cancellationToken = default);

    /// <summary>Starts statements that run one after another in one transaction and returns the batch's id (BatchExecuteStatement).</summary>
    Task<string> BatchExecuteStatementAsync(WarehouseTarget target, IReadOnlyList<string> sqls, string? statementName = null, CancellationToken cancellationToken = default);

    /// <summary>A statement's state, timing and result size (DescribeStatement). A sub-statement's id is the batch's id, a colon and its number.</summary>
    Task<StatementDescription> DescribeStatementAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>One page of a finished statement's rows (GetStatementResult).</summary>
    Task<StatementResultPage> GetStatementResultAsync(string id, string? nextToken = null, CancellationToken cancellationToken = default);

    /// <summary>Cancels a statement that has not ended (CancelStatement); true when it was cancelled.</summary>
    Task<bool> CancelStatementAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// A task that ends when statement <paramref name="id"/> does, where this process runs it, so a waiter asks again at
    /// once rather than after its next poll; null where the statement runs elsewhere (on a cluster, or in another process).
    /// </summary>
    Task? RunningTask(string id) => null;
}
