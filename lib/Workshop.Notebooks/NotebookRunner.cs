using System.Diagnostics;
using System.Text.Json.Nodes;

namespace StreamingWorkshop.Notebooks;

public sealed record RunOptions
{
    public string OutputDirectory { get; init; } = "out";
    public bool ContinueOnError { get; init; }
    public TimeSpan CellTimeLimit { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Whether a live run of a given length keeps the wall clock's pace, as it does for a learner watching it. Off by
    /// default: nobody watches a headless run, and the run ends with the same outputs without the waits.
    /// </summary>
    public bool PaceLiveRuns { get; init; }

    /// <summary>
    /// The folder whose layout the output keeps: notebooks/02.ipynb under it is saved as out/notebooks/02.ipynb and
    /// out/notebooks/02.html, so links between notebooks still work. Null: each notebook goes straight into the output folder.
    /// </summary>
    public string? SourceRoot { get; init; }

    /// <summary>
    /// Writes each HTML page on a pool thread while the next notebook runs; the report's <see cref="NotebookRunReport.PageWritten"/>
    /// finishes when the page is on disk. Off by default: the page is written before <see cref="NotebookRunner.RunAsync"/> returns.
    /// </summary>
    public bool WritePagesInBackground { get; init; }
}

public sealed record NotebookRunReport(
    string Path,
    int Cells,
    int CodeCells,
    int CodeCellsRun,
    int Errors,
    TimeSpan Elapsed,
    int? FailedCell,
    string? FailedError,
    string ExecutedPath,
    string HtmlPath,
    TimeSpan? FirstCellSinceProcessStart,
    string Title)
{
    public bool Succeeded => Errors == 0;

    /// <summary>How long each executed code cell took, in order: for benches; the saved notebook does not carry them.</summary>
    public IReadOnlyList<CellTime> CellTimes { get; init; } = [];

    /// <summary>Finishes when the HTML page is written (at once unless the run asked for pages in the background).</summary>
    public Task PageWritten { get; init; } = Task.CompletedTask;
}

/// <summary>One executed cell's time: its number among all the notebook's cells (as errors name it) and its first line.</summary>
public sealed record CellTime(int Cell, string FirstLine, TimeSpan Elapsed);

/// <summary>
/// Runs notebooks headless: each in a fresh script state (the workspace on disk carries over), cells in
/// order, outputs saved into an executed .ipynb and a standalone HTML page under the output folder.
/// </summary>
public static class NotebookRunner
{
    /// <summary>workshop.dib at the root first, then every notebook under notebooks/ in name order.</summary>
    public static IReadOnlyList<string> DefaultNotebooks(string root)
    {
        var list = new List<string>();
        var entry = Path.Combine(root, StreamingWorkshop.Storage.WorkspaceDirectory.EntryNotebookName);
        if (File.Exists(entry)) list.Add(entry);
        var folder = Path.Combine(root, "notebooks");
        if (Directory.Exists(folder))
            list.AddRange(Directory.EnumerateFiles(folder, "*.*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".dib", StringComparison.OrdinalIgnoreCase))
                .Where(f => !f.Contains(".ipynb_checkpoints", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal));
        return list;
    }

    public static async Task<NotebookRunReport> RunAsync(string path, RunOptions options, Action<int, NotebookCell, CellResult>? onCell = null, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        var document = NotebookFile.Read(path);
        var session = new NotebookSession(Path.GetDirectoryName(Path.GetFullPath(path))!, options.CellTimeLimit) { Watched = options.PaceLiveRuns };
        int executed = 0, errors = 0;
        int? failedCell = null;
        string? failedError = null;
        TimeSpan? firstCell = null;
        var cellTimes = new List<CellTime>();
        // What a task a cell left running writes later goes into that cell's outputs, as a Jupyter frontend shows it,
        // until the notebook is saved; after that it has nowhere to go.
        var lateGate = new Lock();
        var saved = false;
        for (var index = 0; index < document.Cells.Count; index++)
        {
            var cell = document.Cells[index];
            if (cell.Kind != CellKind.Code) continue;
            cell.Outputs.Clear();
            // After a failure (unless asked to go on) or a stop request, later cells are saved unrun.
            if ((failedCell is not null && !options.ContinueOnError) || cancellationToken.IsCancellationRequested) { cell.ExecutionCount = null; continue; }
            var cellWatch = Stopwatch.StartNew();
            var next = document.Cells.Skip(index + 1).FirstOrDefault(c => c.Kind == CellKind.Code);
            var result = await session.ExecuteAsync(cell, cancellationToken, next, afterward: output =>
            {
                lock (lateGate)
                    if (!saved) AddLate(cell.Outputs, output);
            });
            cellTimes.Add(new CellTime(index + 1, FirstLine(cell.Source), cellWatch.Elapsed));
            executed++;
            cell.ExecutionCount = executed;
            foreach (var output in result.Outputs)
                if (output["output_type"]?.GetValue<string>() == "execute_result") output["execution_count"] = executed;
            // Late output may already have come: the cell's own outputs go before it.
            lock (lateGate) cell.Outputs.InsertRange(0, result.Outputs);
            firstCell ??= DateTime.Now - Process.GetCurrentProcess().StartTime;
            onCell?.Invoke(index, cell, result);
            if (!result.Failed) continue;
            errors++;
            if (failedCell is null)
            {
                failedCell = index + 1;
                failedError = result.ErrorSummary;
            }
        }
        await session.DisposeAsync();
        lock (lateGate) saved = true;

        var name = Path.GetFileNameWithoutExtension(path);
        var outputFolder = Path.Combine(options.OutputDirectory, RelativeFolder(path, options.SourceRoot));
        Directory.CreateDirectory(outputFolder);
        var executedPath = Path.Combine(outputFolder, name + ".ipynb");
        var htmlPath = Path.Combine(outputFolder, name + ".html");
        var title = Title(document) ?? name;
        var indexHref = Path.GetRelativePath(outputFolder, Path.Combine(options.OutputDirectory, "index.html")).Replace('\\', '/');
        if (document.Metadata["kernelspec"] is null)
            foreach (var (key, value) in NotebookDocument.DefaultMetadata()) document.Metadata[key] ??= value!.DeepClone();
        NotebookFile.Write(document, executedPath);
        // Saved even when the run was stopped: the outputs so far are what the learner needs to see.
        var sourceFolder = Path.GetDirectoryName(Path.GetFullPath(path));
        var page = options.WritePagesInBackground
            ? Task.Run(() => File.WriteAllTextAsync(htmlPath, HtmlExporter.Page(document, title, sourceFolder, indexHref), CancellationToken.None), CancellationToken.None)
            : File.WriteAllTextAsync(htmlPath, HtmlExporter.Page(document, title, sourceFolder, indexHref), CancellationToken.None);
        if (!options.WritePagesInBackground) await page;
        return new NotebookRunReport(path, document.Cells.Count, document.Cells.Count(c => c.Kind == CellKind.Code), executed, errors, watch.Elapsed, failedCell, failedError, executedPath, htmlPath, firstCell, title)
        {
            CellTimes = cellTimes,
            PageWritten = page,
        };
    }

    /// <summary>A late line of text joins the text it follows, as a frontend shows one stream; anything else is added.</summary>
    private static void AddLate(List<JsonObject> outputs, JsonObject output)
    {
        if (output["output_type"]?.GetValue<string>() == "stream" && outputs.Count > 0 && outputs[^1] is var last
            && last["output_type"]?.GetValue<string>() == "stream" && last["name"]?.GetValue<string>() == output["name"]?.GetValue<string>())
            last["text"] = last["text"]?.GetValue<string>() + output["text"]?.GetValue<string>();
        else
            outputs.Add(output);
    }

    private static string FirstLine(string source) =>
        source.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";

    /// <summary>The notebook's folder relative to the source root ("" when it is the root itself or outside it).</summary>
    private static string RelativeFolder(string path, string? sourceRoot)
    {
        if (sourceRoot is null) return "";
        var relative = Path.GetRelativePath(Path.GetFullPath(sourceRoot), Path.GetDirectoryName(Path.GetFullPath(path))!);
        return relative == "." || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? "" : relative;
    }

    /// <summary>The folder whose layout a run keeps: the current folder when every notebook is under it, else the notebooks' common folder.</summary>
    public static string SourceRootFor(IReadOnlyList<string> paths, string currentDirectory)
    {
        var folders = paths.Select(p => Path.GetDirectoryName(Path.GetFullPath(p))!).ToList();
        var current = Path.GetFullPath(currentDirectory);
        if (folders.All(f => IsUnder(f, current))) return current;
        var common = folders[0];
        while (!folders.All(f => IsUnder(f, common)) && Path.GetDirectoryName(common) is { } parent) common = parent;
        return common;
    }

    private static bool IsUnder(string folder, string root)
    {
        var relative = Path.GetRelativePath(root, folder);
        return relative == "." || (!relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative));
    }

    /// <summary>The first markdown heading of the notebook, for its page's title and the index.</summary>
    private static string? Title(NotebookDocument document) =>
        document.Cells.Where(c => c.Kind == CellKind.Markdown || (c.Kind == CellKind.Code && c.Language == "markdown"))
            .SelectMany(c => c.Source.Split('\n'))
            .Select(l => l.Trim())
            .FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal))?[2..].Trim();

