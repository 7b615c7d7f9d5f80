using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using StreamingWorkshop.Serve;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Serve;

/// <summary>
/// The local endpoint's Kinesis, called over HTTP as the AWS CLI and boto3 call it: JSON 1.1 with X-Amz-Target and a
/// SigV4 Authorization header (any signature is taken). Each answer is read as the wire has it.
/// </summary>
public sealed class LocalEndpointKinesisTests : LocalEndpointTest
{
    private Task<(HttpStatusCode Status, JsonObject Body)> CallAsync(string operation, string json, bool expectContinue = false) =>
        CallTargetAsync($"Kinesis_20131202.{operation}", json, expectContinue);

    private async Task<(HttpStatusCode Status, JsonObject Body)> CallTargetAsync(string target, string json, bool expectContinue = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint.Url)
        {
            Content = new StringContent(json, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        request.Headers.TryAddWithoutValidation("Authorization", Authorization("kinesis"));
        request.Headers.ExpectContinue = expectContinue;
        using var response = await Http.SendAsync(request);
        Assert.Equal("application/x-amz-json-1.1", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    private async Task<JsonObject> OkAsync(string operation, string json)
    {
        var (status, body) = await CallAsync(operation, json);
        Assert.True(status == HttpStatusCode.OK, $"{operation} answered {(int)status}: {body.ToJsonString()}");
        return body;
    }

    private async Task AssertErrorAsync(string operation, string json, string type, string messagePart)
    {
        var (status, body) = await CallAsync(operation, json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(type, (string?)body["__type"]);
        Assert.Contains(messagePart, (string?)body["message"]);
    }

    [Fact]
    public async Task Create_stream_then_describe_list_and_list_shards()
    {
        Assert.Empty(await OkAsync("CreateStream", """{"StreamName":"weather","ShardCount":2}"""));

        var summary = (await OkAsync("DescribeStreamSummary", """{"StreamName":"weather"}"""))["StreamDescriptionSummary"]!;
        Assert.Equal("weather", (string?)summary["StreamName"]);
        Assert.Equal("arn:aws:kinesis:us-east-1:123456789012:stream/weather", (string?)summary["StreamARN"]);
        Assert.Equal("ACTIVE", (string?)summary["StreamStatus"]);
        Assert.Equal(2, (int)summary["OpenShardCount"]!);
        Assert.Equal(24, (int)summary["RetentionPeriodHours"]!);
        Assert.Equal("PROVISIONED", (string?)summary["StreamModeDetails"]!["StreamMode"]);

        var byArn = (await OkAsync("DescribeStreamSummary", """{"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/weather"}"""))["StreamDescriptionSummary"]!;
        Assert.Equal("weather", (string?)byArn["StreamName"]);

        var list = await OkAsync("ListStreams", "{}");
        Assert.Equal("""["weather"]""", list["StreamNames"]!.ToJsonString());
        Assert.False((bool)list["HasMoreStreams"]!);

        var shards = (await OkAsync("ListShards", """{"StreamName":"weather"}"""))["Shards"]!.AsArray();
        Assert.Equal(["shardId-000000000000", "shardId-000000000001"], shards.Select(s => (string?)s!["ShardId"]));
        Assert.Equal("0", (string?)shards[0]!["HashKeyRange"]!["StartingHashKey"]);
        Assert.Equal("340282366920938463463374607431768211455", (string?)shards[1]!["HashKeyRange"]!["EndingHashKey"]);
        Assert.NotNull((string?)shards[0]!["SequenceNumberRange"]!["StartingSequenceNumber"]);
    }

    [Fact]
    public async Task Every_operation_a_json_service_names_as_served_is_answered_and_a_refusal_names_them()
    {
        await Session.DeployAsync();
        foreach (var (prefix, service) in StreamingWorkshop.Serve.JsonServiceHandlers.ServiceByTargetPrefix)
        {
            if (!StreamingWorkshop.Serve.JsonServiceHandlers.Served.TryGetValue(service, out var operations)) continue;
            foreach (var operation in operations)
            {
                var (_, body) = await CallTargetAsync($"{prefix}.{operation}", "{}");
                Assert.NotEqual("UnknownOperationException", (string?)body["__type"]);
            }
            var (status, refused) = await CallTargetAsync($"{prefix}.NoSuchOperation", "{}");
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal($"{service} NoSuchOperation is not served by the local endpoint; it serves {string.Join(", ", operations)}.", (string?)refused["message"]);
        }
    }

    [Fact]
    public async Task Streams_and_shards_are_listed_in_pages_of_the_size_asked_for()
    {
        foreach (var name in new[] { "page-a", "page-b", "page-c" })
            Assert.Equal(HttpStatusCode.OK, (await CallAsync("CreateStream", $$"""{"StreamName":"{{name}}","ShardCount":{{(name == "page-a" ? 5 : 1)}}}""")).Status);

        var (_, first) = await CallAsync("ListStreams", """{"Limit":2}""");
        Assert.Equal(["page-a", "page-b"], first["StreamNames"]!.AsArray().Select(n => (string)n!));
        Assert.True((bool)first["HasMoreStreams"]!);
        var (_, rest) = await CallAsync("ListStreams", new JsonObject { ["NextToken"] = (string?)first["NextToken"] }.ToJsonString());
        Assert.Equal(["page-c"], rest["StreamNames"]!.AsArray().Select(n => (string)n!));
        Assert.False((bool)rest["HasMoreStreams"]!);
        Assert.Null(rest["NextToken"]);

        var shards = new List<string>();
        var (_, page) = await CallAsync("ListShards", """{"StreamName":"page-a","MaxResults":2}""");
        var pages = 1;
        while (true)
        {
            shards.AddRange(page["Shards"]!.AsArray().Select(s => (string)s!["ShardId"]!));
            if ((string?)page["NextToken"] is not { } token) break;
            (_, page) = await CallAsync("ListShards", new JsonObject { ["NextToken"] = token, ["MaxResults"] = 2 }.ToJsonString());
            pages++;
        }
        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"shardId-{i:D12}"), shards);

        var (zeroStatus, zero) = await CallAsync("ListStreams", """{"Limit":0}""");
        Assert.Equal(HttpStatusCode.BadRequest, zeroStatus);
        Assert.Equal("1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", (string?)zero["message"]);
        var (_, both) = await CallAsync("ListShards", new JsonObject { ["NextToken"] = (string?)first["NextToken"], ["StreamName"] = "page-a" }.ToJsonString());
        Assert.StartsWith("NextToken and StreamName cannot be provided together", (string?)both["message"]);
        Assert.Equal("InvalidArgumentException", (string?)both["__type"]); // as Kinesis names it (kinesalite too)
        var (_, garbage) = await CallAsync("ListShards", """{"StreamARN":"garbage"}""");
        Assert.StartsWith("StreamARN 'garbage' is not a stream's ARN", (string?)garbage["message"]);
    }

    [Fact]
    public async Task Records_put_one_at_a_time_and_in_a_batch_are_read_back_with_their_bytes()
    {
        await OkAsync("CreateStream", """{"StreamName":"weather","ShardCount":1}""");
        // "Dublin 12C" and "Cork 14C" and "Galway 11C", base64 encoded as the SDKs send them.
        var one = await OkAsync("PutRecord", """{"StreamName":"weather","PartitionKey":"Dublin","Data":"RHVibGluIDEyQw=="}""");
        Assert.Equal("shardId-000000000000", (string?)one["ShardId"]);
        Assert.Equal("NONE", (string?)one["EncryptionType"]);

        var batch = await OkAsync("PutRecords", """
            {"StreamName":"weather","Records":[
              {"PartitionKey":"Cork","Data":"Q29yayAxNEM="},
              {"PartitionKey":"Galway","Data":"R2Fsd2F5IDExQw=="}]}
            """);
        Assert.Equal(0, (int)batch["FailedRecordCount"]!);
        Assert.Equal(2, batch["Records"]!.AsArray().Count);
        Assert.All(batch["Records"]!.AsArray(), r => Assert.Equal("shardId-000000000000", (string?)r!["ShardId"]));

        var iterator = (string?)(await OkAsync("GetShardIterator", """{"StreamName":"weather","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}"""))["ShardIterator"];
        Assert.False(string.IsNullOrEmpty(iterator));

        var read = await OkAsync("GetRecords", new JsonObject { ["ShardIterator"] = iterator }.ToJsonString());
        var records = read["Records"]!.AsArray();
        Assert.Equal(["Dublin", "Cork", "Galway"], records.Select(r => (string?)r!["PartitionKey"]));
        Assert.Equal(["Dublin 12C", "Cork 14C", "Galway 11C"], records.Select(r => Encoding.UTF8.GetString(Convert.FromBase64String((string)r!["Data"]!))));
        Assert.Equal((string?)one["SequenceNumber"], (string?)records[0]!["SequenceNumber"]);
        Assert.Equal((string?)batch["Records"]![1]!["SequenceNumber"], (string?)records[2]!["SequenceNumber"]);
        Assert.IsType<double>(records[0]!["ApproximateArrivalTimestamp"]!.GetValue<double>());
        Assert.NotNull((string?)read["NextShardIterator"]);

        // From after the first record, with a limit of one: the second record only.
        var after = (string?)(await OkAsync("GetShardIterator", new JsonObject
        {
            ["StreamName"] = "weather", ["ShardId"] = "shardId-000000000000", ["ShardIteratorType"] = "AFTER_SEQUENCE_NUMBER", ["StartingSequenceNumber"] = (string?)one["SequenceNumber"],
        }.ToJsonString()))["ShardIterator"];
        var next = (await OkAsync("GetRecords", new JsonObject { ["ShardIterator"] = after, ["Limit"] = 1 }.ToJsonString()))["Records"]!.AsArray();
        Assert.Equal("Cork", (string?)Assert.Single(next)!["PartitionKey"]);
    }

    [Fact]
    public async Task Deleted_stream_is_gone_from_the_list_and_then_not_found()
    {
        await OkAsync("CreateStream", """{"StreamName":"weather","ShardCount":1}""");
        Assert.Empty(await OkAsync("DeleteStream", """{"StreamName":"weather"}"""));
        Assert.Equal("[]", (await OkAsync("ListStreams", "{}"))["StreamNames"]!.ToJsonString());
        await AssertErrorAsync("DescribeStreamSummary", """{"StreamName":"weather"}""", "ResourceNotFoundException", "Stream weather under account 123456789012 not found");
    }

    [Fact]
    public async Task Each_operation_on_a_missing_stream_is_resource_not_found()
    {
        foreach (var (operation, json) in new[]
                 {
                     ("DescribeStreamSummary", """{"StreamName":"missing"}"""),
                     ("ListShards", """{"StreamName":"missing"}"""),
                     ("PutRecord", """{"StreamName":"missing","PartitionKey":"k","Data":"AA=="}"""),
                     ("PutRecords", """{"StreamName":"missing","Records":[{"PartitionKey":"k","Data":"AA=="}]}"""),
                     ("GetShardIterator", """{"StreamName":"missing","ShardId":"shardId-000000000000","ShardIteratorType":"LATEST"}"""),
                     ("DeleteStream", """{"StreamName":"missing"}"""),
                 })
            await AssertErrorAsync(operation, json, "ResourceNotFoundException", "missing");
    }

    [Fact]
    public async Task Bad_requests_are_named_as_kinesis_names_them()
    {
        await OkAsync("CreateStream", """{"StreamName":"weather","ShardCount":1}""");
        await AssertErrorAsync("CreateStream", """{"StreamName":"weather","ShardCount":1}""", "ResourceInUseException", "weather");
        await AssertErrorAsync("CreateStream", """{"StreamName":"other"}""", "ValidationException", "ShardCount is required");
        await AssertErrorAsync("CreateStream", """{"StreamName":"other","ShardCount":1,"StreamModeDetails":{"StreamMode":"ondemand"}}""", "ValidationException",
            "Value 'ondemand' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]");
        Assert.Equal("[\"weather\"]", (await OkAsync("ListStreams", "{}"))["StreamNames"]!.ToJsonString());
        await AssertErrorAsync("PutRecord", """{"StreamName":"weather","PartitionKey":"k","Data":"not base64!"}""", "SerializationException", "Data is not valid base64");
        await AssertErrorAsync("PutRecord", """{"StreamName":"weather","Data":"AA=="}""", "ValidationException", "PartitionKey is required");
        await AssertErrorAsync("GetShardIterator", """{"StreamName":"weather","ShardId":"shardId-000000000000","ShardIteratorType":"OLDEST"}""", "ValidationException", "ShardIteratorType 'OLDEST'");
        await AssertErrorAsync("GetShardIterator", """{"StreamName":"weather","ShardId":"shardId-000000000009","ShardIteratorType":"LATEST"}""", "ResourceNotFoundException", "shardId-000000000009");
        await AssertErrorAsync("GetRecords", """{"ShardIterator":"garbage"}""", "InvalidArgumentException", "");
        await AssertErrorAsync("MergeShards", """{"StreamName":"weather"}""", "UnknownOperationException", "MergeShards");
        await AssertErrorAsync("PutRecord", "{not json", "SerializationException", "not a JSON object");
    }

    [Fact]
    public async Task A_request_body_over_the_cap_is_refused_with_413()
    {
        await OkAsync("CreateStream", """{"StreamName":"weather","ShardCount":1}""");
        var huge = new string('A', LocalEndpoint.MaxRequestBytes);
        // As a client sends a large body: asking first, so the refusal comes before the bytes.
        var (status, body) = await CallAsync("PutRecord", $$"""{"StreamName":"weather","PartitionKey":"k","Data":"{{huge}}"}""", expectContinue: true);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("5 MiB", (string?)body["message"]);
    }

    [Fact]
    public async Task Other_json_services_are_refused_with_what_is_served()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint.Url) { Content = new StringContent("{}") };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "DynamoDB_20120810.ListTables");
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("UnknownOperationException", (string?)body["__type"]);
        Assert.Contains("DynamoDB_20120810.ListTables", (string?)body["message"]);
    }

    [Fact]
    public async Task Athena_glue_events_and_logs_answer_on_the_same_port()
    {
        // Before the stack is deployed there is no database: the query fails as Athena's does.
        var (_, early) = await CallTargetAsync("AmazonAthena.StartQueryExecution", """{"QueryString":"SELECT 6 * 7 AS answer"}""");
        var (_, failed) = await CallTargetAsync("AmazonAthena.GetQueryExecution", new JsonObject { ["QueryExecutionId"] = (string?)early["QueryExecutionId"] }.ToJsonString());
        Assert.Equal("FAILED", (string?)failed["QueryExecution"]!["Status"]!["State"]);
        Assert.StartsWith("SCHEMA_NOT_FOUND: line 1:1: Schema 'weather-analytics_dev_db' does not exist.", (string?)failed["QueryExecution"]!["Status"]!["StateChangeReason"]);

        await Session.DeployAsync();
        var (status, started) = await CallTargetAsync("AmazonAthena.StartQueryExecution", """{"QueryString":"SELECT 6 * 7 AS answer"}""");
        Assert.True(status == HttpStatusCode.OK, started.ToJsonString());
        var id = (string?)started["QueryExecutionId"];
        var (_, execution) = await CallTargetAsync("AmazonAthena.GetQueryExecution", new JsonObject { ["QueryExecutionId"] = id }.ToJsonString());
        Assert.True((string?)execution["QueryExecution"]!["Status"]!["State"] == "SUCCEEDED", execution.ToJsonString());
        var (_, results) = await CallTargetAsync("AmazonAthena.GetQueryResults", new JsonObject { ["QueryExecutionId"] = id }.ToJsonString());
        var rows = results["ResultSet"]!["Rows"]!.AsArray();
        Assert.Equal("42", (string?)rows.Last()!["Data"]![0]!["VarCharValue"]);
        Assert.Equal("answer", (string?)results["ResultSet"]!["ResultSetMetadata"]!["ColumnInfo"]![0]!["Name"]);

        var (_, primary) = await CallTargetAsync("AmazonAthena.StartQueryExecution", """{"QueryString":"SELECT 1","WorkGroup":"primary"}""");
        Assert.NotNull((string?)primary["QueryExecutionId"]);
        var (workGroupStatus, workGroup) = await CallTargetAsync("AmazonAthena.StartQueryExecution", """{"QueryString":"SELECT 1","WorkGroup":"nope"}""");
        Assert.Equal(HttpStatusCode.BadRequest, workGroupStatus);
        Assert.Equal("InvalidRequestException", (string?)workGroup["__type"]);
        Assert.StartsWith("WorkGroup nope is not found.", (string?)workGroup["message"]);

        var (missingStatus, missing) = await CallTargetAsync("AmazonAthena.GetQueryExecution", """{"QueryExecutionId":"no-such-query"}""");
        Assert.Equal(HttpStatusCode.BadRequest, missingStatus);
        Assert.Equal("InvalidRequestException", (string?)missing["__type"]);
        Assert.Contains("'no-such-query' is not a QueryExecutionId", (string?)missing["message"]);

        var (glueStatus, glue) = await CallTargetAsync("AWSGlue.GetDatabase", """{"Name":"nowhere"}""");
        Assert.Equal(HttpStatusCode.BadRequest, glueStatus);
        Assert.Equal("EntityNotFoundException", (string?)glue["__type"]);
        Assert.Contains("Database nowhere not found", (string?)glue["message"]);

        var (_, rule) = await CallTargetAsync("AWSEvents.DescribeRule", """{"Name":"weather-analytics-schedule-dev"}""");
        Assert.Equal("rate(1 minute)", (string?)rule["ScheduleExpression"]);
        Assert.Equal("arn:aws:events:us-east-1:123456789012:rule/weather-analytics-schedule-dev", (string?)rule["Arn"]);
        var (noRuleStatus, noRule) = await CallTargetAsync("AWSEvents.DescribeRule", """{"Name":"weather-schedule"}""");
        Assert.Equal(HttpStatusCode.BadRequest, noRuleStatus);
        Assert.Equal("ResourceNotFoundException", (string?)noRule["__type"]);
        Assert.StartsWith("Rule weather-schedule does not exist on EventBus default.", (string?)noRule["message"]);

        // The producer's group is there before the producer first runs (the stack has the function); a typo is not.
        var (_, logs) = await CallTargetAsync("Logs_20140328.FilterLogEvents", """{"logGroupName":"/aws/lambda/weather-analytics-producer-dev"}""");
        Assert.Equal("[]", logs["events"]!.ToJsonString());
        var (noGroupStatus, noGroup) = await CallTargetAsync("Logs_20140328.FilterLogEvents", """{"logGroupName":"/aws/lambda/weather-analytics-prodcer-dev"}""");
        Assert.Equal(HttpStatusCode.BadRequest, noGroupStatus);
        Assert.Equal("ResourceNotFoundException", (string?)noGroup["__type"]);
        Assert.StartsWith("The specified log group does not exist: /aws/lambda/weather-analytics-prodcer-dev.", (string?)noGroup["message"]);

        // The listings the CLI's everyday commands and waiters call.
        var (_, deliveryStreams) = await CallTargetAsync("Firehose_20150804.ListDeliveryStreams", "{}");
        Assert.Equal(["weather-analytics-firehose-dev"], deliveryStreams["DeliveryStreamNames"]!.AsArray().Select(n => (string)n!));
        var (_, databases) = await CallTargetAsync("AWSGlue.GetDatabases", "{}");
        Assert.Contains("weather-analytics_dev_db", databases["DatabaseList"]!.AsArray().Select(d => (string)d!["Name"]!));
        await Session.CrawlAsync();
        var (_, metrics) = await CallTargetAsync("AWSGlue.GetCrawlerMetrics", "{}"); // no names: every crawler
        Assert.Equal(["weather-data-crawler"], metrics["CrawlerMetricsList"]!.AsArray().Select(m => (string)m!["CrawlerName"]!));
        var (_, workGroups) = await CallTargetAsync("AmazonAthena.ListWorkGroups", "{}");
        Assert.Equal(["primary"], workGroups["WorkGroups"]!.AsArray().Select(w => (string)w!["Name"]!));
        var (_, logGroups) = await CallTargetAsync("Logs_20140328.DescribeLogGroups", """{"logGroupNamePrefix":"/aws/lambda/"}""");
        Assert.Equal(["/aws/lambda/weather-analytics-producer-dev"], logGroups["logGroups"]!.AsArray().Select(g => (string)g!["logGroupName"]!));
        var (_, described) = await CallTargetAsync("Kinesis_20131202.DescribeStream", """{"StreamName":"weather-analytics-stream-dev"}""");
        Assert.Equal("ACTIVE", (string?)described["StreamDescription"]!["StreamStatus"]);
        Assert.Equal(["shardId-000000000000"], described["StreamDescription"]!["Shards"]!.AsArray().Select(sh => (string)sh!["ShardId"]!));
        Assert.False((bool)described["StreamDescription"]!["HasMoreShards"]!);

        var (_, firehose) = await CallTargetAsync("Firehose_20150804.DescribeDeliveryStream", """{"DeliveryStreamName":"weather-analytics-firehose-dev"}""");
        var description = firehose["DeliveryStreamDescription"]!.AsObject();
        // The members botocore's DeliveryStreamDescription and ExtendedS3DestinationDescription require.
        foreach (var member in new[] { "DeliveryStreamName", "DeliveryStreamARN", "DeliveryStreamStatus", "DeliveryStreamType", "VersionId", "Destinations", "HasMoreDestinations" })
            Assert.True(description.ContainsKey(member), member);
        var destination = description["Destinations"]![0]!["ExtendedS3DestinationDescription"]!.AsObject();
        foreach (var member in new[] { "RoleARN", "BucketARN", "BufferingHints", "CompressionFormat", "EncryptionConfiguration" })
            Assert.True(destination.ContainsKey(member), member);
        Assert.Equal("arn:aws:kinesis:us-east-1:123456789012:stream/weather-analytics-stream-dev", (string?)description["Source"]!["KinesisStreamSourceDescription"]!["KinesisStreamARN"]);
        Assert.StartsWith("arn:aws:s3:::weather-analytics-data-lake-", (string?)destination["BucketARN"]);
        var (noStreamStatus, noStream) = await CallTargetAsync("Firehose_20150804.DescribeDeliveryStream", """{"DeliveryStreamName":"nope"}""");
        Assert.Equal(HttpStatusCode.BadRequest, noStreamStatus);
        Assert.Equal("ResourceNotFoundException", (string?)noStream["__type"]);
        Assert.StartsWith("Firehose nope under account 123456789012 not found.", (string?)noStream["message"]);

        var (badStatus, bad) = await CallTargetAsync("AWSGlue.UpdateTable", """{"DatabaseName":"weather-analytics_dev_db"}""");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.Equal("ValidationException", (string?)bad["__type"]);
        Assert.Equal("1 validation error detected: Value null at 'TableInput' failed to satisfy constraint: Member must not be null", (string?)bad["message"]);
    }

    [Fact]
    public async Task Sts_get_caller_identity_answers_the_workspace_account_in_xml()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint.Url)
        {
            Content = new StringContent("Action=GetCallerIdentity&Version=2011-06-15", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", Authorization("sts"));
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var xml = System.Xml.Linq.XDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("GetCallerIdentityResponse", xml.Root!.Name.LocalName);
        Assert.Equal("123456789012", xml.Descendants().Single(e => e.Name.LocalName == "Account").Value);
        Assert.Equal("arn:aws:iam::123456789012:user/workshop-learner", xml.Descendants().Single(e => e.Name.LocalName == "Arn").Value);
    }

    [Fact]
    public void A_host_other_than_loopback_is_warned_about_and_a_name_is_refused()
    {
        Assert.Null(LocalEndpoint.ExposureWarning("127.0.0.1"));
        Assert.Null(LocalEndpoint.ExposureWarning("localhost"));
        Assert.Contains("0.0.0.0 lets other machines on the network read and write this workspace, with no credentials checked.", LocalEndpoint.ExposureWarning("0.0.0.0"));
        Assert.Contains("0.0.0.0 lets other machines on the network read and write this workspace, given the local keys (--strict).", LocalEndpoint.ExposureWarning("0.0.0.0", strict: true));
        var error = Assert.Throws<ArgumentException>(() => LocalEndpoint.ExposureWarning("example.internal"));
        Assert.Contains("--host 'example.internal' is not an IP address", error.Message);
    }
}
