using StreamingWorkshop;
using StreamingWorkshop.Producer;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.LateData;

/// <summary>
/// A replay from 22:00 on the 14th to 02:00 on the 15th with a producer outage from 23:30 to 00:30: the kept
/// readings of 23:30..23:59 arrive after midnight. With the stack's arrival-time prefix (!{timestamp:dd}) they land in
/// day=15; with a day key taken from measurement_time through the query they stay in day=14.
/// Per city: 22:00..23:59 is 120 minutes of the 14th, 00:00..01:59 is 120 minutes of the 15th; 3 cities.
/// </summary>
public sealed class ArrivalVersusEventTimeTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 14, 22, 0, 0, TimeSpan.Zero);

    private static async Task<(Dictionary<string, int> FolderDays, Dictionary<string, int> MeasuredDays, Dictionary<string, long> ViewDays)> RunAsync(bool eventTime)
    {
        using var temp = new TempWorkspace();
        await using var session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
        await session.EnsurePipelineAsync();
        if (eventTime)
        {
            var firehose = session.Local!.Firehose;
            var config = firehose.DescribeDeliveryStream(session.Names.DeliveryStreamName);
            firehose.UpdateDestination(config with
            {
                MetadataExtractionQuery = "{location: .city, year: .measurement_time[0:4], month: .measurement_time[5:7], day: .measurement_time[8:10]}",
                Prefix = "weather-data/location=!{partitionKeyFromQuery:location}/year=!{partitionKeyFromQuery:year}/month=!{partitionKeyFromQuery:month}/day=!{partitionKeyFromQuery:day}/",
            });
        }
        var outage = ProducerOutage.Parse("23:30-00:30", Start);
        await session.SimulateAsync(TimeSpan.FromHours(4), Start, new ProducerScenario { Outage = outage });

        var lines = LakeFiles.Lines(temp.Root, session.Names.LakeBucket, "weather-data/").ToList();
        var folderDays = lines.GroupBy(l => l.Key.Split('/')[4]).ToDictionary(g => g.Key, g => g.Count());
        // The day each reading was measured, read from the line itself, counted by the folder it sits in.
        var measuredDays = lines.GroupBy(l => $"{l.Key.Split('/')[4]} measured {LakeFiles.Parse(l.Line).GetProperty("measurement_time").GetString()![..10]}")
            .ToDictionary(g => g.Key, g => g.Count());

        await session.CrawlAsync();
        var view = await session.QueryAsync("SELECT day, COUNT(*) AS readings FROM raw_weather_data GROUP BY day ORDER BY day");
        var viewDays = view.Column<string>("day").Zip(view.Column<long>("readings")).ToDictionary(p => p.First, p => p.Second);
        return (folderDays, measuredDays, viewDays);
    }

    [Fact]
    public async Task Arrival_time_folders_count_the_late_readings_of_the_14th_on_the_15th()
    {
        var (folders, measured, view) = await RunAsync(eventTime: false);

        // 14th: 22:00..23:29 = 90 minutes x 3 = 270; 15th: 120 minutes x 3 = 360, plus the 30 x 3 = 90 kept readings of the 14th.
        Assert.Equal(new Dictionary<string, int> { ["day=14"] = 270, ["day=15"] = 450 }, folders);
        Assert.Equal(90, measured["day=15 measured 2025-01-14"]);
        Assert.Equal(new Dictionary<string, long> { ["14"] = 270, ["15"] = 450 }, view);
    }

    [Fact]
    public async Task Event_time_folders_keep_every_reading_in_the_day_it_was_measured()
    {
        var (folders, measured, view) = await RunAsync(eventTime: true);

        Assert.Equal(new Dictionary<string, int> { ["day=14"] = 360, ["day=15"] = 360 }, folders);
        Assert.Equal(new Dictionary<string, int> { ["day=14 measured 2025-01-14"] = 360, ["day=15 measured 2025-01-15"] = 360 }, measured);
        Assert.Equal(new Dictionary<string, long> { ["14"] = 360, ["15"] = 360 }, view);
    }
}
