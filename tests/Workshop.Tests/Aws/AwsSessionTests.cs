using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using StreamingWorkshop;
using StreamingWorkshop.Aws;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Stack;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Aws;

/// <summary>
/// A notebook's session on the AWS backend: names from the deployed stack (CloudFormation answered from
/// botocore-shaped samples), the stream on kinesalite and the lake on s3rver, through the session's own calls.
/// </summary>
public sealed class AwsSessionTests(KinesalitePeer kinesalite, S3rverPeer s3rver) : IClassFixture<KinesalitePeer>, IClassFixture<S3rverPeer>
{
    [Fact]
    public async Task The_session_reads_names_from_the_stack_and_runs_the_stream_and_lake_cells()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (stream, lakeBucket) = ($"weather-stream-{suffix}", $"weather-lake-{suffix}");
        var endpoints = new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL_KINESIS"] = kinesalite.Peer.Endpoint.ToString(),
            ["AWS_ENDPOINT_URL_S3"] = s3rver.Peer.Endpoint.ToString(),
            ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9",
        };
        var settings = AwsSettings.WithCredentials("us-east-1", new BasicAWSCredentials("S3RVER", "S3RVER"), name => endpoints.GetValueOrDefault(name));
        var service = new ModelBackedService();
        service.PassThrough("kinesis");
        service.PassThrough("s3");
        var model = BotocoreModel.Load("cloudformation");
        var outputs = new JsonArray(
            new[] { ("KinesisStreamName", stream), ("DeliveryStreamName", "weather-firehose"), ("DataLakeBucketName", lakeBucket), ("AthenaResultsBucketName", "weather-results"),
                    ("ProducerFunctionName", "weather-producer"), ("ScheduleRuleName", "weather-schedule"), ("GlueDatabaseName", "weather_db"), ("GlueRoleName", "weather-glue-role") }
            .Select(o => (JsonNode)new JsonObject { ["OutputKey"] = o.Item1, ["OutputValue"] = o.Item2 }).ToArray());
        service.AnswerXml("DescribeStacks", model.XmlSample("DescribeStacks", new JsonObject
        {
            ["Stacks"] = new JsonArray(new JsonObject { ["StackName"] = "stream", ["StackId"] = "arn:aws:cloudformation:us-east-1:123456789012:stack/stream/1", ["StackStatus"] = "CREATE_COMPLETE", ["CreationTime"] = 1764064800.0, ["Outputs"] = outputs }),
        }));
        service.AnswerXml("DescribeStackResources", model.XmlSample("DescribeStackResources", new JsonObject { ["StackResources"] = new JsonArray() }));
        service.AnswerXml("DescribeStackEvents", model.XmlSample("DescribeStackEvents", new JsonObject { ["StackEvents"] = new JsonArray() }));

        var events = BotocoreModel.Load("events");
        service.AnswerJson("DescribeRule", events.JsonSample("DescribeRule", new JsonObject { ["Name"] = "weather-schedule", ["ScheduleExpression"] = "rate(5 minutes)", ["State"] = "ENABLED" }));
        service.AnswerJson("DisableRule", events.JsonSample("DisableRule"));
        var workspace = Directory.CreateTempSubdirectory("aws-session-").FullName;
        await using var workshop = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { Backend = "aws", WorkspacePath = workspace, AwsSettings = settings, AwsTransport = service });
        Assert.False(workshop.IsLocal);
        await workshop.Stream.CreateStreamAsync(stream, 1);
        await workshop.Lake.CreateBucketAsync(lakeBucket);

        await workshop.EnsurePipelineAsync();
        Assert.Equal(stream, workshop.Names.StreamName);
        Assert.Equal(lakeBucket, workshop.Names.LakeBucket);
        Assert.Equal("weather_db", workshop.AthenaSettings.DefaultDatabase);
        Assert.Equal("rate(5 minutes)", workshop.Names.Schedule);
        await workshop.SetProducerScheduleAsync(enabled: false);
        Assert.Contains(service.Requests, r => r.Operation == "DisableRule" && r.Body.Contains("\"weather-schedule\"", StringComparison.Ordinal));

        var described = await workshop.DescribeStreamAsync();
        Assert.Contains(stream, described.ToString());
        await workshop.Stream.PutRecordAsync(stream, Encoding.UTF8.GetBytes("{\"city\":\"London\",\"temperature\":11.5}"), "London");
        var peeked = await workshop.PeekAsync(ShardIteratorType.TRIM_HORIZON);
        Assert.Contains("London", peeked.ToString());

        await workshop.Lake.PutObjectAsync(lakeBucket, "weather-data/location=London/year=2026/month=11/day=25/batch-1.json", Encoding.UTF8.GetBytes("{\"city\":\"London\"}\n"));
        Assert.Contains("batch-1.json", (await workshop.BrowseLakeAsync("weather-data/location=London/year=2026/month=11/day=25/")).ToString());
        Assert.Contains("\"city\":\"London\"", (await workshop.OpenObjectAsync("weather-data/location=London/year=2026/month=11/day=25/batch-1.json")).ToString());
        var cost = (await workshop.StorageCostAsync()).ToString();
        Assert.Contains("STANDARD", cost);

        Assert.Equal("stream", (await workshop.DescribeStackAsync()).StackName);
        var localOnly = await Assert.ThrowsAsync<NotSupportedException>(() => workshop.SimulateAsync(TimeSpan.FromHours(1)));
        Assert.Contains("local backend only", localOnly.Message);
        Assert.Contains("AWS backend", workshop.ToString());
        // What only the local backend can do is absent from the session's type, not refused later.
        Assert.Null(workshop.Local);
        Assert.NotNull(workshop.Producer.Schedule);
        Assert.IsType<StreamingWorkshop.Aws.AwsCatalog>(workshop.Stages.Catalog);
        Assert.IsType<StreamingWorkshop.Aws.AwsStackService>(workshop.Stages.Stack);
    }

    [Fact]
    public async Task An_unknown_backend_is_refused_by_name()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { Backend = "azure" }));
        Assert.Contains("'azure'", error.Message);
        Assert.Contains("WORKSHOP_BACKEND=aws", error.Message);
    }
}
