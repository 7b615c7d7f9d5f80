using System.Globalization;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Jobs;

/// <summary>
/// One reading followed through the pipeline: where it sits on the stream, its identity in the lake (city and collection
/// time), when the producer made it and when it arrived on the stream (the record's approximate arrival timestamp).
/// </summary>
public sealed record TrackedReading(string ShardId, string SequenceNumber, string ReadingKey, DateTimeOffset Produced, DateTimeOffset Arrived)
{
    /// <summary>The identity of a reading wherever it is stored: its city and its collection time as the producer wrote it.</summary>
    public static string KeyOf(string city, string collectionTime) => city + " @ " + collectionTime;
}

/// <summary>What one path costs for a day, and what that figure is made of, in one line.</summary>
public sealed record PathCost(decimal UsdPerDay, string Basis);

/// <summary>
/// One way a reading becomes queryable. A new path needs only its name, when each reading became queryable on it, and what
/// it costs for a day.
/// </summary>
public interface IFreshnessPath
{
    string Name { get; }

    /// <summary>When <paramref name="reading"/> could first be queried on this path; null while it cannot be yet.</summary>
    DateTimeOffset? QueryableAt(TrackedReading reading);

    PathCost Cost { get; }
}

/// <summary>One path's figures: produce-to-queryable delay over the readings that became queryable, in virtual seconds.</summary>
public sealed record PathFreshness(string Path, int Measured, int NotYetQueryable, double? MedianSeconds, double? P95Seconds, PathCost Cost)
{
    /// <summary>
    /// The median (the mean of the two middle values when the count is even) and the 95th percentile by nearest rank (the
    /// smallest delay that at least 95% of readings were within) of the delays of <paramref name="path"/>.
    /// </summary>
    public static PathFreshness Measure(IFreshnessPath path, IReadOnlyCollection<TrackedReading> readings)
    {
        var delays = new List<double>();
        foreach (var reading in readings)
            if (path.QueryableAt(reading) is { } queryable)
                delays.Add((queryable - reading.Produced).TotalSeconds);
        delays.Sort();
        if (delays.Count == 0) return new PathFreshness(path.Name, 0, readings.Count, null, null, path.Cost);
        var middle = delays.Count / 2;
        var median = delays.Count % 2 == 1 ? delays[middle] : (delays[middle - 1] + delays[middle]) / 2;
        var p95 = delays[(int)Math.Ceiling(0.95 * delays.Count) - 1];
        return new PathFreshness(path.Name, delays.Count, readings.Count - delays.Count, median, p95, path.Cost);
    }
}

/// <summary>
/// How fresh each path keeps the same readings: for every path the median and 95th percentile of the delay from a
/// reading's production to the moment a query could see it, how many readings that covers, and the path's cost per day.
/// </summary>
public sealed class FreshnessReport : IHtmlDisplay
{
    public FreshnessReport(IReadOnlyCollection<TrackedReading> readings, IReadOnlyList<IFreshnessPath> paths, IReadOnlyList<string>? assumptions = null)
    {
        if (paths.Count == 0) throw new ArgumentException("Give at least one path to measure.", nameof(paths));
        Readings = readings.Count;
        Paths = paths.Select(p => PathFreshness.Measure(p, readings)).ToList();
        Assumptions = assumptions ?? [];
    }

    /// <summary>Readings put on the stream in the measured period.</summary>
    public int Readings { get; }

    public IReadOnlyList<PathFreshness> Paths { get; }

    /// <summary>How the measurement was set up (schedules, query rates), one sentence each, shown under the table.</summary>
    public IReadOnlyList<string> Assumptions { get; }

    public PathFreshness this[string path] => Paths.FirstOrDefault(p => p.Path == path)
        ?? throw new KeyNotFoundException($"No path named '{path}' was measured: the paths are {string.Join(", ", Paths.Select(p => p.Path))}.");

    private const string Title = "Produce-to-queryable delay per path, on the virtual clock";
    private static readonly string[] Headers = ["Path", "Readings", "Median", "95th pct", "Not yet", "Cost per day"];

    private IEnumerable<IReadOnlyList<string>> Rows => Paths.Select(p => (IReadOnlyList<string>)
    [
        p.Path, p.Measured.ToString("N0", CultureInfo.InvariantCulture), Seconds(p.MedianSeconds), Seconds(p.P95Seconds),
        p.NotYetQueryable.ToString("N0", CultureInfo.InvariantCulture), "$" + p.Cost.UsdPerDay.ToString("0.00", CultureInfo.InvariantCulture),
    ]);

    /// <summary>Whole seconds below ten minutes; minutes and seconds above, so the slow paths read at a glance.</summary>
    public static string Seconds(double? seconds) => seconds switch
    {
        null => "-",
        < 600 => seconds.Value.ToString("0.#", CultureInfo.InvariantCulture) + " s",
        _ => $"{(int)(seconds.Value / 60)} min {(seconds.Value % 60).ToString("0", CultureInfo.InvariantCulture)} s",
    };

    private IEnumerable<string> Notes =>
        Paths.Select(p => $"{p.Path}: {p.Cost.Basis}").Concat(Assumptions);

    public string ToHtml() =>
        HtmlTable.Render(Headers, Rows, Title) +
        string.Concat(Notes.Select(n => $"<div style=\"{HtmlTable.Style};padding:2px 0\">{HtmlTable.Encode(n)}</div>"));

    /// <summary>The table alone, without its notes on costs and set-up: a second look at a measurement already explained.</summary>
    public IHtmlDisplay Table => new TableView(this);

    private sealed class TableView(FreshnessReport report) : IHtmlDisplay
    {
        public string ToHtml() => HtmlTable.Render(Headers, report.Rows, Title);

        public override string ToString() => Title + "\n" + TextTable.RenderToFit(Headers, report.Rows.ToList(), 80).TrimEnd('\n');
    }

    /// <summary>The table and its notes in 80 columns, each note a dash with its wrapped lines indented under it.</summary>
    public override string ToString() =>
        Title + "\n" + TextTable.RenderToFit(Headers, Rows.ToList(), 80) +
        string.Concat(Notes.Select(n => "- " + string.Join("\n  ", TextTable.Wrap(n, 78)) + "\n"));
}
