using Workshop.Tests.BadInput;

namespace Workshop.Tests.Cli;

/// <summary>
/// Command lines the parser refuses, each told on one line of stderr in the learner's terms: a number an option that may
/// be left out cannot read, a count past its ceiling, every required option left out, two options that contradict each
/// other. Nothing runs, so no workspace is made.
/// </summary>
public sealed class CommandLineRefusalTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-cli-refusal-").FullName;

    private string Workspace => Path.Combine(folder, "ws");

    // A process of its own: an in-process run would move this whole test process into the folder.
    private CliRun Run(string arguments) => WorkshopCli.Child(folder, [.. arguments.Split(' '), "--workspace", Workspace]);

    private const string Alarm = "alarms put x --namespace AWS/Kinesis --metric GetRecords.Bytes --comparison GreaterThanThreshold --threshold 1";

    [Theory]
    // Options whose type is int? or double? (they may be left out) read numbers in the same words as the others.
    [InlineData("chaos duplicate-put --count abc",
        "--count: Cannot parse argument 'abc' for option '--count' as a whole number. Run 'workshop chaos duplicate-put --help' to see what 'workshop chaos duplicate-put' takes.")]
    [InlineData("chaos duplicate-put --rate abc",
        "--rate: Cannot parse argument 'abc' for option '--rate' as a number. Run 'workshop chaos duplicate-put --help' to see what 'workshop chaos duplicate-put' takes.")]
    [InlineData("chaos duplicate-put --count 2147483648",
        "--count: '2147483648' is too large a whole number; give a smaller one. Run 'workshop chaos duplicate-put --help' to see what 'workshop chaos duplicate-put' takes.")]
    [InlineData(Alarm + " --datapoints-to-alarm x",
        "--datapoints-to-alarm: Cannot parse argument 'x' for option '--datapoints-to-alarm' as a whole number. Run 'workshop alarms put --help' to see what 'workshop alarms put' takes.")]
    // Every chaos count stops at 100,000 (docs/security.md, Sizes), duplicate-put's too.
    [InlineData("chaos duplicate-put --count 100001",
        "--count: '100001' is out of range; give a whole number from 1 to 100,000. Run 'workshop chaos duplicate-put --help' to see what 'workshop chaos duplicate-put' takes.")]
    [InlineData("chaos duplicate-put --count 2147483647",
        "--count: '2147483647' is out of range; give a whole number from 1 to 100,000. Run 'workshop chaos duplicate-put --help' to see what 'workshop chaos duplicate-put' takes.")]
    [InlineData("chaos duplicate-put --count 0",
        "--count: '0' is out of range; give a whole number from 1 to 100,000. Run 'workshop chaos duplicate-put --help' to see what 'workshop chaos duplicate-put' takes.")]
    [InlineData("chaos redelivery --count 100001",
        "--count: '100001' is out of range; give a whole number from 1 to 100,000. Run 'workshop chaos redelivery --help' to see what 'workshop chaos redelivery' takes.")]
    [InlineData("chaos failed-invocation --at 10:00 --count 100001",
        "--count: '100001' is out of range; give a whole number from 1 to 100,000. Run 'workshop chaos failed-invocation --help' to see what 'workshop chaos failed-invocation' takes.")]
    [InlineData("chaos timeout --at 10:00 --count 100001",
        "--count: '100001' is out of range; give a whole number from 1 to 100,000. Run 'workshop chaos timeout --help' to see what 'workshop chaos timeout' takes.")]
    // The required options left out, named together on one line.
    [InlineData("alarms put x",
        "'workshop alarms put' needs --namespace, --metric, --comparison and --threshold: give each with its value. Run 'workshop alarms put --help' to see what 'workshop alarms put' takes.")]
    [InlineData("alarms put x --threshold abc",
        "--threshold: Cannot parse argument 'abc' for option '--threshold' as a number. 'workshop alarms put' needs --namespace, --metric and --comparison: give each with its value. Run 'workshop alarms put --help' to see what 'workshop alarms put' takes.")]
    [InlineData("stream create",
        "'workshop stream create' needs --stream: give it with its value. Run 'workshop stream create --help' to see what 'workshop stream create' takes.")]
    [InlineData("chaos duplicate-put --count abc --rate abc",
        "--count: Cannot parse argument 'abc' for option '--count' as a whole number. --rate: Cannot parse argument 'abc' for option '--rate' as a number. Run 'workshop chaos duplicate-put --help' to see what 'workshop chaos duplicate-put' takes.")]
    public void A_refused_command_line_is_told_on_one_line_before_anything_runs(string arguments, string expected)
    {
        var run = Run(arguments);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(expected, run.Stderr.TrimEnd('\n'));
        Assert.Equal("", run.Stdout);
        Assert.False(Directory.Exists(Workspace), "The refused command made a workspace.");
    }

    [Fact]
    public void Kernel_install_refuses_user_and_prefix_together_and_writes_nothing()
    {
        var prefix = Path.Combine(folder, "prefix");

        var run = Run($"kernel install --user --prefix {prefix}");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("--user and --prefix each say where the kernelspec goes: give one of them (--user for your own Jupyter folder, --prefix DIR for DIR/share/jupyter/kernels), not both. "
            + "Run 'workshop kernel install --help' to see what 'workshop kernel install' takes.", run.Stderr.TrimEnd('\n'));
        Assert.Equal("", run.Stdout);
        Assert.False(Directory.Exists(prefix), "The refused install wrote a kernelspec.");
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
