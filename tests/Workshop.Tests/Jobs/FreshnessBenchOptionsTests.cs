using System.Diagnostics;

namespace Workshop.Tests.Jobs;

/// <summary>`workshop bench freshness` and `workshop bench job` turn away a bad option with one line and exit code 1, before running anything.</summary>
public sealed class FreshnessBenchOptionsTests
{
    [Theory]
    [InlineData("freshness --minutes 2", "Error: --minutes 2 is out of range: give 5 to 1440 minutes of traffic.")]
    [InlineData("freshness --crawl-every -1", "Error: --crawl-every -1 is out of range: give 1 to 1440 minutes, or 0 for partition projection.")]
    [InlineData("freshness --queries-per-day 20000000", "Error: --queries-per-day 20000000 is out of range: give 0 to 10,000,000.")]
    [InlineData("job --days 0", "Error: --days 0 is out of range: give 1 to 366.")]
    [InlineData("job --days many", "--days: Cannot parse argument 'many' for option '--days' as a whole number. Run 'workshop bench job --help' to see what 'workshop bench job' takes.")]
    public async Task A_bad_value_is_one_line_naming_it_and_exit_code_1(string arguments, string expected)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "workshop.dll"));
        info.ArgumentList.Add("bench");
        foreach (var argument in arguments.Split(' ')) info.ArgumentList.Add(argument);
        using var bench = Process.Start(info)!;
        var output = bench.StandardOutput.ReadToEndAsync();
        var errors = bench.StandardError.ReadToEndAsync();
        await bench.WaitForExitAsync();
        Assert.Equal((1, "", expected), (bench.ExitCode, await output, (await errors).TrimEnd('\n')));
    }
}
