using System.Diagnostics;
using StreamingWorkshop.Aws;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Delivery;
using StreamingWorkshop.Display;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Query;
using StreamingWorkshop.Simulation;
using StreamingWorkshop.Stack;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop;

/// <summary>
/// One connection to the workshop's pipeline: the stages, the clock, and the simulated day. Local state lives
/// in the workspace folder, so the CLI, a notebook and a restarted kernel all see the same stream and lake.
/// </summary>
public sealed partial class WorkshopSession : IAsyncDisposable, IHtmlDisplay
{
    private readonly LocalStreamService localStream;
    private readonly LocalObjectStore localLake;
    private readonly AwsPipeline? aws;

    private WorkshopSession(WorkshopOptions options, WorkspaceDirectory workspace, VirtualClock clock, AwsPipeline? aws = null)
    {
        this.aws = aws;
        Options = options;
        Workspace = workspace;
        Clock = clock;
        Names = new PipelineNames() with { StackName = options.StackName };
        localStream = new LocalStreamService(workspace, clock, Names.AccountId);
        localLake = new LocalObjectStore(workspace, clock);
        localFirehose = new LocalFirehoseService(workspace, clock);
        localLogs = new ProducerLog(workspace, clock);
        Cities = City.Resolve(options.Cities);
        WeatherSource = options.WeatherSource switch
        {
            "simulated" => new SimulatedWeatherSource(options.Seed),
            "open-meteo" => new OpenMeteoWeatherSource(new HttpClient()),
            var other => throw new ArgumentException($"Weather source '{other}' is unknown; use 'simulated' or 'open-meteo'."),
        };
        Producer = BuildProducer();
        localCatalog = new LocalGlueCatalog(workspace, clock);
        localStacks = new LocalCloudFormation(workspace, clock, new LocalProvisioners(localLake, localStream, localFirehose, localCatalog, Names.AccountId), Names.AccountId);
        localCrawlers = new LocalCrawlers(workspace, clock, localCatalog, localLake);
        athena = new Lazy<LocalAthena>(() => new LocalAthena(workspace, clock, localCatalog, localLake, new AthenaSettings(Names.Database, Names.ResultsBucket)));
    }

    private readonly Lazy<LocalAthena> athena;

    internal static Task<WorkshopSession> OpenLocalAsync(WorkshopOptions options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var workspace = options.WorkspacePath is { } path ? new WorkspaceDirectory(path) : WorkspaceDirectory.FromEnvironment();
        // Resources are made on first use, once the clock is where the learner wants it to start.
        return Task.FromResult(new WorkshopSession(options, workspace, VirtualClock.Load(workspace)));
    }

    /// <summary>
    /// A session on an AWS account: the pipeline's names come from the deployed stack, time is real time, and
    /// the workspace keeps only the kit's own notes (the notebooks' outputs, the CLI's history).
    /// </summary>
    public static Task<WorkshopSession> OpenAwsAsync(WorkshopOptions options, AwsSettings settings, HttpMessageHandler? transport = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var workspace = options.WorkspacePath is { } path ? new WorkspaceDirectory(path) : WorkspaceDirectory.FromEnvironment();
        return Task.FromResult(new WorkshopSession(options, workspace, VirtualClock.Load(workspace), new AwsPipeline(settings, transport)));
    }

    /// <summary>The AWS stages, when the session is on AWS.</summary>
    public AwsPipeline? Aws => aws;

    // The few members notebooks read without awaiting block on AWS; notebook cells run off any UI thread, so this cannot deadlock.
    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private static void Wait(Task task) => task.GetAwaiter().GetResult();

    private string LocalOnly(string what) =>
        $"{what} runs on the local backend only: on AWS the schedule invokes the producer every minute and Firehose delivers on its own. Wait for data, or call InvokeProducerAsync() for one reading now.";

    public WorkshopOptions Options { get; }
    public WorkspaceDirectory Workspace { get; }
    public VirtualClock Clock { get; }
    /// <summary>The names the pipeline uses; read from the deployed stack once the pipeline is ready.</summary>
    public PipelineNames Names { get; private set; }
    public IReadOnlyList<City> Cities { get; private set; }
    public IWeatherSource WeatherSource { get; }
    public IStreamService Stream => aws?.Stream ?? localStream;
    public IObjectStore Lake => aws?.Lake ?? localLake;
    // The local backend's own services. On AWS they would show the workspace, not the account, so they refuse.
    private readonly LocalFirehoseService localFirehose;
    private readonly ProducerLog localLogs;
    private readonly LocalCloudFormation localStacks;
    private readonly LocalGlueCatalog localCatalog;
    private readonly LocalCrawlers localCrawlers;

