using System.Globalization;
using System.Numerics;
using System.Text;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Clock;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Broker;

/// <summary>
/// Kinesis maps a partition key to a 128-bit integer with MD5 and routes it to the shard whose hash-key range
/// holds it; shards split the space evenly. The MD5 values below come from `echo -n City | md5sum`.
/// </summary>
public sealed class HashRoutingTests : IDisposable
{
    private const string LondonMd5 = "59ead8d1e124ccfb79f3ace06f43e703";
    private const string ManchesterMd5 = "317532540adceb07d5e2ec62d5eacac2";
    private const string EdinburghMd5 = "03cf54d8ce19777b12732b8c50b3b66f";

    private readonly TempWorkspace temp = new();
    private readonly LocalStreamService service;

    public HashRoutingTests() => service = new LocalStreamService(temp.Workspace, new VirtualClock(new DateTimeOffset(2025, 1, 14, 0, 0, 0, TimeSpan.Zero)));

    private static BigInteger FromHex(string hex) => BigInteger.Parse("0" + hex, NumberStyles.HexNumber);

    [Fact]
    public async Task Two_shards_split_the_hash_key_space_at_two_to_the_power_127()
    {
        await service.CreateStreamAsync("s", 2);

        var shards = await service.ListShardsAsync("s");

        Assert.Equal(["shardId-000000000000", "shardId-000000000001"], shards.Select(s => s.ShardId));
        Assert.Equal("0", shards[0].StartingHashKey);
        Assert.Equal("170141183460469231731687303715884105727", shards[0].EndingHashKey);
        Assert.Equal("170141183460469231731687303715884105728", shards[1].StartingHashKey);
        Assert.Equal("340282366920938463463374607431768211455", shards[1].EndingHashKey);
    }

    [Fact]
    public async Task Three_shards_start_at_floor_of_i_times_two_to_the_128_over_three()
    {
        await service.CreateStreamAsync("s", 3);

        var shards = await service.ListShardsAsync("s");

        Assert.Equal("113427455640312821154458202477256070484", shards[0].EndingHashKey);
        Assert.Equal("113427455640312821154458202477256070485", shards[1].StartingHashKey);
        Assert.Equal("226854911280625642308916404954512140970", shards[2].StartingHashKey);
    }

    [Theory]
    [InlineData("London", LondonMd5)]
    [InlineData("Manchester", ManchesterMd5)]
    [InlineData("Edinburgh", EdinburghMd5)]
    public async Task A_partition_key_goes_to_the_shard_whose_range_holds_its_md5(string city, string md5)
    {
        await service.CreateStreamAsync("s", 3);
        var hashKey = FromHex(md5);
        var shards = await service.ListShardsAsync("s");
        var expected = shards.Single(s => BigInteger.Parse(s.StartingHashKey) <= hashKey && hashKey <= BigInteger.Parse(s.EndingHashKey)).ShardId;

        var result = await service.PutRecordAsync("s", Encoding.UTF8.GetBytes("{}"), city);

        Assert.Equal(expected, result.ShardId);
    }

    [Fact]
    public async Task Worked_examples_land_where_the_arithmetic_says()
    {
        // London 0x59ea... is above 2^128/3 (0x5555...) and below 2*2^128/3: the middle shard of three.
        // Manchester 0x3175... and Edinburgh 0x03cf... are below 2^128/3: the first shard.
        await service.CreateStreamAsync("s", 3);

        Assert.Equal("shardId-000000000001", (await service.PutRecordAsync("s", new byte[] { 1 }, "London")).ShardId);
        Assert.Equal("shardId-000000000000", (await service.PutRecordAsync("s", new byte[] { 1 }, "Manchester")).ShardId);
        Assert.Equal("shardId-000000000000", (await service.PutRecordAsync("s", new byte[] { 1 }, "Edinburgh")).ShardId);
    }

    [Fact]
    public async Task An_explicit_hash_key_overrides_the_partition_key()
    {
        await service.CreateStreamAsync("s", 2);

        var low = await service.PutRecordAsync("s", new byte[] { 1 }, "London", explicitHashKey: "0");
        var high = await service.PutRecordAsync("s", new byte[] { 1 }, "Edinburgh", explicitHashKey: "340282366920938463463374607431768211455");

        Assert.Equal("shardId-000000000000", low.ShardId);
        Assert.Equal("shardId-000000000001", high.ShardId);
    }

    [Theory]
    [InlineData("340282366920938463463374607431768211456")]
    [InlineData("-1")]
    [InlineData("12ab")]
    public async Task An_explicit_hash_key_outside_0_to_2_to_the_128_minus_1_is_refused(string key)
    {
        await service.CreateStreamAsync("s", 1);

        var error = await Assert.ThrowsAsync<StreamingWorkshop.Errors.InvalidArgumentException>(() => service.PutRecordAsync("s", new byte[] { 1 }, "k", key));

        Assert.Contains(key, error.Message);
    }

    public void Dispose()
    {
        service.Dispose();
        temp.Dispose();
    }
}
