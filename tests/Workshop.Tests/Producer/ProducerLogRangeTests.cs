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

    [Fact]
    public async Task The_lines_before_an_invocation_leave_out_every_line_logged_at_its_instant()
    {
        // Two scheduled runs a minute apart, then two invocations by hand at the instant the clock stands at.
        var log = new ProducerLog(temp.Workspace, TimeProvider.System);
        var midnight = Noon.AddHours(12);
        log.Append("producer", [new(midnight.AddMinutes(-2), "START 23:58"), new(midnight.AddMinutes(-2), "REPORT 23:58")]);
        log.Append("producer", [new(midnight.AddMinutes(-1), "START 23:59"), new(midnight.AddMinutes(-1), "REPORT 23:59")]);
        log.Append("producer", [new(midnight, "START hand 1"), new(midnight, "REPORT hand 1")]);
        log.Append("producer", [new(midnight, "START hand 2"), new(midnight, "REPORT hand 2")]);

        var before = await log.TailAsync("producer", 4, before: midnight);

        Assert.Equal(["START 23:58", "REPORT 23:58", "START 23:59", "REPORT 23:59"], before.Select(e => e.Message));
        Assert.Equal(["START hand 2", "REPORT hand 2"], (await log.TailAsync("producer", 2)).Select(e => e.Message));
    }
}
