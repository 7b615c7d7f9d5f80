using System.Text;
using System.Text.Json.Nodes;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Jobs;
using StreamingWorkshop.Workflows;
using StreamingWorkshop.Workflows.Asl;
using Workshop.Tests.Jobs;
using static Workshop.Tests.Jobs.BatchJobFixture;

namespace Workshop.Tests.Workflows;

/// <summary>
/// Each Task integration against a real local backend: the resources' parameters, their outputs in the real
/// integrations' shapes, the times they complete at and the error names a Retry or Catch sees.
/// </summary>
public sealed class TaskIntegrationTests(BatchJobFixture fixture) : IClassFixture<BatchJobFixture>
{
    private LocalTaskIntegrations Tasks => (LocalTaskIntegrations)fixture.Session.Local!.Workflows.Integrations;

    private StreamingWorkshop.Clock.VirtualClock Clock => fixture.Session.Local!.Clock;

    private TaskRequest Request(string resource, string parameters, string state = "Step") =>
        new(resource, JsonNode.Parse(parameters), Clock.GetUtcNow(), "arn:aws:states:us-east-1:123456789012:execution:tests:run", state, $"{state}/0");

    private static string Query(string sql) =>
        new JsonObject
        {
            ["QueryString"] = sql, ["WorkGroup"] = "primary",
            ["QueryExecutionContext"] = new JsonObject { ["Database"] = Database },
            ["ResultConfiguration"] = new JsonObject { ["OutputLocation"] = $"s3://{Bucket}/athena-results/" },
        }.ToJsonString();

    [Fact]
    public void The_backend_runs_exactly_the_documented_resources()
    {
        Assert.Equal(
        [
            "arn:aws:states:::athena:startQueryExecution.sync", "arn:aws:states:::athena:startQueryExecution", "arn:aws:states:::athena:getQueryResults",
            "arn:aws:states:::glue:startJobRun.sync", "arn:aws:states:::glue:startJobRun",
            "arn:aws:states:::aws-sdk:glue:startCrawler", "arn:aws:states:::aws-sdk:glue:getCrawler", "arn:aws:states:::aws-sdk:glue:getTable",
            "arn:aws:states:::aws-sdk:glue:getPartitions", "arn:aws:states:::lambda:invoke",
        ], Tasks.Supported);
        Assert.True(Tasks.Supports("arn:aws:states:::glue:startJobRun.sync"));
        Assert.False(Tasks.Supports("arn:aws:states:::sqs:sendMessage"));
        Assert.False(Tasks.Supports("arn:aws:states:::glue:startJobRun.waitForTaskToken"));
    }

    [Fact]
    public async Task A_sync_query_succeeds_with_GetQueryExecutions_shape_at_the_clocks_time()
    {
        var now = Clock.GetUtcNow();

        var outcome = Assert.IsType<TaskOutcome.Succeeded>(await Tasks.StartAsync(Request(LocalTaskIntegrations.AthenaStartQuerySync, Query("SELECT 1 AS one"))));
        var execution = outcome.Output!["QueryExecution"]!;

        Assert.Equal(now, outcome.At);
        Assert.Equal(["QueryExecution"], outcome.Output!.AsObject().Select(p => p.Key));
        Assert.Equal("SELECT 1 AS one", (string?)execution["Query"]);
        Assert.Equal("DML", (string?)execution["StatementType"]);
        Assert.Equal("SUCCEEDED", (string?)execution["Status"]!["State"]);
        Assert.Equal(now.ToUnixTimeMilliseconds(), (long?)execution["Status"]!["SubmissionDateTime"]);
        Assert.Equal(Database, (string?)execution["QueryExecutionContext"]!["Database"]);
        Assert.Equal($"s3://{Bucket}/athena-results/{(string?)execution["QueryExecutionId"]}.csv", (string?)execution["ResultConfiguration"]!["OutputLocation"]);
        Assert.Equal("primary", (string?)execution["WorkGroup"]);
    }

    [Fact]
    public async Task A_sync_query_that_fails_is_a_TaskFailed_whose_cause_is_the_query_execution()
    {
        var outcome = Assert.IsType<TaskOutcome.Failed>(await Tasks.StartAsync(Request(LocalTaskIntegrations.AthenaStartQuerySync, Query("SELECT * FROM no_such_table"))));
        var cause = JsonNode.Parse(outcome.Cause)!;

        Assert.Equal("States.TaskFailed", outcome.Error);
        Assert.Equal("FAILED", (string?)cause["QueryExecution"]!["Status"]!["State"]);
        Assert.Equal("SELECT * FROM no_such_table", (string?)cause["QueryExecution"]!["Query"]);
        Assert.Contains("no_such_table", (string?)cause["QueryExecution"]!["Status"]!["StateChangeReason"]);
    }

