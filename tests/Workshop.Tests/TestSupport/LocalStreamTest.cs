using System.Text;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Clock;

namespace Workshop.Tests.TestSupport;

/// <summary>
/// A test class with a local stream service of its own, in a temporary workspace, on a clock at 09:00 UTC on 14 January 2025, with a stream named
/// "weather" of <c>shardCount</c> shards made at the start (none when it is null), and readings of exactly 1,000,000
/// bytes for tests whose byte limits are worked out by hand.
/// </summary>
public abstract class LocalStreamTest : IDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 1, 14, 9, 0, 0, TimeSpan.Zero);
    public const string StreamName = "weather";
    public const string Shard = "shardId-000000000000";

    protected LocalStreamTest(int? shardCount = 1)
    {
        Service = new LocalStreamService(Temp.Workspace, Clock);
        if (shardCount is { } shards) Service.CreateStreamAsync(StreamName, shards).GetAwaiter().GetResult();
    }

    protected TempWorkspace Temp { get; } = new();
    protected VirtualClock Clock { get; } = new(Start);
    protected LocalStreamService Service { get; }

    /// <summary>A reading of exactly 1,000,000 bytes carrying its number <paramref name="t"/>.</summary>
    protected static byte[] Reading(int t)
    {
        var head = $$"""{"city":"Dublin","t":{{t}},"pad":" """.TrimEnd();
        return Encoding.UTF8.GetBytes(head + new string('x', 1_000_000 - head.Length - 2) + "\"}");
    }

    /// <summary>Puts readings <paramref name="from"/> to <paramref name="to"/> one second apart (a shard takes 1 MiB of writes a second).</summary>
    protected async Task PutReadingsAsync(int from, int to)
    {
        for (var t = from; t <= to; t++)
        {
            await Service.PutRecordAsync(StreamName, Reading(t), "Dublin");
            Clock.Advance(TimeSpan.FromSeconds(1));
        }
    }

    public void Dispose()
    {
        Service.Dispose();
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }
}
