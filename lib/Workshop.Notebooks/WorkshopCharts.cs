using Microsoft.FSharp.Core;
using Plotly.NET;
using Plotly.NET.CSharp;

namespace StreamingWorkshop.Notebooks;

/// <summary>Small helpers so notebook cells can title a Plotly.NET chart and its axes in one call.</summary>
public static class WorkshopCharts
{
    public static GenericChart Titled(this GenericChart chart, string title, string? xTitle = null, string? yTitle = null)
    {
        var titled = Plotly.NET.Chart.withTitle(title, FSharpOption<Font>.None).Invoke(chart);
        if (xTitle is not null) titled = titled.WithXAxisStyle<double, double, string>(TitleText: xTitle);
        if (yTitle is not null) titled = titled.WithYAxisStyle<double, double, string>(TitleText: yTitle);
        return titled.WithSize(900, 420);
    }

    /// <summary>
    /// A metric's statistic per period as a line chart, titled with the metric, its statistic and unit. The title takes two
    /// lines (the metric, then its dimensions and statistic) because one line is wider than the chart and would be cut off.
    /// </summary>
    public static GenericChart Chart(this StreamingWorkshop.Metrics.MetricStatisticsView view)
    {
        var chart = Plotly.NET.CSharp.Chart.Line<DateTime, double, string>(view.Timestamps, view.Values, Name: view.Metric.MetricName, ShowMarkers: true)
            .Titled($"{view.Metric.Namespace} {view.Metric.MetricName}<br>{string.Join(", ", view.Metric.Dimensions)}: {view.Statistic} per {view.PeriodText}", "Period start (UTC)", view.Unit);
        // A metric's values are counts, sizes or ages: from zero up, so a steady 1,000 reads as 1,000 and not as a band of
        // ±1 around it, which is what Plotly draws when it fits the axis to a flat line.
        if (view.Values.Count == 0 || view.Values.Min() < 0) return chart;
        return chart.WithYAxisStyle<double, double, string>(TitleText: view.Unit, MinMax: Tuple.Create(0.0, Math.Max(view.Values.Max(), 1) * 1.1));
    }

    /// <summary>Each engine's colour, the same in every chart of a comparison: Plotly's first three.</summary>
    private static Color EngineColour(string engine) => Color.fromHex(engine switch
    {
        StreamingWorkshop.Warehouse.EngineComparison.AthenaJson => "#636efa",
        StreamingWorkshop.Warehouse.EngineComparison.AthenaParquet => "#ef553b",
        _ => "#00cc96",
    });

    /// <summary>Each question's fastest run time on each engine, side by side.</summary>
    public static GenericChart Chart(this StreamingWorkshop.Warehouse.EngineComparison comparison) =>
        Plotly.NET.CSharp.Chart.Combine(StreamingWorkshop.Warehouse.EngineComparison.Engines.Select(engine =>
            {
                var runs = comparison.Runs.Where(r => r.Engine == engine).ToList();
                return Plotly.NET.CSharp.Chart.Column<double, string, string>(values: runs.Select(r => r.Milliseconds), Keys: runs.Select(r => r.Question).ToArray(), Name: engine,
                    MarkerColor: EngineColour(engine));
            }))
            .Titled("Run time of the same question on each engine (fastest run)", "Question", "Milliseconds");

