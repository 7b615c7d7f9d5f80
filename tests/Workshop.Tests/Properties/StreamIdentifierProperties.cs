using CsCheck;
using StreamingWorkshop.Broker;

namespace Workshop.Tests.Properties;

/// <summary>
/// Shard ids come from a cache filled on first use and sequence numbers pack two numbers at fixed widths; .NET's own
/// "D" formats are the reference they must match for every shard index and record number, across the whole range
/// and at its edges.
/// </summary>
public sealed class StreamIdentifierProperties
{
    private static readonly Gen<long> Numbers = Gen.Frequency(
        (4, Gen.Long[0, long.MaxValue]), (2, Gen.Long[0, 100_000]), (1, Edges(0L, 1L, 9L, 10L, long.MaxValue)));

    private static readonly Gen<int> Shards = Gen.Frequency(
        (4, Gen.Int[0, int.MaxValue]), (4, Gen.Int[0, 1_100]), (1, Edges(0, 999, 1_000, int.MaxValue)));

    private static Gen<T> Edges<T>(params T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    [Fact]
    public void A_sequence_number_is_49_then_the_shard_in_ten_digits_then_the_record_in_twenty() =>
        Gen.Select(Shards, Numbers).SampleFixed(pair =>
        {
            var (shard, number) = pair;
            Assert.Equal("49" + shard.ToString("D10") + number.ToString("D20"), LocalStreamService.SequenceNumber(shard, number));
        }, iter: 20_000);

    [Fact]
    public void A_shard_id_is_the_index_in_twelve_digits_and_the_same_on_every_call() =>
        Shards.SampleFixed(shard =>
        {
            var expected = "shardId-" + shard.ToString("D12");
            Assert.Equal(expected, LocalStreamService.ShardId(shard));
            Assert.Equal(expected, LocalStreamService.ShardId(shard));
        }, iter: 5_000);
}
