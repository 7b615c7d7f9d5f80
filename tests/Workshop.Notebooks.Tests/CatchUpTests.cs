using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// A learner who opens the challenges first (absent for Task 3, or revising alone) gets a working notebook: the
/// catch-up makes what Task 3 would have left behind.
/// </summary>
public sealed class CatchUpTests : IDisposable
{
    private readonly string workspace = Directory.CreateTempSubdirectory("catch-up-ws-").FullName;
    private readonly string output = Directory.CreateTempSubdirectory("catch-up-out-").FullName;

    [Fact]
    public void The_challenges_notebook_runs_alone_on_a_fresh_workspace()
    {
        var exit = Cli.RunIn(WorkshopRun.RepositoryRoot, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = workspace }, out var log,
            "run", "notebooks/09-challenges.ipynb", "--out", output);

        Assert.True(exit == 0, log);
        var executed = NotebookFile.Read(Path.Combine(output, "notebooks", "09-challenges.ipynb"));
        var texts = executed.Cells.SelectMany(c => c.Outputs).Select(o => o.ToJsonString()).ToList();
        var catchUp = texts.First(t => t.Contains("Where Task 3 ends:", StringComparison.Ordinal));
        Assert.Contains("crawled the lake into raw_weather_data", catchUp);
        Assert.Contains("typed measurement_time as timestamp", catchUp);
        Assert.Contains("created the clean_weather_data view", catchUp);
        // The starters then run against the view and are graded, not failed with TABLE_NOT_FOUND.
        Assert.Equal(4, texts.Count(t => t.Contains("Not yet", StringComparison.Ordinal)));
        Assert.DoesNotContain(texts, t => t.Contains("TABLE_NOT_FOUND", StringComparison.Ordinal));
    }

    [Fact]
    public void Catching_up_twice_changes_nothing_the_second_time()
    {
        var first = Cli.RunIn(WorkshopRun.RepositoryRoot, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = workspace }, out var firstLog,
            "run", "notebooks/solutions/challenge-solutions.ipynb", "--out", output);
        var second = Cli.RunIn(WorkshopRun.RepositoryRoot, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = workspace }, out var secondLog,
            "run", "notebooks/solutions/challenge-solutions.ipynb", "--out", output);

        Assert.True(first == 0, firstLog);
        Assert.True(second == 0, secondLog);
        var executed = NotebookFile.Read(Path.Combine(output, "notebooks", "solutions", "challenge-solutions.ipynb"));
        var catchUp = executed.Cells.SelectMany(c => c.Outputs).Select(o => o.ToJsonString()).First(t => t.Contains("Where Task 3 ends:", StringComparison.Ordinal));
        Assert.Contains("raw_weather_data and clean_weather_data are in place", catchUp);
    }

    public void Dispose()
    {
        Directory.Delete(workspace, recursive: true);
        Directory.Delete(output, recursive: true);
    }
}
