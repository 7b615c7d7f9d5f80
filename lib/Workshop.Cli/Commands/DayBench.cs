using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using StreamingWorkshop.Notebooks;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>
/// `bench day`: the learner's whole day (workshop.dib and every notebook) run as `workshop run` runs it, in a fresh
/// child process on a fresh copy, with its time per notebook, the first cell's cold time and the slowest cells.
/// </summary>
internal static partial class DayBench
{
    private const string CellTimePrefix = "cell-ms: ";
    private const string FirstCellPrefix = "first-cell-ms: ";
    private static readonly TimeSpan DayGoal = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan FirstCellGoal = TimeSpan.FromSeconds(1);

    public static void AddTo(RootCommand root) => BenchCommand.GetOrAdd(root).Subcommands.Add(Command());

    /// <summary>The line `run --print-cell-times` writes per executed cell: time, cell number, notebook, first line.</summary>
    internal static string CellTimeLine(string notebook, CellTime cell) =>
        string.Create(CultureInfo.InvariantCulture, $"{CellTimePrefix}{cell.Elapsed.TotalMilliseconds:0}\t{cell.Cell}\t{notebook}\t{cell.FirstLine}");

    private sealed record SlowCell(string Notebook, int Cell, string FirstLine, double Milliseconds);

    private sealed record DayRun(TimeSpan Whole, double? FirstCellMilliseconds, IReadOnlyList<(string Notebook, double Seconds)> Notebooks, IReadOnlyList<SlowCell> Cells);

