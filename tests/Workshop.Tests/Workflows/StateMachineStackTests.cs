using System.Text.Json.Nodes;
using StreamingWorkshop.Stack;
using StreamingWorkshop.Workflows;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Workflows;

/// <summary>
/// The daily pipeline in the workshop's template: its state machine's definition, its roles' statements, its
/// disabled daily rule and its outputs; deploying locally hands the resolved definition to the Step Functions registry.
/// </summary>
public sealed class StateMachineStackTests : LocalSessionTest
{
    private const string Lake = "weather-analytics-data-lake-dev-123456789012";
    private const string Results = "weather-analytics-athena-results-dev-123456789012";
    private const string MachineArn = "arn:aws:states:us-east-1:123456789012:stateMachine:weather-analytics-daily-pipeline-dev";

    /// <summary>Records what the provisioner hands over, as the local Step Functions would receive it.</summary>
    private sealed class RecordingRegistry(Func<string, Exception?>? refuse = null) : IStateMachineRegistry
    {
        public List<(string Name, string Definition, string RoleArn, string Type)> Put { get; } = [];
        public List<string> Deleted { get; } = [];

        public string PutStateMachine(string name, string definitionJson, string roleArn, string type)
        {
            if (refuse?.Invoke(definitionJson) is { } error) throw error;
            Put.Add((name, definitionJson, roleArn, type));
            return $"arn:aws:states:us-east-1:123456789012:stateMachine:{name}";
        }

        public void DeleteStateMachine(string name) => Deleted.Add(name);
    }

    private static JsonObject Template() => TemplateReader.Parse(TemplateReader.WorkshopTemplate());