    private T LocalPart<T>(T part, string name) => aws is null ? part
        : throw new NotSupportedException($"workshop.{name} is the local backend's; on AWS use the session's own calls (DescribeStackAsync, DescribeDatabaseAsync, DescribeTable, CrawlAsync, QueryAsync, RecentQueriesAsync, ProducerLogs).");

    public LocalObjectStore LocalLake => LocalPart(localLake, nameof(LocalLake));
    public LocalFirehoseService Firehose => LocalPart(localFirehose, nameof(Firehose));
    public ProducerLog Logs => LocalPart(localLogs, nameof(Logs));
    public WeatherProducer Producer { get; private set; }
    public LocalCloudFormation Stacks => LocalPart(localStacks, nameof(Stacks));

    private WeatherProducer BuildProducer() => new(WeatherSource, localStream, localLogs, Clock,
        new ProducerOptions { StreamName = Names.StreamName, Cities = Cities, FunctionName = Names.ProducerFunction });
    public LocalGlueCatalog Catalog => LocalPart(localCatalog, nameof(Catalog));
    public LocalCrawlers Crawlers => LocalPart(localCrawlers, nameof(Crawlers));

    /// <summary>The Athena engine (DuckDB underneath), started on first use.</summary>
    public LocalAthena Athena => LocalPart(athena, nameof(Athena)).Value;

    /// <summary>The delivery stream's configuration as deployed.</summary>
    public DeliveryStreamConfig Delivery => aws is null
        ? Firehose.DescribeDeliveryStream(Names.DeliveryStreamName)
        : Wait(aws.Firehose.DescribeDeliveryStreamAsync(Names.DeliveryStreamName));

    /// <summary>Where Athena runs the workshop's queries and writes their results.</summary>
    public AthenaSettings AthenaSettings => new(Names.Database, Names.ResultsBucket);

    /// <summary>
    /// Makes the workshop's resources that are missing: the stream (1 shard, 24 h), the lake and results buckets
    /// with their lifecycle rules, and the delivery stream. Existing resources are left as they are.
    /// </summary>
    public async Task EnsurePipelineAsync(CancellationToken cancellationToken = default)
    {
        // Another process (the CLI, another notebook) may have moved the shared clock on.
        Clock.Refresh();
        if (pipelineReady) return;
        if (aws is not null)
        {
            var deployed = await aws.CloudFormation.TryDescribeAsync(Names.StackName, cancellationToken)
                ?? throw new InvalidOperationException($"Stack {Names.StackName} is not deployed in {aws.Settings.Region}; run the Task 1 notebook or 'workshop deploy --backend aws' first.");
            if (deployed.StackStatus is not ("CREATE_COMPLETE" or "UPDATE_COMPLETE" or "UPDATE_ROLLBACK_COMPLETE"))
                throw new InvalidOperationException($"Stack {Names.StackName} is {deployed.StackStatus}: {deployed.StackStatusReason} Look at its events in the CloudFormation console, then deploy again.");
            UseStack(deployed);
            // The schedule lives on the EventBridge rule; the stack's resource list does not carry it.
            try
            {
                if ((await aws.Events.DescribeRuleAsync(Names.ScheduleRule, cancellationToken)).ScheduleExpression is { } schedule) Names = Names with { Schedule = schedule };
            }
            catch (ResourceNotFoundException)
            {
                // Deleted by hand: the producer is then not scheduled, and ProducerScheduleAsync says so.
            }
            return;
        }
        if (!Stacks.StackExists(Names.StackName))
        {
            // The local backend deploys the workshop's own template when nothing is deployed yet, so every
            // name below comes from a stack, as it does on AWS.
            Options.Notice?.Invoke($"No stack deployed in this workspace: deploying the workshop template as stack '{Names.StackName}' ...");
            var created = await Stacks.EnsureStackAsync(Names.StackName, TemplateReader.WorkshopTemplate(), LocalDefaultParameters(), cancellationToken);
            if (created.StackStatus is not ("CREATE_COMPLETE" or "UPDATE_COMPLETE"))
                throw new InvalidOperationException($"The workshop stack {Names.StackName} did not deploy ({created.StackStatus}): {created.StackStatusReason}");
        }
        var stack = Stacks.DescribeStack(Names.StackName);
        if (stack.StackStatus is not ("CREATE_COMPLETE" or "UPDATE_COMPLETE" or "UPDATE_ROLLBACK_COMPLETE"))
            throw new InvalidOperationException($"Stack {Names.StackName} is {stack.StackStatus}: {stack.StackStatusReason} Run 'workshop destroy --stack-name {Names.StackName}' and deploy again.");
        UseStack(stack);
    }

