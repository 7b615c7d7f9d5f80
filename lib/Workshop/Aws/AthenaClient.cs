using System.Globalization;
using System.Text.Json.Nodes;
using StreamingWorkshop.Query;

namespace StreamingWorkshop.Aws;

/// <summary>Amazon Athena: start a query, poll it with progress, read its results page by page into <see cref="QueryResult"/>.</summary>
public sealed class AthenaClient(AwsJsonClient athena, Func<TimeSpan, CancellationToken, Task>? wait = null) : IDisposable
{
    private readonly Func<TimeSpan, CancellationToken, Task> wait = wait ?? Task.Delay;

    public async Task<string> StartQueryExecutionAsync(string sql, string database, string? outputLocation, string workGroup, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject
        {
            ["QueryString"] = sql,
            ["ClientRequestToken"] = Guid.NewGuid().ToString(),
            ["QueryExecutionContext"] = new JsonObject { ["Database"] = database },
            ["WorkGroup"] = workGroup,
        };
        // No location: the workgroup's own applies, as in the Athena console.
        if (outputLocation is not null) request["ResultConfiguration"] = new JsonObject { ["OutputLocation"] = outputLocation };
        var reply = await athena.CallAsync("StartQueryExecution", request, cancellationToken);
        return (string)reply["QueryExecutionId"]!;
    }

    public async Task<QueryExecution> GetQueryExecutionAsync(string id, CancellationToken cancellationToken = default) =>
        ReadExecution((await athena.CallAsync("GetQueryExecution", new JsonObject { ["QueryExecutionId"] = id }, cancellationToken))["QueryExecution"]!);

    public async Task StopQueryExecutionAsync(string id, CancellationToken cancellationToken = default) =>
        await athena.CallAsync("StopQueryExecution", new JsonObject { ["QueryExecutionId"] = id }, cancellationToken);

    /// <summary>The work group's most recent queries, newest first.</summary>
    public async Task<IReadOnlyList<QueryExecution>> ListQueryExecutionsAsync(string workGroup, int max = 50, CancellationToken cancellationToken = default)
    {
        var ids = (await athena.CallAsync("ListQueryExecutions", new JsonObject { ["WorkGroup"] = workGroup, ["MaxResults"] = Math.Clamp(max, 1, 50) }, cancellationToken))["QueryExecutionIds"]?
            .AsArray().Select(i => (JsonNode)JsonValue.Create((string)i!)!).ToArray() ?? [];
        if (ids.Length == 0) return [];
        var batch = await athena.CallAsync("BatchGetQueryExecution", new JsonObject { ["QueryExecutionIds"] = new JsonArray(ids) }, cancellationToken);
        return batch["QueryExecutions"]?.AsArray().Select(e => ReadExecution(e!)).OrderByDescending(e => e.SubmissionDateTime).ToArray() ?? [];
    }

    /// <summary>
    /// Runs a query to the end: polls its state (reporting each change), stops it on AWS if cancelled, throws
    /// <see cref="AthenaQueryException"/> if it fails, and reads every page of its results.
    /// </summary>
    public async Task<QueryResult> RunAsync(string sql, AthenaSettings settings, string? database = null, IProgress<QueryExecution>? progress = null, CancellationToken cancellationToken = default)
    {
        var id = await StartQueryExecutionAsync(sql, database ?? settings.DefaultDatabase, settings.ResultsBucket.Length == 0 ? null : $"s3://{settings.ResultsBucket}/", settings.WorkGroup, cancellationToken);
        var execution = await WaitAsync(id, progress, cancellationToken);
        if (execution.State != QueryStates.Succeeded)
        {
            var errorType = execution.ErrorType ?? (execution.State == QueryStates.Cancelled ? "QUERY_CANCELLED" : "INTERNAL_ERROR");
            var reason = execution.StateChangeReason ?? $"The query ended {execution.State}.";
            throw new AthenaQueryException(errorType, reason.StartsWith(errorType + ": ", StringComparison.Ordinal) ? reason[(errorType.Length + 2)..] : reason, id);
        }
        var (columns, rows, updateCount) = await ReadResultsAsync(id, execution.StatementType, cancellationToken);
        return new QueryResult(execution, columns, rows, updateCount);
    }

