using System.Collections;
using System.Globalization;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Delivery;
using StreamingWorkshop.Query;
using StreamingWorkshop.Simulation;

namespace StreamingWorkshop.Display;

/// <summary>Shared wording for the kit's small property displays.</summary>
internal static class Shown
{
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>Recent queries as the Athena console's Recent queries tab lists them, newest first.</summary>
public sealed class QueryHistoryView(IReadOnlyList<QueryExecution> executions) : IReadOnlyList<QueryExecution>, IHtmlDisplay
{
    // The console lists run time and data scanned; the kit adds Athena's charge for the scan and, beside it, the S3 GETs
    // of the objects read (estimated, one an object at S3 Standard's us-east-1 price; blank where the count is unknown).
    private static readonly string[] Headers = ["Query ID", "Query", "Submitted", "State", "Run time", "Data scanned", "Athena scan charge", "S3 GETs (estimated)"];

    public QueryExecution this[int index] => executions[index];
    public int Count => executions.Count;
    public IEnumerator<QueryExecution> GetEnumerator() => executions.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal static IReadOnlyList<string> Row(QueryExecution q) =>
    [
        q.QueryExecutionId,
        OneLine(q.Query),
        Shown.Time(q.SubmissionDateTime),
        q.State + (q.StateChangeReason is { } reason && q.State != QueryStates.Succeeded ? $": {reason}" : ""),
        q.Statistics is { } s ? $"{s.EngineExecutionTimeInMillis / 1000.0:0.000} sec" : "",
        q.Statistics is { } t ? QueryResult.Scanned(t.DataScannedInBytes) : "",
        q.Statistics is { } c ? $"${c.EstimatedCostUsd:0.000000}" : "",
        q.Statistics is { EstimatedS3GetCostUsd: { } gets } ? $"${gets:0.000000}" : q.Statistics is { FilesScanned: null, DataScannedInBytes: > 0 } ? "not counted" : "",
    ];

    /// <summary>The query on one line, as the console lists it: its lines joined by single spaces, cut at 90 characters.</summary>
    internal static string OneLine(string sql)
    {
        var line = string.Join(' ', sql.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return line.Length > 90 ? line[..89] + "…" : line;
    }

    public string ToHtml() => executions.Count == 0
        ? "<p>No queries yet.</p>"
        : HtmlTable.Render(Headers, executions.Select(Row), $"Recent queries ({executions.Count})", columnStyles: QueryColumnRoom);

    // Eight columns share an output pane: the query keeps room to read as a sentence, not a word a line.
    private static readonly string?[] QueryColumnRoom = [null, "min-width:30ch", null, null, null, null, null, null];

    public override string ToString() => executions.Count == 0 ? "No queries yet." : TextTable.Render(Headers, executions.Select(Row));
}

/// <summary>A Glue database and its tables, as the Data Catalog console shows them.</summary>
public sealed class DatabaseView(GlueDatabase database, IReadOnlyList<GlueTable> tables) : IHtmlDisplay
{
    private static readonly string[] Headers = ["Table", "Type", "Classification", "Location", "Columns", "Version"];

    public GlueDatabase Database { get; } = database;
    public IReadOnlyList<GlueTable> Tables { get; } = tables;

    public void Deconstruct(out GlueDatabase database, out IReadOnlyList<GlueTable> tables) => (database, tables) = (Database, Tables);

    private IEnumerable<IReadOnlyList<string>> Rows => Tables.Select(t => (IReadOnlyList<string>)
    [
        t.Name, t.IsView ? "view" : "table", t.Classification ?? "", t.Location ?? "",
        t.AllColumns.Count().ToString(CultureInfo.InvariantCulture), t.VersionId.ToString(CultureInfo.InvariantCulture),
    ]);

    private string Caption => $"Database {Database.Name}" + (Database.Description is { Length: > 0 } d ? $" — {d}" : "") +
                              (Database.LocationUri is { Length: > 0 } l ? $" — {l}" : "") + $" — {Tables.Count} table(s)";