    private void UseStack(StackState stack)
    {
        Names = PipelineNames.FromStack(stack);
        if (Options.Cities is null && Names.ProducerCities is { Count: > 0 } cities) Cities = City.Resolve(cities);
        Producer = BuildProducer();
        pipelineReady = true;
    }

    private bool pipelineReady;

    /// <summary>Parameters the workshop's template needs that have no default: a warehouse password, made up locally.</summary>
    public static Dictionary<string, string> LocalDefaultParameters()
    {
        const string letters = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var random = string.Concat(Enumerable.Range(0, 12).Select(_ => letters[System.Security.Cryptography.RandomNumberGenerator.GetInt32(letters.Length)]));
        return new Dictionary<string, string> { ["WarehousePassword"] = $"Wh{random}7x" };
    }

    /// <summary>Deploys (or updates) a stack from a template: the workshop's own unless another is given.</summary>
    public async Task<StackState> DeployAsync(string? stackName = null, string? templateBody = null, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default)
    {
        var name = stackName ?? Names.StackName;
        var overrides = new Dictionary<string, string>(parameters ?? new Dictionary<string, string>());
        var exists = await StackExistsAsync(name, cancellationToken);
        if (!exists && templateBody is null && !overrides.ContainsKey("WarehousePassword"))
            foreach (var (key, value) in LocalDefaultParameters()) overrides[key] = value;
        var body = templateBody ?? TemplateReader.WorkshopTemplate();
        var state = aws is null
            ? await Stacks.DeployAsync(name, body, overrides, cancellationToken)
            : await aws.CloudFormation.DeployAsync(name, body, overrides, StackProgress,
                stagingBucket: await aws.TemplateStagingAsync(body, cancellationToken), cancellationToken: cancellationToken);
        pipelineReady = false;
        return state;
    }

    /// <summary>Deletes a stack; buckets that still hold objects stop it unless <paramref name="emptyBuckets"/>.</summary>
    public async Task<StackState> DestroyAsync(string? stackName = null, bool emptyBuckets = false, CancellationToken cancellationToken = default)
    {
        var state = aws is null
            ? await Stacks.DeleteAsync(stackName ?? Names.StackName, emptyBuckets, cancellationToken)
            : await aws.CloudFormation.DeleteAsync(stackName ?? Names.StackName, emptyBuckets ? aws.Lake : null, StackProgress, cancellationToken);
        pipelineReady = false;
        return state;
    }

    /// <summary>Each stack event as it happens while a deployment runs on AWS, one line per event.</summary>
    private IProgress<StackEvent> StackProgress => new SynchronousProgress<StackEvent>(e =>
        Tell($"{e.Timestamp.UtcDateTime:HH:mm:ss} {e.LogicalResourceId,-28} {e.ResourceStatus,-20} {e.ResourceStatusReason}"));

    /// <summary>A progress line of work on AWS: to <see cref="WorkshopOptions.Progress"/> when given, else to the console (a notebook cell's output).</summary>
    private void Tell(string line) => (Options.Progress ?? Console.WriteLine)(line);

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>The stack as CloudFormation describes it now.</summary>
    public async Task<StackState> DescribeStackAsync(string? stackName = null, CancellationToken cancellationToken = default) =>
        aws is null ? Stacks.DescribeStack(stackName ?? Names.StackName) : await aws.CloudFormation.DescribeStackAsync(stackName ?? Names.StackName, cancellationToken);

    private StackState DescribeStackNow(string? stackName) => Wait(DescribeStackAsync(stackName));

    public StackEventsView StackEvents(string? stackName = null) => new(DescribeStackNow(stackName).Events);

    public StackResourcesView StackResources(string? stackName = null) => new(DescribeStackNow(stackName).Resources);

    /// <summary>The stack's outputs, each with what it is on the local backend: a folder to open or a command to run.</summary>
    public StackOutputsView StackOutputs(string? stackName = null)
    {
        var stack = DescribeStackNow(stackName);
        if (aws is not null) return new StackOutputsView(stack.Outputs, new Dictionary<string, string>());
        string Folder(params string[] parts) => Workspace.Resolve(parts);
        var local = new Dictionary<string, string>
        {
            ["DataLakeBucketURL"] = $"{Folder("lake", stack.Output("DataLakeBucketName") ?? "")} · workshop lake ls",
            ["AthenaResultsBucketURL"] = $"{Folder("lake", stack.Output("AthenaResultsBucketName") ?? "")} · workshop lake ls --bucket {stack.Output("AthenaResultsBucketName")}",
            ["LambdaFunctionURL"] = "workshop logs producer (the C# producer runs the function locally)",
            ["KinesisStreamURL"] = "workshop stream describe · workshop stream peek",
            ["KinesisFirehoseURL"] = $"{Folder("delivery", stack.Output("DeliveryStreamName") ?? "", "config.json")}",
            ["GlueDatabaseURL"] = $"{Folder("catalog", stack.Output("GlueDatabaseName") ?? "")} · workshop catalog tables",
            ["RedshiftClusterURL"] = "a placeholder: the local backend has no warehouse yet",
        };
        return new StackOutputsView(stack.Outputs, local);
    }

