using System.Diagnostics;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Delivery;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Query;
using StreamingWorkshop.Simulation;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop;

/// <summary>
/// One connection to the workshop's pipeline: the stages, the clock, and the simulated day. Local state lives
/// in the workspace folder, so the CLI, a notebook and a restarted kernel all see the same stream and lake.
/// </summary>
public sealed class WorkshopSession : IAsyncDisposable
{
    private readonly LocalStreamService localStream;
    private readonly LocalObjectStore localLake;

    private WorkshopSession(WorkshopOptions options, WorkspaceDirectory workspace, VirtualClock clock)
    {
        Options = options;
        Workspace = workspace;
        Clock = clock;
        Names = options.Names;
        localStream = new LocalStreamService(workspace, clock, Names.AccountId);
        localLake = new LocalObjectStore(workspace, clock);
        Firehose = new LocalFirehoseService(workspace, clock);
        Logs = new ProducerLog(workspace, clock);
        Cities = City.Resolve(options.Cities);
        WeatherSource = options.WeatherSource switch
        {
            "simulated" => new SimulatedWeatherSource(options.Seed),
            "open-meteo" => new OpenMeteoWeatherSource(new HttpClient()),
            var other => throw new ArgumentException($"Weather source '{other}' is unknown; use 'simulated' or 'open-meteo'."),
        };
        Producer = new WeatherProducer(WeatherSource, localStream, Logs, clock,
            new ProducerOptions { StreamName = Names.StreamName, Cities = Cities, FunctionName = Names.ProducerFunction });
        Catalog = new LocalGlueCatalog(workspace, clock);
        Crawlers = new LocalCrawlers(workspace, clock, Catalog, localLake);
        athena = new Lazy<LocalAthena>(() => new LocalAthena(workspace, clock, Catalog, localLake, new AthenaSettings(Names.Database, Names.ResultsBucket)));
    }

    private readonly Lazy<LocalAthena> athena;

    internal static Task<WorkshopSession> OpenLocalAsync(WorkshopOptions options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var workspace = options.WorkspacePath is { } path ? new WorkspaceDirectory(path) : WorkspaceDirectory.FromEnvironment();
        // Resources are made on first use, once the clock is where the learner wants it to start.
        return Task.FromResult(new WorkshopSession(options, workspace, VirtualClock.Load(workspace)));
    }

    public WorkshopOptions Options { get; }
    public WorkspaceDirectory Workspace { get; }
    public VirtualClock Clock { get; }
    public PipelineNames Names { get; }
    public IReadOnlyList<City> Cities { get; }
    public IWeatherSource WeatherSource { get; }
    public IStreamService Stream => localStream;
    public IObjectStore Lake => localLake;
    public LocalObjectStore LocalLake => localLake;
    public LocalFirehoseService Firehose { get; }
    public ProducerLog Logs { get; }
    public WeatherProducer Producer { get; }
    public LocalGlueCatalog Catalog { get; }
    public LocalCrawlers Crawlers { get; }

    /// <summary>The Athena engine (DuckDB underneath), started on first use.</summary>
    public LocalAthena Athena => athena.Value;

    /// <summary>The delivery stream's configuration as deployed.</summary>
    public DeliveryStreamConfig Delivery => Firehose.DescribeDeliveryStream(Names.DeliveryStreamName);

    /// <summary>
    /// Makes the workshop's resources that are missing: the stream (1 shard, 24 h), the lake and results buckets
    /// with their lifecycle rules, and the delivery stream. Existing resources are left as they are.
    /// </summary>
    public async Task EnsurePipelineAsync(CancellationToken cancellationToken = default)
    {
        // Another process (the CLI, another notebook) may have moved the shared clock on.
        Clock.Refresh();
        if (pipelineReady) return;
        // Another process may be making the same resources at the same moment; "already exists" is success here.
        if (!(await Stream.ListStreamsAsync(cancellationToken)).Contains(Names.StreamName))
            await IgnoreAlreadyExists(() => Stream.CreateStreamAsync(Names.StreamName, shardCount: 1, retentionPeriodHours: 24, cancellationToken));
        if (!await Lake.BucketExistsAsync(Names.LakeBucket, cancellationToken))
        {
            await IgnoreAlreadyExists(() => Lake.CreateBucketAsync(Names.LakeBucket, cancellationToken));
            await Lake.PutBucketLifecycleAsync(Names.LakeBucket,
            [
                new LifecycleRule("archive-weather-data", "weather-data/",
                    [new LifecycleTransition(90, StorageClasses.StandardIA), new LifecycleTransition(180, StorageClasses.Glacier)]),
            ], cancellationToken);
        }
        if (!await Lake.BucketExistsAsync(Names.ResultsBucket, cancellationToken))
        {
            await IgnoreAlreadyExists(() => Lake.CreateBucketAsync(Names.ResultsBucket, cancellationToken));
            await Lake.PutBucketLifecycleAsync(Names.ResultsBucket,
                [new LifecycleRule("expire-query-results", "", [], ExpirationDays: 30)], cancellationToken);
        }
        if (!Catalog.DatabaseExists(Names.Database))
            await IgnoreAlreadyExists(() => { Catalog.CreateDatabase(Names.Database, "Weather readings crawled from the data lake.", $"s3://{Names.LakeBucket}/weather-data/"); return Task.CompletedTask; });
        if (!Firehose.ListDeliveryStreams().Contains(Names.DeliveryStreamName))
            await IgnoreAlreadyExists(() => { Firehose.CreateDeliveryStream(WorkshopDeliveryConfig(Names)); return Task.CompletedTask; });
        pipelineReady = true;
    }

