using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// `workshop run` keeps the JIT's startup record in the workspace the notebooks use: the runtime writes it there as
/// the process ends, a damaged record changes nothing a learner sees, and a run with no workspace makes none for it
/// unless it runs in a workshop's own folder.
/// </summary>
public sealed class StartupProfileRunTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("startup-run-").FullName;

    private string Notebook()
    {
        var path = Path.Combine(folder, "one-cell.dib");
        File.WriteAllText(path, "#!csharp\n\nvar cities = new[] { \"London\", \"Leeds\" };\nstring.Join(\" and \", cities)\n");
        return path;
    }

    private (int Exit, string Log, string Shown) Run(string notebook, params string[] options)
    {
        var output = Path.Combine(folder, "out-" + Guid.NewGuid().ToString("N"));
        var exit = Cli.RunIn(folder, new Dictionary<string, string>(), out var log, ["run", notebook, "--out", output, .. options]);
        var executed = exit == 0 ? NotebookFile.Read(Path.Combine(output, Path.GetFileNameWithoutExtension(notebook) + ".ipynb")) : null;
        var shown = executed is null ? "" : string.Concat(executed.Cells.SelectMany(c => c.Outputs).Select(o => o["data"]?["text/plain"]?.ToString()));
        return (exit, log, shown);
    }

    [Fact]
    public void The_runtime_leaves_its_record_in_the_named_workspace()
    {
        var workspace = Path.Combine(folder, "workspace");

        var (exit, log, shown) = Run(Notebook(), "--workspace", workspace);

        Assert.True(exit == 0, log);
        Assert.Equal("London and Leeds", shown);
        var record = new FileInfo(Path.Combine(workspace, "startup", "run.jitprofile"));
        Assert.True(record.Exists && record.Length > 1024, $"No startup record in {record.DirectoryName}: {log}");
    }

    [Fact]
    public void A_damaged_record_changes_nothing_the_run_shows()
    {
        var workspace = Path.Combine(folder, "workspace");
        var notebook = Notebook();
        var first = Run(notebook, "--workspace", workspace);
        Assert.True(first.Exit == 0, first.Log);
        var record = Path.Combine(workspace, "startup", "run.jitprofile");
        var damaged = File.ReadAllBytes(record);
        var random = new Random(7);
        // The header stays, so the runtime reads on into records that name methods and types that do not exist.
        for (var i = 0; i < 400; i++) damaged[random.Next(64, damaged.Length)] = (byte)random.Next(256);
        File.WriteAllBytes(record, damaged);

        var second = Run(notebook, "--workspace", workspace);

        Assert.True(second.Exit == 0, second.Log);
        Assert.Equal(first.Shown, second.Shown);
    }

    [Fact]
    public void A_run_with_no_workspace_makes_none_for_the_record()
    {
        var (exit, log, shown) = Run(Notebook());

        Assert.True(exit == 0, log);
        Assert.Equal("London and Leeds", shown);
        Assert.False(Directory.Exists(Path.Combine(folder, ".workshop")), log);
    }

    [Fact]
    public void A_run_in_a_workshops_folder_makes_its_workspace_for_the_record()
    {
        File.WriteAllText(Path.Combine(folder, "workshop.dib"), "#!csharp\n\n1 + 1\n");

        var (exit, log, shown) = Run(Notebook());

        Assert.True(exit == 0, log);
        Assert.Equal("London and Leeds", shown);
        var record = new FileInfo(Path.Combine(folder, ".workshop", "startup", "run.jitprofile"));
        Assert.True(record.Exists && record.Length > 1024, $"No startup record in {record.DirectoryName}: {log}");
    }

    [Fact]
    public void The_build_leaves_its_record_beside_the_CLI()
    {
        // The CLI's own output folder, in the configuration and framework this test was built for (bin/Debug/net10.0).
        var configuration = Path.GetRelativePath(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..")), AppContext.BaseDirectory);
        var record = new FileInfo(Path.Combine(WorkshopRun.RepositoryRoot, "lib", "Workshop.Cli", "bin", configuration, "startup", "run.jitprofile"));

        // Made only when the build's run of StartupProfile.dib succeeded, so a notebook the kit no longer runs shows here.
        Assert.True(record.Exists && record.Length > 1024, $"The build left no startup record at {record.FullName}.");
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