    /// <summary>The delivery stream exactly as the workshop's template defines it, reading from and writing to the given stream and bucket.</summary>
    public static DeliveryStreamConfig WorkshopDeliveryConfig(string deliveryStreamName, string sourceStreamName, string bucketName)
    {
        var template = TemplateReader.Parse(TemplateReader.WorkshopTemplate());
        var properties = template["Resources"]!["WeatherDeliveryStream"]!["Properties"]!.DeepClone().AsObject();
        // The template names the stream and bucket with !GetAtt; outside a deployment they are given instead.
        properties["KinesisStreamSourceConfiguration"]!["KinesisStreamARN"] = $"arn:aws:kinesis:us-east-1:123456789012:stream/{sourceStreamName}";
        properties["ExtendedS3DestinationConfiguration"]!["BucketARN"] = $"arn:aws:s3:::{bucketName}";
        return LocalProvisioners.DeliveryConfig(deliveryStreamName, properties);
    }

    /// <summary>Runs the producer once now, as one scheduled invocation of the Lambda would.</summary>
    public async Task<ProducerSummary> InvokeProducerAsync(CancellationToken cancellationToken = default)
    {
        await EnsurePipelineAsync(cancellationToken);
        if (aws is not null) return await aws.InvokeProducerAsync(Names.ProducerFunction, cancellationToken);
        var summary = await Producer.InvokeAsync(cancellationToken);
        Clock.Save();
        return summary;
    }

    /// <summary>Opens the delivery stream for running (one process at a time per workspace).</summary>
    public LocalDeliveryStream OpenDelivery() =>
        new(Delivery, Stream, Lake, Workspace, Clock);

    /// <summary>Reads what is on the stream and delivers every buffer now, whatever its age.</summary>
    public async Task<DeliveryMetrics> DeliverNowAsync(CancellationToken cancellationToken = default)
    {
        if (aws is not null) throw new NotSupportedException(LocalOnly("Delivering on demand"));
        await EnsurePipelineAsync(cancellationToken);
        using var delivery = OpenDelivery();
        await delivery.PollAsync(cancellationToken);
        await delivery.FlushAllAsync(cancellationToken);
        return delivery.Metrics;
    }

    /// <summary>
    /// Replays <paramref name="duration"/> of the pipeline on the virtual clock: the producer once a minute,
    /// the delivery stream reading each second after new records and flushing on its buffering hints, then a
    /// final flush. A run that was killed resumes from its last completed minute when started again.
    /// </summary>
    /// In a notebook, with no <paramref name="progress"/> given, one progress line below the cell follows the replay.
    public async Task<SimulationReport> SimulateAsync(TimeSpan duration, DateTimeOffset? start = null,
        IProgress<SimulationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (aws is not null) throw new NotSupportedException(LocalOnly("Replaying a day on the virtual clock"));
        var line = progress is null ? new ProgressLine() : null;
        var report = await new PipelineSimulation(this).RunAsync(duration, start, progress ?? line, cancellationToken);
        line?.Finish();
        return report;
    }

    /// <summary>A replay's progress as one notebook output, updated a few times a second rather than every simulated minute.</summary>
    private sealed class ProgressLine : IProgress<SimulationProgress>
    {
        private static readonly TimeSpan UpdateEvery = TimeSpan.FromMilliseconds(250);
        private readonly Stopwatch sinceUpdate = Stopwatch.StartNew();
        private IUpdatableDisplay? display;
        private SimulationProgress? latest;

        public void Report(SimulationProgress value)
        {
            latest = value;
            if (display is null) display = LiveDisplay.Show(new SimulationProgressView(value, finished: false));
            else if (sinceUpdate.Elapsed >= UpdateEvery) display.Update(new SimulationProgressView(value, finished: false));
            else return;
            sinceUpdate.Restart();
        }

        public void Finish()
        {
            if (display is not null && latest is not null) display.Update(new SimulationProgressView(latest, finished: true));
        }
    }

