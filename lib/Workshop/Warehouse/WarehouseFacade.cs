using StreamingWorkshop.Display;

namespace StreamingWorkshop.Warehouse;

/// <summary><c>workshop.Warehouse</c>: the Redshift query editor's view: run SQL on the stack's cluster through the Data API, list its tables.</summary>
public sealed class WarehouseFacade : IHtmlDisplay
{
    private readonly WorkshopSession session;

    internal WarehouseFacade(WorkshopSession session) => this.session = session;

    /// <summary>The first wait before a running statement is described again; each wait doubles, up to <see cref="LongestPoll"/>.</summary>
    public static TimeSpan FirstPoll { get; } = TimeSpan.FromMilliseconds(5);

    /// <summary>The longest wait between two descriptions of a running statement.</summary>
    public static TimeSpan LongestPoll { get; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The cluster, database and user the stack made: the outputs WarehouseClusterIdentifier, WarehouseDatabase and
    /// WarehouseUser where the stack has them, else its AWS::Redshift::Cluster resource's properties.
    /// </summary>
    public async Task<WarehouseTarget> TargetAsync(CancellationToken cancellationToken = default)
    {
        var (stack, cluster) = await StackAndClusterAsync(cancellationToken);
        string? Property(string name) => cluster?.Properties[name]?.GetValueKind() == System.Text.Json.JsonValueKind.String ? cluster.Properties[name]!.GetValue<string>() : null;
        var identifier = stack.Output("WarehouseClusterIdentifier") ?? (string.IsNullOrEmpty(cluster?.PhysicalResourceId) ? Property("ClusterIdentifier") : cluster.PhysicalResourceId);
        var database = stack.Output("WarehouseDatabase") ?? Property("DBName") ?? "dev";
        var user = stack.Output("WarehouseUser") ?? Property("MasterUsername");
        if (identifier is null || user is null)
            throw new InvalidOperationException($"Stack {session.Names.StackName} has no Redshift cluster. Deploy the workshop's template (workshop deploy), which makes one.");
        return new WarehouseTarget(identifier, database, user);
    }

    /// <summary>Runs one statement (ExecuteStatement), describes it until it ends, and reads every page of its result.</summary>
    public async Task<WarehouseResult> QueryAsync(string sql, CancellationToken cancellationToken = default)
    {
        var target = await TargetAsync(cancellationToken);
        var id = await session.Stages.Warehouse.ExecuteStatementAsync(target, sql, cancellationToken: cancellationToken);
        var description = await WaitAsync(id, cancellationToken);
        return await ResultAsync(description, id, cancellationToken);
    }

    /// <summary>Runs statements in one transaction (BatchExecuteStatement) and returns each one's result, in order.</summary>
    public async Task<IReadOnlyList<WarehouseResult>> ExecuteBatchAsync(IReadOnlyList<string> sqls, CancellationToken cancellationToken = default)
    {
        var target = await TargetAsync(cancellationToken);
        var id = await session.Stages.Warehouse.BatchExecuteStatementAsync(target, sqls, cancellationToken: cancellationToken);
        var description = await WaitAsync(id, cancellationToken);
        var results = new List<WarehouseResult>();
        foreach (var sub in description.SubStatements ?? [])
            results.Add(await ResultAsync(await session.Stages.Warehouse.DescribeStatementAsync(sub.Id, cancellationToken), sub.Id, cancellationToken));
        return results;
    }

    /// <summary>The cluster's tables with their design and size (SVV_TABLE_INFO).</summary>
    public Task<WarehouseResult> TablesAsync(CancellationToken cancellationToken = default) =>
        QueryAsync("""SELECT "schema", "table", diststyle, sortkey1, encoded, tbl_rows, size FROM svv_table_info ORDER BY "schema", "table" """, cancellationToken);

    /// <summary>The deployed stack and its Redshift cluster resource (null if the template made none).</summary>
    private async Task<(Stack.StackState Stack, Stack.StackResource? Cluster)> StackAndClusterAsync(CancellationToken cancellationToken)
    {
        await session.EnsurePipelineAsync(cancellationToken);
        var stack = await session.Stages.Stack.DescribeAsync(session.Names.StackName, cancellationToken);
        return (stack, stack.Resources.FirstOrDefault(r => r.ResourceType == "AWS::Redshift::Cluster"));
    }

    /// <summary>
    /// The IAM role the stack attached to the cluster, for COPY, UNLOAD and external schemas to name (IAM_ROLE '...'): the stack
    /// cannot make it the cluster's default role, so <c>IAM_ROLE default</c> does not work on the stack's cluster.
    /// </summary>
    public async Task<string> RoleArnAsync(CancellationToken cancellationToken = default)
    {
        var (stack, cluster) = await StackAndClusterAsync(cancellationToken);
        return stack.Output("WarehouseRoleArn")
            ?? cluster?.Properties["IamRoles"]?.AsArray().Select(r => r?.GetValue<string>()).FirstOrDefault(r => r is not null)
            ?? throw new InvalidOperationException($"Stack {session.Names.StackName}'s cluster has no IAM role. Deploy the workshop's template again (workshop deploy), which attaches one.");
    }

    /// <summary>
    /// The local backend's catch-up for a month: <paramref name="days"/> days of the workshop's cities before the simulated
    /// day, written into the lake under <c>warehouse-month/</c> as the delivery stream writes them (one object per city and
    /// day), for COPY to load. Returns the prefix to load from. The pipeline's own prefix and the catalog are left alone.
    /// </summary>
    public async Task<string> WriteMonthToLakeAsync(int days = 30, CancellationToken cancellationToken = default)
    {
        _ = session.Local ?? throw new NotSupportedException("Writing a month into the lake is the local backend's catch-up; on AWS, COPY the days your lake holds.");
        await session.EnsurePipelineAsync(cancellationToken);
        const string prefix = "warehouse-month/";
        var existing = await session.Lake.ListObjectsV2Async(new Lake.ListObjectsRequest(session.Names.LakeBucket, Prefix: prefix, MaxKeys: 1), cancellationToken);
        if (existing.KeyCount == 0)
        {
            var end = session.SimulatedStart ?? session.Stages.Time.GetUtcNow();
            var start = new DateTimeOffset(end.UtcDateTime.Date, TimeSpan.Zero).AddDays(-days);
            await MonthOfReadings.WriteAsync(session, prefix, start, days, session.Cities, cancellationToken: cancellationToken);
        }
        return $"s3://{session.Names.LakeBucket}/{prefix}";
    }

    /// <summary>
    /// Asks each question of Athena over <paramref name="jsonTable"/> (JSON.gz) and <paramref name="parquetTable"/> (Parquet), and of
    /// the warehouse over <paramref name="warehouseTable"/>, <paramref name="repeats"/> times each, keeping the fastest run.
    /// </summary>
    public Task<EngineComparison> CompareWithAthenaAsync(IReadOnlyList<(string Name, Func<string, string> Sql)> questions,
        string jsonTable, string parquetTable, string warehouseTable, int repeats = 3, CancellationToken cancellationToken = default) =>
        EngineComparison.RunAsync(session, questions, jsonTable, parquetTable, warehouseTable, async (sql, token) =>
        {
            var result = await QueryAsync(sql, token);
            return (result.Duration, result.Rows.Count);
        }, repeats, cancellationToken);

    /// <summary>Runs the learner's answer to the warehouse notebook's challenge and judges it against Athena's answer over the lake.</summary>
    public async Task<ChallengeVerdict> CheckChallengeAsync(string sql, CancellationToken cancellationToken = default)
    {
        WarehouseResult mine;
        try
        {
            mine = await QueryAsync(sql, cancellationToken);
        }
        catch (WarehouseStatementException error)
        {
            return new ChallengeVerdict(1, false, $"The query did not run: {error.Message}", WarehouseChallenge.Name);
        }
        // The lake may have grown since weather_readings was loaded: the answer is judged on what the warehouse holds.
        var loaded = await QueryAsync("SELECT MAX(measurement_time) AS loaded_up_to FROM weather_readings", cancellationToken);
        if (loaded.Rows is not [[{ } upTo]])
            return new ChallengeVerdict(1, false, "The table weather_readings is empty: load the lake into it with COPY first.", WarehouseChallenge.Name);
        return await WarehouseChallenge.CheckAsync(session, mine.Rows, WarehouseChallenge.AsTime(upTo)!.Value, cancellationToken);
    }

    private async Task<StatementDescription> WaitAsync(string id, CancellationToken cancellationToken)
    {
        var wait = FirstPoll;
        // Where the statement runs in this process (locally), its task says when it ends: a poll then comes at once, not
        // up to twice the statement's time later.
        var ending = session.Stages.Warehouse.RunningTask(id);
        while (true)
        {
            var description = await session.Stages.Warehouse.DescribeStatementAsync(id, cancellationToken);
            if (description.Status is StatementStatuses.Failed or StatementStatuses.Aborted)
                throw new WarehouseStatementException(id, description.Status, description.Error ?? $"The statement was {description.Status.ToLowerInvariant()}.");
            if (description.Status == StatementStatuses.Finished) return description;
            // Short waits first, so a quick statement returns quickly; a long one is asked about once a second.
            if (ending is null) await Task.Delay(wait, cancellationToken);
            else
            {
                await Task.WhenAny(Task.Delay(wait, cancellationToken), ending);
                cancellationToken.ThrowIfCancellationRequested();
            }
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, LongestPoll.Ticks));
        }
    }

    private async Task<WarehouseResult> ResultAsync(StatementDescription description, string id, CancellationToken cancellationToken)
    {
        if (!description.HasResultSet) return new WarehouseResult(description, [], []);
        var rows = new List<object?[]>();
        IReadOnlyList<WarehouseColumn> columns = [];
        string? token = null;
        do
        {
            var page = await session.Stages.Warehouse.GetStatementResultAsync(id, token, cancellationToken);
            columns = page.Columns;
            rows.AddRange(page.Records);
            token = page.NextToken;
        }
        while (token is not null);
        return new WarehouseResult(description, columns, rows);
    }

    private CallsView Calls => new("workshop.Warehouse: SQL on the stack's Redshift cluster", [
        ("QueryAsync(sql)", "ExecuteStatement, DescribeStatement until done, GetStatementResult (every page)"),
        ("ExecuteBatchAsync(sqls)", "BatchExecuteStatement, DescribeStatement, GetStatementResult per sub-statement"),
        ("TablesAsync()", "ExecuteStatement on SVV_TABLE_INFO"),
        ("TargetAsync()", "DescribeStacks: the cluster, database and user"),
        ("RoleArnAsync()", "DescribeStacks: the IAM role attached to the cluster"),
        ("WriteMonthToLakeAsync()", "local catch-up: a month of readings in the lake, for COPY"),
        ("CompareWithAthenaAsync(...)", "the same SQL through Athena (JSON.gz, Parquet) and the Data API"),
        ("CheckChallengeAsync(sql)", "ExecuteStatement, then Athena for the answer"),
    ]);

    public string ToHtml() => Calls.ToHtml();

    public override string ToString() => Calls.ToString();
}
