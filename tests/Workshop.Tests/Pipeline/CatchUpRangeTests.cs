using StreamingWorkshop;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Pipeline;

/// <summary>
/// The catch-up and the environment check say what the lake holds: every replay since the workspace's first, not only
/// the latest one. After a day's replay and half an hour more (as the later notebooks add), the lake spans both.
/// </summary>
public sealed class CatchUpRangeTests : IDisposable
{
    private static readonly DateTimeOffset DayStart = new(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);
    private readonly TempWorkspace temp = new();

    [Fact]
    public async Task After_a_second_replay_the_catch_up_and_the_environment_name_the_first_replays_start()
    {
        await using var session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root, Backend = "local" });
        await session.SimulateAsync(TimeSpan.FromHours(2), DayStart);
        await session.SimulateAsync(TimeSpan.FromMinutes(30), DayStart.AddHours(2).AddMinutes(7));

        var caughtUp = await session.CatchUpAsync(3);
        var environment = (await session.CheckEnvironmentAsync()).ToString();

        Assert.Contains("the lake already holds data from 2025-01-14 00:00 to 2025-01-14 02:37 UTC", caughtUp);
        Assert.Contains("readings from 2025-01-14 00:00 UTC", environment);
        // Task 3's queries still take the day of the latest replay.
        Assert.Equal(DayStart.AddHours(2).AddMinutes(7), session.SimulatedStart);
        Assert.DoesNotContain("whatever ran after it", caughtUp);
    }

    [Fact]
    public async Task When_the_clock_has_moved_past_the_replay_the_catch_up_says_how_far_on_its_own_line()
    {
        await using var session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root, Backend = "local" });
        await session.SimulateAsync(TimeSpan.FromMinutes(37), DayStart);
        // As a live run leaves it: the pipeline ran on past the replay, to 00:46.
        session.Clock.AdvanceTo(DayStart.AddMinutes(46).AddSeconds(10));

        var caughtUp = await session.CatchUpAsync(3);

        Assert.Contains("  the lake already holds data from 2025-01-14 00:00 to 2025-01-14 00:37 UTC,\n" +
                        "  and whatever ran after it, up to the clock's 2025-01-14 00:46 UTC", caughtUp);
        Assert.All(caughtUp.Split('\n'), line => Assert.True(line.Length <= 80, $"{line.Length} characters: {line}"));
    }

    public void Dispose() => temp.Dispose();
}
