using StreamingWorkshop.Jobs;
using Xunit;

namespace Workshop.Tests.Jobs;

/// <summary>
/// Five readings with known times on three paths; every delay below is worked out by hand from the times written here.
/// Readings: London and Paris at 00:00 (arrive 00:00:01), London and Paris at 00:01 (arrive 00:01:02), London at 00:02
/// (arrives 00:02:01), on shard 0 with sequence numbers 101 to 105.
/// </summary>
public sealed class FreshnessTests
{
    private static readonly DateTimeOffset Midnight = new(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);
    private const string Shard0 = "shardId-000000000000";
    private const string Shard1 = "shardId-000000000001";
    private const string HourFolder = "weather-data/2025/01/14/00/";
    private static readonly PathCost Free = new(0, "nothing");

    private static DateTimeOffset At(int minutes, int seconds) => Midnight + new TimeSpan(0, minutes, seconds);

    private static readonly TrackedReading[] Readings =
    [
        new(Shard0, "101", TrackedReading.KeyOf("London", "00:00"), At(0, 0), At(0, 1)),
        new(Shard0, "102", TrackedReading.KeyOf("Paris", "00:00"), At(0, 0), At(0, 1)),
        new(Shard0, "103", TrackedReading.KeyOf("London", "00:01"), At(1, 0), At(1, 2)),
        new(Shard0, "104", TrackedReading.KeyOf("Paris", "00:01"), At(1, 0), At(1, 2)),
        new(Shard0, "105", TrackedReading.KeyOf("London", "00:02"), At(2, 0), At(2, 1)),
    ];

    // The first object lands at 00:01:01 with the 00:00 readings, the second at 00:02:05 with the 00:01 readings; the 00:02
    // reading is still in Firehose's buffer. The crawler made the hour's partition at 00:15:00.
    private static readonly LakeLanding[] Landings =
    [
        new(HourFolder, At(1, 1), [TrackedReading.KeyOf("London", "00:00"), TrackedReading.KeyOf("Paris", "00:00")]),
        new(HourFolder, At(2, 5), [TrackedReading.KeyOf("London", "00:01"), TrackedReading.KeyOf("Paris", "00:01")]),
    ];

    private static FreshnessReport Report() => new(Readings,
    [
        new LakeFreshnessPath("Lake + Athena", Landings, new Dictionary<string, DateTimeOffset> { [HourFolder] = At(15, 0) },
            new PathCost(14.16m, "96 crawls.")),
        new StreamingJobFreshnessPath("Streaming job",
        [
            // A batch on the other shard with the same sequence numbers must not count, though it commits first.
            new StreamingBatch("jr_1", 0, At(0, 20), At(0, 30), [new ShardRead(Shard1, "101", "105", 5)], 5, 5, 0, 0, 0),
            new StreamingBatch("jr_1", 1, At(1, 0), At(1, 5), [new ShardRead(Shard0, "101", "102", 2)], 2, 2, 0, 0, 0),
            new StreamingBatch("jr_1", 2, At(2, 0), At(2, 6), [new ShardRead(Shard0, "103", "104", 2)], 2, 2, 0, 0, 0),
            new StreamingBatch("jr_1", 3, At(3, 0), At(3, 5), [new ShardRead(Shard0, "105", "105", 1), new ShardRead(Shard1, null, null, 0)], 1, 1, 0, 0, 0),
        ], new PathCost(5.37m, "2 x G.025X.")),
        new RefreshFreshnessPath("Warehouse view", new Dictionary<(string, string), DateTimeOffset>
        {
            [(Shard0, "101")] = At(0, 10), [(Shard0, "102")] = At(0, 10), [(Shard0, "103")] = At(1, 10),
            [(Shard0, "104")] = At(1, 10), [(Shard0, "105")] = At(2, 20),
        }, new PathCost(6m, "1 x dc2.large.")),
    ], ["The crawler runs every 15 minutes."]);

    [Fact]
    public void The_lake_path_waits_for_the_later_of_the_landing_and_the_partition()
    {
        // Delays 900, 900 (landed 00:01:01, partition 00:15:00), 840, 840 (00:15:00 - 00:01:00); the 00:02 reading has not landed.
        var lake = Report()["Lake + Athena"];
        Assert.Equal((4, 1, 870.0, 900.0), (lake.Measured, lake.NotYetQueryable, lake.MedianSeconds, lake.P95Seconds));
    }

    [Fact]
    public void With_partition_projection_the_landing_alone_counts()
    {
        // Delays 61, 61, 65, 65: median (61 + 65) / 2 = 63, 95th percentile the 4th of 4.
        var lake = PathFreshness.Measure(new LakeFreshnessPath("Projected", Landings, null, Free), Readings);
        Assert.Equal((4, 1, 63.0, 65.0), (lake.Measured, lake.NotYetQueryable, lake.MedianSeconds, lake.P95Seconds));
    }

    [Fact]
    public void The_streaming_job_path_takes_the_commit_of_the_batch_that_read_the_record_on_its_shard()
    {
        // Delays 65, 65 (00:01:05), 66, 66 (00:02:06 - 00:01:00), 65 (00:03:05 - 00:02:00): sorted 65 65 65 66 66.
        var job = Report()["Streaming job"];
        Assert.Equal((5, 0, 65.0, 66.0), (job.Measured, job.NotYetQueryable, job.MedianSeconds, job.P95Seconds));
    }

