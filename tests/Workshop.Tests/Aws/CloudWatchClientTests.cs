using Amazon.Runtime;
using StreamingWorkshop;
using StreamingWorkshop.Aws;
using StreamingWorkshop.Metrics;
using StreamingWorkshop.Serve;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Aws;

/// <summary>
/// A session on the AWS backend reads metrics and keeps alarms through the CloudWatch client, over the wire to the
/// kit's local endpoint, which answers from a local hour of the pipeline (three cities, one reading each a minute).
/// </summary>
public sealed class CloudWatchClientTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Statistics_data_and_alarms_travel_through_the_cloudwatch_client()
    {
        var folder = Directory.CreateTempSubdirectory("cloudwatch-client-").FullName;
        try
        {
            await using var local = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = Path.Combine(folder, "local"), Seed = 1 });
            await local.SimulateAsync(TimeSpan.FromHours(1), Start);
            await using var endpoint = await LocalEndpoint.StartAsync(local, "127.0.0.1", 0);
            var seen = new System.Collections.Concurrent.ConcurrentQueue<RequestSeen>();
            endpoint.RequestAnswered += seen.Enqueue;
            var settings = AwsSettings.WithCredentials("eu-west-1", new BasicAWSCredentials("AKIDLOCAL", "local-secret"),
                name => name == "AWS_ENDPOINT_URL" ? endpoint.Url.ToString() : null);
            await using var aws = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { Backend = "aws", WorkspacePath = Path.Combine(folder, "aws"), AwsSettings = settings });
            var metric = new MetricId(MetricNames.Kinesis, "IncomingRecords", [new MetricDimension(MetricNames.StreamName, local.Names.StreamName)]);

            var statistics = await aws.Stages.Metrics.GetMetricStatisticsAsync(new MetricStatisticsRequest(metric, Start, Start.AddMinutes(30), 900, ["Sum", "SampleCount"]));
            // 15 minutes x 3 cities = 45 records per period, put by 15 x 1 PutRecord calls per city.
            Assert.Equal([(Start, 45.0, 45.0), (Start.AddMinutes(15), 45.0, 45.0)], statistics.Datapoints.Select(d => (d.Timestamp, d.Sum!.Value, d.SampleCount!.Value)));

            var data = await aws.Stages.Metrics.GetMetricDataAsync([new MetricDataQuery("incoming", new MetricStat(metric, 900, "Sum"))], Start, Start.AddMinutes(30));
            Assert.Equal([Start.AddMinutes(15), Start], data.Single().Timestamps);

            var age = metric with { MetricName = "GetRecords.IteratorAgeMilliseconds" };
            await aws.Stages.Metrics.PutMetricAlarmAsync(new MetricAlarmDefinition("slow-reader", age, "Maximum", 60, 2, 500, "GreaterThanThreshold"));
            var alarm = (await aws.Stages.Metrics.DescribeAlarmsAsync(["slow-reader"])).Single();
            Assert.Equal("ALARM", alarm.StateValue);
            Assert.Equal(2, alarm.Definition.EffectiveDatapointsToAlarm);
            await aws.Stages.Metrics.DeleteAlarmsAsync(["slow-reader"]);
            Assert.Empty(await aws.Stages.Metrics.DescribeAlarmsAsync());

            Assert.Equal(["monitoring GetMetricStatistics", "monitoring GetMetricData", "monitoring PutMetricAlarm", "monitoring DescribeAlarms", "monitoring DeleteAlarms", "monitoring DescribeAlarms"],
                seen.Where(r => r.Service == "monitoring").Select(r => $"{r.Service} {r.Operation}"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