    /// <summary>
    /// Runs the pipeline in the background on the wall clock, <paramref name="speed"/> times faster (1 = real
    /// time: a record a minute per city, in the lake a minute or so later). Stop it with <see cref="LiveRun.StopAsync"/>.
    /// </summary>
    public LiveRun StartLive(double speed = 1, TimeSpan? duration = null)
    {
        if (aws is not null) throw new NotSupportedException(LocalOnly("Running the pipeline in the background"));
        var until = duration is { } span ? Clock.GetUtcNow() + span : (DateTimeOffset?)null;
        return new LiveRun(Clock.GetUtcNow(), (onEvent, onProgress, token) => new PipelineSimulation(this).RunLiveAsync(speed, until, onEvent, onProgress, token));
    }

    /// <summary>
    /// Runs a crawler; with no name, the workshop's own (weather-data-crawler over the lake's weather-data/ folder
    /// into the workshop database with the prefix raw_), made first if it does not exist yet.
    /// </summary>
    public async Task<CrawlerView> CrawlAsync(string? crawlerName = null, CancellationToken cancellationToken = default)
    {
        await EnsurePipelineAsync(cancellationToken);
        var name = crawlerName ?? Names.CrawlerName;
        var workshopCrawler = new CrawlerDefinition(name, Names.GlueRole, Names.Database, CrawlerTablePrefix, [$"s3://{Names.LakeBucket}/weather-data/"]);
        if (aws is not null)
            return new CrawlerView(await aws.CrawlAsync(workshopCrawler, createIfMissing: crawlerName is null,
                new SynchronousProgress<string>(state => Tell($"{DateTimeOffset.UtcNow:HH:mm:ss} crawler {name}: {state}")), cancellationToken: cancellationToken));
        if (crawlerName is null && !Crawlers.Exists(name)) Crawlers.CreateCrawler(workshopCrawler);
        return new CrawlerView(await Crawlers.StartCrawlerAsync(name, cancellationToken));
    }

    /// <summary>Runs Athena SQL against the workshop database (or another) and returns the result with its statistics.</summary>
    public async Task<QueryResult> QueryAsync(string sql, string? database = null, CancellationToken cancellationToken = default)
    {
        await EnsurePipelineAsync(cancellationToken);
        try
        {
            if (aws is not null)
                return await aws.Athena.RunAsync(sql, AthenaSettings, database,
                    new SynchronousProgress<QueryExecution>(q => { if (q.State != QueryStates.Succeeded) Tell($"{DateTimeOffset.UtcNow:HH:mm:ss} query {q.QueryExecutionId}: {q.State}"); }), cancellationToken);
            return await Athena.RunAsync(sql, database, cancellationToken);
        }
        catch (AthenaQueryException error) when (error.ErrorType == "TABLE_NOT_FOUND" && !error.CrawlerMakesTheTable)
        {
            if (!await CrawlerMakesAsync(error.Detail, database, cancellationToken)) throw;
            throw new AthenaQueryException(error.ErrorType, error.Detail, error.QueryExecutionId) { CrawlerMakesTheTable = true };
        }
    }

    /// <summary>Whether a missing table is the crawler's to make: its name has the crawler's raw_ prefix, or the catalog has no tables yet.</summary>
    private async Task<bool> CrawlerMakesAsync(string detail, string? database, CancellationToken cancellationToken)
    {
        if (MissingTableName().Match(detail) is { Success: true } missing && missing.Groups["name"].Value.StartsWith(CrawlerTablePrefix, StringComparison.Ordinal))
            return true;
        try
        {
            return (await DescribeDatabaseAsync(database, cancellationToken)).Tables.Count == 0;
        }
        catch (ServiceException)
        {
            return true;
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"'(?:[^']*\.)?(?<name>[^'.]+)' does not exist")]
    private static partial System.Text.RegularExpressions.Regex MissingTableName();

    /// <summary>The prefix the workshop's crawler gives the tables it makes.</summary>
    public const string CrawlerTablePrefix = "raw_";

    /// <summary>On AWS nothing can be replayed: catching up deploys the stack if needed and says what the lake holds so far.</summary>
    private async Task<string> CatchUpOnAwsAsync(int task, CancellationToken cancellationToken)
    {
        if (task == 1) return "Task 1 starts before anything is deployed: nothing to do.";
        if (!await StackExistsAsync(cancellationToken: cancellationToken)) await DeployAsync(cancellationToken: cancellationToken);
        await EnsurePipelineAsync(cancellationToken);
        var message = $"Ready for Task 2: stack {Names.StackName} is deployed in {aws!.Settings.Region}.";
        if (task < 3) return message;
        var sample = await Lake.ListObjectsV2Async(new ListObjectsRequest(Names.LakeBucket, Prefix: "weather-data/", MaxKeys: 1000), cancellationToken);
        return sample.KeyCount == 0
            ? $"{message} The lake has no readings yet: on AWS it fills in real time, a batch per buffering interval (about a minute) after the producer's first run."
            : $"{message} The lake holds {(sample.IsTruncated ? "over " : "")}{sample.KeyCount} object(s) under weather-data/ so far; crawl them for Task 3.";
    }

