using System.Diagnostics;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// Checks by the tools the notebook world uses: Debian's python3-nbformat validates every executed notebook
/// against the nbformat schema, and headless Chromium, with its network cut off, renders an exported page's chart.
/// .ci/run installs both (apt packages python3-nbformat and chromium).
/// </summary>
public sealed class ExternalToolTests : IDisposable
{
    private const string SystemPython = "/usr/bin/python3";
    private const string Chromium = "/usr/bin/chromium";
    private readonly string output = Directory.CreateTempSubdirectory("notebook-tools-").FullName;

    private static (int Exit, string Output) Run(string program, IEnumerable<string> arguments, TimeSpan limit)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit)) { process.Kill(entireProcessTree: true); throw new TimeoutException($"{program} did not finish within {limit.TotalSeconds} s."); }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [Theory]
    [MemberData(nameof(Corpus.All), MemberType = typeof(Corpus))]
    public async Task Executed_notebooks_are_valid_nbformat(string name)
    {
        Assert.True(File.Exists(SystemPython), "Debian's python3 is needed: apt-get install python3-nbformat");
        var (report, _) = await Corpus.RunAsync(name, output, continueOnError: true);

        var (exit, text) = Run(SystemPython, ["-c", "import sys, nbformat; nb = nbformat.read(sys.argv[1], as_version=4); nbformat.validate(nb); print('valid', len(nb.cells))", report.ExecutedPath], TimeSpan.FromSeconds(60));

        Assert.True(exit == 0, text);
        Assert.StartsWith("valid", text);
    }

    [Fact]
    public async Task An_exported_page_renders_its_chart_in_headless_chromium_without_network()
    {
        Assert.True(File.Exists(Chromium), "Debian's chromium is needed: apt-get install chromium");
        var (report, _) = await Corpus.RunAsync("display.ipynb", output);
        var page = await File.ReadAllTextAsync(report.HtmlPath);
        Assert.DoesNotContain("src=\"http", page);
        Assert.Equal(1, page.Split("streaming-workshop: plotly.js").Length / 2); // plotly.js once, in the head

        var profile = Directory.CreateTempSubdirectory("chromium-profile-").FullName;
        try
        {
            var (exit, dom) = Run(Chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}",
                // No network: every request goes to a proxy that does not exist.
                "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
                "--virtual-time-budget=10000", "--dump-dom", new Uri(report.HtmlPath).AbsoluteUri,
            ], TimeSpan.FromSeconds(90));

            Assert.True(exit == 0, dom[..Math.Min(2000, dom.Length)]);
            Assert.Contains("class=\"main-svg\"", dom);
            Assert.Contains("plot-container", dom);
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }

    public void Dispose() => Directory.Delete(output, recursive: true);
}
