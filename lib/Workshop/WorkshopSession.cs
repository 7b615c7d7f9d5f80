using System.Diagnostics;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Delivery;
using StreamingWorkshop.Display;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Faults;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Metrics;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Query;
using StreamingWorkshop.Simulation;
using StreamingWorkshop.Stack;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop;

/// <summary>
/// One connection to the workshop's pipeline: the stages, the clock, and the simulated day. Each stage is reached
/// through its contract, implemented by the backend chosen when the session connected (<see cref="Workshop.ConnectAsync"/>).
/// Local state lives in the workspace folder, so the CLI, a notebook and a restarted kernel all see the same stream and lake.
/// </summary>
public sealed class WorkshopSession : IAsyncDisposable, IHtmlDisplay
{
    private bool pipelineReady;

    /// <summary>The workspace's files made ahead for this session's writes, until it is disposed.</summary>
    private readonly IDisposable spareFiles;

    /// <summary>The options as given, unset ones null.</summary>
    private readonly WorkshopOptions given;

    /// <summary>The options as given, for the kit's own use: <see cref="Options"/> also resolves and describes every one.</summary>
    internal WorkshopOptions GivenOptions => given;

    /// <summary>The backend and workspace the connection chose, and why.</summary>
    private readonly ConnectChoices choices;

    /// <summary>Where <see cref="Cities"/> came from: the options, the default, or the deployed stack's Cities parameter.</summary>
    private string citiesFrom;

    internal WorkshopSession(WorkshopOptions options, ConnectChoices choices, WorkspaceDirectory workspace, VirtualClock clock, Func<StageContext, PipelineStages> openStages)
    {
        given = options;
        this.choices = choices;
        citiesFrom = From(options.Cities is null);
        Workspace = workspace;
        Clock = clock;
        Names = new PipelineNames() with { StackName = options.StackName };
        Cities = City.Resolve(options.Cities);
        WeatherSource = options.WeatherSource switch
        {
            "simulated" => new SimulatedWeatherSource(options.Seed),
            "open-meteo" => new OpenMeteoWeatherSource(new HttpClient()),
            var other => throw new ArgumentException($"Weather source '{other}' is unknown; use 'simulated' or 'open-meteo'."),
        };
        Stages = openStages(new StageContext(workspace, clock, Names.AccountId, WeatherSource, () => Names, () => Cities));
        spareFiles = workspace.MakeTemporaryFilesAhead();
        Stack = new StackFacade(this);
        Catalog = new CatalogFacade(this);
        Athena = new AthenaFacade(this);
        Warehouse = new Warehouse.WarehouseFacade(this);
        Jobs = new Jobs.JobsFacade(this);
        Workflows = new Workflows.WorkflowsFacade(this);
        Delivery = new DeliveryFacade(this);
        Producer = new ProducerFacade(this);
        Metrics = new MetricsFacade(this);
        Faults = new FaultsFacade(this);
    }

