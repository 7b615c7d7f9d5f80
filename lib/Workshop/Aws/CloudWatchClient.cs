using System.Globalization;
using System.Xml.Linq;
using StreamingWorkshop.Display;
using StreamingWorkshop.Metrics;

namespace StreamingWorkshop.Aws;

/// <summary>
/// CloudWatch over the query protocol (form parameters in, XML out; botocore's model for "monitoring" names this
/// protocol): a metric's statistics, and the alarms the workshop keeps on them.
/// </summary>
public sealed class CloudWatchClient(AwsQueryClient cloudWatch) : IMetricsService, IHtmlDisplay, IDisposable
{
    /// <summary>In a notebook, the metrics stage's calls rather than an object tree.</summary>
    public string ToHtml() => StageCalls.Metrics.ToHtml();

    public override string ToString() => StageCalls.Metrics.ToString();

    public async Task<MetricStatistics> GetMetricStatisticsAsync(MetricStatisticsRequest request, CancellationToken cancellationToken = default)
    {
        var form = new List<KeyValuePair<string, string>>();
        AddMetric(form, "", request.Metric);
        form.Add(new("StartTime", Time(request.StartTime)));
        form.Add(new("EndTime", Time(request.EndTime)));
        form.Add(new("Period", Number(request.Period)));
        for (var i = 0; i < request.Statistics.Count; i++) form.Add(new($"Statistics.member.{i + 1}", request.Statistics[i]));
        if (request.Unit is { } unit) form.Add(new("Unit", unit));
        var result = await cloudWatch.CallAsync("GetMetricStatistics", form, cancellationToken);
        var datapoints = result.Members("Datapoints").Select(d => new MetricDatapoint(
            ParseTime(d.Text("Timestamp")), d.Text("Unit") ?? "None",
            Double(d.Text("SampleCount")), Double(d.Text("Sum")), Double(d.Text("Average")), Double(d.Text("Minimum")), Double(d.Text("Maximum"))))
            .OrderBy(d => d.Timestamp).ToArray();
        return new MetricStatistics(result.Text("Label") ?? request.Metric.MetricName, datapoints);
    }

    public async Task<IReadOnlyList<MetricDataResult>> GetMetricDataAsync(IReadOnlyList<MetricDataQuery> queries, DateTimeOffset startTime, DateTimeOffset endTime, CancellationToken cancellationToken = default)
    {
        var results = new Dictionary<string, (string Label, List<DateTimeOffset> Timestamps, List<double> Values, string Status)>(StringComparer.Ordinal);
        string? nextToken = null;
        do
        {
            var form = new List<KeyValuePair<string, string>>();
            for (var i = 0; i < queries.Count; i++)
            {
                var prefix = $"MetricDataQueries.member.{i + 1}.";
                var query = queries[i];
                form.Add(new(prefix + "Id", query.Id));
                AddMetric(form, prefix + "MetricStat.Metric.", query.MetricStat.Metric);
                form.Add(new(prefix + "MetricStat.Period", Number(query.MetricStat.Period)));
                form.Add(new(prefix + "MetricStat.Stat", query.MetricStat.Stat));
                if (query.MetricStat.Unit is { } unit) form.Add(new(prefix + "MetricStat.Unit", unit));
                if (query.Label is { } label) form.Add(new(prefix + "Label", label));
                form.Add(new(prefix + "ReturnData", query.ReturnData ? "true" : "false"));
            }
            form.Add(new("StartTime", Time(startTime)));
            form.Add(new("EndTime", Time(endTime)));
            form.Add(new("ScanBy", "TimestampDescending"));
            if (nextToken is not null) form.Add(new("NextToken", nextToken));
            var page = await cloudWatch.CallAsync("GetMetricData", form, cancellationToken);
            foreach (var result in page.Members("MetricDataResults"))
            {
                var id = result.Text("Id") ?? "";
                if (!results.TryGetValue(id, out var known)) results[id] = known = (result.Text("Label") ?? id, [], [], "Complete");
                known.Timestamps.AddRange(result.Members("Timestamps").Select(t => ParseTime(t.Value)));
                known.Values.AddRange(result.Members("Values").Select(v => double.Parse(v.Value, CultureInfo.InvariantCulture)));
                results[id] = known with { Status = result.Text("StatusCode") ?? known.Status };
            }
            nextToken = page.Text("NextToken");
        }
        while (!string.IsNullOrEmpty(nextToken));
        return results.Select(r => new MetricDataResult(r.Key, r.Value.Label, r.Value.Timestamps, r.Value.Values, r.Value.Status)).ToArray();
    }

