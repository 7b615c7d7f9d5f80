using System.Text.Json.Nodes;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// Acceptance: README's main command (`workshop run` from the repository root) runs workshop.dib and every
/// notebook under notebooks/ in order, on a fresh workspace, with no error output, leaving executed copies and
/// HTML pages with their charts.
/// </summary>
public sealed class WorkshopNotebooksTests : IDisposable
{
    private readonly string workspace = Directory.CreateTempSubdirectory("workshop-notebooks-ws-").FullName;
    private readonly string output = Directory.CreateTempSubdirectory("workshop-notebooks-out-").FullName;

    private static string RepositoryRoot
    {
        get
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
                if (File.Exists(Path.Combine(folder.FullName, "workshop.dib"))) return folder.FullName;
            throw new DirectoryNotFoundException("workshop.dib is not above the test assembly.");
        }
    }

    [Fact]
    public void Every_workshop_notebook_runs_in_order_without_an_error()
    {
        var exit = Cli.RunIn(RepositoryRoot, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = workspace }, out var text, "run", "--out", output);

        Assert.True(exit == 0, text);
        // Pages keep the repository's layout: out/workshop.html, out/notebooks/..., out/notebooks/solutions/...
        var expected = NotebookRunner.DefaultNotebooks(RepositoryRoot).Select(p => Path.ChangeExtension(Path.GetRelativePath(RepositoryRoot, p), null)).ToList();
        Assert.Equal("workshop", expected[0]);
        Assert.Contains(Path.Combine("notebooks", "03-task3-lake-exploration"), expected);
        Assert.Contains(Path.Combine("notebooks", "solutions", "challenge-solutions"), expected);
        foreach (var name in expected)
        {
            var executed = NotebookFile.Read(Path.Combine(output, name + ".ipynb"));
            var outputs = executed.Cells.SelectMany(c => c.Outputs).ToList();
            var errors = outputs.Where(o => o["output_type"]!.GetValue<string>() == "error").ToList();
            Assert.True(errors.Count == 0, $"{name}: {string.Join("; ", errors.Select(e => e["evalue"]))}");
            foreach (var each in outputs) DisplayTests.AssertNoObjectTree(each.ToJsonString());
            Assert.True(File.Exists(Path.Combine(output, name + ".html")), name);
        }
        var task3 = File.ReadAllText(Path.Combine(output, "notebooks", "03-task3-lake-exploration.html"));
        Assert.Equal(4, task3.Split("var renderPlotly_").Length - 1); // the four charts of Task 3
        Assert.True(File.Exists(Path.Combine(output, "index.html")));
    }

    [Fact]
    public void Source_notebooks_are_committed_without_outputs()
    {
        foreach (var path in NotebookRunner.DefaultNotebooks(RepositoryRoot).Where(p => p.EndsWith(".ipynb")))
        {
            var json = JsonNode.Parse(File.ReadAllText(path))!;
            Assert.All(json["cells"]!.AsArray().Where(c => c!["cell_type"]!.GetValue<string>() == "code"),
                cell => Assert.Empty(cell!["outputs"]!.AsArray()));
        }
    }

    public void Dispose()
    {
        Directory.Delete(workspace, recursive: true);
        Directory.Delete(output, recursive: true);
    }
}
