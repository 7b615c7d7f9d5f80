using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>The test notebooks, copied beside the test assembly.</summary>
internal static class Corpus
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Corpus");

    public static string PathOf(string name) => Path.Combine(Folder, name);

    public static IEnumerable<object[]> All() => Directory.GetFiles(Folder).Where(f => f.EndsWith(".ipynb") || f.EndsWith(".dib")).Select(f => new object[] { Path.GetFileName(f) });

    public static async Task<(NotebookRunReport Report, NotebookDocument Executed)> RunAsync(string name, string output, bool continueOnError = false)
    {
        var report = await NotebookRunner.RunAsync(PathOf(name), new RunOptions { OutputDirectory = output, ContinueOnError = continueOnError });
        return (report, NotebookFile.Read(report.ExecutedPath));
    }
}