    /// <summary>
    /// Pauses or resumes the producer's EventBridge schedule on AWS, for example over lunch, so the stream and
    /// lake stop growing and billing. Locally the producer runs only inside a simulation or a live run.
    /// </summary>
    public async Task<string> SetProducerScheduleAsync(bool enabled, CancellationToken cancellationToken = default)
    {
        if (aws is null) throw new NotSupportedException("Locally the producer runs only inside SimulateAsync or StartLive; there is no schedule to pause.");
        await EnsurePipelineAsync(cancellationToken);
        await aws.Events.SetRuleEnabledAsync(Names.ScheduleRule, enabled, cancellationToken);
        var rule = await aws.Events.DescribeRuleAsync(Names.ScheduleRule, cancellationToken);
        return $"Schedule {rule.Name} ({rule.ScheduleExpression}) is {rule.State}.";
    }

    /// <summary>Whether the stack is deployed.</summary>
    public async Task<bool> StackExistsAsync(string? stackName = null, CancellationToken cancellationToken = default) =>
        aws is null ? Stacks.StackExists(stackName ?? Names.StackName) : await aws.CloudFormation.TryDescribeAsync(stackName ?? Names.StackName, cancellationToken) is not null;

    /// <summary>The most recent queries, newest first, with what each scanned and cost.</summary>
    public async Task<QueryHistoryView> RecentQueriesAsync(int max = 50, CancellationToken cancellationToken = default) =>
        new(aws is null ? Athena.ListQueryExecutions(max) : await aws.Athena.ListQueryExecutionsAsync(AthenaSettings.WorkGroup, max, cancellationToken));

    /// <summary>The workshop's Glue database and its tables.</summary>
    public async Task<DatabaseView> DescribeDatabaseAsync(string? database = null, CancellationToken cancellationToken = default)
    {
        var name = database ?? Names.Database;
        if (aws is null) return new(Catalog.GetDatabase(name), Catalog.GetTables(name));
        return new(await aws.Glue.GetDatabaseAsync(name, cancellationToken), await aws.Glue.GetTablesAsync(name, cancellationToken));
    }

    /// <summary>A table's partitions as the catalog lists them.</summary>
    public async Task<PartitionsView> PartitionsAsync(string table, string? database = null, CancellationToken cancellationToken = default) =>
        new(table, aws is null ? Catalog.GetPartitions(database ?? Names.Database, table) : await aws.Glue.GetPartitionsAsync(database ?? Names.Database, table, cancellationToken));

    /// <summary>Changes a column's declared type in the catalog, as editing the schema in the Glue console does.</summary>
    public TableSchemaView AlterColumnType(string table, string column, string newType, string? database = null)
    {
        var db = database ?? Names.Database;
        if (aws is not null)
        {
            var current = Wait(aws.Glue.GetTableAsync(db, table));
            if (!current.Columns.Any(c => c.Name == column))
                throw new InvalidInputException($"Table {db}.{table} has no column '{column}'; its columns are {string.Join(", ", current.Columns.Select(c => c.Name))}.");
            var changed = current with { Columns = current.Columns.Select(c => c.Name == column ? c with { Type = newType } : c).ToArray() };
            Wait(aws.Glue.UpdateTableAsync(changed));
            return new TableSchemaView(changed, Wait(aws.Glue.GetPartitionsAsync(db, table)).Count);
        }
        var updated = Catalog.UpdateColumnType(db, table, column, newType);
        return new TableSchemaView(updated, Catalog.GetPartitions(db, table).Count);
    }

    public TableSchemaView DescribeTable(string table, string? database = null)
    {
        var db = database ?? Names.Database;
        if (aws is not null)
        {
            var described = Wait(aws.Glue.GetTableAsync(db, table));
            return new TableSchemaView(described, described.IsView ? 0 : Wait(aws.Glue.GetPartitionsAsync(db, table)).Count);
        }
        var found = Catalog.GetTable(db, table);
        return new TableSchemaView(found, found.IsView ? 0 : Catalog.GetPartitions(db, table).Count);
    }

    /// <summary>True on the local backend, where the kit moves the clock itself; on AWS, time is real time.</summary>
    public bool IsLocal => aws is null;