    private static Command Command()
    {
        var root = new Option<string>("--root") { Description = "The repository whose workshop.dib and notebooks/ are run (default: the current folder).", DefaultValueFactory = _ => "." };
        var baseline = new Option<string?>("--baseline") { Description = "Another build's workshop.dll (or workshop apphost): the same day is run with it too, alternately, and compared." };
        var rounds = new Option<int>("--rounds") { Description = "Days run per build; the fastest is reported.", DefaultValueFactory = _ => 1 }.WithRange(1, 10);
        var json = BenchReport.JsonOption();
        var command = new Command("day", "Run the whole day cold as `workshop run` does, on a copy in a fresh workspace: time per notebook, first cell, slowest cells.") { root, baseline, rounds, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var jsonPath = BenchReport.CheckJsonPath(parse.GetValue(json));
            var repository = Path.GetFullPath(parse.GetValue(root)!);
            if (!File.Exists(Path.Combine(repository, "workshop.dib")) || !Directory.Exists(Path.Combine(repository, "notebooks")))
                throw new ArgumentException($"--root '{parse.GetValue(root)}' has no workshop.dib and notebooks/ folder. Give the repository's root folder.");
            IReadOnlyList<string>? before = null;
            if (parse.GetValue(baseline) is { } other)
            {
                var path = Path.GetFullPath(other);
                if (!File.Exists(path)) throw new ArgumentException($"--baseline '{other}' does not exist. Give the path of another build's workshop.dll.");
                before = path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? [DotnetHost(), path] : [path];
            }

            var current = KernelCommands.Launcher();
            DayRun? fastest = null, fastestBefore = null;
            for (var round = 0; round < parse.GetValue(rounds); round++)
            {
                // One build after the other in each round, so a busy moment on the machine falls on both.
                if (before is not null)
                {
                    var run = await RunDayAsync(repository, before, cellTimes: false, cancellationToken);
                    if (fastestBefore is null || run.Whole < fastestBefore.Whole) fastestBefore = run;
                }
                var mine = await RunDayAsync(repository, current, cellTimes: true, cancellationToken);
                if (fastest is null || mine.Whole < fastest.Whole) fastest = mine;
            }

            var report = new BenchReport("day");
            Print(report, fastest!, fastestBefore);
            report.WriteJson(jsonPath);
            return 0;
        });
        return command;
    }

    private static void Print(BenchReport report, DayRun after, DayRun? before)
    {
        var perNotebook = before is null
            ? report.Table("Time per notebook", "Notebook", "Time")
            : report.Table("Time per notebook", "Notebook", "Before", "After", "After/before");
        foreach (var (notebook, seconds) in after.Notebooks)
        {
            var time = BenchValue.Seconds(TimeSpan.FromSeconds(seconds));
            if (before is null) { perNotebook.AddRow(Short(notebook, 36), time); continue; }
            var old = before.Notebooks.FirstOrDefault(n => n.Notebook == notebook).Seconds;
            perNotebook.AddRow(Short(notebook, 36), BenchValue.Seconds(TimeSpan.FromSeconds(old)), time, old > 0 ? BenchValue.Ratio(seconds / old) : "-");
        }
        report.Print(perNotebook);

        var firstCell = after.FirstCellMilliseconds is { } ms ? BenchValue.Milliseconds(TimeSpan.FromMilliseconds(ms)) : "?";
        var day = before is null
            ? report.Table("The day", "Measure", "Time", "Goal")
            : report.Table("The day", "Measure", "Before", "After", "After/before", "Goal");
        if (before is null)
        {
            day.AddRow("Whole day, process start to end", BenchValue.Seconds(after.Whole), $"<= {DayGoal.TotalSeconds:0} s");
            day.AddRow("First cell, cold", firstCell, $"<= {FirstCellGoal.TotalMilliseconds:N0} ms");
        }
        else
        {
            var oldFirst = before.FirstCellMilliseconds is { } b ? BenchValue.Milliseconds(TimeSpan.FromMilliseconds(b)) : "?";
            day.AddRow("Whole day", BenchValue.Seconds(before.Whole), BenchValue.Seconds(after.Whole), BenchValue.Ratio(after.Whole / before.Whole), $"<= {DayGoal.TotalSeconds:0} s");
            day.AddRow("First cell, cold", oldFirst, firstCell,
                before.FirstCellMilliseconds is { } o && after.FirstCellMilliseconds is { } n && o > 0 ? BenchValue.Ratio(n / o) : "-", $"<= {FirstCellGoal.TotalMilliseconds:N0} ms");
        }
        report.Print(day);
        report.Figure("daySeconds", after.Whole.TotalSeconds, "s", goal: $"<= {DayGoal.TotalSeconds:0}");
        report.Figure("dayToGoalRatio", after.Whole / DayGoal, "x", goal: "<= 1");
        if (after.FirstCellMilliseconds is { } first) report.Figure("firstCellMilliseconds", first, "ms", goal: $"<= {FirstCellGoal.TotalMilliseconds:0}");
        if (before is not null)
        {
            report.Figure("baselineDaySeconds", before.Whole.TotalSeconds, "s");
            report.Figure("dayAfterToBeforeRatio", after.Whole / before.Whole, "x", goal: "< 1");
            if (before.FirstCellMilliseconds is { } old) report.Figure("baselineFirstCellMilliseconds", old, "ms");
        }

        var slowest = report.Table("The ten slowest cells", "Notebook", "Cell", "First line", "Time");
        foreach (var cell in after.Cells.OrderByDescending(c => c.Milliseconds).Take(10))
            slowest.AddRow(Short(cell.Notebook, 20), BenchValue.Of(cell.Cell, "0"), Short(cell.FirstLine, 26), BenchValue.Milliseconds(TimeSpan.FromMilliseconds(cell.Milliseconds)));
        report.Print(slowest);
    }

    private static string Short(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";

    private static string DotnetHost() =>
        Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet" ? Environment.ProcessPath! : "dotnet";

    /// <summary>Copies the day into a fresh folder, runs it in a child process, and reads the figures the run left.</summary>
    private static async Task<DayRun> RunDayAsync(string repository, IReadOnlyList<string> launcher, bool cellTimes, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("workshop-bench-day-").FullName;
        try
        {
            File.Copy(Path.Combine(repository, "workshop.dib"), Path.Combine(folder, "workshop.dib"));
            CopyFolder(Path.Combine(repository, "notebooks"), Path.Combine(folder, "notebooks"));
            // Pictures the notebooks embed in their pages.
            if (Directory.Exists(Path.Combine(repository, "images"))) CopyFolder(Path.Combine(repository, "images"), Path.Combine(folder, "images"));

            var info = new ProcessStartInfo(launcher[0]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
            foreach (var argument in launcher.Skip(1)) info.ArgumentList.Add(argument);
            foreach (var argument in new[] { "run", "--out", Path.Combine(folder, "out"), NotebookCommands.FirstCellTimeOption }) info.ArgumentList.Add(argument);
            if (cellTimes) info.ArgumentList.Add(NotebookCommands.CellTimesOption);
            // A fresh workspace beside the copy, on the local backend, whatever this shell has chosen.
            info.Environment.Remove(StreamingWorkshop.Storage.WorkspaceDirectory.EnvironmentVariable);
            info.Environment.Remove("WORKSHOP_BACKEND");
            var watch = Stopwatch.StartNew();
            using var child = Process.Start(info)!;
            var output = child.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = child.StandardError.ReadToEndAsync(cancellationToken);
            await child.WaitForExitAsync(cancellationToken);
            var whole = watch.Elapsed;
            var lines = (await output).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            if (child.ExitCode != 0)
            {
                var said = (await error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no message";
                throw new InvalidOperationException($"The day failed under {string.Join(' ', launcher)} (exit code {child.ExitCode}): {said}");
            }

            var first = lines.FirstOrDefault(l => l.StartsWith(FirstCellPrefix, StringComparison.Ordinal)) is { } line
                ? double.Parse(line[FirstCellPrefix.Length..], CultureInfo.InvariantCulture) : (double?)null;
            var cells = lines.Where(l => l.StartsWith(CellTimePrefix, StringComparison.Ordinal))
                .Select(l => l[CellTimePrefix.Length..].Split('\t', 4))
                .Select(p => new SlowCell(Path.GetFileNameWithoutExtension(p[2]), int.Parse(p[1], CultureInfo.InvariantCulture), p[3], double.Parse(p[0], CultureInfo.InvariantCulture)))
                .ToList();
            return new DayRun(whole, first, NotebookTimes(Path.Combine(folder, "out", "index.html")), cells);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Each notebook's time from the run's index page, which every build of the kit writes the same way.</summary>
    private static List<(string Notebook, double Seconds)> NotebookTimes(string indexPage)
    {
        if (!File.Exists(indexPage)) return [];
        return IndexRow().Matches(File.ReadAllText(indexPage))
            .Select(m => (Path.GetFileNameWithoutExtension(WebUtility.HtmlDecode(m.Groups["name"].Value)), double.Parse(m.Groups["seconds"].Value, CultureInfo.InvariantCulture)))
            .ToList();
    }

    [GeneratedRegex("""download href="[^"]*">(?<name>[^<]+)</a></td><td>[^<]*</td><td>(?<seconds>[0-9.]+) s</td>""")]
    private static partial Regex IndexRow();

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var folder in Directory.EnumerateDirectories(from))
        {
            var name = Path.GetFileName(folder);
            // Checkpoints, earlier runs' outputs and workspaces are not part of the day.
            if (name is ".ipynb_checkpoints" or "out" or ".workshop") continue;
            CopyFolder(folder, Path.Combine(to, name));
        }
    }
}