    private async Task<QueryExecution> WaitAsync(string id, IProgress<QueryExecution>? progress, CancellationToken cancellationToken)
    {
        string? lastState = null;
        for (var pause = TimeSpan.FromMilliseconds(200); ; pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 1.5, 2000)))
        {
            var execution = await GetQueryExecutionAsync(id, CancellationToken.None);
            if (execution.State != lastState) progress?.Report(execution);
            lastState = execution.State;
            if (execution.State is QueryStates.Succeeded or QueryStates.Failed or QueryStates.Cancelled) return execution;
            try
            {
                await wait(pause, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // A query left running keeps scanning (and billing); stop it before giving up.
                await StopQueryExecutionAsync(id, CancellationToken.None);
                throw;
            }
        }
    }

    private async Task<(IReadOnlyList<ResultColumn>, IReadOnlyList<object?[]>, long?)> ReadResultsAsync(string id, string statementType, CancellationToken cancellationToken)
    {
        IReadOnlyList<ResultColumn> columns = [];
        var rows = new List<object?[]>();
        string? next = null;
        var firstPage = true;
        long? updateCount = null;
        do
        {
            var request = new JsonObject { ["QueryExecutionId"] = id, ["MaxResults"] = 1000 };
            if (next is not null) request["NextToken"] = next;
            var page = await athena.CallAsync("GetQueryResults", request, cancellationToken);
            var set = page["ResultSet"];
            // An INSERT INTO answers with the rows it wrote and no columns; a CTAS gives its count too, which the kit leaves out.
            if (firstPage && statementType == "DML" && (long?)page["UpdateCount"] is { } inserted && set?["ResultSetMetadata"]?["ColumnInfo"]?.AsArray().Count is null or 0)
                updateCount = inserted;
            if (firstPage)
                columns = set?["ResultSetMetadata"]?["ColumnInfo"]?.AsArray().Select(c => new ResultColumn((string)c!["Name"]!, (string?)c["Type"] ?? "varchar")).ToArray() ?? [];
            var pageRows = set?["Rows"]?.AsArray().Select(r => r!["Data"]?.AsArray().Select(d => (string?)d?["VarCharValue"]).ToArray() ?? []).ToList() ?? [];
            // A SELECT's first row repeats the column names.
            if (firstPage && statementType == "DML" && pageRows.Count > 0 && pageRows[0].SequenceEqual(columns.Select(c => (string?)c.Name))) pageRows.RemoveAt(0);
            rows.AddRange(pageRows.Select(values => columns.Select((c, i) => Convert(i < values.Length ? values[i] : null, c.Type)).ToArray()));
            next = (string?)page["NextToken"];
            firstPage = false;
        } while (next is not null);
        return (columns, rows, updateCount);
    }

    /// <summary>Athena returns every value as text; the kit's results carry typed values, as the local engine gives them.</summary>
    public static object? Convert(string? value, string type)
    {
        if (value is null) return null;
        var invariant = CultureInfo.InvariantCulture;
        return type switch
        {
            "bigint" => long.Parse(value, invariant),
            "integer" or "int" or "smallint" or "tinyint" => int.Parse(value, invariant),
            "double" => double.Parse(value, invariant),
            "float" or "real" => float.Parse(value, invariant),
            "decimal" => decimal.Parse(value, invariant),
            "boolean" => bool.Parse(value),
            "date" => DateOnly.ParseExact(value, "yyyy-MM-dd", invariant),
            "timestamp" => DateTime.Parse(value, invariant, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            _ => value,
        };
    }

    private static QueryExecution ReadExecution(JsonNode e)
    {
        var status = e["Status"];
        var statistics = e["Statistics"];
        var statementType = (string?)e["StatementType"] ?? "DML";
        var scanned = (long?)statistics?["DataScannedInBytes"] ?? 0;
        var stats = statistics is null ? null : new QueryStatistics(scanned, (long?)statistics["EngineExecutionTimeInMillis"] ?? 0,
            (long?)statistics["QueryQueueTimeInMillis"] ?? 0, (long?)statistics["TotalExecutionTimeInMillis"] ?? 0,
            AthenaPricing.EstimatedCost(scanned, statementType == "DDL"), FilesScanned: null);
        var error = status?["AthenaError"];
        var reason = (string?)error?["ErrorMessage"] ?? (string?)status?["StateChangeReason"];
        return new QueryExecution((string)e["QueryExecutionId"]!, (string?)e["Query"] ?? "", statementType,
            (string?)e["QueryExecutionContext"]?["Database"] ?? "", (string?)e["WorkGroup"] ?? "primary",
            (string?)e["ResultConfiguration"]?["OutputLocation"] ?? "", (string?)status?["State"] ?? QueryStates.Queued,
            reason, error is null ? null : ErrorName(reason, (int?)error["ErrorCategory"]),
            AwsJson.Timestamp(status?["SubmissionDateTime"]), status?["CompletionDateTime"] is { } done ? AwsJson.Timestamp(done) : null, stats);
    }

    // AthenaError.ErrorType is a number; the message starts with the error's name (COLUMN_NOT_FOUND: ...), which the local engine uses.
    private static string ErrorName(string? message, int? category)
    {
        var colon = message?.IndexOf(':') ?? -1;
        if (colon > 0 && message![..colon].All(ch => char.IsAsciiLetterUpper(ch) || ch == '_')) return message[..colon];
        return category == 1 ? "INTERNAL_ERROR" : "GENERIC_USER_ERROR";
    }

    public void Dispose() => athena.Dispose();
}