    /// <summary>
    /// Every option with the value this session uses, where it came from (the options given, an environment variable,
    /// the deployed stack, the default) and what it does; <c>Options.Given</c> holds the options as they were given.
    /// </summary>
    public OptionsInEffect Options => new(given,
    [
        new("WorkspacePath", Workspace.Root, choices.WorkspaceFrom, "the folder of the local stream, lake, catalog, stacks and clock"),
        new("Backend", choices.Backend, choices.BackendFrom, "where the pipeline runs: local (offline) or aws"),
        new("Seed", given.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture), From(given.Seed == WorkshopOptions.DefaultSeed),
            "seeds the simulated weather: the same seed and start give the same readings"),
        new("Cities", string.Join(", ", Cities.Select(c => c.Name)), citiesFrom, "the cities the producer reads the weather of (workshop.Cities)"),
        new("WeatherSource", given.WeatherSource, From(given.WeatherSource == WorkshopOptions.DefaultWeatherSource),
            "where readings come from: simulated (offline) or open-meteo (the real API)"),
        new("StackName", given.StackName, From(given.StackName == WorkshopOptions.DefaultStackName),
            "the stack whose outputs name the pipeline's resources (workshop.Names)"),
        new("Notice", given.Notice is null ? "not shown" : "a function of yours", From(given.Notice is null),
            "told when the kit acts unasked, such as deploying the stack on first use"),
        new("Progress", given.Progress is null ? "the cell's output" : "a function of yours", From(given.Progress is null),
            "where the lines of long work go: stack events, a crawl's and a query's states"),
        .. choices.BackendOptions,
    ]);

    private static string From(bool isDefault) => OptionsInEffect.FromOptionsOrDefault(isDefault);

    public WorkspaceDirectory Workspace { get; }
    public VirtualClock Clock { get; }

    /// <summary>
    /// Brings the local clock to <paramref name="next"/>, the next change a wait expects (a second on when none is known):
    /// moves it straight there when nothing live is moving it, or waits for the live clock to get there.
    /// </summary>
    internal async Task MoveClockTowardAsync(DateTimeOffset? next, CancellationToken cancellationToken)
    {
        var target = next ?? Clock.GetUtcNow() + TimeSpan.FromSeconds(1);
        if (Clock.IsLive)
        {
            var wall = Clock.WallTimeUntil(target);
            await Task.Delay(wall > TimeSpan.FromMilliseconds(10) ? wall : TimeSpan.FromMilliseconds(10), cancellationToken);
            return;
        }
        if (target > Clock.GetUtcNow()) Clock.MoveTo(target);
        Clock.Save();
    }
    /// <summary>The names the pipeline uses; read from the deployed stack once the pipeline is ready.</summary>
    public PipelineNames Names { get; private set; }
    public IReadOnlyList<City> Cities { get; private set; }
    public IWeatherSource WeatherSource { get; }

    /// <summary>Each stage's implementation on this session's backend.</summary>
    public PipelineStages Stages { get; }

    /// <summary>The Kinesis Data Streams API, each call named after its operation (PutRecordAsync, GetRecordsAsync, ListShardsAsync...).</summary>
    public IStreamService Stream => Stages.Stream;
    /// <summary>The S3 API over the data lake and the results bucket, each call named after its operation (ListObjectsV2Async, GetObjectAsync...).</summary>
    public IObjectStore Lake => Stages.Lake;
    /// <summary>The CloudFormation stack: deploy it, destroy it, read its events, resources and outputs.</summary>
    public StackFacade Stack { get; }
    /// <summary>The Glue Data Catalog: the crawler, the database, its tables, their columns and partitions.</summary>
    public CatalogFacade Catalog { get; }
    /// <summary>Athena: run SQL on the catalog's tables, look at recent queries and the query editor's settings.</summary>
    public AthenaFacade Athena { get; }

    /// <summary>SQL on the stack's Redshift cluster through the Data API.</summary>
    public Warehouse.WarehouseFacade Warehouse { get; }

    /// <summary>The stack's Glue ETL jobs: the batch job over the lake and the streaming job over the stream.</summary>
    public Jobs.JobsFacade Jobs { get; }

    /// <summary>The stack's Step Functions state machines: the daily pipeline, its executions and their histories.</summary>
    public Workflows.WorkflowsFacade Workflows { get; }
    public DeliveryFacade Delivery { get; }
    public ProducerFacade Producer { get; }
    public MetricsFacade Metrics { get; }

    /// <summary>Faults to switch on for the next replay, and the burst and ordering demonstrations (local backend).</summary>
    public FaultsFacade Faults { get; }

    /// <summary>
    /// The local backend's engines and what only they can do (replay a day on the virtual clock, deliver on demand);
    /// null on AWS, where the schedule invokes the producer and Firehose delivers on its own.
    /// </summary>
    public LocalBackend? Local => Stages.Local;

    /// <summary>True on the local backend, where the kit moves the clock itself; on AWS, time is real time.</summary>
    public bool IsLocal => Local is not null;

    /// <summary>Where Athena runs the workshop's queries and writes their results.</summary>
    public AthenaSettings AthenaSettings => Athena.Settings;

    /// <summary>
    /// Makes sure the workshop's stack is in place and reads the pipeline's names from it. Locally a missing stack is
    /// deployed now; on AWS it is an error saying how to deploy.
    /// </summary>
    public async Task EnsurePipelineAsync(CancellationToken cancellationToken = default)
    {
        // Another process (the CLI, another notebook) may have moved the shared clock on.
        Clock.Refresh();
        if (pipelineReady) return;
        var stack = await Stages.Stack.ReadyWorkshopStackAsync(Names.StackName, given.Notice, cancellationToken);
        Names = PipelineNames.FromStack(stack);
        if (given.Cities is null && Names.ProducerCities is { Count: > 0 } cities) (Cities, citiesFrom) = (CitiesOfTheStack(cities), "the deployed stack's Cities parameter");
        // Where a schedule rule exists, it is the truth: the stack's resource list does not carry the expression.
        if (Stages.Schedule is { } schedule && await schedule.DescribeAsync(Names.ScheduleRule, cancellationToken) is { ScheduleExpression: { } expression })
            Names = Names with { Schedule = expression };
        pipelineReady = true;
    }

    /// <summary>
    /// The cities the deployed stack's Cities parameter names. CloudFormation takes any list, so a city the producer
    /// cannot place is found only here, and every command would fail on it: the message says where it comes from.
    /// </summary>
    private static IReadOnlyList<City> CitiesOfTheStack(IReadOnlyList<string> cities)
    {
        try
        {
            return City.Resolve(cities);
        }
        catch (ArgumentException error)
        {
            throw new ArgumentException($"The deployed stack's Cities parameter: {error.Message} Deploy the stack again with cities the producer " +
                "can place ('workshop deploy --parameter Cities=London,Leeds').", error);
        }
    }

    /// <summary>After a deployment or deletion the names are read again on next use.</summary>
    internal void ForgetPipeline() => pipelineReady = false;

    /// <summary>
    /// The resource a call names, else the pipeline's own from the stack (deployed now if local; on AWS it must be
    /// deployed). A named stream, bucket or database needs no stack, so it can be looked at on any account.
    /// </summary>
    private async Task<string> NamedOrPipelineAsync(string? named, Func<PipelineNames, string> pipelines, string howToName, CancellationToken cancellationToken)
    {
        if (named is not null)
        {
            // Another process may have moved the shared clock on, as EnsurePipelineAsync would notice.
            Clock.Refresh();
            return named;
        }
        try
        {
            await EnsurePipelineAsync(cancellationToken);
        }
        catch (StackNotDeployedException missing)
        {
            throw new InvalidOperationException($"{missing.Message.TrimEnd('.', ' ')}; or {howToName}.", missing);
        }
        return pipelines(Names);
    }

    /// <summary>The stream named, else the pipeline's (which needs the stack).</summary>
    public Task<string> StreamNameAsync(string? named, CancellationToken cancellationToken) =>
        NamedOrPipelineAsync(named, names => names.StreamName, "name the stream (--stream NAME)", cancellationToken);

    /// <summary>The bucket named, else the pipeline's data lake (which needs the stack).</summary>
    public Task<string> LakeBucketAsync(string? named, CancellationToken cancellationToken) =>
        NamedOrPipelineAsync(named, names => names.LakeBucket, "name the bucket (--bucket NAME)", cancellationToken);

    /// <summary>The Glue database named, else the pipeline's (which needs the stack).</summary>
    public Task<string> DatabaseNameAsync(string? named, CancellationToken cancellationToken) =>
        NamedOrPipelineAsync(named, names => names.Database, "name the database (--database NAME)", cancellationToken);

    /// <summary>Parameters the workshop's template needs that have no default: a warehouse password, made up locally.</summary>
    public static Dictionary<string, string> LocalDefaultParameters()
    {
        const string letters = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var random = string.Concat(Enumerable.Range(0, 12).Select(_ => letters[System.Security.Cryptography.RandomNumberGenerator.GetInt32(letters.Length)]));
        return new Dictionary<string, string> { ["WarehousePassword"] = $"Wh{random}7x" };
    }

    /// <summary>Each stack event as it happens while a deployment runs, one line per event.</summary>
    internal IProgress<StackEvent> StackProgress => new SynchronousProgress<StackEvent>(e =>
        Tell($"{e.Timestamp.UtcDateTime:HH:mm:ss} {e.LogicalResourceId,-28} {e.ResourceStatus,-20} {e.ResourceStatusReason}"));

    /// <summary>Progress of long work (a crawl, a query) as timed lines; a null line is not shown.</summary>
    internal IProgress<T> ProgressLines<T>(Func<T, string?> line) => new SynchronousProgress<T>(value =>
    {
        if (line(value) is { } text) Tell($"{DateTimeOffset.UtcNow:HH:mm:ss} {text}");
    });

    /// <summary>A progress line: to <see cref="WorkshopOptions.Progress"/> when given, else to the console (a notebook cell's output).</summary>
    private void Tell(string line) => (given.Progress ?? Console.WriteLine)(line);

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    // The short calls notebooks and the CLI use, each delegating to its stage's facade.

    /// <inheritdoc cref="StackFacade.DeployAsync"/>
    public Task<StackState> DeployAsync(string? stackName = null, string? templateBody = null, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default) =>
        Stack.DeployAsync(stackName, templateBody, parameters, cancellationToken);

    /// <inheritdoc cref="StackFacade.DestroyAsync"/>
    public Task<StackState> DestroyAsync(string? stackName = null, bool emptyBuckets = false, CancellationToken cancellationToken = default) =>
        Stack.DestroyAsync(stackName, emptyBuckets, cancellationToken);

    public Task<StackState> DescribeStackAsync(string? stackName = null, CancellationToken cancellationToken = default) => Stack.DescribeAsync(stackName, cancellationToken);

    public Task<bool> StackExistsAsync(string? stackName = null, CancellationToken cancellationToken = default) => Stack.ExistsAsync(stackName, cancellationToken);

    public Task<StackEventsView> StackEventsAsync(string? stackName = null, CancellationToken cancellationToken = default) => Stack.EventsAsync(stackName, cancellationToken);

    public Task<StackResourcesView> StackResourcesAsync(string? stackName = null, CancellationToken cancellationToken = default) => Stack.ResourcesAsync(stackName, cancellationToken);

    /// <inheritdoc cref="StackFacade.OutputsAsync"/>
    public Task<StackOutputsView> StackOutputsAsync(string? stackName = null, CancellationToken cancellationToken = default) => Stack.OutputsAsync(stackName, cancellationToken);

    /// <inheritdoc cref="CatalogFacade.CrawlAsync(string, CancellationToken)"/>
    public Task<CrawlerView> CrawlAsync(string? crawlerName = null, CancellationToken cancellationToken = default) => Catalog.CrawlAsync(crawlerName, cancellationToken);

    /// <inheritdoc cref="CatalogFacade.DescribeDatabaseAsync"/>
    public Task<DatabaseView> DescribeDatabaseAsync(string? database = null, CancellationToken cancellationToken = default) => Catalog.DescribeDatabaseAsync(database, cancellationToken);

    /// <inheritdoc cref="CatalogFacade.DescribeTableAsync"/>
    public Task<TableSchemaView> DescribeTableAsync(string table, string? database = null, CancellationToken cancellationToken = default) =>
        Catalog.DescribeTableAsync(table, database, cancellationToken);

    /// <inheritdoc cref="CatalogFacade.PartitionsAsync"/>
    public Task<PartitionsView> PartitionsAsync(string table, string? database = null, CancellationToken cancellationToken = default) =>
        Catalog.PartitionsAsync(table, database, cancellationToken);

    /// <inheritdoc cref="CatalogFacade.AlterColumnTypeAsync"/>
    public Task<TableSchemaView> AlterColumnTypeAsync(string table, string column, string newType, string? database = null, CancellationToken cancellationToken = default) =>
        Catalog.AlterColumnTypeAsync(table, column, newType, database, cancellationToken);

    /// <inheritdoc cref="AthenaFacade.QueryAsync"/>
    public Task<QueryResult> QueryAsync(string sql, string? database = null, CancellationToken cancellationToken = default) => Athena.QueryAsync(sql, database, cancellationToken);

    /// <inheritdoc cref="AthenaFacade.RecentQueriesAsync"/>
    public Task<QueryHistoryView> RecentQueriesAsync(int max = 50, CancellationToken cancellationToken = default) => Athena.RecentQueriesAsync(max, cancellationToken);

    /// <inheritdoc cref="DeliveryFacade.DescribeAsync"/>
    public Task<DeliveryStreamConfig> DescribeDeliveryAsync(CancellationToken cancellationToken = default) => Delivery.DescribeAsync(cancellationToken: cancellationToken);

    /// <inheritdoc cref="ProducerFacade.InvokeAsync"/>
    public Task<ProducerSummary> InvokeProducerAsync(CancellationToken cancellationToken = default) => Producer.InvokeAsync(cancellationToken);

    /// <inheritdoc cref="ProducerFacade.LogsAsync(int, CancellationToken)"/>
    public Task<LogEventsView> ProducerLogsAsync(int lastEvents = 30, CancellationToken cancellationToken = default) => Producer.LogsAsync(lastEvents, cancellationToken);

    /// <summary>
    /// Pauses or resumes the producer's schedule, for example over lunch, so the stream and lake stop growing and
    /// billing. Only a backend with a schedule has one to pause (<see cref="ProducerFacade.Schedule"/>).
    /// </summary>
    public async Task<string> SetProducerScheduleAsync(bool enabled, CancellationToken cancellationToken = default)
    {
        var schedule = Producer.Schedule ?? throw new NotSupportedException(
            "Locally there is no schedule to pause or resume: the producer runs only while a replay or a live run does " +
            "('workshop simulate', SimulateAsync or StartLive in a notebook) and stops when it ends.");
        await EnsurePipelineAsync(cancellationToken);
        await schedule.SetEnabledAsync(Names.ScheduleRule, enabled, cancellationToken);
        var rule = await schedule.DescribeAsync(Names.ScheduleRule, cancellationToken)
            ?? throw new InvalidOperationException($"The schedule rule {Names.ScheduleRule} is gone; deploy the stack again to restore it.");
        return $"Schedule {rule.Name} ({rule.ScheduleExpression}) is {rule.State}.";
    }

    // What only the local backend does: the day on the virtual clock.

    private LocalBackend LocalOnly(string what) => Local ?? throw new NotSupportedException(
        $"{what} runs on the local backend only: on AWS the schedule invokes the producer every minute and Firehose delivers on its own. Wait for data, or call InvokeProducerAsync() for one reading now.");

    /// <summary>Reads what is on the stream and delivers every buffer now, whatever its age.</summary>
    public async Task<DeliveryMetrics> DeliverNowAsync(CancellationToken cancellationToken = default)
    {
        var local = LocalOnly("Delivering on demand");
        await EnsurePipelineAsync(cancellationToken);
        using var delivery = local.OpenDelivery(Names.DeliveryStreamName);
        await delivery.PollAsync(cancellationToken);
        await delivery.FlushAllAsync(cancellationToken);
        return delivery.Metrics;
    }

    /// <summary>
    /// Replays <paramref name="duration"/> of the pipeline on the virtual clock: the producer once a minute,
    /// the delivery stream reading each second after new records and flushing on its buffering hints, then a
    /// final flush. A run that was killed or interrupted resumes from its last completed minute when asked again for the same
    /// duration; asked for another, it replays that duration from there instead, and its report says so.
    /// </summary>
    /// In a notebook, with no <paramref name="progress"/> given, one progress line below the cell follows the replay.
    public async Task<SimulationReport> SimulateAsync(TimeSpan duration, DateTimeOffset? start = null,
        IProgress<SimulationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var local = LocalOnly("Replaying a day on the virtual clock");
        var line = progress is null ? new ProgressLine() : null;
        return await WithProgressLineAsync(line, () => new PipelineSimulation(this, local).RunAsync(duration, start, progress ?? line, cancellationToken), Clock);
    }

    /// <summary>
    /// Replays <paramref name="duration"/> as <see cref="SimulateAsync(TimeSpan, DateTimeOffset?, IProgress{SimulationProgress}?, CancellationToken)"/>
    /// does, with the producer's <paramref name="scenario"/>: an outage and its backfill, or a field added from a time on.
    /// </summary>
    public async Task<SimulationReport> SimulateAsync(TimeSpan duration, DateTimeOffset? start, ProducerScenario scenario,
        IProgress<SimulationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var local = LocalOnly("Replaying a day on the virtual clock");
        var line = progress is null ? new ProgressLine() : null;
        return await WithProgressLineAsync(line, () => new PipelineSimulation(this, local).RunAsync(duration, start, progress ?? line, cancellationToken, scenario), Clock);
    }

    /// <summary>
    /// Runs a replay with its progress line, if it has one: finished at the end, or, when the replay is stopped (a cell
    /// interrupted), saying where the clock stopped and how to carry on, rather than a line frozen part-way.
    /// </summary>
    private static async Task<SimulationReport> WithProgressLineAsync(ProgressLine? line, Func<Task<SimulationReport>> replay, VirtualClock clock)
    {
        try
        {
            var report = await replay();
            line?.Finish();
            return report;
        }
        catch (OperationCanceledException)
        {
            // Stopped by this call's token or by the notebook's interrupt, which reaches the replay without one.
            line?.Stop(clock.GetUtcNow());
            throw;
        }
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

        /// <summary>The replay was stopped with the clock at <paramref name="now"/>.</summary>
        public void Stop(DateTimeOffset now)
        {
            if (display is not null && latest is not null) display.Update(new SimulationProgressView(latest with { Now = now }, finished: false, stopped: true));
        }
    }

    /// <summary>
    /// Runs the pipeline in the background on the wall clock, <paramref name="speed"/> times faster (1 = real
    /// time: a record a minute per city, in the lake a minute or so later). Stop it with <see cref="LiveRun.StopAsync"/>.
    /// A run with a <paramref name="duration"/>, started where nobody watches the outputs change (a headless run of a
    /// notebook, see <see cref="LiveDisplay.Watched"/>), does not wait for the wall clock: it ends as it would, sooner.
    /// With a <paramref name="start"/>, the clock first moves on to it (a fresh workspace's clock may be set to any
    /// time; a used one only moves forwards); a <paramref name="scenario"/> gives the producer a new field from a time on.
    /// </summary>
    public LiveRun StartLive(double speed = 1, TimeSpan? duration = null, DateTimeOffset? start = null, ProducerScenario? scenario = null)
    {
        var local = LocalOnly("Running the pipeline in the background");
        // Checked here, before anything runs, rather than when the run's clock starts.
        if (!VirtualClock.IsLiveSpeed(speed))
            throw new ArgumentException($"A live run's speed must be above 0 and at most {VirtualClock.MaxLiveSpeed:N0} times real time, not {speed.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        if (scenario?.Outage is not null)
            throw new ArgumentException("A live run takes no outage: the producer keeps an outage's readings until it ends, and a live run stopped before then would lose them. Replay the day with SimulateAsync to have an outage.");
        Clock.Refresh();
        if (start is { } requested && !Clock.IsUnset && requested < Clock.GetUtcNow())
            throw new InvalidOperationException(
                $"The workspace clock is already at {Clock.GetUtcNow():u}; virtual time never runs backwards. Leave out --start to go live from there, choose a later start, or 'workshop reset' for a fresh workspace.");
        var from = start ?? Clock.GetUtcNow();
        var until = duration is { } span ? from + span : (DateTimeOffset?)null;
        // A run without an end is stopped by hand after some wall time, so it always keeps the wall clock's pace.
        var paced = until is null || LiveDisplay.Watched;
        return new LiveRun(from, (onEvent, onProgress, token) => new PipelineSimulation(this, local).RunLiveAsync(speed, until, paced, onEvent, onProgress, token, start, scenario));
    }

    /// <summary>The prefix the workshop's crawler gives the tables it makes.</summary>
    public const string CrawlerTablePrefix = "raw_";

    /// <summary>The day the simulated data starts on, for queries that filter on year, month and day.</summary>
    public DateTimeOffset? SimulatedStart => SimulationState.Load(Workspace)?.Start;

    /// <summary>
    /// Brings the workspace to the start of a task, for a learner who fell behind or an instructor jumping ahead:
    /// Task 2 needs the stack deployed; Task 3 also needs a day of data in the lake (replayed locally; on AWS the
    /// lake fills in real time, so it says what the lake holds so far). Steps already done are skipped.
    /// </summary>
    public async Task<string> CatchUpAsync(int task, CancellationToken cancellationToken = default)
    {
        if (task is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(task), task, "Tasks are numbered 1 to 4 (4: the challenges).");
        var deployed = await StackExistsAsync(cancellationToken: cancellationToken);
        // Task 1 deploys the stack itself; a learner going over the day again finds it already there.
        if (task == 1)
        {
            if (!deployed) return "Nothing to do: Task 1 starts from an empty workspace and deploys the stack itself.";
            List<string> found = [$"stack '{Names.StackName}' is already deployed here; deploying it again returns it as it is"];
            if (Stages.Backend.StartAgain is { } startAgain) found.Add(startAgain);
            return StepLines("Nothing to do: Task 1 deploys the stack itself", found);
        }
        var done = new List<string>();
        if (!deployed) await DeployAsync(cancellationToken: cancellationToken);
        await EnsurePipelineAsync(cancellationToken);
        done.Add(deployed ? $"stack '{Names.StackName}' already deployed" : $"deployed stack '{Names.StackName}'");
        if (task >= 3) done.Add(Local is { } local ? await ReplayDayAsync(cancellationToken) : await DescribeLakeSoFarAsync(cancellationToken));
        // The challenges, and every notebook after Task 3, start from what Task 3 leaves behind.
        if (task == 4) return StepLines("Where Task 3 ends", [.. done, .. await PrepareChallengesAsync(cancellationToken)]);
        // Said without a task's name: notebooks after Task 3 (04, say) catch up to the same point.
        return StepLines(task == 2 ? "The stack is in place" : "The stack and the lake's data are in place", done);
    }

    /// <summary>
    /// A heading, then one step a line: a notebook's output area wraps a long line wherever its edge falls, even inside
    /// a date (2026-1 | 2-06), and one sentence of every step was longer than Jupyter Notebook's output area is wide.
    /// </summary>
    private static string StepLines(string heading, IEnumerable<string> steps) =>
        $"{heading}:\n{string.Join("\n", steps.Select(step => "  " + step))}";

    /// <summary>
    /// Opens a lab: a second pipeline on the local backend, in a folder of its own inside this workspace
    /// (.workshop/<paramref name="name"/>), with the same seed and cities. It is made afresh every time: what an earlier
    /// run of the lab left there is deleted first, so a section that sets its own clock and changes its own stream runs
    /// the same way each time it is run. The day's pipeline is left as it is, and a lab costs nothing on either backend.
    /// </summary>
    public Task<WorkshopSession> OpenLabAsync(string name, CancellationToken cancellationToken = default) =>
        Workshop.ConnectAsync(new WorkshopOptions
        {
            WorkspacePath = Workspace.ClearLab(name),
            Backend = "local",
            Seed = given.Seed,
            Cities = given.Cities,
        }, cancellationToken);

    private async Task<string> ReplayDayAsync(CancellationToken cancellationToken)
    {
        if (SimulationState.Load(Workspace) is { Completed: true } finished)
        {
            var range = $"the lake already holds data from {finished.FirstStart ?? finished.Start:yyyy-MM-dd HH:mm} to {finished.End:yyyy-MM-dd HH:mm} UTC";
            // A live run (06's, 07's) carries the pipeline on past the replay's end, and what it added is in the lake too, up
            // to the clock at most. Said on a line of its own, so each line fits an 80-column output.
            var now = Clock.GetUtcNow();
            return now - finished.End < TimeSpan.FromMinutes(1) ? range : $"{range},\n  and whatever ran after it, up to the clock's {now:yyyy-MM-dd HH:mm} UTC";
        }
        var report = await SimulateAsync(TimeSpan.FromHours(24), cancellationToken: cancellationToken);
        return $"simulated {report.Start:yyyy-MM-dd HH:mm} to {report.End:yyyy-MM-dd HH:mm} UTC ({report.RecordsDelivered + report.DeliveredTwice:N0} readings in the lake)";
    }

    private async Task<string> DescribeLakeSoFarAsync(CancellationToken cancellationToken)
    {
        var sample = await Lake.ListObjectsV2Async(new ListObjectsRequest(Names.LakeBucket, Prefix: "weather-data/", MaxKeys: 1000), cancellationToken);
        return sample.KeyCount == 0
            ? "the lake has no readings yet: it fills in real time, a batch per buffering interval (about a minute) after the producer's first run"
            : $"the lake holds {(sample.IsTruncated ? "over " : "")}{sample.KeyCount} object(s) under weather-data/ so far; crawl them for Task 3";
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

    /// <summary>
    /// What Task 3 leaves behind for the challenges, made where missing: the crawled raw_weather_data table, its two
    /// time columns typed as timestamps, and the clean_weather_data view (the same statement Task 3 runs).
    /// </summary>
    private async Task<IReadOnlyList<string>> PrepareChallengesAsync(CancellationToken cancellationToken)
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
            await AlterColumnTypeAsync(rawTable, column, "timestamp", cancellationToken: cancellationToken);
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
        return done.Count == 0 ? [$"{rawTable} and {cleanView} are in place"] : done;
    }

    // Displays for notebooks and the CLI.

    /// <summary>The stream's summary and its shards with their hash-key ranges (DescribeStreamSummary, then ListShards); the day's stream unless another is named.</summary>
    public async Task<StreamDescriptionView> DescribeStreamAsync(string? streamName = null, CancellationToken cancellationToken = default)
    {
        var name = await StreamNameAsync(streamName, cancellationToken);
        return new StreamDescriptionView(await Stream.DescribeStreamSummaryAsync(name, cancellationToken), await Stream.ListShardsAsync(name, cancellationToken));
    }

    /// <summary>Which open shard each partition key lands on (ListShards, then MD5 of each key as Kinesis routes it).</summary>
    public async Task<KeySpreadView> KeySpreadAsync(IEnumerable<string> partitionKeys, string? streamName = null, CancellationToken cancellationToken = default)
    {
        return new KeySpreadView(await Stream.ListShardsAsync(await StreamNameAsync(streamName, cancellationToken), cancellationToken), partitionKeys.ToArray());
    }

    /// <summary>
    /// PutRecords in batches of 500, retrying only the failed entries with a doubling backoff. The backoff passes on the
    /// pipeline's time (<see cref="PipelineStages.PauseAsync"/>): locally the virtual clock, which a shard's per-second
    /// write allowance is counted on; on AWS, real time.
    /// </summary>
    public async Task<PutRecordsBatchReport> PutRecordsWithRetryAsync(IReadOnlyList<PutRecordsEntry> records, string? streamName = null, CancellationToken cancellationToken = default)
    {
        var name = await StreamNameAsync(streamName, cancellationToken);
        var batcher = new PutRecordsBatcher(Stream, Stages.PauseAsync);
        try
        {
            return await batcher.PutAsync(name, records, cancellationToken);
        }
        finally
        {
            // Once for the whole call: the records put carry the times its waits moved the clock to.
            Clock.Save();
        }
    }

    /// <summary>Scales the stream to <paramref name="targetShardCount"/> equal shards (Kinesis UpdateShardCount, UNIFORM_SCALING) and shows its shards.</summary>
    public async Task<StreamDescriptionView> ReshardAsync(int targetShardCount, string? streamName = null, CancellationToken cancellationToken = default)
    {
        var name = await StreamNameAsync(streamName, cancellationToken);
        await Stream.UpdateShardCountAsync(name, targetShardCount, cancellationToken);
        return await DescribeStreamAsync(name, cancellationToken);
    }

    /// <summary>
    /// Splits one open shard in two (Kinesis SplitShard); without <paramref name="newStartingHashKey"/> at the middle of its
    /// hash-key range. Shows the stream's shards.
    /// </summary>
    public async Task<StreamDescriptionView> SplitShardAsync(string shardId, string? newStartingHashKey = null, string? streamName = null, CancellationToken cancellationToken = default)
    {
        var name = await StreamNameAsync(streamName, cancellationToken);
        if (newStartingHashKey is null)
        {
            var shard = (await Stream.ListShardsAsync(name, cancellationToken)).FirstOrDefault(s => s.ShardId == shardId)
                ?? throw new ArgumentException($"There is no shard {shardId} in stream {name}; 'workshop stream describe' lists its shards.");
            var start = UInt128.Parse(shard.StartingHashKey, System.Globalization.CultureInfo.InvariantCulture);
            var end = UInt128.Parse(shard.EndingHashKey, System.Globalization.CultureInfo.InvariantCulture);
            newStartingHashKey = (start + (end - start) / 2 + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        await Stream.SplitShardAsync(name, shardId, newStartingHashKey, cancellationToken);
        return await DescribeStreamAsync(name, cancellationToken);
    }

    /// <summary>Merges two open shards with adjacent hash-key ranges into one (Kinesis MergeShards). Shows the stream's shards.</summary>
    public async Task<StreamDescriptionView> MergeShardsAsync(string shardId, string adjacentShardId, string? streamName = null, CancellationToken cancellationToken = default)
    {
        var name = await StreamNameAsync(streamName, cancellationToken);
        await Stream.MergeShardsAsync(name, shardId, adjacentShardId, cancellationToken);
        return await DescribeStreamAsync(name, cancellationToken);
    }

    // Enhanced fan-out and capacity mode.

    /// <summary>The stream's enhanced fan-out consumers (DescribeStreamSummary for its ARN, then ListStreamConsumers).</summary>
    public async Task<ConsumerListView> ListConsumersAsync(string? streamName = null, CancellationToken cancellationToken = default)
    {
        var (name, arn) = await StreamArnAsync(streamName, cancellationToken);
        return new ConsumerListView(name, await Stream.ListStreamConsumersAsync(arn, cancellationToken));
    }

    /// <summary>Registers a consumer (RegisterStreamConsumer); it shows as CREATING until the clock has moved on a little.</summary>
    public async Task<ConsumerListView> RegisterConsumerAsync(string consumerName, string? streamName = null, CancellationToken cancellationToken = default)
    {
        var (name, arn) = await StreamArnAsync(streamName, cancellationToken);
        return ConsumerListView.One(name, await Stream.RegisterStreamConsumerAsync(arn, consumerName, cancellationToken));
    }

    /// <summary>One consumer's status and ARN (DescribeStreamConsumer by stream ARN and consumer name).</summary>
    public async Task<ConsumerListView> DescribeConsumerAsync(string consumerName, string? streamName = null, CancellationToken cancellationToken = default)
    {
        var (name, arn) = await StreamArnAsync(streamName, cancellationToken);
        return ConsumerListView.One(name, await Stream.DescribeStreamConsumerAsync(ConsumerReference.ByName(arn, consumerName), cancellationToken));
    }

    /// <summary>Deregisters a consumer (DeregisterStreamConsumer) and shows it DELETING.</summary>
    public async Task<ConsumerListView> DeregisterConsumerAsync(string consumerName, string? streamName = null, CancellationToken cancellationToken = default)
    {
        var (name, arn) = await StreamArnAsync(streamName, cancellationToken);
        await Stream.DeregisterStreamConsumerAsync(ConsumerReference.ByName(arn, consumerName), cancellationToken);
        return ConsumerListView.One(name, await Stream.DescribeStreamConsumerAsync(ConsumerReference.ByName(arn, consumerName), cancellationToken));
    }

    /// <summary>
    /// Subscribes a consumer to a shard (SubscribeToShard) and collects up to <paramref name="maxEvents"/> events, stopping
    /// once the consumer has caught up or the shard has ended. A consumer still CREATING is waited for first. Kinesis pushes
    /// about once a second, so in replay the clock moves one second after each event, and is saved for other processes.
    /// </summary>
    public async Task<SubscriptionView> SubscribeAsync(string consumerName, string? shardId = null, StartingPosition? from = null, int maxEvents = 10,
        string? streamName = null, CancellationToken cancellationToken = default)
    {
        if (maxEvents < 1) throw new ArgumentOutOfRangeException(nameof(maxEvents), maxEvents, "Ask for at least one event.");
        var (name, arn) = await StreamArnAsync(streamName, cancellationToken);
        var consumer = await Stream.DescribeStreamConsumerAsync(ConsumerReference.ByName(arn, consumerName), cancellationToken);
        for (var waited = 0; consumer.ConsumerStatus == "CREATING" && waited < 120; waited++)
        {
            await PassOneSecondAsync(cancellationToken);
            // Still CREATING once the kit's clock is past the local activation time: the service runs on real time, so wait a real second too.
            if (waited >= EnhancedFanOut.StatusChangeTime.TotalSeconds) await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            consumer = await Stream.DescribeStreamConsumerAsync(ConsumerReference.ByName(arn, consumerName), cancellationToken);
        }
        var shard = shardId ?? (await Stream.ListShardsAsync(name, cancellationToken)).First(s => s.IsOpen).ShardId;
        from ??= StartingPosition.TrimHorizon;
        var events = new List<SubscriptionView.PushedEvent>();
        var ending = $"The subscription's five minutes ended; subscribe again from the last continuation sequence number (AFTER_SEQUENCE_NUMBER).";
        await foreach (var pushed in Stream.SubscribeToShardAsync(consumer.ConsumerArn, shard, from, cancellationToken))
        {
            events.Add(new SubscriptionView.PushedEvent(Clock.GetUtcNow(), pushed));
            if (pushed.ChildShards is { Count: > 0 } children)
            {
                ending = $"{shard} is closed and read to its end; read its children next: {string.Join(", ", children.Select(c => c.ShardId))}.";
                break;
            }
            if (pushed.Records.Count == 0 && pushed.MillisBehindLatest == 0)
            {
                ending = $"Caught up with the tip of {shard}: nothing more to push until records are put. Continue after {pushed.ContinuationSequenceNumber} (AFTER_SEQUENCE_NUMBER).";
                break;
            }
            if (events.Count >= maxEvents)
            {
                ending = $"Stopped after {maxEvents} event(s); continue after {pushed.ContinuationSequenceNumber} (AFTER_SEQUENCE_NUMBER).";
                break;
            }
            await PassOneSecondAsync(cancellationToken);
        }
        if (!Clock.IsLive) Clock.Save();
        return new SubscriptionView(consumer, shard, from, events, ending);
    }

    /// <summary>Switches the stream's capacity mode (UpdateStreamMode: PROVISIONED or ON_DEMAND) and shows the stream.</summary>
    public async Task<StreamDescriptionView> SetStreamModeAsync(string streamMode, string? streamName = null, CancellationToken cancellationToken = default)
    {
        var (name, arn) = await StreamArnAsync(streamName, cancellationToken);
        await Stream.UpdateStreamModeAsync(arn, streamMode, cancellationToken);
        return await DescribeStreamAsync(name, cancellationToken);
    }

    private async Task<(string Name, string Arn)> StreamArnAsync(string? streamName, CancellationToken cancellationToken)
    {
        var name = await StreamNameAsync(streamName, cancellationToken);
        return (name, (await Stream.DescribeStreamSummaryAsync(name, cancellationToken)).StreamArn);
    }

    /// <summary>One second of the clock: moved by hand in replay, waited for when the clock runs live.</summary>
    private async Task PassOneSecondAsync(CancellationToken cancellationToken)
    {
        if (Clock.IsLive) await Task.Delay(Clock.WallTimeUntil(Clock.GetUtcNow().AddSeconds(1)), cancellationToken);
        else Clock.MoveBy(TimeSpan.FromSeconds(1)); // saved once the subscription ends
    }

    /// <summary>Reads up to <paramref name="limit"/> records from one shard as the console's data viewer does.</summary>
    public async Task<RecordBatchView> PeekAsync(ShardIteratorType from = ShardIteratorType.TRIM_HORIZON, int limit = 10,
        string? shardId = null, DateTimeOffset? timestamp = null, string? streamName = null, string? sequenceNumber = null, CancellationToken cancellationToken = default)
    {
        var name = await StreamNameAsync(streamName, cancellationToken);
        var shards = await Stream.ListShardsAsync(name, cancellationToken);
        var shard = shardId ?? shards[0].ShardId;
        if (from == ShardIteratorType.AT_TIMESTAMP) timestamp ??= Clock.GetUtcNow().AddMinutes(-15);
        var iterator = await Stream.GetShardIteratorAsync(name, shard, from, sequenceNumber, timestamp, cancellationToken);
        var result = await Stream.GetRecordsAsync(iterator, limit, cancellationToken);
        return new RecordBatchView(result.Records, new RecordBatchView.Reading(shard, from, timestamp, sequenceNumber));
    }

    /// <summary>The data lake (or another bucket) as a folder tree under a prefix, each folder's first objects with their full keys; the prefix may be an s3://bucket/prefix URI.</summary>
    public async Task<BucketTreeView> BrowseLakeAsync(string? prefix = null, string? bucket = null, CancellationToken cancellationToken = default)
    {
        var (named, key) = SplitS3Uri(prefix, bucket);
        return await BucketTreeView.LoadAsync(Lake, await LakeBucketAsync(named, cancellationToken), key, cancellationToken);
    }

    /// <summary>
    /// A key or prefix as given, or an <c>s3://bucket/key</c> URI (as the lake's listings print it) split into its
    /// bucket and key. A URI whose bucket differs from the one named as well is refused, naming both.
    /// </summary>
    public static (string? Bucket, string? Key) SplitS3Uri(string? keyOrUri, string? bucket)
    {
        if (keyOrUri is null || !keyOrUri.StartsWith("s3://", StringComparison.OrdinalIgnoreCase)) return (bucket, keyOrUri);
        var rest = keyOrUri["s3://".Length..];
        var slash = rest.IndexOf('/');
        var (uriBucket, key) = slash < 0 ? (rest, "") : (rest[..slash], rest[(slash + 1)..]);
        if (uriBucket.Length == 0)
            throw new ArgumentException($"'{keyOrUri}' names no bucket; write s3://BUCKET/KEY, or give the key alone for the data lake.");
        if (bucket is not null && bucket != uriBucket)
            throw new ArgumentException($"'{keyOrUri}' is in bucket '{uriBucket}', but the bucket given is '{bucket}'; give one of them.");
        return (uriBucket, key);
    }

    /// <summary>The first lines of an object in the lake, decompressed (GetObject); the key may be an s3://bucket/key URI.</summary>
    public async Task<ObjectLinesView> OpenObjectAsync(string key, int maxLines = 20, string? bucket = null, CancellationToken cancellationToken = default)
    {
        var (named, objectKey) = SplitS3Uri(key, bucket);
        return new ObjectLinesView(await Lake.GetObjectAsync(await LakeBucketAsync(named, cancellationToken), objectKey!, cancellationToken), maxLines);
    }

    /// <summary>The lake's lifecycle rules (GetBucketLifecycleConfiguration).</summary>
    public async Task<LifecycleRulesView> LifecycleRulesAsync(string? bucket = null, CancellationToken cancellationToken = default)
    {
        var name = await LakeBucketAsync(bucket, cancellationToken);
        return new LifecycleRulesView(name, await Lake.GetBucketLifecycleAsync(name, cancellationToken));
    }

    /// <summary>What the lake costs a month at the storage classes its objects are in today.</summary>
    public async Task<StorageCostView> StorageCostAsync(string? bucket = null, CancellationToken cancellationToken = default)
    {
        return new StorageCostView(await Lake.EstimateStorageCostAsync(await LakeBucketAsync(bucket, cancellationToken), cancellationToken));
    }

    public ValueTask DisposeAsync()
    {
        Stages.Backend.Resources.Dispose();
        spareFiles.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>What the session is connected to and whether the backend answers, for `workshop doctor`; exit code 1 when it does not.</summary>
    public async Task<(string Text, bool Healthy)> DoctorAsync(CancellationToken cancellationToken = default)
    {
        var (text, healthy) = await Stages.Backend.CheckAsync(cancellationToken);
        return ($"{this}\n{text}", healthy);
    }

    private string ClockNow => $"{Stages.Time.GetUtcNow():yyyy-MM-dd HH:mm:ss} UTC{Stages.Backend.TimeLabel}";

    /// <summary>What a learner checks before starting: the runtime, the backend, the workspace and how far the day has got.</summary>
    public async Task<PropertiesView> CheckEnvironmentAsync(CancellationToken cancellationToken = default)
    {
        var deployed = await StackExistsAsync(cancellationToken: cancellationToken);
        return new PropertiesView("Environment",
        [
            (".NET", Environment.Version.ToString()),
            ("Operating system", System.Runtime.InteropServices.RuntimeInformation.OSDescription),
            ("Backend", Stages.BackendName),
            ("Workspace", Workspace.Root),
            ("Clock", ClockNow),
            ("Stack", deployed ? $"{Names.StackName} deployed" : "not deployed yet (Task 1 deploys it)"),
            ("Lake data", SimulationState.Load(Workspace) is { } replayed ? $"readings from {replayed.FirstStart ?? replayed.Start:yyyy-MM-dd HH:mm} UTC" : "none yet (Task 2 replays a day)"),
        ]);
    }

    public string ToHtml() => new PropertiesView(Stages.Backend.Title, Stages.Backend.Card(Names.StackName)).ToHtml();

    public override string ToString() => $"{Stages.Backend.Title} — {Stages.Backend.Summary(Names.StackName)}";
}

/// <summary>What a backend's stages are opened with: the workspace, its clock, and the session's current names and cities.</summary>
public sealed record StageContext(WorkspaceDirectory Workspace, VirtualClock Clock, string AccountId, IWeatherSource WeatherSource,
    Func<PipelineNames> Names, Func<IReadOnlyList<City>> Cities);
