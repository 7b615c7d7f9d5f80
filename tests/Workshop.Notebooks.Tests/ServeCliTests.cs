using System.Globalization;
using System.Text.Json.Nodes;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// `workshop serve` started as a learner starts it, driven by Debian's AWS CLI (/usr/bin/aws) with dummy credentials:
/// each answer read as the CLI prints it, one error as the CLI reports it, then a clean stop on SIGTERM.
/// </summary>
public sealed class ServeCliTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-serve-").FullName;

    [Fact]
    public async Task The_aws_cli_creates_a_stream_puts_records_one_and_in_a_batch_gets_them_and_asks_who_it_is()
    {
        Assert.True(File.Exists(AwsCli.Program), "Debian's awscli is installed (test.sh installs it)");
        // ServeProcess reads the URL from the banner's export line and keeps every line the server prints. Ten times
        // real time: an iterator lasts five minutes of the workspace's clock, 30 s of the wall clock, ample for the one
        // CLI run between getting an iterator and reading it even on a machine busy with other tests.
        await using var server = await ServeProcess.StartAsync(Path.Combine(folder, "ws"), "--speed", "10");
        var url = server.Url;
        var banner = server.Lines;
        Assert.Matches(@"^http://127\.0\.0\.1:\d+$", url);
        Assert.EndsWith($" at {url}. Ctrl+C stops.", banner[0]);
        Assert.Equal("It answers as Kinesis, Firehose, S3, Glue, Athena, the Redshift Data API, Step Functions, CloudFormation, CloudWatch, Lambda, EventBridge, Logs and STS.", banner[1]);
        var clockLine = await server.WaitForLineAsync(l => l.StartsWith("The workspace's clock", StringComparison.Ordinal));
        var clockAtStart = Assert.Single(System.Text.RegularExpressions.Regex.Matches(clockLine ?? "",
            @"^The workspace's clock follows the wall clock from (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC \(10x real time\)\.$")).Groups[1].Value;
        var wall = System.Diagnostics.Stopwatch.StartNew();
        var aws = new AwsCli(folder, url);

        var identity = aws.Json("sts", "get-caller-identity");
        Assert.Equal("123456789012", (string?)identity["Account"]);
        Assert.Equal("arn:aws:iam::123456789012:user/workshop-learner", (string?)identity["Arn"]);

        aws.Json("kinesis", "create-stream", "--stream-name", "cli-weather", "--shard-count", "1");
        var summary = aws.Json("kinesis", "describe-stream-summary", "--stream-name", "cli-weather")["StreamDescriptionSummary"]!;
        Assert.Equal("ACTIVE", (string?)summary["StreamStatus"]);
        Assert.Equal(1, (int)summary["OpenShardCount"]!);

        // The CLI takes --data base64 encoded: "Dublin 12C".
        var put = aws.Json("kinesis", "put-record", "--stream-name", "cli-weather", "--partition-key", "Dublin", "--data", "RHVibGluIDEyQw==");
        Assert.Equal("shardId-000000000000", (string?)put["ShardId"]);

        // A batch: "Cork 9C" and "Galway 10C", base64 encoded as the CLI takes them.
        var batch = aws.Json("kinesis", "put-records", "--stream-name", "cli-weather",
            "--records", "Data=Q29yayA5Qw==,PartitionKey=Cork", "Data=R2Fsd2F5IDEwQw==,PartitionKey=Galway");
        Assert.Equal(0, (int)batch["FailedRecordCount"]!);
        Assert.Equal(2, batch["Records"]!.AsArray().Count);

        var iterator = (string?)aws.Json("kinesis", "get-shard-iterator", "--stream-name", "cli-weather", "--shard-id", "shardId-000000000000", "--shard-iterator-type", "TRIM_HORIZON")["ShardIterator"];
        var records = aws.Json("kinesis", "get-records", "--shard-iterator", iterator!)["Records"]!.AsArray();
        Assert.Equal(["Dublin", "Cork", "Galway"], records.Select(r => (string?)r!["PartitionKey"]));
        Assert.Equal(["Q29yayA5Qw==", "R2Fsd2F5IDEwQw=="], records.Skip(1).Select(r => (string?)r!["Data"]));
        var record = records[0]!;
        Assert.Equal("Dublin", (string?)record["PartitionKey"]);
        Assert.Equal("RHVibGluIDEyQw==", (string?)record["Data"]);
        Assert.Equal((string?)put["SequenceNumber"], (string?)record["SequenceNumber"]);

        var missing = aws.Run("kinesis", "describe-stream-summary", "--stream-name", "no-such-stream");
        Assert.NotEqual(0, missing.Exit);
        Assert.Contains("An error occurred (ResourceNotFoundException) when calling the DescribeStreamSummary operation: Stream no-such-stream under account 123456789012 not found.", missing.Stderr);

        wall.Stop();
        var (exit, stderr) = await server.StopAsync();
        Assert.Equal(130, exit);
        Assert.EndsWith("Stopped.", stderr.TrimEnd());

        // Ten times real time for the seconds the calls took (eight AWS CLI runs, timed here from the clock's line to the
        // last of them): the clock saved on the way out is at least that much later than the time the banner gave.
        var saved = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "ws", "state", "clock.json")))!["Now"]!.GetValue<DateTimeOffset>();
        var started = DateTimeOffset.ParseExact(clockAtStart, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        Assert.True(wall.Elapsed >= TimeSpan.FromSeconds(1), $"eight CLI runs took {wall.Elapsed.TotalSeconds:0.0} s");
        Assert.True(saved - started >= wall.Elapsed * 10, $"the clock moved from {started:u} only to {saved:u} in {wall.Elapsed.TotalSeconds:0.0} s of the wall clock");
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
