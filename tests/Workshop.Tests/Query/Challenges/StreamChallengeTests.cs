using StreamingWorkshop;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Query.Challenges;

/// <summary>
/// Challenge 4 (partition keys over a four-shard stream), graded for the default cities London, Manchester and Edinburgh.
/// The shards each key lands on were worked out with Python's hashlib (MD5 of the key as a big-endian number, times 4,
/// divided by 2^128): London 1, Manchester 0, Edinburgh 0; with "-0".."-3" suffixes only shards 1, 2 and 3; with
/// "-0".."-7" all four.
/// </summary>
public sealed class StreamChallengeTests : LocalSessionTest
{
    [Fact]
    public void The_city_alone_keeps_two_of_four_shards_busy_and_is_not_yet_right()
    {
        var verdict = Session.CheckPartitionKeys((city, _) => city);

        Assert.Equal("Challenge 4 · Not yet: Your 3 key(s) keep 2 of 4 shards busy. Keys spread by their MD5 hash, not evenly: try more keys per city.", verdict.ToString());
    }

    [Fact]
    public void Four_suffixes_per_city_leave_one_shard_idle()
    {
        var verdict = Session.CheckPartitionKeys((city, minute) => $"{city}-{minute % 4}");

        Assert.False(verdict.Correct);
        Assert.Contains("Your 12 key(s) keep 3 of 4 shards busy.", verdict.Message);
    }

    [Fact]
    public void Eight_suffixes_per_city_reach_every_shard()
    {
        var verdict = Session.CheckPartitionKeys((city, minute) => $"{city}-{minute % 8}");

        Assert.True(verdict.Correct, verdict.Message);
        Assert.Equal("Your 24 keys keep all 4 shards busy, and each key belongs to one city.", verdict.Message);
    }

    [Fact]
    public void Keys_shared_between_cities_are_refused_even_when_they_fill_every_shard()
    {
        // Minute numbers alone: 60 keys, every shard reached, but each key carries all three cities' readings.
        var verdict = Session.CheckPartitionKeys((_, minute) => $"m{minute}");

        Assert.False(verdict.Correct);
        Assert.Contains("The key 'm0' is used by more than one city", verdict.Message);
    }

    [Fact]
    public void An_empty_key_is_named_with_its_city_and_minute()
    {
        var verdict = Session.CheckPartitionKeys((city, minute) => minute == 7 ? "" : city);

        Assert.Contains("The key for London at minute 7 is empty: a partition key has 1 to 256 characters.", verdict.Message);
    }
}
