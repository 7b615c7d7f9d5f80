using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Web;
using System.Xml.Linq;
using StreamingWorkshop;
using StreamingWorkshop.Aws;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Query;
using StreamingWorkshop.Serve;
using StreamingWorkshop.Stack;

namespace Workshop.Tests.TestSupport;

/// <summary>
/// Stand-ins for the AWS services that have no emulator here (CloudFormation, Glue, Athena, Firehose, Logs,
/// Lambda, STS), speaking their wire protocols on a loopback port and answering from a local workshop session:
/// its stack, catalog, crawlers and query engine. Lambda runs the kit's producer against a real (emulated)
/// Kinesis. It also fronts s3rver, answering the lifecycle calls s3rver lacks and passing every other S3
/// request through untouched. Every request is recorded.
/// </summary>
public sealed class AwsStub : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly WorkshopSession local;
    private readonly WeatherProducer producer;
    private readonly Uri s3rver;
    private readonly HttpClient forward = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly Task loop;
    private readonly CancellationTokenSource stop = new();
    private readonly JsonServiceHandlers json;

    public AwsStub(WorkshopSession local, StreamingWorkshop.Broker.IStreamService kinesis, Uri s3rver)
    {
        this.local = local;
        this.s3rver = s3rver;
        json = new JsonServiceHandlers(local);
        producer = new WeatherProducer(local.WeatherSource, kinesis, local.Local!.Logs, TimeProvider.System,
            new ProducerOptions { StreamName = local.Names.StreamName, Cities = local.Cities, FunctionName = local.Names.ProducerFunction });
        Port = Loopback.FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        loop = Task.Run(ServeAsync);
    }

    public int Port { get; }
    public Uri Endpoint => new($"http://127.0.0.1:{Port}/");

    /// <summary>Service and operation of each request, in arrival order: the run's recording.</summary>
    public ConcurrentQueue<string> Recording { get; } = new();

    /// <summary>The SigV4 credential scope (service, region) of every request, S3's passed-through ones included.</summary>
    public ConcurrentQueue<(string Service, string Region)> Scopes { get; } = new();

    private async Task ServeAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception) when (stop.IsCancellationRequested) { return; }
            // One request at a time: the local engine behind it is used as one learner would use it.
            try { await HandleAsync(context); }
            catch (Exception error) { await Reply(context, 500, "application/json", new JsonObject { ["__type"] = "InternalFailure", ["message"] = error.Message }.ToJsonString()); }
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var body = await new StreamReader(request.InputStream, Encoding.UTF8).ReadToEndAsync();
        var authorization = request.Headers["Authorization"] ?? "";
        var scope = ModelBackedService.CredentialScope().Match(authorization);
        var service = scope.Groups["service"].Value;
        Scopes.Enqueue((service, scope.Groups["region"].Value));
        if (service == "s3")
        {
            await S3Async(context, Encoding.UTF8.GetBytes(body));
            return;
        }
        if (request.Headers["X-Amz-Target"] is { } target)
        {
            var operation = target.Split('.').Last();
            Recording.Enqueue($"{service} {operation}");
            try
            {
                var answer = await json.HandleAsync(service, operation, JsonNode.Parse(body.Length == 0 ? "{}" : body)!.AsObject());
                await Reply(context, 200, "application/x-amz-json-1.1", answer.ToJsonString());
            }
            catch (ServiceException error)
            {
                await Reply(context, 400, "application/x-amz-json-1.1", new JsonObject { ["__type"] = error.ErrorCode, ["message"] = error.Message }.ToJsonString());
            }
            return;
        }
        if (request.Url!.AbsolutePath.EndsWith("/invocations", StringComparison.Ordinal))
        {
            Recording.Enqueue("lambda Invoke");
            var summary = await producer.InvokeAsync();
            var tail = local.Local!.Logs.Tail(ProducerLog.GroupFor(local.Names.ProducerFunction), 8).Select(e => e.Message);
            context.Response.Headers["X-Amz-Log-Result"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join('\n', tail)));
            context.Response.Headers["X-Amz-Executed-Version"] = "$LATEST";
            // Shaped as the template's function answers.
            var answer = new JsonObject { ["processed"] = summary.Processed, ["failed_cities"] = new JsonArray(summary.FailedCities.Select(c => (JsonNode)c).ToArray()) };
            await Reply(context, 200, "application/json", new JsonObject { ["statusCode"] = 200, ["body"] = answer.ToJsonString() }.ToJsonString());
            return;
        }
        var form = HttpUtility.ParseQueryString(body);
        var action = form["Action"] ?? "";
        Recording.Enqueue($"{service} {action}");
        try
        {
            var result = await QueryAsync(action, form);
            await Reply(context, 200, "text/xml", new XDocument(new XElement($"{action}Response", result, new XElement("ResponseMetadata", new XElement("RequestId", Guid.NewGuid())))).ToString());
        }
        catch (ServiceException error)
        {
            var code = error is ValidationException ? "ValidationError" : error.ErrorCode;
            await Reply(context, 400, "text/xml", new XElement("ErrorResponse", new XElement("Error", new XElement("Type", "Sender"), new XElement("Code", code), new XElement("Message", error.Message))).ToString());
        }
    }

    private async Task S3Async(HttpListenerContext context, byte[] body)
    {
        var request = context.Request;
        if (request.QueryString.AllKeys.Contains("lifecycle") || request.Url!.Query.Contains("lifecycle", StringComparison.Ordinal))
        {
            Recording.Enqueue("s3 GetBucketLifecycleConfiguration");
            var bucket = request.Url!.AbsolutePath.Trim('/');
            var lifecycle = await local.Lake.GetBucketLifecycleAsync(bucket);
            var rules = lifecycle.Rules;
            context.Response.Headers["x-amz-transition-default-minimum-object-size"] = lifecycle.TransitionDefaultMinimumObjectSize;
            XNamespace s3 = "http://s3.amazonaws.com/doc/2006-03-01/";
            var xml = new XElement(s3 + "LifecycleConfiguration", rules.Select(rule => new XElement(s3 + "Rule",
                new XElement(s3 + "ID", rule.Id), new XElement(s3 + "Filter", new XElement(s3 + "Prefix", rule.Prefix)),
                new XElement(s3 + "Status", rule.Enabled ? "Enabled" : "Disabled"),
                rule.Transitions.Select(t => new XElement(s3 + "Transition", new XElement(s3 + "Days", t.Days), new XElement(s3 + "StorageClass", t.StorageClass))),
                rule.ExpirationDays is { } days ? new XElement(s3 + "Expiration", new XElement(s3 + "Days", days)) : null)));
            await Reply(context, 200, "application/xml", xml.ToString());
            return;
        }
        // Everything else goes to s3rver as signed, with the original Host so the signature still holds.
        using var message = new HttpRequestMessage(new HttpMethod(request.HttpMethod), new Uri(s3rver, request.Url!.PathAndQuery));
        if (body.Length > 0 || request.HttpMethod is "PUT" or "POST") message.Content = new ByteArrayContent(body);
        foreach (var name in request.Headers.AllKeys.OfType<string>())
        {
            var value = request.Headers[name]!;
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) continue;
            if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)) message.Content?.Headers.TryAddWithoutValidation(name, value);
            else if (name.Equals("Host", StringComparison.OrdinalIgnoreCase)) message.Headers.Host = value;
            else message.Headers.TryAddWithoutValidation(name, value);
        }
        using var answer = await forward.SendAsync(message);
        var content = await answer.Content.ReadAsByteArrayAsync();
        context.Response.StatusCode = (int)answer.StatusCode;
        foreach (var header in answer.Headers.Concat(answer.Content.Headers))
            if (!header.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && !header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                context.Response.Headers[header.Key] = string.Join(",", header.Value);
        if (request.HttpMethod != "HEAD") await context.Response.OutputStream.WriteAsync(content);
        context.Response.Close();
    }

    private async Task<XElement> QueryAsync(string action, System.Collections.Specialized.NameValueCollection form)
    {
        var result = new XElement($"{action}Result");
        switch (action)
        {
            case "GetCallerIdentity":
                result.Add(new XElement("Account", local.Names.AccountId), new XElement("Arn", $"arn:aws:iam::{local.Names.AccountId}:user/learner"), new XElement("UserId", "AIDALEARNER"));
                return result;
            case "DescribeStacks":
            {
                var name = StackName(form["StackName"]!);
                if (!local.Local!.Stacks.StackExists(name)) throw new ValidationException("cloudformation", $"Stack with id {name} does not exist");
                var stack = local.Local!.Stacks.DescribeStack(name);
                result.Add(new XElement("Stacks", new XElement("member",
                    new XElement("StackName", stack.StackName), new XElement("StackId", stack.StackId), new XElement("StackStatus", stack.StackStatus),
                    new XElement("CreationTime", Iso(stack.CreationTime)),
                    new XElement("Parameters", stack.Parameters.Select(p => new XElement("member", new XElement("ParameterKey", p.ParameterKey), new XElement("ParameterValue", p.NoEcho ? "****" : p.ParameterValue)))),
                    new XElement("Outputs", stack.Outputs.Select(o => new XElement("member", new XElement("OutputKey", o.OutputKey), new XElement("OutputValue", o.OutputValue), o.Description is null ? null : new XElement("Description", o.Description)))))));
                return result;
            }
            case "DescribeStackResources":
                result.Add(new XElement("StackResources", local.Local!.Stacks.DescribeStack(StackName(form["StackName"]!)).Resources.Select(r => new XElement("member",
                    new XElement("LogicalResourceId", r.LogicalResourceId), new XElement("PhysicalResourceId", r.PhysicalResourceId),
                    new XElement("ResourceType", r.ResourceType), new XElement("ResourceStatus", r.ResourceStatus), new XElement("Timestamp", Iso(DateTimeOffset.UtcNow))))));
                return result;
            case "GetTemplate":
                result.Add(new XElement("TemplateBody", local.Local!.Stacks.DescribeStack(StackName(form["StackName"]!)).TemplateBody));
                return result;
            case "DescribeStackEvents":
                result.Add(new XElement("StackEvents", local.Local!.Stacks.DescribeStack(StackName(form["StackName"]!)).Events.AsEnumerable().Reverse().Select((e, i) => new XElement("member",
                    new XElement("EventId", $"event-{i}"), new XElement("StackName", "stack"), new XElement("StackId", "stack"),
                    new XElement("LogicalResourceId", e.LogicalResourceId), new XElement("ResourceType", e.ResourceType), new XElement("ResourceStatus", e.ResourceStatus),
                    e.ResourceStatusReason is null ? null : new XElement("ResourceStatusReason", e.ResourceStatusReason), new XElement("Timestamp", Iso(e.Timestamp))))));
                return result;
            case "CreateStack" or "UpdateStack":
            {
                var parameters = Enumerable.Range(1, 50).Select(i => (form[$"Parameters.member.{i}.ParameterKey"], form[$"Parameters.member.{i}.ParameterValue"]))
                    .TakeWhile(p => p.Item1 is not null).ToDictionary(p => p.Item1!, p => p.Item2!);
                var state = await local.Local!.Stacks.DeployAsync(form["StackName"]!, form["TemplateBody"]!, parameters);
                result.Add(new XElement("StackId", state.StackId));
                return result;
            }
            case "GetMetricStatistics" or "GetMetricData" or "PutMetricAlarm" or "DescribeAlarms" or "DeleteAlarms":
                result.Add(await CloudWatchAsync(action, form));
                return result;
            default:
                throw new ServiceException("cloudformation", "InvalidAction", $"The stub does not answer {action}.");
        }
    }

    /// <summary>CloudWatch, answered from the local session's metrics and alarms.</summary>
    private async Task<object[]> CloudWatchAsync(string action, System.Collections.Specialized.NameValueCollection form)
    {
        var cloudWatch = local.Local!.CloudWatch;
        static IEnumerable<int> Members(System.Collections.Specialized.NameValueCollection form, string prefix) =>
            Enumerable.Range(1, 500).TakeWhile(i => form.AllKeys.Any(k => k!.StartsWith($"{prefix}.member.{i}", StringComparison.Ordinal)));
        static StreamingWorkshop.Metrics.MetricId Metric(System.Collections.Specialized.NameValueCollection form, string prefix) =>
            new(form[prefix + "Namespace"]!, form[prefix + "MetricName"]!, Members(form, prefix + "Dimensions")
                .Select(i => new StreamingWorkshop.Metrics.MetricDimension(form[$"{prefix}Dimensions.member.{i}.Name"]!, form[$"{prefix}Dimensions.member.{i}.Value"]!)).ToArray());
        static DateTimeOffset Time(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);
        static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        switch (action)
        {
            case "GetMetricStatistics":
            {
                var statistics = Members(form, "Statistics").Select(i => form[$"Statistics.member.{i}"]!).ToArray();
                var answer = await cloudWatch.GetMetricStatisticsAsync(new StreamingWorkshop.Metrics.MetricStatisticsRequest(Metric(form, ""), Time(form["StartTime"]!), Time(form["EndTime"]!), Int(form["Period"]!), statistics, form["Unit"]));
                return [new XElement("Label", answer.Label), new XElement("Datapoints", answer.Datapoints.Select(d => new XElement("member",
                    new XElement("Timestamp", Iso(d.Timestamp)), new XElement("Unit", d.Unit),
                    statistics.Select(s => new XElement(s, Number(d.Statistic(s)!.Value))))))];
            }
            case "GetMetricData":
            {
                var queries = Members(form, "MetricDataQueries").Select(i => $"MetricDataQueries.member.{i}.").Select(q => new StreamingWorkshop.Metrics.MetricDataQuery(form[q + "Id"]!,
                    new StreamingWorkshop.Metrics.MetricStat(Metric(form, q + "MetricStat.Metric."), Int(form[q + "MetricStat.Period"]!), form[q + "MetricStat.Stat"]!, form[q + "MetricStat.Unit"]),
                    form[q + "ReturnData"] != "false", form[q + "Label"])).ToArray();
                var answer = await cloudWatch.GetMetricDataAsync(queries, Time(form["StartTime"]!), Time(form["EndTime"]!));
                return [new XElement("MetricDataResults", answer.Select(r => new XElement("member", new XElement("Id", r.Id), new XElement("Label", r.Label),
                    new XElement("Timestamps", r.Timestamps.Select(t => new XElement("member", Iso(t)))), new XElement("Values", r.Values.Select(v => new XElement("member", Number(v)))),
                    new XElement("StatusCode", r.StatusCode))))];
            }
            case "PutMetricAlarm":
                await cloudWatch.PutMetricAlarmAsync(new StreamingWorkshop.Metrics.MetricAlarmDefinition(form["AlarmName"]!, Metric(form, ""), form["Statistic"]!, Int(form["Period"]!),
                    Int(form["EvaluationPeriods"]!), double.Parse(form["Threshold"]!, CultureInfo.InvariantCulture), form["ComparisonOperator"]!,
                    form["DatapointsToAlarm"] is { } needed ? Int(needed) : null, form["TreatMissingData"] ?? "missing", form["Unit"], form["AlarmDescription"]));
                return [];
            case "DescribeAlarms":
            {
                var names = Members(form, "AlarmNames").Select(i => form[$"AlarmNames.member.{i}"]!).ToArray();
                var alarms = await cloudWatch.DescribeAlarmsAsync(names);
                return [new XElement("MetricAlarms", alarms.Select(a => new XElement("member",
                    new XElement("AlarmName", a.AlarmName), new XElement("Namespace", a.Definition.Metric.Namespace), new XElement("MetricName", a.Definition.Metric.MetricName),
                    new XElement("Dimensions", a.Definition.Metric.Dimensions.Select(d => new XElement("member", new XElement("Name", d.Name), new XElement("Value", d.Value)))),
                    new XElement("Statistic", a.Definition.Statistic), new XElement("Period", a.Definition.Period), new XElement("EvaluationPeriods", a.Definition.EvaluationPeriods),
                    new XElement("DatapointsToAlarm", a.Definition.EffectiveDatapointsToAlarm), new XElement("Threshold", Number(a.Definition.Threshold)),
                    new XElement("ComparisonOperator", a.Definition.ComparisonOperator), new XElement("TreatMissingData", a.Definition.TreatMissingData),
                    new XElement("StateValue", a.StateValue), new XElement("StateReason", a.StateReason), new XElement("StateUpdatedTimestamp", Iso(a.StateUpdatedTimestamp)))))];
            }
            default:
                await cloudWatch.DeleteAlarmsAsync(Members(form, "AlarmNames").Select(i => form[$"AlarmNames.member.{i}"]!).ToArray());
                return [];
        }
    }

    // Deleted stacks are looked up by id; the local stacks are known by name.
    private static string StackName(string nameOrId) => nameOrId.StartsWith("arn:", StringComparison.Ordinal) ? nameOrId.Split('/')[1] : nameOrId;

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static async Task Reply(HttpListenerContext context, int status, string contentType, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        var bytes = Encoding.UTF8.GetBytes(body);
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        listener.Stop();
        try { await loop; } catch (Exception) { }
        listener.Close();
        forward.Dispose();
    }
}
