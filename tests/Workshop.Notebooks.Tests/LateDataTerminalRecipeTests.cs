using System.Text.RegularExpressions;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// The commands notebook 05 gives a learner to type in a terminal, run as written (each in a scratch workspace of its
/// own, so no fault stays armed in the day's workspace) and held against what its prose says they show: a stopped
/// consumer longer than the retention period loses the hour from 01:00, and a buffer open across midnight files
/// London's 00:00 reading under the day before.
/// </summary>
public sealed partial class LateDataTerminalRecipeTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-late-data-recipe-").FullName;

    private static string Prose(string marker) =>
        NotebookFile.Read(Path.Combine(WorkshopRun.RepositoryRoot, "notebooks", "05-late-data-and-change.ipynb")).Cells
            .Single(c => c.Kind == CellKind.Markdown && c.Source.Contains(marker, StringComparison.Ordinal)).Source;

    /// <summary>A command line as the notebook writes it, run from a terminal in this test's folder.</summary>
    private (int Exit, string Stdout, string Stderr) Run(string line)
    {
        var words = Word().Matches(line).Select(m => m.Groups["quoted"].Success ? m.Groups["quoted"].Value : m.Value).ToArray();
        Assert.Equal("workshop", words[0]);
        // Only the workspace each command names: one without --workspace would get a path no test makes, never the day's.
        var result = Cli.Capture(folder, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = Cli.NoWorkspace }, words[1..]);
        Assert.True(result.Exit == 0, $"{line}\n{result.Stdout}\n{result.Stderr}");
        return result;
    }

    private static Match Stated(string prose, Regex pattern)
    {
        var stated = pattern.Match(prose);
        Assert.True(stated.Success, prose);
        return stated;
    }

    [Fact]
    public void A_stop_past_the_retention_period_replayed_as_the_notebook_says_loses_the_hour_it_states()
    {
        var prose = Prose("workshop chaos stop-consumer --at 01:00 --for 25h");
        var lines = Stated(prose, FencedBlock()).Groups["block"].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line => Assert.Contains(" --workspace stop-lab", line));
        Assert.Equal("workshop chaos clear --workspace stop-lab", lines[^1]);

        var outputs = lines.Select(Run).ToList();

        var summary = Stated(prose, StatedSummary());
        var simulate = outputs[lines.ToList().FindIndex(l => l.StartsWith("workshop simulate", StringComparison.Ordinal))].Stdout;
        Assert.Matches($@"Readings put on the stream\s*│\s*{summary.Groups["put"].Value}\s", simulate);
        Assert.Matches($@"Records delivered to the lake\s*│\s*{summary.Groups["delivered"].Value}\s", simulate);
        var hour = Stated(prose, StatedHour());
        var query = lines.Single(l => l.StartsWith("workshop query", StringComparison.Ordinal));
        Assert.Matches($@"│\s*{hour.Groups["lost"].Value}\s*│", Run(query).Stdout);
        Assert.Matches($@"│\s*{hour.Groups["other"].Value}\s*│", Run(query.Replace("2025-01-14T01%", "2025-01-14T02%", StringComparison.Ordinal)).Stdout);
        Assert.Contains("No faults are on", Run("workshop chaos list --workspace stop-lab").Stdout);
    }

    [Fact]
    public void A_buffer_open_across_midnight_files_the_first_reading_of_the_day_under_the_day_before()
    {
        var prose = Prose("A buffer open across midnight");
        var simulate = Stated(prose, MidnightReplay()).Groups["command"].Value;
        Assert.Contains("files London's 00:00 reading under `day=14`, with the 23:59 one", prose);

        Run(simulate);
        Run("workshop crawl --workspace midnight-lab");
        var days = Run("workshop query --workspace midnight-lab --format csv \"SELECT collection_time, day FROM raw_weather_data " +
                       "WHERE city = 'London' AND collection_time BETWEEN '2025-01-14T23:59' AND '2025-01-15T00:02' ORDER BY collection_time\"");
        Assert.Equal("\"collection_time\",\"day\"\n\"2025-01-14T23:59:00.000Z\",\"14\"\n\"2025-01-15T00:00:00.000Z\",\"14\"\n\"2025-01-15T00:01:00.000Z\",\"15\"",
            days.Stdout.Trim().ReplaceLineEndings("\n"));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [GeneratedRegex(@"""(?<quoted>[^""]*)""|\S+")]
    private static partial Regex Word();

    [GeneratedRegex(@"```\n(?<block>.*?)```", RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"summary shows (?<put>[\d,]+) readings put and (?<delivered>[\d,]+) delivered")]
    private static partial Regex StatedSummary();

    [GeneratedRegex(@"from 01:00\s+to 01:59 on the 14th: (?<lost>\d+), where every other hour of the replay has (?<other>\d+)")]
    private static partial Regex StatedHour();

    [GeneratedRegex(@"`(?<command>workshop simulate [^`]*--workspace midnight-lab)`")]
    private static partial Regex MidnightReplay();
}
