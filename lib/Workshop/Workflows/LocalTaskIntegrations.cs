using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Jobs;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Query;
using StreamingWorkshop.Workflows.Asl;

namespace StreamingWorkshop.Workflows;

/// <summary>
/// The services a Task state calls on the local backend, with the real integrations' resources, parameters and
/// outputs: Athena queries (the optimised integration, .sync or not, and its results), Glue job runs (.sync or not),
/// the Glue crawler and catalog calls of the AWS SDK integration, and invoking the producer function. A call that runs
/// at once completes at the clock's time when it ran; a .sync Glue job is asked again whenever its run next changes.
/// Errors carry the names a Retry or Catch matches: the service's prefix and its error code (Glue.EntityNotFoundException),
/// or States.TaskFailed for a .sync job or query that ended badly, its description as the cause.
/// </summary>
public sealed class LocalTaskIntegrations(LocalBackend backend) : ITaskIntegrations
{
    public const string AthenaStartQuerySync = "arn:aws:states:::athena:startQueryExecution.sync";
    public const string AthenaStartQuery = "arn:aws:states:::athena:startQueryExecution";
    public const string AthenaGetQueryResults = "arn:aws:states:::athena:getQueryResults";
    public const string GlueStartJobRunSync = "arn:aws:states:::glue:startJobRun.sync";
    public const string GlueStartJobRun = "arn:aws:states:::glue:startJobRun";
    public const string GlueStartCrawler = "arn:aws:states:::aws-sdk:glue:startCrawler";
    public const string GlueGetCrawler = "arn:aws:states:::aws-sdk:glue:getCrawler";
    public const string GlueGetTable = "arn:aws:states:::aws-sdk:glue:getTable";
    public const string GlueGetPartitions = "arn:aws:states:::aws-sdk:glue:getPartitions";
    public const string LambdaInvoke = "arn:aws:states:::lambda:invoke";

    /// <summary>The error a Task reports when a .sync job or query ends in any state but success.</summary>
    public const string TaskFailed = "States.TaskFailed";

    /// <summary>How long a .sync Glue job waits before asking again when its runtime cannot say when the run next changes.</summary>
    public static readonly TimeSpan JobPollInterval = TimeSpan.FromMinutes(1);

    private static readonly string[] Resources =
        [AthenaStartQuerySync, AthenaStartQuery, AthenaGetQueryResults, GlueStartJobRunSync, GlueStartJobRun, GlueStartCrawler, GlueGetCrawler, GlueGetTable, GlueGetPartitions, LambdaInvoke];

    public IReadOnlyList<string> Supported => Resources;

    public bool Supports(string resource) => Resources.Contains(resource, StringComparer.Ordinal);

    public async Task<TaskOutcome> StartAsync(TaskRequest request, CancellationToken cancellationToken = default)
    {
        try
        {
            return request.Resource switch
            {
                AthenaStartQuerySync => StartQuery(request, sync: true),
                AthenaStartQuery => StartQuery(request, sync: false),
                AthenaGetQueryResults => QueryResults(request),
                GlueStartJobRunSync => await StartJobRunAsync(request, sync: true, cancellationToken),
                GlueStartJobRun => await StartJobRunAsync(request, sync: false, cancellationToken),
                GlueStartCrawler => await StartCrawlerAsync(request, cancellationToken),
                GlueGetCrawler => Done(new JsonObject { ["Crawler"] = CrawlerShape(backend.Crawlers.GetCrawler(Text(request, "Name"))) }),
                GlueGetTable => Done(new JsonObject { ["Table"] = TableShape(backend.Catalog.GetTable(Text(request, "DatabaseName"), Text(request, "Name")), backend.AccountId) }),
                GlueGetPartitions => Partitions(request),
                LambdaInvoke => await InvokeAsync(request, cancellationToken),
                _ => throw Unsupported(request.Resource),
            };
        }
        catch (TaskFault fault)
        {
            return new TaskOutcome.Failed(fault.Error, fault.Message, Now);
        }
        catch (ServiceException error)
        {
            return ServiceFailure(request.Resource, error);
        }
    }

    public async Task<TaskOutcome> PollAsync(TaskRequest request, JsonNode? handle, CancellationToken cancellationToken = default)
    {
        if (request.Resource != GlueStartJobRunSync) throw Unsupported(request.Resource);
        try
        {
            return await JobRunOutcomeAsync(Text(request, "JobName"), RunIdOf(handle), cancellationToken);
        }
        catch (TaskFault fault)
        {
            return new TaskOutcome.Failed(fault.Error, fault.Message, Now);
        }
        catch (ServiceException error)
        {
            return ServiceFailure(request.Resource, error);
        }
    }

