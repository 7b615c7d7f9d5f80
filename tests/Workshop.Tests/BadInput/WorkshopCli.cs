using System.Diagnostics;
using System.Reflection;
using Spectre.Console;

namespace Workshop.Tests.BadInput;

/// <summary>The result of one command line: its exit code and what it wrote.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr, string? Unhandled);

/// <summary>
/// Runs the workshop CLI's Program: in this process (its entry point called as a method, with stdout and stderr
/// captured), or, for inputs that may overflow the stack or never finish, as a child process.
/// </summary>
public static class WorkshopCli
{
    private static readonly MethodInfo EntryPoint = Assembly.Load("workshop").EntryPoint
        ?? throw new InvalidOperationException("The workshop assembly has no entry point.");

    private static readonly object OneAtATime = new();

    /// <summary>Longest a case may take before it counts as runaway work (a refusal takes well under a second).</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    // Moves the whole test process into workingDirectory while the command runs, and a process another test starts
    // meanwhile starts there: only tests that run alone (the bad-input collection) may use it.
    public static CliRun InProcess(string workingDirectory, params string[] arguments)
    {
        lock (OneAtATime)
        {
            var (previousOut, previousError, previousIn, previousDirectory, previousConsole) = (Console.Out, Console.Error, Console.In, Environment.CurrentDirectory, AnsiConsole.Console);
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            Console.SetOut(TextWriter.Synchronized(stdout));
            Console.SetError(TextWriter.Synchronized(stderr));
            Console.SetIn(new StringReader(""));
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No });
            Environment.CurrentDirectory = workingDirectory;
            int exitCode;
            string? unhandled = null;
            try
            {
                var call = Task.Factory.StartNew(() => EntryPoint.Invoke(null, [arguments]), TaskCreationOptions.LongRunning);
                if (!call.Wait(Limit))
                    return new CliRun(-1, stdout.ToString(), stderr.ToString(), $"did not finish within {Limit.TotalSeconds:0} s");
                exitCode = call.Result is int code ? code : 0;
            }
            catch (AggregateException error) when (error.InnerException is TargetInvocationException { InnerException: { } inner })
            {
                // What `dotnet workshop.dll` would do with it: print the exception and its trace, and abort.
                unhandled = $"{inner.GetType().FullName}: {inner.Message}";
                stderr.WriteLine($"Unhandled exception. {inner}");
                exitCode = 134;
            }
            finally
            {
                Console.SetOut(previousOut);
                Console.SetError(previousError);
                Console.SetIn(previousIn);
                AnsiConsole.Console = previousConsole;
                Environment.CurrentDirectory = previousDirectory;
            }
            return new CliRun(exitCode, stdout.ToString(), stderr.ToString(), unhandled);
        }
    }

    public static CliRun Child(string workingDirectory, params string[] arguments) => Child(workingDirectory, new Dictionary<string, string?>(), arguments);

    /// <summary>As <see cref="Child(string, string[])"/>, with environment variables set (or, given null, unset) for the child.</summary>
    public static CliRun Child(string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = workingDirectory };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "workshop.dll"));
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        info.Environment["DOTNET_gcHeapHardLimit"] = "0x40000000"; // 1 GiB: a runaway input ends in OutOfMemory, not in swapping the machine
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new CliRun(-1, stdout.Result, stderr.Result, $"did not finish within {Limit.TotalSeconds:0} s");
        }
        process.WaitForExit();
        var errors = stderr.Result;
        var unhandled = errors.Contains("Unhandled exception.", StringComparison.Ordinal) || errors.Contains("Stack overflow.", StringComparison.Ordinal) || process.ExitCode == 134
            ? errors.Split('\n').FirstOrDefault(l => l.Length > 0) ?? "aborted" : null;
        return new CliRun(process.ExitCode, stdout.Result, errors, unhandled);
    }
}
