using StreamingWorkshop.Display;

namespace StreamingWorkshop.Metrics;

/// <summary>
/// <c>workshop.Metrics</c>: the CloudWatch console's view of the pipeline: a metric's statistics per period (with
/// a table and the values to chart) and alarms on them. With no dimension value, each metric is the workshop's
/// own stream, delivery stream or producer function.
/// </summary>
public sealed class MetricsFacade : IHtmlDisplay
{
    private readonly WorkshopSession session;

    internal MetricsFacade(WorkshopSession session) => this.session = session;

    private IMetricsService Metrics => session.Stages.Metrics;

    /// <summary>The metric as CloudWatch names it, under the workshop's own resource unless another is named.</summary>
    public async Task<MetricId> MetricAsync(string metricNamespace, string metricName, string? dimensionValue = null, CancellationToken cancellationToken = default)
    {
        var dimension = MetricNames.DimensionOf(metricNamespace);
        if (dimensionValue is null) await session.EnsurePipelineAsync(cancellationToken);
        var value = dimensionValue ?? dimension switch
        {
            MetricNames.StreamName => session.Names.StreamName,
            MetricNames.DeliveryStreamName => session.Names.DeliveryStreamName,
            _ => session.Names.ProducerFunction,
        };
        return new MetricId(metricNamespace, metricName, [new MetricDimension(dimension, value)]);
    }

    /// <summary>
    /// GetMetricStatistics for the last <paramref name="last"/> (default 3 hours) up to now: one row per
    /// <paramref name="period"/> seconds that has data. Periods with no data have no row, as in CloudWatch.
    /// </summary>
    public async Task<MetricStatisticsView> StatisticsAsync(string metricNamespace, string metricName, int period = 300, string statistic = "Sum",
        TimeSpan? last = null, string? dimensionValue = null, CancellationToken cancellationToken = default)
    {
        var metric = await MetricAsync(metricNamespace, metricName, dimensionValue, cancellationToken);
        var end = NextMinute(session.Stages.Time.GetUtcNow());
        var start = end - (last ?? TimeSpan.FromHours(3));
        var result = await Metrics.GetMetricStatisticsAsync(new MetricStatisticsRequest(metric, start, end, period, [statistic]), cancellationToken);
        return new MetricStatisticsView(metric, statistic, period, start, end, result.Datapoints);
    }

    /// <summary>GetMetricData with one query per metric: each result's values newest first, as CloudWatch returns them.</summary>
    public async Task<IReadOnlyList<MetricDataResult>> DataAsync(IReadOnlyList<MetricDataQuery> queries, TimeSpan? last = null, CancellationToken cancellationToken = default)
    {
        var end = NextMinute(session.Stages.Time.GetUtcNow());
        return await Metrics.GetMetricDataAsync(queries, end - (last ?? TimeSpan.FromHours(3)), end, cancellationToken);
    }

    /// <summary>PutMetricAlarm on one of the pipeline's metrics, then the alarm as DescribeAlarms shows it now.</summary>
    public async Task<AlarmsView> PutAlarmAsync(string alarmName, string metricNamespace, string metricName, string comparisonOperator, double threshold,
        string statistic = "Sum", int period = 60, int evaluationPeriods = 1, int? datapointsToAlarm = null, string treatMissingData = "missing",
        string? dimensionValue = null, CancellationToken cancellationToken = default)
    {
        var metric = await MetricAsync(metricNamespace, metricName, dimensionValue, cancellationToken);
        await Metrics.PutMetricAlarmAsync(new MetricAlarmDefinition(alarmName, metric, statistic, period, evaluationPeriods, threshold, comparisonOperator,
            datapointsToAlarm, treatMissingData), cancellationToken);
        return new AlarmsView(await Metrics.DescribeAlarmsAsync([alarmName], cancellationToken), session.Stages.Time.GetUtcNow());
    }

    /// <summary>DescribeAlarms: every alarm (or the named ones) in its state as of now on the session's clock.</summary>
    public async Task<AlarmsView> AlarmsAsync(IReadOnlyList<string>? alarmNames = null, CancellationToken cancellationToken = default)
    {
        session.Clock.Refresh();
        return new AlarmsView(await Metrics.DescribeAlarmsAsync(alarmNames, cancellationToken), session.Stages.Time.GetUtcNow());
    }

    public Task DeleteAlarmsAsync(IReadOnlyList<string> alarmNames, CancellationToken cancellationToken = default) =>
        Metrics.DeleteAlarmsAsync(alarmNames, cancellationToken);

    private static DateTimeOffset NextMinute(DateTimeOffset time)
    {
        var ticks = time.UtcTicks + TimeSpan.TicksPerMinute - 1;
        return new DateTimeOffset(ticks - ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
    }

    private CallsView Calls => new("workshop.Metrics: CloudWatch", [
        ("StatisticsAsync(namespace, metric)", "GetMetricStatistics"),
        ("DataAsync(queries)", "GetMetricData"),
        ("PutAlarmAsync(...)", "PutMetricAlarm"),
        ("AlarmsAsync()", "DescribeAlarms"),
        ("DeleteAlarmsAsync(names)", "DeleteAlarms"),
    ]);

    public string ToHtml() => Calls.ToHtml();

    public override string ToString() => Calls.ToString();
}
