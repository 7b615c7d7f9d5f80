using StreamingWorkshop.Metrics;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>What a learner sees of a metric's statistics and of alarms in a notebook: a table, and a chart of the same values.</summary>
public sealed class MetricsDisplayTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);
    private static readonly MetricId Age = new("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", [new MetricDimension("StreamName", "weather-stream")]);

    private static MetricStatisticsView View() => new(Age, "Maximum", 300, T0, T0.AddMinutes(15),
        [new MetricDatapoint(T0, "Milliseconds", Maximum: 1000), new MetricDatapoint(T0.AddMinutes(10), "Milliseconds", Maximum: 61250.5)]);

    [Fact]
    public void Statistics_show_as_a_table_of_periods_with_the_metric_in_the_caption()
    {
        var bundle = NotebookDisplay.Bundle(View());
        var html = (string)bundle["text/html"]!;
        var text = (string)bundle["text/plain"]!;

        Assert.Contains("AWS/Kinesis GetRecords.IteratorAgeMilliseconds (StreamName=weather-stream): Maximum per 5 min", html);
        Assert.Matches("<td[^>]*>2025-01-14 00:10</td><td[^>]*>61250.5</td><td[^>]*>Milliseconds</td>", html);
        Assert.Contains("61250.5", html);
        // The empty period 00:05 has no row.
        Assert.DoesNotContain("2025-01-14 00:05", text);
        Assert.Contains("2025-01-14 00:00", text);
    }

    [Fact]
    public void Statistics_chart_as_a_plotly_line_of_the_same_values()
    {
        var html = (string)NotebookDisplay.Bundle(View().Chart())["text/html"]!;

        Assert.Contains("Plotly.newPlot", html);
        Assert.Contains("Maximum per 5 min", html);
        Assert.Contains("61250.5", html);
        Assert.Contains("Milliseconds", html);
    }

    [Fact]
    public void A_flat_metric_is_drawn_on_an_axis_from_zero_not_on_a_band_around_its_value()
    {
        var flat = new MetricStatisticsView(Age, "Maximum", 60, T0, T0.AddMinutes(3),
            [new MetricDatapoint(T0, "Milliseconds", Maximum: 1000), new MetricDatapoint(T0.AddMinutes(1), "Milliseconds", Maximum: 1000)]);

        var html = (string)NotebookDisplay.Bundle(flat.Chart())["text/html"]!;

        // From 0 to a tenth above the largest value.
        Assert.Contains("\"range\":[0.0,1100.0]", html);
    }

    [Fact]
    public void Alarms_show_state_condition_and_reason()
    {
        var alarm = new MetricAlarm(new MetricAlarmDefinition("slow-reader", Age, "Maximum", 60, 3, 500, "GreaterThanThreshold", DatapointsToAlarm: 2, TreatMissingData: "notBreaching"),
            "ALARM", "Threshold Crossed: 2 out of the last 3 datapoints", T0.AddMinutes(3));
        var text = (string)NotebookDisplay.Bundle(new AlarmsView([alarm], T0.AddMinutes(4)))["text/plain"]!;

        Assert.Contains("Alarms as of 2025-01-14 00:04:00 UTC", text);
        Assert.Contains("Maximum > 500 for 2 of 3 x 60 s", text);
        Assert.Contains("notBreaching", text);
        Assert.Contains("2025-01-14 00:03:00 UTC", text);
        Assert.Equal("No alarms yet.", (string)NotebookDisplay.Bundle(new AlarmsView([], T0))["text/plain"]!);
    }
}
