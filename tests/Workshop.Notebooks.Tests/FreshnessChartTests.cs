using StreamingWorkshop.Jobs;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>The freshness report as a notebook shows it: a chart of each path's median and 95th percentile delay.</summary>
public sealed class FreshnessChartTests
{
    private static readonly DateTimeOffset Nine = new(2025, 1, 14, 9, 0, 0, TimeSpan.Zero);

    private sealed class FixedPath(string name, int? delaySeconds) : IFreshnessPath
    {
        public string Name => name;
        public PathCost Cost => new(1m, "a dollar.");
        public DateTimeOffset? QueryableAt(TrackedReading reading) => delaySeconds is { } delay ? reading.Produced.AddSeconds(delay) : null;
    }

    [Fact]
    public void The_chart_has_a_median_and_a_95th_percentile_column_per_path_each_with_its_figure()
    {
        var report = new FreshnessReport([new TrackedReading("shardId-000000000000", "101", "London @ 09:00", Nine, Nine)],
            [new FixedPath("Lake path", 754), new FixedPath("Job path", 35), new FixedPath("Not reached", null)]);
        var html = (string)NotebookDisplay.Bundle(report.Chart())["text/html"]!;

        Assert.Contains("Plotly.newPlot", html);
        Assert.Contains("Produce-to-queryable delay per path", html);
        Assert.Contains("\"name\":\"Median\"", html);
        Assert.Contains("\"name\":\"95th percentile\"", html);
        // A path of seconds beside one of minutes is a sliver: its figure is written on it, and a path with none says so.
        Assert.Contains("\"x\":[\"Lake path\",\"Job path\",\"Not reached\"]", html);
        Assert.Contains("\"y\":[754.0,35.0,0.0]", html);
        Assert.Contains("\"text\":[\"12 min 34 s\",\"35 s\",\"not yet queryable\"]", html);
        Assert.Contains("\"text\":[\"12 min 34 s\",\"35 s\",\"\"]", html); // said once, under the median
        Assert.Matches(@"""range"":\[0\.0,867\.\d*\]", html); // room above the tallest bar (754 s) for its figure
        Assert.Contains("\"textposition\":\"outside\"", html);
    }
}