    /// <summary>The day the simulated data starts on, for queries that filter on year, month and day.</summary>
    public DateTimeOffset? SimulatedStart => SimulationState.Load(Workspace)?.Start;

    /// <summary>
    /// Brings the workspace to the start of a task, for a learner who fell behind or an instructor jumping ahead:
    /// Task 2 needs the stack deployed; Task 3 also needs a day of data in the lake. Steps already done are skipped.
    /// </summary>
    public async Task<string> CatchUpAsync(int task, CancellationToken cancellationToken = default)
    {
        if (task is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(task), task, "Tasks are numbered 1 to 4 (4: the challenges).");
        if (task == 4)
        {
            var lake = await CatchUpAsync(3, cancellationToken);
            return $"{lake} For the challenges: {await PrepareChallengesAsync(cancellationToken)}.";
        }
        if (aws is not null) return await CatchUpOnAwsAsync(task, cancellationToken);
        var done = new List<string>();
        if (task >= 2)
        {
            var deployed = Stacks.StackExists(Names.StackName);
            await EnsurePipelineAsync(cancellationToken);
            done.Add(deployed ? $"stack {Names.StackName} already deployed" : $"deployed stack {Names.StackName}");
        }
        if (task >= 3)
        {
            if (SimulationState.Load(Workspace) is { Completed: true } finished)
                done.Add($"the lake already holds data from {finished.Start:yyyy-MM-dd HH:mm} to {finished.End:yyyy-MM-dd HH:mm} UTC");
            else
            {
                var report = await SimulateAsync(TimeSpan.FromHours(24), cancellationToken: cancellationToken);
                done.Add($"simulated {report.Start:yyyy-MM-dd HH:mm} to {report.End:yyyy-MM-dd HH:mm} UTC ({report.RecordsDelivered:N0} readings in the lake)");
            }
        }
        return task == 1 ? "Task 1 starts from an empty workspace: nothing to do." : $"Ready for Task {task}: {string.Join("; ", done)}.";
    }

    /// <summary>
    /// What Task 3 leaves behind for the challenges, made where missing: the crawled raw_weather_data table, its two
    /// time columns typed as timestamps, and the clean_weather_data view (the same statement Task 3 runs).
    /// </summary>
    private async Task<string> PrepareChallengesAsync(CancellationToken cancellationToken)
    {
        const string rawTable = "raw_weather_data", cleanView = "clean_weather_data";
        var done = new List<string>();
        var tables = (await DescribeDatabaseAsync(cancellationToken: cancellationToken)).Tables;
        if (!tables.Any(t => t.Name == rawTable))
        {
            await CrawlAsync(cancellationToken: cancellationToken);
            done.Add($"crawled the lake into {rawTable}");
            tables = (await DescribeDatabaseAsync(cancellationToken: cancellationToken)).Tables;
        }
        foreach (var column in new[] { "measurement_time", "collection_time" })
        {
            if (tables.Single(t => t.Name == rawTable).Columns.Any(c => c.Name == column && c.Type == "timestamp")) continue;
            AlterColumnType(rawTable, column, "timestamp");
            done.Add($"typed {column} as timestamp");
        }
        if (!tables.Any(t => t.Name == cleanView))
        {
            await QueryAsync($"""
                CREATE OR REPLACE VIEW {cleanView} AS
                SELECT location, year, month, day, city, measurement_time, temperature,
                       MIN(collection_time) AS first_collected, COUNT(*) AS times_collected
                FROM {rawTable}
                GROUP BY location, year, month, day, city, measurement_time, temperature
                """, cancellationToken: cancellationToken);
            done.Add($"created the {cleanView} view");
        }
        return done.Count == 0 ? $"{rawTable} and {cleanView} are in place" : string.Join("; ", done);
    }

    // Displays for notebooks and the CLI.

    public async Task<StreamDescriptionView> DescribeStreamAsync(string? streamName = null, CancellationToken cancellationToken = default)
    {
        await EnsurePipelineAsync(cancellationToken);
        var name = streamName ?? Names.StreamName;
        return new StreamDescriptionView(await Stream.DescribeStreamSummaryAsync(name, cancellationToken), await Stream.ListShardsAsync(name, cancellationToken));
    }

