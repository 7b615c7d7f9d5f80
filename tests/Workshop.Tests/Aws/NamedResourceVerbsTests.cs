using System.Collections.Concurrent;
using System.Diagnostics;
using Amazon.Runtime;
using StreamingWorkshop;
using StreamingWorkshop.Aws;
using StreamingWorkshop.Serve;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Aws;

/// <summary>
/// On the AWS backend, the verbs that name their stream or bucket work on an account with no workshop stack (the
/// stream on kinesalite, the bucket on s3rver, the other services on the local endpoint over a workspace with no stack); without the name,
/// the one error line says to deploy or to name the resource.
/// </summary>
public sealed class NamedResourceVerbsTests(KinesalitePeer kinesalite, S3rverPeer s3rver) : IClassFixture<KinesalitePeer>, IClassFixture<S3rverPeer>, IAsyncLifetime
{
    private readonly string stream = $"named-{Guid.NewGuid():N}"[..20];
    private readonly string bucket = $"named-{Guid.NewGuid():N}"[..20];
    private const string Key = "weather-data/location=Dublin/reading.json";
    private readonly string workspace = Directory.CreateTempSubdirectory("named-verbs-").FullName;
    // The account's other services: the local endpoint over a workspace where no stack was ever deployed.
    private readonly string account = Directory.CreateTempSubdirectory("named-verbs-account-").FullName;
    private readonly ConcurrentQueue<string> requests = new();
    private WorkshopSession? accountSession;
    private LocalEndpoint? endpoint;

    public async Task InitializeAsync()
    {
        accountSession = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = account, Backend = "local" });
        endpoint = await LocalEndpoint.StartAsync(accountSession, "127.0.0.1", 0);
        endpoint.RequestAnswered += seen => requests.Enqueue($"{seen.Service} {seen.Operation}");
        var peers = new Dictionary<string, string> { ["AWS_ENDPOINT_URL_KINESIS"] = kinesalite.Peer.Endpoint.ToString(), ["AWS_ENDPOINT_URL_S3"] = s3rver.Peer.Endpoint.ToString() };
        var clients = new AwsClients(AwsSettings.WithCredentials("us-east-1", new BasicAWSCredentials("S3RVER", "S3RVER"), name => peers.GetValueOrDefault(name)));
        using var kinesis = clients.Kinesis();
        await kinesis.CreateStreamAsync(stream, 1);
        await kinesis.PutRecordAsync(stream, "Dublin 12C"u8.ToArray(), "Dublin");
        using var s3 = clients.S3();
        await s3.CreateBucketAsync(bucket);
        await s3.PutObjectAsync(bucket, Key, "{\"city\":\"Dublin\",\"temperature\":12}\n"u8.ToArray());
    }

    public async Task DisposeAsync()
    {
        if (endpoint is not null) await endpoint.DisposeAsync();
        if (accountSession is not null) await accountSession.DisposeAsync();
        Directory.Delete(workspace, recursive: true);
        Directory.Delete(account, recursive: true);
    }

    [Fact]
    public void Stream_verbs_given_the_stream_read_and_write_it_without_asking_for_the_stack()
    {
        var peek = Workshop("stream", "peek", "--stream", stream);
        Assert.True(peek.Exit == 0, peek.Stderr);
        Assert.Contains("Dublin 12C", peek.Stdout);

        var describe = Workshop("stream", "describe", "--stream", stream);
        Assert.True(describe.Exit == 0, describe.Stderr);
        Assert.Contains(stream, describe.Stdout);
        Assert.Contains("shardId-000000000000", describe.Stdout);

        var put = Workshop("stream", "put", "--stream", stream, "--data", "Cork 9C");
        Assert.True(put.Exit == 0, put.Stderr);
        Assert.StartsWith("shardId-000000000000 ", put.Stdout);
        Assert.Contains("Cork 9C", Workshop("stream", "peek", "--stream", stream).Stdout);

        Assert.Empty(requests);
    }

    [Fact]
    public void Lake_verbs_given_the_bucket_list_and_print_it_without_asking_for_the_stack()
    {
        var tree = Workshop("lake", "ls", "--bucket", bucket);
        Assert.True(tree.Exit == 0, tree.Stderr);
        Assert.Contains("location=Dublin", tree.Stdout);

        var keys = Workshop("lake", "ls", "--bucket", bucket, "--keys");
        Assert.True(keys.Exit == 0, keys.Stderr);
        Assert.Equal([Key], keys.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        var cat = Workshop("lake", "cat", Key, "--bucket", bucket);
        Assert.True(cat.Exit == 0, cat.Stderr);
        Assert.Equal("{\"city\":\"Dublin\",\"temperature\":12}", cat.Stdout.Trim());

        Assert.Empty(requests);
    }

    [Theory]
    [InlineData("stream|peek", "name the stream (--stream NAME)")]
    [InlineData("stream|describe", "name the stream (--stream NAME)")]
    [InlineData("stream|put|--data|x", "name the stream (--stream NAME)")]
    [InlineData("lake|ls", "name the bucket (--bucket NAME)")]
    [InlineData("lake|ls|--keys", "name the bucket (--bucket NAME)")]
    [InlineData("lake|cat|some/key", "name the bucket (--bucket NAME)")]
    [InlineData("catalog|tables", "name the database (--database NAME)")]
    [InlineData("query|SELECT 1", "name the database (--database NAME)")]
    public void Without_the_name_the_error_line_says_to_deploy_or_to_name_the_resource(string verb, string howToName)
    {
        var run = Workshop(verb.Split('|'));
        Assert.Equal(1, run.Exit);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"Error: The stack 'stream' is not deployed in us-east-1; run the Task 1 notebook or 'workshop deploy --backend aws' first; or {howToName}.", line.Trim());
        Assert.Equal(["cloudformation DescribeStacks"], requests.Distinct());
    }

    private (int Exit, string Stdout, string Stderr) Workshop(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "workshop.dll"));
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var argument in new[] { "--backend", "aws", "--region", "us-east-1", "--workspace", workspace }) info.ArgumentList.Add(argument);
        foreach (var name in new[] { "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "WORKSHOP_BACKEND", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS" }) info.Environment.Remove(name);
        info.Environment["COLUMNS"] = "200";
        info.Environment["AWS_ACCESS_KEY_ID"] = "S3RVER";
        info.Environment["AWS_SECRET_ACCESS_KEY"] = "S3RVER";
        info.Environment["AWS_ENDPOINT_URL"] = endpoint!.Url.ToString();
        info.Environment["AWS_ENDPOINT_URL_KINESIS"] = kinesalite.Peer.Endpoint.ToString();
        info.Environment["AWS_ENDPOINT_URL_S3"] = s3rver.Peer.Endpoint.ToString();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
