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
        var notebook = NotebookFile.Read(Path.Combine(run.Output, "notebooks", "07-going-further-etl.ipynb"));
        var prose = notebook.Cells.Single(c => c.Kind == CellKind.Markdown && c.Source.Contains("Every reading the streaming job read waited", StringComparison.Ordinal)).Source;
        var stated = StatedStreamingWait().Match(prose);
        Assert.True(stated.Success, prose);

        var cells = ExecutedNotebook.CodeCells(run, "07-going-further-etl.ipynb");
        var freshness = ExecutedNotebook.OutputOf(cells, "afterCrawl");
        var streamingRow = freshness.Split('\n').Single(l => l.StartsWith("Streaming job", StringComparison.Ordinal));
        var waits = Regex.Matches(streamingRow, @"(\d+) s\b").Select(m => m.Groups[1].Value).ToList();
        var jobRun = ExecutedNotebook.OutputOf(cells, "Names.StreamingJob, wait: true");

        Assert.Equal([stated.Groups["wait"].Value, stated.Groups["wait"].Value], waits); // the median and the 95th percentile
        Assert.Contains($"Started    2026-12-07 {stated.Groups["start"].Value} UTC", jobRun);
    }

    [GeneratedRegex(@"waited the same (?<wait>\d+) s\b.*the job started at (?<start>\d\d:\d\d:\d\d)")]
    private static partial Regex StatedStreamingWait();

    [GeneratedRegex(@"the stack has (?<count>\d+) resources")]
    private static partial Regex StatedResources();

    [GeneratedRegex(@"<summary[^>]*>Answer</summary>\s*(?<count>\d+):")]
    private static partial Regex AnsweredEvents();
}