    [Fact]
    public async Task A_query_started_without_sync_answers_its_id_and_getQueryResults_gives_the_header_row_first()
    {
        var started = Assert.IsType<TaskOutcome.Succeeded>(await Tasks.StartAsync(Request(LocalTaskIntegrations.AthenaStartQuery,
            Query("SELECT 'Oslo' AS city, 2 AS readings UNION ALL SELECT 'Bergen', 3 ORDER BY city"))));
        var id = (string?)started.Output!["QueryExecutionId"];

        var results = Assert.IsType<TaskOutcome.Succeeded>(await Tasks.StartAsync(Request(LocalTaskIntegrations.AthenaGetQueryResults, $$"""{"QueryExecutionId": "{{id}}"}""")));
        var rows = results.Output!["ResultSet"]!["Rows"]!.AsArray().Select(r => string.Join(",", r!["Data"]!.AsArray().Select(d => (string?)d!["VarCharValue"]))).ToArray();

        Assert.Equal(["QueryExecutionId"], started.Output!.AsObject().Select(p => p.Key));
        Assert.True(Guid.TryParse(id, out _));
        Assert.Equal(["city,readings", "Bergen,3", "Oslo,2"], rows);
        Assert.Equal(["city", "readings"], results.Output!["ResultSet"]!["ResultSetMetadata"]!["ColumnInfo"]!.AsArray().Select(c => (string?)c!["Name"]));
        Assert.Equal(0L, (long?)results.Output!["UpdateCount"]);
        Assert.Null(results.Output!["NextToken"]);
    }

    [Fact]
    public async Task Results_of_an_unknown_query_and_an_unknown_work_group_are_Athenas_InvalidRequestException()
    {
        var unknown = Assert.IsType<TaskOutcome.Failed>(await Tasks.StartAsync(Request(LocalTaskIntegrations.AthenaGetQueryResults,
            """{"QueryExecutionId": "0b6a4d4e-0000-4000-8000-000000000000"}""")));
        var workGroup = Assert.IsType<TaskOutcome.Failed>(await Tasks.StartAsync(Request(LocalTaskIntegrations.AthenaStartQuery,
            """{"QueryString": "SELECT 1", "WorkGroup": "analysts"}""")));

        Assert.Equal("Athena.InvalidRequestException", unknown.Error);
        Assert.Equal("Athena.InvalidRequestException", workGroup.Error);
        Assert.StartsWith("WorkGroup analysts is not found.", workGroup.Cause);
    }

    [Fact]
    public async Task A_sync_glue_job_is_pending_while_it_starts_and_runs_then_succeeds_with_its_JobRun_at_its_end()
    {
        fixture.PutJob("wf-sync");
        await fixture.PutRawAsync("wf-sync", "a", Reading("Oslo", -3.5, "2026-03-01T10:15", "2026-03-01T10:16:02.123Z"));
        var request = Request(LocalTaskIntegrations.GlueStartJobRunSync, """{"JobName": "wf-sync", "Arguments": {"--job-bookmark-option": "job-bookmark-disable"}}""");
        var startedAt = Clock.GetUtcNow();

        var starting = Assert.IsType<TaskOutcome.Pending>(await Tasks.StartAsync(request));
        Clock.AdvanceTo(starting.WakeAt);
        var running = Assert.IsType<TaskOutcome.Pending>(await Tasks.PollAsync(request, starting.Handle));
        Clock.AdvanceTo(running.WakeAt);
        var done = Assert.IsType<TaskOutcome.Succeeded>(await Tasks.PollAsync(request, running.Handle));
        var runId = (string?)starting.Handle!["JobRunId"];

        Assert.Matches("^jr_[0-9a-f]{64}$", runId);
        Assert.Equal(startedAt.AddSeconds(10), starting.WakeAt);
        Assert.Equal(startedAt.AddSeconds(40), running.WakeAt);
        Assert.Equal(startedAt.AddSeconds(40), done.At);
        Assert.Equal(runId, (string?)done.Output!["Id"]);
        Assert.Equal("SUCCEEDED", (string?)done.Output!["JobRunState"]);
        Assert.Equal("wf-sync", (string?)done.Output!["JobName"]);
        Assert.Equal("job-bookmark-disable", (string?)done.Output!["Arguments"]!["--job-bookmark-option"]);
        Assert.Equal(startedAt.AddSeconds(40).ToUnixTimeMilliseconds(), (long?)done.Output!["CompletedOn"]);
        Assert.Equal(30, (int?)done.Output!["ExecutionTime"]);
    }

