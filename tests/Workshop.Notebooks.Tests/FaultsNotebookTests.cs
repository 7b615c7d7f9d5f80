using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// What a learner reads in the faults section of notebook 05 after `workshop run`. Worked out by hand: 30 minutes x 3
/// cities = 90 readings; the invocations of 00:10 and 00:11 time out, so 2 x 3 = 6 are missing and each city has 28
/// minutes; 5 puts are sent twice, so the lake holds 90 - 6 + 5 = 89 lines; measurement_time moves every quarter-hour,
/// so 00:00-00:29 holds 2 measurements x 3 cities = 6 natural keys, and the view has 6 rows. After the hour-long stop,
/// 00:30-02:29 is 120 minutes for each city, and the oldest record in the catch-up object is an hour plus the 60 s
/// buffering interval old: 3,660 s.
/// </summary>
[Collection(WorkshopRunCollection.Name)]
public sealed class FaultsNotebookTests(WorkshopRun run)
{
    private List<(string Source, string Text)> CodeCells() => ExecutedNotebook.CodeCells(run, "05-late-data-and-change.ipynb");

    private static string OutputOf(List<(string Source, string Text)> cells, string sourceMarker) => ExecutedNotebook.OutputOf(cells, sourceMarker);

    [Fact]
    public void Duplicated_puts_add_lines_the_natural_key_does_not_count_and_timeouts_leave_a_gap()
    {
        var cells = CodeCells();

        var plan = OutputOf(cells, "lab.Faults.DuplicatePuts(5)");
        Assert.Matches(@"duplicate-put\s+the next 5 put\(s\) are sent twice", plan);
        Assert.Matches(@"timeout\s+.*from 00:10 UTC for 2 min time out after 30 s", plan);

        var log = OutputOf(cells, "FilterLogEvents: the retried puts").Split('\n');
        Assert.Equal(5, log.Count(l => l.Contains("No answer to the put of", StringComparison.Ordinal)));
        Assert.Equal(2, log.Count(l => l.Contains("Task timed out after 30.00 seconds", StringComparison.Ordinal)));
        Assert.Equal(2, log.Count(l => l.Contains("Duration: 30000.00 ms", StringComparison.Ordinal)));

        var counts = OutputOf(cells, "'lines in raw_weather_data'");
        Assert.Matches(@"lines in raw_weather_data\s+89\n", counts);
        Assert.Matches(@"readings by natural key\s+6\n", counts);
        Assert.Matches(@"rows in clean_weather_data\s+6\n", counts);

        var copies = OutputOf(cells, "HAVING COUNT(*) >= 2").Split('\n').Where(l => l.Contains("2025-01-14T00:0", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, copies.Count);
        Assert.All(copies, row => Assert.Matches(@"\s2$", row));
        // The log names each retried reading as the table of copies does: by city and collection time.
        var retried = log.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"No answer to the put of (\w+) collected at (\S+);"))
            .Where(m => m.Success).Select(m => (m.Groups[1].Value, m.Groups[2].Value + ":00.000Z")).Order().ToList();
        var copied = copies.Select(row => row.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(f => (f[0], f[1])).Order().ToList();
        Assert.Equal(copied, retried);

        var minutes = OutputOf(cells, "the timed-out ones are the gap");
        foreach (var city in new[] { "Edinburgh", "London", "Manchester" }) Assert.Matches(city + @"\s+28\n", minutes);
    }

    [Fact]
    public void A_consumer_stopped_for_an_hour_loses_nothing_and_the_lake_is_an_hour_behind_when_it_resumes()
    {
        var cells = CodeCells();

        var freshness = OutputOf(cells, "lab.Faults.StopConsumer");
        Assert.Contains("360 readings put · 360 delivered", freshness);
        Assert.Matches(@"2025-01-14 01:40\s+3660\s+Seconds", freshness);
        var minutes = OutputOf(cells, "however late it arrived");
        foreach (var city in new[] { "Edinburgh", "London", "Manchester" }) Assert.Matches(city + @"\s+120\n", minutes);
    }

    [Fact]
    public void Each_key_keeps_its_order_while_the_read_order_is_not_the_put_order_and_a_burst_is_retried_in_full()
    {
        var cells = CodeCells();

        var ordering = OutputOf(cells, "lab.Faults.OrderingAsync");
        Assert.Contains("Put order:  London #1, Paris #1, London #2, Paris #2, London #3, Paris #3", ordering);
        Assert.Contains("Read order: London #1, London #2, London #3, Paris #1, Paris #2, Paris #3", ordering);

        // 2,500 records on one shard in one second: 1,000 fit, 1,500 are refused without a retry; the batcher puts all.
        var burst = OutputOf(cells, "lab.Faults.BurstAsync");
        Assert.Contains("1,000 put; 1,500 failed with ProvisionedThroughputExceededException", burst);
        Assert.Contains("2,500 of 2,500 record(s) put", burst);
    }
}
