using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// What a learner reads in the late-data notebook after `workshop run`. Worked out by hand for three cities from 22:00 on
/// the 14th to 02:00 on the 15th with the producer cut off from 23:30 to 00:30 and the 23:29 answers lost: 120 minutes a
/// day x 3 = 360 readings a day; the backfill sends 60 x 3 + 3 = 183; by arrival time the 14th's folders hold
/// 90 x 3 = 270 and the 15th's 360 + 90 + 3 = 453; measurement_time is a quarter-hour, so 8 x 3 = 24 measurements a day.
/// Humidity starts at midnight, so only the 15th's 360 readings carry it.
/// </summary>
[Collection(WorkshopRunCollection.Name)]
public sealed class LateDataNotebookTests(WorkshopRun run)
{
    private List<(string Source, string Text)> CodeCells() => ExecutedNotebook.CodeCells(run, "05-late-data-and-change.ipynb");

    private static string OutputOf(List<(string Source, string Text)> cells, string sourceMarker) => ExecutedNotebook.OutputOf(cells, sourceMarker);

    [Fact]
    public void Arrival_time_folders_file_93_readings_of_the_14th_under_the_15th_and_three_of_them_under_both_days()
    {
        var cells = CodeCells();

        var log = OutputOf(cells, "ProducerLogsAsync");
        Assert.Contains("No answer from the stream for the reading of London collected at 2025-01-14T23:29; kept it to send again", log);
        Assert.Contains("Backfilled 183 reading(s) held back by the outage", log);

        var folders = OutputOf(cells, "AS folder_day");
        Assert.Matches(@"\n14\s+2025-01-14\s+270\n", folders);
        Assert.Matches(@"\n15\s+2025-01-14\s+93\n", folders);
        Assert.Matches(@"\n15\s+2025-01-15\s+360\n", folders);

        var copies = OutputOf(cells, "HAVING COUNT(*) > 1").Split('\n').Where(l => l.Contains("2025-01-14T23:29", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, copies.Count);
        Assert.All(copies, row => Assert.Matches(@"2025-01-14T23:29:00\.000Z\s+2\s+14\s+15$", row));

        var byKey = OutputOf(cells, "FROM readings_by_key");
        Assert.Matches(@"2025-01-14\s+24\s+363\n", byKey);
        Assert.Matches(@"2025-01-15\s+24\s+360\n", byKey);
    }

    [Fact]
    public void Event_time_folders_keep_the_14th_whole_and_projection_reads_the_15th_without_a_crawl()
    {
        var cells = CodeCells();

        // Crawled at 23:00, before the 15th had a folder: the table knows the 14th only.
        var crawled = OutputOf(cells, "UpdateDestination");
        Assert.Matches(@"\n14\s+363\n", crawled);
        Assert.DoesNotMatch(@"\n15\s+\d", crawled);

        var projected = OutputOf(cells, "FROM weather_projected");
        Assert.Matches(@"\n14\s+363\s+360\n", projected);
        Assert.Matches(@"\n15\s+360\s+360\n", projected);
    }

    [Fact]
    public void The_new_field_waits_under_LOG_and_reaches_the_table_and_the_new_partitions_under_UPDATE_IN_DATABASE()
    {
        var cells = CodeCells();

        var logged = OutputOf(cells, "UpdateBehavior: SchemaChangePolicy.Log");
        Assert.Contains("Schema change detected in raw_weather_data: new column(s) humidity double", logged);
        Assert.Matches(@"Partitions added\s+3", logged);
        Assert.DoesNotContain("humidity", OutputOf(cells, "DescribeTableAsync"));

        var partitions = OutputOf(cells, "UpdateBehavior: SchemaChangePolicy.UpdateInDatabase").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["Edinburgh/2025/01/14: no humidity", "London/2025/01/14: no humidity", "Manchester/2025/01/14: no humidity",
            "Edinburgh/2025/01/15: humidity double", "London/2025/01/15: humidity double", "Manchester/2025/01/15: humidity double"], partitions);

        var humidity = OutputOf(cells, "COUNT(humidity) AS with_humidity");
        Assert.Matches(@"\n14\s+363\s+0\s*\n", humidity);
        Assert.Matches(@"\n15\s+360\s+360\s+\d", humidity);
    }

    [Fact]
    public void Deleting_the_14ths_objects_under_DELETE_FROM_DATABASE_leaves_the_15ths_three_partitions_and_360_readings()
    {
        var expired = OutputOf(CodeCells(), "SchemaChangePolicy.DeleteFromDatabase");

        Assert.Contains("3 partition(s) of raw_weather_data no longer hold any object (Edinburgh/2025/01/14, London/2025/01/14, Manchester/2025/01/14); they were deleted (DeleteBehavior DELETE_FROM_DATABASE).", expired);
        Assert.Matches(@"\n15\s+360\n", expired);
        Assert.DoesNotMatch(@"\n14\s+\d", expired);
    }
}
