using StreamingWorkshop;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Delivery;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Metrics;
using StreamingWorkshop.Producer;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Metrics;

/// <summary>
/// The metrics the quiet hour leaves at zero, made to move: a shard's write limit refusing records, a producer
/// invocation that fails, and an S3 put that fails. And a service made without a recorder records nothing.
/// </summary>
public sealed class MetricEventsTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 14, 10, 0, 0, TimeSpan.Zero);
    private readonly TempWorkspace temp = new();
    private readonly VirtualClock clock = new(T0);
    private readonly MetricsLog log;
    private readonly LocalCloudWatch cloudWatch;

    public MetricEventsTests()
    {
        log = new MetricsLog(temp.Workspace, clock);
        cloudWatch = new LocalCloudWatch(temp.Workspace, clock, log);
    }

    public void Dispose() => temp.Dispose();

    private async Task<double?> Sum(string metricNamespace, string metricName, string dimension, string value, string statistic = "Sum")
    {
        var metric = new MetricId(metricNamespace, metricName, [new MetricDimension(dimension, value)]);
        var result = await cloudWatch.GetMetricStatisticsAsync(new MetricStatisticsRequest(metric, T0, T0.AddMinutes(10), 600, [statistic]));
        return result.Datapoints.SingleOrDefault()?.Statistic(statistic);
    }

    [Fact]
    public async Task A_read_over_a_shards_read_limit_counts_as_read_throughput_exceeded()
    {
        using var stream = new LocalStreamService(temp.Workspace, clock, metrics: log);
        await stream.CreateStreamAsync("read-often", 1);
        var iterator = await stream.GetShardIteratorAsync("read-often", "shardId-000000000000", ShardIteratorType.LATEST);

        // Six calls in the same second against five a second: the sixth is refused.
        var refused = 0;
        for (var call = 0; call < 6; call++)
        {
            try
            {
                iterator = (await stream.GetRecordsAsync(iterator)).NextShardIterator!;
            }
            catch (StreamingWorkshop.Errors.ProvisionedThroughputExceededException)
            {
                refused++;
            }
        }

        Assert.Equal(1, refused);
        Assert.Equal(1, await Sum("AWS/Kinesis", "ReadProvisionedThroughputExceeded", "StreamName", "read-often"));
        Assert.Equal(6, await Sum("AWS/Kinesis", "ReadProvisionedThroughputExceeded", "StreamName", "read-often", "SampleCount"));
    }

    [Fact]
    public async Task Records_over_a_shards_write_limit_count_as_write_throughput_exceeded()
    {
        using var stream = new LocalStreamService(temp.Workspace, clock, metrics: log);
        await stream.CreateStreamAsync("busy", 1);
        var entries = Enumerable.Range(0, 500).Select(i => new PutRecordsEntry(new byte[] { 1, 2, 3 }, $"key-{i}")).ToArray();

        // Three calls in the same second: 1,500 records against 1,000 a second.
        var failed = 0;
        for (var i = 0; i < 3; i++) failed += (await stream.PutRecordsAsync("busy", entries)).FailedRecordCount;

        Assert.Equal(500, failed);
        Assert.Equal(500, await Sum("AWS/Kinesis", "WriteProvisionedThroughputExceeded", "StreamName", "busy"));
        Assert.Equal(1000, await Sum("AWS/Kinesis", "IncomingRecords", "StreamName", "busy"));
        Assert.Equal(3000, await Sum("AWS/Kinesis", "IncomingBytes", "StreamName", "busy"));
    }

    private sealed class BrokenSource : IWeatherSource
    {
        public string Name => "broken";

        public Task<WeatherReading> FetchAsync(City city, DateTimeOffset collectionTime, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("the function's code failed");
    }

    [Fact]
    public async Task A_failed_invocation_counts_as_an_invocation_and_an_error()
    {
        using var stream = new LocalStreamService(temp.Workspace, clock);
        var producer = new WeatherProducer(new BrokenSource(), stream, new ProducerLog(temp.Workspace, clock), clock,
            new ProducerOptions { StreamName = "weather", FunctionName = "weather-producer" }, log);

        await Assert.ThrowsAsync<InvalidOperationException>(() => producer.InvokeAsync());

        Assert.Equal(1, await Sum("AWS/Lambda", "Invocations", "FunctionName", "weather-producer"));
        Assert.Equal(1, await Sum("AWS/Lambda", "Errors", "FunctionName", "weather-producer"));
        Assert.Equal(0, await Sum("AWS/Lambda", "Throttles", "FunctionName", "weather-producer"));
        Assert.NotNull(await Sum("AWS/Lambda", "Duration", "FunctionName", "weather-producer", "SampleCount"));
    }

    [Fact]
    public async Task A_put_that_s3_refuses_counts_as_an_unsuccessful_delivery()
    {
        using var stream = new LocalStreamService(temp.Workspace, clock);
        await stream.CreateStreamAsync("weather", 1);
        await stream.PutRecordAsync("weather", """{"city":"London","temperature":4.5,"measurement_time":"2025-01-14T10:00"}"""u8.ToArray(), "London");
        var lake = new LocalObjectStore(temp.Workspace, clock);
        // The bucket was never made, so every put is refused with NoSuchBucket and the records stay buffered.
        var config = WorkshopSession.WorkshopDeliveryConfig("weather-firehose", "weather", "missing-bucket");
        using var delivery = new LocalDeliveryStream(config, stream, lake, temp.Workspace, clock, log);

        await delivery.PollAsync();
        await delivery.FlushAllAsync();
        await delivery.FlushAllAsync();

        Assert.Equal(2, await Sum("AWS/Firehose", "DeliveryToS3.Success", "DeliveryStreamName", "weather-firehose", "SampleCount"));
        Assert.Equal(0, await Sum("AWS/Firehose", "DeliveryToS3.Success", "DeliveryStreamName", "weather-firehose"));
        Assert.Null(await Sum("AWS/Firehose", "DeliveryToS3.Records", "DeliveryStreamName", "weather-firehose"));
        Assert.Equal(1, await Sum("AWS/Firehose", "PartitionCount", "DeliveryStreamName", "weather-firehose", "Maximum"));
    }

    [Fact]
    public async Task A_service_made_without_a_recorder_records_nothing()
    {
        using var stream = new LocalStreamService(temp.Workspace, clock);
        await stream.CreateStreamAsync("quiet", 1);
        await stream.PutRecordAsync("quiet", new byte[] { 1 }, "k");

        Assert.Empty(log.ReadAll());
        Assert.False(Directory.Exists(Path.Combine(temp.Root, "metrics")));
    }
}