    public async Task CancelAsync(TaskRequest request, JsonNode? handle, CancellationToken cancellationToken = default)
    {
        // Only a .sync Glue job is ever pending. A run that has already ended is left as it is (BatchStopJobRun reports it),
        // and a job the stack has deleted has nothing left to stop.
        if (request.Resource != GlueStartJobRunSync) return;
        try
        {
            await backend.Jobs.BatchStopJobRunAsync(Text(request, "JobName"), [RunIdOf(handle)], cancellationToken);
        }
        catch (Exception error) when (error is ServiceException or TaskFault)
        {
        }
    }

    private DateTimeOffset Now => backend.Clock.GetUtcNow();

    private static TaskOutcome Done(JsonNode output, DateTimeOffset at) => new TaskOutcome.Succeeded(output, at);

    private TaskOutcome Done(JsonNode output) => new TaskOutcome.Succeeded(output, Now);

    private TaskOutcome StartQuery(TaskRequest request, bool sync)
    {
        var athena = backend.Athena;
        var workGroup = OptionalText(request, request.Parameters, "WorkGroup", "WorkGroup");
        if (workGroup is not null && workGroup != athena.Settings.WorkGroup)
            throw new TaskFault("Athena.InvalidRequestException", $"WorkGroup {workGroup} is not found. The local backend has one work group, {athena.Settings.WorkGroup}.");
        var id = athena.StartQueryExecution(Text(request, "QueryString"), OptionalText(request, Member(request, "QueryExecutionContext"), "Database", "QueryExecutionContext.Database"),
            OptionalText(request, Member(request, "ResultConfiguration"), "OutputLocation", "ResultConfiguration.OutputLocation"));
        if (!sync) return Done(new JsonObject { ["QueryExecutionId"] = id });
        var execution = athena.GetQueryExecution(id);
        var described = new JsonObject { ["QueryExecution"] = QueryExecutionShape(execution) };
        var ended = execution.CompletionDateTime ?? Now;
        return execution.State == QueryStates.Succeeded ? Done(described, ended) : new TaskOutcome.Failed(TaskFailed, Asl.JsonValues.ToText(described), ended);
    }

    private TaskOutcome QueryResults(TaskRequest request)
    {
        var athena = backend.Athena;
        var id = Text(request, "QueryExecutionId");
        var nextToken = OptionalText(request, request.Parameters, "NextToken", "NextToken");
        var (columns, rows, next) = athena.GetQueryResults(id, nextToken, OptionalNumber(request, "MaxResults") ?? 1000);
        // The local engine's first page always starts with the column names; Athena's does so for a DML statement only.
        var skipHeader = nextToken is null && athena.GetQueryExecution(id).StatementType != "DML";
        var output = new JsonObject
        {
            ["ResultSet"] = new JsonObject
            {
                ["Rows"] = new JsonArray(rows.Skip(skipHeader ? 1 : 0).Select(row => (JsonNode)new JsonObject
                {
                    ["Data"] = new JsonArray(row.Select(value => (JsonNode)(value is null ? new JsonObject() : new JsonObject { ["VarCharValue"] = value })).ToArray()),
                }).ToArray()),
                ["ResultSetMetadata"] = new JsonObject
                {
                    ["ColumnInfo"] = new JsonArray(columns.Select(c => (JsonNode)new JsonObject
                    {
                        ["CatalogName"] = "hive", ["SchemaName"] = "", ["TableName"] = "", ["Name"] = c.Name, ["Label"] = c.Name, ["Type"] = c.Type,
                        ["Precision"] = 0, ["Scale"] = 0, ["Nullable"] = "UNKNOWN", ["CaseSensitive"] = c.Type is "varchar" or "string",
                    }).ToArray()),
                },
            },
            ["UpdateCount"] = athena.UpdateCount(id) ?? 0,
        };
        if (next is not null) output["NextToken"] = next;
        return Done(output);
    }

    private async Task<TaskOutcome> StartJobRunAsync(TaskRequest request, bool sync, CancellationToken cancellationToken)
    {
        var jobName = Text(request, "JobName");
        var arguments = Member(request, "Arguments")?.ToDictionary(a => a.Key,
            a => a.Value is JsonValue value && value.TryGetValue<string>(out var text) ? text : throw new TaskFault("Glue.InvalidInputException", $"Argument {a.Key} of job {jobName} must be a string; quote it in the state's Parameters."),
            StringComparer.Ordinal);
        var runId = await backend.Jobs.StartJobRunAsync(jobName, arguments, cancellationToken);
        return sync ? await JobRunOutcomeAsync(jobName, runId, cancellationToken) : Done(new JsonObject { ["JobRunId"] = runId });
    }

