using System.Text;
using StreamingWorkshop.Broker;

namespace Workshop.Tests.Broker;

/// <summary>
/// A shard log leaves records past the retention period out of its in-memory index, and takes them back when asked
/// about them: every read, arrival and search answers as it did before they were forgotten.
/// </summary>
public sealed class ShardLogIndexTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-shard-log-").FullName;

    private const int Records = 10_000;

    private ShardLog Filled()
    {
        var log = new ShardLog(Path.Combine(folder, "shard.log"));
        for (var i = 0; i < Records; i += 100)
        {
            var batch = Enumerable.Range(i, 100).Select(n => ($"key-{n % 7}", (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes($"record {n}"))).ToList();
            log.Append(batch, arrivalTicks: 1_000 + i);
        }
        return log;
    }

    private static string Text(StoredRecord record) => Encoding.UTF8.GetString(record.Data.Span);

    [Fact]
    public void Forgotten_records_are_read_searched_and_dated_as_before()
    {
        using var log = Filled();
        var before = (Read: log.Read(0, Records, long.MaxValue).Select(Text).ToList(), Arrival: log.ArrivalTicks(50), At: log.FirstArrivalAtOrAfter(1_250));

        log.ForgetBefore(8_000);

        Assert.Equal(Records, log.Count);
        // Past the forgotten records, nothing needs them.
        Assert.Equal(["record 8000", "record 8001"], log.Read(8_000, 2, long.MaxValue).Select(Text));
        Assert.Equal(8_000, log.FirstArrivalAtOrAfter(9_000));
        // Before them, the log indexes its file again and answers the same.
        Assert.Equal(before.Arrival, log.ArrivalTicks(50));
        Assert.Equal(before.At, log.FirstArrivalAtOrAfter(1_250));
        Assert.Equal(before.Read, log.Read(0, Records, long.MaxValue).Select(Text).ToList());
    }

    [Fact]
    public void Appends_after_forgetting_continue_the_numbering_and_the_newest_record_is_always_kept()
    {
        using var log = Filled();
        log.ForgetBefore(int.MaxValue);
        Assert.Equal(1_000 + Records - 100, log.ArrivalTicks(Records - 1));

        var number = log.Append([("key", Encoding.UTF8.GetBytes("after"))], arrivalTicks: 50_000);

        Assert.Equal(Records + 1, number);
        var last = Assert.Single(log.Read(Records, 10, long.MaxValue));
        Assert.Equal(("after", Records + 1L, 50_000L), (Text(last), last.Number, last.ArrivalTicks));
        Assert.Equal(Records, log.FirstArrivalAtOrAfter(20_000));
    }

    [Fact]
    public void A_search_at_or_after_the_first_kept_arrival_does_not_read_the_file_again()
    {
        using var log = Filled();
        log.ForgetBefore(8_000);
        // Were the file read again now, an emptied file would lose every record.
        File.WriteAllBytes(Path.Combine(folder, "shard.log"), []);
        Assert.Equal(8_000, log.FirstArrivalAtOrAfter(1_000 + 8_000));
        Assert.Equal(8_000, log.FirstArrivalAtOrAfter(1_000 + 7_901));
        Assert.Equal(1_000 + 9_900, log.ArrivalTicks(9_999));
        Assert.Equal(Records, log.Count);
    }

    [Fact]
    public void Too_few_records_to_be_worth_it_are_kept()
    {
        using var log = Filled();
        // 4,000 of 10,000: fewer than half the index, so nothing is forgotten and nothing is read again.
        log.ForgetBefore(4_000);
        File.WriteAllBytes(Path.Combine(folder, "shard.log"), []);
        Assert.Equal(1_000 + 3_900, log.ArrivalTicks(3_999));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
