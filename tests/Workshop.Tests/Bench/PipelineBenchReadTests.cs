using StreamingWorkshop.Broker;
using StreamingWorkshop.Cli.Commands;
using StreamingWorkshop.Clock;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Bench;

/// <summary>
/// The get phase of `bench pipeline` reads like a consumer within the shards' limits: a shard serves 2 MiB a second,
/// so on a stream of few shards a call after a large one is refused, and the phase waits and reads again.
/// </summary>
public sealed class PipelineBenchReadTests : IDisposable
{
    private readonly TempWorkspace temp = new();
    private readonly VirtualClock clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_shard_holding_more_than_its_read_limit_is_read_to_the_end_after_refused_calls()
    {
        using var stream = new LocalStreamService(temp.Workspace, clock);
        await stream.CreateStreamAsync("bench-put", 1);
        var payload = new byte[1024];
        // 3,250 records of 1 KiB: within the write limit, a batch of 250 every second; past the 2 MiB a read may take.
        for (var batch = 0; batch < 13; batch++)
        {
            var entries = Enumerable.Range(0, 250).Select(i => new PutRecordsEntry(payload, $"key-{batch}-{i}")).ToArray();
            var result = await stream.PutRecordsAsync("bench-put", entries);
            Assert.Equal(0, result.FailedRecordCount);
            clock.Advance(TimeSpan.FromSeconds(1));
        }
        var waits = 0;

        var (read, refused) = await PipelineBench.ReadAllAsync(stream, "bench-put", _ =>
        {
            waits++;
            clock.Advance(TimeSpan.FromMilliseconds(200));
            return Task.CompletedTask;
        }, CancellationToken.None);

        Assert.Equal(3_250, read);
        Assert.InRange(refused, 1, 20);
        Assert.Equal(refused, waits);
    }

    [Fact]
    public async Task Many_shards_within_their_limits_are_read_without_a_wait()
    {
        using var stream = new LocalStreamService(temp.Workspace, clock);
        await stream.CreateStreamAsync("bench-put", 4);
        var entries = Enumerable.Range(0, 400).Select(i => new PutRecordsEntry(new byte[100], $"key-{i}")).ToArray();
        Assert.Equal(0, (await stream.PutRecordsAsync("bench-put", entries)).FailedRecordCount);

        var (read, refused) = await PipelineBench.ReadAllAsync(stream, "bench-put",
            _ => throw new InvalidOperationException("The phase waited, though no shard refused a call."), CancellationToken.None);

        Assert.Equal(400, read);
        Assert.Equal(0, refused);
    }

    public void Dispose() => temp.Dispose();
}