    /// <summary>Where a .sync job run is: ended (its JobRun, or States.TaskFailed with the JobRun as the cause), or pending until it next changes.</summary>
    private async Task<TaskOutcome> JobRunOutcomeAsync(string jobName, string runId, CancellationToken cancellationToken)
    {
        var run = await backend.Jobs.GetJobRunAsync(jobName, runId, cancellationToken);
        if (!JobRunStates.HasEnded(run.JobRunState))
            return new TaskOutcome.Pending(new JsonObject { ["JobRunId"] = runId }, backend.Jobs.NextChangeAt(jobName, runId) ?? Now + JobPollInterval);
        var ended = run.CompletedOn ?? run.LastModifiedOn;
        return run.JobRunState == JobRunStates.Succeeded ? Done(JobRunShape(run), ended) : new TaskOutcome.Failed(TaskFailed, Asl.JsonValues.ToText(JobRunShape(run)), ended);
    }

    private async Task<TaskOutcome> StartCrawlerAsync(TaskRequest request, CancellationToken cancellationToken)
    {
        // The local crawler runs to its end within the call; a state machine that polls getCrawler finds it READY again.
        await backend.Crawlers.StartCrawlerAsync(Text(request, "Name"), cancellationToken);
        return Done(new JsonObject());
    }

    private TaskOutcome Partitions(TaskRequest request)
    {
        if (OptionalText(request, request.Parameters, "Expression", "Expression") is { } expression)
            throw new TaskFault("Glue.InvalidInputException", $"The local backend's getPartitions lists every partition and takes no Expression ('{expression}'); filter the list with a Choice or in the next state.");
        var partitions = backend.Catalog.GetPartitions(Text(request, "DatabaseName"), Text(request, "TableName"));
        var table = backend.Catalog.GetTable(Text(request, "DatabaseName"), Text(request, "TableName"));
        return Done(new JsonObject
        {
            ["Partitions"] = new JsonArray(partitions.Select(p => (JsonNode)new JsonObject
            {
                ["Values"] = new JsonArray(p.Values.Select(v => (JsonNode)v).ToArray()),
                ["DatabaseName"] = table.DatabaseName,
                ["TableName"] = table.Name,
                ["CreationTime"] = Iso(p.CreateTime),
                ["StorageDescriptor"] = new JsonObject { ["Columns"] = ColumnsShape(p.Columns ?? table.Columns), ["Location"] = p.Location },
            }).ToArray()),
        });
    }

