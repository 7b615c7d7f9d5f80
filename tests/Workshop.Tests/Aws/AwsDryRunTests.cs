using System.Diagnostics;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using StreamingWorkshop;
using StreamingWorkshop.Aws;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Aws;

/// <summary>
/// `workshop run --backend aws` through every notebook, with Kinesis on kinesalite, S3 on s3rver and the other
/// services answered by <see cref="AwsStub"/> from a local day of data. The stub's request log is kept with
/// the executed notebooks as the run's recording.
/// </summary>
public sealed class AwsDryRunTests(KinesalitePeer kinesalite, S3rverPeer s3rver) : IClassFixture<KinesalitePeer>, IClassFixture<S3rverPeer>
{
    [Fact]
    public async Task Workshop_run_with_the_aws_backend_goes_through_every_notebook_without_an_error()
    {
        var workspace = Directory.CreateTempSubdirectory("aws-dry-run-").FullName;
        var output = Path.Combine(workspace, "out");
        await using var local = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = workspace, Backend = "local" });
        await local.SimulateAsync(TimeSpan.FromHours(24));

        var credentials = new BasicAWSCredentials("S3RVER", "S3RVER");
        var peers = new Dictionary<string, string> { ["AWS_ENDPOINT_URL_KINESIS"] = kinesalite.Peer.Endpoint.ToString(), ["AWS_ENDPOINT_URL_S3"] = s3rver.Peer.Endpoint.ToString() };
        var clients = new AwsClients(AwsSettings.WithCredentials("us-east-1", credentials, name => peers.GetValueOrDefault(name)));
        using var kinesis = clients.Kinesis();
        await kinesis.CreateStreamAsync(local.Names.StreamName, 1);
        using var s3 = clients.S3();
        await CopyBucketAsync(local.Lake, s3, local.Names.LakeBucket);
        await s3.CreateBucketAsync(local.Names.ResultsBucket);

        await using var stub = new AwsStub(local, kinesis, s3rver.Peer.Endpoint);
        var run = new ProcessStartInfo("dotnet") { WorkingDirectory = Repository.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "workshop.dll"), "run", "--backend", "aws", "--region", "us-east-1", "--out", output })
            run.ArgumentList.Add(argument);
        foreach (var name in new[] { "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS" }) run.Environment.Remove(name);
        run.Environment["WORKSHOP_WORKSPACE"] = workspace;
        run.Environment["AWS_ACCESS_KEY_ID"] = "S3RVER";
        run.Environment["AWS_SECRET_ACCESS_KEY"] = "S3RVER";
        run.Environment["AWS_ENDPOINT_URL"] = stub.Endpoint.ToString();
        run.Environment["AWS_ENDPOINT_URL_KINESIS"] = kinesalite.Peer.Endpoint.ToString();
        run.Environment["AWS_ENDPOINT_URL_S3"] = stub.Endpoint.ToString();
        using var process = Process.Start(run)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var log = await stdout + await stderr;
        await File.WriteAllLinesAsync(Path.Combine(output, "aws-requests.txt"), stub.Recording);

        Assert.True(process.ExitCode == 0, log);
        var executed = Directory.GetFiles(output, "*.ipynb", SearchOption.AllDirectories); // pages keep the notebooks' folders
        Assert.Equal(StreamingWorkshop.Notebooks.NotebookRunner.DefaultNotebooks(Repository.Root).Select(Path.GetFileNameWithoutExtension).Order(),
            executed.Select(Path.GetFileNameWithoutExtension).Order());
        foreach (var notebook in executed)
        {
            var cells = JsonNode.Parse(File.ReadAllText(notebook))!["cells"]!.AsArray();
            var errors = cells.SelectMany(c => c!["outputs"]?.AsArray() ?? []).Where(o => (string?)o!["output_type"] == "error").ToArray();
            Assert.True(errors.Length == 0, $"{Path.GetFileName(notebook)}: {string.Join("\n", errors.Select(e => e!.ToJsonString()))}");
        }

        // The late-data notebook replays its night in local labs whichever backend the day uses: its backfill is there.
        var lateData = File.ReadAllText(executed.Single(path => Path.GetFileName(path) == "05-late-data-and-change.ipynb"));
        Assert.Contains("Backfilled 183 reading(s) held back by the outage", lateData);

        // The run went through the AWS clients: every stage was reached over the wire.
        var recorded = stub.Recording.ToHashSet();
        foreach (var expected in new[]
        {
            "cloudformation DescribeStacks", "cloudformation UpdateStack", "lambda Invoke", "logs FilterLogEvents", "firehose DescribeDeliveryStream",
            "s3 GetBucketLifecycleConfiguration", "glue StartCrawler", "glue UpdateTable", "glue GetPartitions", "athena StartQueryExecution", "athena GetQueryResults",
            "athena BatchGetQueryExecution", "events DescribeRule",
            "monitoring GetMetricStatistics", "monitoring PutMetricAlarm", "monitoring DescribeAlarms", "monitoring DeleteAlarms",
        })
            Assert.Contains(expected, recorded);
        // Every request was signed for the region asked for and for the service it went to.
        Assert.All(stub.Scopes, scope => Assert.Equal("us-east-1", scope.Region));
        Assert.Equal(["athena", "cloudformation", "events", "firehose", "glue", "lambda", "logs", "monitoring", "s3"], stub.Scopes.Select(s => s.Service).Distinct().Order());
        var shard = (await kinesis.ListShardsAsync(local.Names.StreamName))[0].ShardId;
        var onStream = await kinesis.GetRecordsAsync(await kinesis.GetShardIteratorAsync(local.Names.StreamName, shard, ShardIteratorType.TRIM_HORIZON), 100);
        // Each invocation of the producer "function" put one reading per city on kinesalite.
        Assert.Equal(local.Cities.Count * stub.Recording.Count(r => r == "lambda Invoke"), onStream.Records.Count);
    }

    private static async Task CopyBucketAsync(IObjectStore from, IObjectStore to, string bucket)
    {
        await to.CreateBucketAsync(bucket);
        await foreach (var item in from.ListAllAsync(bucket))
            await to.PutObjectAsync(bucket, item.Key, (await from.GetObjectAsync(bucket, item.Key)).Content);
    }
}
