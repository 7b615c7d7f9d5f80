using System.Text.Json.Nodes;
using StreamingWorkshop.Stack;

namespace Workshop.Tests.Jobs;

/// <summary>The template's Glue jobs, their scripts bucket and their outputs, as written in templates/workshop-stack.yaml.</summary>
public sealed class JobsTemplateTests
{
    private static readonly JsonObject Resources = TemplateReader.Parse(TemplateReader.WorkshopTemplate())["Resources"]!.AsObject();
    private static readonly JsonObject Outputs = TemplateReader.Parse(TemplateReader.WorkshopTemplate())["Outputs"]!.AsObject();

    private static JsonObject Properties(string logicalId) => Resources[logicalId]!["Properties"]!.AsObject();

    private static string Text(JsonNode? node) => node switch
    {
        JsonObject { Count: 1 } function => $"{function.First().Key} {Text(function.First().Value)}",
        JsonArray items => string.Join(" ", items.Select(Text)),
        _ => node?.ToString() ?? "",
    };

    [Fact]
    public void The_batch_job_runs_its_script_on_two_G1X_workers_with_bookmarks_and_no_retries()
    {
        var job = Properties("BatchJob");

        Assert.Equal("AWS::Glue::Job", (string)Resources["BatchJob"]!["Type"]!);
        Assert.Equal("Fn::Sub ${ProjectName}-curate-batch-${Environment}", Text(job["Name"]));
        Assert.Equal(("glueetl", "Fn::Sub s3://${ScriptsBucket}/scripts/curate_batch.py", "3"), ((string)job["Command"]!["Name"]!, Text(job["Command"]!["ScriptLocation"]), (string)job["Command"]!["PythonVersion"]!));
        Assert.Equal(("4.0", "G.1X", "2", "30", "0", "1"), ((string)job["GlueVersion"]!, (string)job["WorkerType"]!, Text(job["NumberOfWorkers"]), Text(job["Timeout"]), Text(job["MaxRetries"]), Text(job["ExecutionProperty"]!["MaxConcurrentRuns"])));
        Assert.Equal("Fn::GetAtt JobRole Arn", Text(job["Role"]));
        Assert.Equal([
            "--job-bookmark-option=job-bookmark-enable",
            "--TempDir=Fn::Sub s3://${ScriptsBucket}/temporary/",
            "--enable-metrics=true",
            "--enable-continuous-cloudwatch-log=true",
            "--enable-glue-datacatalog=true",
            "--database=Ref GlueDatabase",
            "--lake_bucket=Ref DataLakeBucket",
            "--raw_prefix=weather-data/",
            "--curated_prefix=curated/weather/",
            "--curated_table=curated_weather",
        ], job["DefaultArguments"]!.AsObject().Select(a => $"{a.Key}={Text(a.Value)}"));
    }

    [Fact]
    public void The_streaming_job_runs_on_two_quarter_DPU_workers_reading_from_the_start_of_the_stream_every_minute()
    {
        var job = Properties("StreamingJob");

        Assert.Equal("Fn::Sub ${ProjectName}-curate-stream-${Environment}", Text(job["Name"]));
        Assert.Equal(("gluestreaming", "Fn::Sub s3://${ScriptsBucket}/scripts/curate_stream.py"), ((string)job["Command"]!["Name"]!, Text(job["Command"]!["ScriptLocation"])));
        Assert.Equal(("4.0", "G.025X", "2", "1440", "0", "1"), ((string)job["GlueVersion"]!, (string)job["WorkerType"]!, Text(job["NumberOfWorkers"]), Text(job["Timeout"]), Text(job["MaxRetries"]), Text(job["ExecutionProperty"]!["MaxConcurrentRuns"])));
        Assert.Equal([
            "--TempDir=Fn::Sub s3://${ScriptsBucket}/temporary/",
            "--enable-metrics=true",
            "--enable-continuous-cloudwatch-log=true",
            "--database=Ref GlueDatabase",
            "--lake_bucket=Ref DataLakeBucket",
            "--stream_arn=Fn::GetAtt WeatherStream Arn",
            "--window_size=60",
            "--starting_position=TRIM_HORIZON",
            "--checkpoint_location=Fn::Sub s3://${ScriptsBucket}/checkpoints/curate-stream/",
            "--live_prefix=curated/weather-live/",
            "--live_table=curated_weather_live",
            "--window_prefix=curated/weather-5min/",
            "--window_table=weather_5min_by_city",
            "--error_prefix=curated/errors/",
        ], job["DefaultArguments"]!.AsObject().Select(a => $"{a.Key}={Text(a.Value)}"));
    }

    [Fact]
    public void The_scripts_bucket_is_encrypted_closed_to_the_public_and_forgets_temporary_files_after_a_week()
    {
        var bucket = Properties("ScriptsBucket");

        Assert.Equal("Fn::Sub ${ProjectName}-glue-scripts-${Environment}-${AWS::AccountId}", Text(bucket["BucketName"]));
        Assert.Equal("AES256", (string)bucket["BucketEncryption"]!["ServerSideEncryptionConfiguration"]![0]!["ServerSideEncryptionByDefault"]!["SSEAlgorithm"]!);
        Assert.Equal(["BlockPublicAcls=true", "BlockPublicPolicy=true", "IgnorePublicAcls=true", "RestrictPublicBuckets=true"],
            bucket["PublicAccessBlockConfiguration"]!.AsObject().Select(p => $"{p.Key}={Text(p.Value)}"));
        var rule = Assert.Single(bucket["LifecycleConfiguration"]!["Rules"]!.AsArray())!;
        Assert.Equal(("temporary/", "7", "Enabled"), ((string)rule["Prefix"]!, Text(rule["ExpirationInDays"]), (string)rule["Status"]!));
    }

    [Fact]
    public void The_outputs_name_both_jobs_and_the_scripts_bucket()
    {
        Assert.Equal(("Ref BatchJob", "Ref StreamingJob", "Ref ScriptsBucket", "Fn::GetAtt JobRole Arn"),
            (Text(Outputs["BatchJobName"]!["Value"]), Text(Outputs["StreamingJobName"]!["Value"]), Text(Outputs["ScriptsBucketName"]!["Value"]), Text(Outputs["JobRoleArn"]!["Value"])));
    }
}