    /// <summary>
    /// What a day costs on each engine as the number of queries grows, with the data <paramref name="dataScale"/> times as large as
    /// now, over <paramref name="cityScale"/> times as many cities (see <see cref="StreamingWorkshop.Warehouse.EngineComparison.UsdPerQuery"/>):
    /// Athena's lines rise with every query, the cluster's stays flat; where they cross, the cluster starts to pay for itself.
    /// Where both Athena stores bill the same, one line stands for both.
    /// </summary>
    public static GenericChart DailyCostChart(this StreamingWorkshop.Warehouse.EngineComparison comparison, long maxQueriesPerDay = 200_000, double dataScale = 1,
        double? cityScale = null)
    {
        var steps = Enumerable.Range(0, 21).Select(i => maxQueriesPerDay * i / 20).ToArray();
        var size = dataScale == 1 ? "the data as it is now" : $"{dataScale:N0} times the data";
        var lines = StreamingWorkshop.Warehouse.EngineComparison.Engines
            .Select(engine => (Name: engine, Engine: engine, Colour: EngineColour(engine), Costs: steps.Select(q => (double)comparison.UsdPerDay(engine, q, dataScale, cityScale)).ToArray())).ToList();
        // Where both stores bill the same per query (under Athena's 10 MB minimum, with GETs not counted): one line named for
        // both, not one hidden under the other.
        var json = lines.FindIndex(l => l.Name == StreamingWorkshop.Warehouse.EngineComparison.AthenaJson);
        var parquet = lines.FindIndex(l => l.Name == StreamingWorkshop.Warehouse.EngineComparison.AthenaParquet);
        if (lines[json].Costs.SequenceEqual(lines[parquet].Costs))
        {
            lines[json] = lines[json] with { Name = "Athena, JSON.gz and Parquet (billed the same)" };
            lines.RemoveAt(parquet);
        }
        var perHour = comparison.Prices.WarehouseUsdPerNodeHour.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        var chart = Plotly.NET.CSharp.Chart.Combine(lines.Select(line => Plotly.NET.CSharp.Chart.Line<long, double, string>(steps, line.Costs, Name: line.Name, LineColor: line.Colour)))
            .Titled($"Cost of a day by queries per day, {size}<br>(cluster: {comparison.Prices.WarehouseNodes} node{(comparison.Prices.WarehouseNodes == 1 ? "" : "s")} at ${perHour} an hour, the smallest node's price)",
                "Queries per day", "US dollars per day");
        // A line that climbs far past the cluster's flat one would squash the others into the bottom of the chart, where
        // the crossings the chart is for cannot be read: the axis then stops at three times the cluster's day.
        var cluster = (double)comparison.WarehouseUsdPerDay;
        if (lines.Max(l => l.Costs.Max()) <= 4 * cluster) return chart;
        chart = chart.WithYAxisStyle<double, double, string>(TitleText: $"US dollars per day (axis stops at ${3 * cluster:0})", MinMax: Tuple.Create(0.0, 3 * cluster));
        // A line already past the axis at the first step runs up the axis itself, where no one can see it: a note in its
        // colour, at the top left, says where it went and what one query costs on it.
        var gone = lines.Where(l => l.Costs[1] > 3 * cluster).ToList();
        if (gone.Count == 0) return chart;
        var notes = gone.Select((line, i) =>
        {
            var perQuery = (double)comparison.UsdPerDay(line.Engine, 1, dataScale, cityScale);
            var offFrom = (long)Math.Floor(3 * cluster / perQuery) + 1;
            var note = new Plotly.NET.LayoutObjects.Annotation();
            note.SetProperty("text", $"{line.Name}: ${perQuery.ToString(perQuery >= 1 ? "0.00" : "0.0000", System.Globalization.CultureInfo.InvariantCulture)} a query, " +
                                     $"off the chart from {offFrom:N0} {(offFrom == 1 ? "query" : "queries")} a day");
            note.SetProperty("xref", "paper");
            note.SetProperty("yref", "paper");
            note.SetProperty("x", 0.02);
            note.SetProperty("y", 0.98 - 0.07 * i);
            note.SetProperty("xanchor", "left");
            note.SetProperty("yanchor", "top");
            note.SetProperty("showarrow", false);
            var font = new Font();
            font.SetProperty("color", line.Colour);
            note.SetProperty("font", font);
            return note;
        });
        return Plotly.NET.Chart.withAnnotations(notes, FSharpOption<bool>.None).Invoke(chart);
    }

    /// <summary>
    /// Each path's median and 95th percentile produce-to-queryable delay as columns side by side, in virtual seconds; a path
    /// no reading reached yet has no column.
    /// </summary>
    public static GenericChart Chart(this StreamingWorkshop.Jobs.FreshnessReport report)
    {
        // Every path keeps its place: one with no reading queryable yet says so in words (once), where its bars would be.
        // Each bar carries its figure, since a path of seconds beside one of minutes is too short to read off the axis.
        var names = report.Paths.Select(p => p.Path).ToArray();
        GenericChart Bars(string name, Func<StreamingWorkshop.Jobs.PathFreshness, double?> seconds, string whenNone) =>
            Plotly.NET.CSharp.Chart.Column<double, string, string>(
                values: report.Paths.Select(p => seconds(p) ?? 0), Keys: names, Name: name,
                MultiText: report.Paths.Select(p => seconds(p) is { } value ? StreamingWorkshop.Jobs.FreshnessReport.Seconds(value) : whenNone).ToArray(),
                TextPosition: StyleParam.TextPosition.Outside);
        // Room above the tallest bar for its figure, which the plot would otherwise cut off.
        var tallest = report.Paths.Max(p => Math.Max(p.MedianSeconds ?? 0, p.P95Seconds ?? 0));
        return Plotly.NET.CSharp.Chart.Combine([Bars("Median", p => p.MedianSeconds, "not yet queryable"), Bars("95th percentile", p => p.P95Seconds, "")])
            .Titled("Produce-to-queryable delay per path", "Path")
            .WithYAxisStyle<double, double, string>(TitleText: "Virtual seconds", MinMax: Tuple.Create(0.0, Math.Max(tallest, 1) * 1.15));
    }
}
