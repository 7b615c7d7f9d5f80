using StreamingWorkshop;
using StreamingWorkshop.Broker;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Broker;

/// <summary>The notebooks' and the CLI's peek reads from any of Kinesis's five shard iterator types.</summary>
public sealed class PeekTests : IAsyncLifetime
{
    private readonly TempWorkspace temp = new();
    private WorkshopSession session = null!;

    public async Task InitializeAsync()
    {
        session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
        // Two invocations of the producer: six readings, three cities a minute.
        await session.SimulateAsync(TimeSpan.FromMinutes(2), new DateTimeOffset(2025, 1, 14, 0, 0, 0, TimeSpan.Zero));
    }

    public async Task DisposeAsync()
    {
        await session.DisposeAsync();
        temp.Dispose();
    }

    [Fact]
    public async Task AT_and_AFTER_SEQUENCE_NUMBER_start_at_and_just_after_the_record_given()
    {
        var all = (await session.PeekAsync(ShardIteratorType.TRIM_HORIZON, limit: 100)).Records;
        Assert.Equal(6, all.Count);

        var at = (await session.PeekAsync(ShardIteratorType.AT_SEQUENCE_NUMBER, limit: 100, sequenceNumber: all[2].SequenceNumber)).Records;
        var after = (await session.PeekAsync(ShardIteratorType.AFTER_SEQUENCE_NUMBER, limit: 100, sequenceNumber: all[2].SequenceNumber)).Records;

        Assert.Equal(all.Skip(2).Select(r => r.SequenceNumber), at.Select(r => r.SequenceNumber));
        Assert.Equal(all.Skip(3).Select(r => r.SequenceNumber), after.Select(r => r.SequenceNumber));
    }

    [Fact]
    public async Task After_the_newest_record_the_view_says_so()
    {
        var newest = (await session.PeekAsync(ShardIteratorType.TRIM_HORIZON, limit: 100)).Records[^1];

        var view = await session.PeekAsync(ShardIteratorType.AFTER_SEQUENCE_NUMBER, sequenceNumber: newest.SequenceNumber);

        Assert.Empty(view.Records);
        Assert.Equal($"No records on shardId-000000000000 after sequence number {newest.SequenceNumber}: it is the newest record on the shard. Put a record, or read again once the producer has run.", view.ToString());
    }
}
