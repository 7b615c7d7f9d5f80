using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// `workshop serve` started as a learner starts it, driven by Debian's AWS CLI (/usr/bin/aws) with dummy credentials:
/// each answer read as the CLI prints it, one error as the CLI reports it, then a clean stop on SIGTERM.
/// </summary>
public sealed class ServeCliTests : IDisposable
{
    private const string AwsCli = "/usr/bin/aws";
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-serve-").FullName;

    [Fact]
    public async Task The_aws_cli_creates_a_stream_puts_records_one_and_in_a_batch_gets_them_and_asks_who_it_is()
    {
        Assert.True(File.Exists(AwsCli), "Debian's awscli is installed (test.sh installs it)");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        info.Environment["WORKSHOP_WORKSPACE"] = Path.Combine(folder, "ws");
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "workshop.dll"), "serve", "--port", "0", "--speed", "60" }) info.ArgumentList.Add(a);
        using var server = Process.Start(info)!;
        var stderr = server.StandardError.ReadToEndAsync();
        var banner = new List<string>();
        string? exportLine = null;
        while (exportLine is null && await server.StandardOutput.ReadLineAsync() is { } line)
        {
            banner.Add(line);
            if (line.StartsWith("export AWS_ENDPOINT_URL=", StringComparison.Ordinal)) exportLine = line;
        }
        Assert.True(exportLine is not null, $"the server prints the line to paste; it printed: {string.Join('\n', banner)} {(server.HasExited ? await stderr : "")}");
        var url = exportLine["export AWS_ENDPOINT_URL=".Length..];
        Assert.Matches(@"^http://127\.0\.0\.1:\d+$", url);
        Assert.EndsWith($" at {url}. Ctrl+C stops.", banner[0]);
        Assert.Equal("It answers as Kinesis, Firehose, S3, Glue, Athena, CloudFormation, CloudWatch, Lambda, EventBridge, Logs and STS.", banner[1]);
        var clockLine = await server.StandardOutput.ReadLineAsync();
        while (clockLine is not null && !clockLine.StartsWith("The workspace's clock", StringComparison.Ordinal)) clockLine = await server.StandardOutput.ReadLineAsync();
        var clockAtStart = Assert.Single(System.Text.RegularExpressions.Regex.Matches(clockLine ?? "",
            @"^The workspace's clock follows the wall clock from (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC \(60x real time\)\.$")).Groups[1].Value;

        var identity = Aws(url, "sts", "get-caller-identity");
        Assert.Equal("123456789012", (string?)identity["Account"]);
        Assert.Equal("arn:aws:iam::123456789012:user/workshop-learner", (string?)identity["Arn"]);

        Aws(url, "kinesis", "create-stream", "--stream-name", "cli-weather", "--shard-count", "1");
        var summary = Aws(url, "kinesis", "describe-stream-summary", "--stream-name", "cli-weather")["StreamDescriptionSummary"]!;
        Assert.Equal("ACTIVE", (string?)summary["StreamStatus"]);
        Assert.Equal(1, (int)summary["OpenShardCount"]!);

        // The CLI takes --data base64 encoded: "Dublin 12C".
        var put = Aws(url, "kinesis", "put-record", "--stream-name", "cli-weather", "--partition-key", "Dublin", "--data", "RHVibGluIDEyQw==");
        Assert.Equal("shardId-000000000000", (string?)put["ShardId"]);

        // A batch: "Cork 9C" and "Galway 10C", base64 encoded as the CLI takes them.
        var batch = Aws(url, "kinesis", "put-records", "--stream-name", "cli-weather",
            "--records", "Data=Q29yayA5Qw==,PartitionKey=Cork", "Data=R2Fsd2F5IDEwQw==,PartitionKey=Galway");
        Assert.Equal(0, (int)batch["FailedRecordCount"]!);
        Assert.Equal(2, batch["Records"]!.AsArray().Count);

        var iterator = (string?)Aws(url, "kinesis", "get-shard-iterator", "--stream-name", "cli-weather", "--shard-id", "shardId-000000000000", "--shard-iterator-type", "TRIM_HORIZON")["ShardIterator"];
        var records = Aws(url, "kinesis", "get-records", "--shard-iterator", iterator!)["Records"]!.AsArray();
        Assert.Equal(["Dublin", "Cork", "Galway"], records.Select(r => (string?)r!["PartitionKey"]));
        Assert.Equal(["Q29yayA5Qw==", "R2Fsd2F5IDEwQw=="], records.Skip(1).Select(r => (string?)r!["Data"]));
        var record = records[0]!;
        Assert.Equal("Dublin", (string?)record["PartitionKey"]);
        Assert.Equal("RHVibGluIDEyQw==", (string?)record["Data"]);
        Assert.Equal((string?)put["SequenceNumber"], (string?)record["SequenceNumber"]);

        var missing = RunAws(url, "kinesis", "describe-stream-summary", "--stream-name", "no-such-stream");
        Assert.NotEqual(0, missing.Exit);
        Assert.Contains("An error occurred (ResourceNotFoundException) when calling the DescribeStreamSummary operation: Stream no-such-stream under account 123456789012 not found.", missing.Stderr);

        using (var kill = Process.Start("kill", ["-TERM", server.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await server.WaitForExitAsync();
        Assert.Equal(130, server.ExitCode);
        Assert.EndsWith("Stopped.", (await stderr).TrimEnd());

        // Sixty times real time for the seconds the calls took (eight AWS CLI runs): the clock saved on the way out is minutes later.
        var saved = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "ws", "state", "clock.json")))!["Now"]!.GetValue<DateTimeOffset>();
        var started = DateTimeOffset.ParseExact(clockAtStart, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        Assert.True(saved - started >= TimeSpan.FromSeconds(60), $"the clock moved from {started:u} only to {saved:u}");
    }

    private JsonObject Aws(string url, params string[] arguments)
    {
        var (exit, stdout, stderr) = RunAws(url, arguments);
        Assert.True(exit == 0, $"aws {string.Join(' ', arguments)} exited {exit}: {stderr}");
        return stdout.Trim().Length == 0 ? [] : JsonNode.Parse(stdout)!.AsObject();
    }

    private (int Exit, string Stdout, string Stderr) RunAws(string url, params string[] arguments)
    {
        var info = new ProcessStartInfo(AwsCli) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        // Dummy credentials and no profile of the machine's: the endpoint takes any well-formed signature.
        info.Environment["HOME"] = folder;
        info.Environment["AWS_CONFIG_FILE"] = Path.Combine(folder, "no-aws-config");
        info.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(folder, "no-aws-credentials");
        info.Environment["AWS_ACCESS_KEY_ID"] = "AKIDWORKSHOPTEST";
        info.Environment["AWS_SECRET_ACCESS_KEY"] = "workshop-test-secret";
        info.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        info.Environment["AWS_PAGER"] = "";
        info.Environment.Remove("AWS_PROFILE");
        info.Environment.Remove("AWS_SESSION_TOKEN");
        // Debian's AWS CLI predates AWS_ENDPOINT_URL, so the endpoint is given as an option, as docs/serve.md says.
        foreach (var a in arguments.Concat(["--endpoint-url", url, "--output", "json"])) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
