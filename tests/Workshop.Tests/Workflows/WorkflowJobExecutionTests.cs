using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using StreamingWorkshop;
using StreamingWorkshop.Jobs;
using StreamingWorkshop.Workflows;
using Workshop.Tests.TestSupport;
using static Workshop.Tests.Jobs.BatchJobFixture;

namespace Workshop.Tests.Workflows;

/// <summary>
/// An execution whose Task runs a Glue job to its end (.sync), moving as the virtual clock moves, and the same
/// execution seen by two backends over one workspace, as a notebook and the CLI see it.
/// </summary>
public sealed class WorkflowJobExecutionTests : IAsyncLifetime
{
    private const string Job = "wf-curate";
    private const string Definition = """
        {"StartAt": "Curate", "States": {"Curate": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync",
          "Parameters": {"JobName": "wf-curate"}, "End": true}}}
        """;

    private readonly TempWorkspace temp = new();
    private WorkshopSession notebook = null!;
    private WorkshopSession cli = null!;
    private string machineArn = null!;

    public async Task InitializeAsync()
    {
        notebook = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
        var local = notebook.Local!;
        local.Clock.SetStart(Start);
        local.Clock.Save();
        await local.Lake.CreateBucketAsync(Bucket);
        local.Catalog.CreateDatabase(Database);
        local.Jobs.PutJob(new GlueJob(Job, "arn:aws:iam::123456789012:role/jobs-test-role", new JobCommand(JobCommandNames.Batch, $"s3://{Bucket}/scripts/curate_batch.py"),
            new Dictionary<string, string>
            {
                ["--database"] = Database, ["--lake_bucket"] = Bucket, ["--raw_prefix"] = $"{Job}/raw/", ["--curated_prefix"] = $"{Job}/curated/", ["--curated_table"] = "wf_curate",
            }, "4.0", "G.1X", 2, 30));
        using (var raw = new MemoryStream())
        {
            using (var zip = new GZipStream(raw, CompressionLevel.Fastest))
                zip.Write(Encoding.UTF8.GetBytes(Reading("Oslo", -3.5, "2026-03-01T10:15", "2026-03-01T10:16:02.123Z") + "\n"));
            await local.Lake.PutObjectAsync(Bucket, $"{Job}/raw/a.gz", raw.ToArray());
        }
        machineArn = local.Workflows.PutStateMachine("curate", Definition, "arn:aws:iam::123456789012:role/workflows-test", "STANDARD");
        cli = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
    }

    public async Task DisposeAsync()
    {
        await cli.DisposeAsync();
        await notebook.DisposeAsync();
        temp.Dispose();
    }

    [Fact]
    public async Task A_sync_job_task_keeps_the_execution_running_through_the_runs_states_and_ends_it_with_the_JobRun()
    {
        var workflows = notebook.Local!.Workflows;
        var clock = notebook.Local!.Clock;
        var started = await workflows.StartExecutionAsync(machineArn, "daily");

        var starting = await workflows.DescribeExecutionAsync(started.ExecutionArn);
        var firstWake = workflows.NextChangeAt(started.ExecutionArn);
        clock.AdvanceTo(firstWake!.Value);
        var running = await workflows.DescribeExecutionAsync(started.ExecutionArn);
        var secondWake = workflows.NextChangeAt(started.ExecutionArn);
        clock.AdvanceTo(secondWake!.Value);
        var done = await workflows.DescribeExecutionAsync(started.ExecutionArn);
        var runs = await notebook.Local!.Jobs.GetJobRunsAsync(Job);
        var output = JsonNode.Parse(done.Output!)!;

        Assert.Equal(("RUNNING", "RUNNING"), (starting.Status, running.Status));
        Assert.Equal((Start.AddSeconds(10), Start.AddSeconds(40)), (firstWake.Value, secondWake!.Value));
        Assert.Equal(("SUCCEEDED", (DateTimeOffset?)Start.AddSeconds(40)), (done.Status, done.StopDate));
        Assert.Equal((runs.Single().Id, "SUCCEEDED"), ((string?)output["Id"], (string?)output["JobRunState"]));
        Assert.Null(workflows.NextChangeAt(started.ExecutionArn));
    }

    [Fact]
    public async Task An_execution_started_by_one_backend_is_advanced_by_another_over_the_same_workspace_and_its_job_runs_once()
    {
        var started = await notebook.Local!.Workflows.StartExecutionAsync(machineArn, "shared");
        // The first look runs the execution as far as the clock allows: its task starts the job now.
        await notebook.Local!.Workflows.DescribeExecutionAsync(started.ExecutionArn);
        notebook.Local!.Clock.Advance(TimeSpan.FromSeconds(15));
        notebook.Local!.Clock.Save();

        cli.Local!.Clock.Refresh();
        var seenByCli = await cli.Local!.Workflows.DescribeExecutionAsync(started.ExecutionArn);
        cli.Local!.Clock.Advance(TimeSpan.FromMinutes(1));
        cli.Local!.Clock.Save();
        notebook.Local!.Clock.Refresh();
        var seenByNotebook = await notebook.Local!.Workflows.DescribeExecutionAsync(started.ExecutionArn);
        var historyFromCli = await cli.Local!.Workflows.GetExecutionHistoryAsync(started.ExecutionArn);
        var runs = await cli.Local!.Jobs.GetJobRunsAsync(Job);

        Assert.Equal("RUNNING", seenByCli.Status);
        Assert.Equal(("SUCCEEDED", (DateTimeOffset?)Start.AddSeconds(40)), (seenByNotebook.Status, seenByNotebook.StopDate));
        Assert.Equal("ExecutionSucceeded", historyFromCli[^1].Type);
        Assert.Equal(Start.AddSeconds(40), historyFromCli[^1].Timestamp);
        Assert.Equal(Start, runs.Single().StartedOn);
    }

