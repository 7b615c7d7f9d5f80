using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// `workshop serve --strict` driven by Debian's AWS CLI and boto3: the configured keys are taken, a wrong secret or an
/// unknown key is refused with the error each service sends (the CLI prints it as it would for AWS), and without
/// --strict any key is taken.
/// </summary>
public sealed class ServeStrictCliTests : IDisposable
{
    private const string AwsCli = "/usr/bin/aws";
    private const string AccessKey = "AKIDSTRICTTEST";
    private const string Secret = "strict-test-secret";
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-serve-strict-").FullName;

    [Fact]
    public async Task With_strict_the_right_keys_are_served_and_a_wrong_secret_or_key_is_refused_as_aws_refuses_it()
    {
        await using var server = await ServeProcess.StartAsync(Path.Combine(folder, "ws"), "--strict", "--access-key", AccessKey, "--secret-key", Secret);
        Assert.Equal($"Signatures are checked (--strict): sign with AWS_ACCESS_KEY_ID={AccessKey} AWS_SECRET_ACCESS_KEY={Secret}.",
            await server.WaitForLineAsync(l => l.StartsWith("Signatures are", StringComparison.Ordinal)));

        Assert.Equal("123456789012", (string?)Aws(server.Url, AccessKey, Secret, "sts", "get-caller-identity")["Account"]);
        Aws(server.Url, AccessKey, Secret, "kinesis", "create-stream", "--stream-name", "strict-weather", "--shard-count", "1");
        Assert.Equal("shardId-000000000000", (string?)Aws(server.Url, AccessKey, Secret, "kinesis", "put-record", "--stream-name", "strict-weather",
            "--partition-key", "Leeds", "--data", "TGVlZHMgOUM=")["ShardId"]);

        AssertRefused(RunAws(server.Url, AccessKey, "not-the-secret", "kinesis", "list-streams"),
            "An error occurred (InvalidSignatureException) when calling the ListStreams operation: The request signature we calculated does not match the signature you provided.");
        AssertRefused(RunAws(server.Url, "AKIDSOMEONEELSE", Secret, "kinesis", "list-streams"),
            "An error occurred (UnrecognizedClientException) when calling the ListStreams operation: The security token included in the request is invalid.");
        AssertRefused(RunAws(server.Url, AccessKey, "not-the-secret", "sts", "get-caller-identity"),
            "An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation: The request signature we calculated does not match the signature you provided.");
        AssertRefused(RunAws(server.Url, "AKIDSOMEONEELSE", Secret, "sts", "get-caller-identity"),
            "An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: The security token included in the request is invalid.");

        // S3's refusals are S3's own, whichever S3 call it is (the check comes before any service sees the request).
        AssertRefused(RunAws(server.Url, AccessKey, "not-the-secret", "s3", "ls"),
            "An error occurred (SignatureDoesNotMatch) when calling the ListBuckets operation: The request signature we calculated does not match the signature you provided.");
        AssertRefused(RunAws(server.Url, "AKIDSOMEONEELSE", Secret, "s3api", "list-objects-v2", "--bucket", "lake", "--prefix", "weather data/", "--delimiter", "/"),
            "An error occurred (InvalidAccessKeyId) when calling the ListObjectsV2 operation: The AWS Access Key Id you provided does not exist in our records.");

        // A presigned URL carries its signature in the query string.
        Assert.Equal("200 123456789012", Presigned(server.Url, Secret));
        Assert.Equal("403 SignatureDoesNotMatch", Presigned(server.Url, "not-the-secret"));

        // The refused put left the stream as it was: the one record put with the right keys.
        var iterator = (string?)Aws(server.Url, AccessKey, Secret, "kinesis", "get-shard-iterator", "--stream-name", "strict-weather",
            "--shard-id", "shardId-000000000000", "--shard-iterator-type", "TRIM_HORIZON")["ShardIterator"];
        AssertRefused(RunAws(server.Url, AccessKey, "not-the-secret", "kinesis", "put-record", "--stream-name", "strict-weather", "--partition-key", "Leeds", "--data", "TGVlZHMgOUM="),
            "An error occurred (InvalidSignatureException) when calling the PutRecord operation");
        Assert.Equal("TGVlZHMgOUM=", (string?)Assert.Single(Aws(server.Url, AccessKey, Secret, "kinesis", "get-records", "--shard-iterator", iterator!)["Records"]!.AsArray())!["Data"]);
    }

    [Fact]
    public async Task Without_strict_any_key_and_secret_are_taken()
    {
        await using var server = await ServeProcess.StartAsync(Path.Combine(folder, "ws"));
        Assert.Equal("Signatures are not checked: any access key and secret will do (--strict checks them).",
            await server.WaitForLineAsync(l => l.StartsWith("Signatures are", StringComparison.Ordinal)));
        Assert.Equal("123456789012", (string?)Aws(server.Url, "AKIDSOMEONEELSE", "not-the-secret", "sts", "get-caller-identity")["Account"]);
        Assert.Equal([], Aws(server.Url, "AKIDANYONE", "any-secret", "kinesis", "list-streams")["StreamNames"]!.AsArray().Select(n => (string?)n));
    }

    private static void AssertRefused((int Exit, string Stdout, string Stderr) result, string message)
    {
        Assert.NotEqual(0, result.Exit);
        Assert.True(result.Stderr.Contains(message, StringComparison.Ordinal), $"the CLI said: {result.Stderr}");
    }

    private JsonObject Aws(string url, string accessKey, string secret, params string[] arguments)
    {
        var (exit, stdout, stderr) = RunAws(url, accessKey, secret, arguments);
        Assert.True(exit == 0, $"aws {string.Join(' ', arguments)} exited {exit}: {stderr}");
        return stdout.Trim().Length == 0 ? [] : JsonNode.Parse(stdout)!.AsObject();
    }

    private (int Exit, string Stdout, string Stderr) RunAws(string url, string accessKey, string secret, params string[] arguments) =>
        Run(AwsCli, accessKey, secret, [.. arguments, "--endpoint-url", url, "--output", "json"]);

    /// <summary>STS GetCallerIdentity through a URL boto3 presigns with <paramref name="secret"/>: the status and the account or error code.</summary>
    private string Presigned(string url, string secret)
    {
        const string script = """
            import sys, urllib.request, urllib.error, re
            import boto3
            presigned = boto3.client("sts", endpoint_url=sys.argv[1]).generate_presigned_url("get_caller_identity", HttpMethod="GET")
            try:
                with urllib.request.urlopen(presigned) as answer:
                    print(answer.status, re.search(r"<Account>(.*?)</Account>", answer.read().decode()).group(1))
            except urllib.error.HTTPError as error:
                print(error.code, re.search(r"<Code>(.*?)</Code>", error.read().decode()).group(1))
            """;
        var (exit, stdout, stderr) = Run("/usr/bin/python3", AccessKey, secret, ["-c", script, url]);
        Assert.True(exit == 0, $"python3 exited {exit}: {stderr}");
        return stdout.Trim();
    }

    private (int Exit, string Stdout, string Stderr) Run(string program, string accessKey, string secret, string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        info.Environment["HOME"] = folder;
        info.Environment["AWS_CONFIG_FILE"] = Path.Combine(folder, "no-aws-config");
        info.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(folder, "no-aws-credentials");
        info.Environment["AWS_ACCESS_KEY_ID"] = accessKey;
        info.Environment["AWS_SECRET_ACCESS_KEY"] = secret;
        info.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        info.Environment["AWS_PAGER"] = "";
        info.Environment.Remove("AWS_PROFILE");
        info.Environment.Remove("AWS_SESSION_TOKEN");
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
