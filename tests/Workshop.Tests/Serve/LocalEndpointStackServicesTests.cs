using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Stack;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Serve;

/// <summary>
/// The local endpoint's CloudFormation and CloudWatch (query protocol: a form body, an XML answer in the service's
/// namespace) and Lambda (REST-JSON), called over HTTP as botocore calls them, each answer read as the wire has it.
/// </summary>
public sealed class LocalEndpointStackServicesTests : LocalEndpointTest
{
    private static readonly XNamespace CloudFormation = "http://cloudformation.amazonaws.com/doc/2010-05-15/";
    private static readonly XNamespace CloudWatch = "http://monitoring.amazonaws.com/doc/2010-08-01/";

    private async Task<(HttpStatusCode Status, XElement Body)> QueryAsync(string service, params (string Name, string Value)[] form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint.Url) { Content = new FormUrlEncodedContent(form.Select(f => KeyValuePair.Create(f.Name, f.Value))) };
        request.Headers.TryAddWithoutValidation("Authorization", Authorization(service));
        using var response = await Http.SendAsync(request);
        Assert.Equal("text/xml", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, XElement.Parse(await response.Content.ReadAsStringAsync()));
    }

    private async Task<XElement> OkAsync(string service, params (string Name, string Value)[] form)
    {
        var (status, body) = await QueryAsync(service, form);
        Assert.True(status == HttpStatusCode.OK, $"{form[0].Value} answered {(int)status}: {body}");
        return body;
    }

    private async Task AssertErrorAsync(XNamespace ns, HttpStatusCode expectedStatus, string code, string message, string service, params (string Name, string Value)[] form)
    {
        var (status, body) = await QueryAsync(service, form);
        Assert.Equal(expectedStatus, status);
        Assert.Equal(ns + "ErrorResponse", body.Name);
        var error = body.Element(ns + "Error")!;
        Assert.Equal("Sender", error.Element(ns + "Type")?.Value);
        Assert.Equal(code, error.Element(ns + "Code")?.Value);
        Assert.Equal(message, error.Element(ns + "Message")?.Value);
        Assert.False(string.IsNullOrEmpty(body.Element(ns + "RequestId")?.Value), "the error carries a request id");
    }

    private static (string, string)[] Deploy(string action, string stackName, params (string Key, string Value)[] parameters) =>
    [
        ("Action", action), ("Version", "2010-05-15"), ("StackName", stackName), ("TemplateBody", TemplateReader.WorkshopTemplate()),
        ("Capabilities.member.1", "CAPABILITY_NAMED_IAM"),
        .. parameters.SelectMany((p, i) => new[] { ($"Parameters.member.{i + 1}.ParameterKey", p.Key), ($"Parameters.member.{i + 1}.ParameterValue", p.Value) }),
    ];

    private static XElement Result(XElement response, string action) => response.Element(CloudFormation + $"{action}Result")!;

    [Fact]
    public async Task A_stack_is_created_described_refused_twice_and_deleted()
    {
        var created = await OkAsync("cloudformation", Deploy("CreateStack", "unit", ("ProjectName", "unit-test"), ("WarehousePassword", "Workshop123")));
        var stackId = Result(created, "CreateStack").Element(CloudFormation + "StackId")!.Value;
        Assert.StartsWith("arn:aws:cloudformation:us-east-1:123456789012:stack/unit/", stackId);

        var described = Result(await OkAsync("cloudformation", ("Action", "DescribeStacks")), "DescribeStacks");
        var stack = Assert.Single(described.Element(CloudFormation + "Stacks")!.Elements(CloudFormation + "member"));
        Assert.Equal("unit", stack.Element(CloudFormation + "StackName")?.Value);
        Assert.Equal("CREATE_COMPLETE", stack.Element(CloudFormation + "StackStatus")?.Value);
        var outputs = stack.Element(CloudFormation + "Outputs")!.Elements().ToDictionary(o => o.Element(CloudFormation + "OutputKey")!.Value, o => o.Element(CloudFormation + "OutputValue")!.Value);
        Assert.Equal("unit-test-stream-dev", outputs["KinesisStreamName"]);

        var events = Result(await OkAsync("cloudformation", ("Action", "DescribeStackEvents"), ("StackName", stackId)), "DescribeStackEvents")
            .Element(CloudFormation + "StackEvents")!.Elements().Select(e => (e.Element(CloudFormation + "LogicalResourceId")!.Value, e.Element(CloudFormation + "ResourceStatus")!.Value)).ToList();
        Assert.Equal(("unit", "CREATE_COMPLETE"), events[0]);
        Assert.Equal(("unit", "CREATE_IN_PROGRESS"), events[^1]);
        Assert.Contains(("WeatherStream", "CREATE_COMPLETE"), events);

        var resources = Result(await OkAsync("cloudformation", ("Action", "DescribeStackResources"), ("StackName", "unit"), ("LogicalResourceId", "ProducerFunction")), "DescribeStackResources");
        Assert.Equal("unit-test-producer-dev", Assert.Single(resources.Element(CloudFormation + "StackResources")!.Elements()).Element(CloudFormation + "PhysicalResourceId")?.Value);

        // An id with another stack's GUID names no stack, though its name is this one's.
        var otherId = stackId[..(stackId.LastIndexOf('/') + 1)] + Guid.Empty;
        await AssertErrorAsync(CloudFormation, HttpStatusCode.BadRequest, "ValidationError", $"Stack with id {otherId} does not exist", "cloudformation",
            ("Action", "DescribeStacks"), ("StackName", otherId));
        var (filterStatus, filterError) = await QueryAsync("cloudformation", ("Action", "ListStacks"), ("StackStatusFilter.member.1", "CREATE_COMPLETE"), ("StackStatusFilter.member.2", "FOO"));
        Assert.Equal(HttpStatusCode.BadRequest, filterStatus);
        var filterMessage = filterError.Descendants(CloudFormation + "Message").Single().Value;
        Assert.StartsWith("1 validation error detected: Value '[CREATE_COMPLETE, FOO]' at 'stackStatusFilter' failed to satisfy constraint", filterMessage);
        Assert.EndsWith("IMPORT_ROLLBACK_COMPLETE]] ('FOO' is not a stack status).", filterMessage);

        var summaries = Result(await OkAsync("cloudformation", ("Action", "ListStacks")), "ListStacks").Element(CloudFormation + "StackSummaries")!.Elements();
        Assert.Equal(["unit CREATE_COMPLETE"], summaries.Select(m => $"{m.Element(CloudFormation + "StackName")!.Value} {m.Element(CloudFormation + "StackStatus")!.Value}"));
        Assert.Equal(TemplateReader.WorkshopTemplate(), Result(await OkAsync("cloudformation", ("Action", "GetTemplate"), ("StackName", "unit")), "GetTemplate").Element(CloudFormation + "TemplateBody")?.Value);
        var templateSummary = Result(await OkAsync("cloudformation", ("Action", "GetTemplateSummary"), ("StackName", "unit")), "GetTemplateSummary");
        Assert.Contains("AWS::Lambda::Function", templateSummary.Element(CloudFormation + "ResourceTypes")!.Elements().Select(t => t.Value));

        await AssertErrorAsync(CloudFormation, HttpStatusCode.BadRequest, "AlreadyExistsException", "Stack [unit] already exists", "cloudformation",
            Deploy("CreateStack", "unit", ("ProjectName", "unit-test"), ("WarehousePassword", "Workshop123")));
        await AssertErrorAsync(CloudFormation, HttpStatusCode.BadRequest, "ValidationError", "No updates are to be performed.", "cloudformation",
            Deploy("UpdateStack", "unit", ("WarehousePassword", "Workshop123")));

        // As on AWS, a bucket with objects stops the deletion: the jobs' scripts are emptied out first.
        await Session.Local!.Lake.EmptyBucketAsync("unit-test-glue-scripts-dev-123456789012");
        await OkAsync("cloudformation", ("Action", "DeleteStack"), ("StackName", "unit"));
        await AssertErrorAsync(CloudFormation, HttpStatusCode.BadRequest, "ValidationError", "Stack with id unit does not exist", "cloudformation",
            ("Action", "DescribeStacks"), ("StackName", "unit"));
        Assert.Empty(Result(await OkAsync("cloudformation", ("Action", "DescribeStacks")), "DescribeStacks").Element(CloudFormation + "Stacks")!.Elements());
        // By its id, the deleted stack is still described, as DELETE_COMPLETE.
        var byId = Assert.Single(Result(await OkAsync("cloudformation", ("Action", "DescribeStacks"), ("StackName", stackId)), "DescribeStacks").Element(CloudFormation + "Stacks")!.Elements());
        Assert.Equal(("unit", "DELETE_COMPLETE"), (byId.Element(CloudFormation + "StackName")!.Value, byId.Element(CloudFormation + "StackStatus")!.Value));
        Assert.NotNull(byId.Element(CloudFormation + "DeletionTime"));

        // ListStacks still lists it, DELETE_COMPLETE with its deletion time, for 90 days; a status filter leaves it out.
        var afterwards = Result(await OkAsync("cloudformation", ("Action", "ListStacks")), "ListStacks").Element(CloudFormation + "StackSummaries")!.Elements().ToList();
        var gone = Assert.Single(afterwards);
        Assert.Equal((stackId, "unit", "DELETE_COMPLETE"), (gone.Element(CloudFormation + "StackId")!.Value, gone.Element(CloudFormation + "StackName")!.Value, gone.Element(CloudFormation + "StackStatus")!.Value));
        Assert.NotNull(gone.Element(CloudFormation + "DeletionTime"));
        Assert.Empty(Result(await OkAsync("cloudformation", ("Action", "ListStacks"), ("StackStatusFilter.member.1", "CREATE_COMPLETE")), "ListStacks")
            .Element(CloudFormation + "StackSummaries")!.Elements());
        Session.Clock.Advance(LocalCloudFormation.DeletedStacksListedFor + TimeSpan.FromMinutes(1));
        Assert.Empty(Result(await OkAsync("cloudformation", ("Action", "ListStacks")), "ListStacks").Element(CloudFormation + "StackSummaries")!.Elements());
    }

    [Fact]
    public async Task Change_sets_create_a_stack_find_no_changes_and_update_what_a_new_parameter_touches()
    {
        (string, string)[] ChangeSet(string name, string type, params (string Key, string Value)[] parameters) =>
            [.. Deploy("CreateChangeSet", "sets", parameters).Where(f => f.Item1 != "Action"), ("Action", "CreateChangeSet"), ("ChangeSetName", name), ("ChangeSetType", type)];
        async Task<XElement> DescribeAsync(string name) =>
            Result(await OkAsync("cloudformation", ("Action", "DescribeChangeSet"), ("StackName", "sets"), ("ChangeSetName", name)), "DescribeChangeSet");
        string Text(XElement element, string name) => element.Element(CloudFormation + name)?.Value ?? "";
        List<(string Action, string LogicalId)> Changes(XElement described) => described.Element(CloudFormation + "Changes")!.Elements()
            .Select(c => c.Element(CloudFormation + "ResourceChange")!).Select(r => (Text(r, "Action"), Text(r, "LogicalResourceId"))).ToList();

        await AssertErrorAsync(CloudFormation, HttpStatusCode.BadRequest, "ValidationError",
            "Parameters: [WarehousePassword] must have values (give them with --parameter-overrides WarehousePassword=...).", "cloudformation", ChangeSet("no-password", "CREATE"));
        await OkAsync("cloudformation", ChangeSet("first", "CREATE", ("WarehousePassword", "Workshop123")));
        var first = await DescribeAsync("first");
        Assert.Equal(("CREATE_COMPLETE", "AVAILABLE"), (Text(first, "Status"), Text(first, "ExecutionStatus")));
        Assert.Contains(("Add", "ProducerFunction"), Changes(first));
        // The template's NoEcho password is masked, as in DescribeStacks.
        var password = first.Element(CloudFormation + "Parameters")!.Elements().Single(p => Text(p, "ParameterKey") == "WarehousePassword");
        Assert.Equal("****", Text(password, "ParameterValue"));
        Assert.DoesNotContain("Workshop123", first.ToString());
        // Made at the workspace's time, as the stack's events are, not the wall clock's.
        Assert.Equal(Session.Clock.GetUtcNow(), DateTimeOffset.Parse(Text(first, "CreationTime"), System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromSeconds(1));
        Assert.False(Session.Local!.Stacks.StackExists("sets"), "a change set changes nothing until it is executed");
        await OkAsync("cloudformation", ("Action", "ExecuteChangeSet"), ("StackName", "sets"), ("ChangeSetName", "first"));
        Assert.Equal("CREATE_COMPLETE", Session.Local!.Stacks.DescribeStack("sets").StackStatus);

        await OkAsync("cloudformation", ChangeSet("same", "UPDATE", ("WarehousePassword", "Workshop123")));
        var same = await DescribeAsync("same");
        Assert.Equal(("FAILED", "UNAVAILABLE"), (Text(same, "Status"), Text(same, "ExecutionStatus")));
        Assert.Equal("The submitted information didn't contain changes. Submit different information to create a change set.", Text(same, "StatusReason"));
        await AssertErrorAsync(CloudFormation, HttpStatusCode.BadRequest, "InvalidChangeSetStatus", $"ChangeSet [{Text(same, "ChangeSetId")}] cannot be executed in its current status of [FAILED]", "cloudformation",
            ("Action", "ExecuteChangeSet"), ("ChangeSetName", Text(same, "ChangeSetId")));

        await OkAsync("cloudformation", ChangeSet("fewer-cities", "UPDATE", ("Cities", "London")));
        // The producer polls the cities, and the daily pipeline's check counts them.
        Assert.Equal([("Modify", "ProducerFunction"), ("Modify", "DailyPipeline")], Changes(await DescribeAsync("fewer-cities")));
        await OkAsync("cloudformation", ("Action", "ExecuteChangeSet"), ("StackName", "sets"), ("ChangeSetName", "fewer-cities"));
        var updated = Session.Local!.Stacks.DescribeStack("sets");
        Assert.Equal("UPDATE_COMPLETE", updated.StackStatus);
        Assert.Equal("London", updated.Parameters.Single(p => p.ParameterKey == "Cities").ParameterValue);

        await OkAsync("cloudformation", ("Action", "DeleteChangeSet"), ("StackName", "sets"), ("ChangeSetName", "same"));
        await AssertErrorAsync(CloudFormation, HttpStatusCode.NotFound, "ChangeSetNotFound", "ChangeSet [same] does not exist", "cloudformation",
            ("Action", "DescribeChangeSet"), ("StackName", "sets"), ("ChangeSetName", "same"));
        await AssertErrorAsync(CloudFormation, HttpStatusCode.BadRequest, "AlreadyExistsException", "Stack [sets] already exists and cannot be created again with the changeSet [again].", "cloudformation",
            ChangeSet("again", "CREATE", ("WarehousePassword", "Workshop123")));
    }

    [Fact]
    public async Task Validate_template_names_the_parameters_and_the_capability_the_roles_need()
    {
        var result = Result(await OkAsync("cloudformation", ("Action", "ValidateTemplate"), ("TemplateBody", TemplateReader.WorkshopTemplate())), "ValidateTemplate");
        Assert.Equal(["ProjectName", "Environment", "Cities", "WarehouseUsername", "WarehousePassword"],
            result.Element(CloudFormation + "Parameters")!.Elements().Select(p => p.Element(CloudFormation + "ParameterKey")!.Value));
        Assert.Equal("CAPABILITY_NAMED_IAM", result.Element(CloudFormation + "Capabilities")!.Element(CloudFormation + "member")?.Value);
        Assert.Equal("The following resource(s) require capabilities: [DeliveryRole, ProducerRole, GlueRole, JobRole, WarehouseRole, StateMachineRole, DailyScheduleRole]", result.Element(CloudFormation + "CapabilitiesReason")?.Value);
        await AssertErrorAsync(CloudFormation, HttpStatusCode.BadRequest, "ValidationError",
            "Resource Server has type AWS::EC2::Instance, which the local deployer does not build. Supported types: AWS::S3::Bucket, AWS::Kinesis::Stream, AWS::KinesisFirehose::DeliveryStream, AWS::IAM::Role, AWS::Logs::LogGroup, AWS::Logs::LogStream, AWS::Lambda::Function, AWS::Lambda::Permission, AWS::Events::Rule, AWS::Glue::Database, AWS::Glue::Job, AWS::Redshift::Cluster, AWS::StepFunctions::StateMachine.",
            "cloudformation", ("Action", "CreateChangeSet"), ("StackName", "ec2"), ("ChangeSetName", "one"), ("ChangeSetType", "CREATE"),
            ("TemplateBody", "Resources:\n  Server:\n    Type: AWS::EC2::Instance\n"));
        await AssertErrorAsync(CloudFormation, HttpStatusCode.BadRequest, "ValidationError",
            "Template format error: Unresolved resource dependencies [Nope, Missing] in the Resources block of the template",
            "cloudformation", ("Action", "ValidateTemplate"),
            ("TemplateBody", "Parameters:\n  Env:\n    Type: String\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Nope\n" +
                "      Tags:\n        - Key: a\n          Value: !Sub \"${Env}-${AWS::Region}-${!Literal}-${AWS::StackName}-${Missing}\"\n        - Key: b\n          Value: !Sub [\"${Local}\", { Local: !Ref Env }]\n"));
        await AssertErrorAsync(CloudFormation, HttpStatusCode.BadRequest, "InvalidAction",
            "CloudFormation action 'CreateStackSet' is not served by the local endpoint; it serves CreateStack, UpdateStack, DeleteStack, DescribeStacks, ListStacks, DescribeStackEvents, DescribeStackResources, GetTemplate, GetTemplateSummary, ValidateTemplate and the change set actions (Create, Describe, List, Execute, Delete).",
            "cloudformation", ("Action", "CreateStackSet"));
    }

    private async Task<(HttpStatusCode Status, HttpResponseMessage Response, JsonObject Body)> CloudWatchJsonAsync(string operation, JsonObject input)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Endpoint.Url) { Content = new StringContent(input.ToJsonString(), Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.0");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", $"GraniteServiceVersion20100801.{operation}");
        request.Headers.TryAddWithoutValidation("Authorization", Authorization("monitoring"));
        var response = await Http.SendAsync(request);
        Assert.Equal("application/x-amz-json-1.0", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, response, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    [Fact]
    public async Task CloudWatch_on_the_json_protocol_of_newer_clients_gives_the_same_figures_typed_as_json()
    {
        var dimensions = new JsonArray(new JsonObject { ["Name"] = "City", ["Value"] = "Leeds" });
        var (putStatus, _, _) = await CloudWatchJsonAsync("PutMetricData", new JsonObject
        {
            ["Namespace"] = "Workshop/Custom",
            ["MetricData"] = new JsonArray(
                new JsonObject { ["MetricName"] = "Readings", ["Value"] = 4, ["Unit"] = "Count", ["Dimensions"] = dimensions.DeepClone() },
                new JsonObject { ["MetricName"] = "Readings", ["Value"] = 5, ["Unit"] = "Count", ["Dimensions"] = dimensions.DeepClone() }),
        });
        Assert.Equal(HttpStatusCode.OK, putStatus);
        var now = Session.Clock.GetUtcNow();
        var (_, _, statistics) = await CloudWatchJsonAsync("GetMetricStatistics", new JsonObject
        {
            ["Namespace"] = "Workshop/Custom", ["MetricName"] = "Readings", ["Dimensions"] = dimensions.DeepClone(),
            ["StartTime"] = now.AddHours(-1).ToUnixTimeSeconds(), ["EndTime"] = now.AddHours(1).ToUnixTimeSeconds(),
            ["Period"] = 7200, ["Statistics"] = new JsonArray("Sum", "Maximum"),
        });
        Assert.Equal("Readings", (string?)statistics["Label"]);
        var datapoint = Assert.Single(statistics["Datapoints"]!.AsArray())!;
        Assert.Equal((9.0, 5.0, "Count"), ((double)datapoint["Sum"]!, (double)datapoint["Maximum"]!, (string?)datapoint["Unit"]));
        Assert.Equal(System.Text.Json.JsonValueKind.Number, datapoint["Timestamp"]!.GetValueKind()); // epoch seconds, as JSON 1.0 writes times

        var (_, _, data) = await CloudWatchJsonAsync("GetMetricData", new JsonObject
        {
            ["StartTime"] = now.AddHours(-1).ToUnixTimeSeconds(), ["EndTime"] = now.AddHours(1).ToUnixTimeSeconds(),
            ["MetricDataQueries"] = new JsonArray(new JsonObject
            {
                ["Id"] = "leeds",
                ["MetricStat"] = new JsonObject { ["Metric"] = new JsonObject { ["Namespace"] = "Workshop/Custom", ["MetricName"] = "Readings", ["Dimensions"] = dimensions.DeepClone() }, ["Period"] = 7200, ["Stat"] = "Average" },
            }),
        });
        var result = Assert.Single(data["MetricDataResults"]!.AsArray())!;
        Assert.Equal([4.5], result["Values"]!.AsArray().Select(v => (double)v!));
        Assert.Empty(data["Messages"]!.AsArray());

        var (status, response, error) = await CloudWatchJsonAsync("PutMetricAlarm", new JsonObject { ["Namespace"] = "AWS/Kinesis" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("ValidationError;Sender", response.Headers.GetValues("x-amzn-query-error").Single());
        Assert.Equal("1 validation error detected: Value null at 'alarmName' failed to satisfy constraint: Member must not be null", (string?)error["message"]);

        // DeleteAlarms of a name no alarm has: ResourceNotFound with HTTP 404, as CloudWatch's model gives it.
        (status, response, error) = await CloudWatchJsonAsync("DeleteAlarms", new JsonObject { ["AlarmNames"] = new JsonArray("no-such-alarm") });
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("ResourceNotFound;Sender", response.Headers.GetValues("x-amzn-query-error").Single());
        Assert.StartsWith("No alarm named no-such-alarm exists.", (string?)error["message"]);
    }

    [Fact]
    public async Task CloudWatch_keeps_put_metric_data_lists_it_and_sums_it()
    {
        await OkAsync("monitoring", ("Action", "PutMetricData"), ("Namespace", "Workshop/Custom"),
            ("MetricData.member.1.MetricName", "Readings"), ("MetricData.member.1.Value", "4"), ("MetricData.member.1.Unit", "Count"),
            ("MetricData.member.1.Dimensions.member.1.Name", "City"), ("MetricData.member.1.Dimensions.member.1.Value", "Leeds"),
            ("MetricData.member.2.MetricName", "Readings"), ("MetricData.member.2.Value", "5"), ("MetricData.member.2.Unit", "Count"),
            ("MetricData.member.2.Dimensions.member.1.Name", "City"), ("MetricData.member.2.Dimensions.member.1.Value", "Leeds"));
        var now = Session.Clock.GetUtcNow();
        var statistics = (await OkAsync("monitoring", ("Action", "GetMetricStatistics"), ("Namespace", "Workshop/Custom"), ("MetricName", "Readings"),
            ("Dimensions.member.1.Name", "City"), ("Dimensions.member.1.Value", "Leeds"), ("StartTime", now.AddHours(-1).ToString("O")), ("EndTime", now.AddHours(1).ToString("O")),
            ("Period", "7200"), ("Statistics.member.1", "Sum"), ("Statistics.member.2", "Maximum"))).Element(CloudWatch + "GetMetricStatisticsResult")!;
        Assert.Equal("Readings", statistics.Element(CloudWatch + "Label")?.Value);
        var datapoint = Assert.Single(statistics.Element(CloudWatch + "Datapoints")!.Elements());
        Assert.Equal(("9", "5", "Count"), (datapoint.Element(CloudWatch + "Sum")?.Value, datapoint.Element(CloudWatch + "Maximum")?.Value, datapoint.Element(CloudWatch + "Unit")?.Value));

        var data = (await OkAsync("monitoring", ("Action", "GetMetricData"), ("StartTime", now.AddHours(-1).ToString("O")), ("EndTime", now.AddHours(1).ToString("O")),
            ("MetricDataQueries.member.1.Id", "leeds"), ("MetricDataQueries.member.1.MetricStat.Metric.Namespace", "Workshop/Custom"),
            ("MetricDataQueries.member.1.MetricStat.Metric.MetricName", "Readings"), ("MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name", "City"),
            ("MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value", "Leeds"), ("MetricDataQueries.member.1.MetricStat.Period", "7200"),
            ("MetricDataQueries.member.1.MetricStat.Stat", "Average"))).Descendants(CloudWatch + "MetricDataResults").Single().Elements().Single();
        Assert.Equal("leeds", data.Element(CloudWatch + "Id")?.Value);
        Assert.Equal(["4.5"], data.Element(CloudWatch + "Values")!.Elements().Select(v => v.Value));

        var listed = (await OkAsync("monitoring", ("Action", "ListMetrics"), ("Namespace", "Workshop/Custom"))).Descendants(CloudWatch + "Metrics").Single().Elements();
        Assert.Equal(["Readings City=Leeds"], listed.Select(m => $"{m.Element(CloudWatch + "MetricName")!.Value} {m.Descendants(CloudWatch + "Name").Single().Value}={m.Descendants(CloudWatch + "Value").Single().Value}"));

        await AssertErrorAsync(CloudWatch, HttpStatusCode.BadRequest, "InvalidParameterValue",
            "The local endpoint keeps metrics with exactly one dimension; Readings has 0. Give one, e.g. --dimensions StreamName=weather.", "monitoring",
            ("Action", "PutMetricData"), ("Namespace", "Workshop/Custom"), ("MetricData.member.1.MetricName", "Readings"), ("MetricData.member.1.Value", "1"));
        await AssertErrorAsync(CloudWatch, HttpStatusCode.BadRequest, "ValidationError",
            "1 validation error detected: Value null at 'alarmName' failed to satisfy constraint: Member must not be null", "monitoring",
            ("Action", "PutMetricAlarm"), ("Namespace", "AWS/Kinesis"));
        (string, string)[] Datum(string metricNamespace, string value) =>
        [
            ("Action", "PutMetricData"), ("Namespace", metricNamespace), ("MetricData.member.1.MetricName", "Readings"), ("MetricData.member.1.Value", value),
            ("MetricData.member.1.Dimensions.member.1.Name", "City"), ("MetricData.member.1.Dimensions.member.1.Value", "Leeds"),
        ];
        await AssertErrorAsync(CloudWatch, HttpStatusCode.BadRequest, "InvalidParameterValue",
            "The value AWS/Kinesis for parameter Namespace is invalid: namespaces starting 'AWS/' are reserved for AWS services. Put custom metrics in a namespace of your own, such as Workshop/Custom.",
            "monitoring", Datum("AWS/Kinesis", "1"));
        foreach (var value in new[] { "NaN", "Infinity", "-Infinity" })
            await AssertErrorAsync(CloudWatch, HttpStatusCode.BadRequest, "InvalidParameterValue",
                $"The value {value} for parameter MetricData.member.1.Value is invalid: CloudWatch takes no NaN or infinite values. Leave the datum out instead.",
                "monitoring", Datum("Workshop/Custom", value));
        // A datum of Values is refused as not served, before its missing Value is named.
        await AssertErrorAsync(CloudWatch, HttpStatusCode.BadRequest, "InvalidParameterValue",
            "Values and StatisticValues are not served by the local endpoint; put one Value per datum.", "monitoring",
            [.. Datum("Workshop/Custom", "1").Where(f => f.Item1 != "MetricData.member.1.Value"), ("MetricData.member.1.Values.member.1", "1")]);
        // A good datum beside a NaN is not kept either: the request is refused whole.
        await AssertErrorAsync(CloudWatch, HttpStatusCode.BadRequest, "InvalidParameterValue",
            "The value NaN for parameter MetricData.member.2.Value is invalid: CloudWatch takes no NaN or infinite values. Leave the datum out instead.", "monitoring",
            [.. Datum("Workshop/Custom", "100"), ("MetricData.member.2.MetricName", "Readings"), ("MetricData.member.2.Value", "NaN"),
                ("MetricData.member.2.Dimensions.member.1.Name", "City"), ("MetricData.member.2.Dimensions.member.1.Value", "Leeds")]);
        // Nothing of the refused data was kept: Leeds still sums to 9.
        var kept = (await OkAsync("monitoring", ("Action", "GetMetricStatistics"), ("Namespace", "Workshop/Custom"), ("MetricName", "Readings"),
            ("Dimensions.member.1.Name", "City"), ("Dimensions.member.1.Value", "Leeds"), ("StartTime", now.AddHours(-1).ToString("O")), ("EndTime", now.AddHours(1).ToString("O")),
            ("Period", "7200"), ("Statistics.member.1", "Sum"))).Descendants(CloudWatch + "Sum").Single().Value;
        Assert.Equal("9", kept);
        (string, string)[] Query(int member, string id) =>
        [
            ($"MetricDataQueries.member.{member}.Id", id), ($"MetricDataQueries.member.{member}.MetricStat.Metric.Namespace", "Workshop/Custom"),
            ($"MetricDataQueries.member.{member}.MetricStat.Metric.MetricName", "Readings"), ($"MetricDataQueries.member.{member}.MetricStat.Period", "60"),
            ($"MetricDataQueries.member.{member}.MetricStat.Metric.Dimensions.member.1.Name", "City"),
            ($"MetricDataQueries.member.{member}.MetricStat.Metric.Dimensions.member.1.Value", "Leeds"),
            ($"MetricDataQueries.member.{member}.MetricStat.Stat", "Sum"),
        ];
        await AssertErrorAsync(CloudWatch, HttpStatusCode.BadRequest, "ValidationError",
            "The Id 'leeds' is given to 2 queries; each query in MetricDataQueries needs an Id of its own.", "monitoring",
            [("Action", "GetMetricData"), ("StartTime", now.AddHours(-1).ToString("O")), ("EndTime", now.AddHours(1).ToString("O")), .. Query(1, "leeds"), .. Query(2, "leeds")]);

        // Metric math is named as not served, not as a query without a MetricStat.
        await AssertErrorAsync(CloudWatch, HttpStatusCode.BadRequest, "InvalidParameterValue",
            "Metric math (Expression) is not served by the local endpoint; give each query a MetricStat.", "monitoring",
            ("Action", "GetMetricData"), ("StartTime", now.AddHours(-1).ToString("O")), ("EndTime", now.AddHours(1).ToString("O")),
            ("MetricDataQueries.member.1.Id", "e"), ("MetricDataQueries.member.1.Expression", "SUM(METRICS())"));

        // A second minute's datum: newest first by default, oldest first when ScanBy asks.
        Session.Clock.Advance(TimeSpan.FromMinutes(2));
        await OkAsync("monitoring", Datum("Workshop/Custom", "1"));
        async Task<List<string>> SumsAsync(params (string, string)[] scanBy) =>
            (await OkAsync("monitoring", [("Action", "GetMetricData"), ("StartTime", now.AddHours(-1).ToString("O")), ("EndTime", now.AddHours(1).ToString("O")),
                .. Query(1, "leeds"), .. scanBy])).Descendants(CloudWatch + "Values").Single().Elements().Select(v => v.Value).ToList();
        Assert.Equal(["1", "9"], await SumsAsync());
        Assert.Equal(["1", "9"], await SumsAsync(("ScanBy", "TimestampDescending")));
        Assert.Equal(["9", "1"], await SumsAsync(("ScanBy", "TimestampAscending")));
        // MaxDatapoints pages the datapoints: a cut result says PartialData, and NextToken brings the rest.
        async Task<(List<string> Values, string Status, string? Next)> PageAsync(params (string, string)[] paging)
        {
            var answer = (await OkAsync("monitoring", [("Action", "GetMetricData"), ("StartTime", now.AddHours(-1).ToString("O")), ("EndTime", now.AddHours(1).ToString("O")),
                .. Query(1, "leeds"), .. paging])).Descendants(CloudWatch + "GetMetricDataResult").Single();
            var result = answer.Descendants(CloudWatch + "MetricDataResults").Single().Elements().Single();
            return (result.Element(CloudWatch + "Values")!.Elements().Select(v => v.Value).ToList(), result.Element(CloudWatch + "StatusCode")!.Value, answer.Element(CloudWatch + "NextToken")?.Value);
        }
        var firstPage = await PageAsync(("MaxDatapoints", "1"));
        Assert.Equal(["1"], firstPage.Values);
        Assert.Equal("PartialData", firstPage.Status);
        Assert.NotNull(firstPage.Next);
        var lastPage = await PageAsync(("MaxDatapoints", "1"), ("NextToken", firstPage.Next!));
        Assert.Equal(["9"], lastPage.Values);
        Assert.Equal(("Complete", (string?)null), (lastPage.Status, lastPage.Next));
        await AssertErrorAsync(CloudWatch, HttpStatusCode.BadRequest, "ValidationError",
            "1 validation error detected: Value 'Oldest' at 'scanBy' failed to satisfy constraint: Member must satisfy enum value set: [TimestampDescending, TimestampAscending]", "monitoring",
            [("Action", "GetMetricData"), ("StartTime", now.AddHours(-1).ToString("O")), ("EndTime", now.AddHours(1).ToString("O")), .. Query(1, "leeds"), ("ScanBy", "Oldest")]);
        await AssertErrorAsync(CloudWatch, HttpStatusCode.NotFound, "ResourceNotFound",
            "No alarm named no-such-alarm exists. List the alarms with 'workshop alarms list' (in a notebook, await workshop.Metrics.AlarmsAsync()).", "monitoring",
            ("Action", "DeleteAlarms"), ("AlarmNames.member.1", "no-such-alarm"));
    }

    [Fact]
    public async Task DescribeAlarms_gives_pages_of_MaxRecords_in_name_order_with_the_token_of_the_next()
    {
        foreach (var name in new[] { "quiet-c", "quiet-a", "quiet-b" })
            await OkAsync("monitoring", ("Action", "PutMetricAlarm"), ("AlarmName", name), ("Namespace", "AWS/Kinesis"), ("MetricName", "IncomingRecords"),
                ("Dimensions.member.1.Name", "StreamName"), ("Dimensions.member.1.Value", "weather"), ("Statistic", "Sum"), ("Period", "300"),
                ("EvaluationPeriods", "1"), ("Threshold", "1"), ("ComparisonOperator", "LessThanThreshold"));
        async Task<(List<string> Names, string? Next)> PageAsync(params (string, string)[] paging)
        {
            var result = (await OkAsync("monitoring", [("Action", "DescribeAlarms"), .. paging])).Descendants(CloudWatch + "DescribeAlarmsResult").Single();
            return (result.Element(CloudWatch + "MetricAlarms")!.Elements().Select(a => a.Element(CloudWatch + "AlarmName")!.Value).ToList(), result.Element(CloudWatch + "NextToken")?.Value);
        }

        var first = await PageAsync(("MaxRecords", "2"));
        Assert.Equal(["quiet-a", "quiet-b"], first.Names);
        Assert.NotNull(first.Next);
        var last = await PageAsync(("MaxRecords", "2"), ("NextToken", first.Next!));
        Assert.Equal(["quiet-c"], last.Names);
        Assert.Null(last.Next);
        var whole = await PageAsync();
        Assert.Equal(["quiet-a", "quiet-b", "quiet-c"], whole.Names);
        Assert.Null(whole.Next);
        await AssertErrorAsync(CloudWatch, HttpStatusCode.BadRequest, "ValidationError",
            "1 validation error detected: Value '101' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and 100", "monitoring",
            ("Action", "DescribeAlarms"), ("MaxRecords", "101"));
    }

    private async Task<(HttpStatusCode Status, HttpResponseHeaders Headers, JsonNode Body)> LambdaAsync(HttpMethod method, string path, string? logType = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(Endpoint.Url, path));
        if (method == HttpMethod.Post) request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        request.Headers.TryAddWithoutValidation("Authorization", Authorization("lambda"));
        if (logType is not null) request.Headers.TryAddWithoutValidation("X-Amz-Log-Type", logType);
        var response = await Http.SendAsync(request);
        return (response.StatusCode, response.Headers, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Fact]
    public async Task Lambda_runs_only_the_functions_a_stack_made_and_answers_as_the_template_function()
    {
        var (status, headers, body) = await LambdaAsync(HttpMethod.Post, "/2015-03-31/functions/weather-analytics-producer-dev/invocations");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("ResourceNotFoundException", headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Equal("Function not found: arn:aws:lambda:us-east-1:123456789012:function:weather-analytics-producer-dev", (string?)body["message"]);
        Assert.Empty((await LambdaAsync(HttpMethod.Get, "/2015-03-31/functions/")).Body["Functions"]!.AsArray());

        await Session.Local!.Stacks.DeployAsync("lambda", TemplateReader.WorkshopTemplate(), new Dictionary<string, string> { ["WarehousePassword"] = "Workshop123", ["Cities"] = "Leeds,York:53.96:-1.08" });
        (status, headers, body) = await LambdaAsync(HttpMethod.Post, "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Aweather-analytics-producer-dev/invocations", logType: "Tail");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("$LATEST", headers.GetValues("X-Amz-Executed-Version").Single());
        var log = Encoding.UTF8.GetString(Convert.FromBase64String(headers.GetValues("X-Amz-Log-Result").Single()));
        Assert.Contains("Processed 2 of 2 cities", log);
        Assert.Equal(200, (int)body["statusCode"]!);
        Assert.StartsWith("{\"processed\": 2, \"failed_cities\": [], \"time\": \"", (string)body["body"]!);
        var stream = Session.Local!.Stream;
        var iterator = await stream.GetShardIteratorAsync("weather-analytics-stream-dev", "shardId-000000000000", StreamingWorkshop.Broker.ShardIteratorType.TRIM_HORIZON);
        Assert.Equal(["Leeds", "York"], (await stream.GetRecordsAsync(iterator, 100)).Records.Select(r => r.PartitionKey));

        var configuration = (await LambdaAsync(HttpMethod.Get, "/2015-03-31/functions/weather-analytics-producer-dev")).Body["Configuration"]!;
        Assert.Equal(("python3.12", "index.handler", 30, 128), ((string?)configuration["Runtime"], (string?)configuration["Handler"], (int)configuration["Timeout"]!, (int)configuration["MemorySize"]!));
        Assert.Equal("Leeds,York:53.96:-1.08", (string?)configuration["Environment"]!["Variables"]!["CITIES"]);

        // The function has one version and no aliases: $LATEST is found, any other qualifier is not.
        Assert.Equal(HttpStatusCode.OK, (await LambdaAsync(HttpMethod.Get, "/2015-03-31/functions/weather-analytics-producer-dev?Qualifier=%24LATEST")).Status);
        foreach (var path in new[] { "/2015-03-31/functions/weather-analytics-producer-dev?Qualifier=7", "/2015-03-31/functions/weather-analytics-producer-dev%3Alive/configuration" })
        {
            (status, headers, body) = await LambdaAsync(HttpMethod.Get, path);
            Assert.Equal((HttpStatusCode.NotFound, "ResourceNotFoundException"), (status, headers.GetValues("x-amzn-ErrorType").Single()));
            Assert.StartsWith("Function not found: arn:aws:lambda:us-east-1:123456789012:function:weather-analytics-producer-dev:", (string?)body["message"]);
        }
        // A payload that is not JSON is refused before the function runs.
        using (var notJson = new HttpRequestMessage(HttpMethod.Post, new Uri(Endpoint.Url, "/2015-03-31/functions/weather-analytics-producer-dev/invocations")))
        {
            notJson.Content = new StringContent("city=Leeds", Encoding.UTF8, "application/json");
            notJson.Headers.TryAddWithoutValidation("Authorization", Authorization("lambda"));
            using var refused = await Http.SendAsync(notJson);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("InvalidRequestContentException", refused.Headers.GetValues("x-amzn-ErrorType").Single());
            Assert.StartsWith("Could not parse request body into json: ", (string?)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["message"]);
        }
        Assert.Single((await stream.GetRecordsAsync(await stream.GetShardIteratorAsync("weather-analytics-stream-dev", "shardId-000000000000", StreamingWorkshop.Broker.ShardIteratorType.TRIM_HORIZON), 100)).Records, r => r.PartitionKey == "Leeds");

        // ListFunctions gives pages of MaxItems, each with the marker of the next.
        await Session.Local!.Stacks.DeployAsync("second", TemplateReader.WorkshopTemplate(), new Dictionary<string, string> { ["WarehousePassword"] = "Workshop123", ["ProjectName"] = "second" });
        var firstPage = (await LambdaAsync(HttpMethod.Get, "/2015-03-31/functions/?MaxItems=1")).Body;
        Assert.Equal(["second-producer-dev"], firstPage["Functions"]!.AsArray().Select(f => (string?)f!["FunctionName"]));
        Assert.Equal("second-producer-dev", (string?)firstPage["NextMarker"]);
        var lastPage = (await LambdaAsync(HttpMethod.Get, "/2015-03-31/functions/?MaxItems=1&Marker=second-producer-dev")).Body;
        Assert.Equal(["weather-analytics-producer-dev"], lastPage["Functions"]!.AsArray().Select(f => (string?)f!["FunctionName"]));
        Assert.Null(lastPage["NextMarker"]);
        (status, headers, body) = await LambdaAsync(HttpMethod.Get, "/2015-03-31/functions/?MaxItems=0");
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameterValueException"), (status, headers.GetValues("x-amzn-ErrorType").Single()));

        // Unsigned (aws --no-sign-request), a Lambda path is still Lambda's, not a bucket named 2015-03-31.
        using var unsigned = await Http.GetAsync(new Uri(Endpoint.Url, "/2015-03-31/functions/"));
        Assert.Equal(HttpStatusCode.OK, unsigned.StatusCode);
        Assert.Equal(["second-producer-dev", "weather-analytics-producer-dev"], JsonNode.Parse(await unsigned.Content.ReadAsStringAsync())!["Functions"]!.AsArray().Select(f => (string?)f!["FunctionName"]));
    }
}
