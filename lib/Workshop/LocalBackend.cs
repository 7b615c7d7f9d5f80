using StreamingWorkshop.Broker;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Delivery;
using StreamingWorkshop.Display;
using StreamingWorkshop.Faults;
using StreamingWorkshop.Jobs;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Metrics;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Query;
using StreamingWorkshop.Stack;
using StreamingWorkshop.Storage;
using StreamingWorkshop.Warehouse;
using StreamingWorkshop.Workflows;

namespace StreamingWorkshop;

/// <summary>
/// The local backend's own engines, each keeping its state in the workspace on the virtual clock. A session on
/// the local backend offers them as <see cref="WorkshopSession.Local"/>, with what only they can do: replaying a
/// day, running delivery on demand, and reaching each engine's whole API (as the tests and the local endpoint do).
/// On AWS the session has none, so a notebook can tell from the type what it may call.
/// </summary>
public sealed class LocalBackend : IHtmlDisplay, IDisposable
{
    private static readonly string[] Headers = ["Engine", "Stands in for", "Evaluate to list its calls"];

    private static readonly IReadOnlyList<IReadOnlyList<string>> Engines =
    [
        ["Stream", "Kinesis Data Streams", "workshop.Local.Stream"],
        ["Lake", "S3", "workshop.Local.Lake"],
        ["Firehose", "Data Firehose", "workshop.Local.Firehose"],
        ["Logs", "CloudWatch Logs", "workshop.Local.Logs"],
        ["Catalog", "Glue Data Catalog", "workshop.Local.Catalog"],
        ["Crawlers", "Glue crawlers", "workshop.Local.Crawlers"],
        ["Stacks", "CloudFormation", "workshop.Local.Stacks"],
        ["Query", "Athena, the query stage", "workshop.Local.Query"],
        ["Athena", "Athena's engine (DuckDB)", "workshop.Local.Athena"],
        ["Warehouse", "Redshift Data API", "workshop.Local.Warehouse"],
        ["Jobs", "Glue ETL jobs", "workshop.Local.Jobs"],
        ["Workflows", "Step Functions", "workshop.Local.Workflows"],
        ["CloudWatch", "CloudWatch", "workshop.Local.CloudWatch"],
        ["MetricsLog", "CloudWatch's datapoints", "workshop.Local.MetricsLog"],
        ["Producer", "Lambda: the producer's code", "workshop.Local.Producer"],
        ["Faults", "none: faults for a replay", "workshop.Local.Faults"],
        ["Clock", "none: the virtual clock", "workshop.Local.Clock"],
        ["Workspace", "none: the folder they keep", "workshop.Local.Workspace"],
    ];

    private string Title => $"workshop.Local: the local backend's engines in the workspace, each standing in for an AWS service (account {AccountId}, region {Region})";

    private const string Note = "Only the local backend replays a day and delivers on demand: workshop.SimulateAsync(...), " +
        "workshop.StartLive(...) and workshop.DeliverNowAsync().";

    /// <summary>In a notebook, the engines and where each is, rather than an object tree.</summary>
    public string ToHtml() => View.ToHtml();

    public override string ToString() => View.ToString();

    private NotedTableView View => new(Title, Headers, Engines, Note);

    private readonly IWeatherSource weatherSource;
    private readonly Func<PipelineNames> names;
    private readonly Func<IReadOnlyList<City>> cities;
    private (PipelineNames Names, IReadOnlyList<City> Cities, WeatherProducer Producer)? producer;

    internal LocalBackend(StageContext context)
    {
        var (workspace, clock, accountId) = (context.Workspace, context.Clock, context.AccountId);
        weatherSource = context.WeatherSource;
        names = context.Names;
        cities = context.Cities;
        Workspace = workspace;
        Clock = clock;
        MetricsLog = new MetricsLog(workspace, clock);
        CloudWatch = new LocalCloudWatch(workspace, clock, MetricsLog);
        Stream = new LocalStreamService(workspace, clock, accountId, metrics: MetricsLog);
        Lake = new LocalObjectStore(workspace, clock);
        Firehose = new LocalFirehoseService(workspace, clock);
        Logs = new ProducerLog(workspace, clock);
        Catalog = new LocalGlueCatalog(workspace, clock);
        var provisioners = Provisioners = new LocalProvisioners(workspace, Lake, Stream, Firehose, Catalog, accountId);
        Stacks = new LocalCloudFormation(workspace, clock, provisioners, accountId);
        Crawlers = new LocalCrawlers(workspace, clock, Catalog, Lake);
        Query = new LocalQueryService(workspace, clock, Catalog, Lake);
        Warehouse = new LocalWarehouseService(workspace, clock, Lake, Catalog, Stream, Stacks);
        Jobs = new LocalJobService(workspace, clock, Lake, Catalog, Stream, Stacks);
        provisioners.Jobs = Jobs;
        Faults = new FaultInjector(workspace, Stream.ExhaustWriteAllowance);
        AccountId = accountId;
        Workflows = new LocalStepFunctions(workspace, clock, new LocalTaskIntegrations(this), accountId, Region);
        provisioners.Workflows = Workflows;
    }

    /// <summary>The account the local resources' ARNs name.</summary>
    public string AccountId { get; }

    /// <summary>The region the local resources' ARNs name.</summary>
    public string Region => "us-east-1";

