namespace StreamingWorkshop.Metrics;

/// <summary>
/// The CloudWatch operations the kit uses: read a metric's statistics (GetMetricStatistics, GetMetricData) and
/// keep alarms on them (PutMetricAlarm, DescribeAlarms, DeleteAlarms). The local backend answers from the
/// datapoints its own services record on the virtual clock; the AWS backend asks CloudWatch.
/// Errors are the kit's ServiceException types named as CloudWatch names them.
/// </summary>
public interface IMetricsService
{
    Task<MetricStatistics> GetMetricStatisticsAsync(MetricStatisticsRequest request, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<MetricDataResult>> GetMetricDataAsync(IReadOnlyList<MetricDataQuery> queries, DateTimeOffset startTime, DateTimeOffset endTime, CancellationToken cancellationToken = default);
    Task PutMetricAlarmAsync(MetricAlarmDefinition alarm, CancellationToken cancellationToken = default);

    /// <summary>The alarms with these names (all alarms when none are given), each in its state as of now.</summary>
    Task<IReadOnlyList<MetricAlarm>> DescribeAlarmsAsync(IReadOnlyList<string>? alarmNames = null, CancellationToken cancellationToken = default);
    Task DeleteAlarmsAsync(IReadOnlyList<string> alarmNames, CancellationToken cancellationToken = default);
}

/// <summary>Where a local service reports a datapoint as it acts; the metrics service reads them back.</summary>
public interface IMetricsRecorder
{
    void Record(string metricNamespace, string metricName, MetricDimension dimension, double value, string unit);

    /// <summary>
    /// Holds what this call records until the returned scope is disposed, then writes it at once: a service opens one
    /// around each public call, so its datapoints are readable when the call returns, for one write instead of one each.
    /// </summary>
    IDisposable BeginBatch() => NoBatch.Instance;

    private sealed class NoBatch : IDisposable
    {
        public static readonly NoBatch Instance = new();

        public void Dispose()
        {
        }
    }
}

public sealed record MetricDimension(string Name, string Value)
{
    public override string ToString() => $"{Name}={Value}";
}

/// <summary>A metric as CloudWatch identifies it: namespace, name and the whole set of dimensions.</summary>
public sealed record MetricId(string Namespace, string MetricName, IReadOnlyList<MetricDimension> Dimensions)
{
    public bool Matches(string metricNamespace, string metricName, MetricDimension dimension) =>
        Namespace == metricNamespace && MetricName == metricName && Dimensions.Count == 1 && Dimensions[0] == dimension;
}

public sealed record MetricStatisticsRequest(
    MetricId Metric,
    DateTimeOffset StartTime,
    DateTimeOffset EndTime,
    int Period,
    IReadOnlyList<string> Statistics,
    string? Unit = null);

/// <summary>One period's statistics; only the ones asked for are set.</summary>
public sealed record MetricDatapoint(DateTimeOffset Timestamp, string Unit, double? SampleCount = null, double? Sum = null,
    double? Average = null, double? Minimum = null, double? Maximum = null)
{
    public double? Statistic(string statistic) => statistic switch
    {
        "SampleCount" => SampleCount,
        "Sum" => Sum,
        "Average" => Average,
        "Minimum" => Minimum,
        "Maximum" => Maximum,
        _ => null,
    };
}

/// <summary>GetMetricStatistics' answer: one datapoint per period that had data, oldest first.</summary>
public sealed record MetricStatistics(string Label, IReadOnlyList<MetricDatapoint> Datapoints);

public sealed record MetricStat(MetricId Metric, int Period, string Stat, string? Unit = null);

public sealed record MetricDataQuery(string Id, MetricStat MetricStat, bool ReturnData = true, string? Label = null);

/// <summary>GetMetricData's answer for one query: timestamps and values, newest first.</summary>
public sealed record MetricDataResult(string Id, string Label, IReadOnlyList<DateTimeOffset> Timestamps, IReadOnlyList<double> Values, string StatusCode = "Complete");

/// <summary>What PutMetricAlarm sets.</summary>
public sealed record MetricAlarmDefinition(
    string AlarmName,
    MetricId Metric,
    string Statistic,
    int Period,
    int EvaluationPeriods,
    double Threshold,
    string ComparisonOperator,
    int? DatapointsToAlarm = null,
    string TreatMissingData = "missing",
    string? Unit = null,
    string? AlarmDescription = null)
{
    public int EffectiveDatapointsToAlarm => DatapointsToAlarm ?? EvaluationPeriods;
}

/// <summary>An alarm as DescribeAlarms returns it.</summary>
public sealed record MetricAlarm(MetricAlarmDefinition Definition, string StateValue, string StateReason, DateTimeOffset StateUpdatedTimestamp)
{
    public string AlarmName => Definition.AlarmName;
}

/// <summary>The names CloudWatch and the services use, in one place.</summary>
public static class MetricNames
{
    public const string Kinesis = "AWS/Kinesis";
    public const string Firehose = "AWS/Firehose";
    public const string Lambda = "AWS/Lambda";

    public const string StreamName = "StreamName";
    public const string DeliveryStreamName = "DeliveryStreamName";
    public const string FunctionName = "FunctionName";

    public const string Count = "Count";
    public const string Bytes = "Bytes";
    public const string Milliseconds = "Milliseconds";
    public const string Seconds = "Seconds";

    public static readonly IReadOnlyList<string> Statistics = ["SampleCount", "Sum", "Average", "Minimum", "Maximum"];
    public static readonly IReadOnlyList<string> ComparisonOperators =
        ["GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"];
    public static readonly IReadOnlyList<string> TreatMissingDataValues = ["missing", "notBreaching", "breaching", "ignore"];

    /// <summary>The dimension each namespace's metrics are kept under.</summary>
    public static string DimensionOf(string metricNamespace) => metricNamespace switch
    {
        Kinesis => StreamName,
        Firehose => DeliveryStreamName,
        Lambda => FunctionName,
        _ => throw new ArgumentException($"Namespace '{metricNamespace}' is not one the kit records; use {Kinesis}, {Firehose} or {Lambda}."),
    };

    /// <summary>Every metric the local services record, with its namespace and unit.</summary>
    public static readonly IReadOnlyList<(string Namespace, string Name, string Unit)> Recorded =
    [
        (Kinesis, "IncomingRecords", Count),
        (Kinesis, "IncomingBytes", Bytes),
        (Kinesis, "GetRecords.IteratorAgeMilliseconds", Milliseconds),
        (Kinesis, "GetRecords.Records", Count),
        (Kinesis, "WriteProvisionedThroughputExceeded", Count),
        (Kinesis, "ReadProvisionedThroughputExceeded", Count),
        (Firehose, "DeliveryToS3.DataFreshness", Seconds),
        (Firehose, "DeliveryToS3.Success", Count),
        (Firehose, "DeliveryToS3.Records", Count),
        (Firehose, "PartitionCount", Count),
        (Firehose, "PartitionCountExceeded", Count),
        (Lambda, "Invocations", Count),
        (Lambda, "Errors", Count),
        (Lambda, "Throttles", Count),
        (Lambda, "Duration", Milliseconds),
    ];
}