    public string ToHtml() => Tables.Count == 0
        ? $"<p style=\"{HtmlTable.Style}\"><b>{HtmlTable.Encode(Caption)}</b>: no tables yet (Task 3's crawler makes them).</p>"
        : HtmlTable.Render(Headers, Rows, Caption);

    public override string ToString() => Caption + "\n" + (Tables.Count == 0 ? "" : TextTable.Render(Headers, Rows));
}

/// <summary>A table's partitions, as the Glue console's Partitions tab lists them.</summary>
public sealed class PartitionsView(string table, IReadOnlyList<GluePartition> partitions) : IReadOnlyList<GluePartition>, IHtmlDisplay
{
    private static readonly string[] Headers = ["Values", "Location", "Created"];

    public GluePartition this[int index] => partitions[index];
    public int Count => partitions.Count;
    public IEnumerator<GluePartition> GetEnumerator() => partitions.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private IEnumerable<IReadOnlyList<string>> Rows =>
        partitions.Select(p => (IReadOnlyList<string>)[string.Join(" / ", p.Values), p.Location, Shown.Time(p.CreateTime)]);

    public string ToHtml() => HtmlTable.Render(Headers, Rows, $"Partitions of {table} ({partitions.Count:N0})");

    public override string ToString() => $"Partitions of {table} ({partitions.Count:N0})\n" + TextTable.Render(Headers, Rows);
}

/// <summary>The progress of a replay, one line that a notebook updates in place.</summary>
public sealed class SimulationProgressView(SimulationProgress progress, bool finished, bool stopped = false) : IHtmlDisplay
{
    public SimulationProgress Progress { get; } = progress;
    public bool Finished { get; } = finished;

    /// <summary>The replay was stopped part-way (its cell interrupted): the line says where, and how to carry on.</summary>
    public bool Stopped { get; } = stopped;

    private string Line => Stopped
        ? $"Stopped {Progress.Start.UtcDateTime:yyyy-MM-dd HH:mm} → {Progress.End.UtcDateTime:yyyy-MM-dd HH:mm} UTC at {Progress.Now.UtcDateTime:yyyy-MM-dd HH:mm} " +
          $"({Progress.Fraction * 100:0}%): run the same SimulateAsync again to carry on from there"
        : $"{(Finished ? "Simulated" : "Simulating")} {Progress.Start.UtcDateTime:yyyy-MM-dd HH:mm} → {Progress.End.UtcDateTime:yyyy-MM-dd HH:mm} UTC: " +
          $"reached {Progress.Now.UtcDateTime:yyyy-MM-dd HH:mm} ({Progress.Fraction * 100:0}%) · {Shown.Count(Progress.RecordsPut)} readings put · {Shown.Count(Progress.RecordsDelivered)} delivered";

    public string ToHtml() =>
        $"<div style=\"{HtmlTable.Style}\"><progress max=\"1\" value=\"{Progress.Fraction.ToString("0.000", CultureInfo.InvariantCulture)}\" style=\"width:160px;vertical-align:middle\"></progress> {HtmlTable.Encode(Line)}</div>";

    public override string ToString() => Line;
}

/// <summary>A live run as it goes: virtual time reached, readings put and delivered, and the latest event.</summary>
public sealed class LiveProgressView(DateTimeOffset from, DateTimeOffset now, long put, long delivered, string? lastEvent, bool running) : IHtmlDisplay
{
    private string Line =>
        $"Live {(running ? "since" : "from")} {from.UtcDateTime:HH:mm:ss}{(running ? ", now" : " to")} {now.UtcDateTime:HH:mm:ss} UTC · {Shown.Count(put)} readings put · {Shown.Count(delivered)} delivered" +
        (running ? "" : " · stopped") + (lastEvent is null ? "" : $" · last: {lastEvent}");

    public string ToHtml() => $"<div style=\"{HtmlTable.Style}\">{(running ? "▶" : "■")} {HtmlTable.Encode(Line)}</div>";

    public override string ToString() => Line;
}