    /// <summary>Step Functions: the stacks' state machines, their executions run on the virtual clock.</summary>
    public LocalStepFunctions Workflows { get; }

    /// <summary>The faults the learner switched on (<see cref="FaultPlan"/>), applied by the producer, the delivery and a replay.</summary>
    public FaultInjector Faults { get; }

    public WorkspaceDirectory Workspace { get; }
    public VirtualClock Clock { get; }
    public LocalStreamService Stream { get; }
    public LocalObjectStore Lake { get; }
    public LocalFirehoseService Firehose { get; }
    public ProducerLog Logs { get; }
    public LocalGlueCatalog Catalog { get; }
    public LocalCloudFormation Stacks { get; }

    /// <summary>What builds each resource of a stack; the services made after it (jobs, state machines) are handed to it.</summary>
    internal LocalProvisioners Provisioners { get; }
    public LocalCrawlers Crawlers { get; }
    public LocalQueryService Query { get; }

    /// <summary>The Redshift Data API over one embedded database per cluster the stacks made.</summary>
    public LocalWarehouseService Warehouse { get; }

    /// <summary>The Glue job runtime: the stacks' batch and streaming jobs, run on the virtual clock.</summary>
    public LocalJobService Jobs { get; }

    /// <summary>Where the local services record their CloudWatch metrics, on the virtual clock.</summary>
    public MetricsLog MetricsLog { get; }
    public LocalCloudWatch CloudWatch { get; }

    /// <summary>The Athena engine (DuckDB underneath), started on first use with the pipeline's names of that moment.</summary>
    public LocalAthena Athena
    {
        get
        {
            var current = names();
            return Query.Engine(new AthenaSettings(current.Database, current.ResultsBucket));
        }
    }

    /// <summary>The kit's C# producer, writing to the pipeline's stream under the names of the deployed stack.</summary>
    public WeatherProducer Producer
    {
        get
        {
            var (currentNames, currentCities) = (names(), cities());
            if (producer is { } made && ReferenceEquals(made.Names, currentNames) && ReferenceEquals(made.Cities, currentCities)) return made.Producer;
            var built = ProducerFor(currentNames.StreamName, currentCities, currentNames.ProducerFunction);
            producer = (currentNames, currentCities, built);
            return built;
        }
    }

    /// <summary>The kit's C# producer as a function of the stack runs it: on <paramref name="streamName"/>, for <paramref name="cities"/>, logging as <paramref name="functionName"/>.</summary>
    public WeatherProducer ProducerFor(string streamName, IReadOnlyList<City> cities, string functionName) =>
        new(weatherSource, Stream, Logs, Clock, new ProducerOptions { StreamName = streamName, Cities = cities, FunctionName = functionName }, MetricsLog) { Faults = Faults };

    /// <summary>Opens a delivery stream for running (one process at a time per workspace).</summary>
    public LocalDeliveryStream OpenDelivery(string deliveryStreamName) =>
        new(Firehose.DescribeDeliveryStream(deliveryStreamName), Stream, Lake, Workspace, Clock, MetricsLog) { Faults = Faults };

    /// <summary>The stages a local session uses, each backed by these engines.</summary>
    internal PipelineStages Stages() => new(new BackendParts(
        TimeLabel: " (virtual)",
        Card: stackName => [("Workspace", Workspace.Root), ("Clock", $"{Clock.GetUtcNow():yyyy-MM-dd HH:mm:ss} UTC (virtual)"), ("Stack name", stackName)],
        Title: "Streaming workshop (local backend)",
        Summary: _ => $"workspace {Workspace.Root}, clock {Clock.GetUtcNow():yyyy-MM-dd HH:mm:ss} UTC",
        CheckAsync: _ => Task.FromResult(("Backend local: no AWS account or network is used. Check AWS with 'workshop doctor --backend aws'.", true)),
        Resources: this,
        PauseAsync: (pause, _) =>
        {
            Clock.MoveBy(pause);
            return Task.CompletedTask;
        },
        StartAgain: "'workshop reset' in a terminal starts again from an empty workspace"))
    {
        BackendName = "local (offline)",
        Stream = Stream,
        Lake = Lake,
        Stack = new LocalStackService(Stacks, Workspace),
        Catalog = new LocalCatalog(Catalog, Crawlers),
        Query = Query,
        Delivery = Firehose,
        Warehouse = Warehouse,
        Jobs = Jobs,
        Workflows = Workflows,
        ProducerFunction = new LocalProducerFunction(this),
        ProducerLogs = Logs,
        Schedule = null,
        Metrics = CloudWatch,
        Local = this,
        Time = Clock,
    };

    public void Dispose()
    {
        Query.Dispose();
        Stream.Dispose();
    }

    /// <summary>One invocation of the producer in this process, then the clock saved so other processes see the time it ran at.</summary>
    private sealed class LocalProducerFunction(LocalBackend local) : IProducerFunction, IHtmlDisplay
    {
        /// <summary>In a notebook, the producer function stage's calls rather than an object tree.</summary>
        public string ToHtml() => StageCalls.ProducerFunction.ToHtml();

        public override string ToString() => StageCalls.ProducerFunction.ToString();

        public async Task<ProducerSummary> InvokeAsync(string functionName, CancellationToken cancellationToken = default)
        {
            var summary = await local.Producer.InvokeAsync(cancellationToken);
            local.Clock.Save();
            return summary;
        }
    }
}