    /// <summary>One row of the index, its paths relative to the index's folder; kept in index.json beside index.html.</summary>
    private sealed record IndexEntry(string Title, string Page, string Executed, int CodeCellsRun, int CodeCells, double Seconds, bool Succeeded, int? FailedCell, string? FailedError);

    /// <summary>
    /// The way in: an index page linking each notebook's HTML page (relative links), with its cells, time and errors.
    /// With <paramref name="keepEarlier"/>, the notebooks an earlier run into the same folder listed stay listed (a
    /// learner running one notebook again beside the whole day's pages); a notebook run again takes its own row's place.
    /// </summary>
    public static void WriteIndex(string outputDirectory, IReadOnlyList<NotebookRunReport> reports, bool keepEarlier = false)
    {
        static string Relative(string outputDirectory, string file) => Path.GetRelativePath(outputDirectory, file).Replace('\\', '/');
        var current = reports.Select(r => new IndexEntry(r.Title, Relative(outputDirectory, r.HtmlPath), Relative(outputDirectory, r.ExecutedPath),
            r.CodeCellsRun, r.CodeCells, r.Elapsed.TotalSeconds, r.Succeeded, r.FailedCell, r.FailedError)).ToList();
        var entriesPath = Path.Combine(outputDirectory, "index.json");
        var entries = new List<IndexEntry>();
        if (keepEarlier && File.Exists(entriesPath))
        {
            try
            {
                // Rows whose page is gone since go with it.
                entries.AddRange((System.Text.Json.JsonSerializer.Deserialize<List<IndexEntry>>(File.ReadAllBytes(entriesPath)) ?? [])
                    .Where(e => e is { Page: not null, Executed: not null, Title: not null } && File.Exists(Path.Combine(outputDirectory, e.Page))));
            }
            catch (System.Text.Json.JsonException)
            {
                // An index.json that does not read lists nothing earlier; this run's rows are written afresh.
            }
        }
        foreach (var entry in current)
        {
            var at = entries.FindIndex(e => e.Page == entry.Page);
            if (at >= 0) entries[at] = entry;
            else entries.Add(entry);
        }
        static string Href(string relative) => string.Join('/', relative.Split('/').Select(Uri.EscapeDataString));
        var rows = entries.Select(e =>
            $"<tr><td><a href=\"{System.Net.WebUtility.HtmlEncode(Href(e.Page))}\">{System.Net.WebUtility.HtmlEncode(e.Title)}</a></td>" +
            $"<td><a download href=\"{System.Net.WebUtility.HtmlEncode(Href(e.Executed))}\">{System.Net.WebUtility.HtmlEncode(Path.GetFileName(e.Executed))}</a></td>" +
            $"<td>{e.CodeCellsRun} of {e.CodeCells}</td><td>{e.Seconds:0.0} s</td><td>{(e.Succeeded ? "✔" : $"✘ cell {e.FailedCell}: {System.Net.WebUtility.HtmlEncode(e.FailedError)}")}</td></tr>");
        // A learner opening the folder afterwards, alone, is told where to begin and what the two links of a row are.
        var way = entries.Count == 0 ? "" :
            $"<p>Start with <a href=\"{System.Net.WebUtility.HtmlEncode(Href(entries[0].Page))}\">{System.Net.WebUtility.HtmlEncode(entries[0].Title)}</a>. " +
            "Each page shows a notebook with the outputs of its run; the executed notebook beside it opens in VS Code or Jupyter with the same outputs. " +
            // Figures differ between pages of one day (the solutions against the challenges, say) for this reason.
            "A run takes the notebooks in the order listed, on one workspace, so each page shows what the notebooks above it had left there.</p>";
        var page = $"""
            <!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Streaming Workshop notebooks</title>
            <style>{HtmlExporter.Css}</style></head><body><main>
            <h1>Streaming Workshop notebooks</h1>
            {way}
            <table class="index"><thead><tr><th>Page</th><th>Executed notebook</th><th>Code cells run</th><th>Time</th><th>Result</th></tr></thead><tbody>{string.Concat(rows)}</tbody></table>
            </main></body></html>
            """;
        File.WriteAllText(Path.Combine(outputDirectory, "index.html"), page);
        File.WriteAllBytes(entriesPath, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(entries, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }
}
