using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using StreamingWorkshop;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Serve;
using StreamingWorkshop.Storage;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Aws;

/// <summary>
/// `workshop run --backend aws` through every notebook, with every AWS call answered by the kit's own local endpoint
/// over a local day of data, named by AWS_ENDPOINT_URL alone. The endpoint's record of the requests it answered is
/// kept with the executed notebooks as the run's recording.
/// </summary>
public sealed class AwsDryRunTests
{
    [Fact]
    public async Task Workshop_run_with_the_aws_backend_goes_through_every_notebook_against_the_local_endpoint()
    {
        var workspace = Directory.CreateTempSubdirectory("aws-dry-run-").FullName;
        var output = Path.Combine(workspace, "out");
        await using var local = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = workspace, Backend = "local" });
        await local.SimulateAsync(TimeSpan.FromHours(24));
        // Where the simulated day ends on each shard: the run's own records come after it. A reader of its own, at
        // the day's end, counts them without taking the session's reads on the shard.
        using var reader = new LocalStreamService(new WorkspaceDirectory(workspace), new VirtualClock(local.Clock.GetUtcNow()));
        var runStartsAt = new List<string>();
        foreach (var shard in await reader.ListShardsAsync(local.Names.StreamName))
            runStartsAt.Add(await reader.GetShardIteratorAsync(local.Names.StreamName, shard.ShardId, ShardIteratorType.LATEST));

        // The endpoint's clock runs as `workshop serve` runs it, here 60 times faster than real time, so a Glue job run
        // started over the wire moves through its states while the notebook waits on it.
        local.Clock.StartLive(60);
        await using var endpoint = await LocalEndpoint.StartAsync(local, "127.0.0.1", 0);
        var seen = new ConcurrentQueue<RequestSeen>();
        endpoint.RequestAnswered += seen.Enqueue;
        var run = new ProcessStartInfo("dotnet") { WorkingDirectory = Repository.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "workshop.dll"), "run", "--backend", "aws", "--region", "us-east-1", "--out", output })
            run.ArgumentList.Add(argument);
        foreach (var name in run.Environment.Keys.Where(name => name.StartsWith("AWS_", StringComparison.Ordinal)).ToArray())
            run.Environment.Remove(name);
        run.Environment["WORKSHOP_WORKSPACE"] = workspace;
        run.Environment["AWS_ACCESS_KEY_ID"] = "AKIDLOCAL";
        run.Environment["AWS_SECRET_ACCESS_KEY"] = "local-secret";
        run.Environment["AWS_ENDPOINT_URL"] = endpoint.Url.ToString();
        using var process = Process.Start(run)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var log = await stdout + await stderr;
        var requests = seen.ToArray();
        await File.WriteAllLinesAsync(Path.Combine(output, "aws-requests.txt"),
            requests.Select(r => $"{r.Service} {r.Operation} {r.Status} signed for {r.SignedRegion}/{r.SignedService}"));

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

        // The warehouse notebook loaded the lake's day into the cluster over the Data API and reached its challenge.
        var warehouse = File.ReadAllText(executed.Single(path => Path.GetFileName(path) == "06-going-further-warehouse.ipynb"));
        Assert.Matches(@"\d[\d,]* rows changed", warehouse);
        Assert.Contains("Warehouse challenge · Not yet", warehouse);

        // The jobs notebook ran the batch job to its end and started and stopped the streaming job through Glue's API.
        var jobs = File.ReadAllText(executed.Single(path => Path.GetFileName(path) == "07-going-further-etl.ipynb"));
        Assert.Contains("Run of weather-analytics-curate-batch-dev: SUCCEEDED", jobs);
        Assert.Contains("Run of weather-analytics-curate-stream-dev: RUNNING", jobs);
        Assert.Contains("ETL challenge · Not yet", jobs);

        // The orchestration notebook ran the daily pipeline through Step Functions' API: to its end on yesterday, and
        // failed by its quality check on a day that has barely begun.
        var orchestration = File.ReadAllText(executed.Single(path => Path.GetFileName(path) == "08-going-further-orchestration.ipynb"));
        Assert.Matches(@"Execution [0-9a-f-]{36}: SUCCEEDED", orchestration);
        Assert.Contains("DataQuality.MissingHours", orchestration);
        Assert.Contains("Orchestration challenge · Not yet", orchestration);

        // The run went through the AWS clients: every stage was reached over the wire, and none hit a fault of the endpoint.
        var recorded = requests.Select(r => $"{r.Service} {r.Operation}").ToHashSet();
        foreach (var expected in new[]
        {
            "cloudformation DescribeStacks", "cloudformation UpdateStack", "lambda Invoke", "logs FilterLogEvents", "firehose DescribeDeliveryStream",
            "s3 GetBucketLifecycleConfiguration", "s3 ListObjectsV2", "s3 GetObject", "glue StartCrawler", "glue UpdateTable", "glue GetPartitions",
            "athena StartQueryExecution", "athena GetQueryResults", "athena BatchGetQueryExecution", "events DescribeRule",
            "monitoring GetMetricStatistics", "monitoring PutMetricAlarm", "monitoring DescribeAlarms", "monitoring DeleteAlarms",
            "redshift-data ExecuteStatement", "redshift-data DescribeStatement", "redshift-data GetStatementResult",
            "glue GetJobs", "glue StartJobRun", "glue GetJobRun", "glue GetJobRuns", "glue BatchStopJobRun",
            "states ListStateMachines", "states DescribeStateMachine", "states StartExecution", "states DescribeExecution",
            "states ListExecutions", "states GetExecutionHistory",
        })
            Assert.Contains(expected, recorded);
        Assert.DoesNotContain(requests, r => r.Status >= 500);
        // Every request was signed for the region asked for and for the service it went to.
        Assert.All(requests, r => Assert.Equal(("us-east-1", r.Service), (r.SignedRegion, r.SignedService)));
        Assert.Equal(["athena", "cloudformation", "events", "firehose", "glue", "kinesis", "lambda", "logs", "monitoring", "redshift-data", "s3", "states"], requests.Select(r => r.Service).Distinct().Order());

        // Each invocation of the producer function put one reading per city on the stream during the run.
        var putDuringRun = 0;
        foreach (var start in runStartsAt)
        {
            var iterator = start;
            while (true)
            {
                var batch = await reader.GetRecordsAsync(iterator, 10_000);
                putDuringRun += batch.Records.Count;
                if (batch.Records.Count == 0 || batch.NextShardIterator is null) break;
                iterator = batch.NextShardIterator;
            }
        }
        var invocations = requests.Count(r => (r.Service, r.Operation) == ("lambda", "Invoke"));
        Assert.NotEqual(0, invocations);
        Assert.Equal(local.Cities.Count * invocations, putDuringRun);
    }
}
