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

    [GeneratedRegex(@"the stack has (?<count>\d+) resources")]
    private static partial Regex StatedResources();

    [GeneratedRegex(@"<summary[^>]*>Answer</summary>\s*(?<count>\d+):")]
    private static partial Regex AnsweredEvents();
}
