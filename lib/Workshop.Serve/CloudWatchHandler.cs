using System.Collections.Specialized;
using System.Globalization;
using System.Text.Json.Nodes;
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

    /// <summary>The X-Amz-Target prefix of CloudWatch's JSON 1.0 protocol, which newer AWS CLIs and SDKs send.</summary>
    public const string TargetPrefix = "GraniteServiceVersion20100801";

    public const string Json10 = "application/x-amz-json-1.0";

    /// <summary>
    /// CloudWatch on its JSON 1.0 protocol (awsQueryCompatible): the same actions as on the query protocol. The JSON
    /// input is laid out as the query's parameters, the answer's elements written back as JSON, so both protocols
    /// give the same figures; an error carries its query code in x-amzn-query-error, where the SDKs read it.
    /// </summary>
    public async Task HandleJsonAsync(HttpContext context, string operation, JsonObject input)
    {
        var form = new NameValueCollection { ["Action"] = operation };
        Flatten(input, "", form);
        try
        {
            var content = await AnswerAsync(new QueryRequest(form)) ?? [];
            var answer = new JsonObject();
            foreach (var element in content.OfType<XElement>()) answer[element.Name.LocalName] = ToJson(element, element.Name.LocalName);
            await Wire.JsonAsync(context, 200, answer, Json10);
        }
        catch (Exception error) when (Fault(error) is var (status, code))
        {
            context.Response.Headers["x-amzn-query-error"] = $"{code};Sender";
            await Wire.JsonErrorAsync(context, status, code, error.Message, Json10);
        }
    }

    // Members whose JSON is a number, a time (epoch seconds) or a list, by name; anything else is text.
    private static readonly HashSet<string> Numbers = ["Sum", "Average", "Minimum", "Maximum", "SampleCount", "Values", "Threshold", "Period", "EvaluationPeriods", "DatapointsToAlarm"];
    private static readonly HashSet<string> Times = ["Timestamp", "Timestamps", "StateUpdatedTimestamp", "StartTime", "EndTime"];
    private static readonly HashSet<string> Lists = ["Datapoints", "MetricDataResults", "Timestamps", "Values", "Messages", "Metrics", "Dimensions", "MetricAlarms", "CompositeAlarms"];

    /// <summary>JSON input as the query protocol's parameters: A.B for members, A.member.N for list items.</summary>
    private static void Flatten(JsonNode? node, string name, NameValueCollection form)
    {
        switch (node)
        {
            case JsonObject members:
                foreach (var (key, value) in members) Flatten(value, name.Length == 0 ? key : $"{name}.{key}", form);
                break;
            case JsonArray items:
                for (var i = 0; i < items.Count; i++) Flatten(items[i], $"{name}.member.{i + 1}", form);
                break;
            case JsonValue value when value.TryGetValue<double>(out var number) && Times.Contains(name.Split('.')[^1]):
                form[name] = Time(DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(number * 1000)));
                break;
            case JsonValue value when value.TryGetValue<bool>(out var flag):
                form[name] = flag ? "true" : "false";
                break;
            case JsonValue value when value.TryGetValue<double>(out var number):
                form[name] = Number(number);
                break;
            case JsonValue value:
                form[name] = value.ToString();
                break;
        }
    }

    /// <summary>An answer's element as JSON, typed by its member's name (a list's items by the list's).</summary>
    private static JsonNode? ToJson(XElement element, string member)
    {
        if (Lists.Contains(member)) return new JsonArray(element.Elements("member").Select(item => ToJson(item, member == "Values" || member == "Timestamps" ? member + "Item" : "")).ToArray());
        if (element.HasElements)
        {
            var members = new JsonObject();
            foreach (var child in element.Elements()) members[child.Name.LocalName] = ToJson(child, child.Name.LocalName);
            return members;
        }
        var text = element.Value;
        if (Numbers.Contains(member) || member == "ValuesItem") return JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture));
        if (Times.Contains(member) || member == "TimestampsItem")
            return JsonValue.Create(DateTimeOffset.Parse(text, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() / 1000.0);
        return JsonValue.Create(text);
    }

    /// <summary>GetMetricData's page when MaxDatapoints is not given, as CloudWatch's API reference states it.</summary>
    private const int DefaultMaxDatapoints = 100_800;

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
                // Before the queries are read: a metric-math query has no MetricStat, which would otherwise be named as missing.
                if (request.MemberPrefixes("MetricDataQueries").Any(q => request[q + ".Expression"] is not null))
                    throw new QueryFault(400, "InvalidParameterValue", "Metric math (Expression) is not served by the local endpoint; give each query a MetricStat.");
                var queries = request.MemberPrefixes("MetricDataQueries").Select(q => q + ".").Select(q => new MetricDataQuery(request.Required(q + "Id"),
                    new MetricStat(Metric(request, q + "MetricStat.Metric."), request.RequiredInt(q + "MetricStat.Period"), request.Required(q + "MetricStat.Stat"), request[q + "MetricStat.Unit"]),
                    request[q + "ReturnData"] != "false", request[q + "Label"])).ToList();
                if (queries.GroupBy(q => q.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } repeated)
                    throw new QueryFault(400, "ValidationError", $"The Id '{repeated.Key}' is given to {repeated.Count()} queries; each query in MetricDataQueries needs an Id of its own.");
                // CloudWatch lists the newest datapoint first unless asked otherwise.
                var ascending = request["ScanBy"] switch
                {
                    null or "TimestampDescending" => false,
                    "TimestampAscending" => true,
                    var scanBy => throw new QueryFault(400, "ValidationError",
                        $"1 validation error detected: Value '{scanBy}' at 'scanBy' failed to satisfy constraint: Member must satisfy enum value set: [TimestampDescending, TimestampAscending]"),
                };
                // At most MaxDatapoints a page, the queries' datapoints counted in order; NextToken is how many came before.
                var maxDatapoints = request["MaxDatapoints"] is null ? DefaultMaxDatapoints : request.RequiredInt("MaxDatapoints");
                if (maxDatapoints < 1)
                    throw new QueryFault(400, "InvalidParameterValue", $"The value {maxDatapoints} for parameter MaxDatapoints is invalid: give 1 or more.");
                var skip = 0;
                if (request["NextToken"] is { } token && (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out skip) || skip < 1))
                    throw new QueryFault(400, "InvalidNextToken", $"NextToken '{token}' is not one GetMetricData gave; ask again without it.");
                var answer = await cloudWatch.GetMetricDataAsync(queries, request.RequiredTime("StartTime"), request.RequiredTime("EndTime"));
                IEnumerable<T> InOrder<T>(IEnumerable<T> newestFirst) => ascending ? newestFirst.Reverse() : newestFirst;
                var (before, room) = (0, maxDatapoints);
                var results = new List<object[]>();
                foreach (var r in answer)
                {
                    var points = InOrder(r.Timestamps).Zip(InOrder(r.Values)).ToList();
                    var from = Math.Clamp(skip - before, 0, points.Count);
                    var taken = points.Skip(from).Take(room).ToList();
                    before += points.Count;
                    room -= taken.Count;
                    results.Add(
                    [
                        new XElement("Id", r.Id), new XElement("Label", r.Label),
                        Members("Timestamps", taken.Select(p => Time(p.First))), Members("Values", taken.Select(p => Number(p.Second))),
                        new XElement("StatusCode", from + taken.Count < points.Count ? "PartialData" : r.StatusCode),
                    ]);
                }
                var given = skip + maxDatapoints - room;
                return [Members("MetricDataResults", results), Members("Messages", []),
                    given < before ? new XElement("NextToken", given.ToString(CultureInfo.InvariantCulture)) : null];
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
                // AWS/ namespaces belong to the services: a datum put there would mix with the stream's own figures.
                if (metricNamespace.StartsWith("AWS/", StringComparison.Ordinal))
                    throw new QueryFault(400, "InvalidParameterValue", $"The value {metricNamespace} for parameter Namespace is invalid: namespaces starting 'AWS/' are reserved for AWS services. Put custom metrics in a namespace of your own, such as Workshop/Custom.");
                // Every datum is checked before any is kept, so a refused request keeps nothing, as CloudWatch's does.
                var data = new List<(string Name, MetricDimension Dimension, double Value, string Unit)>();
                foreach (var p in request.MemberPrefixes("MetricData").Select(p => p + "."))
                {
                    var dimensions = request.MemberPrefixes(p + "Dimensions").ToList();
                    if (dimensions.Count != 1)
                        throw new QueryFault(400, "InvalidParameterValue", $"The local endpoint keeps metrics with exactly one dimension; {request[p + "MetricName"]} has {dimensions.Count}. Give one, e.g. --dimensions StreamName=weather.");
                    if (request[p + "Values.member.1"] is not null || request[p + "StatisticValues.Sum"] is not null)
                        throw new QueryFault(400, "InvalidParameterValue", "Values and StatisticValues are not served by the local endpoint; put one Value per datum.");
                    if (!double.IsFinite(request.RequiredDouble(p + "Value")))
                        throw new QueryFault(400, "InvalidParameterValue", $"The value {request[p + "Value"]} for parameter {p}Value is invalid: CloudWatch takes no NaN or infinite values. Leave the datum out instead.");
                    data.Add((request.Required(p + "MetricName"), new MetricDimension(request.Required(dimensions[0] + ".Name"), request.Required(dimensions[0] + ".Value")),
                        request.RequiredDouble(p + "Value"), request[p + "Unit"] ?? "None"));
                }
                foreach (var (name, dimension, value, unit) in data) log.Record(metricNamespace, name, dimension, value, unit);
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
                // A page of at most MaxRecords (1 to 100; 50 when not given) in name order; NextToken is the last name given.
                var maxRecords = 50;
                if (request["MaxRecords"] is { } given && (!int.TryParse(given, NumberStyles.None, CultureInfo.InvariantCulture, out maxRecords) || maxRecords is < 1 or > 100))
                    throw new QueryFault(400, "ValidationError", $"1 validation error detected: Value '{given}' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and 100");
                var (page, more) = NamedPages.After(alarms.Where(a => (prefix is null || a.AlarmName.StartsWith(prefix, StringComparison.Ordinal)) && (state is null || a.StateValue == state)),
                    a => a.AlarmName, request["NextToken"], maxRecords);
                return [Members("MetricAlarms", page.Select(a => new object?[]
                {
                    new XElement("AlarmName", a.AlarmName), a.Definition.AlarmDescription is { } description ? new XElement("AlarmDescription", description) : null,
                    new XElement("Namespace", a.Definition.Metric.Namespace), new XElement("MetricName", a.Definition.Metric.MetricName),
                    Members("Dimensions", a.Definition.Metric.Dimensions.Select(d => new object[] { new XElement("Name", d.Name), new XElement("Value", d.Value) })),
                    new XElement("Statistic", a.Definition.Statistic), new XElement("Period", a.Definition.Period), new XElement("EvaluationPeriods", a.Definition.EvaluationPeriods),
                    new XElement("DatapointsToAlarm", a.Definition.EffectiveDatapointsToAlarm), new XElement("Threshold", Number(a.Definition.Threshold)),
                    new XElement("ComparisonOperator", a.Definition.ComparisonOperator), new XElement("TreatMissingData", a.Definition.TreatMissingData),
                    a.Definition.Unit is { } unit ? new XElement("Unit", unit) : null,
                    new XElement("StateValue", a.StateValue), new XElement("StateReason", a.StateReason), new XElement("StateUpdatedTimestamp", Time(a.StateUpdatedTimestamp)),
                })), Members("CompositeAlarms", []), more ? new XElement("NextToken", page[^1].AlarmName) : null];
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
