using System.Text.Json.Nodes;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Stack;

namespace StreamingWorkshop.Aws;

/// <summary>
/// The workshop's stages on an AWS account: the stream and lake behind the same interfaces as locally, and the
/// clients for the rest. Each client is made on first use, so credentials are looked up only when needed.
/// </summary>
public sealed class AwsPipeline : IDisposable
{
    private readonly Lazy<KinesisStreamService> stream;
    private readonly Lazy<S3ObjectStore> lake;
    private readonly Lazy<FirehoseClient> firehose;
    private readonly Lazy<GlueClient> glue;
    private readonly Lazy<GlueJobsClient> glueJobs;
    private readonly Lazy<AthenaClient> athena;
    private readonly Lazy<CloudFormationClient> cloudFormation;
    private readonly Lazy<LogsClient> logs;
    private readonly Lazy<LambdaClient> lambda;
    private readonly Lazy<EventBridgeClient> events;
    private readonly Lazy<StsClient> sts;
    private readonly Lazy<CloudWatchClient> cloudWatch;
    private readonly Lazy<RedshiftDataClient> redshiftData;
    private readonly Lazy<StepFunctionsClient> stepFunctions;

    private readonly HttpMessageHandler? transport;

    public AwsPipeline(AwsSettings settings, HttpMessageHandler? transport = null)
    {
        Settings = settings;
        this.transport = transport;
        var clients = new AwsClients(settings, transport);
        stream = new(clients.Kinesis);
        lake = new(clients.S3);
        firehose = new(clients.Firehose);
        glue = new(clients.Glue);
        glueJobs = new(clients.GlueJobs);
        athena = new(clients.Athena);
        cloudFormation = new(clients.CloudFormation);
        logs = new(clients.Logs);
        lambda = new(clients.Lambda);
        events = new(clients.EventBridge);
        sts = new(clients.Sts);
        cloudWatch = new(clients.CloudWatch);
        redshiftData = new(clients.RedshiftData);
        stepFunctions = new(clients.StepFunctions);
    }

    public AwsSettings Settings { get; }
    public IStreamService Stream => stream.Value;
    public IObjectStore Lake => lake.Value;
    public FirehoseClient Firehose => firehose.Value;
    public GlueClient Glue => glue.Value;
    public GlueJobsClient GlueJobs => glueJobs.Value;
    public AthenaClient Athena => athena.Value;
    public CloudFormationClient CloudFormation => cloudFormation.Value;
    public LogsClient Logs => logs.Value;
    public LambdaClient Lambda => lambda.Value;
    public EventBridgeClient Events => events.Value;
    public StsClient Sts => sts.Value;
    public CloudWatchClient CloudWatch => cloudWatch.Value;
    public RedshiftDataClient RedshiftData => redshiftData.Value;
    public StepFunctionsClient StepFunctions => stepFunctions.Value;

