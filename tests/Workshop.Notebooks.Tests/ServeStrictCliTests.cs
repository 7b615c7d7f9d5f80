namespace Workshop.Notebooks.Tests;

/// <summary>
/// `workshop serve --strict` driven by Debian's AWS CLI and boto3: the configured keys are taken, a wrong secret or an
/// unknown key is refused with the error each service sends (the CLI prints it as it would for AWS), and without
/// --strict any key is taken.
/// </summary>
public sealed class ServeStrictCliTests : IDisposable
{
    private const string AccessKey = "AKIDSTRICTTEST";
    private const string Secret = "strict-test-secret";
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-serve-strict-").FullName;

    [Fact]
    public async Task With_strict_the_right_keys_are_served_and_a_wrong_secret_or_key_is_refused_as_aws_refuses_it()
    {
        await using var server = await ServeProcess.StartAsync(Path.Combine(folder, "ws"), "--strict", "--access-key", AccessKey, "--secret-key", Secret);
        // A secret of the user's own is not printed: the terminal may be on a projector.
        Assert.Equal($"Signatures are checked (--strict): sign with AWS_ACCESS_KEY_ID={AccessKey} AWS_SECRET_ACCESS_KEY=(the one given with --secret-key).",
            await server.WaitForLineAsync(l => l.StartsWith("Signatures are", StringComparison.Ordinal)));
        var aws = new AwsCli(folder, server.Url, AccessKey, Secret);
        var wrongSecret = aws.WithKeys(AccessKey, "not-the-secret");
        var unknownKey = aws.WithKeys("AKIDSOMEONEELSE", Secret);

        Assert.Equal("123456789012", (string?)aws.Json("sts", "get-caller-identity")["Account"]);
        aws.Json("kinesis", "create-stream", "--stream-name", "strict-weather", "--shard-count", "1");
        Assert.Equal("shardId-000000000000", (string?)aws.Json("kinesis", "put-record", "--stream-name", "strict-weather",
            "--partition-key", "Leeds", "--data", "TGVlZHMgOUM=")["ShardId"]);

        AssertRefused(wrongSecret.Run("kinesis", "list-streams"),
            "An error occurred (InvalidSignatureException) when calling the ListStreams operation: The request signature we calculated does not match the signature you provided.");
        AssertRefused(unknownKey.Run("kinesis", "list-streams"),
            "An error occurred (UnrecognizedClientException) when calling the ListStreams operation: The security token included in the request is invalid.");
        AssertRefused(wrongSecret.Run("sts", "get-caller-identity"),
            "An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation: The request signature we calculated does not match the signature you provided.");
        AssertRefused(unknownKey.Run("sts", "get-caller-identity"),
            "An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: The security token included in the request is invalid.");

        // S3's refusals are S3's own, whichever S3 call it is (the check comes before any service sees the request).
        AssertRefused(wrongSecret.Run("s3", "ls"),
            "An error occurred (SignatureDoesNotMatch) when calling the ListBuckets operation: The request signature we calculated does not match the signature you provided.");
        AssertRefused(unknownKey.Run("s3api", "list-objects-v2", "--bucket", "lake", "--prefix", "weather data/", "--delimiter", "/"),
            "An error occurred (InvalidAccessKeyId) when calling the ListObjectsV2 operation: The AWS Access Key Id you provided does not exist in our records.");

        // A presigned URL carries its signature in the query string.
        Assert.Equal("200 123456789012", Presigned(aws));
        Assert.Equal("403 SignatureDoesNotMatch", Presigned(wrongSecret));

        // The refused put left the stream as it was: the one record put with the right keys.
        var iterator = (string?)aws.Json("kinesis", "get-shard-iterator", "--stream-name", "strict-weather",
            "--shard-id", "shardId-000000000000", "--shard-iterator-type", "TRIM_HORIZON")["ShardIterator"];
        AssertRefused(wrongSecret.Run("kinesis", "put-record", "--stream-name", "strict-weather", "--partition-key", "Leeds", "--data", "TGVlZHMgOUM="),
            "An error occurred (InvalidSignatureException) when calling the PutRecord operation");
        Assert.Equal("TGVlZHMgOUM=", (string?)Assert.Single(aws.Json("kinesis", "get-records", "--shard-iterator", iterator!)["Records"]!.AsArray())!["Data"]);
    }

    [Fact]
    public async Task Without_strict_any_key_and_secret_are_taken()
    {
        await using var server = await ServeProcess.StartAsync(Path.Combine(folder, "ws"));
        Assert.Equal("Signatures are not checked: any access key and secret will do (--strict checks them).",
            await server.WaitForLineAsync(l => l.StartsWith("Signatures are", StringComparison.Ordinal)));
        Assert.Equal("123456789012", (string?)new AwsCli(folder, server.Url, "AKIDSOMEONEELSE", "not-the-secret").Json("sts", "get-caller-identity")["Account"]);
        Assert.Equal([], new AwsCli(folder, server.Url, "AKIDANYONE", "any-secret").Json("kinesis", "list-streams")["StreamNames"]!.AsArray().Select(n => (string?)n));
    }

    private static void AssertRefused((int Exit, string Stdout, string Stderr) result, string message)
    {
        Assert.NotEqual(0, result.Exit);
        Assert.True(result.Stderr.Contains(message, StringComparison.Ordinal), $"the CLI said: {result.Stderr}");
    }

    /// <summary>STS GetCallerIdentity through a URL boto3 presigns with <paramref name="aws"/>'s keys: the status and the account or error code.</summary>
    private static string Presigned(AwsCli aws)
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
        return aws.PythonScript(script).Trim();
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