    /// <summary>Reads up to <paramref name="limit"/> records from one shard as the console's data viewer does.</summary>
    public async Task<RecordBatchView> PeekAsync(ShardIteratorType from = ShardIteratorType.TRIM_HORIZON, int limit = 10,
        string? shardId = null, DateTimeOffset? timestamp = null, string? streamName = null, CancellationToken cancellationToken = default)
    {
        await EnsurePipelineAsync(cancellationToken);
        var name = streamName ?? Names.StreamName;
        var shards = await Stream.ListShardsAsync(name, cancellationToken);
        var shard = shardId ?? shards[0].ShardId;
        if (from == ShardIteratorType.AT_TIMESTAMP) timestamp ??= Clock.GetUtcNow().AddMinutes(-15);
        var iterator = await Stream.GetShardIteratorAsync(name, shard, from, timestamp: timestamp, cancellationToken: cancellationToken);
        var result = await Stream.GetRecordsAsync(iterator, limit, cancellationToken);
        return new RecordBatchView(result.Records, new RecordBatchView.Reading(shard, from, timestamp));
    }

    public async Task<BucketTreeView> BrowseLakeAsync(string? prefix = null, string? bucket = null, CancellationToken cancellationToken = default)
    {
        await EnsurePipelineAsync(cancellationToken);
        return await BucketTreeView.LoadAsync(Lake, bucket ?? Names.LakeBucket, prefix, cancellationToken);
    }

    public async Task<ObjectLinesView> OpenObjectAsync(string key, int maxLines = 20, string? bucket = null, CancellationToken cancellationToken = default)
    {
        await EnsurePipelineAsync(cancellationToken);
        return new ObjectLinesView(await Lake.GetObjectAsync(bucket ?? Names.LakeBucket, key, cancellationToken), maxLines);
    }

    public async Task<LifecycleRulesView> LifecycleRulesAsync(string? bucket = null, CancellationToken cancellationToken = default)
    {
        await EnsurePipelineAsync(cancellationToken);
        var name = bucket ?? Names.LakeBucket;
        return new LifecycleRulesView(name, await Lake.GetBucketLifecycleAsync(name, cancellationToken));
    }

    /// <summary>What the lake costs a month at the storage classes its lifecycle rules give each object today.</summary>
    public async Task<StorageCostView> StorageCostAsync(string? bucket = null, CancellationToken cancellationToken = default)
    {
        await EnsurePipelineAsync(cancellationToken);
        return new StorageCostView(aws is null ? localLake.EstimateStorageCost(bucket ?? Names.LakeBucket)
            : await aws.EstimateStorageCostAsync(bucket ?? Names.LakeBucket, cancellationToken));
    }

    public LogEventsView ProducerLogs(int lastEvents = 30) =>
        new(aws is null ? Logs.Tail(ProducerLog.GroupFor(Names.ProducerFunction), lastEvents)
            : Wait(aws.Logs.TailAsync(ProducerLog.GroupFor(Names.ProducerFunction), lastEvents, TimeSpan.FromHours(24))));

    public ValueTask DisposeAsync()
    {
        if (athena.IsValueCreated) athena.Value.Dispose();
        localStream.Dispose();
        aws?.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>What a learner checks before starting: the runtime, the backend, the workspace and how far the day has got.</summary>
    public async Task<PropertiesView> CheckEnvironmentAsync(CancellationToken cancellationToken = default)
    {
        var deployed = await StackExistsAsync(cancellationToken: cancellationToken);
        return new PropertiesView("Environment",
        [
            (".NET", Environment.Version.ToString()),
            ("Operating system", System.Runtime.InteropServices.RuntimeInformation.OSDescription),
            ("Backend", IsLocal ? "local (offline)" : "AWS"),
            ("Workspace", Workspace.Root),
            ("Clock", aws is null ? $"{Clock.GetUtcNow():yyyy-MM-dd HH:mm:ss} UTC (virtual)" : $"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC"),
            ("Stack", deployed ? $"{Names.StackName} deployed" : "not deployed yet (Task 1 deploys it)"),
            ("Lake data", SimulatedStart is { } start ? $"readings from {start:yyyy-MM-dd HH:mm} UTC" : "none yet (Task 2 replays a day)"),
        ]);
    }

    public string ToHtml() => new PropertiesView(IsLocal ? "Streaming workshop (local backend)" : "Streaming workshop (AWS backend)",
        IsLocal
            ? [("Workspace", Workspace.Root), ("Clock", $"{Clock.GetUtcNow():yyyy-MM-dd HH:mm:ss} UTC (virtual)"), ("Stack", Names.StackName)]
            : [("AWS", aws!.Settings.ToString()), ("Stack", Names.StackName)]).ToHtml();

    public override string ToString() => aws is null
        ? $"Streaming workshop (local backend) — workspace {Workspace.Root}, clock {Clock.GetUtcNow():yyyy-MM-dd HH:mm:ss} UTC"
        : $"Streaming workshop (AWS backend) — {aws.Settings}, stack {Names.StackName}";
}
