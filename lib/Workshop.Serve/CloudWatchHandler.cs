using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using StreamingWorkshop.Metrics;
using static StreamingWorkshop.Serve.QueryProtocol;

namespace StreamingWorkshop.Serve;

/// <summary>
/// CloudWatch metrics and alarms on the query protocol (credential scope `monitoring`), over the local backend's
/// metrics: what the stream, the delivery and the producer recorded on the workspace's clock, and alarms evaluated
/// on that clock.
/// </summary>
internal sealed class CloudWatchHandler(LocalCloudWatch cloudWatch, MetricsLog log)
{
    public static readonly XNamespace Namespace = "http://monitoring.amazonaws.com/doc/2010-08-01/";

    public Task HandleAsync(HttpContext context, byte[] body) => QueryProtocol.HandleAsync(context, body, Namespace, AnswerAsync);

    private async Task<IEnumerable<object?>?> AnswerAsync(QueryRequest request)
    {
        switch (request.Action)
        {
            case "GetMetricStatistics":
            {
                var statistics = request.Values("Statistics");
                var answer = await cloudWatch.GetMetricStatisticsAsync(new MetricStatisticsRequest(Metric(request, ""), request.RequiredTime("StartTime"),
                    request.RequiredTime("EndTime"), request.RequiredInt("Period"), statistics, request["Unit"]));
                return [new XElement("Label", answer.Label), Members("Datapoints", answer.Datapoints.Select(d => new object[]
                {
                    new XElement("Timestamp", Time(d.Timestamp)), new XElement("Unit", d.Unit),
                    statistics.Where(s => d.Statistic(s) is not null).Select(s => new XElement(s, Number(d.Statistic(s)!.Value))),
                }))];
            }
            case "GetMetricData":
            {
                var queries = request.MemberPrefixes("MetricDataQueries").Select(q => q + ".").Select(q => new MetricDataQuery(request.Required(q + "Id"),
                    new MetricStat(Metric(request, q + "MetricStat.Metric."), request.RequiredInt(q + "MetricStat.Period"), request.Required(q + "MetricStat.Stat"), request[q + "MetricStat.Unit"]),
                    request[q + "ReturnData"] != "false", request[q + "Label"])).ToList();
                if (request.MemberPrefixes("MetricDataQueries").Any(q => request[q + ".Expression"] is not null))
                    throw new QueryFault(400, "InvalidParameterValue", "Metric math (Expression) is not served by the local endpoint; give each query a MetricStat.");
                var answer = await cloudWatch.GetMetricDataAsync(queries, request.RequiredTime("StartTime"), request.RequiredTime("EndTime"));
                return [Members("MetricDataResults", answer.Select(r => new object[]
                {
                    new XElement("Id", r.Id), new XElement("Label", r.Label),
                    Members("Timestamps", r.Timestamps.Select(t => Time(t))), Members("Values", r.Values.Select(v => Number(v))),
                    new XElement("StatusCode", r.StatusCode),
                })), Members("Messages", [])];
            }
            case "ListMetrics":
            {
                var (wantedNamespace, wantedName) = (request["Namespace"], request["MetricName"]);
                var wantedDimensions = request.MemberPrefixes("Dimensions").Select(p => (Name: request.Required(p + ".Name"), Value: request[p + ".Value"])).ToList();
                var metrics = log.ReadAll()
                    .Select(d => (d.Namespace, d.MetricName, d.Dimension))
                    .Distinct()
                    .Where(m => (wantedNamespace is null || m.Namespace == wantedNamespace) && (wantedName is null || m.MetricName == wantedName)
                        && wantedDimensions.All(w => m.Dimension.Name == w.Name && (w.Value is null || m.Dimension.Value == w.Value)))
                    .OrderBy(m => m.Namespace, StringComparer.Ordinal).ThenBy(m => m.MetricName, StringComparer.Ordinal).ThenBy(m => m.Dimension.Value, StringComparer.Ordinal);
                return [Members("Metrics", metrics.Select(m => new object[]
                {
                    new XElement("Namespace", m.Namespace), new XElement("MetricName", m.MetricName),
                    Members("Dimensions", [new object[] { new XElement("Name", m.Dimension.Name), new XElement("Value", m.Dimension.Value) }]),
                }))];
            }
            case "PutMetricData":
            {
                var metricNamespace = request.Required("Namespace");
                foreach (var p in request.MemberPrefixes("MetricData").Select(p => p + "."))
                {
                    var dimensions = request.MemberPrefixes(p + "Dimensions").ToList();
                    if (dimensions.Count != 1)
                        throw new QueryFault(400, "InvalidParameterValue", $"The local endpoint keeps metrics with exactly one dimension; {request[p + "MetricName"]} has {dimensions.Count}. Give one, e.g. --dimensions StreamName=weather.");
                    if (request[p + "Values.member.1"] is not null || request[p + "StatisticValues.Sum"] is not null)
                        throw new QueryFault(400, "InvalidParameterValue", "Values and StatisticValues are not served by the local endpoint; put one Value per datum.");
                    log.Record(metricNamespace, request.Required(p + "MetricName"), new MetricDimension(request.Required(dimensions[0] + ".Name"), request.Required(dimensions[0] + ".Value")),
                        request.RequiredDouble(p + "Value"), request[p + "Unit"] ?? "None");
                }
                return null;
            }
            case "PutMetricAlarm":
                await cloudWatch.PutMetricAlarmAsync(new MetricAlarmDefinition(request.Required("AlarmName"), Metric(request, ""), request.Required("Statistic"),
                    request.RequiredInt("Period"), request.RequiredInt("EvaluationPeriods"), request.RequiredDouble("Threshold"), request.Required("ComparisonOperator"),
                    request["DatapointsToAlarm"] is not null ? request.RequiredInt("DatapointsToAlarm") : null, request["TreatMissingData"] ?? "missing",
                    request["Unit"], request["AlarmDescription"]));
                return null;
            case "DescribeAlarms":
            {
                var alarms = await cloudWatch.DescribeAlarmsAsync(request.Values("AlarmNames"));
                var prefix = request["AlarmNamePrefix"];
                var state = request["StateValue"];
                return [Members("MetricAlarms", alarms.Where(a => (prefix is null || a.AlarmName.StartsWith(prefix, StringComparison.Ordinal)) && (state is null || a.StateValue == state)).Select(a => new object?[]
                {
                    new XElement("AlarmName", a.AlarmName), a.Definition.AlarmDescription is { } description ? new XElement("AlarmDescription", description) : null,
                    new XElement("Namespace", a.Definition.Metric.Namespace), new XElement("MetricName", a.Definition.Metric.MetricName),
                    Members("Dimensions", a.Definition.Metric.Dimensions.Select(d => new object[] { new XElement("Name", d.Name), new XElement("Value", d.Value) })),
                    new XElement("Statistic", a.Definition.Statistic), new XElement("Period", a.Definition.Period), new XElement("EvaluationPeriods", a.Definition.EvaluationPeriods),
                    new XElement("DatapointsToAlarm", a.Definition.EffectiveDatapointsToAlarm), new XElement("Threshold", Number(a.Definition.Threshold)),
                    new XElement("ComparisonOperator", a.Definition.ComparisonOperator), new XElement("TreatMissingData", a.Definition.TreatMissingData),
                    a.Definition.Unit is { } unit ? new XElement("Unit", unit) : null,
                    new XElement("StateValue", a.StateValue), new XElement("StateReason", a.StateReason), new XElement("StateUpdatedTimestamp", Time(a.StateUpdatedTimestamp)),
                })), Members("CompositeAlarms", [])];
            }
            case "DeleteAlarms":
                await cloudWatch.DeleteAlarmsAsync(request.Values("AlarmNames"));
                return null;
            default:
                throw new QueryFault(400, "InvalidAction",
                    $"CloudWatch action '{request.Action}' is not served by the local endpoint; it serves GetMetricStatistics, GetMetricData, ListMetrics, PutMetricData, PutMetricAlarm, DescribeAlarms and DeleteAlarms.");
        }
    }

    private static MetricId Metric(QueryRequest request, string prefix) =>
        new(request.Required(prefix + "Namespace"), request.Required(prefix + "MetricName"), request.MemberPrefixes(prefix + "Dimensions")
            .Select(p => new MetricDimension(request.Required(p + ".Name"), request.Required(p + ".Value"))).ToList());
}
