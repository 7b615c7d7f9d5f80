using StreamingWorkshop.Catalog;
using StreamingWorkshop.Display;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Query;

/// <summary>Athena: running SQL over the catalog's tables and listing past queries. Locally DuckDB in a sandbox; on AWS the Athena API.</summary>
public interface IQueryService : IDisposable
{
    /// <summary>Runs one statement to the end and returns its rows and statistics; reports each state it passes on the way.</summary>
    Task<QueryResult> RunAsync(string sql, AthenaSettings settings, string? database = null, IProgress<QueryExecution>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>The most recent queries of the settings' workgroup, newest first.</summary>
    Task<IReadOnlyList<QueryExecution>> ListQueryExecutionsAsync(AthenaSettings settings, int max = 50, CancellationToken cancellationToken = default);
}

/// <summary>
/// The query stage on the local backend: one <see cref="LocalAthena"/>, started on first use with the settings of that
/// moment (the pipeline's names are known by then).
/// </summary>
public sealed class LocalQueryService(WorkspaceDirectory workspace, TimeProvider clock, LocalGlueCatalog catalog, LocalObjectStore lake) : IQueryService, IHtmlDisplay
{
    /// <summary>In a notebook, the query stage's calls rather than an object tree: the stage's, then the local engine's own.</summary>
    public string ToHtml() => StageCalls.Query.ToHtml() + OwnCalls.ToHtml();

    public override string ToString() => StageCalls.Query + "\n" + OwnCalls;

    private static readonly CallsView OwnCalls = new("workshop.Local.Query: the local query stage's own call (local backend only)", [
        ("Engine(settings)", "none: the local Athena engine, started with these settings on first use (workshop.Local.Athena)"),
    ]);

    private readonly Lock starting = new();
    private LocalAthena? engine;

    /// <summary>The engine, started with <paramref name="settings"/> if it is not running yet.</summary>
    public LocalAthena Engine(AthenaSettings settings)
    {
        lock (starting) return engine ??= new LocalAthena(workspace, clock, catalog, lake, settings);
    }

    public Task<QueryResult> RunAsync(string sql, AthenaSettings settings, string? database = null, IProgress<QueryExecution>? progress = null, CancellationToken cancellationToken = default) =>
        Engine(settings).RunAsync(sql, database, cancellationToken);

    public Task<IReadOnlyList<QueryExecution>> ListQueryExecutionsAsync(AthenaSettings settings, int max = 50, CancellationToken cancellationToken = default) =>
        Task.FromResult(Engine(settings).ListQueryExecutions(max));

    public void Dispose()
    {
        lock (starting) engine?.Dispose();
    }
}
