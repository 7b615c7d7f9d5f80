using StreamingWorkshop.Broker;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Delivery;
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
public sealed class PipelineStages
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

    /// <summary>Written after a time to say which clock it is on (" (virtual)" locally).</summary>
    public required string TimeLabel { get; init; }

    /// <summary>The rows of the session's card, given the stack's name.</summary>
    public required Func<string, IReadOnlyList<(string Name, string Value)>> Card { get; init; }

    /// <summary>The session card's title: which backend it is on.</summary>
    public required string Title { get; init; }

    /// <summary>The session in one line after its title, given the stack's name.</summary>
    public required Func<string, string> Summary { get; init; }

    /// <summary>What `workshop doctor` reports: what the backend would use and whether it can (never a secret).</summary>
    public required Func<CancellationToken, Task<(string Text, bool Healthy)>> CheckAsync { get; init; }

    /// <summary>What to dispose when the session ends.</summary>
    public required IDisposable Resources { get; init; }
}