    private async Task<TaskOutcome> InvokeAsync(TaskRequest request, CancellationToken cancellationToken)
    {
        var given = Text(request, "FunctionName");
        // FunctionName may be a name, a name with a qualifier, or a (partial) ARN, as Invoke takes it.
        var name = given.StartsWith("arn:", StringComparison.Ordinal) ? given.Split(':').ElementAtOrDefault(6) ?? given : given.Split(':')[0];
        var function = backend.Stacks.ResourcesOfType("AWS::Lambda::Function").Select(f => f.Resource).FirstOrDefault(f => f.PhysicalResourceId == name)
            ?? throw new TaskFault("Lambda.ResourceNotFoundException",
                $"Function not found: arn:aws:lambda:{backend.Region}:{backend.AccountId}:function:{name} (Service: Lambda, Status Code: 404). Name a function the stack made, such as the producer.");
        var variables = function.Properties["Environment"]?["Variables"] as JsonObject;
        var streamName = variables?["STREAM_NAME"]?.ToString()
            ?? throw new TaskFault("Lambda.InvalidParameterValueException", $"Function {name} has no STREAM_NAME variable, so the producer does not know its stream; give it one in the template.");
        var cities = City.Resolve(variables["CITIES"]?.ToString()?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? []);
        JsonObject payload;
        try
        {
            var summary = await backend.ProducerFor(streamName, cities, name).InvokeAsync(cancellationToken);
            backend.Clock.Save();
            // As the template's handler returns it: the summary as a JSON text in the body.
            var body = new JsonObject
            {
                ["processed"] = summary.Processed,
                ["failed_cities"] = new JsonArray(summary.FailedCities.Select(c => (JsonNode)c).ToArray()),
                ["time"] = summary.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture),
            };
            payload = new JsonObject { ["statusCode"] = 200, ["body"] = Asl.JsonValues.ToText(body) };
        }
        catch (Exception error) when (error is ServiceException or ArgumentException or InvalidOperationException or TimeoutException or IOException)
        {
            // The function failed: the Task fails with the function's error type, its error payload as the cause.
            var type = error.GetType().Name;
            throw new TaskFault(type, Asl.JsonValues.ToText(new JsonObject { ["errorMessage"] = error.Message, ["errorType"] = type }));
        }
        return Done(new JsonObject { ["ExecutedVersion"] = "$LATEST", ["Payload"] = payload, ["StatusCode"] = 200 });
    }

    /// <summary>A service's error as the Task reports it: the integration's service prefix and the error's code, its message as the cause.</summary>
    private TaskOutcome ServiceFailure(string resource, ServiceException error)
    {
        var (prefix, code) = resource switch
        {
            AthenaStartQuerySync or AthenaStartQuery or AthenaGetQueryResults => ("Athena", error.ErrorCode),
            LambdaInvoke => ("Lambda", error.ErrorCode),
            _ => ("Glue", error.ErrorCode),
        };
        return new TaskOutcome.Failed($"{prefix}.{code}", $"{error.Message} (Service: {prefix}, Status Code: 400, Error Code: {code})", Now);
    }

    private static JsonObject QueryExecutionShape(QueryExecution q)
    {
        var status = new JsonObject { ["State"] = q.State, ["SubmissionDateTime"] = Millis(q.SubmissionDateTime) };
        if (q.CompletionDateTime is { } done) status["CompletionDateTime"] = Millis(done);
        if (q.StateChangeReason is not null) status["StateChangeReason"] = q.StateChangeReason;
        if (q.State == QueryStates.Failed) status["AthenaError"] = new JsonObject { ["ErrorCategory"] = 2, ["ErrorType"] = 1006, ["Retryable"] = false, ["ErrorMessage"] = q.StateChangeReason };
        var folder = q.OutputLocation.EndsWith('/') ? q.OutputLocation : q.OutputLocation + "/";
        var shape = new JsonObject
        {
            ["QueryExecutionId"] = q.QueryExecutionId,
            ["Query"] = q.Query,
            ["StatementType"] = q.StatementType,
            ["ResultConfiguration"] = new JsonObject { ["OutputLocation"] = $"{folder}{q.QueryExecutionId}.csv" },
            ["QueryExecutionContext"] = new JsonObject { ["Database"] = q.Database, ["Catalog"] = "awsdatacatalog" },
            ["Status"] = status,
            ["WorkGroup"] = q.WorkGroup,
            ["EngineVersion"] = new JsonObject { ["SelectedEngineVersion"] = "AUTO", ["EffectiveEngineVersion"] = "Athena engine version 3" },
        };
        if (q.Statistics is { } s)
            shape["Statistics"] = new JsonObject
            {
                ["EngineExecutionTimeInMillis"] = s.EngineExecutionTimeInMillis, ["DataScannedInBytes"] = s.DataScannedInBytes,
                ["TotalExecutionTimeInMillis"] = s.TotalExecutionTimeInMillis, ["QueryQueueTimeInMillis"] = s.QueryQueueTimeInMillis,
            };
        return shape;
    }

    private static JsonObject JobRunShape(JobRun r)
    {
        var shape = new JsonObject
        {
            ["Id"] = r.Id, ["Attempt"] = r.Attempt, ["JobName"] = r.JobName, ["JobRunState"] = r.JobRunState,
            ["Arguments"] = new JsonObject(r.Arguments.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value))),
            ["StartedOn"] = Millis(r.StartedOn), ["LastModifiedOn"] = Millis(r.LastModifiedOn), ["ExecutionTime"] = r.ExecutionTime, ["Timeout"] = r.TimeoutMinutes,
            ["WorkerType"] = r.WorkerType, ["NumberOfWorkers"] = r.NumberOfWorkers,
            ["MaxCapacity"] = GlueBilling.SparkWorkerTypes.GetValueOrDefault(r.WorkerType) * r.NumberOfWorkers,
            ["GlueVersion"] = r.GlueVersion, ["LogGroupName"] = r.LogGroupName, ["PredecessorRuns"] = new JsonArray(),
        };
        if (r.CompletedOn is { } completed) shape["CompletedOn"] = Millis(completed);
        if (r.ErrorMessage is not null) shape["ErrorMessage"] = r.ErrorMessage;
        return shape;
    }

    private static JsonObject CrawlerShape(CrawlerInfo crawler)
    {
        var shape = new JsonObject
        {
            ["Name"] = crawler.Name, ["Role"] = crawler.Definition.Role, ["DatabaseName"] = crawler.Definition.DatabaseName, ["TablePrefix"] = crawler.Definition.TablePrefix,
            ["Targets"] = new JsonObject { ["S3Targets"] = new JsonArray(crawler.Definition.S3Targets.Select(p => (JsonNode)new JsonObject { ["Path"] = p }).ToArray()) },
            ["State"] = crawler.State,
        };
        if (crawler.History.Count > 0) shape["CreationTime"] = Iso(crawler.History[0].At);
        if (crawler.LastCrawl is { } last)
        {
            var lastCrawl = new JsonObject { ["Status"] = last.Status, ["StartTime"] = Iso(last.StartTime) };
            if (last.Status == "FAILED" && last.Notes.Count > 0) lastCrawl["ErrorMessage"] = string.Join(" ", last.Notes);
            shape["LastCrawl"] = lastCrawl;
        }
        return shape;
    }

    private static JsonObject TableShape(GlueTable t, string catalogId)
    {
        var shape = new JsonObject
        {
            ["Name"] = t.Name, ["DatabaseName"] = t.DatabaseName, ["TableType"] = t.TableType,
            ["StorageDescriptor"] = new JsonObject
            {
                ["Columns"] = ColumnsShape(t.Columns), ["Location"] = t.Location, ["InputFormat"] = t.InputFormat, ["OutputFormat"] = t.OutputFormat,
                ["SerdeInfo"] = new JsonObject { ["SerializationLibrary"] = t.SerdeLibrary },
            },
            ["PartitionKeys"] = ColumnsShape(t.PartitionKeys),
            ["Parameters"] = new JsonObject(t.Parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["CreateTime"] = Iso(t.CreateTime), ["UpdateTime"] = Iso(t.UpdateTime), ["VersionId"] = t.VersionId.ToString(CultureInfo.InvariantCulture),
            ["CatalogId"] = catalogId,
        };
        if (t.ViewOriginalText is not null) shape["ViewOriginalText"] = t.ViewOriginalText;
        return shape;
    }

    private static JsonArray ColumnsShape(IEnumerable<GlueColumn> columns) =>
        new(columns.Select(c => (JsonNode)new JsonObject { ["Name"] = c.Name, ["Type"] = c.Type }).ToArray());

    /// <summary>The optimised integrations give times as milliseconds since the epoch, as their service's Java client writes them.</summary>
    private static long Millis(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    /// <summary>The AWS SDK integrations give times as ISO 8601 texts.</summary>
    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string RunIdOf(JsonNode? handle) =>
        handle?["JobRunId"] is JsonValue value && value.TryGetValue<string>(out var id) ? id : throw new TaskFault(TaskFailed, "The pending Glue task has lost its JobRunId; start the execution again.");

    private static string Text(TaskRequest request, string name) =>
        OptionalText(request, request.Parameters, name, name) ?? throw Missing(request, name);

    private static string? OptionalText(TaskRequest request, JsonNode? parameters, string name, string path) => parameters is JsonObject members ? members[name] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => throw Mistyped(request, path, "a string"),
    } : null;

    private static int? OptionalNumber(TaskRequest request, string name) => request.Parameters?[name] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<int>(out var number) => number,
        _ => throw Mistyped(request, name, "a whole number"),
    };

    private static JsonObject? Member(TaskRequest request, string name) => request.Parameters?[name] switch
    {
        null => null,
        JsonObject member => member,
        _ => throw Mistyped(request, name, "an object"),
    };

    /// <summary>A required parameter the state did not give: the service's own validation error.</summary>
    private static TaskFault Missing(TaskRequest request, string name) =>
        new(ValidationError(request), $"1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null. Give {name} in the Parameters of state {request.StateName}.");

    private static TaskFault Mistyped(TaskRequest request, string path, string expected) =>
        new(ValidationError(request), $"Parameter {path} of state {request.StateName} must be {expected}; fix it in the state's Parameters.");

    /// <summary>The error each service answers a request it cannot read with.</summary>
    private static string ValidationError(TaskRequest request) =>
        request.Resource.Contains(":athena:", StringComparison.Ordinal) ? "Athena.InvalidRequestException"
        : request.Resource.Contains(":lambda:", StringComparison.Ordinal) ? "Lambda.InvalidParameterValueException" : "Glue.InvalidInputException";

    private NotSupportedException Unsupported(string resource) =>
        new($"The local backend does not run Task resource {resource}; it runs {string.Join(", ", Supported)}.");

    /// <summary>A Task's failure with its error name, raised where it is found and returned as <see cref="TaskOutcome.Failed"/>.</summary>
    private sealed class TaskFault(string error, string cause) : Exception(cause)
    {
        public string Error { get; } = error;
    }
}
