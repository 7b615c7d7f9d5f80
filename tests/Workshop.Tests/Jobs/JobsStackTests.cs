using System.Text;
using System.Text.Json.Nodes;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Jobs;
using StreamingWorkshop.Stack;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Jobs;

/// <summary>The template's jobs on the local backend: deploy defines them and puts their scripts in the scripts bucket; deleting the stack forgets them.</summary>
public sealed class JobsStackTests : LocalSessionTest
{
    private const string ScriptsBucket = "weather-analytics-glue-scripts-dev-123456789012";

    [Fact]
    public async Task Deploy_defines_both_jobs_with_the_templates_settings_and_uploads_their_scripts_and_deleting_the_stack_forgets_them()
    {
        await Session.EnsurePipelineAsync();
        var jobs = Session.Stages.Jobs;

        var defined = (await jobs.GetJobsAsync()).OrderBy(j => j.Name).ToArray();
        Assert.Equal([
            "weather-analytics-curate-batch-dev glueetl s3://weather-analytics-glue-scripts-dev-123456789012/scripts/curate_batch.py 4.0 G.1X x2 30 min",
            "weather-analytics-curate-stream-dev gluestreaming s3://weather-analytics-glue-scripts-dev-123456789012/scripts/curate_stream.py 4.0 G.025X x2 1440 min",
        ], defined.Select(j => $"{j.Name} {j.Command.Name} {j.Command.ScriptLocation} {j.GlueVersion} {j.WorkerType} x{j.NumberOfWorkers} {j.TimeoutMinutes} min"));
        Assert.All(defined, j => Assert.Equal("arn:aws:iam::123456789012:role/weather-analytics-glue-job-role-dev", j.Role));
        var streaming = defined[1].DefaultArguments;
        Assert.Equal(("arn:aws:kinesis:us-east-1:123456789012:stream/weather-analytics-stream-dev", "s3://weather-analytics-glue-scripts-dev-123456789012/checkpoints/curate-stream/", "weather-analytics_dev_db", "weather-analytics-data-lake-dev-123456789012"),
            (streaming["--stream_arn"], streaming["--checkpoint_location"], streaming["--database"], streaming["--lake_bucket"]));
        Assert.Equal((Session.Names.BatchJob, Session.Names.StreamingJob, Session.Names.ScriptsBucket), (defined[0].Name, defined[1].Name, ScriptsBucket));

        var scripts = (await Session.Lake.ListObjectsV2Async(new StreamingWorkshop.Lake.ListObjectsRequest(ScriptsBucket))).Contents.Select(o => o.Key);
        Assert.Equal(["scripts/curate_batch.py", "scripts/curate_stream.py"], scripts);
        var batchScript = Encoding.UTF8.GetString((await Session.Lake.GetObjectAsync(ScriptsBucket, "scripts/curate_batch.py")).Content.Span);
        Assert.Contains("CURATION_SQL = \"\"\"\nSELECT city,\n       measured AS measurement_time,", batchScript);

        await Session.Stack.DestroyAsync(emptyBuckets: true);
        Assert.Empty(await Session.Local!.Jobs.GetJobsAsync());
        var gone = await Assert.ThrowsAsync<EntityNotFoundException>(() => Session.Local.Jobs.GetJobAsync("weather-analytics-curate-batch-dev"));
        Assert.Equal("EntityNotFoundException", gone.ErrorCode);
    }

