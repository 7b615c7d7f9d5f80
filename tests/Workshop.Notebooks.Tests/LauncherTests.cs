using System.Diagnostics;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// The ./workshop launcher at the repository root runs the built CLI and builds first only when the build is missing
/// or older than a source. Checked on a copy of the launcher in a small folder laid out like the repository, with a
/// stand-in `dotnet` on the PATH that records how it was called, so no real build runs.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LauncherTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("workshop-launcher-").FullName;
    private string Log => Path.Combine(root, "dotnet-calls.log");
    private string Built => Path.Combine(root, "lib", "Workshop.Cli", "bin", "Debug", "net10.0", "workshop.dll");

    public LauncherTests()
    {
        var repository = RepositoryRoot;
        File.Copy(Path.Combine(repository, "workshop"), Path.Combine(root, "workshop"));
        foreach (var file in new[] { "lib/Workshop/Source.cs", "lib/Workshop.Cli/Workshop.Cli.csproj", "templates/workshop-stack.yaml", "Directory.Build.props", "Directory.Packages.props", "global.json" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, file))!);
            File.WriteAllText(Path.Combine(root, file), "");
        }
        var tools = Directory.CreateDirectory(Path.Combine(root, "tools")).FullName;
        // The stand-in: `dotnet build DIR ...` writes the program; `dotnet PROGRAM ARGS` prints what it was given.
        File.WriteAllText(Path.Combine(tools, "dotnet"), $"""
            #!/bin/sh
            echo "$*" >> '{Log}'
            if [ "$1" = build ]; then mkdir -p '{Path.GetDirectoryName(Built)}' && echo program > '{Built}'; else shift; echo "ran with: $*"; fi
            """);
        File.SetUnixFileMode(Path.Combine(tools, "dotnet"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(Path.Combine(root, "workshop"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static string RepositoryRoot
    {
        get
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
                if (File.Exists(Path.Combine(folder.FullName, "workshop.dib"))) return folder.FullName;
            throw new DirectoryNotFoundException("workshop.dib is not above the test assembly.");
        }
    }

    private (int Exit, string Stdout, string Stderr, string[] Calls) Launch(params string[] arguments)
    {
        File.Delete(Log);
        var info = new ProcessStartInfo(Path.Combine(root, "workshop")) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        info.Environment["PATH"] = Path.Combine(root, "tools") + ":" + Environment.GetEnvironmentVariable("PATH");
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result, File.Exists(Log) ? File.ReadAllLines(Log) : []);
    }

    [Fact]
    public void The_first_run_builds_then_runs_the_verb()
    {
        var (exit, stdout, stderr, calls) = Launch("stack", "outputs");

        Assert.Equal(0, exit);
        Assert.Equal("workshop: building lib/Workshop.Cli (no build yet) ...", stderr.Trim());
        Assert.Equal(2, calls.Length);
        Assert.StartsWith($"build {root}/lib/Workshop.Cli", calls[0]);
        Assert.Equal($"{Built} stack outputs", calls[1]);
        Assert.Equal("ran with: stack outputs", stdout.Trim());
    }

    [Fact]
    public void An_up_to_date_build_runs_at_once_without_building()
    {
        Launch("--version");

        var (exit, stdout, stderr, calls) = Launch("stack", "outputs");

        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Equal([$"{Built} stack outputs"], calls);
        Assert.Equal("ran with: stack outputs", stdout.Trim());
    }

    [Theory]
    [InlineData("lib/Workshop/Source.cs")]
    [InlineData("lib/Workshop.Cli/Workshop.Cli.csproj")]
    [InlineData("templates/workshop-stack.yaml")]
    [InlineData("Directory.Packages.props")]
    public void A_source_newer_than_the_build_makes_it_build_first(string source)
    {
        Launch("--version");
        File.SetLastWriteTimeUtc(Path.Combine(root, source), File.GetLastWriteTimeUtc(Built).AddSeconds(5));

        var (exit, _, stderr, calls) = Launch("stack", "outputs");

        Assert.Equal(0, exit);
        Assert.Equal($"workshop: building lib/Workshop.Cli ({source} changed) ...", stderr.Trim());
        Assert.StartsWith("build ", calls[0]);
        Assert.Equal($"{Built} stack outputs", calls[^1]);
    }

    [Fact]
    public void Newer_files_in_build_output_folders_do_not_count_as_sources()
    {
        Launch("--version");
        var objFile = Path.Combine(root, "lib", "Workshop", "obj", "Debug", "cache.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(objFile)!);
        File.WriteAllText(objFile, "");
        File.SetLastWriteTimeUtc(objFile, File.GetLastWriteTimeUtc(Built).AddSeconds(5));

        var (_, _, stderr, calls) = Launch("stack", "outputs");

        Assert.Equal("", stderr);
        Assert.Equal([$"{Built} stack outputs"], calls);
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
