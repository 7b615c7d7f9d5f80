using System.Globalization;
using System.Text.RegularExpressions;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// Numbers the prose states about an output, held against that output after `workshop run`: when the stack or the
/// data grows, the sentence a learner checks their prediction against must grow with it.
/// </summary>
[Collection(WorkshopRunCollection.Name)]
public sealed partial class StatedCountsTests(WorkshopRun run)
{
    [Fact]
    public void Task_1_states_as_many_resources_as_the_stack_lists_and_answers_with_as_many_events_as_it_shows()
    {
        var notebook = NotebookFile.Read(Path.Combine(run.Output, "notebooks", "01-task1-environment.ipynb"));
        var prediction = notebook.Cells.Single(c => c.Kind == CellKind.Markdown && c.Source.Contains("How many events will a first deployment list?", StringComparison.Ordinal)).Source;
        var statedResources = int.Parse(StatedResources().Match(prediction).Groups["count"].Value, CultureInfo.InvariantCulture);
        var answeredEvents = int.Parse(AnsweredEvents().Match(prediction).Groups["count"].Value, CultureInfo.InvariantCulture);

        var cells = ExecutedNotebook.CodeCells(run, "01-task1-environment.ipynb");
        // Rows of the two tables: every line after the header's dashes that is not blank.
        static int Rows(string table) => table.Split('\n').SkipWhile(l => !l.StartsWith("---", StringComparison.Ordinal)).Skip(1).Count(l => l.Trim().Length > 0);
        var listedResources = Rows(ExecutedNotebook.OutputOf(cells, "Stack.ResourcesAsync()"));
        var shownEvents = Rows(ExecutedNotebook.OutputOf(cells, "Stack.EventsAsync()"));

        Assert.Equal(listedResources, statedResources);
        Assert.Equal(shownEvents, answeredEvents);
        Assert.Equal(2 * listedResources + 2, shownEvents);
    }

    [Fact]
    public void The_streaming_jobs_stated_wait_and_start_are_the_ones_its_run_and_freshness_show()
    {
        var stated = Stated("07-going-further-etl.ipynb", "Every reading the streaming job read waited", StatedStreamingWait());

        var cells = ExecutedNotebook.CodeCells(run, "07-going-further-etl.ipynb");
        var freshness = ExecutedNotebook.OutputOf(cells, "afterCrawl");
        var streamingRow = freshness.Split('\n').Single(l => l.StartsWith("Streaming job", StringComparison.Ordinal));
        var waits = Regex.Matches(streamingRow, @"(\d+) s\b").Select(m => m.Groups[1].Value).ToList();
        var jobRun = ExecutedNotebook.OutputOf(cells, "Names.StreamingJob, wait: true");

        Assert.Equal([stated.Groups["wait"].Value, stated.Groups["wait"].Value], waits); // the median and the 95th percentile
        // The date is the day of the run (the workspace replays the day before it), so only the time of day is held.
        Assert.Matches($@"Started\s+\d{{4}}-\d\d-\d\d {stated.Groups["start"].Value} UTC", jobRun);
    }

    [Fact]
    public void The_warehouse_notebook_adds_up_the_records_its_view_first_holds()
    {
        var sum = Stated("06-going-further-warehouse.ipynb", "Where did they come from?", StatedViewRecords());
        static int Number(Group group) => int.Parse(group.Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

        var cells = ExecutedNotebook.CodeCells(run, "06-going-further-warehouse.ipynb");
        var perShard = ExecutedNotebook.OutputOf(cells, "CREATE MATERIALIZED VIEW live_readings");
        var shown = int.Parse(Regex.Match(perShard, @"shardId-000000000000\s+(\d+)\s").Groups[1].Value, CultureInfo.InvariantCulture);

        Assert.Equal(Number(sum.Groups["day"]) - Number(sum.Groups["expired"]) + Number(sum.Groups["hand"]), Number(sum.Groups["total"]));
        Assert.Equal(shown, Number(sum.Groups["total"]));
    }

    [Fact]
    public void Task_3_states_the_whole_year_querys_bytes_as_its_cost_table_does()
    {
        var stated = double.Parse(Stated("03-task3-lake-exploration.ipynb", "at how many queries a day would Athena on JSON.gz cost", StatedYearQueryBytes()).Groups["gb"].Value,
            CultureInfo.InvariantCulture);

        var cells = ExecutedNotebook.CodeCells(run, "03-task3-lake-exploration.ipynb");
        var table = ExecutedNotebook.OutputOf(cells, "YearlyCostComparison.ForAYear");
        var billed = double.Parse(Regex.Match(table, @"queries × (?<gb>\d+\.\d+) GB billed each \(gzipped JSON").Groups["gb"].Value, CultureInfo.InvariantCulture);

        Assert.Equal(Math.Round(billed, 1), stated);
    }

    /// <summary>The sentence <paramref name="pattern"/> finds in the markdown cell of <paramref name="notebook"/> that holds <paramref name="marker"/>.</summary>
    private Match Stated(string notebook, string marker, Regex pattern)
    {
        var prose = NotebookFile.Read(Path.Combine(run.Output, "notebooks", notebook)).Cells
            .Single(c => c.Kind == CellKind.Markdown && c.Source.Contains(marker, StringComparison.Ordinal)).Source;
        var stated = pattern.Match(prose);
        Assert.True(stated.Success, prose);
        return stated;
    }

    [GeneratedRegex(@"on JSON\.gz \(some (?<gb>\d+\.\d) GB\)")]
    private static partial Regex StatedYearQueryBytes();

    [GeneratedRegex(@"that is (?<day>\d,\d{3}) − (?<expired>\d+) \+ (?<hand>\d+) = (?<total>\d,\d{3}) records")]
    private static partial Regex StatedViewRecords();

    [GeneratedRegex(@"waited the same (?<wait>\d+) s\b.*the job started at (?<start>\d\d:\d\d:\d\d)")]
    private static partial Regex StatedStreamingWait();

    [GeneratedRegex(@"the stack has (?<count>\d+) resources")]
    private static partial Regex StatedResources();

    [GeneratedRegex(@"<summary[^>]*>Answer</summary>\s*(?<count>\d+):")]
    private static partial Regex AnsweredEvents();
}