    public async Task PutMetricAlarmAsync(MetricAlarmDefinition alarm, CancellationToken cancellationToken = default)
    {
        var form = new List<KeyValuePair<string, string>> { new("AlarmName", alarm.AlarmName) };
        if (alarm.AlarmDescription is { } description) form.Add(new("AlarmDescription", description));
        AddMetric(form, "", alarm.Metric);
        form.Add(new("Statistic", alarm.Statistic));
        form.Add(new("Period", Number(alarm.Period)));
        form.Add(new("EvaluationPeriods", Number(alarm.EvaluationPeriods)));
        if (alarm.DatapointsToAlarm is { } datapoints) form.Add(new("DatapointsToAlarm", Number(datapoints)));
        form.Add(new("Threshold", alarm.Threshold.ToString("R", CultureInfo.InvariantCulture)));
        form.Add(new("ComparisonOperator", alarm.ComparisonOperator));
        form.Add(new("TreatMissingData", alarm.TreatMissingData));
        if (alarm.Unit is { } unit) form.Add(new("Unit", unit));
        await cloudWatch.CallAsync("PutMetricAlarm", form, cancellationToken);
    }

    public async Task<IReadOnlyList<MetricAlarm>> DescribeAlarmsAsync(IReadOnlyList<string>? alarmNames = null, CancellationToken cancellationToken = default)
    {
        var alarms = new List<MetricAlarm>();
        string? nextToken = null;
        do
        {
            var form = new List<KeyValuePair<string, string>> { new("AlarmTypes.member.1", "MetricAlarm") };
            for (var i = 0; i < (alarmNames?.Count ?? 0); i++) form.Add(new($"AlarmNames.member.{i + 1}", alarmNames![i]));
            if (nextToken is not null) form.Add(new("NextToken", nextToken));
            var page = await cloudWatch.CallAsync("DescribeAlarms", form, cancellationToken);
            alarms.AddRange(page.Members("MetricAlarms").Select(ReadAlarm));
            nextToken = page.Text("NextToken");
        }
        while (!string.IsNullOrEmpty(nextToken));
        return alarms;
    }

    public async Task DeleteAlarmsAsync(IReadOnlyList<string> alarmNames, CancellationToken cancellationToken = default)
    {
        var form = alarmNames.Select((name, i) => new KeyValuePair<string, string>($"AlarmNames.member.{i + 1}", name)).ToList();
        await cloudWatch.CallAsync("DeleteAlarms", form, cancellationToken);
    }

    private static MetricAlarm ReadAlarm(XElement alarm)
    {
        var dimensions = alarm.Members("Dimensions").Select(d => new MetricDimension(d.Text("Name") ?? "", d.Text("Value") ?? "")).ToArray();
        var definition = new MetricAlarmDefinition(
            alarm.Text("AlarmName") ?? "",
            new MetricId(alarm.Text("Namespace") ?? "", alarm.Text("MetricName") ?? "", dimensions),
            alarm.Text("Statistic") ?? "",
            Integer(alarm.Text("Period")) ?? 60,
            Integer(alarm.Text("EvaluationPeriods")) ?? 1,
            Double(alarm.Text("Threshold")) ?? 0,
            alarm.Text("ComparisonOperator") ?? "",
            Integer(alarm.Text("DatapointsToAlarm")),
            alarm.Text("TreatMissingData") ?? "missing",
            alarm.Text("Unit"),
            alarm.Text("AlarmDescription"));
        return new MetricAlarm(definition, alarm.Text("StateValue") ?? "INSUFFICIENT_DATA", alarm.Text("StateReason") ?? "", ParseTime(alarm.Text("StateUpdatedTimestamp")));
    }

    private static void AddMetric(List<KeyValuePair<string, string>> form, string prefix, MetricId metric)
    {
        form.Add(new(prefix + "Namespace", metric.Namespace));
        form.Add(new(prefix + "MetricName", metric.MetricName));
        for (var i = 0; i < metric.Dimensions.Count; i++)
        {
            form.Add(new($"{prefix}Dimensions.member.{i + 1}.Name", metric.Dimensions[i].Name));
            form.Add(new($"{prefix}Dimensions.member.{i + 1}.Value", metric.Dimensions[i].Value));
        }
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string? text) =>
        text is null ? DateTimeOffset.MinValue : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static double? Double(string? text) => text is null ? null : double.Parse(text, CultureInfo.InvariantCulture);

    private static int? Integer(string? text) => text is null ? null : int.Parse(text, CultureInfo.InvariantCulture);

    public void Dispose() => cloudWatch.Dispose();
}
