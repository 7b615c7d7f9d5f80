using System.Text.Json.Nodes;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// A headless run saves what a cell's task writes after the cell ended under that cell, as a Jupyter frontend shows
/// it: the text joins the cell's own, a display follows, and the next cell keeps only its own outputs.
/// </summary>
public sealed class LateOutputRunTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("late-output-run-").FullName;

    [Fact]
    public async Task What_a_cells_task_writes_while_the_next_cell_runs_is_saved_under_the_cell_that_started_it()
    {
        var document = new NotebookDocument { Metadata = NotebookDocument.DefaultMetadata() };
        document.Cells.Add(NotebookCell.Code(string.Join('\n',
            "var done = new TaskCompletionSource();",
            "_ = Task.Run(async () =>",
            "{",
            "    await Task.Delay(300);",
            "    Console.WriteLine(\"written later\");",
            "    display(\"shown later\");",
            "    done.SetResult();",
            "});",
            "Console.WriteLine(\"written at once\");")));
        document.Cells.Add(NotebookCell.Code("await done.Task;\nawait Task.Delay(100);\nConsole.WriteLine(\"second cell\");\n6 * 7"));
        var path = Path.Combine(folder, "late.ipynb");
        NotebookFile.Write(document, path);

        var report = await NotebookRunner.RunAsync(path, new RunOptions { OutputDirectory = Path.Combine(folder, "out") });

        Assert.True(report.Succeeded, report.FailedError);
        var saved = NotebookFile.Read(report.ExecutedPath);
        Assert.Equal(["stream written at once\nwritten later\n", "display_data shown later"], Described(saved.Cells[0].Outputs));
        Assert.Equal(["stream second cell\n", "execute_result 42"], Described(saved.Cells[1].Outputs));
        var page = File.ReadAllText(report.HtmlPath);
        Assert.Contains("written at once\nwritten later\n</pre>", page);
        Assert.Contains("shown later", page);
    }

    private static List<string> Described(IEnumerable<JsonObject> outputs) => outputs.Select(o => o["output_type"]!.GetValue<string>() switch
    {
        "stream" => $"stream {o["text"]!.GetValue<string>()}",
        var type => $"{type} {o["data"]!["text/plain"]}",
    }).ToList();

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
