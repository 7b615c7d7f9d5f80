using System.Text;
using StreamingWorkshop.Broker;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Broker;

/// <summary>How partition keys spread over shards, and PutRecords batches that retry only their failed entries.</summary>
public sealed class HotKeyTests() : LocalStreamTest(shardCount: 4)
{
    // Expected shards worked out with Python's hashlib (MD5 of the key as a big-endian number, four equal ranges).
    [Fact]
    public async Task Three_cities_keep_three_of_four_shards_busy_and_a_suffix_spreads_them_over_all_four()
    {
        var shards = await Service.ListShardsAsync("weather");

        var cities = new KeySpreadView(shards, ["Dublin", "Cork", "Galway"]);
        var suffixed = new KeySpreadView(shards, KeySpreadView.WithSuffixes(["Dublin", "Cork", "Galway"], 4));

        Assert.Equal(["shardId-000000000000: Cork", "shardId-000000000001: Dublin", "shardId-000000000002: Galway", "shardId-000000000003: "],
            cities.Shards.Select(s => $"{s.ShardId}: {string.Join(",", s.Keys)}"));
        Assert.Equal([3, 3, 1, 5], suffixed.Shards.Select(s => s.Keys.Count));
        Assert.Contains("3 partition key(s) keep 3 of 4 open shard(s) busy", cities.ToString());
        Assert.Contains("12 partition key(s) keep 4 of 4 open shard(s) busy", suffixed.ToString());
    }

    [Fact]
    public async Task A_batch_beyond_a_shards_1000_records_a_second_is_put_whole_by_retrying_only_the_failed_entries_with_backoff()
    {
        // 1,200 records for one key: one shard. The first two calls of 500 fill the second's 1,000; the last 200 fail
        // at 09:00:00.000, .100, .300 and .700, and go in at 09:00:01.500 after waits of 100, 200, 400 and 800 ms.
        var records = Enumerable.Range(0, 1200).Select(i => new PutRecordsEntry(Encoding.UTF8.GetBytes($"{{\"i\":{i}}}"), "Dublin")).ToArray();
        var batcher = new PutRecordsBatcher(Service, (pause, _) => { Clock.Advance(pause); return Task.CompletedTask; });

        var report = await batcher.PutAsync("weather", records);

        Assert.Equal((1200, 7, 800, 0), (report.Records, report.Calls, report.RetriedEntries, report.Failed));
        Assert.Equal(Start.AddMilliseconds(1500), Clock.GetUtcNow());
        var iterator = await Service.GetShardIteratorAsync("weather", (await Service.PutRecordAsync("weather", "{}"u8.ToArray(), "Dublin")).ShardId, ShardIteratorType.TRIM_HORIZON);
        var stored = (await Service.GetRecordsAsync(iterator)).Records.Select(r => Encoding.UTF8.GetString(r.Data.Span)).ToList();
        Assert.Equal(1201, stored.Count);
        Assert.Equal(1200, stored.Take(1200).Distinct().Count());
    }

    [Fact]
    public async Task Entries_still_failing_after_the_last_attempt_are_counted_with_their_error_code()
    {
        var records = Enumerable.Range(0, 1001).Select(i => new PutRecordsEntry("{}"u8.ToArray(), "Dublin")).ToArray();
        var batcher = new PutRecordsBatcher(Service, (_, _) => Task.CompletedTask) { MaxAttempts = 2 };

        var report = await batcher.PutAsync("weather", records);

        Assert.Equal((1, 1), (report.Failed, report.FinalErrorCodes["ProvisionedThroughputExceededException"]));
        Assert.Equal("1,000 of 1,001 record(s) put in 4 PutRecords call(s); 1 entry retried; 1 still failed (ProvisionedThroughputExceededException x1).", report.ToString());
    }
}
