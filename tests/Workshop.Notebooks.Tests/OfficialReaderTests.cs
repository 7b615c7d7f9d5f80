using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// An independent reader: Microsoft.DotNet.Interactive.Documents, the parser Polyglot Notebooks used for .dib and
/// .ipynb files, reads every notebook of the repository and the executed copies `workshop run` writes, and must see
/// the same cells, kernel names and sources as the kit's own reader.
/// </summary>
public sealed class OfficialReaderTests : IDisposable
{
    private readonly string workspace = Directory.CreateTempSubdirectory("official-reader-ws-").FullName;
    private readonly string output = Directory.CreateTempSubdirectory("official-reader-out-").FullName;

    public void Dispose()
    {
        Directory.Delete(workspace, recursive: true);
        Directory.Delete(output, recursive: true);
    }

    private static string RepositoryRoot
    {
        get
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
                if (File.Exists(Path.Combine(folder.FullName, "workshop.dib"))) return folder.FullName;
            throw new DirectoryNotFoundException("workshop.dib is not above the test assembly.");
        }
    }

    // The kernels the workshop's notebooks use, as Polyglot Notebooks would announce them.
    private static KernelInfoCollection Kernels() => new()
    {
        new KernelInfo("csharp", languageName: "C#", aliases: ["c#", "C#", "cs"]),
        new KernelInfo("markdown", languageName: "Markdown", aliases: ["md"]),
        new KernelInfo("value"),
    };

    private static InteractiveDocument ReadOfficially(string path)
    {
        var text = File.ReadAllText(path);
        var kernels = Kernels();
        kernels.DefaultKernelName = "csharp";
        return path.EndsWith(".dib", StringComparison.OrdinalIgnoreCase) ? CodeSubmission.Parse(text, kernels) : Notebook.Parse(text, kernels);
    }

    private static string Normalized(string source) => source.Replace("\r\n", "\n").TrimEnd('\n');

    /// <summary>One line per cell, kernel name then source, so a difference shows as a readable diff.</summary>
    private static List<string> ByKit(string path) =>
        NotebookFile.Read(path).Cells.Select(c => $"[{c.Language}] {Normalized(c.Source)}").ToList();

    private static List<string> ByOfficialReader(string path) =>
        ReadOfficially(path).Elements.Select(e => $"[{e.KernelName}] {Normalized(e.Contents)}").ToList();

    public static TheoryData<string> RepositoryNotebooks()
    {
        var root = RepositoryRoot;
        var data = new TheoryData<string> { "workshop.dib" };
        foreach (var path in Directory.EnumerateFiles(Path.Combine(root, "notebooks"), "*.ipynb", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(root, path));
        return data;
    }

    [Theory]
    [MemberData(nameof(RepositoryNotebooks))]
    public void The_official_reader_sees_the_same_cells_as_the_kit(string notebook)
    {
        var path = Path.Combine(RepositoryRoot, notebook);
        var kit = ByKit(path);

        Assert.NotEmpty(kit);
        Assert.Equal(kit, ByOfficialReader(path));
    }

    [Fact]
    public void The_official_reader_sees_the_same_cells_in_the_executed_copies_the_runner_writes()
    {
        var root = RepositoryRoot;
        string[] notebooks = [Path.Combine(root, "notebooks", "00-introduction.ipynb"), Path.Combine(root, "notebooks", "01-task1-environment.ipynb")];
        var exit = Cli.RunIn(root, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = workspace }, out var text, ["run", .. notebooks, "--out", output]);
        Assert.True(exit == 0, text);

        // Found wherever the runner lays them out under its output folder.
        var executed = Directory.EnumerateFiles(output, "*.ipynb", SearchOption.AllDirectories).ToList();
        Assert.Equal(["00-introduction.ipynb", "01-task1-environment.ipynb"], executed.Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var copy in executed)
        {
            var kit = NotebookFile.Read(copy);
            Assert.Contains(kit.Cells, c => c.Outputs.Count > 0);
            Assert.Equal(ByKit(copy), ByOfficialReader(copy));
            // Outputs too: the official reader finds one on every cell where the kit wrote one.
            Assert.Equal(kit.Cells.Select(c => c.Outputs.Count > 0), ReadOfficially(copy).Elements.Select(e => e.Outputs.Count > 0));
        }
    }
}