    [Fact]
    public async Task A_sync_glue_job_that_fails_is_a_TaskFailed_whose_cause_is_the_JobRun()
    {
        fixture.PutJob("wf-fails");
        var request = Request(LocalTaskIntegrations.GlueStartJobRunSync, """{"JobName": "wf-fails"}""");
        var startedAt = Clock.GetUtcNow();

        var pending = Assert.IsType<TaskOutcome.Pending>(await Tasks.StartAsync(request));
        Clock.Advance(TimeSpan.FromMinutes(1));
        var failed = Assert.IsType<TaskOutcome.Failed>(await Tasks.PollAsync(request, pending.Handle));
        var cause = JsonNode.Parse(failed.Cause)!;

        Assert.Equal("States.TaskFailed", failed.Error);
        Assert.Equal(startedAt.AddSeconds(25), failed.At);
        Assert.Equal("FAILED", (string?)cause["JobRunState"]);
        Assert.Equal((string?)pending.Handle!["JobRunId"], (string?)cause["Id"]);
        Assert.StartsWith($"Path does not exist: s3://{Bucket}/wf-fails/raw/ has no objects.", (string?)cause["ErrorMessage"]);
    }

    [Fact]
    public async Task A_glue_job_started_without_sync_answers_its_run_id_and_a_second_start_exceeds_concurrent_runs()
    {
        fixture.PutJob("wf-async");
        await fixture.PutRawAsync("wf-async", "a", Reading("Oslo", 1.0, "2026-03-01T10:00", "2026-03-01T10:01:00.000Z"));

        var started = Assert.IsType<TaskOutcome.Succeeded>(await Tasks.StartAsync(Request(LocalTaskIntegrations.GlueStartJobRun, """{"JobName": "wf-async"}""")));
        var second = Assert.IsType<TaskOutcome.Failed>(await Tasks.StartAsync(Request(LocalTaskIntegrations.GlueStartJobRunSync, """{"JobName": "wf-async"}""")));
        var run = await fixture.Jobs.GetJobRunAsync("wf-async", (string)started.Output!["JobRunId"]!);

        Assert.Equal(["JobRunId"], started.Output!.AsObject().Select(p => p.Key));
        Assert.Equal(JobRunStates.Starting, run.JobRunState);
        Assert.Equal("Glue.ConcurrentRunsExceededException", second.Error);
        Clock.Advance(TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task Cancelling_a_pending_sync_job_stops_its_run()
    {
        fixture.PutJob("wf-cancel");
        await fixture.PutRawAsync("wf-cancel", "a", Reading("Oslo", 1.0, "2026-03-01T10:00", "2026-03-01T10:01:00.000Z"));
        var request = Request(LocalTaskIntegrations.GlueStartJobRunSync, """{"JobName": "wf-cancel"}""");

        var pending = Assert.IsType<TaskOutcome.Pending>(await Tasks.StartAsync(request));
        await Tasks.CancelAsync(request, pending.Handle);
        Clock.Advance(TimeSpan.FromSeconds(5));
        var run = await fixture.Jobs.GetJobRunAsync("wf-cancel", (string)pending.Handle!["JobRunId"]!);

        Assert.Equal(JobRunStates.Stopped, run.JobRunState);
    }

    [Fact]
    public async Task An_unknown_job_or_crawler_is_Glues_EntityNotFoundException_and_a_missing_parameter_is_named()
    {
        var job = Assert.IsType<TaskOutcome.Failed>(await Tasks.StartAsync(Request(LocalTaskIntegrations.GlueStartJobRunSync, """{"JobName": "no-such-job"}""")));
        var crawler = Assert.IsType<TaskOutcome.Failed>(await Tasks.StartAsync(Request(LocalTaskIntegrations.GlueGetCrawler, """{"Name": "no-such-crawler"}""")));
        var missing = Assert.IsType<TaskOutcome.Failed>(await Tasks.StartAsync(Request(LocalTaskIntegrations.GlueGetTable, $$"""{"DatabaseName": "{{Database}}"}""", "LookUp")));

        Assert.Equal("Glue.EntityNotFoundException", job.Error);
        Assert.StartsWith("Job with name: no-such-job not found.", job.Cause);
        Assert.Equal("Glue.EntityNotFoundException", crawler.Error);
        Assert.Equal("Glue.InvalidInputException", missing.Error);
        Assert.Equal("1 validation error detected: Value null at 'Name' failed to satisfy constraint: Member must not be null. Give Name in the Parameters of state LookUp.", missing.Cause);
    }

    [Fact]
    public async Task A_parameter_of_the_wrong_type_is_the_services_validation_error_naming_it()
    {
        var maxResults = Assert.IsType<TaskOutcome.Failed>(await Tasks.StartAsync(Request(LocalTaskIntegrations.AthenaGetQueryResults,
            """{"QueryExecutionId": "0b6a4d4e-0000-4000-8000-000000000000", "MaxResults": "ten"}""", "Read")));
        var argument = Assert.IsType<TaskOutcome.Failed>(await Tasks.StartAsync(Request(LocalTaskIntegrations.GlueStartJobRun,
            """{"JobName": "wf-any", "Arguments": {"--days": 3}}""", "Curate")));

        Assert.Equal(("Athena.InvalidRequestException", "Parameter MaxResults of state Read must be a whole number; fix it in the state's Parameters."), (maxResults.Error, maxResults.Cause));
        Assert.Equal(("Glue.InvalidInputException", "Argument --days of job wf-any must be a string; quote it in the state's Parameters."), (argument.Error, argument.Cause));
    }

    [Fact]
    public async Task The_sdk_integration_starts_a_crawler_and_reads_the_crawler_the_table_and_its_partitions_as_Glue_answers()
    {
        var local = fixture.Session.Local!;
        await local.Lake.PutObjectAsync(Bucket, "wf-crawl/stations/city=Oslo/a.json", Encoding.UTF8.GetBytes("{\"temperature\": 1.5}\n"));
        local.Crawlers.CreateCrawler(new CrawlerDefinition("wf-crawler", "arn:aws:iam::123456789012:role/crawler", Database, "wf_", [$"s3://{Bucket}/wf-crawl/stations/"]));

        var started = Assert.IsType<TaskOutcome.Succeeded>(await Tasks.StartAsync(Request(LocalTaskIntegrations.GlueStartCrawler, """{"Name": "wf-crawler"}""")));
        var again = Assert.IsType<TaskOutcome.Succeeded>(await Tasks.StartAsync(Request(LocalTaskIntegrations.GlueGetCrawler, """{"Name": "wf-crawler"}""")));
        var table = Assert.IsType<TaskOutcome.Succeeded>(await Tasks.StartAsync(Request(LocalTaskIntegrations.GlueGetTable, $$"""{"DatabaseName": "{{Database}}", "Name": "wf_stations"}""")));
        var partitions = Assert.IsType<TaskOutcome.Succeeded>(await Tasks.StartAsync(Request(LocalTaskIntegrations.GlueGetPartitions,
            $$"""{"DatabaseName": "{{Database}}", "TableName": "wf_stations"}""")));

        Assert.Equal("{}", started.Output!.ToJsonString());
        Assert.Equal("READY", (string?)again.Output!["Crawler"]!["State"]);
        Assert.Equal("SUCCEEDED", (string?)again.Output!["Crawler"]!["LastCrawl"]!["Status"]);
        Assert.Equal(Database, (string?)again.Output!["Crawler"]!["DatabaseName"]);
        Assert.Equal("wf_stations", (string?)table.Output!["Table"]!["Name"]);
        Assert.Equal(["city"], table.Output!["Table"]!["PartitionKeys"]!.AsArray().Select(k => (string?)k!["Name"]));
        Assert.Equal($"s3://{Bucket}/wf-crawl/stations/", (string?)table.Output!["Table"]!["StorageDescriptor"]!["Location"]);
        Assert.Equal(["Oslo"], partitions.Output!["Partitions"]!.AsArray().Select(p => string.Join("/", p!["Values"]!.AsArray().Select(v => (string?)v))));
    }

    [Fact]
    public async Task Starting_a_crawler_that_is_running_is_Glues_CrawlerRunningException()
    {
        var local = fixture.Session.Local!;
        await local.Lake.PutObjectAsync(Bucket, "wf-busy/things/a.json", Encoding.UTF8.GetBytes("{\"a\": 1}\n"));
        local.Crawlers.CreateCrawler(new CrawlerDefinition("wf-busy", "arn:aws:iam::123456789012:role/crawler", Database, "wf_", [$"s3://{Bucket}/wf-busy/things/"]));
        var file = local.Workspace.Resolve("catalog", "_crawlers", "wf-busy.json");
        // Marks the crawler as running in this live process, as a crawl under way leaves it.
        var info = local.Crawlers.GetCrawler("wf-busy") with { State = "RUNNING", RunOwner = CrawlerRunOwner.Current() };
        File.WriteAllText(file, System.Text.Json.JsonSerializer.Serialize(info, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));

        var outcome = Assert.IsType<TaskOutcome.Failed>(await Tasks.StartAsync(Request(LocalTaskIntegrations.GlueStartCrawler, """{"Name": "wf-busy"}""")));

        Assert.Equal("Glue.CrawlerRunningException", outcome.Error);
        Assert.StartsWith("Crawler with name wf-busy has already started.", outcome.Cause);
    }
}
