using System.Text.RegularExpressions;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// README says to edit a notebook and run it again. The sections of 04 and 05 that run on a lab of their own (a clock
/// of their own set to January 2025, a stream resharded, a delivery stream changed) must then show what they showed
/// the first time, not fail because the earlier run left the lab's clock later than the day they start.
/// </summary>
public sealed partial class RerunTests : IDisposable
{
    private static readonly string[] Notebooks = ["notebooks/04-stream-behaviour.ipynb", "notebooks/05-late-data-and-change.ipynb"];
    private readonly string workspace = Directory.CreateTempSubdirectory("workshop-rerun-ws-").FullName;
    private readonly string firstOut = Directory.CreateTempSubdirectory("workshop-rerun-1-").FullName;
    private readonly string secondOut = Directory.CreateTempSubdirectory("workshop-rerun-2-").FullName;

    [Fact]
    public void The_lab_sections_of_04_and_05_show_the_same_outputs_when_run_again_on_the_same_workspace()
    {
        var environment = new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = workspace };
        Assert.True(Cli.RunIn(WorkshopRun.RepositoryRoot, environment, out var firstLog, ["run", .. Notebooks, "--out", firstOut]) == 0, firstLog);
        Assert.True(Cli.RunIn(WorkshopRun.RepositoryRoot, environment, out var secondLog, ["run", .. Notebooks, "--out", secondOut]) == 0, secondLog);

        // One cell from each lab: its text shows the lab's shards, records and objects.
        AssertSameOutput("04-stream-behaviour.ipynb", "await lab.ReshardAsync(2)");
        AssertSameOutput("05-late-data-and-change.ipynb", "HAVING COUNT(*) >= 2");
        AssertSameOutput("05-late-data-and-change.ipynb", "ProducerLogsAsync");
        AssertSameOutput("05-late-data-and-change.ipynb", "FROM weather_projected");
    }

    private void AssertSameOutput(string notebook, string sourceMarker)
    {
        // A query's wall-clock run time is the one thing that may change between runs.
        string Shown(string output) => RunTime().Replace(ExecutedNotebook.OutputOf(ExecutedNotebook.CodeCells(output, notebook), sourceMarker), "Run time: T sec");
        var first = Shown(firstOut);
        var second = Shown(secondOut);
        Assert.False(string.IsNullOrWhiteSpace(first), $"{notebook}: the cell with '{sourceMarker}' showed nothing.");
        Assert.Equal(first, second);
    }

    /// <summary>
    /// `workshop run` of the whole day on a workspace that already holds a day says so, once, before anything runs,
    /// with the command that starts clean; on a fresh workspace it says nothing of the kind.
    /// </summary>
    [Fact]
    public void The_whole_day_run_again_says_first_that_the_workspace_already_holds_a_day()
    {
        // A day of one trivial notebook, so the test is about the notice and not about the workshop's notebooks.
        var day = Directory.CreateTempSubdirectory("workshop-rerun-day-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(day, "workshop.dib"), "#!csharp\n\n1 + 1\n");
            var environment = new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = workspace };
            Assert.True(Cli.RunIn(day, environment, out var firstLog, "run", "--out", firstOut) == 0, firstLog);
            Assert.DoesNotContain("already holds a day", firstLog);

            Assert.True(Cli.RunIn(day, environment, out var simulated, "simulate", "--duration", "10m", "--start", "2025-01-14T00:00:00Z") == 0, simulated);
            Assert.True(Cli.RunIn(day, environment, out var secondLog, "run", "--out", secondOut) == 0, secondLog);
            Assert.Single(Regex.Matches(secondLog, "already holds a day"));
            Assert.Contains($"The workspace {workspace} already holds a day replayed from 2025-01-14 00:00 to 2025-01-14 00:10 UTC.", secondLog);
            Assert.Contains("run 'workshop reset' first for a fresh day.", secondLog);
        }
        finally
        {
            Directory.Delete(day, recursive: true);
        }
    }

    [GeneratedRegex(@"Run time: [0-9.]+ sec")]
    private static partial Regex RunTime();

    public void Dispose()
    {
        foreach (var folder in new[] { workspace, firstOut, secondOut }) Directory.Delete(folder, recursive: true);
    }
}
