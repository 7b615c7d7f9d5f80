using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>`workshop run --workspace F` runs the notebooks in F, as every other verb does with that option.</summary>
public sealed class RunWorkspaceOptionTests : IDisposable
{
    private readonly string workspace = Directory.CreateTempSubdirectory("run-option-ws-").FullName;
    private readonly string output = Directory.CreateTempSubdirectory("run-option-out-").FullName;

    [Fact]
    public void The_notebooks_connect_to_the_workspace_the_option_names()
    {
        var exit = Cli.RunIn(WorkshopRun.RepositoryRoot, new Dictionary<string, string>(), out var log,
            "run", "notebooks/00-introduction.ipynb", "--workspace", workspace, "--out", output);

        Assert.True(exit == 0, log);
        var executed = NotebookFile.Read(Path.Combine(output, "notebooks", "00-introduction.ipynb"));
        var shown = string.Concat(executed.Cells.SelectMany(c => c.Outputs).Select(o => o.ToJsonString()));
        Assert.Contains(workspace, shown);
    }

    public void Dispose()
    {
        Directory.Delete(workspace, recursive: true);
        Directory.Delete(output, recursive: true);
    }
}
