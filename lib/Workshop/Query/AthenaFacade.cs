using System.Text.RegularExpressions;
using StreamingWorkshop.Display;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;

namespace StreamingWorkshop.Query;

/// <summary><c>workshop.Athena</c>: the Athena query editor's view: run SQL, look at past queries, see where results go.</summary>
public sealed partial class AthenaFacade : IHtmlDisplay
{
    private readonly WorkshopSession session;

    internal AthenaFacade(WorkshopSession session) => this.session = session;

    /// <summary>Where Athena runs the workshop's queries and writes their results.</summary>
    public AthenaSettings Settings => new(session.Names.Database, session.Names.ResultsBucket);

    /// <summary>Runs Athena SQL against the workshop database (or another) and returns the result with its statistics.</summary>
    public async Task<QueryResult> QueryAsync(string sql, string? database = null, CancellationToken cancellationToken = default)
    {
        var settings = await SettingsForAsync(database, cancellationToken);
        var progress = session.ProgressLines<QueryExecution>(q => q.State == QueryStates.Succeeded ? null : $"query {q.QueryExecutionId}: {q.State}");
        try
        {
            return await session.Stages.Query.RunAsync(sql, settings, database, progress, cancellationToken);
        }
        catch (AthenaQueryException error) when (error.ErrorType == "TABLE_NOT_FOUND" && !error.CrawlerMakesTheTable && !error.NamesEngineCatalog)
        {
            if (!await CrawlerMakesAsync(error.Detail, database, cancellationToken)) throw;
            throw new AthenaQueryException(error.ErrorType, error.Detail, error.QueryExecutionId)
            {
                CrawlerMakesTheTable = true,
                LakeIsEmpty = database is null && await LakeIsEmptyAsync(cancellationToken),
            };
        }
    }

    /// <summary>
    /// The stack's results bucket when it is deployed. On AWS a query on a named database needs no stack: without one
    /// the results go where the workgroup's settings say, as Athena does when a query gives no result location.
    /// </summary>
    private async Task<AthenaSettings> SettingsForAsync(string? database, CancellationToken cancellationToken)
    {
        try
        {
            await session.EnsurePipelineAsync(cancellationToken);
            return Settings;
        }
        catch (StackNotDeployedException missing)
        {
            if (database is null)
                throw new InvalidOperationException($"{missing.Message.TrimEnd('.', ' ')}; or name the database (--database NAME).", missing);
            return new AthenaSettings(database, ResultsBucket: "");
        }
    }

    /// <summary>The most recent queries, newest first, with what each scanned and cost.</summary>
    public async Task<QueryHistoryView> RecentQueriesAsync(int max = 50, CancellationToken cancellationToken = default) =>
        new(await session.Stages.Query.ListQueryExecutionsAsync(Settings, max, cancellationToken));

    /// <summary>
    /// Whether a missing table is the crawler's to make: the catalog has no tables yet, or the name has the crawler's raw_
    /// prefix and the crawler has made none of its tables. A raw_ name beside the crawler's own tables is a misspelling.
    /// </summary>
    private async Task<bool> CrawlerMakesAsync(string detail, string? database, CancellationToken cancellationToken)
    {
        IReadOnlyList<GlueTable> tables;
        try
        {
            tables = await session.Stages.Catalog.GetTablesAsync(database ?? session.Names.Database, cancellationToken);
        }
        catch (ServiceException)
        {
            return true;
        }
        if (tables.Count == 0) return true;
        return MissingTableName().Match(detail) is { Success: true } missing
               && missing.Groups["name"].Value.StartsWith(WorkshopSession.CrawlerTablePrefix, StringComparison.Ordinal)
               && !tables.Any(table => table.Name.StartsWith(WorkshopSession.CrawlerTablePrefix, StringComparison.Ordinal));
    }

    /// <summary>Whether the crawler's target in the lake holds no object: one listing call of one key.</summary>
    private async Task<bool> LakeIsEmptyAsync(CancellationToken cancellationToken)
    {
        try
        {
            var listed = await session.Lake.ListObjectsV2Async(new ListObjectsRequest(session.Names.LakeBucket, Prefix: "weather-data/", MaxKeys: 1), cancellationToken);
            return listed.KeyCount == 0;
        }
        catch (ServiceException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"'(?:[^']*\.)?(?<name>[^'.]+)' does not exist")]
    private static partial Regex MissingTableName();

    private CallsView Calls => new($"workshop.Athena: queries on {session.Names.Database}", [
        ("QueryAsync(sql)", "StartQueryExecution, GetQueryExecution until done, GetQueryResults"),
        ("RecentQueriesAsync()", "ListQueryExecutions, BatchGetQueryExecution"),
        ("Settings", "the workgroup's database and results location"),
    ]);

    public string ToHtml() => Calls.ToHtml();

    public override string ToString() => Calls.ToString();
}
