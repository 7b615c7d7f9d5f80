namespace StreamingWorkshop.Aws;

/// <summary>
/// One AWS service as the kit talks to it: the name SigV4 signs with, the host prefix of its public endpoint,
/// the suffix of its AWS_ENDPOINT_URL_&lt;SERVICE&gt; variable, and for JSON services the X-Amz-Target prefix and the
/// protocol's version (1.1 for most; Step Functions speaks 1.0).
/// </summary>
public sealed record AwsService(string SigningName, string EndpointPrefix, string EndpointVariableSuffix, string? TargetPrefix = null, string? ApiVersion = null,
    string JsonVersion = "1.1")
{
    public static readonly AwsService Kinesis = new("kinesis", "kinesis", "KINESIS", "Kinesis_20131202");
    public static readonly AwsService Firehose = new("firehose", "firehose", "FIREHOSE", "Firehose_20150804");
    public static readonly AwsService Glue = new("glue", "glue", "GLUE", "AWSGlue");
    public static readonly AwsService Athena = new("athena", "athena", "ATHENA", "AmazonAthena");
    public static readonly AwsService Logs = new("logs", "logs", "CLOUDWATCH_LOGS", "Logs_20140328");
    public static readonly AwsService EventBridge = new("events", "events", "EVENTBRIDGE", "AWSEvents");
    public static readonly AwsService CloudFormation = new("cloudformation", "cloudformation", "CLOUDFORMATION", ApiVersion: "2010-05-15");
    public static readonly AwsService CloudWatch = new("monitoring", "monitoring", "CLOUDWATCH", ApiVersion: "2010-08-01");
    public static readonly AwsService Sts = new("sts", "sts", "STS", ApiVersion: "2011-06-15");
    public static readonly AwsService Lambda = new("lambda", "lambda", "LAMBDA");
    public static readonly AwsService S3 = new("s3", "s3", "S3");
    public static readonly AwsService RedshiftData = new("redshift-data", "redshift-data", "REDSHIFT_DATA", "RedshiftData");
    public static readonly AwsService StepFunctions = new("states", "states", "SFN", "AWSStepFunctions", JsonVersion: "1.0");

    public static IReadOnlyList<AwsService> All { get; } = [Kinesis, Firehose, Glue, Athena, Logs, EventBridge, CloudFormation, CloudWatch, Sts, Lambda, S3, RedshiftData, StepFunctions];

    /// <summary>The variable that points this one service somewhere else, as every AWS SDK reads it.</summary>
    public string EndpointVariable => $"AWS_ENDPOINT_URL_{EndpointVariableSuffix}";
}
