using StreamingWorkshop;
using StreamingWorkshop.Producer;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.LateData;

/// <summary>
/// A replay from 22:00 on the 14th to 02:00 on the 15th with an outage from 23:30 to 00:30 in which the answers to the
/// 23:29 puts are lost: those readings are stored at 23:29 and again in the backfill at 00:30. By hand: the 14th's
/// folders hold 22:00..23:29 = 90 minutes x 3 = 270; the 15th's hold its own 120 x 3 = 360, the 30 x 3 = 90 kept
/// readings of 23:30..23:59, and the 3 sent again: 453.
/// </summary>
public sealed class ResentBeforeOutageTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 14, 22, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_readings_whose_answers_were_lost_are_stored_twice_once_in_each_days_folder()
    {
        using var temp = new TempWorkspace();
        await using var session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
        var scenario = new ProducerScenario { Outage = ProducerOutage.Parse("23:30-00:30", Start), ResendLastBeforeOutage = true };

        await session.SimulateAsync(TimeSpan.FromHours(4), Start, scenario);

        var lines = LakeFiles.Lines(temp.Root, session.Names.LakeBucket, "weather-data/")
            .Select(l => (Day: l.Key.Split('/')[4], Json: LakeFiles.Parse(l.Line))).ToList();
        Assert.Equal(new Dictionary<string, int> { ["day=14"] = 270, ["day=15"] = 453 }, lines.GroupBy(l => l.Day).ToDictionary(g => g.Key, g => g.Count()));
        var twice = lines.GroupBy(l => (City: l.Json.GetProperty("city").GetString(), Collected: l.Json.GetProperty("collection_time").GetString()))
            .Where(g => g.Count() > 1).ToList();
        Assert.Equal(["Edinburgh", "London", "Manchester"], twice.Select(g => g.Key.City).Order());
        Assert.All(twice, g => Assert.Equal("2025-01-14T23:29:00.000Z day=14,day=15", $"{g.Key.Collected} {string.Join(",", g.Select(l => l.Day))}"));
        var log = (await session.Producer.LogsAsync(2000)).Events.Select(e => e.Message).ToList();
        Assert.Contains("No answer from the stream for the reading of London collected at 2025-01-14T23:29; kept it to send again", log);
        Assert.Contains("Backfilled 183 reading(s) held back by the outage", log);
    }

    [Fact]
    public async Task Without_the_lost_answers_the_same_outage_stores_every_reading_once()
    {
        using var temp = new TempWorkspace();
        await using var session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });

        await session.SimulateAsync(TimeSpan.FromHours(4), Start, new ProducerScenario { Outage = ProducerOutage.Parse("23:30-00:30", Start) });

        var lines = LakeFiles.Lines(temp.Root, session.Names.LakeBucket, "weather-data/").ToList();
        Assert.Equal(720, lines.Count);
        Assert.Equal(720, lines.Select(l => LakeFiles.Parse(l.Line)).Select(j => j.GetProperty("city").GetString() + j.GetProperty("collection_time").GetString()).Distinct().Count());
    }
}
