using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Web;
using Amazon.Runtime;
using StreamingWorkshop;
using StreamingWorkshop.Aws;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Query;
using StreamingWorkshop.Stack;
using StreamingWorkshop.Workflows;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Aws;

/// <summary>
/// Every request the AWS backend's clients send is checked against the official API model in python3-botocore
/// (operation, required members, member names and types), every answer is parsed from a model-shaped sample,
/// and every request is signed by AWSSDK.Core's SigV4 handler for the right service and region.
/// </summary>
public sealed class AwsApiModelTests
{
    private const string Region = "eu-central-1";

    private static (AwsClients Clients, ModelBackedService Service) Connect()
    {
        var service = new ModelBackedService();
        var settings = AwsSettings.WithCredentials(Region, new BasicAWSCredentials("AKIDMODELTEST0001", "model-test-secret"));
        return (new AwsClients(settings, service, new AwsRetryPolicy(1, TimeSpan.Zero, TimeSpan.Zero)), service);
    }

    /// <summary>Runs each client's operations against samples; returns what was sent, per botocore service name.</summary>
    private static async Task<IReadOnlyList<(string Model, SignedRequest Request)>> RunScenario(string model)
    {
        var (clients, service) = Connect();
        var botocore = BotocoreModel.Load(model);
        JsonObject Sample(string operation, JsonObject? overrides = null)
        {
            var sample = botocore.JsonSample(operation, overrides);
            var problems = botocore.CheckJsonOutput(operation, sample);
            Assert.True(problems.Count == 0, string.Join("\n", problems));
            return sample;
        }
        void Json(string operation, JsonObject? overrides = null) => service.AnswerJson(operation, Sample(operation, overrides));
        void Xml(string operation, JsonObject? overrides = null)
        {
            var problems = botocore.CheckJsonOutput(operation, botocore.JsonSample(operation, overrides));
            Assert.True(problems.Count == 0, string.Join("\n", problems));
            service.AnswerXml(operation, botocore.XmlSample(operation, overrides));
        }

        switch (model)
        {
            case "kinesis":
            {
                using var kinesis = clients.Kinesis();
                Json("CreateStream");
                Json("DescribeStreamSummary", new JsonObject { ["StreamDescriptionSummary"] = new JsonObject { ["StreamName"] = "weather", ["StreamStatus"] = "ACTIVE", ["RetentionPeriodHours"] = 48, ["OpenShardCount"] = 1 } });
                Json("IncreaseStreamRetentionPeriod");
                Json("DeleteStream");
                Json("ListStreams", new JsonObject { ["StreamNames"] = new JsonArray("weather"), ["HasMoreStreams"] = false });
                Json("ListShards", new JsonObject { ["NextToken"] = null });
                Json("PutRecord", new JsonObject { ["SequenceNumber"] = "49590338271490256608559692538361571095921575989136588898" });
                Json("PutRecords", new JsonObject { ["Records"] = new JsonArray(new JsonObject { ["ShardId"] = "shardId-000000000000", ["SequenceNumber"] = "1" }) });
                Json("GetShardIterator", new JsonObject { ["ShardIterator"] = "AAAAAAAAAAE" });
                Json("GetRecords", new JsonObject { ["Records"] = new JsonArray(new JsonObject { ["SequenceNumber"] = "1", ["Data"] = Convert.ToBase64String("{\"city\":\"Dublin\"}"u8), ["PartitionKey"] = "Dublin", ["ApproximateArrivalTimestamp"] = 1764064800.25 }), ["NextShardIterator"] = "AAAAAAAAAAF" });
                await kinesis.CreateStreamAsync("weather", 1, retentionPeriodHours: 48);
                Assert.Equal(48, (await kinesis.DescribeStreamSummaryAsync("weather")).RetentionPeriodHours);
                Assert.Equal(["weather"], await kinesis.ListStreamsAsync());
                Assert.Single(await kinesis.ListShardsAsync("weather"));
                await kinesis.PutRecordAsync("weather", "{}"u8.ToArray(), "Dublin", explicitHashKey: "0");
                await kinesis.PutRecordsAsync("weather", [new PutRecordsEntry("{}"u8.ToArray(), "Cork")]);
                var iterator = await kinesis.GetShardIteratorAsync("weather", "shardId-000000000000", ShardIteratorType.AT_TIMESTAMP, timestamp: DateTimeOffset.UnixEpoch.AddDays(20000));
                var records = await kinesis.GetRecordsAsync(iterator, 5);
                Assert.Equal("shardId-000000000000", records.Records.Single().ShardId);
                Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1764064800250), records.Records[0].ApproximateArrivalTimestamp);
                await kinesis.GetShardIteratorAsync("weather", "shardId-000000000000", ShardIteratorType.AFTER_SEQUENCE_NUMBER, "1");
                Json("UpdateShardCount");
                Json("SplitShard");
                Json("MergeShards");
                await kinesis.UpdateShardCountAsync("weather", 2);
                await kinesis.SplitShardAsync("weather", "shardId-000000000001", "170141183460469231731687303715884105728");
                await kinesis.MergeShardsAsync("weather", "shardId-000000000001", "shardId-000000000002");
                Json("ListShards", new JsonObject
                {
                    ["Shards"] = new JsonArray(new JsonObject
                    {
                        ["ShardId"] = "shardId-000000000002", ["ParentShardId"] = "shardId-000000000000", ["AdjacentParentShardId"] = "shardId-000000000001",
                        ["HashKeyRange"] = new JsonObject { ["StartingHashKey"] = "0", ["EndingHashKey"] = "340282366920938463463374607431768211455" },
                        ["SequenceNumberRange"] = new JsonObject { ["StartingSequenceNumber"] = "49", ["EndingSequenceNumber"] = "50" },
                    }),
                    ["NextToken"] = null,
                });
                var merged = (await kinesis.ListShardsAsync("weather")).Single();
                Assert.Equal(["shardId-000000000000", "shardId-000000000001"], merged.Parents);
                Assert.Equal("50", merged.EndingSequenceNumber);
                Json("GetRecords", new JsonObject
                {
                    ["Records"] = new JsonArray(), ["NextShardIterator"] = null,
                    ["ChildShards"] = new JsonArray(new JsonObject { ["ShardId"] = "shardId-000000000003", ["ParentShards"] = new JsonArray("shardId-000000000002"), ["HashKeyRange"] = new JsonObject { ["StartingHashKey"] = "0", ["EndingHashKey"] = "9" } }),
                });
                var end = await kinesis.GetRecordsAsync("AAAAAAAAAAF");
                Assert.Null(end.NextShardIterator);
                Assert.Equal("shardId-000000000003 <- shardId-000000000002", string.Join(",", end.ChildShards!.Select(c => $"{c.ShardId} <- {string.Join('+', c.ParentShards)}")));
                // Capacity mode: an on-demand stream is created without a shard count, and the mode can be switched.
                await kinesis.CreateOnDemandStreamAsync("weather-on-demand");
                Json("UpdateStreamMode");
                await kinesis.UpdateStreamModeAsync("arn:aws:kinesis:eu-central-1:123456789012:stream/weather", StreamModes.OnDemand);
                Json("DescribeStreamSummary", new JsonObject { ["StreamDescriptionSummary"] = new JsonObject { ["StreamName"] = "weather", ["StreamStatus"] = "ACTIVE", ["StreamModeDetails"] = new JsonObject { ["StreamMode"] = "ON_DEMAND" } } });
                Assert.Equal("ON_DEMAND", (await kinesis.DescribeStreamSummaryAsync("weather")).StreamModeDetails);

                // Enhanced fan-out consumers.
                const string streamArn = "arn:aws:kinesis:eu-central-1:123456789012:stream/weather";
                const string consumerArn = streamArn + "/consumer/dashboard:1764064800";
                JsonObject Consumer(string status) => new() { ["ConsumerName"] = "dashboard", ["ConsumerARN"] = consumerArn, ["ConsumerStatus"] = status, ["ConsumerCreationTimestamp"] = 1764064800 };
                Json("RegisterStreamConsumer", new JsonObject { ["Consumer"] = Consumer("CREATING") });
                var registered = await kinesis.RegisterStreamConsumerAsync(streamArn, "dashboard");
                Assert.Equal(("dashboard", consumerArn, "CREATING"), (registered.ConsumerName, registered.ConsumerArn, registered.ConsumerStatus));
                Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1764064800), registered.ConsumerCreationTimestamp);
                var description = Consumer("ACTIVE");
                description["StreamARN"] = streamArn;
                Json("DescribeStreamConsumer", new JsonObject { ["ConsumerDescription"] = description });
                Assert.Equal("ACTIVE", (await kinesis.DescribeStreamConsumerAsync(ConsumerReference.ByArn(consumerArn))).ConsumerStatus);
                Assert.Equal(streamArn, (await kinesis.DescribeStreamConsumerAsync(ConsumerReference.ByName(streamArn, "dashboard"))).StreamArn);
                Json("ListStreamConsumers", new JsonObject { ["Consumers"] = new JsonArray(Consumer("ACTIVE")), ["NextToken"] = null });
                Assert.Equal(["dashboard"], (await kinesis.ListStreamConsumersAsync(streamArn)).Select(c => c.ConsumerName));
                Json("DeregisterStreamConsumer");
                await kinesis.DeregisterStreamConsumerAsync(ConsumerReference.ByArn(consumerArn));
                await kinesis.DeregisterStreamConsumerAsync(ConsumerReference.ByName(streamArn, "dashboard"));

                // SubscribeToShard answers with an event stream: an initial response, then SubscribeToShardEvents.
                var pushed = new JsonObject
                {
                    ["Records"] = new JsonArray(new JsonObject { ["SequenceNumber"] = "7", ["Data"] = Convert.ToBase64String("{\"city\":\"Cork\"}"u8), ["PartitionKey"] = "Cork", ["ApproximateArrivalTimestamp"] = 1764064800.5 }),
                    ["ContinuationSequenceNumber"] = "7", ["MillisBehindLatest"] = 250,
                };
                var ended = new JsonObject
                {
                    ["Records"] = new JsonArray(), ["ContinuationSequenceNumber"] = null, ["MillisBehindLatest"] = 0,
                    ["ChildShards"] = new JsonArray(new JsonObject { ["ShardId"] = "shardId-000000000003", ["ParentShards"] = new JsonArray("shardId-000000000000"), ["HashKeyRange"] = new JsonObject { ["StartingHashKey"] = "0", ["EndingHashKey"] = "9" } }),
                };
                service.Answer("SubscribeToShard", _ => new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = new ByteArrayContent([.. EventMessage("initial-response", new JsonObject()), .. EventMessage("SubscribeToShardEvent", pushed), .. EventMessage("SubscribeToShardEvent", ended)]),
                });
                var events = new List<SubscribeToShardEvent>();
                await foreach (var e in kinesis.SubscribeToShardAsync(consumerArn, "shardId-000000000000", StartingPosition.AfterSequenceNumber("6"))) events.Add(e);
                Assert.Equal(2, events.Count);
                Assert.Equal(("7", 250L, "{\"city\":\"Cork\"}"), (events[0].ContinuationSequenceNumber, events[0].MillisBehindLatest, System.Text.Encoding.UTF8.GetString(events[0].Records.Single().Data.Span)));
                Assert.Equal("shardId-000000000000", events[0].Records[0].ShardId);
                Assert.Null(events[1].ContinuationSequenceNumber);
                Assert.Equal(["shardId-000000000003"], events[1].ChildShards!.Select(c => c.ShardId));
                service.Answer("SubscribeToShard", _ => new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = new ByteArrayContent(ExceptionMessage("ResourceInUseException", "Another subscription took over.")),
                });
                var takenOver = await Assert.ThrowsAsync<StreamingWorkshop.Errors.ResourceInUseException>(async () =>
                {
                    await foreach (var _ in kinesis.SubscribeToShardAsync(consumerArn, "shardId-000000000000", StartingPosition.Latest)) { }
                });
                Assert.Contains("Another subscription took over.", takenOver.Message);
                await kinesis.DeleteStreamAsync("weather");
                break;
            }
            case "firehose":
            {
                using var firehose = clients.Firehose();
                var template = TemplateReader.Parse(TemplateReader.WorkshopTemplate());
                var destination = template["Resources"]!["WeatherDeliveryStream"]!["Properties"]!["ExtendedS3DestinationConfiguration"]!.DeepClone().AsObject();
                destination["BucketARN"] = "arn:aws:s3:::weather-lake";
                destination["RoleARN"] = "arn:aws:iam::123456789012:role/delivery";
                destination["CloudWatchLoggingOptions"] = new JsonObject { ["Enabled"] = true, ["LogGroupName"] = "/aws/kinesisfirehose/weather", ["LogStreamName"] = "S3Delivery" };
                destination["EncryptionConfiguration"] = new JsonObject { ["NoEncryptionConfig"] = "NoEncryption" };
                Json("DescribeDeliveryStream", new JsonObject
                {
                    ["DeliveryStreamDescription"] = new JsonObject
                    {
                        ["DeliveryStreamName"] = "weather-firehose",
                        ["Source"] = new JsonObject { ["KinesisStreamSourceDescription"] = new JsonObject { ["KinesisStreamARN"] = "arn:aws:kinesis:eu-central-1:123456789012:stream/weather-stream" } },
                        ["Destinations"] = new JsonArray(new JsonObject { ["DestinationId"] = "destinationId-000000000001", ["ExtendedS3DestinationDescription"] = destination }),
                    },
                });
                Json("ListDeliveryStreams", new JsonObject { ["DeliveryStreamNames"] = new JsonArray("weather-firehose"), ["HasMoreDeliveryStreams"] = false });
                var config = await firehose.DescribeDeliveryStreamAsync("weather-firehose");
                Assert.Equal("weather-stream", config.SourceStreamName);
                Assert.Equal("weather-lake", config.BucketName);
                Assert.Equal((string)destination["Prefix"]!, config.Prefix);
                Assert.Equal(60, config.BufferingIntervalSeconds);
                Assert.True(config.DynamicPartitioningEnabled);
                Assert.Equal("{location: .city}", config.MetadataExtractionQuery);
                Assert.Equal(["weather-firehose"], await firehose.ListDeliveryStreamsAsync());
                break;
            }
            case "glue":
            {
                using var glue = clients.Glue();
                var table = new JsonObject
                {
                    ["Name"] = "raw_weather_data", ["DatabaseName"] = "weather_db", ["TableType"] = "EXTERNAL_TABLE", ["VersionId"] = "3",
                    ["StorageDescriptor"] = new JsonObject { ["Columns"] = new JsonArray(new JsonObject { ["Name"] = "temperature", ["Type"] = "double" }), ["Location"] = "s3://weather-lake/weather-data/" },
                    ["PartitionKeys"] = new JsonArray(new JsonObject { ["Name"] = "location", ["Type"] = "string" }),
                    ["Parameters"] = new JsonObject { ["classification"] = "json" },
                };
                Json("GetDatabase", new JsonObject { ["Database"] = new JsonObject { ["Name"] = "weather_db" } });
                Json("GetTables", new JsonObject { ["TableList"] = new JsonArray(table.DeepClone()), ["NextToken"] = null });
                Json("GetTable", new JsonObject { ["Table"] = table.DeepClone() });
                Json("GetPartitions", new JsonObject { ["Partitions"] = new JsonArray(new JsonObject { ["Values"] = new JsonArray("Dublin", "2026", "11", "25"), ["StorageDescriptor"] = new JsonObject { ["Location"] = "s3://weather-lake/weather-data/location=Dublin/" } }), ["NextToken"] = null });
                Json("UpdateTable");
                Json("CreateCrawler");
                Json("StartCrawler");
                Json("StopCrawler");
                Json("GetCrawler", new JsonObject { ["Crawler"] = new JsonObject { ["Name"] = "weather-data-crawler", ["State"] = "READY", ["LastCrawl"] = new JsonObject { ["Status"] = "SUCCEEDED" } } });
                Json("GetCrawlerMetrics", new JsonObject { ["CrawlerMetricsList"] = new JsonArray(new JsonObject { ["TablesCreated"] = 1, ["TablesUpdated"] = 0 }) });
                Assert.Equal("weather_db", (await glue.GetDatabaseAsync("weather_db")).Name);
                var read = (await glue.GetTablesAsync("weather_db")).Single();
                Assert.Equal(["temperature", "location"], read.AllColumns.Select(c => c.Name));
                Assert.Equal(3, read.VersionId);
                var single = await glue.GetTableAsync("weather_db", "raw_weather_data");
                Assert.Equal("json", single.Classification);
                Assert.Equal(["Dublin", "2026", "11", "25"], (await glue.GetPartitionsAsync("weather_db", "raw_weather_data")).Single().Values);
                await glue.UpdateTableAsync(single with { Columns = [new GlueColumn("temperature", "string")] });
                await glue.CreateCrawlerAsync(new CrawlerDefinition("weather-data-crawler", "arn:aws:iam::123456789012:role/glue", "weather_db", "raw_", ["s3://weather-lake/weather-data/"]));
                await glue.CreateCrawlerAsync(new CrawlerDefinition("weather-log-crawler", "arn:aws:iam::123456789012:role/glue", "weather_db", "raw_", ["s3://weather-lake/weather-data/"],
                    SchemaChangePolicy: new SchemaChangePolicy(SchemaChangePolicy.Log, SchemaChangePolicy.Log), Configuration: SchemaChangePolicy.InheritFromTableConfiguration));
                Json("UpdateCrawler");
                await glue.UpdateCrawlerAsync("weather-log-crawler", new SchemaChangePolicy(), SchemaChangePolicy.InheritFromTableConfiguration);
                await glue.StartCrawlerAsync("weather-data-crawler");
                await glue.StopCrawlerAsync("weather-data-crawler");
                Assert.Equal("SUCCEEDED", (await glue.GetCrawlerAsync("weather-data-crawler")).LastCrawlStatus);
                Assert.Equal(1, (await glue.GetCrawlerMetricsAsync("weather-data-crawler")).TablesCreated);

                // The job calls, as the jobs stage makes them on AWS.
                using var jobs = clients.GlueJobs();
                var job = new JsonObject
                {
                    ["Name"] = "weather-analytics-curate-batch-dev", ["Role"] = "arn:aws:iam::123456789012:role/weather-analytics-glue-job-role-dev", ["CreatedOn"] = 1764064800.0,
                    ["Command"] = new JsonObject { ["Name"] = "glueetl", ["ScriptLocation"] = "s3://weather-scripts/scripts/curate_batch.py", ["PythonVersion"] = "3" },
                    ["DefaultArguments"] = new JsonObject { ["--job-bookmark-option"] = "job-bookmark-enable" },
                    ["GlueVersion"] = "4.0", ["WorkerType"] = "G.1X", ["NumberOfWorkers"] = 2, ["Timeout"] = 30, ["MaxRetries"] = 0,
                };
                JsonObject Run(string id, string state, int seconds) => new()
                {
                    ["Id"] = id, ["Attempt"] = 0, ["JobName"] = "weather-analytics-curate-batch-dev", ["JobRunState"] = state, ["StartedOn"] = 1764064800.0,
                    ["LastModifiedOn"] = 1764064800.0 + seconds, ["CompletedOn"] = 1764064800.0 + seconds, ["ExecutionTime"] = seconds, ["Timeout"] = 30,
                    ["WorkerType"] = "G.1X", ["NumberOfWorkers"] = 2, ["GlueVersion"] = "4.0", ["LogGroupName"] = "/aws-glue/jobs",
                    ["Arguments"] = new JsonObject { ["--raw_prefix"] = "weather-data/location=Dublin/" },
                };
                Json("GetJobs", new JsonObject { ["Jobs"] = new JsonArray(job.DeepClone()), ["NextToken"] = null });
                var described = job.DeepClone().AsObject();
                described["CodeGenConfigurationNodes"] = null; // the visual editor's graph, which the kit's jobs do not have
                Json("GetJob", new JsonObject { ["Job"] = described });
                Json("StartJobRun", new JsonObject { ["JobRunId"] = "jr_5f2b" });
                var failedRun = Run("jr_5f2b", "FAILED", 95);
                failedRun["DPUSeconds"] = null; // given only for Flex and auto-scaled runs
                Json("GetJobRun", new JsonObject { ["JobRun"] = failedRun });
                var firstRuns = Sample("GetJobRuns", new JsonObject { ["JobRuns"] = new JsonArray(Run("jr_5f2b", "SUCCEEDED", 40)), ["NextToken"] = "runs-2" });
                var lastRuns = Sample("GetJobRuns", new JsonObject { ["JobRuns"] = new JsonArray(Run("jr_4e1a", "STOPPED", 20)), ["NextToken"] = null });
                lastRuns.Remove("NextToken");
                service.Answer("GetJobRuns", request => new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = new StringContent((request.Body.Contains("runs-2", StringComparison.Ordinal) ? lastRuns : firstRuns).ToJsonString()),
                });
                Json("BatchStopJobRun", new JsonObject
                {
                    ["SuccessfulSubmissions"] = new JsonArray(new JsonObject { ["JobName"] = "weather-analytics-curate-batch-dev", ["JobRunId"] = "jr_5f2b" }),
                    ["Errors"] = new JsonArray(new JsonObject { ["JobName"] = "weather-analytics-curate-batch-dev", ["JobRunId"] = "jr_4e1a", ["ErrorDetail"] = new JsonObject { ["ErrorCode"] = "InvalidInputException", ["ErrorMessage"] = "Job run jr_4e1a has already ended." } }),
                });
                Json("ResetJobBookmark", new JsonObject { ["JobBookmarkEntry"] = new JsonObject { ["JobName"] = "weather-analytics-curate-batch-dev", ["Version"] = 0 } });

                var listed = (await jobs.GetJobsAsync()).Single();
                Assert.Equal(("weather-analytics-curate-batch-dev", "glueetl", "s3://weather-scripts/scripts/curate_batch.py", "G.1X", 2, 30), (listed.Name, listed.Command.Name, listed.Command.ScriptLocation, listed.WorkerType, listed.NumberOfWorkers, listed.TimeoutMinutes));
                Assert.Equal("job-bookmark-enable", (await jobs.GetJobAsync("weather-analytics-curate-batch-dev")).DefaultArguments["--job-bookmark-option"]);
                Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1764064800), listed.CreatedOn);
                Assert.Equal("jr_5f2b", await jobs.StartJobRunAsync("weather-analytics-curate-batch-dev", new Dictionary<string, string> { ["--raw_prefix"] = "weather-data/location=Dublin/" }));
                var failed = await jobs.GetJobRunAsync("weather-analytics-curate-batch-dev", "jr_5f2b");
                // A standard run reports no DPUSeconds; it is billed for both workers' DPU for its 95 seconds.
                Assert.Equal(("FAILED", 95, 190.0, "weather-data/location=Dublin/"), (failed.JobRunState, failed.ExecutionTime, failed.DpuSeconds, failed.Arguments["--raw_prefix"]));
                Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1764064895), failed.CompletedOn);
                var runs = await jobs.GetJobRunsAsync("weather-analytics-curate-batch-dev");
                Assert.Equal(["jr_5f2b SUCCEEDED 120", "jr_4e1a STOPPED 120"], runs.Select(r => $"{r.Id} {r.JobRunState} {r.DpuSeconds}"));
                Assert.Single(await jobs.GetJobRunsAsync("weather-analytics-curate-batch-dev", maxResults: 1));
                var (stopping, notStopped) = await jobs.BatchStopJobRunAsync("weather-analytics-curate-batch-dev", ["jr_5f2b", "jr_4e1a"]);
                Assert.Equal(["jr_5f2b"], stopping);
                Assert.Equal(new StreamingWorkshop.Jobs.JobRunStopError("jr_4e1a", "InvalidInputException", "Job run jr_4e1a has already ended."), notStopped.Single());
                await jobs.ResetJobBookmarkAsync("weather-analytics-curate-batch-dev");
                break;
            }
            case "stepfunctions":
            {
                // The workflow calls, as the workflows stage makes them on AWS.
                using var states = clients.StepFunctions();
                const string machineArn = "arn:aws:states:eu-central-1:123456789012:stateMachine:weather-analytics-daily-pipeline-dev";
                const string executionArn = "arn:aws:states:eu-central-1:123456789012:execution:weather-analytics-daily-pipeline-dev:daily-2026-03-01";
                const string definition = """{"StartAt":"Curate","States":{"Curate":{"Type":"Task","Resource":"arn:aws:states:::glue:startJobRun.sync","Parameters":{"JobName":"weather-analytics-curate-batch-dev"},"End":true}}}""";
                var machine = new JsonObject { ["stateMachineArn"] = machineArn, ["name"] = "weather-analytics-daily-pipeline-dev", ["type"] = "STANDARD", ["creationDate"] = 1772323200.0 };
                Json("ListStateMachines", new JsonObject { ["stateMachines"] = new JsonArray(machine.DeepClone()), ["nextToken"] = null });
                Json("DescribeStateMachine", new JsonObject
                {
                    ["stateMachineArn"] = machineArn, ["name"] = "weather-analytics-daily-pipeline-dev", ["status"] = "ACTIVE", ["definition"] = definition,
                    ["roleArn"] = "arn:aws:iam::123456789012:role/weather-analytics-daily-pipeline-role-dev", ["type"] = "STANDARD", ["creationDate"] = 1772323200.0,
                });
                Json("StartExecution", new JsonObject { ["executionArn"] = executionArn, ["startDate"] = 1772366400.5 });
                Json("DescribeExecution", new JsonObject
                {
                    ["executionArn"] = executionArn, ["stateMachineArn"] = machineArn, ["name"] = "daily-2026-03-01", ["status"] = "FAILED",
                    ["startDate"] = 1772366400.5, ["stopDate"] = 1772366495.0, ["input"] = """{"date":"2026-03-01"}""", ["output"] = null,
                    ["error"] = "Glue.ConcurrentRunsExceededException", ["cause"] = "Concurrent runs exceeded for weather-analytics-curate-batch-dev",
                });
                JsonObject Listed(string name, string status, double start) => new()
                {
                    ["executionArn"] = $"arn:aws:states:eu-central-1:123456789012:execution:weather-analytics-daily-pipeline-dev:{name}", ["stateMachineArn"] = machineArn,
                    ["name"] = name, ["status"] = status, ["startDate"] = start,
                };
                var firstExecutions = Sample("ListExecutions", new JsonObject { ["executions"] = new JsonArray(Listed("daily-2026-03-02", "RUNNING", 1772452800.0)), ["nextToken"] = "executions-2" });
                var lastExecutions = Sample("ListExecutions", new JsonObject { ["executions"] = new JsonArray(Listed("daily-2026-03-01", "FAILED", 1772366400.5)), ["nextToken"] = null });
                service.Answer("ListExecutions", request => new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = new StringContent((request.Body.Contains("executions-2", StringComparison.Ordinal) ? lastExecutions : firstExecutions).ToJsonString()),
                });
                Json("StopExecution", new JsonObject { ["stopDate"] = 1772452860.25 });
                var firstEvents = Sample("GetExecutionHistory", new JsonObject
                {
                    ["events"] = new JsonArray(
                        new JsonObject { ["id"] = 1, ["previousEventId"] = 0, ["timestamp"] = 1772366400.5, ["type"] = "ExecutionStarted",
                            ["executionStartedEventDetails"] = new JsonObject { ["input"] = """{"date":"2026-03-01"}""", ["roleArn"] = "arn:aws:iam::123456789012:role/weather-analytics-daily-pipeline-role-dev" } },
                        new JsonObject { ["id"] = 2, ["previousEventId"] = 1, ["timestamp"] = 1772366400.5, ["type"] = "TaskStateEntered",
                            ["stateEnteredEventDetails"] = new JsonObject { ["name"] = "Curate", ["input"] = """{"date":"2026-03-01"}""" } }),
                    ["nextToken"] = "events-2",
                });
                var lastEvents = Sample("GetExecutionHistory", new JsonObject
                {
                    ["events"] = new JsonArray(
                        new JsonObject { ["id"] = 3, ["previousEventId"] = 2, ["timestamp"] = 1772366401.0, ["type"] = "TaskScheduled",
                            ["taskScheduledEventDetails"] = new JsonObject { ["resourceType"] = "glue", ["resource"] = "startJobRun.sync", ["region"] = "eu-central-1",
                                ["parameters"] = """{"JobName":"weather-analytics-curate-batch-dev"}""" } },
                        new JsonObject { ["id"] = 4, ["previousEventId"] = 3, ["timestamp"] = 1772366495.0, ["type"] = "TaskFailed",
                            ["taskFailedEventDetails"] = new JsonObject { ["resourceType"] = "glue", ["resource"] = "startJobRun.sync",
                                ["error"] = "Glue.ConcurrentRunsExceededException", ["cause"] = "Concurrent runs exceeded for weather-analytics-curate-batch-dev" } }),
                    ["nextToken"] = null,
                });
                lastEvents.Remove("nextToken");
                service.Answer("GetExecutionHistory", request => new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = new StringContent((request.Body.Contains("events-2", StringComparison.Ordinal) ? lastEvents : firstEvents).ToJsonString()),
                });

                var listedMachine = (await states.ListStateMachinesAsync()).Single();
                Assert.Equal(("weather-analytics-daily-pipeline-dev", machineArn, "STANDARD"), (listedMachine.Name, listedMachine.StateMachineArn, listedMachine.Type));
                Assert.Equal(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), listedMachine.CreationDate);
                var described = await states.DescribeStateMachineAsync(machineArn);
                Assert.Equal((definition, "arn:aws:iam::123456789012:role/weather-analytics-daily-pipeline-role-dev", "ACTIVE"), (described.Definition, described.RoleArn, described.Status));
                var started = await states.StartExecutionAsync(machineArn, "daily-2026-03-01", """{"date":"2026-03-01"}""");
                Assert.Equal((executionArn, new DateTimeOffset(2026, 3, 1, 12, 0, 0, 500, TimeSpan.Zero)), (started.ExecutionArn, started.StartDate));
                await states.StartExecutionAsync(machineArn);
                var failed = await states.DescribeExecutionAsync(executionArn);
                Assert.Equal(("daily-2026-03-01", "FAILED", "Glue.ConcurrentRunsExceededException", """{"date":"2026-03-01"}""", (string?)null),
                    (failed.Name, failed.Status, failed.Error, failed.Input, failed.Output));
                Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 1, 35, TimeSpan.Zero), failed.StopDate);
                var executions = await states.ListExecutionsAsync(machineArn);
                Assert.Equal(["daily-2026-03-02 RUNNING", "daily-2026-03-01 FAILED"], executions.Select(e => $"{e.Name} {e.Status}"));
                Assert.Single(await states.ListExecutionsAsync(machineArn, ExecutionStatuses.Running, maxResults: 1));
                Assert.Equal(new DateTimeOffset(2026, 3, 2, 12, 1, 0, 250, TimeSpan.Zero),
                    await states.StopExecutionAsync(executionArn.Replace("03-01", "03-02", StringComparison.Ordinal), "Workshop.Stopped", "stopped from the notebook"));
                var history = await states.GetExecutionHistoryAsync(executionArn);
                Assert.Equal(["1 ExecutionStarted executionStartedEventDetails", "2 TaskStateEntered stateEnteredEventDetails", "3 TaskScheduled taskScheduledEventDetails", "4 TaskFailed taskFailedEventDetails"],
                    history.Select(e => $"{e.Id} {e.Type} {e.DetailsMember}"));
                Assert.Equal(("Curate", 1L), ((string?)history[1].Details!["name"], history[1].PreviousEventId));
                Assert.Equal("Concurrent runs exceeded for weather-analytics-curate-batch-dev", (string?)history[3].Details!["cause"]);
                Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 1, 35, TimeSpan.Zero), history[3].Timestamp);
                await states.GetExecutionHistoryAsync(executionArn, reverseOrder: true);

                // Step Functions' error names come back as the kit's exceptions.
                service.Answer("DescribeExecution", _ => new HttpResponseMessage(HttpStatusCode.BadRequest)
                {
                    Content = new StringContent("""{"__type":"com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist","message":"Execution Does Not Exist: 'arn:aws:states:eu-central-1:123456789012:execution:weather-analytics-daily-pipeline-dev:nothing'"}"""),
                });
                var missing = await Assert.ThrowsAsync<StreamingWorkshop.Workflows.ExecutionDoesNotExistException>(() => states.DescribeExecutionAsync(executionArn.Replace("daily-2026-03-01", "nothing", StringComparison.Ordinal)));
                Assert.StartsWith("Execution Does Not Exist: 'arn:aws:states:eu-central-1:123456789012:execution:weather-analytics-daily-pipeline-dev:nothing' (DescribeExecution", missing.Message);
                // JSON 1.0, as the model's jsonVersion says.
                Assert.All(service.Requests, r => Assert.Equal("application/x-amz-json-1.0", r.Headers["Content-Type"]));
                break;
            }
            case "athena":
            {
                using var athena = clients.Athena();
                var execution = new JsonObject
                {
                    ["QueryExecutionId"] = "q-1", ["Query"] = "SELECT city, temperature FROM raw_weather_data", ["StatementType"] = "DML",
                    ["Status"] = new JsonObject { ["State"] = "SUCCEEDED", ["SubmissionDateTime"] = 1764064800.0, ["CompletionDateTime"] = 1764064801.5 },
                    ["Statistics"] = new JsonObject { ["DataScannedInBytes"] = 2_000_000, ["EngineExecutionTimeInMillis"] = 900 },
                };
                Json("StartQueryExecution", new JsonObject { ["QueryExecutionId"] = "q-1" });
                Json("GetQueryExecution", new JsonObject { ["QueryExecution"] = execution.DeepClone() });
                var header = new JsonObject { ["Data"] = new JsonArray(new JsonObject { ["VarCharValue"] = "city" }, new JsonObject { ["VarCharValue"] = "temperature" }) };
                JsonObject Row(string city, string temperature) => new() { ["Data"] = new JsonArray(new JsonObject { ["VarCharValue"] = city }, new JsonObject { ["VarCharValue"] = temperature }) };
                var metadata = new JsonObject { ["ColumnInfo"] = new JsonArray(new JsonObject { ["Name"] = "city", ["Type"] = "varchar" }, new JsonObject { ["Name"] = "temperature", ["Type"] = "double" }) };
                var firstPage = Sample("GetQueryResults", new JsonObject { ["ResultSet"] = new JsonObject { ["Rows"] = new JsonArray(header, Row("Dublin", "7.5")), ["ResultSetMetadata"] = metadata.DeepClone() }, ["NextToken"] = "page-2" });
                var secondPage = Sample("GetQueryResults", new JsonObject { ["ResultSet"] = new JsonObject { ["Rows"] = new JsonArray(Row("Cork", "9.25")), ["ResultSetMetadata"] = metadata.DeepClone() }, ["NextToken"] = null });
                secondPage.Remove("NextToken");
                service.Answer("GetQueryResults", request => new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = new StringContent((request.Body.Contains("page-2", StringComparison.Ordinal) ? secondPage : firstPage).ToJsonString()),
                });
                Json("StopQueryExecution");
                Json("ListQueryExecutions", new JsonObject { ["QueryExecutionIds"] = new JsonArray("q-1"), ["NextToken"] = null });
                Json("BatchGetQueryExecution", new JsonObject { ["QueryExecutions"] = new JsonArray(execution.DeepClone()) });
                var result = await athena.RunAsync("SELECT city, temperature FROM raw_weather_data", new AthenaSettings("weather_db", "weather-results"));
                Assert.Equal(["Dublin", "Cork"], result.Column<string>("city"));
                Assert.Equal([7.5, 9.25], result.Column<double>("temperature"));
                Assert.Equal(2_000_000, result.Statistics.DataScannedInBytes);
                // Athena does not say how many objects it read, so their GETs are named without a figure.
                Assert.Null(result.Statistics.FilesScanned);
                Assert.Null(result.Statistics.EstimatedS3GetCostUsd);
                Assert.Equal("S3 GETs: not counted, as Athena does not report how many objects it read (S3 bills a GET for each)", result.SummaryLines[1]);
                Assert.Equal("q-1", (await athena.ListQueryExecutionsAsync("primary")).Single().QueryExecutionId);
                await athena.StopQueryExecutionAsync("q-1");
                break;
            }
            case "redshift-data":
            {
                using var redshift = clients.RedshiftData();
                var target = new StreamingWorkshop.Warehouse.WarehouseTarget("weather-analytics-warehouse-dev", "weather", "workshopadmin");
                Json("ExecuteStatement", new JsonObject { ["Id"] = "d9b6c0c9-0747-4bf4-b142-e8883122f766" });
                Json("BatchExecuteStatement", new JsonObject { ["Id"] = "b2906c76-fa6e-4cdf-8c5f-4de1ba9b1ee1" });
                Json("DescribeStatement", new JsonObject
                {
                    ["Id"] = "b2906c76-fa6e-4cdf-8c5f-4de1ba9b1ee1", ["Status"] = "FINISHED", ["Duration"] = 1_250_000_000L, ["HasResultSet"] = true, ["ResultRows"] = 2, ["ResultSize"] = 40,
                    ["RedshiftQueryId"] = 4711, ["ClusterIdentifier"] = "weather-analytics-warehouse-dev", ["Database"] = "weather", ["DbUser"] = "workshopadmin",
                    ["CreatedAt"] = 1764064800.5, ["UpdatedAt"] = 1764064802.0, ["QueryString"] = "CREATE TABLE t (a int); SELECT city FROM readings",
                    ["SubStatements"] = new JsonArray(
                        new JsonObject { ["Id"] = "b2906c76-fa6e-4cdf-8c5f-4de1ba9b1ee1:1", ["Status"] = "FINISHED", ["QueryString"] = "CREATE TABLE t (a int)", ["HasResultSet"] = false, ["ResultRows"] = 0, ["Duration"] = 250_000_000L },
                        new JsonObject { ["Id"] = "b2906c76-fa6e-4cdf-8c5f-4de1ba9b1ee1:2", ["Status"] = "FINISHED", ["QueryString"] = "SELECT city FROM readings", ["HasResultSet"] = true, ["ResultRows"] = 2, ["Duration"] = 1_000_000_000L }),
                });
                var columns = new JsonArray(new JsonObject { ["name"] = "city", ["typeName"] = "varchar" }, new JsonObject { ["name"] = "readings", ["typeName"] = "int8" },
                    new JsonObject { ["name"] = "mean", ["typeName"] = "float8" }, new JsonObject { ["name"] = "windy", ["typeName"] = "bool" }, new JsonObject { ["name"] = "raw", ["typeName"] = "varbyte" });
                JsonArray Record(string city, long readings, double mean, bool windy) => new(new JsonObject { ["stringValue"] = city }, new JsonObject { ["longValue"] = readings },
                    new JsonObject { ["doubleValue"] = mean }, new JsonObject { ["booleanValue"] = windy }, new JsonObject { ["isNull"] = true });
                var firstPage = Sample("GetStatementResult", new JsonObject { ["Records"] = new JsonArray(Record("London", 60, 11.5, false)), ["ColumnMetadata"] = columns.DeepClone(), ["TotalNumRows"] = 2, ["NextToken"] = "page-2" });
                var secondPage = Sample("GetStatementResult", new JsonObject
                {
                    ["Records"] = new JsonArray(new JsonArray(new JsonObject { ["stringValue"] = "Leeds" }, new JsonObject { ["longValue"] = 59 }, new JsonObject { ["doubleValue"] = 9.25 }, new JsonObject { ["booleanValue"] = true }, new JsonObject { ["blobValue"] = Convert.ToBase64String("hi"u8) })),
                    ["ColumnMetadata"] = columns.DeepClone(), ["TotalNumRows"] = 2, ["NextToken"] = null,
                });
                secondPage.Remove("NextToken");
                service.Answer("GetStatementResult", request => new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = new StringContent((request.Body.Contains("page-2", StringComparison.Ordinal) ? secondPage : firstPage).ToJsonString()),
                });
                Json("CancelStatement", new JsonObject { ["Status"] = true });

                Assert.Equal("d9b6c0c9-0747-4bf4-b142-e8883122f766", await redshift.ExecuteStatementAsync(target, "SELECT 1", "first-look"));
                Assert.Equal("b2906c76-fa6e-4cdf-8c5f-4de1ba9b1ee1", await redshift.BatchExecuteStatementAsync(target, ["CREATE TABLE t (a int)", "SELECT city FROM readings"]));
                var described = await redshift.DescribeStatementAsync("b2906c76-fa6e-4cdf-8c5f-4de1ba9b1ee1");
                Assert.Equal(("FINISHED", 1_250_000_000L, true, 2L, 40L, 4711L), (described.Status, described.DurationNanoseconds, described.HasResultSet, described.ResultRows, described.ResultSize, described.RedshiftQueryId));
                Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1764064800500), described.CreatedAt);
                Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1764064802), described.UpdatedAt);
                Assert.Equal(["b2906c76-fa6e-4cdf-8c5f-4de1ba9b1ee1:1 FINISHED False", "b2906c76-fa6e-4cdf-8c5f-4de1ba9b1ee1:2 FINISHED True"], described.SubStatements!.Select(s => $"{s.Id} {s.Status} {s.HasResultSet}"));
                var page = await redshift.GetStatementResultAsync("b2906c76-fa6e-4cdf-8c5f-4de1ba9b1ee1:2");
                Assert.Equal(["city varchar", "readings int8", "mean float8", "windy bool", "raw varbyte"], page.Columns.Select(c => $"{c.Name} {c.TypeName}"));
                Assert.Equal(new object?[] { "London", 60L, 11.5, false, null }, page.Records.Single());
                Assert.Equal(("page-2", 2L), (page.NextToken, page.TotalNumRows));
                var run = await redshift.RunAsync(target, "SELECT city FROM readings");
                Assert.Equal(["London", "Leeds"], run.Result.Records.Select(r => (string)r[0]!));
                Assert.Equal("hi", System.Text.Encoding.UTF8.GetString((byte[])run.Result.Records[1][4]!));
                Assert.True(await redshift.CancelStatementAsync("d9b6c0c9-0747-4bf4-b142-e8883122f766"));
                break;
            }
            case "logs":
            {
                using var logs = clients.Logs();
                Json("FilterLogEvents", new JsonObject { ["events"] = new JsonArray(new JsonObject { ["timestamp"] = 1764064800000, ["message"] = "START RequestId: 1\n" }), ["nextToken"] = null });
                var events = await logs.TailAsync("/aws/lambda/weather-producer", 10, TimeSpan.FromHours(1));
                Assert.Equal("START RequestId: 1", events.Single().Message);
                break;
            }
            case "events":
            {
                using var events = clients.EventBridge();
                Json("DescribeRule", new JsonObject { ["Name"] = "weather-schedule", ["ScheduleExpression"] = "rate(1 minute)", ["State"] = "ENABLED" });
                Json("EnableRule");
                Json("DisableRule");
                Assert.Equal("rate(1 minute)", (await events.DescribeRuleAsync("weather-schedule")).ScheduleExpression);
                await events.SetRuleEnabledAsync("weather-schedule", false);
                await events.SetRuleEnabledAsync("weather-schedule", true);
                break;
            }
            case "lambda":
            {
                using var lambda = clients.Lambda();
                service.Answer("Invoke", _ =>
                {
                    var reply = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"processed\":3}") };
                    reply.Headers.Add("X-Amz-Log-Result", Convert.ToBase64String("START RequestId: 9\nEND RequestId: 9\n"u8));
                    reply.Headers.Add("X-Amz-Executed-Version", "$LATEST");
                    return reply;
                });
                var invocation = await lambda.InvokeAsync("weather-producer");
                Assert.Equal(200, invocation.StatusCode);
                Assert.Null(invocation.FunctionError);
                Assert.Contains("END RequestId: 9", invocation.LogTail);
                break;
            }
            case "cloudformation":
            {
                using var cloudFormation = clients.CloudFormation();
                var stack = new JsonObject
                {
                    ["Stacks"] = new JsonArray(new JsonObject
                    {
                        ["StackName"] = "weather-stack", ["StackId"] = "arn:aws:cloudformation:eu-central-1:123456789012:stack/weather-stack/1", ["StackStatus"] = "CREATE_COMPLETE",
                        ["CreationTime"] = 1764064800.0,
                        ["Outputs"] = new JsonArray(new JsonObject { ["OutputKey"] = "DataLakeBucketName", ["OutputValue"] = "weather-lake" }),
                        ["Parameters"] = new JsonArray(new JsonObject { ["ParameterKey"] = "WarehousePassword", ["ParameterValue"] = "****" }),
                    }),
                };
                // The first look finds no stack (so the deploy creates it); later ones find it.
                var describeStacks = botocore.XmlSample("DescribeStacks", stack);
                var looks = 0;
                service.Answer("DescribeStacks", _ => Interlocked.Increment(ref looks) == 1
                    ? new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent("<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id weather-stack does not exist</Message></Error><RequestId>r-1</RequestId></ErrorResponse>") }
                    : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(describeStacks) });
                Xml("DescribeStackResources", new JsonObject { ["StackResources"] = new JsonArray(new JsonObject { ["LogicalResourceId"] = "DataLakeBucket", ["PhysicalResourceId"] = "weather-lake", ["ResourceType"] = "AWS::S3::Bucket", ["ResourceStatus"] = "CREATE_COMPLETE", ["Timestamp"] = 1764064800.0 }) });
                Xml("DescribeStackEvents", new JsonObject { ["StackEvents"] = new JsonArray(new JsonObject { ["EventId"] = "e-1", ["StackId"] = "s", ["StackName"] = "weather-stack", ["LogicalResourceId"] = "weather-stack", ["ResourceType"] = "AWS::CloudFormation::Stack", ["ResourceStatus"] = "CREATE_COMPLETE", ["Timestamp"] = 4102444800.0 }) });
                Xml("CreateStack");
                Xml("UpdateStack");
                Xml("DeleteStack");
                var progress = new List<StackEvent>();
                var deployed = await cloudFormation.DeployAsync("weather-stack", TemplateReader.WorkshopTemplate(), new Dictionary<string, string> { ["WarehousePassword"] = "Wh-secret-1" }, new SynchronousProgress<StackEvent>(progress.Add));
                Assert.Equal("CREATE_COMPLETE", deployed.StackStatus);
                Assert.Equal("weather-lake", deployed.Output("DataLakeBucketName"));
                Assert.True(deployed.Parameters.Single().NoEcho);
                Assert.Equal("weather-lake", deployed.Resources.Single().PhysicalResourceId);
                Assert.Equal("CREATE_COMPLETE", progress.Single().ResourceStatus);
                Assert.DoesNotContain(service.Requests, r => r.Operation == "UpdateStack");
                await cloudFormation.DeployAsync("weather-stack", TemplateReader.WorkshopTemplate(), new Dictionary<string, string>());
                Assert.Equal(["CreateStack", "UpdateStack"], service.Requests.Select(r => r.Operation).Where(o => o.EndsWith("Stack", StringComparison.Ordinal)));
                // A template over the body limit goes to the staging bucket first and is passed by URL.
                using var staging = new TempWorkspace();
                var store = new StreamingWorkshop.Lake.LocalObjectStore(staging.Workspace, TimeProvider.System);
                await store.CreateBucketAsync("workshop-templates-123456789012-eu-central-1");
                var large = TemplateReader.WorkshopTemplate() + "\n" + string.Concat(Enumerable.Repeat("# padding line to pass the body limit\n", 1500));
                Assert.True(Encoding.UTF8.GetByteCount(large) > CloudFormationClient.MaxTemplateBodyBytes);
                await cloudFormation.DeployAsync("weather-stack", large, new Dictionary<string, string>(), stagingBucket: (store, "workshop-templates-123456789012-eu-central-1", Region));
                var byUrl = HttpUtility.ParseQueryString(service.Requests.Last(r => r.Operation == "UpdateStack").Body);
                Assert.Null(byUrl["TemplateBody"]);
                var url = new Uri(byUrl["TemplateURL"]!);
                Assert.Equal("workshop-templates-123456789012-eu-central-1.s3.eu-central-1.amazonaws.com", url.Host);
                Assert.Equal(large, Encoding.UTF8.GetString((await store.GetObjectAsync("workshop-templates-123456789012-eu-central-1", url.AbsolutePath.TrimStart('/'))).Content.Span));
                await Assert.ThrowsAsync<StreamingWorkshop.Errors.ValidationException>(() => cloudFormation.DeployAsync("weather-stack", large, new Dictionary<string, string>()));

                // Deleting with emptied buckets empties only those CloudFormation will delete: a Retain bucket keeps its objects.
                Xml("DescribeStackResources", new JsonObject { ["StackResources"] = new JsonArray(
                    new JsonObject { ["LogicalResourceId"] = "DataLakeBucket", ["PhysicalResourceId"] = "weather-lake", ["ResourceType"] = "AWS::S3::Bucket", ["ResourceStatus"] = "CREATE_COMPLETE", ["Timestamp"] = 1764064800.0 },
                    new JsonObject { ["LogicalResourceId"] = "AthenaResultsBucket", ["PhysicalResourceId"] = "weather-results", ["ResourceType"] = "AWS::S3::Bucket", ["ResourceStatus"] = "CREATE_COMPLETE", ["Timestamp"] = 1764064800.0 }) });
                Xml("GetTemplate", new JsonObject { ["TemplateBody"] = TemplateReader.WorkshopTemplate() });
                foreach (var bucket in new[] { "weather-lake", "weather-results" })
                {
                    await store.CreateBucketAsync(bucket);
                    await store.PutObjectAsync(bucket, "weather-data/reading.json", "{}"u8.ToArray());
                }
                await cloudFormation.DeleteAsync("weather-stack", emptyBucketsWith: store);
                Assert.Single((await store.ListObjectsV2Async(new StreamingWorkshop.Lake.ListObjectsRequest("weather-lake"))).Contents);
                Assert.Empty((await store.ListObjectsV2Async(new StreamingWorkshop.Lake.ListObjectsRequest("weather-results"))).Contents);
                Assert.Contains(service.Requests, r => r.Operation == "GetTemplate");
                await cloudFormation.DeleteAsync("weather-stack", emptyBucketsWith: null);
                break;
            }
            case "sts":
            {
                using var sts = clients.Sts();
                Xml("GetCallerIdentity", new JsonObject { ["Account"] = "123456789012", ["Arn"] = "arn:aws:iam::123456789012:user/learner", ["UserId"] = "AIDAEXAMPLE" });
                Assert.Equal("123456789012", (await sts.GetCallerIdentityAsync()).Account);
                break;
            }
            case "cloudwatch":
            {
                using var cloudWatch = clients.CloudWatch();
                var stream = new JsonArray(new JsonObject { ["Name"] = "StreamName", ["Value"] = "weather-stream" });
                Xml("GetMetricStatistics", new JsonObject
                {
                    ["Label"] = "IncomingRecords",
                    ["Datapoints"] = new JsonArray(
                        new JsonObject { ["Timestamp"] = 1736816700.0, ["Sum"] = 15.0, ["Unit"] = "Count" },
                        new JsonObject { ["Timestamp"] = 1736816400.0, ["Sum"] = 12.0, ["Unit"] = "Count" }),
                });
                Xml("GetMetricData", new JsonObject
                {
                    ["MetricDataResults"] = new JsonArray(new JsonObject
                    {
                        ["Id"] = "incoming", ["Label"] = "IncomingRecords", ["StatusCode"] = "Complete",
                        ["Timestamps"] = new JsonArray(1736816700.0, 1736816400.0), ["Values"] = new JsonArray(15.0, 12.0),
                    }),
                    ["NextToken"] = null,
                });
                Xml("PutMetricAlarm");
                Xml("DescribeAlarms", new JsonObject
                {
                    ["MetricAlarms"] = new JsonArray(new JsonObject
                    {
                        ["AlarmName"] = "slow-reader", ["Namespace"] = "AWS/Kinesis", ["MetricName"] = "GetRecords.IteratorAgeMilliseconds",
                        ["Dimensions"] = stream.DeepClone(), ["Statistic"] = "Maximum", ["Period"] = 60, ["EvaluationPeriods"] = 3, ["DatapointsToAlarm"] = 2,
                        ["Threshold"] = 60000.0, ["ComparisonOperator"] = "GreaterThanThreshold", ["TreatMissingData"] = "notBreaching",
                        ["StateValue"] = "ALARM", ["StateReason"] = "Threshold Crossed", ["StateUpdatedTimestamp"] = 1736816700.0,
                    }),
                    ["NextToken"] = null,
                });
                Xml("DeleteAlarms");
                var metric = new StreamingWorkshop.Metrics.MetricId("AWS/Kinesis", "IncomingRecords", [new StreamingWorkshop.Metrics.MetricDimension("StreamName", "weather-stream")]);
                var start = DateTimeOffset.FromUnixTimeSeconds(1736816400);
                var statistics = await cloudWatch.GetMetricStatisticsAsync(new StreamingWorkshop.Metrics.MetricStatisticsRequest(metric, start, start.AddMinutes(10), 300, ["Sum"]));
                Assert.Equal([(start, 12.0), (start.AddMinutes(5), 15.0)], statistics.Datapoints.Select(d => (d.Timestamp, d.Sum!.Value)));
                var data = await cloudWatch.GetMetricDataAsync([new StreamingWorkshop.Metrics.MetricDataQuery("incoming", new StreamingWorkshop.Metrics.MetricStat(metric, 300, "Sum"))], start, start.AddMinutes(10));
                Assert.Equal([start.AddMinutes(5), start], data.Single().Timestamps);
                Assert.Equal([15.0, 12.0], data.Single().Values);
                await cloudWatch.PutMetricAlarmAsync(new StreamingWorkshop.Metrics.MetricAlarmDefinition("slow-reader", metric with { MetricName = "GetRecords.IteratorAgeMilliseconds" },
                    "Maximum", 60, 3, 60000, "GreaterThanThreshold", DatapointsToAlarm: 2, TreatMissingData: "notBreaching", Unit: "Milliseconds", AlarmDescription: "the delivery stream reads late"));
                var alarm = (await cloudWatch.DescribeAlarmsAsync(["slow-reader"])).Single();
                Assert.Equal(("ALARM", 2, "notBreaching", "StreamName=weather-stream"), (alarm.StateValue, alarm.Definition.EffectiveDatapointsToAlarm, alarm.Definition.TreatMissingData, alarm.Definition.Metric.Dimensions.Single().ToString()));
                await cloudWatch.DeleteAlarmsAsync(["slow-reader"]);
                break;
            }
            default:
                throw new ArgumentException(model);
        }
        return service.Requests.Select(r => (model, r)).ToArray();
    }

    /// <summary>One event-stream message as Kinesis frames it: prelude, headers, JSON payload, CRCs (encoded by AWSSDK.Core).</summary>
    private static byte[] EventMessage(string eventType, JsonObject payload) => Frame(
        [Header(":message-type", "event"), Header(":event-type", eventType), Header(":content-type", "application/json")], payload);

    private static byte[] ExceptionMessage(string exceptionType, string message) => Frame(
        [Header(":message-type", "exception"), Header(":exception-type", exceptionType), Header(":content-type", "application/json")], new JsonObject { ["message"] = message });

    private static byte[] Frame(List<Amazon.Runtime.EventStreams.IEventStreamHeader> headers, JsonObject payload) =>
        new Amazon.Runtime.EventStreams.EventStreamMessage(headers, Encoding.UTF8.GetBytes(payload.ToJsonString())).ToByteArray();

    private static Amazon.Runtime.EventStreams.IEventStreamHeader Header(string name, string value)
    {
        var header = new Amazon.Runtime.EventStreams.EventStreamHeader(name);
        header.SetString(value);
        return header;
    }

    private static readonly string[] ModelNames = ["kinesis", "firehose", "glue", "athena", "logs", "events", "lambda", "cloudformation", "sts", "cloudwatch", "redshift-data", "stepfunctions"];

    public static TheoryData<string> Models => new(ModelNames);

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Requests_match_the_botocore_model_and_are_signed_for_the_service(string model)
    {
        var botocore = BotocoreModel.Load(model);
        var signingName = (string?)botocore.Metadata["signingName"] ?? (string)botocore.Metadata["endpointPrefix"]!;
        var sent = await RunScenario(model);
        Assert.NotEmpty(sent);
        foreach (var (_, request) in sent)
        {
            // Signed by the SDK's handler: a SigV4 credential scope naming this service and region, and the signing headers it adds.
            var scope = ModelBackedService.CredentialScope().Match(request.Authorization ?? "");
            Assert.True(scope.Success, $"{request.Operation} was not signed with SigV4: {request.Authorization}");
            Assert.StartsWith("AWS4-HMAC-SHA256 ", request.Authorization);
            Assert.Equal((signingName, Region), (scope.Groups["service"].Value, scope.Groups["region"].Value));
            Assert.True(request.Headers.TryGetValue("X-Amz-Date", out var signedAt), $"{request.Operation} has no X-Amz-Date");
            // The scope's date is the day of the request's own signing time (never the test's clock, which may have passed midnight).
            Assert.Matches(@"^\d{8}T\d{6}Z$", signedAt);
            Assert.Equal(signedAt[..8], scope.Groups["date"].Value);

            var protocol = (string)botocore.Metadata["protocol"]!;
            IReadOnlyList<string> problems = protocol switch
            {
                "json" => CheckJsonRequest(botocore, request),
                "query" => botocore.CheckQuery(FormFields(request.Body)),
                "rest-json" => CheckRestRequest(botocore, request),
                _ => [$"protocol {protocol} is not checked"],
            };
            Assert.True(problems.Count == 0, $"{model} {request.Operation}: {string.Join("; ", problems)}");
        }
    }

    private static Dictionary<string, string> FormFields(string body)
    {
        var form = HttpUtility.ParseQueryString(body);
        return form.AllKeys.ToDictionary(key => key!, key => form[key]!);
    }

    private static IReadOnlyList<string> CheckJsonRequest(BotocoreModel model, SignedRequest request)
    {
        var expectedTarget = $"{model.Metadata["targetPrefix"]}.{request.Operation}";
        if (request.Target != expectedTarget) return [$"X-Amz-Target is {request.Target}, the model's is {expectedTarget}"];
        return model.CheckJson(request.Operation, JsonNode.Parse(request.Body));
    }

    /// <summary>REST-JSON: method and path follow the operation's requestUri; header members are the model's.</summary>
    private static IReadOnlyList<string> CheckRestRequest(BotocoreModel model, SignedRequest request)
    {
        var problems = new List<string>();
        var http = model.Http(request.Operation);
        if (request.Method.Method != (string)http["method"]!) problems.Add($"method {request.Method}, the model's is {http["method"]}");
        var pattern = "^" + Regex.Replace(Regex.Escape((string)http["requestUri"]!), @"\\\{[A-Za-z]+\}", "[^/]+") + "$";
        if (!Regex.IsMatch(request.Uri.AbsolutePath, pattern)) problems.Add($"path {request.Uri.AbsolutePath} does not match {http["requestUri"]}");
        var input = model.Shape(model.InputShape(request.Operation)!);
        var headerMembers = input["members"]!.AsObject().Where(m => (string?)m.Value!["location"] == "header")
            .ToDictionary(m => (string)m.Value!["locationName"]!, m => (string)m.Value!["shape"]!, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in request.Headers.Where(h => h.Key.StartsWith("X-Amz-", StringComparison.OrdinalIgnoreCase) && !IsSigningHeader(h.Key)))
        {
            if (!headerMembers.TryGetValue(name, out var shape)) { problems.Add($"header {name} is not a member of {request.Operation}"); continue; }
            if (model.Shape(shape)["enum"] is JsonArray allowed && !allowed.Any(a => (string)a! == value)) problems.Add($"header {name}: '{value}' is not one of {allowed.ToJsonString()}");
        }
        return problems;
    }

    private static bool IsSigningHeader(string name) =>
        name.Equals("X-Amz-Date", StringComparison.OrdinalIgnoreCase) || name.Equals("X-Amz-Content-SHA256", StringComparison.OrdinalIgnoreCase)
        || name.Equals("X-Amz-Security-Token", StringComparison.OrdinalIgnoreCase);

    [Fact]
    public async Task Every_operation_the_clients_can_send_is_covered_by_a_model_check()
    {
        // The operations named in the clients' source are the requests the kit can send.
        var source = Directory.EnumerateFiles(Path.Combine(Repository.Root, "lib", "Workshop", "Aws"), "*.cs").Select(File.ReadAllText);
        var named = source.SelectMany(text => Regex.Matches(text, @"(?:CallAsync|ListNamesAsync|EventStreamAsync)\(\s*""(?<op>[A-Za-z]+)""").Select(m => m.Groups["op"].Value))
            .Concat(source.SelectMany(text => Regex.Matches(text, @"CallAsync\(\s*\w+\s*\?\s*""(?<a>[A-Z][A-Za-z]+)""\s*:\s*""(?<b>[A-Z][A-Za-z]+)""").SelectMany(m => new[] { m.Groups["a"].Value, m.Groups["b"].Value })))
            .ToHashSet();
        var sent = new HashSet<string>();
        foreach (var model in ModelNames) foreach (var (_, request) in await RunScenario(model)) sent.Add(request.Operation);
        Assert.Empty(named.Except(sent).Order());
        Assert.Contains("EnableRule", named);
    }
}
