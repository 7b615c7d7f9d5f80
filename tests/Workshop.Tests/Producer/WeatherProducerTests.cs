using System.Text;
using System.Text.Json;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Producer;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Producer;

/// <summary>The producer mirrors the workshop's Lambda: one record per city, partition key = city, START/END logs, failed cities listed.</summary>
public sealed class WeatherProducerTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 1, 14, 10, 16, 0, TimeSpan.Zero);
    private readonly TempWorkspace temp = new();
    private readonly VirtualClock clock = new(Now);
    private readonly LocalStreamService stream;
    private readonly ProducerLog log;

    public WeatherProducerTests()
    {
        stream = new LocalStreamService(temp.Workspace, clock);
        stream.CreateStreamAsync("weather", 1).GetAwaiter().GetResult();
        log = new ProducerLog(temp.Workspace, clock);
    }

    private WeatherProducer Producer(IStreamService target, IWeatherSource? source = null) =>
        new(source ?? new SimulatedWeatherSource(1), target, log, clock, new ProducerOptions { StreamName = "weather", FunctionName = "producer" });

    [Fact]
    public async Task One_record_per_city_with_the_city_as_partition_key()
    {
        var summary = await Producer(stream).InvokeAsync();

        var records = (await stream.GetRecordsAsync(await stream.GetShardIteratorAsync("weather", "shardId-000000000000", ShardIteratorType.TRIM_HORIZON))).Records;
        Assert.Equal(3, summary.Processed);
        Assert.Empty(summary.FailedCities);
        Assert.Equal(["London", "Manchester", "Edinburgh"], records.Select(r => r.PartitionKey));
        foreach (var record in records)
        {
            using var json = JsonDocument.Parse(record.Data);
            Assert.Equal(record.PartitionKey, json.RootElement.GetProperty("city").GetString());
            Assert.Equal("2025-01-14T10:15", json.RootElement.GetProperty("measurement_time").GetString());
            Assert.Equal("2025-01-14T10:16:00.000Z", json.RootElement.GetProperty("collection_time").GetString());
            Assert.Equal("simulated", json.RootElement.GetProperty("source").GetString());
        }
    }

    [Fact]
    public async Task Each_invocation_is_logged_between_START_and_END_with_its_request_id()
    {
        var summary = await Producer(stream).InvokeAsync();

        var events = log.Tail(ProducerLog.GroupFor("producer"), 100);
        Assert.Equal($"START RequestId: {summary.RequestId} Version: $LATEST", events[0].Message);
        Assert.Equal($"END RequestId: {summary.RequestId}", events[^2].Message);
        Assert.StartsWith($"REPORT RequestId: {summary.RequestId}", events[^1].Message);
        Assert.Equal(3, events.Count(e => e.Message.StartsWith("Sent {", StringComparison.Ordinal)));
        Assert.Matches(@"^2025/01/14/\[\$LATEST\][0-9a-f]{32}$", log.ListLogStreams(ProducerLog.GroupFor("producer")).Single());
    }

    [Fact]
    public async Task A_city_whose_put_fails_is_listed_and_the_others_still_go()
    {
        var summary = await Producer(new FailingFor("Manchester", stream)).InvokeAsync();

        Assert.Equal(2, summary.Processed);
        Assert.Equal(["Manchester"], summary.FailedCities);
        Assert.Contains(log.Tail(ProducerLog.GroupFor("producer"), 100), e => e.Message.StartsWith("Failed Manchester: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_city_with_no_reading_is_listed_and_the_others_still_go()
    {
        var summary = await Producer(stream, new NoReadingFor("Edinburgh")).InvokeAsync();

        Assert.Equal(["Edinburgh"], summary.FailedCities);
        Assert.Equal(2, summary.Processed);
    }

    [Fact]
    public async Task The_batched_path_puts_every_city_with_PutRecords()
    {
        var many = Enumerable.Range(0, 700).Select(i => new City($"Town{i}", 52, -1)).ToArray();
        await stream.CreateStreamAsync("wide", 4);
        var producer = new WeatherProducer(new SimulatedWeatherSource(1), stream, log, clock, new ProducerOptions { StreamName = "wide", Cities = many, FunctionName = "producer" });

        var summary = await producer.InvokeBatchedAsync();

        Assert.Equal(700, summary.Processed);
        Assert.Equal(700, summary.Records.Select(r => r.SequenceNumber).Distinct().Count());
    }

    public void Dispose()
    {
        stream.Dispose();
        temp.Dispose();
    }

    private sealed class NoReadingFor(string city) : IWeatherSource
    {
        private readonly SimulatedWeatherSource inner = new(1);
        public string Name => "test";
        public Task<WeatherReading> FetchAsync(City c, DateTimeOffset at, CancellationToken ct = default) =>
            c.Name == city ? throw new WeatherSourceException(c.Name, "no answer within 10 s") : inner.FetchAsync(c, at, ct);
    }

    /// <summary>A stream that refuses puts for one partition key and passes the rest on.</summary>
    private sealed class FailingFor(string key, IStreamService inner) : IStreamService
    {
        public Task<PutRecordResult> PutRecordAsync(string s, ReadOnlyMemory<byte> d, string k, string? e = null, CancellationToken c = default) =>
            k == key ? throw new ProvisionedThroughputExceededException("kinesis", "Rate exceeded for shard shardId-000000000000 in stream weather under account 123456789012.") : inner.PutRecordAsync(s, d, k, e, c);
        public Task CreateStreamAsync(string s, int n, int r = 24, CancellationToken c = default) => inner.CreateStreamAsync(s, n, r, c);
        public Task DeleteStreamAsync(string s, CancellationToken c = default) => inner.DeleteStreamAsync(s, c);
        public Task<IReadOnlyList<string>> ListStreamsAsync(CancellationToken c = default) => inner.ListStreamsAsync(c);
        public Task<StreamSummary> DescribeStreamSummaryAsync(string s, CancellationToken c = default) => inner.DescribeStreamSummaryAsync(s, c);
        public Task<IReadOnlyList<ShardDescription>> ListShardsAsync(string s, CancellationToken c = default) => inner.ListShardsAsync(s, c);
        public Task<PutRecordsResult> PutRecordsAsync(string s, IReadOnlyList<PutRecordsEntry> r, CancellationToken c = default) => inner.PutRecordsAsync(s, r, c);
        public Task<string> GetShardIteratorAsync(string s, string sh, ShardIteratorType t, string? q = null, DateTimeOffset? ts = null, CancellationToken c = default) => inner.GetShardIteratorAsync(s, sh, t, q, ts, c);
        public Task<GetRecordsResult> GetRecordsAsync(string i, int l = 10000, CancellationToken c = default) => inner.GetRecordsAsync(i, l, c);
        public Task UpdateShardCountAsync(string s, int n, CancellationToken c = default) => inner.UpdateShardCountAsync(s, n, c);
        public Task SplitShardAsync(string s, string sh, string k, CancellationToken c = default) => inner.SplitShardAsync(s, sh, k, c);
        public Task MergeShardsAsync(string s, string a, string b, CancellationToken c = default) => inner.MergeShardsAsync(s, a, b, c);
    }
}
