using System.Diagnostics;

namespace Workshop.Notebooks.Tests;

/// <summary>Runs the workshop command in a child process, as a learner would.</summary>
internal static class Cli
{
    /// <summary>
    /// Runs in this test's output folder, which lies inside the repository: the workspace is named, and never made, so
    /// the repository's own workspace (there once a day has been run in it) is not the one the command finds.
    /// </summary>
    public static int Run(out string output, params string[] arguments) =>
        RunIn(AppContext.BaseDirectory, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = NoWorkspace }, out output, arguments);

    /// <summary>A workspace path no test makes.</summary>
    public static readonly string NoWorkspace = Path.Combine(Path.GetTempPath(), $"workshop-tests-no-workspace-{Environment.ProcessId}");

    public static int RunIn(string workingDirectory, IDictionary<string, string> environment, out string output, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var (key, value) in environment) info.Environment[key] = value;
        info.Environment["COLUMNS"] = "250";
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "workshop.dll"));
        foreach (var a in arguments) info.ArgumentList.Add(a);
        var (exit, stdout, stderr) = RunToEnd(info);
        output = stdout + stderr;
        return exit;
    }

    /// <summary>Runs the command and keeps stdout and stderr apart, for checks that data and errors go where they belong.</summary>
    public static (int Exit, string Stdout, string Stderr) Capture(string workingDirectory, IDictionary<string, string> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        info.Environment["COLUMNS"] = "250";
        foreach (var (key, value) in environment) info.Environment[key] = value;
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "workshop.dll"));
        foreach (var a in arguments) info.ArgumentList.Add(a);
        return RunToEnd(info);
    }

    /// <summary>Runs any program to its end (stdout and stderr redirected in <paramref name="info"/>) and returns its exit code and both outputs.</summary>
    public static (int Exit, string Stdout, string Stderr) RunToEnd(ProcessStartInfo info)
    {
        using var process = Process.Start(info)!;
        // Both pipes are read at once so a child that fills one never blocks.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