    /// <summary>Runs the crawler (making it first if the workshop's own is missing) and waits for it, reporting each state change.</summary>
    public async Task<CrawlerInfo> CrawlAsync(CrawlerDefinition definition, bool createIfMissing, IProgress<string>? progress = null,
        Func<TimeSpan, CancellationToken, Task>? wait = null, CancellationToken cancellationToken = default)
    {
        wait ??= Task.Delay;
        try
        {
            await Glue.GetCrawlerAsync(definition.Name, cancellationToken);
            // A policy asked for now replaces the one the crawler was made with.
            if (definition.SchemaChangePolicy is not null || definition.Configuration is not null)
                await Glue.UpdateCrawlerAsync(definition.Name, definition.SchemaChangePolicy, definition.Configuration, cancellationToken);
        }
        catch (EntityNotFoundException) when (createIfMissing)
        {
            await Glue.CreateCrawlerAsync(definition, cancellationToken);
            progress?.Report($"created crawler {definition.Name}");
        }
        var started = DateTimeOffset.UtcNow;
        await Glue.StartCrawlerAsync(definition.Name, cancellationToken);
        var history = new List<CrawlerStateChange> { new("RUNNING", started) };
        progress?.Report("RUNNING");
        CrawlerStatus status;
        while (true)
        {
            try
            {
                await wait(TimeSpan.FromSeconds(5), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Leave nothing running that the learner no longer waits for.
                await Glue.StopCrawlerAsync(definition.Name, CancellationToken.None);
                throw;
            }
            status = await Glue.GetCrawlerAsync(definition.Name, cancellationToken);
            if (status.State != history[^1].State)
            {
                history.Add(new CrawlerStateChange(status.State, DateTimeOffset.UtcNow));
                progress?.Report(status.State);
            }
            if (status.State == "READY") break;
        }
        var metrics = await Glue.GetCrawlerMetricsAsync(definition.Name, cancellationToken);
        var finished = DateTimeOffset.UtcNow;
        var notes = status.LastCrawlError is { } error ? new[] { error } : [];
        var summary = new CrawlSummary(status.LastCrawlStatus ?? "SUCCEEDED", started, finished, finished - started,
            metrics.TablesCreated, metrics.TablesUpdated, PartitionsAdded: 0, ObjectsSampled: 0, RecordsSampled: 0, notes);
        return new CrawlerInfo(status.Definition, status.State, history, summary);
    }

    /// <summary>Invokes the producer function once and reads its answer into the same summary the local producer gives.</summary>
    public async Task<ProducerSummary> InvokeProducerAsync(string functionName, CancellationToken cancellationToken = default)
    {
        var invocation = await Lambda.InvokeAsync(functionName, cancellationToken: cancellationToken);
        if (invocation.FunctionError is not null)
            throw new InvalidOperationException($"The producer function {functionName} failed ({invocation.FunctionError}): {invocation.Payload}\n{invocation.LogTail}");
        // The template's function answers {"statusCode": 200, "body": "{\"processed\": n, \"failed_cities\": [...]}"}.
        var processed = 0;
        IReadOnlyList<string> failed = [];
        try
        {
            var payload = JsonNode.Parse(invocation.Payload);
            var body = payload?["body"] is JsonValue text && text.TryGetValue<string>(out var inner) ? JsonNode.Parse(inner) : payload;
            processed = (int?)body?["processed"] ?? 0;
            failed = body?["failed_cities"]?.AsArray().Select(c => (string)c!).ToArray() ?? [];
        }
        catch (System.Text.Json.JsonException)
        {
            throw new InvalidDataException($"The producer function {functionName} answered with something other than JSON: {invocation.Payload}");
        }
        return new ProducerSummary(invocation.RequestId ?? "", processed, failed, DateTimeOffset.UtcNow, []);
    }

    /// <summary>
    /// Where a template too large to send as a body is uploaded first: a bucket of the account's own,
    /// workshop-templates-ACCOUNT-REGION, made when first needed. Smaller templates need none.
    /// </summary>
    public async Task<(IObjectStore Store, string Bucket, string Region)?> TemplateStagingAsync(string templateBody, CancellationToken cancellationToken = default)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(templateBody) <= CloudFormationClient.MaxTemplateBodyBytes) return null;
        var account = (await Sts.GetCallerIdentityAsync(cancellationToken)).Account;
        var bucket = $"workshop-templates-{account}-{Settings.Region}";
        if (!await Lake.BucketExistsAsync(bucket, cancellationToken)) await Lake.CreateBucketAsync(bucket, cancellationToken);
        return (Lake, bucket, Settings.Region);
    }

    /// <summary>The stages an AWS session uses, each on these clients.</summary>
    internal PipelineStages Stages()
    {
        var producer = new AwsProducer(this);
        return new PipelineStages(new BackendParts(
            TimeLabel: "",
            Card: stackName => [("AWS", Settings.ToString()), ("Stack name", stackName)],
            Title: "Streaming workshop (AWS backend)",
            Summary: stackName => $"{Settings}, stack {stackName}",
            CheckAsync: async cancellationToken =>
            {
                var report = await AwsDoctor.ReportAsync(Settings, transport, cancellationToken);
                return (report.Text.TrimEnd(), report.Healthy);
            },
            Resources: this,
            PauseAsync: (pause, cancellationToken) => Task.Delay(pause, cancellationToken)))
        {
            BackendName = "AWS",
            Stream = Stream,
            Lake = Lake,
            Stack = new AwsStackService(this),
            Catalog = new AwsCatalog(this),
            Query = new AwsQueryService(this),
            Warehouse = RedshiftData,
            Jobs = GlueJobs,
            Workflows = StepFunctions,
            Delivery = Firehose,
            ProducerFunction = producer,
            ProducerLogs = producer,
            Schedule = producer,
            Metrics = CloudWatch,
            Local = null,
            Time = Clock.WallClock.Instance,
        };
    }

    public void Dispose()
    {
        if (stream.IsValueCreated) stream.Value.Dispose();
        if (lake.IsValueCreated) lake.Value.Dispose();
        if (firehose.IsValueCreated) firehose.Value.Dispose();
        if (glue.IsValueCreated) glue.Value.Dispose();
        if (glueJobs.IsValueCreated) glueJobs.Value.Dispose();
        if (athena.IsValueCreated) athena.Value.Dispose();
        if (cloudFormation.IsValueCreated) cloudFormation.Value.Dispose();
        if (logs.IsValueCreated) logs.Value.Dispose();
        if (lambda.IsValueCreated) lambda.Value.Dispose();
        if (events.IsValueCreated) events.Value.Dispose();
        if (sts.IsValueCreated) sts.Value.Dispose();
        if (cloudWatch.IsValueCreated) cloudWatch.Value.Dispose();
        if (redshiftData.IsValueCreated) redshiftData.Value.Dispose();
        if (stepFunctions.IsValueCreated) stepFunctions.Value.Dispose();
    }
}
