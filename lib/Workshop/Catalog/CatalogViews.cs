using System.Globalization;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Catalog;

/// <summary>A table's schema as the Glue console shows it: columns with types, partition keys, location, version.</summary>
public sealed class TableSchemaView(GlueTable table, int partitionCount) : IHtmlDisplay
{
    public GlueTable Table { get; } = table;

    private IEnumerable<IReadOnlyList<string>> Rows =>
        Table.Columns.Select((c, i) => (IReadOnlyList<string>)[(i + 1).ToString(CultureInfo.InvariantCulture), c.Name, c.Type, ""])
            .Concat(Table.PartitionKeys.Select((c, i) => (IReadOnlyList<string>)[(Table.Columns.Count + i + 1).ToString(CultureInfo.InvariantCulture), c.Name, c.Type, $"Partition ({i})"]));

    private string Caption => Table.IsView
        ? $"View {Table.DatabaseName}.{Table.Name} (version {Table.VersionId})"
        : $"Table {Table.DatabaseName}.{Table.Name} — {Table.Location} — {Table.Classification} — {partitionCount:N0} partition(s) — version {Table.VersionId}";

    public string ToHtml() => HtmlTable.Render(["#", "Column name", "Data type", "Partition key"], Rows, Caption);

    public override string ToString() => Caption + "\n" + TextTable.Render(["#", "Column name", "Data type", "Partition key"], Rows);
}

/// <summary>A crawler's state, history of states and last crawl, as the console's crawler page shows them.</summary>
public sealed class CrawlerView(CrawlerInfo crawler) : IHtmlDisplay
{
    public CrawlerInfo Crawler { get; } = crawler;

    private IEnumerable<IReadOnlyList<string>> Rows
    {
        get
        {
            var run = Crawler.LastCrawl;
            yield return ["Crawler", Crawler.Name];
            yield return ["State", Crawler.State];
            yield return ["Targets", string.Join(", ", Crawler.Definition.S3Targets)];
            yield return ["Database / prefix", $"{Crawler.Definition.DatabaseName} / {Crawler.Definition.TablePrefix}"];
            yield return ["IAM role", Crawler.Definition.Role];
            yield return ["Schedule", Crawler.Definition.Schedule];
            yield return ["States of the last run", string.Join(" → ", Crawler.History.TakeLast(4).Select(h => h.State))];
            if (run is null) yield break;
            yield return ["Last crawl", $"{run.Status} at {run.StartTime:yyyy-MM-dd HH:mm:ss} UTC ({run.WallTime.TotalSeconds:0.00} s)"];
            yield return ["Tables created / updated", $"{run.TablesCreated} / {run.TablesUpdated}"];
            yield return ["Partitions added", run.PartitionsAdded.ToString("N0", CultureInfo.InvariantCulture)];
            yield return ["Sampled", $"{run.ObjectsSampled:N0} objects, {run.RecordsSampled:N0} records"];
            foreach (var note in run.Notes) yield return ["Note", note];
        }
    }

    public string ToHtml() => HtmlTable.Render(["Property", "Value"], Rows, $"Crawler {Crawler.Name}");

    public override string ToString() => TextTable.Render(["Property", "Value"], Rows);
}
