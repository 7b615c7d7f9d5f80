using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// Lines the kit, Task 2 and Task 3 print fit Jupyter Notebook's output area: it wraps a longer line wherever its edge falls,
/// inside a date (2026-1 | 2-06) or a price ($0. | 000050, read as nothing at all).
/// </summary>
public sealed class PrintedLineWidthTests : IDisposable
{
    /// <summary>What a code cell's output area of Jupyter Notebook holds on one line in a window of 1,280 px, with room to spare.</summary>
    private const int OutputAreaColumns = 100;

    private readonly string workspace = Directory.CreateTempSubdirectory("printed-lines-ws-").FullName;
    private readonly string output = Directory.CreateTempSubdirectory("printed-lines-out-").FullName;

    [Fact]
    public void Task2s_replay_and_endpoint_and_task3s_catch_up_and_partition_pruning_print_lines_that_fit_the_output_area()
    {
        var exit = Cli.RunIn(WorkshopRun.RepositoryRoot, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = workspace }, out var log,
            "run", "notebooks/02-task2-explore.ipynb", "notebooks/03-task3-lake-exploration.ipynb", "--out", output);

        Assert.True(exit == 0, log);
        // What the cells print (their stdout); a display such as the replay's progress bar is HTML, which wraps between words.
        List<(string Source, string Text)> Printed(string notebook) => NotebookFile.Read(Path.Combine(output, "notebooks", notebook)).Cells
            .Where(c => c.Kind == CellKind.Code)
            .Select(c => (c.Source, string.Concat(c.Outputs.Where(o => (string?)o["output_type"] == "stream").Select(ExecutedNotebook.TextOf))))
            .ToList();
        string Of(List<(string Source, string Text)> cells, string marker) => cells.Single(c => c.Source.Contains(marker, StringComparison.Ordinal)).Text;
        var task2 = Printed("02-task2-explore.ipynb");
        var task3 = Printed("03-task3-lake-exploration.ipynb");
        var replay = Of(task2, "Elapsed.TotalSeconds");
        var endpoint = Of(task2, "Output(\"WarehouseEndpoint\")");
        var catchUp = Of(task3, "CatchUpAsync(3)");
        var pruning = Of(task3, "onePartition.Summary");
        Assert.Contains("4,320 readings put", replay);
        Assert.Contains("weather-analytics-warehouse-dev.duckdb:5439", endpoint);
        Assert.Contains("The stack and the lake's data are in place", catchUp);
        Assert.Contains("Athena scan charge: $0.0000", pruning);
        Assert.Contains("S3 GETs, estimated at S3 Standard's us-east-1 price: 2,160 × $0.0004 per 1,000 = $0.000864", pruning);
        var tooLong = string.Join("\n", replay, endpoint, catchUp, pruning).Split('\n').Where(line => line.Length > OutputAreaColumns).ToList();
        Assert.True(tooLong.Count == 0,
            $"{tooLong.Count} printed line(s) longer than the {OutputAreaColumns} columns of Jupyter Notebook's output area:\n{string.Join("\n", tooLong)}");
    }

    public void Dispose()
    {
        Directory.Delete(workspace, recursive: true);
        Directory.Delete(output, recursive: true);
    }
}
