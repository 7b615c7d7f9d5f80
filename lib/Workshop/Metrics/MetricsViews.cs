using System.Globalization;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Metrics;

/// <summary>One statistic of a metric per period, oldest first, as a table; <see cref="Timestamps"/> and <see cref="Values"/> chart it.</summary>
public sealed class MetricStatisticsView(MetricId metric, string statistic, int period, DateTimeOffset start, DateTimeOffset end, IReadOnlyList<MetricDatapoint> datapoints) : IHtmlDisplay
{
    public MetricId Metric { get; } = metric;
    public string Statistic { get; } = statistic;
    public int Period { get; } = period;
    public IReadOnlyList<MetricDatapoint> Datapoints { get; } = datapoints;
    public IReadOnlyList<DateTime> Timestamps => Datapoints.Select(d => d.Timestamp.UtcDateTime).ToArray();
    public IReadOnlyList<double> Values => Datapoints.Select(d => d.Statistic(Statistic) ?? 0).ToArray();
    public string Unit => Datapoints.Count > 0 ? Datapoints[0].Unit : MetricNames.Recorded.FirstOrDefault(m => m.Namespace == Metric.Namespace && m.Name == Metric.MetricName).Unit ?? "";

    /// <summary>The chart's title: which statistic of which metric, per how long.</summary>
    public string Title => $"{Metric.Namespace} {Metric.MetricName} ({string.Join(", ", Metric.Dimensions)}): {Statistic} per {PeriodText}";

    /// <summary>The period as a person says it: 5 min, 1 h, 30 s.</summary>
    public string PeriodText => Period % 3600 == 0 ? $"{Period / 3600} h" : Period % 60 == 0 ? $"{Period / 60} min" : $"{Period} s";

    private string Caption => Datapoints.Count == 0
        ? $"{Title}: no datapoints from {Shown.Time(start)} to {Shown.Time(end)} (a period with no data has no datapoint)"
        : $"{Title}, {Shown.Time(start)} to {Shown.Time(end)}";

    private static readonly string[] Headers = ["Period start (UTC)", "Value", "Unit"];

    private IEnumerable<IReadOnlyList<string>> Rows => Datapoints.Select(d => (IReadOnlyList<string>)
        [d.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), Format(d.Statistic(Statistic)), d.Unit]);

    internal static string Format(double? value) => value is { } v ? v.ToString("0.##", CultureInfo.InvariantCulture) : "";

    public string ToHtml() => HtmlTable.Render(Headers, Rows, Caption);

    public override string ToString() => Caption + (Datapoints.Count == 0 ? "" : "\n" + TextTable.Render(Headers, Rows));
}

/// <summary>Alarms as the CloudWatch console lists them: state, condition, and why.</summary>
public sealed class AlarmsView(IReadOnlyList<MetricAlarm> alarms, DateTimeOffset asOf) : IReadOnlyList<MetricAlarm>, IHtmlDisplay
{
    public MetricAlarm this[int index] => alarms[index];
    public int Count => alarms.Count;
    public IEnumerator<MetricAlarm> GetEnumerator() => alarms.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The state of the named alarm.</summary>
    public string StateOf(string alarmName) => alarms.Single(a => a.AlarmName == alarmName).StateValue;

    private static readonly string[] Headers = ["Alarm", "State", "Metric", "Condition", "Missing data", "State since", "Reason"];

    private static IReadOnlyList<string> Row(MetricAlarm alarm)
    {
        var d = alarm.Definition;
        var sign = d.ComparisonOperator switch
        {
            "GreaterThanOrEqualToThreshold" => ">=",
            "GreaterThanThreshold" => ">",
            "LessThanThreshold" => "<",
            _ => "<=",
        };
        var condition = string.Create(CultureInfo.InvariantCulture,
            $"{d.Statistic} {sign} {d.Threshold} for {d.EffectiveDatapointsToAlarm} of {d.EvaluationPeriods} x {d.Period} s");
        return [d.AlarmName, alarm.StateValue, $"{d.Metric.Namespace} {d.Metric.MetricName} ({string.Join(", ", d.Metric.Dimensions)})", condition, d.TreatMissingData,
            Shown.Time(alarm.StateUpdatedTimestamp), alarm.StateReason];
    }

    private string Caption => $"Alarms as of {Shown.Time(asOf)}";

    // On a page the reason, a sentence as long as the rest of the row, goes under the table, one line per alarm: as a
    // column it was squeezed to a word a line, or pushed out of sight, in an output pane beside VS Code's explorer.
    public string ToHtml() => alarms.Count == 0 ? $"<div style=\"{HtmlTable.Style}\">No alarms yet.</div>" :
        HtmlTable.Render(Headers[..^1], alarms.Select(a => Row(a).Take(Headers.Length - 1).ToList()), Caption, columnStyles: [null, null, null, "min-width:24ch"]) +
        string.Concat(alarms.Select(a => $"<p style=\"{ReasonStyle}\"><b>{HtmlTable.Encode(a.AlarmName)}</b> {HtmlTable.Encode(a.StateValue)}: {HtmlTable.Encode(a.StateReason)}</p>"));

    private const string ReasonStyle = HtmlTable.Font + ";margin:4px 0";

    public override string ToString() => alarms.Count == 0 ? "No alarms yet." : Caption + "\n" + TextTable.Render(Headers, alarms.Select(Row));
}