    [Fact]
    public async Task An_execution_first_looked_at_later_starts_its_task_at_the_clocks_time_then()
    {
        var started = await notebook.Local!.Workflows.StartExecutionAsync(machineArn, "late");
        notebook.Local!.Clock.Advance(TimeSpan.FromSeconds(15));

        var described = await notebook.Local!.Workflows.DescribeExecutionAsync(started.ExecutionArn);
        var run = (await notebook.Local!.Jobs.GetJobRunsAsync(Job)).Single();

        Assert.Equal(("RUNNING", Start), (described.Status, described.StartDate));
        Assert.Equal(Start.AddSeconds(15), run.StartedOn);
        Assert.Equal(Start.AddSeconds(25), notebook.Local!.Workflows.NextChangeAt(started.ExecutionArn));
    }

    [Fact]
    public async Task A_catch_on_the_glue_error_name_recovers_from_a_job_that_does_not_exist()
    {
        const string definition = """
            {"StartAt": "Curate", "States": {
              "Curate": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", "Parameters": {"JobName": "no-such-job"},
                "Catch": [{"ErrorEquals": ["Glue.EntityNotFoundException"], "ResultPath": "$.failure", "Next": "Recovered"}], "End": true},
              "Recovered": {"Type": "Pass", "End": true}}}
            """;
        var workflows = notebook.Local!.Workflows;
        var arn = workflows.PutStateMachine("recovers", definition, "arn:aws:iam::123456789012:role/workflows-test", "STANDARD");

        var started = await workflows.StartExecutionAsync(arn, "missing-job", """{"day": "2026-03-01"}""");
        var described = await workflows.DescribeExecutionAsync(started.ExecutionArn);
        var output = JsonNode.Parse(described.Output!)!;

        Assert.Equal("SUCCEEDED", described.Status);
        Assert.Equal("2026-03-01", (string?)output["day"]);
        Assert.Equal("Glue.EntityNotFoundException", (string?)output["failure"]!["Error"]);
        Assert.StartsWith("Job with name: no-such-job not found.", (string?)output["failure"]!["Cause"]);
    }

    [Fact]
    public async Task A_query_and_its_results_run_through_an_execution_into_its_output()
    {
        const string definition = """
            {"StartAt": "Count", "States": {
              "Count": {"Type": "Task", "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
                "Parameters": {"QueryString": "SELECT 42 AS answer", "QueryExecutionContext": {"Database": "jobs_test_db"},
                  "ResultConfiguration": {"OutputLocation": "s3://jobs-test-lake/athena-results/"}},
                "ResultSelector": {"id.$": "$.QueryExecution.QueryExecutionId"}, "Next": "Read"},
              "Read": {"Type": "Task", "Resource": "arn:aws:states:::athena:getQueryResults", "Parameters": {"QueryExecutionId.$": "$.id"},
                "OutputPath": "$.ResultSet.Rows[1].Data[0].VarCharValue", "End": true}}}
            """;
        var workflows = notebook.Local!.Workflows;
        var arn = workflows.PutStateMachine("counts", definition, "arn:aws:iam::123456789012:role/workflows-test", "STANDARD");

        var started = await workflows.StartExecutionAsync(arn, "answer");
        var described = await workflows.DescribeExecutionAsync(started.ExecutionArn);

        Assert.Equal(("SUCCEEDED", "\"42\""), (described.Status, described.Output));
    }

    [Fact]
    public async Task Stopping_an_execution_stops_the_job_run_its_task_waits_on()
    {
        var workflows = notebook.Local!.Workflows;
        var started = await workflows.StartExecutionAsync(machineArn, "stopped");
        notebook.Local!.Clock.Advance(TimeSpan.FromSeconds(20));

        await workflows.StopExecutionAsync(started.ExecutionArn);
        notebook.Local!.Clock.Advance(TimeSpan.FromMinutes(1));
        var run = (await notebook.Local!.Jobs.GetJobRunsAsync(Job)).Single();
        var described = await workflows.DescribeExecutionAsync(started.ExecutionArn);

        Assert.Equal(JobRunStates.Stopped, run.JobRunState);
        Assert.Equal(("ABORTED", (DateTimeOffset?)Start.AddSeconds(20)), (described.Status, described.StopDate));
    }
}