    [Fact]
    public void The_warehouse_path_takes_the_first_refresh_that_read_the_record()
    {
        // Delays 10, 10, 10, 10, 20: the 95th percentile by nearest rank is the 5th of 5.
        var view = Report()["Warehouse view"];
        Assert.Equal((5, 0, 10.0, 20.0), (view.Measured, view.NotYetQueryable, view.MedianSeconds, view.P95Seconds));
    }

    [Fact]
    public void A_path_nothing_reached_yet_shows_dashes()
    {
        var none = PathFreshness.Measure(new RefreshFreshnessPath("Nothing yet", new Dictionary<(string, string), DateTimeOffset>(), Free), Readings);
        Assert.Equal((0, 5, null, null), (none.Measured, none.NotYetQueryable, none.MedianSeconds, none.P95Seconds));
        Assert.Equal("-", FreshnessReport.Seconds(none.MedianSeconds));
    }

    [Fact]
    public void The_text_display_fits_80_columns()
    {
        Assert.Equal("""
            Produce-to-queryable delay per path, on the virtual clock
            Path            Readings  Median       95th pct    Not yet  Cost per day
            --------------  --------  -----------  ----------  -------  ------------
            Lake + Athena   4         14 min 30 s  15 min 0 s  1        $14.16
            Streaming job   5         65 s         66 s        0        $5.37
            Warehouse view  5         10 s         20 s        0        $6.00
            - Lake + Athena: 96 crawls.
            - Streaming job: 2 x G.025X.
            - Warehouse view: 1 x dc2.large.
            - The crawler runs every 15 minutes.

            """.ReplaceLineEndings("\n"), Report().ToString());
    }

    [Fact]
    public void The_table_alone_leaves_the_notes_out()
    {
        Assert.Equal("""
            Produce-to-queryable delay per path, on the virtual clock
            Path            Readings  Median       95th pct    Not yet  Cost per day
            --------------  --------  -----------  ----------  -------  ------------
            Lake + Athena   4         14 min 30 s  15 min 0 s  1        $14.16
            Streaming job   5         65 s         66 s        0        $5.37
            Warehouse view  5         10 s         20 s        0        $6.00
            """.ReplaceLineEndings("\n"), Report().Table.ToString());
        Assert.DoesNotContain("crawls", Report().Table.ToHtml());
    }

    [Fact]
    public void Asking_for_a_path_not_measured_names_the_paths_there_are()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => Report()["Glue batch job"]);
        Assert.Equal("No path named 'Glue batch job' was measured: the paths are Lake + Athena, Streaming job, Warehouse view.", error.Message);
    }

    [Fact]
    public void Costs_per_day_add_up_from_list_prices()
    {
        var prices = new FreshnessPrices();
        // 4,320 readings of 200 bytes, each billed as 5 KB by Firehose; 1,440 objects; queries scan less than Athena's 10 MB minimum,
        // and open an hour's objects: 180 of the lake's, 60 of the job's.
        var day = new DayOfTraffic(Records: 4_320, RecordBytes: 200, LakeObjects: 1_440, LakeBytesScanned: 300_000, JobObjects: 2_880, JobBytesScanned: 50_000,
            LakeObjectsRead: 180, JobObjectsRead: 60);
        var firehose = 4_320m * 5_120m / 1_073_741_824m * 0.029m;
        // Dynamic partitioning: $0.020 per GB (as Firehose bills it, 5 KB a record) and $0.005 per 1,000 objects.
        var partitioning = 4_320m * 5_120m / 1_073_741_824m * 0.020m + 1_440m / 1_000m * 0.005m;
        var lake = prices.Lake(day, TimeSpan.FromMinutes(15), dashboardQueriesPerDay: 1_440);
        // 96 crawls x 2 DPU x 1/6 h x $0.44 = $14.08; 1,440 puts x $0.005 / 1,000 = $0.0072; 1,440 queries x 10 MB x $5 / TB = $0.072;
        // 1,440 queries x 180 objects = 259,200 GETs x $0.0004 / 1,000 = $0.10368.
        Assert.Equal(firehose + partitioning + 14.08m + 0.0072m + 0.072m + 0.10368m, lake.UsdPerDay, 10);
        Assert.Equal("Firehose $0.00, dynamic partitioning $0.01, 1,440 S3 puts $0.01, 96 crawls $14.08, 1,440 Athena queries $0.07 and their 259,200 S3 GETs $0.10.", lake.Basis);
        var projected = prices.Lake(day, crawlEvery: null, dashboardQueriesPerDay: 1_440);
        Assert.Equal("Firehose $0.00, dynamic partitioning $0.01, 1,440 S3 puts $0.01, no crawler (partition projection), 1,440 Athena queries $0.07 and their 259,200 S3 GETs $0.10.", projected.Basis);
        // 2 workers x 0.25 DPU x 24 h x $0.44 = $5.28; 2,880 puts = $0.0144; queries $0.072; 86,400 GETs $0.03456.
        var job = prices.StreamingJob(day, dashboardQueriesPerDay: 1_440);
        Assert.Equal(5.28m + 0.0144m + 0.072m + 0.03456m, job.UsdPerDay, 10);
        Assert.Equal("2 × G.025X (0.5 DPU) for 24 h $5.28, 2,880 S3 puts $0.01, 1,440 Athena queries $0.07 and their 86,400 S3 GETs $0.03.", job.Basis);
        Assert.Equal((6.00m, "1 node for 24 h at the smallest node's list price (dc2.large; the stack's ra3.large costs no less) $6.00; queries and refreshes add nothing."), (prices.Warehouse().UsdPerDay, prices.Warehouse().Basis));
    }
}
