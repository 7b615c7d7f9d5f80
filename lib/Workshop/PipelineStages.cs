using StreamingWorkshop.Broker;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Delivery;
using StreamingWorkshop.Display;
using StreamingWorkshop.Jobs;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Metrics;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Query;
using StreamingWorkshop.Stack;
using StreamingWorkshop.Warehouse;

namespace StreamingWorkshop;

/// <summary>
/// The implementation of each stage a session uses, chosen once when it connects (<see cref="Workshop.ConnectAsync"/>):
/// the local backend's engines, or the AWS clients. The session reaches every stage through these contracts only.
/// </summary>
public sealed class PipelineStages : IHtmlDisplay
{
    /// <summary>How the environment check names the backend: "local (offline)" or "AWS".</summary>
    public required string BackendName { get; init; }
    public required IStreamService Stream { get; init; }
    public required IObjectStore Lake { get; init; }
    public required IStackService Stack { get; init; }
    public required ICatalog Catalog { get; init; }
    public required IQueryService Query { get; init; }
    public required IDeliveryService Delivery { get; init; }

    /// <summary>The Redshift warehouse, through the Data API's calls.</summary>
    public required IWarehouseService Warehouse { get; init; }

    /// <summary>Glue ETL jobs, batch and streaming, through the Glue API's job calls.</summary>
    public required IJobService Jobs { get; init; }

    /// <summary>Step Functions: the state machines and their executions.</summary>
    public required Workflows.IWorkflowService Workflows { get; init; }
    public required IProducerFunction ProducerFunction { get; init; }
    public required IProducerLogs ProducerLogs { get; init; }

    /// <summary>The producer's schedule rule, where the backend has one to pause (AWS); null otherwise.</summary>
    public required IProducerSchedule? Schedule { get; init; }

    /// <summary>CloudWatch: the services' metrics and the alarms on them.</summary>
    public required IMetricsService Metrics { get; init; }

    /// <summary>The local backend's engines, with the replay on the virtual clock; null on AWS.</summary>
    public required LocalBackend? Local { get; init; }

    /// <summary>The time the pipeline runs on: the workspace's virtual clock, or real time.</summary>
    public required TimeProvider Time { get; init; }

    /// <summary>
    /// A wait between retries, on the pipeline's time: locally the virtual clock moves on by it (a shard's write allowance
    /// is counted on that clock; the caller saves the clock once it is done), on AWS real time passes.
    /// </summary>
    internal Task PauseAsync(TimeSpan pause, CancellationToken cancellationToken) => Backend.PauseAsync(pause, cancellationToken);

    /// <summary>How the session describes this backend, and what it disposes at the end: the kit's own, not a stage.</summary>
    internal BackendParts Backend { get; }

    internal PipelineStages(BackendParts backend) => Backend = backend;

    private static readonly string[] Headers = ["Stage", "AWS service", "Evaluate to list its calls"];

    /// <summary>Each stage with the service it stands for, and where a notebook reaches it; a stage this backend has not is said so.</summary>
    private IReadOnlyList<IReadOnlyList<string>> Rows =>
    [
        ["Stack", "CloudFormation", "workshop.Stages.Stack"],
        ["Stream", "Kinesis Data Streams", "workshop.Stream"],
        ["Lake", "S3", "workshop.Lake"],
        ["Delivery", "Data Firehose", "workshop.Stages.Delivery"],
        ["Catalog", "Glue Data Catalog", "workshop.Stages.Catalog"],
        ["Query", "Athena", "workshop.Stages.Query"],
        ["Warehouse", "Redshift Data API", "workshop.Stages.Warehouse"],
        ["Jobs", "Glue ETL jobs", "workshop.Stages.Jobs"],
        ["Workflows", "Step Functions", "workshop.Stages.Workflows"],
        ["ProducerFunction", "Lambda", "workshop.Stages.ProducerFunction"],
        ["ProducerLogs", "CloudWatch Logs", "workshop.Stages.ProducerLogs"],
        ["Schedule", "EventBridge", Schedule is null ? "none here: a replay or a live run runs the producer" : "workshop.Stages.Schedule"],
        ["Metrics", "CloudWatch", "workshop.Stages.Metrics"],
        ["Local", "none: the local engines", Local is null ? "none on AWS" : "workshop.Local"],
    ];

    private string Title => $"workshop.Stages: the pipeline's stages on this session's backend, {BackendName}";

    private const string Note = "Each stage's calls are named after its AWS operations. The kit's shorter calls are on workshop.Stack, " +
        "workshop.Delivery, workshop.Catalog, workshop.Athena, workshop.Warehouse, workshop.Jobs, workshop.Workflows, workshop.Producer " +
        "and workshop.Metrics; evaluate one to list them.";

    private NotedTableView View => new(Title, Headers, Rows, Note);

    public string ToHtml() => View.ToHtml();

    public override string ToString() => View.ToString();
}

/// <summary>How a session describes its backend (its card, title and summary, the doctor's check) and what it disposes when it ends.</summary>
/// <param name="TimeLabel">Written after a time to say which clock it is on (" (virtual)" locally).</param>
/// <param name="Card">The rows of the session's card, given the stack's name.</param>
/// <param name="Title">The session card's title: which backend it is on.</param>
/// <param name="Summary">The session in one line after its title, given the stack's name.</param>
/// <param name="CheckAsync">What `workshop doctor` reports: what the backend would use and whether it can (never a secret).</param>
/// <param name="Resources">What to dispose when the session ends.</param>
/// <param name="PauseAsync">How a wait between retries passes (<see cref="PipelineStages.PauseAsync"/>).</param>
/// <param name="StartAgain">How a learner starts the day again from nothing, where the backend holds it all in the workspace
/// (locally, 'workshop reset'); null where the stack lives elsewhere (AWS).</param>
internal sealed record BackendParts(
    string TimeLabel,
    Func<string, IReadOnlyList<(string Name, string Value)>> Card,
    string Title,
    Func<string, string> Summary,
    Func<CancellationToken, Task<(string Text, bool Healthy)>> CheckAsync,
    IDisposable Resources,
    Func<TimeSpan, CancellationToken, Task> PauseAsync,
    string? StartAgain = null);
