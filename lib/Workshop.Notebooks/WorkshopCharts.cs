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
    public static GenericChart Chart(this StreamingWorkshop.Metrics.MetricStatisticsView view) =>
        Plotly.NET.CSharp.Chart.Line<DateTime, double, string>(view.Timestamps, view.Values, Name: view.Metric.MetricName, ShowMarkers: true)
            .Titled($"{view.Metric.Namespace} {view.Metric.MetricName}<br>{string.Join(", ", view.Metric.Dimensions)}: {view.Statistic} per {view.PeriodText}", "Period start (UTC)", view.Unit);
}
