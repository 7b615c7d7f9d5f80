using System.Diagnostics;
using System.Globalization;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// `workshop serve --port 0` on a workspace, started as a learner starts it: the endpoint's URL is read from the
/// line to paste in its banner, every line it prints is kept, and disposing stops it with SIGTERM.
/// </summary>
internal sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly List<string> lines = [];
    private readonly Task<string> stderr;
    private readonly Task readingRest;

    private ServeProcess(Process process, string url, Task<string> stderr)
    {
        this.process = process;
        Url = url;
        this.stderr = stderr;
        readingRest = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
                lock (lines) lines.Add(line);
        });
    }

    /// <summary>The endpoint, e.g. http://127.0.0.1:41234.</summary>
    public string Url { get; }

    /// <summary>What the server has printed so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get { lock (lines) return lines.ToArray(); }
    }

    /// <summary>Waits (at most a minute) for a line that <paramref name="wanted"/> picks out, and returns it; null if none came.</summary>
    public async Task<string?> WaitForLineAsync(Func<string, bool> wanted)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            if (Lines.FirstOrDefault(wanted) is { } line) return line;
            if (process.HasExited) break;
            await Task.Delay(100);
        }
        return Lines.FirstOrDefault(wanted);
    }

    public static Task<ServeProcess> StartAsync(string workspace, params string[] options) => StartAsync(workspace, new Dictionary<string, string>(), options);

    public static async Task<ServeProcess> StartAsync(string workspace, IReadOnlyDictionary<string, string> environment, params string[] options)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(workspace)! };
        info.Environment["WORKSHOP_WORKSPACE"] = workspace;
        foreach (var (name, value) in environment) info.Environment[name] = value;
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "workshop.dll"), "serve", "--port", "0" }.Concat(options)) info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var banner = new List<string>();
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            banner.Add(line);
            if (line.StartsWith("export AWS_ENDPOINT_URL=", StringComparison.Ordinal))
            {
                var served = new ServeProcess(process, line["export AWS_ENDPOINT_URL=".Length..], stderr);
                lock (served.lines) served.lines.InsertRange(0, banner);
                return served;
            }
        }
        await process.WaitForExitAsync();
        throw new InvalidOperationException($"workshop serve exited {process.ExitCode} before its banner: {string.Join('\n', banner)} {await stderr}");
    }

    /// <summary>Stops the server with SIGTERM and returns its exit code and stderr.</summary>
    public async Task<(int Exit, string Stderr)> StopAsync()
    {
        if (!process.HasExited)
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await process.WaitForExitAsync();
        await readingRest;
        return (process.ExitCode, await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        process.Dispose();
    }
}
