using System.Diagnostics;
using System.Text;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Clock;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Broker;

/// <summary>Shard logs survive restarts, cut a torn tail, and stay whole when two processes append at once.</summary>
public sealed class DurabilityTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 1, 14, 9, 0, 0, TimeSpan.Zero);
    private readonly TempWorkspace temp = new();

    private LocalStreamService Open() => new(temp.Workspace, new VirtualClock(Start));

    private static async Task<List<StreamRecord>> ReadShard(LocalStreamService service, string stream, string shard)
    {
        var all = new List<StreamRecord>();
        var iterator = await service.GetShardIteratorAsync(stream, shard, ShardIteratorType.TRIM_HORIZON);
        while (true)
        {
            var batch = await service.GetRecordsAsync(iterator);
            all.AddRange(batch.Records);
            if (batch.Records.Count == 0) return all;
            iterator = batch.NextShardIterator!;
        }
    }

    [Fact]
    public async Task Records_and_sequence_numbers_carry_on_after_a_restart()
    {
        string before;
        using (var first = Open())
        {
            await first.CreateStreamAsync("s", 1);
            before = (await first.PutRecordAsync("s", "a"u8.ToArray(), "k")).SequenceNumber;
        }
        using var second = Open();

        var after = await second.PutRecordAsync("s", "b"u8.ToArray(), "k");

        Assert.True(string.CompareOrdinal(after.SequenceNumber, before) > 0);
        Assert.Equal(["a", "b"], (await ReadShard(second, "s", "shardId-000000000000")).Select(r => Encoding.UTF8.GetString(r.Data.Span)));
    }

    [Theory]
    [InlineData(3)]   // cut inside the last frame's header
    [InlineData(20)]  // cut inside the last frame's payload
    public async Task A_torn_tail_is_cut_on_open_and_earlier_records_stay(int bytesLost)
    {
        using (var writer = Open())
        {
            await writer.CreateStreamAsync("s", 1);
            await writer.PutRecordAsync("s", "first"u8.ToArray(), "k");
            await writer.PutRecordAsync("s", "second-record-with-some-length"u8.ToArray(), "k");
        }
        var log = Path.Combine(temp.Root, "streams", "s", "shardId-000000000000.log");
        using (var file = new FileStream(log, FileMode.Open)) file.SetLength(file.Length - bytesLost);

        using var reopened = Open();
        var third = await reopened.PutRecordAsync("s", "third"u8.ToArray(), "k");
        var records = await ReadShard(reopened, "s", "shardId-000000000000");

        Assert.Equal(["first", "third"], records.Select(r => Encoding.UTF8.GetString(r.Data.Span)));
        Assert.Equal(third.SequenceNumber, records[1].SequenceNumber);
    }

    [Fact]
    public async Task A_corrupt_last_frame_fails_its_checksum_and_is_cut()
    {
        using (var writer = Open())
        {
            await writer.CreateStreamAsync("s", 1);
            await writer.PutRecordAsync("s", "good"u8.ToArray(), "k");
            await writer.PutRecordAsync("s", "flipped"u8.ToArray(), "k");
        }
        var log = Path.Combine(temp.Root, "streams", "s", "shardId-000000000000.log");
        var bytes = File.ReadAllBytes(log);
        bytes[^2] ^= 0xFF;
        File.WriteAllBytes(log, bytes);

        using var reopened = Open();
        await reopened.PutRecordAsync("s", "next"u8.ToArray(), "k");

        Assert.Equal(["good", "next"], (await ReadShard(reopened, "s", "shardId-000000000000")).Select(r => Encoding.UTF8.GetString(r.Data.Span)));
    }

    [Fact]
    public async Task Writers_taking_turns_each_go_on_after_the_others_records_and_read_them_back_whole()
    {
        // Two services on one workspace stand for two processes: each keeps its own index of the shard.
        using var one = Open();
        using var two = Open();
        await one.CreateStreamAsync("s", 1);
        var puts = new List<string>();
        foreach (var (writer, data) in new[] { (one, "one-a"), (one, "one-b"), (two, "two-a"), (one, "one-c"), (two, "two-b"), (two, "two-c"), (one, "one-d") })
            puts.Add((await writer.PutRecordAsync("s", Encoding.UTF8.GetBytes(data), "k")).SequenceNumber);

        string[] expected = ["one-a", "one-b", "two-a", "one-c", "two-b", "two-c", "one-d"];
        using var third = Open();
        foreach (var reader in new[] { one, two, third })
        {
            var records = await ReadShard(reader, "s", "shardId-000000000000");
            Assert.Equal(expected, records.Select(r => Encoding.UTF8.GetString(r.Data.Span)));
            Assert.Equal(puts, records.Select(r => r.SequenceNumber));
        }
    }

    [Fact]
    public async Task A_reshard_a_delete_and_a_stream_made_again_by_another_process_are_seen_by_the_next_call()
    {
        using var one = Open();
        using var two = Open();
        await one.CreateStreamAsync("s", 1);
        Assert.Equal(["shardId-000000000000"], (await one.ListShardsAsync("s")).Select(s => s.ShardId));

        // The stream's description carries the file system's time, which moves a tick (a few milliseconds) at a time:
        // each change below comes a tick after the one before, as another process's would.
        await Task.Delay(20);
        await two.UpdateShardCountAsync("s", 2);
        var resharded = (await two.ListShardsAsync("s")).Select(s => s.ShardId).ToList();
        Assert.Equal(resharded, (await one.ListShardsAsync("s")).Select(s => s.ShardId));
        Assert.True(resharded.Count > 1);

        await Task.Delay(20);
        await two.DeleteStreamAsync("s");
        await Assert.ThrowsAsync<StreamingWorkshop.Errors.ResourceNotFoundException>(() => one.ListShardsAsync("s"));

        // Made again under the same name, in a new folder: the old folder one had open is gone.
        await Task.Delay(20);
        await two.CreateStreamAsync("s", 4);
        Assert.Equal(4, (await one.ListShardsAsync("s")).Count);
        await one.PutRecordAsync("s", "after"u8.ToArray(), "k");
        Assert.Equal(1, (await Task.WhenAll((await two.ListShardsAsync("s")).Select(s => ReadShard(two, "s", s.ShardId)))).Sum(records => records.Count));
    }

    [Fact]
    public async Task A_reader_sees_records_another_writer_put_between_its_own()
    {
        using var writer = Open();
        using var other = Open();
        await writer.CreateStreamAsync("s", 1);
        await writer.PutRecordAsync("s", "mine-1"u8.ToArray(), "k");
        var iterator = await writer.GetShardIteratorAsync("s", "shardId-000000000000", ShardIteratorType.TRIM_HORIZON);
        var first = await writer.GetRecordsAsync(iterator);
        await other.PutRecordAsync("s", "theirs"u8.ToArray(), "k");
        await writer.PutRecordAsync("s", "mine-2"u8.ToArray(), "k");

        // One record a call, so each read covers exactly one frame: the other writer's, then this one's.
        var second = await writer.GetRecordsAsync(first.NextShardIterator!, limit: 1);
        var third = await writer.GetRecordsAsync(second.NextShardIterator!, limit: 1);

        Assert.Equal(["mine-1"], first.Records.Select(r => Encoding.UTF8.GetString(r.Data.Span)));
        Assert.Equal(["theirs"], second.Records.Select(r => Encoding.UTF8.GetString(r.Data.Span)));
        Assert.Equal(["mine-2"], third.Records.Select(r => Encoding.UTF8.GetString(r.Data.Span)));
    }

    [Fact]
    public async Task Two_processes_appending_at_once_lose_nothing_and_share_no_sequence_number()
    {
        using (var setup = Open()) await setup.CreateStreamAsync("shared", 4);
        var cli = Path.Combine(AppContext.BaseDirectory, "workshop.dll");
        Process Launch(string tag)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { cli, "stream", "put", "--stream", "shared", "--data", tag, "--count", "1500", "--partition-key", tag, "--workspace", temp.Root })
                info.ArgumentList.Add(a);
            return Process.Start(info)!;
        }

        using var one = Launch("one-");
        using var two = Launch("two-");
        var outputs = await Task.WhenAll(one.StandardOutput.ReadToEndAsync(), two.StandardOutput.ReadToEndAsync(),
            one.StandardError.ReadToEndAsync(), two.StandardError.ReadToEndAsync());
        await Task.WhenAll(one.WaitForExitAsync(), two.WaitForExitAsync());
        Assert.True(one.ExitCode == 0 && two.ExitCode == 0, string.Join("\n", outputs));

        using var reader = Open();
        var records = new List<StreamRecord>();
        foreach (var shard in await reader.ListShardsAsync("shared"))
        {
            var shardRecords = await ReadShard(reader, "shared", shard.ShardId);
            var numbers = shardRecords.Select(r => System.Numerics.BigInteger.Parse(r.SequenceNumber)).ToList();
            Assert.Equal(numbers.Order(), numbers);
            Assert.Equal(numbers.Count, numbers.Distinct().Count());
            records.AddRange(shardRecords);
        }
        // `stream put --count` numbers the partition keys and leaves the data as given.
        var keys = records.Select(r => r.PartitionKey).ToHashSet();
        Assert.Equal(3000, records.Count);
        Assert.Equal(3000, keys.Count);
        Assert.Contains("one-1499", keys);
        Assert.Contains("two-0", keys);
        Assert.Equal(["one-", "two-"], records.Select(r => Encoding.UTF8.GetString(r.Data.Span)).Distinct().Order());
    }

    public void Dispose() => temp.Dispose();
}
