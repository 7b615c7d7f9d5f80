using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Display;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Stack;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Warehouse;

/// <summary>
/// The Redshift Data API on the local backend. A statement is queued (SUBMITTED) and run in the background, one at a
/// time per cluster (STARTED), until it ends FINISHED, FAILED or ABORTED; DescribeStatement sees each state and
/// CancelStatement aborts one that has not ended. Its description and result are kept under state/warehouse/statements,
/// so another process (a notebook beside <c>workshop serve</c>) can describe it and read its rows.
/// </summary>
public sealed class LocalWarehouseService(WorkspaceDirectory workspace, TimeProvider clock, LocalObjectStore lake, LocalGlueCatalog catalog,
    LocalStreamService streams, LocalCloudFormation stacks) : IWarehouseService, IHtmlDisplay
{
    /// <summary>In a notebook, the warehouse stage's calls rather than an object tree: the stage's, then the local engine's own.</summary>
    public string ToHtml() => StageCalls.Warehouse.ToHtml() + OwnCalls.ToHtml();

    public override string ToString() => StageCalls.Warehouse + "\n" + OwnCalls;

    private static readonly CallsView OwnCalls = new("workshop.Local.Warehouse: the local Redshift's own calls (local backend only)", [
        ("Clusters()", "DescribeClusters (the Redshift API): the clusters the stacks made"),
        ("Cluster(clusterIdentifier)", "none: one cluster's engine, a DuckDB file in the workspace"),
        ("WaitAsync(id)", "DescribeStatement until the statement ends"),
    ]);

    /// <summary>Rows per GetStatementResult page. AWS pages by size (up to 100 MB a page); a fixed row count keeps local pages predictable.</summary>
    public const int PageSize = 1000;

    /// <summary>The most statements one BatchExecuteStatement takes, as on AWS.</summary>
    public const int MaxBatchStatements = 40;

    private const string Service = "redshift-data";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>One queue per cluster file: statements on a cluster run one after another, whichever session sent them.</summary>
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Queues = new();

    /// <summary>The statements this process is running, so CancelStatement can stop them.</summary>
    private static readonly ConcurrentDictionary<string, CancellationTokenSource> Running = new();

    private readonly ConcurrentDictionary<string, Task> work = new();
    private readonly Lock fileLock = new();

    /// <summary>Called when a statement has STARTED, before it runs (lets a test hold a statement while it describes or cancels it).</summary>
    internal Func<string, Task>? Started { get; set; }

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
            : throw new ValidationException(Service, $"Redshift endpoint doesn't exist in this region: no cluster '{clusterIdentifier}'. Deploy the stack, or name one of: {string.Join(", ", Clusters().Select(c => c.Identifier).DefaultIfEmpty("(none)"))}.");

    public Task<string> ExecuteStatementAsync(WarehouseTarget target, string sql, string? statementName = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(sql)) throw new ValidationException(Service, "Sql is empty: give the SQL statement to run.");
        return Task.FromResult(Submit(target, [sql], statementName, batch: false));
    }

    public Task<string> BatchExecuteStatementAsync(WarehouseTarget target, IReadOnlyList<string> sqls, string? statementName = null, CancellationToken cancellationToken = default)
    {
        if (sqls.Count == 0) throw new ValidationException(Service, "Sqls is empty: give between 1 and 40 SQL statements.");
        if (sqls.Count > MaxBatchStatements) throw new ValidationException(Service, $"Sqls has {sqls.Count} statements; a batch takes at most {MaxBatchStatements}. Split it into several batches.");
        if (sqls.Select((s, i) => (s, i)).FirstOrDefault(p => string.IsNullOrWhiteSpace(p.s)) is { s: not null } empty)
            throw new ValidationException(Service, $"Sqls[{empty.i}] is empty: give the SQL statement to run or leave it out.");
        return Task.FromResult(Submit(target, sqls, statementName, batch: true));
    }

    public Task<StatementDescription> DescribeStatementAsync(string id, CancellationToken cancellationToken = default)
    {
        var stored = Load(id);
        if (!id.Contains(':')) return Task.FromResult(stored.Description);
        // A sub-statement is described on its own, as AWS does for "ID:2".
        var sub = stored.Description.SubStatements?.FirstOrDefault(s => s.Id == id) ?? throw Missing(id);
        return Task.FromResult(stored.Description with
        {
            Id = sub.Id, QueryString = sub.QueryString, Status = sub.Status, Error = sub.Error, DurationNanoseconds = sub.DurationNanoseconds,
            HasResultSet = sub.HasResultSet, ResultRows = sub.ResultRows, ResultSize = sub.ResultSize, SubStatements = null, RedshiftQueryId = sub.RedshiftQueryId,
        });
    }

    public Task<StatementResultPage> GetStatementResultAsync(string id, string? nextToken = null, CancellationToken cancellationToken = default)
    {
        var stored = Load(id);
        if (stored.Description.SubStatements is not null && !id.Contains(':'))
            throw new ValidationException(Service, $"BatchExecuteStatement result can only be retrieved with sub-statement id: ask for {id}:1, {id}:2, ...");
        var status = !id.Contains(':') ? stored.Description.Status
            : stored.Description.SubStatements?.FirstOrDefault(s => s.Id == id)?.Status ?? throw Missing(id);
        if (status != StatementStatuses.Finished)
            throw new ValidationException(Service, $"Query does not have result. Please check query status with DescribeStatement. (It is {status}.)");
        var result = stored.Results.FirstOrDefault(r => r.Id == id)
            ?? throw new ValidationException(Service, "Query does not have result. Please check query status with DescribeStatement. (The statement returns no rows: only a SELECT, or a statement with RETURNING, has a result.)");
        var start = 0;
        if (nextToken is not null && (!int.TryParse(nextToken, out start) || start <= 0 || start >= result.Rows.Count))
            throw new ValidationException(Service, $"NextToken '{nextToken}' is not a token this statement's result gave. Start again without NextToken.");
        var page = result.Rows.Skip(start).Take(PageSize).Select(r => r.Select((v, i) => Decode(v, result.Columns[i].TypeName)).ToArray()).ToArray();
        return Task.FromResult(new StatementResultPage(result.Columns, page, result.Rows.Count, start + PageSize < result.Rows.Count ? (start + PageSize).ToString() : null));
    }

    public Task<bool> CancelStatementAsync(string id, CancellationToken cancellationToken = default)
    {
        if (id.Contains(':')) throw new ValidationException(Service, $"Cancel the batch with its own id ({id.Split(':')[0]}), not a sub-statement's.");
        lock (fileLock)
        {
            var stored = Load(id);
            if (StatementStatuses.HasEnded(stored.Description.Status))
                throw new ValidationException(Service, $"Could not cancel a query that is already in {stored.Description.Status} state.");
            Save(stored with { Description = Ended(stored.Description, StatementStatuses.Aborted, null) });
        }
        if (Running.TryGetValue(id, out var running)) running.Cancel();
        return Task.FromResult(true);
    }

    /// <summary>The statement's description once it has ended (FINISHED, FAILED or ABORTED), checking every few milliseconds as a Data API client polls.</summary>
    public async Task<StatementDescription> WaitAsync(string id, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var description = await DescribeStatementAsync(id, cancellationToken);
            if (StatementStatuses.HasEnded(description.Status)) return description;
            if (work.TryGetValue(id.Split(':')[0], out var running)) await running.WaitAsync(cancellationToken);
            else await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>The task running statement <paramref name="id"/> in this process, or null when another process runs it or it has ended.</summary>
    public Task? RunningTask(string id) => work.TryGetValue(id.Split(':')[0], out var running) ? running : null;

    /// <summary>Waits until the statements this service started have ended (a process that exits waits for its own).</summary>
    public Task DrainAsync() => Task.WhenAll(work.Values);

    private sealed record StoredResult(string Id, IReadOnlyList<WarehouseColumn> Columns, IReadOnlyList<JsonElement?[]> Rows);

    private sealed record StoredStatement(StatementDescription Description, IReadOnlyList<StoredResult> Results);

    private static StatementDescription Ended(StatementDescription description, string status, string? error) => description with
    {
        Status = status,
        Error = error,
        SubStatements = description.SubStatements?.Select(s => StatementStatuses.HasEnded(s.Status) ? s : s with { Status = StatementStatuses.Aborted }).ToList(),
    };

    private string Submit(WarehouseTarget target, IReadOnlyList<string> sqls, string? statementName, bool batch)
    {
        if (string.IsNullOrWhiteSpace(target.ClusterIdentifier)) throw new ValidationException(Service, "ClusterIdentifier is missing: name the cluster (the stack's is weather-analytics-warehouse-dev).");
        var engine = Cluster(target.ClusterIdentifier);
        if (string.IsNullOrWhiteSpace(target.Database)) throw new ValidationException(Service, $"Database is missing: name the cluster's database ({engine.Cluster.Database}).");
        if (target.Database != engine.Cluster.Database) throw new ValidationException(Service, $"Database '{target.Database}' does not exist on cluster {target.ClusterIdentifier}; its database is '{engine.Cluster.Database}'.");
        if (string.IsNullOrWhiteSpace(target.DbUser)) throw new ValidationException(Service, $"DbUser is missing: connect as a database user ({engine.Cluster.MasterUsername}) with temporary credentials, or give SecretArn.");
        var id = Guid.NewGuid().ToString();
        var now = clock.GetUtcNow();
        var subs = batch ? sqls.Select((sql, i) => new SubStatement($"{id}:{i + 1}", sql, StatementStatuses.Submitted, null, 0, false, -1, -1)).ToList() : null;
        var description = new StatementDescription(id, batch ? string.Join("; ", sqls) : sqls[0], StatementStatuses.Submitted, null, now, now, 0,
            false, -1, -1, target.ClusterIdentifier, target.Database, target.DbUser, statementName, subs);
        Save(new StoredStatement(description, []));
        var cancellation = new CancellationTokenSource();
        Running[id] = cancellation;
        var queue = Queues.GetOrAdd(engine.DatabaseFile, _ => new SemaphoreSlim(1, 1));
        work[id] = Task.Run(async () =>
        {
            await queue.WaitAsync();
            try
            {
                await RunAsync(engine, id, sqls, batch, cancellation.Token);
            }
            finally
            {
                queue.Release();
                Running.TryRemove(id, out _);
                cancellation.Dispose();
                work.TryRemove(id, out _);
            }
        });
        return id;
    }

    private async Task RunAsync(LocalWarehouse engine, string id, IReadOnlyList<string> sqls, bool batch, CancellationToken cancellationToken)
    {
        var queryId = NextQueryId(sqls.Count);
        lock (fileLock)
        {
            var submitted = Load(id);
            if (submitted.Description.Status != StatementStatuses.Submitted) return;
            Save(submitted with { Description = submitted.Description with { Status = StatementStatuses.Started, UpdatedAt = clock.GetUtcNow(), RedshiftQueryId = queryId } });
        }
        if (Started is { } hold) await hold(id);
        var watch = Stopwatch.StartNew();
        var results = new List<StoredResult>();
        var subs = new List<SubStatement>();
        string status = StatementStatuses.Finished;
        string? error = null;
        var lastEnd = 0L;
        try
        {
            // Each statement sees whether it was cancelled from another process too: the stored status says ABORTED.
            using var aborted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            engine.ExecuteBatch(sqls, (i, outcome) =>
            {
                var subId = batch ? $"{id}:{i + 1}" : id;
                var rows = outcome.Rows.Select(r => r.Select(v => v is null ? (JsonElement?)null : JsonSerializer.SerializeToElement(v, Json)).ToArray()).ToArray();
                if (outcome.HasResultSet) results.Add(new StoredResult(subId, outcome.Columns, rows));
                var elapsed = watch.Elapsed.Ticks * 100;
                subs.Add(new SubStatement(subId, sqls[i], StatementStatuses.Finished, null, elapsed - lastEnd, outcome.HasResultSet,
                    outcome.HasResultSet ? outcome.Rows.Count : outcome.RowsAffected, outcome.HasResultSet ? JsonSerializer.SerializeToUtf8Bytes(rows, Json).LongLength : 0, queryId + i));
                lastEnd = elapsed;
                if (Load(id).Description.Status == StatementStatuses.Aborted) aborted.Cancel();
            }, aborted.Token,
            // Duration is the statements' time on the cluster, as Redshift reports it; opening the file is the Data API's connection.
            connected: () => watch.Restart());
        }
        catch (OperationCanceledException)
        {
            status = StatementStatuses.Aborted;
        }
        catch (RedshiftSqlException failure)
        {
            status = StatementStatuses.Failed;
            error = failure.DataApiError;
            if (batch) subs.Add(new SubStatement($"{id}:{subs.Count + 1}", sqls[subs.Count], StatementStatuses.Failed, error, watch.Elapsed.Ticks * 100 - lastEnd, false, -1, -1, queryId + subs.Count));
        }
        lock (fileLock)
        {
            var stored = Load(id);
            if (stored.Description.Status == StatementStatuses.Aborted) status = StatementStatuses.Aborted;
            if (status != StatementStatuses.Finished) results.Clear();
            if (batch)
                for (var i = subs.Count; i < sqls.Count; i++) subs.Add(new SubStatement($"{id}:{i + 1}", sqls[i], StatementStatuses.Aborted, null, 0, false, -1, -1));
            if (status == StatementStatuses.Aborted) subs = subs.Select(s => s with { Status = StatementStatuses.Aborted }).ToList();
            var finished = status == StatementStatuses.Finished;
            var description = stored.Description with
            {
                Status = status,
                Error = error,
                UpdatedAt = clock.GetUtcNow(),
                DurationNanoseconds = watch.Elapsed.Ticks * 100,
                HasResultSet = finished && results.Count > 0,
                ResultRows = finished ? subs.Sum(s => s.ResultRows) : -1,
                ResultSize = finished ? subs.Sum(s => s.ResultSize) : -1,
                SubStatements = batch ? subs : null,
            };
            Save(new StoredStatement(description, results));
        }
    }

    /// <summary>The next RedshiftQueryId: numbers that grow across the workspace's statements, as a cluster's query ids do.</summary>
    private long NextQueryId(int count)
    {
        lock (Queues)
        {
            var path = workspace.Resolve("state", "warehouse", "next-query-id");
            var next = File.Exists(path) && long.TryParse(File.ReadAllText(path), out var stored) ? stored : 1000;
            workspace.WriteAtomically(path, (next + count).ToString());
            return next;
        }
    }

    private void Save(StoredStatement statement) =>
        workspace.WriteAtomically(StatementFile(statement.Description.Id), JsonSerializer.SerializeToUtf8Bytes(statement, Json));

    private static ResourceNotFoundException Missing(string id) =>
        new(Service, $"Query {id} does not exist. Use the id ExecuteStatement or BatchExecuteStatement returned (a sub-statement's is that id, a colon and its number).");

    private StoredStatement Load(string id)
    {
        var batchId = id.Split(':')[0];
        var path = Guid.TryParse(batchId, out _) ? StatementFile(batchId) : null;
        if (path is null || !File.Exists(path)) throw Missing(id);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return WorkspaceJson.Read<StoredStatement>(path, Json)!;
            }
            catch (IOException) when (attempt < 5)
            {
                Thread.Sleep(10);
            }
        }
    }

    /// <summary>A stored value back in the type its column gives: JSON writes 4.0 as 4, and a float8 column still answers a double.</summary>
    private static object? Decode(JsonElement? value, string typeName) => value switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } number when typeName is "float8" or "float4" => number.GetDouble(),
        { ValueKind: JsonValueKind.String } text when typeName == "varbyte" => text.GetBytesFromBase64(),
        { ValueKind: JsonValueKind.String } text => text.GetString(),
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.Number } number when number.TryGetInt64(out var whole) => whole,
        { ValueKind: JsonValueKind.Number } number => number.GetDouble(),
        { } other => other.GetRawText(),
    };

    private string StatementFile(string id) => workspace.Resolve("state", "warehouse", "statements", id + ".json");
}
