using System.Text;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Clock;

namespace Workshop.Tests.TestSupport;

/// <summary>
/// A one-shard local stream named "weather" in a temporary workspace, on a clock at 09:00 UTC on 14 January 2025, fed
/// with readings of exactly 1,000,000 bytes, so that read and fan-out byte limits can be worked out by hand.
/// </summary>
public sealed class MegabyteReadingStream : IDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 1, 14, 9, 0, 0, TimeSpan.Zero);
    public const string StreamName = "weather";
    public const string Shard = "shardId-000000000000";

    public MegabyteReadingStream()
    {
        Service = new LocalStreamService(Temp.Workspace, Clock);
        Service.CreateStreamAsync(StreamName, 1).GetAwaiter().GetResult();
    }

    public TempWorkspace Temp { get; } = new();
    public VirtualClock Clock { get; } = new(Start);
    public LocalStreamService Service { get; }

    /// <summary>A reading of exactly 1,000,000 bytes carrying its number <paramref name="t"/>.</summary>
    public static byte[] Reading(int t)
    {
        var head = $$"""{"city":"Dublin","t":{{t}},"pad":" """.TrimEnd();
        return Encoding.UTF8.GetBytes(head + new string('x', 1_000_000 - head.Length - 2) + "\"}");
    }

    /// <summary>Puts readings <paramref name="from"/> to <paramref name="to"/> one second apart (a shard takes 1 MiB of writes a second).</summary>
    public async Task PutReadingsAsync(int from, int to)
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
    }
}