    private bool pipelineReady;

    private static async Task IgnoreAlreadyExists(Func<Task> create)
    {
        try { await create(); }
        catch (ServiceException error) when (error.ErrorCode is nameof(ResourceInUseException) or "BucketAlreadyOwnedByYou" or nameof(AlreadyExistsException)) { }
    }

    /// <summary>The delivery stream as the workshop's stack defines it: dynamic partitioning on city, 60 s / 64 MiB, GZIP.</summary>
    public static DeliveryStreamConfig WorkshopDeliveryConfig(PipelineNames names) => new()
    {
        DeliveryStreamName = names.DeliveryStreamName,
        SourceStreamName = names.StreamName,
        BucketName = names.LakeBucket,
        Prefix = PipelineNames.DataPrefix,
        ErrorOutputPrefix = PipelineNames.ErrorPrefix,
        BufferingIntervalSeconds = 60,
        BufferingSizeMiB = 64,
        DynamicPartitioningEnabled = true,
        MetadataExtractionQuery = "{city: .city}",
        AppendNewLineDelimiter = true,
        Compression = CompressionFormat.GZIP,
    };

    /// <summary>Runs the producer once now, as one scheduled invocation of the Lambda would.</summary>
    public async Task<ProducerSummary> InvokeProducerAsync(CancellationToken cancellationToken = default)
    {
        await EnsurePipelineAsync(cancellationToken);
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
    public Task<SimulationReport> SimulateAsync(TimeSpan duration, DateTimeOffset? start = null,
        IProgress<SimulationProgress>? progress = null, CancellationToken cancellationToken = default) =>
        new PipelineSimulation(this).RunAsync(duration, start, progress, cancellationToken);

    /// <summary>
    /// Runs the pipeline in the background on the wall clock, <paramref name="speed"/> times faster (1 = real
    /// time: a record a minute per city, in the lake a minute or so later). Stop it with <see cref="LiveRun.StopAsync"/>.
    /// </summary>
    public LiveRun StartLive(double speed = 1, TimeSpan? duration = null)
    {
        var until = duration is { } span ? Clock.GetUtcNow() + span : (DateTimeOffset?)null;
        return new LiveRun((onEvent, token) => new PipelineSimulation(this).RunLiveAsync(speed, until, onEvent, token));
    }

    /// <summary>
    /// Runs a crawler; with no name, the workshop's own (weather-data-crawler over the lake's weather-data/ folder
    /// into the workshop database with the prefix raw_), made first if it does not exist yet.
    /// </summary>
    public async Task<CrawlerView> CrawlAsync(string? crawlerName = null, CancellationToken cancellationToken = default)
    {
        await EnsurePipelineAsync(cancellationToken);
        var name = crawlerName ?? Names.CrawlerName;
        if (crawlerName is null && !Crawlers.Exists(name))
            Crawlers.CreateCrawler(new CrawlerDefinition(name, $"{Names.Project}-glue-role-{Names.Environment}", Names.Database, "raw_", [$"s3://{Names.LakeBucket}/weather-data/"]));
        return new CrawlerView(await Crawlers.StartCrawlerAsync(name, cancellationToken));
    }

    /// <summary>Runs Athena SQL against the workshop database (or another) and returns the result with its statistics.</summary>
    public async Task<QueryResult> QueryAsync(string sql, string? database = null, CancellationToken cancellationToken = default)
    {
        await EnsurePipelineAsync(cancellationToken);
        return await Athena.RunAsync(sql, database, cancellationToken);
    }

    /// <summary>Changes a column's declared type in the catalog, as editing the schema in the Glue console does.</summary>
    public TableSchemaView AlterColumnType(string table, string column, string newType, string? database = null)
    {
        var db = database ?? Names.Database;
        var updated = Catalog.UpdateColumnType(db, table, column, newType);
        return new TableSchemaView(updated, Catalog.GetPartitions(db, table).Count);
    }

    public TableSchemaView DescribeTable(string table, string? database = null)
    {
        var db = database ?? Names.Database;
        var found = Catalog.GetTable(db, table);
        return new TableSchemaView(found, found.IsView ? 0 : Catalog.GetPartitions(db, table).Count);
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
        return new RecordBatchView(result.Records);
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
        return new StorageCostView(localLake.EstimateStorageCost(bucket ?? Names.LakeBucket));
    }

    public LogEventsView ProducerLogs(int lastEvents = 30) =>
        new(Logs.Tail(ProducerLog.GroupFor(Names.ProducerFunction), lastEvents));

    public ValueTask DisposeAsync()
    {
        if (athena.IsValueCreated) athena.Value.Dispose();
        localStream.Dispose();
        return ValueTask.CompletedTask;
    }

    public override string ToString() =>
        $"Streaming workshop (local backend) — workspace {Workspace.Root}, clock {Clock.GetUtcNow():yyyy-MM-dd HH:mm:ss} UTC";
}
