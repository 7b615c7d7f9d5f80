namespace StreamingWorkshop.Aws;

/// <summary>Makes the typed clients the AWS backend uses, all sharing one set of settings, transport and retry policy.</summary>
public sealed class AwsClients(AwsSettings settings, HttpMessageHandler? transport = null, AwsRetryPolicy? retry = null)
{
    public AwsSettings Settings { get; } = settings;

    private AwsTransport Transport(AwsService service) => new(Settings, service, transport, retry);

    public KinesisStreamService Kinesis() => new(new AwsJsonClient(Transport(AwsService.Kinesis)));
    public S3ObjectStore S3() => new(Settings);
    public FirehoseClient Firehose() => new(new AwsJsonClient(Transport(AwsService.Firehose)));
    public GlueClient Glue() => new(new AwsJsonClient(Transport(AwsService.Glue)));
    public GlueJobsClient GlueJobs() => new(new AwsJsonClient(Transport(AwsService.Glue)));
    public AthenaClient Athena() => new(new AwsJsonClient(Transport(AwsService.Athena)));
    public LogsClient Logs() => new(new AwsJsonClient(Transport(AwsService.Logs)));
    public EventBridgeClient EventBridge() => new(new AwsJsonClient(Transport(AwsService.EventBridge)));
    public CloudFormationClient CloudFormation() => new(new AwsQueryClient(Transport(AwsService.CloudFormation)));
    public CloudWatchClient CloudWatch() => new(new AwsQueryClient(Transport(AwsService.CloudWatch)));
    public StsClient Sts() => new(new AwsQueryClient(Transport(AwsService.Sts)));
    public RedshiftDataClient RedshiftData() => new(new AwsJsonClient(Transport(AwsService.RedshiftData)));
    public StepFunctionsClient StepFunctions() => new(new AwsJsonClient(Transport(AwsService.StepFunctions)));
    public LambdaClient Lambda() => new(new AwsRestJsonClient(Transport(AwsService.Lambda)));
}
