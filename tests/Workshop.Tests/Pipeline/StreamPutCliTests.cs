using Workshop.Tests.BadInput;

namespace Workshop.Tests.Pipeline;

/// <summary>
/// `workshop stream put --count` beyond a shard's 1,000 records a second: the refused records are retried with backoff
/// as a producer should, and what still fails is explained on one line with the error code, the limit and what to do.
/// </summary>
public sealed class StreamPutCliTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-stream-put-").FullName;

    // A process of its own: an in-process run would move this whole test process into the folder.
    private CliRun Put(params string[] arguments) =>
        WorkshopCli.Child(folder, ["stream", "put", "--data", "x", .. arguments, "--workspace", Path.Combine(folder, "ws")]);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Records_the_shard_refuses_are_put_on_a_retry_and_the_retry_is_told()
    {
        var run = Put("--count", "1001");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("Put 1,001 record(s); 0 failed.", run.Stdout.TrimEnd('\n'));
        Assert.Equal(
            "1 record(s) refused at first with ProvisionedThroughputExceededException (a shard takes 1,000 records and 1 MiB a second) were put on a retry after backing off 1.5 s.",
            Lines(run.Stderr)[^1]);
    }

    [Fact]
    public void Without_retries_the_refused_records_are_explained_on_one_line_and_the_exit_code_says_so()
    {
        var run = Put("--count", "1001", "--no-retry");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Put 1,000 record(s); 1 failed.", run.Stdout.TrimEnd('\n'));
        Assert.Equal(
            "Error: 1 record(s) refused with ProvisionedThroughputExceededException: a shard takes 1,000 records and 1 MiB a second. "
            + "Put fewer records a second, add shards ('workshop stream reshard --shards 2'), or put them again in the next second (leave out --no-retry to retry them with backoff).",
            Lines(run.Stderr)[^1]);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
