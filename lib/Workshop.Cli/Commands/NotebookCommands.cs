using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using StreamingWorkshop.Notebooks;
using StreamingWorkshop.Simulation;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>run, convert and bench notebook: the kit's own notebook engine from the command line.</summary>
internal static class NotebookCommands
{
    public static void AddTo(RootCommand root)
    {
        root.Subcommands.Add(Run());
        root.Subcommands.Add(Convert());
        BenchCommand.GetOrAdd(root).Subcommands.Add(Bench());
    }

    internal const string FirstCellTimeOption = "--print-first-cell-time";
    internal const string CellTimesOption = "--print-cell-times";

    private static Command Run()
    {
        var paths = new Argument<string[]>("paths") { Description = "Notebooks to run (default: workshop.dib, then notebooks/ in order, then notebooks/solutions/).", Arity = ArgumentArity.ZeroOrMore };
        var output = new Option<string>("--out") { Description = "Folder for executed notebooks and HTML pages.", DefaultValueFactory = _ => "out" };
        var continueOnError = new Option<bool>("--continue-on-error") { Description = "Run the remaining cells after a failing one." };
        var paced = new Option<bool>("--paced") { Description = "Let live runs keep the wall clock's pace, as a learner watching them sees (by default they do not wait)." };
        var timeout = new Option<int>("--cell-timeout") { Description = "Seconds a cell may run.", DefaultValueFactory = _ => 120 }.WithRange(1, unit: " seconds");
        // For `bench notebook` only: the child run prints when its first cell finished, counted from process start.
        var printFirstCellTime = new Option<bool>(FirstCellTimeOption) { Hidden = true };
        // For `bench day` only: each executed cell's time, one line per cell, after its notebook.
        var printCellTimes = new Option<bool>(CellTimesOption) { Hidden = true };
        var command = new Command("run", "Run notebooks headless and save executed copies and HTML pages.") { paths, output, continueOnError, paced, timeout, printFirstCellTime, printCellTimes };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var wholeDay = parse.GetValue(paths) is not { Length: > 0 };
            var list = wholeDay ? NotebookRunner.DefaultNotebooks(Directory.GetCurrentDirectory()).ToList() : parse.GetValue(paths)!.ToList();
            if (list.Count == 0)
            {
                Terminal.Tell("No notebooks to run: there is no workshop.dib here and nothing under notebooks/. Give paths, or run from the repository root.");
                return 2;
            }
            foreach (var folder in list.Where(Directory.Exists))
                throw new ArgumentException($"Notebook '{folder}' is a folder, not a file. Give the .ipynb or .dib files in it.");
            foreach (var missing in list.Where(p => !File.Exists(p)))
                throw new ArgumentException($"Notebook '{missing}' does not exist. Check the path.");
            // Every notebook is read (and checked) before any runs, so a broken one fails the run at once.
            foreach (var path in list) NotebookFile.Read(path);
            // Notebooks connect with Workshop.ConnectAsync() and no options, so the choices reach them through the environment.
            var chosen = CliSession.Options(parse);
            // workshop.Options in them names the option each value came from, not the variable that carried it.
            if (chosen.WorkspacePath is { } workspace) CommandLineEnvironment.SetFromOption(WorkspaceDirectory.EnvironmentVariable, Path.GetFullPath(workspace), CliSession.WorkspaceOption.Name);
            if (chosen.Backend is { } backend) CommandLineEnvironment.SetFromOption("WORKSHOP_BACKEND", backend, CliSession.BackendOption.Name);
            if (chosen.Region is { } region) CommandLineEnvironment.SetFromOption("AWS_REGION", region, CliSession.RegionOption.Name);
            if (chosen.Profile is { } profile) CommandLineEnvironment.SetFromOption("AWS_PROFILE", profile, CliSession.ProfileOption.Name);
            var sourceRoot = NotebookRunner.SourceRootFor(list, Directory.GetCurrentDirectory());
            if (wholeDay) TellOfAnEarlierDay(sourceRoot, chosen.WorkspacePath);
            // In the workspace the notebooks will connect to, found as Workshop.ConnectAsync finds it; the day's, one named on
            // the command line or a workshop's own is made now rather than by the first cell that connects.
            StartupProfile.Start(WorkspaceDirectory.LocateRoot(sourceRoot), "run", makeWorkspace: wholeDay || chosen.WorkspacePath is not null);
            var options = new RunOptions
            {
                OutputDirectory = Path.GetFullPath(parse.GetValue(output)!),
                ContinueOnError = parse.GetValue(continueOnError),
                CellTimeLimit = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                PaceLiveRuns = parse.GetValue(paced),
                // Pages keep the notebooks' folders (out/notebooks/02-task2-explore.html), so links between them work.
                SourceRoot = sourceRoot,
                // A page is rendered on the other core while the next notebook runs.
                WritePagesInBackground = true,
            };
            var reports = new List<NotebookRunReport>();
            foreach (var path in list)
            {
                AnsiConsole.MarkupLineInterpolated($"[bold]{path}[/]");
                var report = await NotebookRunner.RunAsync(path, options, (index, _, result) =>
                {
                    if (result.Failed) Console.Error.WriteLine($"  cell {index + 1}: {result.ErrorSummary}");
                }, cancellationToken);
                reports.Add(report);
                if (parse.GetValue(printFirstCellTime) && report.FirstCellSinceProcessStart is { } first && reports.Count == 1)
                    Console.Out.WriteLine($"first-cell-ms: {first.TotalMilliseconds:0}");
                if (parse.GetValue(printCellTimes))
                    foreach (var cell in report.CellTimes)
                        Console.Out.WriteLine(DayBench.CellTimeLine(path, cell));
                if ((!report.Succeeded && !options.ContinueOnError) || cancellationToken.IsCancellationRequested) break;
            }
            await Task.WhenAll(reports.Select(r => r.PageWritten));
            // A run of named notebooks adds to the index of an earlier run into the same folder; the whole day writes it afresh.
            NotebookRunner.WriteIndex(options.OutputDirectory, reports, keepEarlier: !wholeDay);
            if (cancellationToken.IsCancellationRequested)
            {
                Terminal.Tell($"Stopped by a signal; the outputs so far are saved in {options.OutputDirectory} (index.html lists them).");
                return 130;
            }

            // The pages' column goes when the table would not fit the terminal without breaking names mid-word: the line
            // below the table says where the pages are, and index.html lists them.
            string Page(NotebookRunReport r) => Path.GetRelativePath(options.OutputDirectory, r.HtmlPath);
            var widest = (Name: reports.Max(r => Path.GetFileName(r.Path).Length), Page: reports.Max(r => Page(r).Length));
            var withPages = Math.Max(widest.Name, 8) + 14 + 8 + 6 + Math.Max(widest.Page, 5) + 16 <= Terminal.Width;
            var table = new Table().AddColumns(withPages ? ["Notebook", "Code cells run", "Time", "Errors", "Pages"] : ["Notebook", "Code cells run", "Time", "Errors"]);
            foreach (var r in reports)
            {
                string[] cells = [Markup.Escape(Path.GetFileName(r.Path)), $"{r.CodeCellsRun} of {r.CodeCells}", $"{r.Elapsed.TotalSeconds:0.0} s", r.Errors == 0 ? "[green]0[/]" : $"[red]{r.Errors}[/]"];
                table.AddRow(withPages ? [.. cells, Markup.Escape(Page(r))] : cells);
            }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"Executed notebooks and pages are in {options.OutputDirectory} (index.html lists them).");
            var failed = reports.FirstOrDefault(r => !r.Succeeded);
            if (failed is null) return 0;
            // Plain text, never wrapped, so scripts and CI logs can find the notebook, cell and error.
            Console.Error.WriteLine($"{failed.Path}, cell {failed.FailedCell}: {failed.FailedError}");
            return 1;
        });
        return command;
    }

    /// <summary>
    /// Says, before the whole day runs, when the workspace the notebooks will find already holds replayed readings: each
    /// notebook carries on from it (Task 2 replays the next day, Task 3 queries both), so the pages will not match a
    /// first run's, and an instructor regenerating them wants to know why and how to start clean. A run of named
    /// notebooks (a learner running one again) carries on without a word.
    /// </summary>
    private static void TellOfAnEarlierDay(string notebookRoot, string? workspaceOption)
    {
        var root = WorkspaceDirectory.LocateRoot(notebookRoot);
        SimulationState? day;
        try
        {
            day = WorkspaceDirectory.OpenExisting(root) is { } workspace ? SimulationState.Load(workspace) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            // A state file that does not read is the notebooks' to report, in the cell that needs it.
            return;
        }
        if (day is null) return;
        var reset = workspaceOption is null ? "workshop reset" : $"workshop reset --workspace {workspaceOption}";
        // From the first replay's start: the lake keeps every replay since, not only the latest.
        var from = day.FirstStart ?? day.Start;
        Terminal.Tell($"The workspace {root} already holds readings replayed from {from.UtcDateTime:yyyy-MM-dd HH:mm} to {day.End.UtcDateTime:yyyy-MM-dd HH:mm} UTC. " +
            $"The notebooks carry on from it, so their outputs will differ from a first run's; run '{reset}' first for a fresh day.");
    }

    private static Command Convert()
    {
        var source = new Argument<string>("source") { Description = "A .ipynb or .dib notebook." };
        var target = new Argument<string>("target") { Description = "Where to write it, as .dib or .ipynb." };
        var command = new Command("convert", "Convert a notebook between .ipynb and .dib.") { source, target };
        command.SetAction(parse =>
        {
            var (from, to) = (parse.GetValue(source)!, parse.GetValue(target)!);
            if (Path.GetFullPath(from) == Path.GetFullPath(to))
                throw new ArgumentException($"'{to}' is the notebook being converted; give a target of the other kind (.dib or .ipynb).");
            var document = NotebookFile.Read(from);
            // An executed notebook's outputs are work a .dib or a fresh conversion does not carry: never write over them.
            if (File.Exists(to) && NotebookFile.Read(to).Cells.Sum(cell => cell.Outputs.Count) is var outputs and > 0)
                throw new ArgumentException($"'{to}' holds {outputs} output(s) of executed cells, which converting over it would lose; write to another file, or delete it first.");
            NotebookFile.Write(document, to);
            AnsiConsole.MarkupLineInterpolated($"Wrote {parse.GetValue(target)} ({document.Cells.Count} cells).");
            return 0;
        });
        return command;
    }

    private static Command Bench()
    {
        var repeats = new Option<int>("--repeats") { Description = "Trivial cells timed warm.", DefaultValueFactory = _ => 50 }.WithRange(1);
        var json = BenchReport.JsonOption();
        var command = new Command("notebook", "Measure the cold time to the first executed cell and the warm time of a trivial cell.") { repeats, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var jsonPath = BenchReport.CheckJsonPath(parse.GetValue(json));
            var folder = Directory.CreateTempSubdirectory("workshop-bench-notebook-").FullName;
            try
            {
                var notebook = Path.Combine(folder, "one-cell.ipynb");
                var document = new NotebookDocument { Metadata = NotebookDocument.DefaultMetadata() };
                document.Cells.Add(NotebookCell.Code("1 + 1"));
                NotebookFile.Write(document, notebook);

                // Cold: a fresh process, from its start to the first executed cell (as it reports), and in all. First in a
                // folder with no workspace; then in a new workspace, which starts from the build's start-up record.
                async Task<(TimeSpan? FirstCell, TimeSpan Whole)> ColdRunAsync(string output, params string[] options)
                {
                    var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
                    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") info.ArgumentList.Add(typeof(NotebookCommands).Assembly.Location);
                    foreach (var a in new[] { "run", notebook, "--out", Path.Combine(folder, output), FirstCellTimeOption }.Concat(options)) info.ArgumentList.Add(a);
                    var wall = Stopwatch.StartNew();
                    using var child = Process.Start(info)!;
                    var text = await child.StandardOutput.ReadToEndAsync(cancellationToken);
                    await child.WaitForExitAsync(cancellationToken);
                    var firstCell = text.Split('\n').FirstOrDefault(l => l.StartsWith("first-cell-ms:", StringComparison.Ordinal))?.Split(':')[1].Trim();
                    return (firstCell is null ? null : TimeSpan.FromMilliseconds(double.Parse(firstCell, System.Globalization.CultureInfo.InvariantCulture)), wall.Elapsed);
                }
                var (firstCellTime, whole) = await ColdRunAsync("out");
                var (firstCellInWorkspace, _) = await ColdRunAsync("out-workspace", "--workspace", Path.Combine(folder, "workspace"));

                // Warm: one session, a trivial cell many times.
                var session = new NotebookSession(folder);
                await session.ExecuteAsync(NotebookCell.Code("var warm = 1;"), cancellationToken);
                var times = new List<double>();
                for (var i = 0; i < parse.GetValue(repeats); i++)
                {
                    var watch = Stopwatch.StartNew();
                    await session.ExecuteAsync(NotebookCell.Code("warm + 1"), cancellationToken);
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }
                times.Sort();
                var report = new BenchReport("notebook");
                var table = report.Table("A notebook, cold and warm", "Measure", "Time", "Goal");
                table.AddRow("Cold: process start to first cell", firstCellTime is { } cold ? BenchValue.Milliseconds(cold) : "?", "<= 1,000 ms");
                table.AddRow("Cold, in a new workspace", firstCellInWorkspace is { } inWorkspace ? BenchValue.Milliseconds(inWorkspace) : "?", "<= 1,000 ms");
                table.AddRow("Cold: whole run of a one-cell notebook", BenchValue.Milliseconds(whole), "");
                table.AddRow($"Warm: trivial cell, median of {times.Count}", BenchValue.Milliseconds(TimeSpan.FromMilliseconds(times[times.Count / 2])), "< 50 ms");
                table.AddRow("Warm: trivial cell, slowest", BenchValue.Milliseconds(TimeSpan.FromMilliseconds(times[^1])), "");
                report.Print(table);
                if (firstCellTime is { } coldTime) report.Figure("firstCellMilliseconds", coldTime.TotalMilliseconds, "ms", goal: "<= 1000");
                if (firstCellInWorkspace is { } workspaceTime) report.Figure("firstCellInWorkspaceMilliseconds", workspaceTime.TotalMilliseconds, "ms", goal: "<= 1000");
                report.Figure("wholeRunMilliseconds", whole.TotalMilliseconds, "ms");
                report.Figure("warmCellMedianMilliseconds", times[times.Count / 2], "ms", goal: "< 50");
                report.WriteJson(jsonPath);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
            return 0;
        });
        return command;
    }
}