    private async Task<(RecordingRegistry Registry, JsonObject States)> DeployAsync()
    {
        var registry = new RecordingRegistry();
        Session.Local!.Provisioners.Workflows = registry;
        await Session.EnsurePipelineAsync();
        var definition = JsonNode.Parse(Assert.Single(registry.Put).Definition)!.AsObject();
        return (registry, definition["States"]!.AsObject());
    }

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"Expected {expected}\nbut was {actual?.ToJsonString()}");

    private static IEnumerable<string> Statements(JsonObject role) =>
        role["Policies"]!.AsArray().SelectMany(p => p!["PolicyDocument"]!["Statement"]!.AsArray())
            .Select(s => $"{string.Join(",", s!["Action"]!.AsArray().Select(a => (string)a!))} on {string.Join(" ", s["Resource"] is JsonArray many ? many.Select(r => (string)r!) : [(string)s["Resource"]!])}"
                         + (s["Condition"] is { } condition ? $" if {condition.ToJsonString()}" : ""));

    [Fact]
    public async Task Deploying_registers_the_machine_by_name_with_its_role_and_type_and_its_arn_is_the_ref()
    {
        var (registry, _) = await DeployAsync();

        var (name, _, roleArn, type) = Assert.Single(registry.Put);
        Assert.Equal(("weather-analytics-daily-pipeline-dev", "arn:aws:iam::123456789012:role/weather-analytics-daily-pipeline-role-dev", "STANDARD"), (name, roleArn, type));
        var stack = await Session.DescribeStackAsync();
        var machine = stack.Resources.Single(r => r.LogicalResourceId == "DailyPipeline");
        Assert.Equal((MachineArn, MachineArn, "weather-analytics-daily-pipeline-dev"), (machine.PhysicalResourceId, machine.Attributes["Arn"], machine.Attributes["Name"]));
        Assert.Equal((MachineArn, "weather-analytics-daily-pipeline-dev", "weather-analytics-daily-pipeline-schedule-dev"),
            (stack.Output("StateMachineArn"), stack.Output("StateMachineName"), stack.Output("DailyScheduleRuleName")));
        Assert.Equal(("weather-analytics-daily-pipeline-dev", "weather-analytics-daily-pipeline-schedule-dev", "weather-analytics-schedule-dev"),
            (Session.Names.StateMachine, Session.Names.DailyRule, Session.Names.ScheduleRule));

        await Session.Stack.DestroyAsync(emptyBuckets: true);
        Assert.Equal(["weather-analytics-daily-pipeline-dev"], registry.Deleted);
    }

    [Fact]
    public async Task The_definition_runs_the_daily_pipeline_in_the_states_the_notebook_names()
    {
        var (registry, states) = await DeployAsync();

        var definition = JsonNode.Parse(registry.Put[0].Definition)!;
        Assert.Equal("ChooseDay", (string)definition["StartAt"]!);
        Assert.Equal(["ChooseDay", "GivenDay", "Yesterday", "StartCrawler", "WaitForCrawler", "GetCrawler", "CrawlerFinished", "FindDailyTable", "CreateDailyTable", "CurateDay",
            "RunBatchJob", "CheckDay", "ReadCheck", "DayComplete", "MissingHours", "Done"], states.Select(s => s.Key));
        AssertJson("""{"Type":"Choice","Choices":[{"Variable":"$.day","IsPresent":true,"Next":"GivenDay"}],"Default":"Yesterday"}""", states["ChooseDay"]);
        AssertJson("""{"Type":"Pass","Parameters":{"day_sql.$":"States.Format('DATE \\'{}\\'', $.day)"},"ResultPath":"$.run","Next":"StartCrawler"}""", states["GivenDay"]);
        AssertJson("""{"Type":"Pass","Result":{"day_sql":"current_date - interval '1' day"},"ResultPath":"$.run","Next":"StartCrawler"}""", states["Yesterday"]);
        AssertJson("""
            {"Type":"Task","Resource":"arn:aws:states:::aws-sdk:glue:startCrawler","Parameters":{"Name":"weather-data-crawler"},"ResultPath":null,
             "Retry":[{"ErrorEquals":["Glue.CrawlerRunningException"],"IntervalSeconds":30,"BackoffRate":1,"MaxAttempts":10}],"Next":"WaitForCrawler"}
            """, states["StartCrawler"]);
        AssertJson("""{"Type":"Wait","Seconds":30,"Next":"GetCrawler"}""", states["WaitForCrawler"]);
        AssertJson("""
            {"Type":"Task","Resource":"arn:aws:states:::aws-sdk:glue:getCrawler","Parameters":{"Name":"weather-data-crawler"},
             "ResultSelector":{"state.$":"$.Crawler.State"},"ResultPath":"$.crawler","Next":"CrawlerFinished"}
            """, states["GetCrawler"]);
        AssertJson("""{"Type":"Choice","Choices":[{"Variable":"$.crawler.state","StringEquals":"READY","Next":"FindDailyTable"}],"Default":"WaitForCrawler"}""", states["CrawlerFinished"]);
        AssertJson("""
            {"Type":"Task","Resource":"arn:aws:states:::aws-sdk:glue:getTable","Parameters":{"DatabaseName":"weather-analytics_dev_db","Name":"daily_weather"},"ResultPath":null,
             "Catch":[{"ErrorEquals":["Glue.EntityNotFoundException"],"ResultPath":"$.missingTable","Next":"CreateDailyTable"}],"Next":"CurateDay"}
            """, states["FindDailyTable"]);
        AssertJson("""
            {"Type":"Task","Resource":"arn:aws:states:::glue:startJobRun.sync","Parameters":{"JobName":"weather-analytics-curate-batch-dev"},
             "Retry":[{"ErrorEquals":["Glue.ConcurrentRunsExceededException"],"IntervalSeconds":60,"BackoffRate":2,"MaxAttempts":3}],
             "ResultSelector":{"id.$":"$.Id","state.$":"$.JobRunState","seconds.$":"$.ExecutionTime"},"ResultPath":"$.batchJob","Next":"CheckDay"}
            """, states["RunBatchJob"]);
        AssertJson("""
            {"Type":"Task","Resource":"arn:aws:states:::athena:getQueryResults","Parameters":{"QueryExecutionId.$":"$.check.queryId"},
             "ResultSelector":{"day.$":"$.ResultSet.Rows[1].Data[0].VarCharValue","hours.$":"States.StringToJson($.ResultSet.Rows[1].Data[1].VarCharValue)"},
             "ResultPath":"$.quality","Next":"DayComplete"}
            """, states["ReadCheck"]);
        AssertJson("""{"Type":"Choice","Choices":[{"Variable":"$.quality.hours","NumericEquals":24,"Next":"Done"}],"Default":"MissingHours"}""", states["DayComplete"]);
        AssertJson("""
            {"Type":"Fail","Error":"DataQuality.MissingHours",
             "CausePath":"States.Format('Day {} has readings in only {} of its 24 hours for at least one city.', $.quality.day, $.quality.hours)"}
            """, states["MissingHours"]);
        AssertJson("""{"Type":"Succeed"}""", states["Done"]);
    }

    [Fact]
    public async Task The_athena_tasks_run_in_the_workgroup_and_database_and_write_results_to_the_results_bucket()
    {
        var (_, states) = await DeployAsync();

        foreach (var (name, next, resultPath) in new[] { ("CreateDailyTable", "RunBatchJob", "$.curate"), ("CurateDay", "RunBatchJob", "$.curate"), ("CheckDay", "ReadCheck", "$.check") })
        {
            var task = states[name]!.AsObject();
            Assert.Equal(("Task", "arn:aws:states:::athena:startQueryExecution.sync", next, resultPath),
                ((string)task["Type"]!, (string)task["Resource"]!, (string)task["Next"]!, (string)task["ResultPath"]!));
            // The curation keeps what it scanned; the check keeps its query's id, for ReadCheck to read the result by.
            var kept = name == "CheckDay" ? ("queryId.$", "$.QueryExecution.QueryExecutionId") : ("scannedBytes.$", "$.QueryExecution.Statistics.DataScannedInBytes");
            Assert.Equal([kept], task["ResultSelector"]!.AsObject().Select(p => (p.Key, (string)p.Value!)));
            var parameters = task["Parameters"]!.AsObject();
            Assert.Equal(["QueryString.$", "WorkGroup", "QueryExecutionContext", "ResultConfiguration"], parameters.Select(p => p.Key));
            Assert.Equal(("primary", "weather-analytics_dev_db", $"s3://{Results}/daily-pipeline/"),
                ((string)parameters["WorkGroup"]!, (string)parameters["QueryExecutionContext"]!["Database"]!, (string)parameters["ResultConfiguration"]!["OutputLocation"]!));
        }
        var create = (string)states["CreateDailyTable"]!["Parameters"]!["QueryString.$"]!;
        Assert.StartsWith($"States.Format('CREATE TABLE daily_weather WITH (format = \\'PARQUET\\', external_location = \\'s3://{Lake}/curated/daily/\\', partitioned_by = ARRAY[\\'day\\']) AS SELECT ", create);
        Assert.EndsWith("', $.run.day_sql, $.run.day_sql, $.run.day_sql)", create);
        var curate = (string)states["CurateDay"]!["Parameters"]!["QueryString.$"]!;
        Assert.StartsWith("States.Format('INSERT INTO daily_weather SELECT ", curate);
        Assert.EndsWith(" AND NOT EXISTS (SELECT 1 FROM daily_weather WHERE day = CAST(CAST({} AS date) AS varchar))', $.run.day_sql, $.run.day_sql, $.run.day_sql, $.run.day_sql)", curate);
        var check = (string)states["CheckDay"]!["Parameters"]!["QueryString.$"]!;
        // The stack's cities are written into the check, so that a city with no readings that day fails it.
        Assert.StartsWith("States.Format('SELECT CAST(CAST({} AS date) AS varchar) AS day, CASE WHEN COUNT(*) < cardinality(split(\\'London,Manchester,Edinburgh\\', \\',\\')) THEN 0 ELSE COALESCE(MIN(hours), 0) END AS hours FROM ", check);
        Assert.EndsWith("', $.run.day_sql, $.run.day_sql)", check);
    }

    [Fact]
    public async Task The_machines_role_reaches_only_the_stacks_own_workgroup_crawler_tables_job_and_prefixes()
    {
        await DeployAsync();
        var resources = (await Session.DescribeStackAsync()).Resources;
        var role = resources.Single(r => r.LogicalResourceId == "StateMachineRole").Properties;

        const string glue = "arn:aws:glue:us-east-1:123456789012";
        Assert.Equal([
            "athena:StartQueryExecution,athena:GetQueryExecution,athena:GetQueryResults,athena:StopQueryExecution on arn:aws:athena:us-east-1:123456789012:workgroup/primary",
            "athena:GetDataCatalog on arn:aws:athena:us-east-1:123456789012:datacatalog/AwsDataCatalog",
            $"glue:StartCrawler,glue:GetCrawler on {glue}:crawler/weather-data-crawler",
            $"glue:GetDatabase,glue:GetTable,glue:GetPartitions,glue:CreateTable,glue:UpdateTable,glue:BatchCreatePartition on {glue}:catalog {glue}:database/weather-analytics_dev_db {glue}:table/weather-analytics_dev_db/*",
            $"glue:StartJobRun,glue:GetJobRun,glue:GetJobRuns,glue:BatchStopJobRun on {glue}:job/weather-analytics-curate-batch-dev",
            $"s3:GetObject on arn:aws:s3:::{Lake}/weather-data/*",
            $"s3:GetObject,s3:PutObject,s3:AbortMultipartUpload on arn:aws:s3:::{Lake}/curated/daily/* arn:aws:s3:::{Results}/*",
            $"s3:ListBucket,s3:GetBucketLocation on arn:aws:s3:::{Lake} if {{\"StringLike\":{{\"s3:prefix\":[\"weather-data/*\",\"curated/daily/*\"]}}}}",
            $"s3:ListBucket,s3:GetBucketLocation on arn:aws:s3:::{Results}",
        ], Statements(role));
        Assert.Equal("states.amazonaws.com", (string)role["AssumeRolePolicyDocument"]!["Statement"]![0]!["Principal"]!["Service"]!);

        var scheduleRole = resources.Single(r => r.LogicalResourceId == "DailyScheduleRole").Properties;
        Assert.Equal([$"states:StartExecution on {MachineArn}"], Statements(scheduleRole));
        Assert.Equal("events.amazonaws.com", (string)scheduleRole["AssumeRolePolicyDocument"]!["Statement"]![0]!["Principal"]!["Service"]!);
    }

    [Fact]
    public void Only_the_two_actions_that_name_no_resource_are_granted_on_every_resource()
    {
        // cloudwatch:PutMetricData and kinesis:ListStreams take no resource ARN; every other statement names the stack's own resources.
        var everywhere = Template()["Resources"]!.AsObject()
            .Where(r => (string)r.Value!["Type"]! == "AWS::IAM::Role")
            .SelectMany(r => (r.Value!["Properties"]!["Policies"] as JsonArray ?? []).SelectMany(p => p!["PolicyDocument"]!["Statement"]!.AsArray())
                .Where(s => s!["Resource"] is JsonValue v && v.TryGetValue<string>(out var text) && text == "*")
                .Select(s => $"{r.Key}: {string.Join(",", s!["Action"]!.AsArray().Select(a => (string)a!))}"));

        Assert.Equal(["JobRole: cloudwatch:PutMetricData", "WarehouseRole: kinesis:ListStreams"], everywhere);
    }

    [Fact]
    public async Task The_daily_rule_is_made_disabled_and_starts_the_machine_at_half_past_midnight_with_an_empty_input()
    {
        await DeployAsync();
        var rule = (await Session.DescribeStackAsync()).Resources.Single(r => r.LogicalResourceId == "DailySchedule");

        Assert.Equal(("weather-analytics-daily-pipeline-schedule-dev", "cron(30 0 * * ? *)", "DISABLED"),
            (rule.PhysicalResourceId, (string)rule.Properties["ScheduleExpression"]!, (string)rule.Properties["State"]!));
        AssertJson($$"""[{"Id":"daily-pipeline","Arn":"{{MachineArn}}","RoleArn":"arn:aws:iam::123456789012:role/weather-analytics-daily-schedule-role-dev","Input":"{}"}]""",
            rule.Properties["Targets"]);
        Assert.Equal("rate(1 minute)", Session.Names.Schedule);
    }

    [Fact]
    public async Task A_definition_the_service_refuses_fails_the_resource_with_the_services_message()
    {
        const string message = "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere at /States/Start/Next'";
        Session.Local!.Provisioners.Workflows = new RecordingRegistry(_ => new InvalidDefinitionException(message));
        const string template = """
            Resources:
              Machine:
                Type: AWS::StepFunctions::StateMachine
                Properties:
                  StateMachineName: broken
                  RoleArn: arn:aws:iam::123456789012:role/machine
                  DefinitionString: '{"StartAt": "Start", "States": {"Start": {"Type": "Pass", "Next": "Nowhere"}}}'
            """;

        var refused = await Session.Local!.Stacks.DeployAsync("broken", template);

        Assert.Equal("ROLLBACK_COMPLETE", refused.StackStatus);
        Assert.Equal($"Machine: {message}", refused.StackStatusReason);
    }

    [Fact]
    public void Substitutions_replace_each_named_placeholder_in_a_definition_string_and_leave_others()
    {
        var properties = new JsonObject
        {
            ["DefinitionString"] = """{"StartAt":"Run","States":{"Run":{"Type":"Task","Resource":"arn:aws:states:::glue:startJobRun.sync","Parameters":{"JobName":"${Job}","Arguments":{"--day":"${day}"}},"End":true}}}""",
            ["DefinitionSubstitutions"] = new JsonObject { ["Job"] = "curate", ["Unused"] = 3 },
        };

        var definition = LocalProvisioners.StateMachineDefinitionFrom("Machine", properties);

        Assert.Equal("""{"StartAt":"Run","States":{"Run":{"Type":"Task","Resource":"arn:aws:states:::glue:startJobRun.sync","Parameters":{"JobName":"curate","Arguments":{"--day":"${day}"}},"End":true}}}""", definition);
    }

    [Fact]
    public void A_definition_given_as_an_object_is_written_with_its_quotes_and_signs_as_they_are()
    {
        var properties = new JsonObject
        {
            ["Definition"] = JsonNode.Parse("""{"StartAt":"Format","States":{"Format":{"Type":"Pass","Parameters":{"sql.$":"States.Format('DATE \\'{}\\' + 1', $.day)"},"End":true}}}"""),
        };

        var definition = LocalProvisioners.StateMachineDefinitionFrom("Machine", properties);

        Assert.Equal("""{"StartAt":"Format","States":{"Format":{"Type":"Pass","Parameters":{"sql.$":"States.Format('DATE \\'{}\\' + 1', $.day)"},"End":true}}}""", definition);
    }
}
