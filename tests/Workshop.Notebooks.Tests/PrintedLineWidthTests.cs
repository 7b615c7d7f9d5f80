using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// Lines the kit and Task 3 print fit Jupyter Notebook's output area: it wraps a longer line wherever its edge falls,
/// inside a date (2026-1 | 2-06) or a price ($0. | 000050, read as nothing at all).
/// </summary>
public sealed class PrintedLineWidthTests : IDisposable
{
    /// <summary>What a code cell's output area of Jupyter Notebook holds on one line in a window of 1,280 px, with room to spare.</summary>
    private const int OutputAreaColumns = 100;

    private readonly string workspace = Directory.CreateTempSubdirectory("printed-lines-ws-").FullName;
    private readonly string output = Directory.CreateTempSubdirectory("printed-lines-out-").FullName;

    [Fact]
    public void Task3s_catch_up_and_partition_pruning_print_lines_that_fit_the_output_area()
    {
        var exit = Cli.RunIn(WorkshopRun.RepositoryRoot, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = workspace }, out var log,
            "run", "notebooks/03-task3-lake-exploration.ipynb", "--out", output);

        Assert.True(exit == 0, log);
        // What the cells print (their stdout); a display such as the replay's progress bar is HTML, which wraps between words.
        var printed = NotebookFile.Read(Path.Combine(output, "notebooks", "03-task3-lake-exploration.ipynb")).Cells
            .Where(c => c.Kind == CellKind.Code)
            .Select(c => (c.Source, Text: string.Concat(c.Outputs.Where(o => (string?)o["output_type"] == "stream").Select(ExecutedNotebook.TextOf))))
            .ToList();
        var catchUp = printed.Single(c => c.Source.Contains("CatchUpAsync(3)", StringComparison.Ordinal)).Text;
        var pruning = printed.Single(c => c.Source.Contains("onePartition.Summary", StringComparison.Ordinal)).Text;
        Assert.Contains("The stack and the lake's data are in place", catchUp);
        Assert.Contains("Estimated cost: $0.0000", pruning);
        var tooLong = (catchUp + "\n" + pruning).Split('\n').Where(line => line.Length > OutputAreaColumns).ToList();
        Assert.True(tooLong.Count == 0,
            $"{tooLong.Count} printed line(s) longer than the {OutputAreaColumns} columns of Jupyter Notebook's output area:\n{string.Join("\n", tooLong)}");
    }

    public void Dispose()
    {
        Directory.Delete(workspace, recursive: true);
        Directory.Delete(output, recursive: true);
    }
}
