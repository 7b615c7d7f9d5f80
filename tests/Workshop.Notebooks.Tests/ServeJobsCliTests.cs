namespace Workshop.Notebooks.Tests;

/// <summary>The stack's Glue jobs reached with Debian's AWS CLI through `workshop serve`, as `aws glue` reaches them on AWS.</summary>
public sealed class ServeJobsCliTests : IDisposable
{
    private const string BatchJob = "weather-analytics-curate-batch-dev";
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-serve-jobs-").FullName;
    private string Workspace => Path.Combine(folder, "ws");

    [Fact]
    public async Task The_aws_cli_lists_the_jobs_reads_a_script_starts_a_run_reads_it_and_stops_it_and_names_a_missing_job()
    {
        Assert.True(File.Exists(AwsCli.Program), "Debian's awscli is installed (test.sh installs it)");
        var deployed = Cli.Capture(folder, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = Workspace }, "deploy");
        Assert.True(deployed.Exit == 0, $"workshop deploy exited {deployed.Exit}: {deployed.Stderr}");
        await using var server = await ServeProcess.StartAsync(Workspace);
        var aws = new AwsCli(folder, server.Url);

        var jobs = aws.Json("glue", "get-jobs")["Jobs"]!.AsArray();
        Assert.Equal(["weather-analytics-curate-batch-dev glueetl G.1X 2 2", "weather-analytics-curate-stream-dev gluestreaming G.025X 2 0.5"],
            jobs.Select(j => $"{j!["Name"]} {j["Command"]!["Name"]} {j["WorkerType"]} {j["NumberOfWorkers"]} {j["MaxCapacity"]}"));
        var script = aws.Text("s3", "cp", "s3://weather-analytics-glue-scripts-dev-123456789012/scripts/curate_batch.py", "-");
        Assert.Contains("CURATION_SQL = \"\"\"\nSELECT city,\n", script);

        var id = (string)aws.Json("glue", "start-job-run", "--job-name", BatchJob, "--arguments={\"--raw_prefix\":\"weather-data/location=Leeds/\"}")["JobRunId"]!;
        Assert.Matches("^jr_[0-9a-f]{64}$", id);
        var run = aws.Json("glue", "get-job-run", "--job-name", BatchJob, "--run-id", id)["JobRun"]!;
        Assert.Equal((id, BatchJob, "G.1X", 2, "weather-data/location=Leeds/"), ((string?)run["Id"], (string?)run["JobName"], (string?)run["WorkerType"], (int?)run["NumberOfWorkers"], (string?)run["Arguments"]!["--raw_prefix"]));

        var stopped = aws.Json("glue", "batch-stop-job-run", "--job-name", BatchJob, "--job-run-ids", id);
        Assert.Equal([id], stopped["SuccessfulSubmissions"]!.AsArray().Select(s => (string?)s!["JobRunId"]));

        var missing = aws.Run("glue", "get-job", "--job-name", "curate-nothing");
        Assert.Contains("An error occurred (EntityNotFoundException) when calling the GetJob operation: Job with name: curate-nothing not found.", missing.Stderr);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
