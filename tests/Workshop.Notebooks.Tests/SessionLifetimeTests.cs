using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// A notebook's end closes the workshop sessions its cells opened, as a kernel that stops would: the files made ahead
/// for their writes are gone from tmp/ and nothing goes on writing in the workspace, so it can be deleted right away.
/// </summary>
public sealed class SessionLifetimeTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("session-lifetime-").FullName;

    private string Workspace => Path.Combine(folder, "ws");

    /// <summary>A cell that waits for files made ahead in tmp/ and prints whether there are any.</summary>
    private string CountSpareFilesCell() =>
        $"var tmp = @\"{Path.Combine(Workspace, "tmp")}\";\n" +
        "var deadline = DateTime.UtcNow.AddSeconds(10);\n" +
        "while (Directory.GetFiles(tmp, \"*.part\").Length == 0 && DateTime.UtcNow < deadline) await Task.Delay(5);\n" +
        "Console.WriteLine($\"files made ahead: {Directory.GetFiles(tmp, \"*.part\").Length > 0}\");";

    [Fact]
    public async Task A_notebook_run_closes_the_sessions_its_cells_opened()
    {
        var document = new NotebookDocument { Metadata = NotebookDocument.DefaultMetadata() };
        document.Cells.Add(NotebookCell.Code(DisplayTests.SimulatedHourCells(Workspace)[0]));
        document.Cells.Add(NotebookCell.Code("var same = workshop;"));
        document.Cells.Add(NotebookCell.Code(CountSpareFilesCell()));
        var path = Path.Combine(folder, "lifetime.ipynb");
        NotebookFile.Write(document, path);

        var report = await NotebookRunner.RunAsync(path, new RunOptions { OutputDirectory = Path.Combine(folder, "out") });

        Assert.True(report.Succeeded, report.FailedError);
        var printed = NotebookFile.Read(report.ExecutedPath).Cells[2].Outputs.Single()["text"]!.ToString();
        Assert.Contains("files made ahead: True", printed);
        Assert.Empty(Directory.GetFiles(Path.Combine(Workspace, "tmp"), "*.part"));
        Directory.Delete(Workspace, recursive: true);
        Thread.Sleep(100);
        Assert.False(Directory.Exists(Workspace));
    }

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
