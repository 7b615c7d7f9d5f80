using StreamingWorkshop.Display;
using StreamingWorkshop.Stack;

namespace StreamingWorkshop;

/// <summary>
/// The names of the workshop's resources. They come from the deployed stack's outputs
/// (<see cref="FromStack"/>); the defaults are what the workshop's template makes for project
/// weather-analytics and environment dev.
/// </summary>
public sealed record PipelineNames : IHtmlDisplay
{
    public PipelineNames(string project = "weather-analytics", string environment = "dev", string accountId = "123456789012")
    {
        Project = project;
        Environment = environment;
        AccountId = accountId;
        StreamName = $"{project}-stream-{environment}";
        DeliveryStreamName = $"{project}-firehose-{environment}";
        LakeBucket = $"{project}-data-lake-{environment}-{accountId}";
        ResultsBucket = $"{project}-athena-results-{environment}-{accountId}";
        ProducerFunction = $"{project}-producer-{environment}";
        ScheduleRule = $"{project}-schedule-{environment}";
        Database = $"{project}_{environment}_db";
        GlueRole = $"{project}-glue-role-{environment}";
        BatchJob = $"{project}-curate-batch-{environment}";
        StreamingJob = $"{project}-curate-stream-{environment}";
        ScriptsBucket = $"{project}-glue-scripts-{environment}-{accountId}";
        StateMachine = $"{project}-daily-pipeline-{environment}";
        DailyRule = $"{project}-daily-pipeline-schedule-{environment}";
    }

    public string Project { get; init; }
    public string Environment { get; init; }
    public string AccountId { get; init; }
    public string StackName { get; init; } = "stream";
    public string StreamName { get; init; }
    public string DeliveryStreamName { get; init; }
    public string LakeBucket { get; init; }
    public string ResultsBucket { get; init; }
    public string ProducerFunction { get; init; }
    public string ScheduleRule { get; init; }
    public string Schedule { get; init; } = "rate(1 minute)";
    public IReadOnlyList<string>? ProducerCities { get; init; }
    public string Database { get; init; }
    public string GlueRole { get; init; }
    public string CrawlerName { get; init; } = "weather-data-crawler";

    /// <summary>The Glue job that curates the lake's raw readings in batches, with bookmarks.</summary>
    public string BatchJob { get; init; }

    /// <summary>The Glue streaming job that curates readings from the stream in micro-batches.</summary>
    public string StreamingJob { get; init; }

    /// <summary>The bucket with the jobs' scripts, their temporary files and the streaming job's checkpoints.</summary>
    public string ScriptsBucket { get; init; }

    /// <summary>The Step Functions state machine that runs the daily pipeline: crawl, curate the day with Athena, the batch job, a quality check.</summary>
    public string StateMachine { get; init; }

    /// <summary>The EventBridge rule that starts <see cref="StateMachine"/> once a day (made disabled).</summary>
    public string DailyRule { get; init; }

    /// <summary>The curated table the state machine writes with Athena, one partition per day.</summary>
    public string DailyTable { get; init; } = "daily_weather";

    /// <summary>The resources the pipeline is made of, by the names the stack gave them, and the crawler Task 3 makes.</summary>
    private PropertiesView View => new($"Resources of stack {StackName}",
    [
        ("Kinesis data stream", StreamName),
        ("Firehose delivery stream", DeliveryStreamName),
        ("Data-lake bucket", LakeBucket),
        ("Athena results bucket", ResultsBucket),
        ("Producer function", ProducerFunction),
        ("Schedule", $"{ScheduleRule}: {Schedule}"),
        ("Glue database", Database),
        // Not one of the stack's resources: Task 3 makes the crawler, with this name.
        ("Glue crawler", $"{CrawlerName} (Task 3 makes it, not the stack)"),
    ]);

    public string ToHtml() => View.ToHtml();

    public override string ToString() => View.ToString();

    /// <summary>Every name the pipeline uses, read from a deployed stack's outputs and resources.</summary>
    public static PipelineNames FromStack(StackState stack)
    {
        string Output(string key) => stack.Output(key) ?? throw new InvalidOperationException($"Stack {stack.StackName} has no output {key}; deploy the workshop's template (workshop deploy).");
        var parameters = stack.Parameters.ToDictionary(p => p.ParameterKey, p => p.ParameterValue);
        var function = stack.Resources.FirstOrDefault(r => r.ResourceType == "AWS::Lambda::Function");
        // The producer's schedule is the rule the ScheduleRuleName output names (the stack has a daily rule too).
        var rule = stack.Resources.FirstOrDefault(r => r.ResourceType == "AWS::Events::Rule" && r.PhysicalResourceId == stack.Output("ScheduleRuleName"))
            ?? stack.Resources.FirstOrDefault(r => r.ResourceType == "AWS::Events::Rule");
        var cities = function?.Properties["Environment"]?["Variables"]?["CITIES"]?.GetValue<string>();
        return new PipelineNames(parameters.GetValueOrDefault("ProjectName", "weather-analytics"), parameters.GetValueOrDefault("Environment", "dev"))
        {
            StackName = stack.StackName,
            StreamName = Output("KinesisStreamName"),
            DeliveryStreamName = Output("DeliveryStreamName"),
            LakeBucket = Output("DataLakeBucketName"),
            ResultsBucket = Output("AthenaResultsBucketName"),
            ProducerFunction = Output("ProducerFunctionName"),
            ScheduleRule = Output("ScheduleRuleName"),
            Schedule = rule?.Properties["ScheduleExpression"]?.GetValue<string>() ?? "rate(1 minute)",
            ProducerCities = cities?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Database = Output("GlueDatabaseName"),
            GlueRole = Output("GlueRoleName"),
            BatchJob = stack.Output("BatchJobName") ?? $"{parameters.GetValueOrDefault("ProjectName", "weather-analytics")}-curate-batch-{parameters.GetValueOrDefault("Environment", "dev")}",
            StreamingJob = stack.Output("StreamingJobName") ?? $"{parameters.GetValueOrDefault("ProjectName", "weather-analytics")}-curate-stream-{parameters.GetValueOrDefault("Environment", "dev")}",
            ScriptsBucket = stack.Output("ScriptsBucketName") ?? "",
            StateMachine = stack.Output("StateMachineName") ?? $"{parameters.GetValueOrDefault("ProjectName", "weather-analytics")}-daily-pipeline-{parameters.GetValueOrDefault("Environment", "dev")}",
            DailyRule = stack.Output("DailyScheduleRuleName") ?? $"{parameters.GetValueOrDefault("ProjectName", "weather-analytics")}-daily-pipeline-schedule-{parameters.GetValueOrDefault("Environment", "dev")}",
        };
    }
}
