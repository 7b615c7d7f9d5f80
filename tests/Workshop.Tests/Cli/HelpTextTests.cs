using System.Text.RegularExpressions;
using Workshop.Tests.BadInput;

namespace Workshop.Tests.Cli;

/// <summary>`--help` says what a verb does with an option: when it is required, what leaving it out does, the forms it takes.</summary>
public sealed class HelpTextTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-cli-help-").FullName;

    /// <summary>The help's text at 80 columns, with its wrapping and column padding undone, so a description reads as one line.</summary>
    private string Help(params string[] verb)
    {
        var run = WorkshopCli.Child(folder, new Dictionary<string, string?> { ["COLUMNS"] = "80" }, [.. verb, "--help"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        return Regex.Replace(run.Stdout, @"\s+", " ");
    }

    [Fact]
    public void Stream_create_says_its_stream_is_required()
    {
        var help = Help("stream", "create");

        Assert.Contains("--stream <stream> (REQUIRED) The new stream's name.", help);
        Assert.DoesNotContain("default: the workshop's stream", help);
    }

    [Fact]
    public void Simulate_says_a_live_run_without_duration_goes_on_until_ctrl_c_and_cities_take_coordinates()
    {
        var help = Help("simulate");

        Assert.Contains("--duration <duration> How much virtual time to run: 24h, 90m, 7d ... The default is a replay's: with --live and no --duration, the run goes on until Ctrl+C. [default: 24h]", help);
        Assert.Contains("--cities <cities> Cities to poll, by name or as Name:latitude:longitude (for example Oxford:51.752:-1.2577); default London Manchester Edinburgh.", help);
    }

    [Fact]
    public void Destroy_says_empty_buckets_keeps_the_data_lake()
    {
        var help = Help("destroy");

        Assert.Contains("--empty-buckets Delete the objects in the buckets the stack deletes, so they can go too; the data lake's bucket is kept with its objects either way.", help);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