    [Fact]
    public async Task The_job_role_reads_raw_readings_and_the_stream_writes_curated_files_and_registers_tables_in_the_workshops_database_only()
    {
        await Session.EnsurePipelineAsync();
        var role = (await Session.DescribeStackAsync()).Resources.Single(r => r.LogicalResourceId == "JobRole");
        var statements = role.Properties["Policies"]!.AsArray().SelectMany(p => p!["PolicyDocument"]!["Statement"]!.AsArray())
            .Select(s => $"{string.Join(",", s!["Action"]!.AsArray().Select(a => (string)a!))} on {string.Join(" ", s["Resource"] is JsonArray many ? many.Select(r => (string)r!) : [(string)s["Resource"]!])}"
                         + (s["Condition"] is { } condition ? $" if {condition.ToJsonString()}" : ""));

        const string lake = "arn:aws:s3:::weather-analytics-data-lake-dev-123456789012";
        const string scripts = "arn:aws:s3:::weather-analytics-glue-scripts-dev-123456789012";
        const string glue = "arn:aws:glue:us-east-1:123456789012";
        Assert.Equal([
            $"s3:GetObject on {lake}/weather-data/*",
            $"s3:GetObject,s3:PutObject,s3:DeleteObject on {lake}/curated/*",
            $"s3:ListBucket,s3:GetBucketLocation on {lake} if {{\"StringLike\":{{\"s3:prefix\":[\"weather-data/*\",\"curated/*\"]}}}}",
            $"s3:GetObject on {scripts}/scripts/*",
            $"s3:GetObject,s3:PutObject,s3:DeleteObject on {scripts}/temporary/* {scripts}/checkpoints/*",
            $"s3:ListBucket,s3:GetBucketLocation on {scripts}",
            "kinesis:DescribeStream,kinesis:DescribeStreamSummary,kinesis:GetShardIterator,kinesis:GetRecords,kinesis:ListShards on arn:aws:kinesis:us-east-1:123456789012:stream/weather-analytics-stream-dev",
            "glue:GetDatabase,glue:GetDatabases,glue:GetUserDefinedFunctions,glue:GetTable,glue:GetTables,glue:CreateTable,glue:UpdateTable,glue:GetPartition,glue:GetPartitions,glue:BatchGetPartition,glue:CreatePartition,glue:BatchCreatePartition,glue:UpdatePartition"
                + $" on {glue}:catalog {glue}:database/weather-analytics_dev_db {glue}:table/weather-analytics_dev_db/* {glue}:userDefinedFunction/weather-analytics_dev_db/*",
            "logs:CreateLogGroup,logs:CreateLogStream,logs:PutLogEvents on arn:aws:logs:us-east-1:123456789012:log-group:/aws-glue/*",
            "cloudwatch:PutMetricData on * if {\"StringEquals\":{\"cloudwatch:namespace\":\"Glue\"}}",
        ], statements);
        Assert.Equal("glue.amazonaws.com", (string)role.Properties["AssumeRolePolicyDocument"]!["Statement"]![0]!["Principal"]!["Service"]!);
    }

    [Theory]
    [InlineData("Name: pythonshell", "WorkerType: G.1X", "Job: Command.Name 'pythonshell' is not a Spark job the local backend runs; use glueetl (batch) or gluestreaming (streaming).")]
    [InlineData("Name: glueetl", "WorkerType: G.025X", "Job: WorkerType G.025X is for streaming jobs only; use G.1X for a glueetl job or make it gluestreaming.")]
    [InlineData("Name: glueetl", "WorkerType: G.3X", "Job: WorkerType 'G.3X' is not a Spark worker type; use one of G.025X, G.1X, G.2X, G.4X, G.8X.")]
    [InlineData("Name: glueetl", "NumberOfWorkers: 1", "Job: NumberOfWorkers 1 is too few; a Spark job needs at least 2 (a driver and an executor).")]
    public async Task A_job_the_service_would_refuse_fails_the_deployment_naming_the_property(string command, string workers, string expected)
    {
        var template = $$"""
            Resources:
              Job:
                Type: AWS::Glue::Job
                Properties:
                  Name: curate
                  Role: arn:aws:iam::123456789012:role/jobs
                  Command: { {{command}}, ScriptLocation: s3://scripts/curate.py }
                  {{workers}}
            """;

        var refused = await Session.Local!.Stacks.DeployAsync("jobs", template);

        Assert.Equal("ROLLBACK_COMPLETE", refused.StackStatus);
        Assert.EndsWith(expected, refused.StackStatusReason);
        Assert.Empty(await Session.Local!.Jobs.GetJobsAsync());
    }
}
