using System.Diagnostics;
using System.Text;
using PuppeteerSharp;
using Xunit.Abstractions;

namespace Workshop.Notebooks.Tests.Browser;

/// <summary>
/// A live frontend: Debian's Jupyter Notebook serves Task 3 with the kit's kernelspec, headless Chromium clicks
/// Cell > Run All as a learner would, and the page is read once every cell has run. Jupyter Notebook speaks
/// the same protocol as VS Code's and JupyterLab's frontends, so this stands in for them. The screenshot is
/// saved under the test assembly's screenshots/live folder.
/// </summary>
public sealed class LiveNotebookTests(ITestOutputHelper log) : IDisposable
{
    private const string JupyterNotebook = "/usr/bin/jupyter-notebook";
    private const string Task3 = "03-task3-lake-exploration.ipynb";

    private readonly string root = Directory.CreateTempSubdirectory("workshop-live-").FullName;

    [Fact]
    public async Task Task3_run_all_in_Jupyter_shows_tables_and_charts_and_no_error()
    {
        Assert.True(File.Exists(JupyterNotebook), $"Jupyter Notebook is not installed at {JupyterNotebook}: install Debian's jupyter-notebook package (apt-get install jupyter-notebook, as .ci/run does) and run the tests again.");
        var notebooks = Directory.CreateDirectory(Path.Combine(root, "notebooks")).FullName;
        var prefix = Path.Combine(root, "prefix");
        File.Copy(Path.Combine(WorkshopRun.RepositoryRoot, "notebooks", Task3), Path.Combine(notebooks, Task3));
        var installed = Cli.RunIn(root, new Dictionary<string, string>(), out var installLog, "kernel", "install", "--prefix", prefix);
        Assert.True(installed == 0, installLog);

        var port = StreamingWorkshop.LoopbackPorts.PickFree();
        var token = Guid.NewGuid().ToString("N");
        var info = new ProcessStartInfo(JupyterNotebook) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = notebooks };
        foreach (var argument in new[] { "--no-browser", "--ip=127.0.0.1", $"--port={port}", "--port-retries=0", $"--NotebookApp.token={token}", $"--notebook-dir={notebooks}", "--allow-root" })
            info.ArgumentList.Add(argument);
        // Jupyter's own state, the kernelspec it finds, and the kit's workspace all stay in this test's folder.
        info.Environment["JUPYTER_RUNTIME_DIR"] = Directory.CreateDirectory(Path.Combine(root, "runtime")).FullName;
        info.Environment["JUPYTER_CONFIG_DIR"] = Directory.CreateDirectory(Path.Combine(root, "config")).FullName;
        info.Environment["JUPYTER_DATA_DIR"] = Directory.CreateDirectory(Path.Combine(root, "data")).FullName;
        info.Environment["JUPYTER_PATH"] = Path.Combine(prefix, "share", "jupyter");
        info.Environment["WORKSHOP_WORKSPACE"] = Directory.CreateDirectory(Path.Combine(root, "workspace")).FullName;
        var serverLog = new StringBuilder();
        using var server = Process.Start(info)!;
        server.OutputDataReceived += (_, e) => { lock (serverLog) serverLog.AppendLine(e.Data); };
        server.ErrorDataReceived += (_, e) => { lock (serverLog) serverLog.AppendLine(e.Data); };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        string ServerLog() { lock (serverLog) return serverLog.ToString(); }
        try
        {
            await WaitForServerAsync(server, port, token, ServerLog);
            var screenshots = Chromium.ScreenshotFolder("live");
            log.WriteLine($"Screenshot of the live notebook: {screenshots}");
            await using var browser = await Chromium.LaunchAsync();
            await using var page = await browser.NewPageAsync();
            var scriptErrors = new List<string>();
            page.PageError += (_, e) => { lock (scriptErrors) scriptErrors.Add(e.Message.Split('\n')[0]); };
            await page.GoToAsync($"http://127.0.0.1:{port}/notebooks/{Task3}?token={token}", WaitUntilNavigation.Load);
            await WaitAsync(page, "document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null", TimeSpan.FromMinutes(1), "the kernel to start", ServerLog);

            await page.ClickAsync("#celllink");
            await page.WaitForSelectorAsync("#run_all_cells > a", new WaitForSelectorOptions { Visible = true, Timeout = 10_000 });
            await page.ClickAsync("#run_all_cells > a");
            // Done when the kernel is idle and every code cell has its execution count, or an error stopped the run.
            await WaitAsync(page, """
                (() => {
                    const prompts = [...document.querySelectorAll('.code_cell .input_prompt')].map(p => p.innerText);
                    const idle = document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null;
                    return idle && prompts.length > 0 && (prompts.every(p => /\[\d+\]/.test(p)) || document.querySelector('.output_error') !== null);
                })()
                """, TimeSpan.FromMinutes(4), "every cell to run", ServerLog);

            var reading = await PageReader.ReadAsync(page, Frontend.JupyterNotebook, TimeSpan.FromSeconds(10));
            await ScreenshotWholeNotebookAsync(page, Path.Combine(screenshots, "03-task3-lake-exploration.png"));

            Assert.True(reading.Cells.Sum(c => PageReader.QueryResultsShown(c.Source)) > 0, $"Jupyter shows no code cell of {Task3} that displays a query result ({reading.Cells.Count} code cells read).");
            Assert.True(reading.Charts.Count > 0, $"No output of {Task3} asks Plotly to draw a chart in Jupyter.");
            var problems = reading.Errors.Select(e => $"{Task3} in Jupyter: error output: {e.Split('\n')[0]}")
                .Concat(PageReader.QueryTableProblems($"{Task3} in Jupyter", reading.Cells))
                .Concat(PageReader.DotNetLeakProblems($"{Task3} in Jupyter", reading))
                .Concat(PageReader.ChartProblems($"{Task3} in Jupyter", reading))
                .Concat(PageReader.ImageProblems($"{Task3} in Jupyter", reading))
                .ToList();
            string ScriptErrors() { lock (scriptErrors) return scriptErrors.Count == 0 ? "" : "\nScript errors in the page: " + string.Join("; ", scriptErrors.Distinct().Take(5)); }
            Assert.True(problems.Count == 0, $"{problems.Count} problem(s) a learner would see (screenshot in {screenshots}):\n{string.Join("\n", problems)}{ScriptErrors()}");
        }
        finally
        {
            // The server and the kernels it started go, whatever happened above.
            server.Kill(entireProcessTree: true);
            server.WaitForExit(10_000);
        }
    }

    private static async Task WaitForServerAsync(Process server, int port, string token, Func<string> serverLog)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (server.HasExited) Assert.Fail($"Jupyter Notebook exited with code {server.ExitCode} before serving:\n{serverLog()}");
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{port}/api/status?token={token}")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        Assert.Fail($"Jupyter Notebook did not answer on port {port} within a minute:\n{serverLog()}");
    }

    private static async Task WaitAsync(IPage page, string condition, TimeSpan timeout, string what, Func<string> serverLog)
    {
        try
        {
            await page.WaitForExpressionAsync(condition, new WaitForFunctionOptions { Timeout = (int)timeout.TotalMilliseconds, PollingInterval = 250 });
        }
        catch (WaitTaskTimeoutException)
        {
            var prompts = await page.EvaluateExpressionAsync<string>("[...document.querySelectorAll('.code_cell .input_prompt')].map(p => p.innerText.trim()).join(' ')");
            Assert.Fail($"Waited {timeout.TotalSeconds:0} s for {what} in Jupyter; prompts: {prompts}\nServer log:\n{serverLog()}");
        }
    }

    /// <summary>Jupyter scrolls the notebook inside #site, so the page is let to grow first for a full-page screenshot.</summary>
    private static async Task ScreenshotWholeNotebookAsync(IPage page, string path)
    {
        await page.AddStyleTagAsync(new AddTagOptions { Content = "html, body, #site { height: auto !important; overflow: visible !important; }" });
        await page.ScreenshotAsync(path, new ScreenshotOptions { FullPage = true });
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
