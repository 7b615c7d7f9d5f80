using System.Diagnostics;

namespace Workshop.Tests.Workflows;

/// <summary>`workshop bench workflow`: a bad option is one line and exit code 1; a small run prints both tables.</summary>
public sealed class WorkflowBenchTests
{
    private static async Task<(int Exit, string Stdout, string Stderr)> BenchAsync(string arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "workshop.dll"));
        info.ArgumentList.Add("bench");
        foreach (var argument in arguments.Split(' ')) info.ArgumentList.Add(argument);
        info.Environment["COLUMNS"] = "120";
        using var bench = Process.Start(info)!;
        var output = bench.StandardOutput.ReadToEndAsync();
        var errors = bench.StandardError.ReadToEndAsync();
        await bench.WaitForExitAsync();
        return (bench.ExitCode, await output, await errors);
    }

    [Theory]
    [InlineData("workflow --items 0", "Error: --items 0 is out of range: give 1 to 4000 (each item writes six history events, and an execution holds at most 25,000).")]
    [InlineData("workflow --items 4001", "Error: --items 4001 is out of range: give 1 to 4000 (each item writes six history events, and an execution holds at most 25,000).")]
    [InlineData("workflow --days 367", "Error: --days 367 is out of range: give 1 to 366.")]
    public async Task A_bad_value_is_one_line_naming_it_and_exit_code_1(string arguments, string expected)
    {
        var (exit, stdout, stderr) = await BenchAsync(arguments);
        Assert.Equal((1, "", expected), (exit, stdout, stderr.TrimEnd('\n')));
    }

    [Fact]
    public async Task A_small_run_counts_the_maps_transitions_and_runs_the_pipeline_once_a_day()
    {
        var (exit, stdout, stderr) = await BenchAsync("workflow --items 10 --days 1");
        Assert.True(exit == 0, stderr);
        // Ten iterations of a Choice and a Pass, and the Map itself: 21 states entered. Events: the execution's start and end,
        // the Map's entry, start, success and exit, and six per iteration (started, Choice in and out, Pass in and out, succeeded).
        Assert.Contains("A Map over 10 items", stdout);
        Assert.Contains("Interpreter: 21 transitions, 66 events", stdout);
        Assert.Contains("One C# loop, same JSON work (the floor)", stdout);
        // The first day's execution creates the daily table through FindDailyTable's Catch: 49 events, as notebook 08's first run.
        Assert.Matches(@"Executions that SUCCEEDED\s*│\s*│\s*│\s*1 of 1\s", stdout);
        Assert.Matches(@"History events per execution\s*│\s*49\s", stdout);
        Assert.Contains("Replay from the journal (the interpreter alone)", stdout);
    }
}
