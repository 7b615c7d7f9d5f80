using System.Diagnostics;
using System.Text.Json;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Stack;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Warehouse;

/// <summary>
/// The Redshift Data API on the local backend. Each statement runs on the cluster the workspace's stacks made; its
/// description and result are kept under state/warehouse/statements, so another process (a notebook beside
/// <c>workshop serve</c>) can describe it and read its rows.
/// </summary>
public sealed class LocalWarehouseService(WorkspaceDirectory workspace, TimeProvider clock, LocalObjectStore lake, LocalGlueCatalog catalog,
    LocalStreamService streams, LocalCloudFormation stacks) : IWarehouseService
{
    /// <summary>Rows per GetStatementResult page.</summary>
    public const int PageSize = 1000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The clusters the workspace's stacks made, by identifier.</summary>
    public IReadOnlyList<WarehouseCluster> Clusters() =>
        stacks.ResourcesOfType("AWS::Redshift::Cluster").Select(pair => new WarehouseCluster(
            pair.Resource.PhysicalResourceId,
            pair.Resource.Properties["DBName"]?.GetValue<string>() ?? "dev",
            pair.Resource.Properties["MasterUsername"]?.GetValue<string>() ?? "awsuser",
            pair.Resource.Properties["IamRoles"]?.AsArray().Select(r => r!.GetValue<string>()).ToArray() ?? [])).ToList();

    /// <summary>The engine of one cluster.</summary>
    public LocalWarehouse Cluster(string clusterIdentifier) =>
        Clusters().FirstOrDefault(c => c.Identifier == clusterIdentifier) is { } cluster
            ? new LocalWarehouse(workspace, clock, lake, catalog, streams, cluster)
            : throw new ValidationException("redshift-data", $"Redshift endpoint doesn't exist in this region: no cluster '{clusterIdentifier}'. Deploy the stack, or name one of: {string.Join(", ", Clusters().Select(c => c.Identifier).DefaultIfEmpty("(none)"))}.");

    public Task<string> ExecuteStatementAsync(WarehouseTarget target, string sql, string? statementName = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(Run(target, [sql], statementName, batch: false));

    public Task<string> BatchExecuteStatementAsync(WarehouseTarget target, IReadOnlyList<string> sqls, string? statementName = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(Run(target, sqls, statementName, batch: true));

    public Task<StatementDescription> DescribeStatementAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(Load(id).Description);

    public Task<StatementResultPage> GetStatementResultAsync(string id, string? nextToken = null, CancellationToken cancellationToken = default)
    {
        var stored = Load(id);
        var result = stored.Results.FirstOrDefault(r => r.Id == id)
            ?? throw new ResourceNotFoundException("redshift-data", $"Query does not have result. Please check query status with DescribeStatement.");
        var start = nextToken is null ? 0 : int.Parse(nextToken);
        var page = result.Rows.Skip(start).Take(PageSize).Select(r => r.Select((v, i) => Decode(v, result.Columns[i].TypeName)).ToArray()).ToArray();
        return Task.FromResult(new StatementResultPage(result.Columns, page, result.Rows.Count, start + PageSize < result.Rows.Count ? (start + PageSize).ToString() : null));
    }

    public Task<bool> CancelStatementAsync(string id, CancellationToken cancellationToken = default)
    {
        var stored = Load(id);
        throw new ValidationException("redshift-data", $"Could not cancel a query that is already in {stored.Description.Status} state.");
    }

    private sealed record StoredResult(string Id, IReadOnlyList<WarehouseColumn> Columns, IReadOnlyList<JsonElement?[]> Rows);

    private sealed record StoredStatement(StatementDescription Description, IReadOnlyList<StoredResult> Results);

    private string Run(WarehouseTarget target, IReadOnlyList<string> sqls, string? statementName, bool batch)
    {
        var engine = Cluster(target.ClusterIdentifier);
        var id = Guid.NewGuid().ToString();
        var created = clock.GetUtcNow();
        var watch = Stopwatch.StartNew();
        var results = new List<StoredResult>();
        var subs = new List<SubStatement>();
        string status = StatementStatuses.Finished;
        string? error = null;
        try
        {
            var outcomes = batch ? engine.ExecuteBatch(sqls) : [engine.Execute(sqls[0])];
            for (var i = 0; i < outcomes.Count; i++)
            {
                var outcome = outcomes[i];
                var subId = batch ? $"{id}:{i + 1}" : id;
                if (outcome.HasResultSet)
                    results.Add(new StoredResult(subId, outcome.Columns, outcome.Rows.Select(r => r.Select(v => v is null ? (JsonElement?)null : JsonSerializer.SerializeToElement(v, Json)).ToArray()).ToArray()));
                subs.Add(new SubStatement(subId, sqls[i], StatementStatuses.Finished, null, watch.Elapsed.Ticks * 100, outcome.HasResultSet, outcome.HasResultSet ? outcome.Rows.Count : outcome.RowsAffected, 0));
            }
        }
        catch (RedshiftSqlException failure)
        {
            status = StatementStatuses.Failed;
            error = failure.DataApiError;
        }
        var rows = subs.Sum(s => s.ResultRows);
        var description = new StatementDescription(id, batch ? string.Join("; ", sqls) : sqls[0], status, error, created, clock.GetUtcNow(), watch.Elapsed.Ticks * 100,
            results.Count > 0, status == StatementStatuses.Finished ? rows : -1, 0, target.ClusterIdentifier, target.Database, target.DbUser, statementName, batch ? subs : null);
        workspace.WriteAtomically(StatementFile(id), JsonSerializer.SerializeToUtf8Bytes(new StoredStatement(description, results), Json));
        return id;
    }

    private StoredStatement Load(string id)
    {
        var batchId = id.Split(':')[0];
        var path = Guid.TryParse(batchId, out _) ? StatementFile(batchId) : null;
        if (path is null || !File.Exists(path)) throw new ResourceNotFoundException("redshift-data", $"Query {id} does not exist. Use the id ExecuteStatement returned.");
        return JsonSerializer.Deserialize<StoredStatement>(File.ReadAllBytes(path), Json)!;
    }

    /// <summary>A stored value back in the type its column gives: JSON writes 4.0 as 4, and a float8 column still answers a double.</summary>
    private static object? Decode(JsonElement? value, string typeName) => value switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } number when typeName is "float8" or "float4" => number.GetDouble(),
        { ValueKind: JsonValueKind.String } text => text.GetString(),
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.Number } number when number.TryGetInt64(out var whole) => whole,
        { ValueKind: JsonValueKind.Number } number => number.GetDouble(),
        { } other => other.GetRawText(),
    };

    private string StatementFile(string id) => workspace.Resolve("state", "warehouse", "statements", id + ".json");
}
