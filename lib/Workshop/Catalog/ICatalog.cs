using StreamingWorkshop.Display;

namespace StreamingWorkshop.Catalog;

/// <summary>
/// The Data Catalog and its crawlers, as Glue serves them: locally <see cref="LocalGlueCatalog"/> and
/// <see cref="LocalCrawlers"/> in the workspace, on AWS the Glue API.
/// </summary>
public interface ICatalog
{
    Task<GlueDatabase> GetDatabaseAsync(string name, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<GlueTable>> GetTablesAsync(string database, CancellationToken cancellationToken = default);
    Task<GlueTable> GetTableAsync(string database, string table, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<GluePartition>> GetPartitionsAsync(string database, string table, CancellationToken cancellationToken = default);

    /// <summary>Changes one column's declared type, as editing the schema in the Glue console does; returns the new version.</summary>
    Task<GlueTable> UpdateColumnTypeAsync(string database, string table, string column, string newType, CancellationToken cancellationToken = default);

    /// <summary>Runs a crawler to the end (making it first when <paramref name="createIfMissing"/>), reporting each state it passes.</summary>
    Task<CrawlerInfo> CrawlAsync(CrawlerDefinition definition, bool createIfMissing, IProgress<string>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>The catalog stage on the local backend.</summary>
public sealed class LocalCatalog(LocalGlueCatalog catalog, LocalCrawlers crawlers) : ICatalog, IHtmlDisplay
{
    /// <summary>In a notebook, the catalog stage's calls rather than an object tree.</summary>
    public string ToHtml() => StageCalls.Catalog.ToHtml();

    public override string ToString() => StageCalls.Catalog.ToString();

    public Task<GlueDatabase> GetDatabaseAsync(string name, CancellationToken cancellationToken = default) => Task.FromResult(catalog.GetDatabase(name));

    public Task<IReadOnlyList<GlueTable>> GetTablesAsync(string database, CancellationToken cancellationToken = default) => Task.FromResult(catalog.GetTables(database));

    public Task<GlueTable> GetTableAsync(string database, string table, CancellationToken cancellationToken = default) => Task.FromResult(catalog.GetTable(database, table));

    public Task<IReadOnlyList<GluePartition>> GetPartitionsAsync(string database, string table, CancellationToken cancellationToken = default) =>
        Task.FromResult(catalog.GetPartitions(database, table));

    public Task<GlueTable> UpdateColumnTypeAsync(string database, string table, string column, string newType, CancellationToken cancellationToken = default) =>
        Task.FromResult(catalog.UpdateColumnType(database, table, column, newType));

    public async Task<CrawlerInfo> CrawlAsync(CrawlerDefinition definition, bool createIfMissing, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        if (createIfMissing && !crawlers.Exists(definition.Name)) crawlers.CreateCrawler(definition);
        // A policy asked for now replaces the one the crawler was made with.
        else if (definition.SchemaChangePolicy is not null || definition.Configuration is not null)
            crawlers.UpdateCrawler(definition.Name, definition.SchemaChangePolicy, definition.Configuration);
        return await crawlers.StartCrawlerAsync(definition.Name, cancellationToken);
    }
}
