using StreamingWorkshop.Display;

namespace StreamingWorkshop.Catalog;

/// <summary><c>workshop.Catalog</c>: the Glue console's view of the workshop's database, its tables and its crawler.</summary>
public sealed class CatalogFacade : IHtmlDisplay
{
    private readonly WorkshopSession session;

    internal CatalogFacade(WorkshopSession session) => this.session = session;

    private ICatalog Catalog => session.Stages.Catalog;

    private Task<string> DatabaseAsync(string? database, CancellationToken cancellationToken) => session.DatabaseNameAsync(database, cancellationToken);

    /// <summary>The workshop's Glue database (or another) and its tables.</summary>
    public async Task<DatabaseView> DescribeDatabaseAsync(string? database = null, CancellationToken cancellationToken = default)
    {
        var name = await DatabaseAsync(database, cancellationToken);
        return new(await Catalog.GetDatabaseAsync(name, cancellationToken), await Catalog.GetTablesAsync(name, cancellationToken));
    }

    /// <summary>A table's columns, partition keys, location and format, with how many partitions it has.</summary>
    public async Task<TableSchemaView> DescribeTableAsync(string table, string? database = null, CancellationToken cancellationToken = default)
    {
        var db = await DatabaseAsync(database, cancellationToken);
        var found = await Catalog.GetTableAsync(db, table, cancellationToken);
        return new TableSchemaView(found, found.IsView ? 0 : (await Catalog.GetPartitionsAsync(db, table, cancellationToken)).Count);
    }

    /// <summary>A table's partitions as the catalog lists them.</summary>
    public async Task<PartitionsView> PartitionsAsync(string table, string? database = null, CancellationToken cancellationToken = default) =>
        new(table, await Catalog.GetPartitionsAsync(await DatabaseAsync(database, cancellationToken), table, cancellationToken));

    /// <summary>Changes a column's declared type in the catalog, as editing the schema in the Glue console does.</summary>
    public async Task<TableSchemaView> AlterColumnTypeAsync(string table, string column, string newType, string? database = null, CancellationToken cancellationToken = default)
    {
        var db = await DatabaseAsync(database, cancellationToken);
        var updated = await Catalog.UpdateColumnTypeAsync(db, table, column, newType, cancellationToken);
        return new TableSchemaView(updated, (await Catalog.GetPartitionsAsync(db, table, cancellationToken)).Count);
    }

    /// <summary>
    /// Runs a crawler; with no name, the workshop's own (weather-data-crawler over the lake's weather-data/ folder
    /// into the workshop database with the prefix raw_), made first if it does not exist yet.
    /// </summary>
    public Task<CrawlerView> CrawlAsync(string? crawlerName = null, CancellationToken cancellationToken = default) =>
        CrawlAsync(crawlerName, null, null, cancellationToken);

    /// <summary>
    /// Runs the workshop's crawler with a schema change policy (UpdateCrawler first when it exists): UpdateBehavior
    /// LOG leaves a changed table as it is; <paramref name="configuration"/>
    /// <see cref="SchemaChangePolicy.InheritFromTableConfiguration"/> gives every new and existing partition the table's schema.
    /// </summary>
    public Task<CrawlerView> CrawlAsync(SchemaChangePolicy policy, string? configuration = null, CancellationToken cancellationToken = default) =>
        CrawlAsync(null, policy, configuration, cancellationToken);

    private async Task<CrawlerView> CrawlAsync(string? crawlerName, SchemaChangePolicy? policy, string? configuration, CancellationToken cancellationToken)
    {
        await session.EnsurePipelineAsync(cancellationToken);
        var names = session.Names;
        var name = crawlerName ?? names.CrawlerName;
        var workshopCrawler = new CrawlerDefinition(name, names.GlueRole, names.Database, WorkshopSession.CrawlerTablePrefix, [$"s3://{names.LakeBucket}/weather-data/"],
            SchemaChangePolicy: policy, Configuration: configuration);
        var progress = session.ProgressLines<string>(state => $"crawler {name}: {state}");
        return new CrawlerView(await Catalog.CrawlAsync(workshopCrawler, createIfMissing: crawlerName is null, progress, cancellationToken));
    }

    private CallsView Calls => new($"workshop.Catalog: database {session.Names.Database}", [
        ("DescribeDatabaseAsync()", "GetDatabase, GetTables"),
        ("DescribeTableAsync(table)", "GetTable, GetPartitions"),
        ("PartitionsAsync(table)", "GetPartitions"),
        ("AlterColumnTypeAsync(table, column, type)", "UpdateTable"),
        ("CrawlAsync()", "CreateCrawler (first time), StartCrawler, GetCrawler until READY"),
    ]);

    public string ToHtml() => Calls.ToHtml();

    public override string ToString() => Calls.ToString();
}
