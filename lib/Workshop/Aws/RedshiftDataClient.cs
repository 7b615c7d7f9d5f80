using System.Text.Json.Nodes;
using StreamingWorkshop.Display;
using StreamingWorkshop.Warehouse;

namespace StreamingWorkshop.Aws;

/// <summary>
/// The Redshift Data API (JSON 1.1, target prefix RedshiftData): statements on the stack's cluster, run
/// asynchronously by the service; <see cref="RunAsync"/> polls one to its end as the Athena client does.
/// </summary>
public sealed class RedshiftDataClient(AwsJsonClient redshiftData, Func<TimeSpan, CancellationToken, Task>? wait = null) : IWarehouseService, IHtmlDisplay, IDisposable
{
    /// <summary>In a notebook, the warehouse stage's calls rather than an object tree.</summary>
    public string ToHtml() => StageCalls.Warehouse.ToHtml();

    public override string ToString() => StageCalls.Warehouse.ToString();

    private readonly AwsJsonClient client = redshiftData;
    private readonly Func<TimeSpan, CancellationToken, Task> wait = wait ?? Task.Delay;

    public async Task<string> ExecuteStatementAsync(WarehouseTarget target, string sql, string? statementName = null, CancellationToken cancellationToken = default)
    {
        var request = Target(target, statementName);
        request["Sql"] = sql;
        return (string)(await client.CallAsync("ExecuteStatement", request, cancellationToken))["Id"]!;
    }

    public async Task<string> BatchExecuteStatementAsync(WarehouseTarget target, IReadOnlyList<string> sqls, string? statementName = null, CancellationToken cancellationToken = default)
    {
        var request = Target(target, statementName);
        request["Sqls"] = new JsonArray(sqls.Select(s => (JsonNode)JsonValue.Create(s)).ToArray());
        return (string)(await client.CallAsync("BatchExecuteStatement", request, cancellationToken))["Id"]!;
    }

    public async Task<StatementDescription> DescribeStatementAsync(string id, CancellationToken cancellationToken = default)
    {
        var reply = await client.CallAsync("DescribeStatement", new JsonObject { ["Id"] = id }, cancellationToken);
        var subs = reply["SubStatements"]?.AsArray().Select(s => new SubStatement((string)s!["Id"]!, (string?)s["QueryString"] ?? "", (string?)s["Status"] ?? StatementStatuses.Submitted,
            (string?)s["Error"], (long?)s["Duration"] ?? 0, (bool?)s["HasResultSet"] ?? false, (long?)s["ResultRows"] ?? -1, (long?)s["ResultSize"] ?? -1)).ToArray();
        return new StatementDescription((string)reply["Id"]!, (string?)reply["QueryString"] ?? "", (string?)reply["Status"] ?? StatementStatuses.Submitted, (string?)reply["Error"],
            AwsJson.Timestamp(reply["CreatedAt"]), AwsJson.Timestamp(reply["UpdatedAt"]), (long?)reply["Duration"] ?? 0, (bool?)reply["HasResultSet"] ?? false,
            (long?)reply["ResultRows"] ?? -1, (long?)reply["ResultSize"] ?? -1, (string?)reply["ClusterIdentifier"] ?? "", (string?)reply["Database"] ?? "", (string?)reply["DbUser"] ?? "",
            StatementName: null, SubStatements: subs is { Length: > 0 } ? subs : null, RedshiftQueryId: (long?)reply["RedshiftQueryId"] ?? 0);
    }

    public async Task<StatementResultPage> GetStatementResultAsync(string id, string? nextToken = null, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject { ["Id"] = id };
        if (nextToken is not null) request["NextToken"] = nextToken;
        var reply = await client.CallAsync("GetStatementResult", request, cancellationToken);
        var columns = reply["ColumnMetadata"]?.AsArray().Select(c => new WarehouseColumn((string?)c!["name"] ?? (string?)c["label"] ?? "", (string?)c["typeName"] ?? "varchar")).ToArray() ?? [];
        var records = reply["Records"]?.AsArray().Select(r => r!.AsArray().Select(FieldValue).ToArray()).ToArray() ?? [];
        return new StatementResultPage(columns, records, (long?)reply["TotalNumRows"] ?? records.Length, (string?)reply["NextToken"]);
    }

    public async Task<bool> CancelStatementAsync(string id, CancellationToken cancellationToken = default) =>
        (bool?)(await client.CallAsync("CancelStatement", new JsonObject { ["Id"] = id }, cancellationToken))["Status"] ?? false;

    /// <summary>
    /// Polls a statement until it ends (reporting each change of state); cancels it on the cluster if the caller gives up,
    /// since a statement left running keeps the cluster busy.
    /// </summary>
    public async Task<StatementDescription> WaitAsync(string id, IProgress<StatementDescription>? progress = null, CancellationToken cancellationToken = default)
    {
        string? lastStatus = null;
        for (var pause = TimeSpan.FromMilliseconds(200); ; pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 1.5, 2000)))
        {
            var statement = await DescribeStatementAsync(id, CancellationToken.None);
            if (statement.Status != lastStatus) progress?.Report(statement);
            lastStatus = statement.Status;
            if (StatementStatuses.HasEnded(statement.Status)) return statement;
            try
            {
                await wait(pause, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                await CancelStatementAsync(id, CancellationToken.None);
                throw;
            }
        }
    }

    /// <summary>Runs one statement to its end and reads every page of its rows; a failed statement throws <see cref="WarehouseStatementException"/>.</summary>
    public async Task<(StatementDescription Statement, StatementResultPage Result)> RunAsync(WarehouseTarget target, string sql, IProgress<StatementDescription>? progress = null, CancellationToken cancellationToken = default)
    {
        var id = await ExecuteStatementAsync(target, sql, cancellationToken: cancellationToken);
        var statement = await WaitAsync(id, progress, cancellationToken);
        if (statement.Status != StatementStatuses.Finished)
            throw new WarehouseStatementException(id, statement.Status, statement.Error ?? $"The statement ended {statement.Status}.");
        if (!statement.HasResultSet) return (statement, new StatementResultPage([], [], 0, null));
        var page = await GetStatementResultAsync(id, cancellationToken: cancellationToken);
        var rows = new List<object?[]>(page.Records);
        for (var next = page.NextToken; next is not null; next = page.NextToken)
        {
            page = await GetStatementResultAsync(id, next, cancellationToken);
            rows.AddRange(page.Records);
        }
        return (statement, new StatementResultPage(page.Columns, rows, rows.Count, null));
    }

    private static JsonObject Target(WarehouseTarget target, string? statementName)
    {
        var request = new JsonObject { ["ClusterIdentifier"] = target.ClusterIdentifier, ["Database"] = target.Database, ["DbUser"] = target.DbUser };
        if (statementName is not null) request["StatementName"] = statementName;
        return request;
    }

    /// <summary>A Field is a union: exactly one of its members is set; isNull stands for SQL NULL.</summary>
    private static object? FieldValue(JsonNode? field) => field switch
    {
        null => null,
        _ when (bool?)field["isNull"] == true => null,
        _ when field["longValue"] is { } number => (long)number,
        _ when field["doubleValue"] is { } number => (double)number,
        _ when field["booleanValue"] is { } truth => (bool)truth,
        _ when field["stringValue"] is { } text => (string)text!,
        _ when field["blobValue"] is { } blob => Convert.FromBase64String((string)blob!),
        _ => null,
    };

    public void Dispose() => client.Dispose();
}
