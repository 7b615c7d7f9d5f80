using StreamingWorkshop;
using StreamingWorkshop.Cli.Commands;
using StreamingWorkshop.Jobs;
using Workshop.Tests.BadInput;

namespace Workshop.Tests.Cli;

/// <summary>
/// `workshop job run --wait` on a run that does not succeed: exit code 1 and, as `workflow run` leaves, one line on
/// stderr saying how the run ended and why, not only the table on stdout.
/// </summary>
public sealed class JobRunCliTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-job-run-").FullName;

    [Fact]
    public async Task A_failed_run_ends_with_one_line_on_stderr_giving_its_error()
    {
        var workspace = Path.Combine(folder, "ws");
        // The stack deployed and no readings in the lake: the batch job finds nothing under its raw prefix.
        await using (var session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = workspace }))
            await session.EnsurePipelineAsync();

        // A process of its own: an in-process run would move this whole test process into the folder.
        var run = WorkshopCli.Child(folder, "job", "run", "weather-analytics-curate-batch-dev", "--wait", "--workspace", workspace);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("State      FAILED", run.Stdout);
        var line = Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Matches(@"^Run jr_[0-9a-f]{64} ended FAILED: Path does not exist: s3://weather-analytics-data-lake-dev-\d{12}/weather-data/ has no objects\. "
            + @"Check --raw_prefix \(the raw readings are under weather-data/; list the lake with workshop lake ls\)\.$", line);
    }

    [Theory]
    [InlineData(JobRunStates.Timeout, "Job run timed out after 1 minutes.", "Run jr_1 ended TIMEOUT: Job run timed out after 1 minutes.")]
    [InlineData(JobRunStates.Stopped, null, "Run jr_1 ended STOPPED. Start another with 'workshop job run curate --wait'.")]
    public void A_timed_out_or_stopped_run_is_told_the_same_way(string state, string? error, string expected)
    {
        var run = new JobRun("jr_1", "curate", 0, state, new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch,
            DateTimeOffset.UnixEpoch, 60, 1, "G.1X", 2, "4.0", error);

        Assert.Equal(expected, JobCommands.EndedBadly(run));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
