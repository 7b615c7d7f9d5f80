using System.Diagnostics;
using System.Text.Json.Nodes;

namespace StreamingWorkshop.Notebooks;

public sealed record RunOptions
{
    public string OutputDirectory { get; init; } = "out";
    public bool ContinueOnError { get; init; }
    public TimeSpan CellTimeLimit { get; init; } = TimeSpan.FromMinutes(2);
}

public sealed record NotebookRunReport(
    string Path,
    int Cells,
    int CodeCellsRun,
    int Errors,
    TimeSpan Elapsed,
    int? FailedCell,
    string? FailedError,
    string ExecutedPath,
    string HtmlPath,
    TimeSpan? FirstCellSinceProcessStart)
{
    public bool Succeeded => Errors == 0;
}

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
        var entry = Path.Combine(root, "workshop.dib");
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
        var session = new NotebookSession(Path.GetDirectoryName(Path.GetFullPath(path))!, options.CellTimeLimit);
        int executed = 0, errors = 0;
        int? failedCell = null;
        string? failedError = null;
        TimeSpan? firstCell = null;
        for (var index = 0; index < document.Cells.Count; index++)
        {
            var cell = document.Cells[index];
            if (cell.Kind != CellKind.Code) continue;
            cell.Outputs.Clear();
            if (failedCell is not null && !options.ContinueOnError) { cell.ExecutionCount = null; continue; }
            var result = await session.ExecuteAsync(cell, cancellationToken);
            executed++;
            cell.ExecutionCount = executed;
            foreach (var output in result.Outputs)
            {
                if (output["output_type"]?.GetValue<string>() == "execute_result") output["execution_count"] = executed;
                cell.Outputs.Add(output);
            }
            firstCell ??= DateTime.Now - Process.GetCurrentProcess().StartTime;
            onCell?.Invoke(index, cell, result);
            if (!result.Failed) continue;
            errors++;
            if (failedCell is null)
            {
                failedCell = index + 1;
                failedError = $"{result.ErrorName}: {result.ErrorMessage}" + (result.ErrorLine is { } line ? $" (line {line})" : "");
            }
        }

        var name = Path.GetFileNameWithoutExtension(path);
        Directory.CreateDirectory(options.OutputDirectory);
        var executedPath = Path.Combine(options.OutputDirectory, name + ".ipynb");
        var htmlPath = Path.Combine(options.OutputDirectory, name + ".html");
        if (document.Metadata["kernelspec"] is null)
            foreach (var (key, value) in NotebookDocument.DefaultMetadata()) document.Metadata[key] ??= value!.DeepClone();
        NotebookFile.Write(document, executedPath);
        await File.WriteAllTextAsync(htmlPath, HtmlExporter.Page(document, name), cancellationToken);
        return new NotebookRunReport(path, document.Cells.Count, executed, errors, watch.Elapsed, failedCell, failedError, executedPath, htmlPath, firstCell);
    }

    /// <summary>An index page linking each notebook's HTML page, with its cells, time and errors.</summary>
    public static void WriteIndex(string outputDirectory, IReadOnlyList<NotebookRunReport> reports)
    {
        var rows = reports.Select(r =>
            $"<tr><td><a href=\"{System.Net.WebUtility.HtmlEncode(Path.GetFileName(r.HtmlPath))}\">{System.Net.WebUtility.HtmlEncode(Path.GetFileNameWithoutExtension(r.Path))}</a></td>" +
            $"<td>{r.CodeCellsRun}/{r.Cells}</td><td>{r.Elapsed.TotalSeconds:0.0} s</td><td>{(r.Succeeded ? "✔" : $"✘ cell {r.FailedCell}: {System.Net.WebUtility.HtmlEncode(r.FailedError)}")}</td></tr>");
        var page = $"""
            <!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Streaming Workshop notebooks</title>
            <style>{HtmlExporter.Css}</style></head><body><main>
            <h1>Streaming Workshop notebooks</h1>
            <table class="index"><thead><tr><th>Notebook</th><th>Cells run</th><th>Time</th><th>Result</th></tr></thead><tbody>{string.Concat(rows)}</tbody></table>
            </main></body></html>
            """;
        File.WriteAllText(Path.Combine(outputDirectory, "index.html"), page);
    }
}
