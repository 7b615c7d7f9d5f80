using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Query;

/// <summary>
/// A request Athena refuses (HTTP 400): an unknown query execution, results asked of a query that did not succeed, a
/// parameter out of range, a NextToken Athena did not give, an output bucket that does not exist. Athena has no
/// InvalidArgumentException; InvalidRequestException is the name its SDKs raise for all of these.
/// </summary>
public sealed class InvalidRequestException(string message) : ServiceException("athena", nameof(InvalidRequestException), message);

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

    /// <summary>
    /// Set when the missing table is one the crawler makes (a raw_ table, or any table while the catalog is still
    /// empty); the message then says, after Athena's own words, to run the crawler.
    /// </summary>
    public bool CrawlerMakesTheTable { get; init; }

    /// <summary>Set when the query named one of the engine's own views (pg_settings, duckdb_tables): no crawl would make it.</summary>
    internal bool NamesEngineCatalog { get; init; }

    /// <summary>Set by the local engine when DuckDB found the error before reading a row (in the text, a name or a type).</summary>
    internal bool FailedToBind { get; set; }

    /// <summary>
    /// Set with <see cref="CrawlerMakesTheTable"/> when the lake holds no readings for the crawler to make the table from:
    /// crawling alone would not help, so the message says to fill the lake first.
    /// </summary>
    public bool LakeIsEmpty { get; init; }

    /// <summary>
    /// What a notebook runs to make the crawler's tables. It does not say the crawler makes the table asked for: before the
    /// first crawl any missing name gets it, a misspelt one too.
    /// </summary>
    public const string CrawlerHint = "The crawler makes the lake's tables and has made none yet: run await workshop.CrawlAsync() first, then query again.";

    /// <summary>What a notebook does when the lake is still empty.</summary>
    public const string EmptyLakeHint = "The crawler makes the lake's tables from its readings, and the lake holds none yet: fill it first "
        + "(locally await workshop.CatchUpAsync(3) replays a day; on AWS the producer adds a batch a minute), then run await workshop.CrawlAsync() and query again.";

    public override string Message => CrawlerMakesTheTable ? $"{base.Message}. {(LakeIsEmpty ? EmptyLakeHint : CrawlerHint)}" : base.Message;

    /// <summary>1 = system, 2 = user, as Athena's AthenaError.ErrorCategory.</summary>
    public int ErrorCategory => ErrorType is "INTERNAL_ERROR" ? 1 : 2;
}
