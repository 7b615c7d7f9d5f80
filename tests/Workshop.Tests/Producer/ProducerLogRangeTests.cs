using StreamingWorkshop.Producer;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Producer;

/// <summary>A log group's events between two times, as FilterLogEvents' startTime and endTime choose them: both ends included.</summary>
public sealed class ProducerLogRangeTests : IDisposable
{
    private readonly TempWorkspace temp = new();

    public void Dispose() => temp.Dispose();

    private static readonly DateTimeOffset Noon = new(2025, 1, 14, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Only_the_events_from_the_start_through_the_end_are_given_across_streams()
    {
        var log = new ProducerLog(temp.Workspace, TimeProvider.System);
        log.AppendToStream("/aws/lambda/producer", "2025/01/14/a", [new(Noon, "noon"), new(Noon.AddMinutes(1), "12:01")]);
        log.AppendToStream("/aws/lambda/producer", "2025/01/14/b", [new(Noon.AddMinutes(2), "12:02"), new(Noon.AddMinutes(3), "12:03")]);

        IEnumerable<string> Between(DateTimeOffset? from, DateTimeOffset? through) => log.Tail("/aws/lambda/producer", 100, from, through).Select(e => e.Message);

        Assert.Equal(["12:01", "12:02"], Between(Noon.AddMinutes(1), Noon.AddMinutes(2)));
        Assert.Equal(["12:02", "12:03"], Between(Noon.AddMinutes(2), null));
        Assert.Equal(["noon", "12:01"], Between(null, Noon.AddMinutes(1).AddMilliseconds(999)));
        Assert.Empty(Between(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddMilliseconds(1)));
        Assert.Equal(["noon", "12:01", "12:02", "12:03"], Between(null, null));
        // The newest of those in range, when more are in range than asked for.
        Assert.Equal(["12:01"], log.Tail("/aws/lambda/producer", 1, null, Noon.AddMinutes(1)).Select(e => e.Message));
    }
}
