using StreamingWorkshop;
using StreamingWorkshop.Producer;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.LateData;

/// <summary>
/// A producer outage from 10:30 to 11:00 in a replay from 10:00 to 12:00: nothing reaches the lake for those
/// minutes until 11:00, then the kept readings arrive after the 11:00 reading, with their own times.
/// </summary>
public sealed class OutageBackfillTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2025, 1, 14, 10, 0, 0, TimeSpan.Zero);
    private readonly TempWorkspace temp = new();
    private WorkshopSession session = null!;

    public async Task InitializeAsync()
    {
        session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
        var outage = new ProducerOutage(Start.AddMinutes(30), Start.AddMinutes(60));
        await session.SimulateAsync(TimeSpan.FromHours(2), Start, new ProducerScenario { Outage = outage });
    }

    public async Task DisposeAsync()
    {
        await session.DisposeAsync();
        temp.Dispose();
    }

    private List<(string Key, string City, string CollectionTime, string MeasurementTime)> LondonFirst() =>
        LakeFiles.Lines(temp.Root, session.Names.LakeBucket, "weather-data/")
            .Select(l => (l.Key, Json: LakeFiles.Parse(l.Line)))
            .Select(l => (l.Key, l.Json.GetProperty("city").GetString()!, l.Json.GetProperty("collection_time").GetString()!, l.Json.GetProperty("measurement_time").GetString()!))
            .ToList();

    [Fact]
    public void No_reading_is_lost_the_outage_minutes_arrive_late_with_their_own_times()
    {
        var lines = LondonFirst();
        // 120 invocations x 3 cities, the 30 minutes of the outage included.
        Assert.Equal(360, lines.Count);
        var london = lines.Where(l => l.City == "London").Select(l => l.CollectionTime).ToList();
        Assert.Equal(120, london.Distinct().Count());
        // In arrival order: 10:00 .. 10:29, then 11:00 (the first reading after the outage), then the 30 kept ones, then 11:01 ..
        Assert.Equal("2025-01-14T10:29:00.000Z", london[29]);
        Assert.Equal("2025-01-14T11:00:00.000Z", london[30]);
        Assert.Equal("2025-01-14T10:30:00.000Z", london[31]);
        Assert.Equal("2025-01-14T10:59:00.000Z", london[60]);
        Assert.Equal("2025-01-14T11:01:00.000Z", london[61]);
        // A kept reading keeps the measurement_time of its minute: 10:45's reading is the 10:45 measurement.
        Assert.Equal("2025-01-14T10:45", lines.Single(l => l.City == "London" && l.CollectionTime == "2025-01-14T10:45:00.000Z").MeasurementTime);
    }

    [Fact]
    public void The_kept_readings_sit_in_objects_delivered_after_the_outage()
    {
        var kept = LondonFirst().Where(l => string.CompareOrdinal(l.CollectionTime, "2025-01-14T10:30") >= 0 && string.CompareOrdinal(l.CollectionTime, "2025-01-14T11:00") < 0).ToList();
        Assert.Equal(90, kept.Count);
        // Object names carry the delivery time: weather-analytics-firehose-dev-1-2025-01-14-HH-mm-ss-<id>.gz
        Assert.All(kept, l => Assert.Contains("-2025-01-14-11-0", l.Key));
    }

    [Fact]
    public async Task The_producer_log_says_what_it_kept_and_when_it_backfilled()
    {
        var messages = (await session.Producer.LogsAsync(2000)).Events.Select(e => e.Message).ToList();
        Assert.Contains("Stream unreachable; kept the reading of London collected at 2025-01-14T10:30 to send later (1 waiting)", messages);
        Assert.Contains("Stream unreachable; kept the reading of Edinburgh collected at 2025-01-14T10:59 to send later (90 waiting)", messages);
        Assert.Contains("Backfilled 90 reading(s) held back by the outage", messages);
    }
}
