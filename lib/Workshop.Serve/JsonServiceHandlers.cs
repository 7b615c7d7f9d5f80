using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Jobs;
using StreamingWorkshop.Query;
using StreamingWorkshop.Stack;

namespace StreamingWorkshop.Serve;

/// <summary>
/// The JSON 1.1 services besides Kinesis (Firehose, Glue, Athena, EventBridge, CloudWatch Logs), answered from a
/// local session: the delivery stream as the template defines it, the catalog, the crawlers, the Glue jobs and their
/// runs, the query engine, the producer's schedule and its log. Services are named as the SigV4 credential scope names them.
/// </summary>
public sealed class JsonServiceHandlers(WorkshopSession session)
{
    /// <summary>The X-Amz-Target prefix of each service served here, and the service's name in the credential scope.</summary>
    public static readonly IReadOnlyDictionary<string, string> ServiceByTargetPrefix = new Dictionary<string, string>
    {
        ["Firehose_20150804"] = "firehose",
        ["AWSGlue"] = "glue",
        ["AmazonAthena"] = "athena",
        ["AWSEvents"] = "events",
        ["Logs_20140328"] = "logs",
        [RedshiftDataHandler.TargetPrefix] = "redshift-data",
    };

    /// <summary>The operations each service answers here (the cases below), named in a refusal.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Served = new Dictionary<string, string[]>
    {
        ["firehose"] = ["ListDeliveryStreams", "DescribeDeliveryStream"],
        ["glue"] = ["GetDatabases", "GetDatabase", "GetTables", "GetTable", "GetPartitions", "UpdateTable", "CreateCrawler", "StartCrawler", "GetCrawler", "GetCrawlerMetrics",
            "GetJobs", "GetJob", "StartJobRun", "GetJobRun", "GetJobRuns", "BatchStopJobRun", "ResetJobBookmark"],
        ["athena"] = ["StartQueryExecution", "GetQueryExecution", "StopQueryExecution", "GetQueryResults", "ListQueryExecutions", "BatchGetQueryExecution", "ListWorkGroups"],
        ["events"] = ["DescribeRule", "ListRules"],
        ["logs"] = ["DescribeLogGroups", "FilterLogEvents"],
    };

    public async Task<JsonObject> HandleAsync(string service, string operation, JsonObject input)
    {
        var names = session.Names;
        switch (service, operation)
        {
            case ("firehose", "ListDeliveryStreams"):
            {
                var limit = Limit(service, input, "Limit", MaxDeliveryStreamsPerPage, DefaultDeliveryStreamsPerPage);
                var type = OptionalText(service, input, "DeliveryStreamType");
                if (type is not (null or "DirectPut" or "KinesisStreamAsSource"))
                    throw new ValidationException(service, $"1 validation error detected: Value '{type}' at 'deliveryStreamType' failed to satisfy constraint: Member must satisfy enum value set: [DirectPut, KinesisStreamAsSource]");
                // Every local delivery stream reads a Kinesis stream, as the template's does, so none is DirectPut.
                var (page, more) = NamedPages.After(type == "DirectPut" ? [] : session.Local!.Firehose.ListDeliveryStreams(), n => n,
                    OptionalText(service, input, "ExclusiveStartDeliveryStreamName"), limit);
                return new JsonObject
                {
                    ["DeliveryStreamNames"] = new JsonArray(page.Select(n => (JsonNode)n).ToArray()),
                    ["HasMoreDeliveryStreams"] = more,
                };
            }
            case ("glue", "GetDatabases"):
            {
                var (page, next) = PageOf(service, input, session.Local!.Catalog.GetDatabases(), d => d.Name, "MaxResults", 100);
                return WithToken(new JsonObject
                {
                    ["DatabaseList"] = new JsonArray(page.Select(d => (JsonNode)new JsonObject
                    {
                        ["Name"] = d.Name, ["Description"] = d.Description, ["LocationUri"] = d.LocationUri, ["CreateTime"] = Seconds(d.CreateTime), ["CatalogId"] = names.AccountId,
                    }).ToArray()),
                }, "NextToken", next);
            }
            case ("athena", "ListWorkGroups"):
                return new JsonObject
                {
                    ["WorkGroups"] = new JsonArray(new JsonObject { ["Name"] = "primary", ["State"] = "ENABLED", ["Description"] = "The local Athena's only work group", ["EngineVersion"] = new JsonObject { ["SelectedEngineVersion"] = "AUTO", ["EffectiveEngineVersion"] = "Athena engine version 3" } }),
                };
            case ("logs", "DescribeLogGroups"):
            {
                var prefix = OptionalText(service, input, "logGroupNamePrefix") ?? "";
                var groups = StackLogGroups().Where(g => g.StartsWith(prefix, StringComparison.Ordinal)).Distinct();
                var (page, next) = PageOf(service, input, groups, g => g, "limit", 50, tokenMember: "nextToken");
                return WithToken(new JsonObject
                {
                    ["logGroups"] = new JsonArray(page.Select(g => (JsonNode)new JsonObject { ["logGroupName"] = g, ["arn"] = $"arn:aws:logs:us-east-1:{names.AccountId}:log-group:{g}:*" }).ToArray()),
                }, "nextToken", next);
            }
            case ("firehose", "DescribeDeliveryStream"):
                return new JsonObject { ["DeliveryStreamDescription"] = DeliveryStreamDescription(Text(service, input, "DeliveryStreamName")) };
            case ("glue", "GetDatabase"):
            {
                var database = session.Local!.Catalog.GetDatabase(Text(service, input, "Name"));
                return new JsonObject { ["Database"] = new JsonObject { ["Name"] = database.Name, ["Description"] = database.Description, ["LocationUri"] = database.LocationUri, ["CreateTime"] = Seconds(database.CreateTime) } };
            }
            case ("glue", "GetTables"):
            {
                var tables = session.Local!.Catalog.GetTables(Text(service, input, "DatabaseName"), OptionalText(service, input, "Expression"));
                var (page, next) = PageOf(service, input, tables, t => t.Name, "MaxResults", 100);
                return WithToken(new JsonObject { ["TableList"] = new JsonArray(page.Select(t => (JsonNode)Table(t)).ToArray()) }, "NextToken", next);
            }
            case ("glue", "GetTable"):
                return new JsonObject { ["Table"] = Table(session.Local!.Catalog.GetTable(Text(service, input, "DatabaseName"), Text(service, input, "Name"))) };
            case ("glue", "GetPartitions"):
            {
                var partitions = session.Local!.Catalog.GetPartitions(Text(service, input, "DatabaseName"), Text(service, input, "TableName"), OptionalText(service, input, "Expression"));
                // A partition is named by its values, joined by a character no value holds.
                var (page, next) = PageOf(service, input, partitions, p => string.Join('\u0001', p.Values), "MaxResults", 1000);
                return WithToken(new JsonObject
                {
                    ["Partitions"] = new JsonArray(page.Select(p => (JsonNode)new JsonObject
                    {
                        ["Values"] = new JsonArray(p.Values.Select(v => (JsonNode)v).ToArray()),
                        ["StorageDescriptor"] = new JsonObject { ["Location"] = p.Location },
                        ["CreationTime"] = Seconds(p.CreateTime),
                    }).ToArray()),
                }, "NextToken", next);
            }
            case ("glue", "UpdateTable"):
            {
                var database = Text(service, input, "DatabaseName");
                var table = Member(service, input, "TableInput") ?? throw Missing(service, "TableInput");
                var current = session.Local!.Catalog.GetTable(database, Text(service, table, "Name", "TableInput.Name"));
                var storage = Member(service, table, "StorageDescriptor", "TableInput.StorageDescriptor") ?? throw Missing(service, "TableInput.StorageDescriptor");
                var columns = List(service, storage, "Columns", "TableInput.StorageDescriptor.Columns");
                for (var i = 0; i < columns.Count; i++)
                {
                    var column = columns[i] as JsonObject ?? throw Mistyped(service, $"TableInput.StorageDescriptor.Columns[{i}]", "an object");
                    var (name, type) = (Text(service, column, "Name", $"TableInput.StorageDescriptor.Columns[{i}].Name"), Text(service, column, "Type", $"TableInput.StorageDescriptor.Columns[{i}].Type"));
                    if (current.Columns.FirstOrDefault(c => c.Name == name) is { } existing && existing.Type != type)
                        session.Local!.Catalog.UpdateColumnType(database, current.Name, existing.Name, type);
                }
                return new JsonObject();
            }
            case ("glue", "GetCrawler"):
            {
                var name = Text(service, input, "Name");
                if (!session.Local!.Crawlers.Exists(name)) throw new EntityNotFoundException($"Crawler entry with name {name} does not exist");
                var crawler = session.Local!.Crawlers.GetCrawler(name);
                var json = new JsonObject
                {
                    ["Name"] = crawler.Name, ["Role"] = crawler.Definition.Role, ["DatabaseName"] = crawler.Definition.DatabaseName, ["TablePrefix"] = crawler.Definition.TablePrefix,
                    ["Targets"] = new JsonObject { ["S3Targets"] = new JsonArray(crawler.Definition.S3Targets.Select(p => (JsonNode)new JsonObject { ["Path"] = p }).ToArray()) },
                    ["State"] = crawler.State,
                };
                if (crawler.LastCrawl is { } last)
                {
                    json["LastCrawl"] = new JsonObject { ["Status"] = last.Status, ["StartTime"] = Seconds(last.StartTime) };
                    // A failed crawl says why, as Glue's LastCrawl.ErrorMessage does.
                    if (last.Status == "FAILED" && last.Notes.Count > 0) json["LastCrawl"]!["ErrorMessage"] = last.Notes[0];
                }
                return new JsonObject { ["Crawler"] = json };
            }
            case ("glue", "CreateCrawler"):
                session.Local!.Crawlers.CreateCrawler(new CrawlerDefinition(Text(service, input, "Name"), Text(service, input, "Role"), Text(service, input, "DatabaseName"), OptionalText(service, input, "TablePrefix") ?? "",
                    List(service, Member(service, input, "Targets") ?? throw Missing(service, "Targets"), "S3Targets", "Targets.S3Targets")
                        .Select((target, i) => Text(service, target as JsonObject ?? throw Mistyped(service, $"Targets.S3Targets[{i}]", "an object"), "Path", $"Targets.S3Targets[{i}].Path")).ToArray()));
                return new JsonObject();
            case ("glue", "StartCrawler"):
                await session.Local!.Crawlers.StartCrawlerAsync(Text(service, input, "Name"));
                return new JsonObject();
            case ("glue", "GetCrawlerMetrics"):
            {
                // The crawlers named, or every one when none is (CrawlerNameList is optional).
                var crawlers = session.Local!.Crawlers;
                var named = input["CrawlerNameList"] is JsonArray list
                    ? list.Select((_, i) => ItemText(service, list, i, "CrawlerNameList")).ToList()
                    : crawlers.ListCrawlers();
                return new JsonObject
                {
                    ["CrawlerMetricsList"] = new JsonArray(named.Select(name =>
                    {
                        var last = crawlers.GetCrawler(name).LastCrawl;
                        return (JsonNode)new JsonObject { ["CrawlerName"] = name, ["TablesCreated"] = last?.TablesCreated ?? 0, ["TablesUpdated"] = last?.TablesUpdated ?? 0, ["TablesDeleted"] = 0, ["LastRuntimeSeconds"] = last?.WallTime.TotalSeconds ?? 0 };
                    }).ToArray()),
                };
            }
            case ("glue", "GetJobs"):
            {
                var (page, next) = PageOf(service, input, await session.Local!.Jobs.GetJobsAsync(), j => j.Name, "MaxResults", 1000);
                return WithToken(new JsonObject { ["Jobs"] = new JsonArray(page.Select(j => (JsonNode)Job(j)).ToArray()) }, "NextToken", next);
            }
            case ("glue", "GetJob"):
                return new JsonObject { ["Job"] = Job(await session.Local!.Jobs.GetJobAsync(Text(service, input, "JobName"))) };
            case ("glue", "StartJobRun"):
            {
                var arguments = Member(service, input, "Arguments")?.ToDictionary(a => a.Key,
                    a => a.Value is JsonValue value && value.TryGetValue<string>(out var text) ? text : throw Mistyped(service, $"Arguments.{a.Key}", "a string"), StringComparer.Ordinal);
                return new JsonObject { ["JobRunId"] = await session.Local!.Jobs.StartJobRunAsync(Text(service, input, "JobName"), arguments) };
            }
            case ("glue", "GetJobRun"):
                return new JsonObject { ["JobRun"] = Run(await session.Local!.Jobs.GetJobRunAsync(Text(service, input, "JobName"), Text(service, input, "RunId"))) };
            case ("glue", "GetJobRuns"):
            {
                // NextToken is where the page starts among the runs, newest first.
                var pageSize = Limit(service, input, "MaxResults", MaxJobRunsPerPage, MaxJobRunsPerPage);
                var token = OptionalText(service, input, "NextToken");
                var start = 0;
                if (token is not null && (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out start)))
                    throw new InvalidInputException($"NextToken '{token}' is not one this endpoint gave; call GetJobRuns again without it.");
                // The local service keeps the newest 200 runs within reach, as many as one page holds.
                var runs = await session.Local!.Jobs.GetJobRunsAsync(Text(service, input, "JobName"), MaxJobRunsPerPage);
                var answer = new JsonObject { ["JobRuns"] = new JsonArray(runs.Skip(start).Take(pageSize).Select(r => (JsonNode)Run(r)).ToArray()) };
                if (start + pageSize < runs.Count) answer["NextToken"] = (start + pageSize).ToString(CultureInfo.InvariantCulture);
                return answer;
            }
            case ("glue", "BatchStopJobRun"):
            {
                var jobName = Text(service, input, "JobName");
                var ids = List(service, input, "JobRunIds");
                var (stopping, errors) = await session.Local!.Jobs.BatchStopJobRunAsync(jobName, ids.Select((_, i) => ItemText(service, ids, i, "JobRunIds")).ToArray());
                return new JsonObject
                {
                    ["SuccessfulSubmissions"] = new JsonArray(stopping.Select(id => (JsonNode)new JsonObject { ["JobName"] = jobName, ["JobRunId"] = id }).ToArray()),
                    ["Errors"] = new JsonArray(errors.Select(e => (JsonNode)new JsonObject
                    {
                        ["JobName"] = jobName, ["JobRunId"] = e.JobRunId,
                        ["ErrorDetail"] = new JsonObject { ["ErrorCode"] = e.ErrorCode, ["ErrorMessage"] = e.ErrorMessage },
                    }).ToArray()),
                };
            }
            case ("glue", "ResetJobBookmark"):
            {
                var jobName = Text(service, input, "JobName");
                await session.Local!.Jobs.ResetJobBookmarkAsync(jobName);
                return new JsonObject { ["JobBookmarkEntry"] = new JsonObject { ["JobName"] = jobName, ["Version"] = 0, ["Run"] = 0, ["Attempt"] = 0 } };
            }
            case ("athena", "StartQueryExecution"):
                RequirePrimaryWorkGroup(service, input);
                return new JsonObject { ["QueryExecutionId"] = session.Local!.Athena.StartQueryExecution(Text(service, input, "QueryString"), OptionalText(service, Member(service, input, "QueryExecutionContext"), "Database", "QueryExecutionContext.Database"), OptionalText(service, Member(service, input, "ResultConfiguration"), "OutputLocation", "ResultConfiguration.OutputLocation")) };
            case ("athena", "GetQueryExecution"):
                return new JsonObject { ["QueryExecution"] = Execution(session.Local!.Athena.GetQueryExecution(Text(service, input, "QueryExecutionId"))) };
            case ("athena", "StopQueryExecution"):
                // Every local query has ended by the time it is started, so there is nothing to stop; an unknown id is refused.
                session.Local!.Athena.StopQueryExecution(Text(service, input, "QueryExecutionId"));
                return new JsonObject();
            case ("athena", "GetQueryResults"):
            {
                var id = Text(service, input, "QueryExecutionId");
                var next = OptionalText(service, input, "NextToken");
                var (columns, rows, nextToken) = session.Local!.Athena.GetQueryResults(id, next, OptionalNumber(service, input, "MaxResults") ?? 1000);
                JsonObject Row(IEnumerable<string?> values) => new() { ["Data"] = new JsonArray(values.Select(v => (JsonNode)(v is null ? new JsonObject() : new JsonObject { ["VarCharValue"] = v })).ToArray()) };
                // The local engine's first row always repeats the column names; Athena's does so for DML only.
                var skipHeader = next is null && session.Local!.Athena.GetQueryExecution(id).StatementType != "DML";
                var list = new JsonArray(rows.Skip(skipHeader ? 1 : 0).Select(row => (JsonNode)Row(row)).ToArray());
                var answer = new JsonObject { ["ResultSet"] = new JsonObject { ["Rows"] = list, ["ResultSetMetadata"] = new JsonObject { ["ColumnInfo"] = new JsonArray(columns.Select(c => (JsonNode)new JsonObject { ["Name"] = c.Name, ["Label"] = c.Name, ["Type"] = c.Type }).ToArray()) } } };
                if (session.Local!.Athena.UpdateCount(id) is { } inserted) answer["UpdateCount"] = inserted;
                if (nextToken is not null) answer["NextToken"] = nextToken;
                return answer;
            }
            case ("athena", "ListQueryExecutions"):
            {
                RequirePrimaryWorkGroup(service, input);
                var (executions, nextToken) = session.Local!.Athena.ListQueryExecutionPage(OptionalNumber(service, input, "MaxResults") ?? 0, OptionalText(service, input, "NextToken"));
                var answer = new JsonObject { ["QueryExecutionIds"] = new JsonArray(executions.Select(q => (JsonNode)q.QueryExecutionId).ToArray()) };
                if (nextToken is not null) answer["NextToken"] = nextToken;
                return answer;
            }
            case ("athena", "BatchGetQueryExecution"):
            {
                // An id Athena cannot give is listed as unprocessed, with the reason, and the others are answered.
                var ids = List(service, input, "QueryExecutionIds");
                if (ids.Count is < 1 or > MaxQueryExecutionsPerBatch)
                    throw new InvalidRequestException($"QueryExecutionIds holds {ids.Count} ids: give 1 to {MaxQueryExecutionsPerBatch} in one call.");
                var found = new JsonArray();
                var unprocessed = new JsonArray();
                for (var i = 0; i < ids.Count; i++)
                {
                    var id = ItemText(service, ids, i, "QueryExecutionIds");
                    try
                    {
                        found.Add(Execution(session.Local!.Athena.GetQueryExecution(id)));
                    }
                    catch (InvalidRequestException error)
                    {
                        unprocessed.Add(new JsonObject { ["QueryExecutionId"] = id, ["ErrorCode"] = "INVALID_INPUT", ["ErrorMessage"] = error.Message });
                    }
                }
                return new JsonObject { ["QueryExecutions"] = found, ["UnprocessedQueryExecutionIds"] = unprocessed };
            }
            case ("events", "DescribeRule"):
            {
                var name = Text(service, input, "Name");
                var rule = session.Local!.Stacks.ResourcesOfType("AWS::Events::Rule").Select(pair => pair.Resource).FirstOrDefault(r => r.PhysicalResourceId == name)
                    ?? throw new ResourceNotFoundException(service, $"Rule {name} does not exist on EventBus default. List the rules with ListRules.");
                return Rule(rule);
            }
            case ("events", "ListRules"):
            {
                // The schedule rules of every stack in the workspace, as the template states them.
                var prefix = OptionalText(service, input, "NamePrefix") ?? "";
                var rules = session.Local!.Stacks.ResourcesOfType("AWS::Events::Rule").Select(pair => pair.Resource)
                    .Where(r => r.PhysicalResourceId.StartsWith(prefix, StringComparison.Ordinal));
                var (page, next) = PageOf(service, input, rules, r => r.PhysicalResourceId, "Limit", 100);
                return WithToken(new JsonObject
                {
                    ["Rules"] = new JsonArray(page.Select(r => (JsonNode)Rule(r)).ToArray()),
                }, "NextToken", next);
            }
            case ("logs", "FilterLogEvents"):
            {
                var group = Text(service, input, "logGroupName");
                // startTime is included, and so is endTime: the model says only later events are left out.
                var (startTime, endTime) = (OptionalEpochMillis(service, input, "startTime"), OptionalEpochMillis(service, input, "endTime"));
                if (startTime > endTime)
                    throw new ServiceException(service, "InvalidParameterException",
                        $"startTime {startTime} is after endTime {endTime}: give a startTime at or before the endTime (both in milliseconds since 1970-01-01 UTC).");
                if (!LogGroupExists(group))
                    throw new ResourceNotFoundException(service, $"The specified log group does not exist: {group}. A function's group is /aws/lambda/FUNCTION, made when it first runs.");
                return new JsonObject
                {
                    ["events"] = new JsonArray(session.Local!.Logs.Tail(group, 10_000,
                        startTime is { } start ? DateTimeOffset.FromUnixTimeMilliseconds(start) : null,
                        endTime is { } end ? DateTimeOffset.FromUnixTimeMilliseconds(end) : null).Select(e => (JsonNode)new JsonObject { ["timestamp"] = e.Timestamp.ToUnixTimeMilliseconds(), ["message"] = e.Message }).ToArray()),
                };
            }
            default:
                throw new ServiceException(service, "UnknownOperationException",
                    $"{service} {operation} is not served by the local endpoint; it serves {string.Join(", ", Served.GetValueOrDefault(service, []))}.");
        }
    }

    /// <summary>
    /// A delivery stream of the workspace as DescribeDeliveryStream gives it (botocore's DeliveryStreamDescription and
    /// ExtendedS3DestinationDescription, with their required members); a name no stream has is ResourceNotFoundException.
    /// </summary>
    private JsonObject DeliveryStreamDescription(string name)
    {
        var config = session.Local!.Firehose.DescribeDeliveryStream(name);
        var accountId = session.Names.AccountId;
        var declared = session.Local.Stacks.ResourcesOfType("AWS::KinesisFirehose::DeliveryStream").Select(pair => pair.Resource)
            .FirstOrDefault(r => r.PhysicalResourceId == name)?.Properties["ExtendedS3DestinationConfiguration"];
        var processors = new JsonArray();
        if (config.MetadataExtractionQuery is { } query)
            processors.Add(new JsonObject
            {
                ["Type"] = "MetadataExtraction",
                ["Parameters"] = new JsonArray(
                    new JsonObject { ["ParameterName"] = "MetadataExtractionQuery", ["ParameterValue"] = query },
                    new JsonObject { ["ParameterName"] = "JsonParsingEngine", ["ParameterValue"] = "JQ-1.6" }),
            });
        if (config.AppendNewLineDelimiter) processors.Add(new JsonObject { ["Type"] = "AppendDelimiterToRecord", ["Parameters"] = new JsonArray() });
        var destination = new JsonObject
        {
            ["RoleARN"] = declared?["RoleARN"]?.ToString() ?? $"arn:aws:iam::{accountId}:role/firehose_delivery_role",
            ["BucketARN"] = $"arn:aws:s3:::{config.BucketName}",
            ["Prefix"] = config.Prefix,
            ["BufferingHints"] = new JsonObject { ["SizeInMBs"] = config.BufferingSizeMiB, ["IntervalInSeconds"] = config.BufferingIntervalSeconds },
            ["CompressionFormat"] = config.Compression.ToString(),
            ["EncryptionConfiguration"] = new JsonObject { ["NoEncryptionConfig"] = "NoEncryption" },
            ["S3BackupMode"] = "Disabled",
            ["DynamicPartitioningConfiguration"] = new JsonObject { ["Enabled"] = config.DynamicPartitioningEnabled },
            ["ProcessingConfiguration"] = new JsonObject { ["Enabled"] = processors.Count > 0, ["Processors"] = processors },
        };
        if (config.ErrorOutputPrefix is { } errorPrefix) destination["ErrorOutputPrefix"] = errorPrefix;
        return new JsonObject
        {
            ["DeliveryStreamName"] = config.DeliveryStreamName,
            ["DeliveryStreamARN"] = $"arn:aws:firehose:us-east-1:{accountId}:deliverystream/{config.DeliveryStreamName}",
            ["DeliveryStreamStatus"] = "ACTIVE",
            ["DeliveryStreamType"] = "KinesisStreamAsSource",
            ["VersionId"] = config.Version.ToString(CultureInfo.InvariantCulture),
            ["CreateTimestamp"] = Seconds(config.CreatedAt),
            ["Source"] = new JsonObject { ["KinesisStreamSourceDescription"] = new JsonObject { ["KinesisStreamARN"] = $"arn:aws:kinesis:us-east-1:{accountId}:stream/{config.SourceStreamName}" } },
            ["Destinations"] = new JsonArray(new JsonObject { ["DestinationId"] = "destinationId-000000000001", ["ExtendedS3DestinationDescription"] = destination }),
            ["HasMoreDestinations"] = false,
        };
    }

    private static JsonObject Rule(Stack.StackResource rule) => new()
    {
        ["Name"] = rule.PhysicalResourceId, ["Arn"] = rule.Attributes.GetValueOrDefault("Arn"), ["EventBusName"] = "default",
        ["State"] = rule.Properties["State"]?.ToString() ?? "ENABLED", ["Description"] = rule.Properties["Description"]?.ToString(),
        ["ScheduleExpression"] = rule.Properties["ScheduleExpression"]?.ToString(),
    };

    /// <summary>A log group with events in it, or one of the stacks' (<see cref="StackLogGroups"/>).</summary>
    private bool LogGroupExists(string group) => session.Local!.Logs.ListLogStreams(group).Count > 0 || StackLogGroups().Contains(group);

    /// <summary>The log groups the workspace's stacks declare, and each of their functions' own (/aws/lambda/NAME).</summary>
    private IEnumerable<string> StackLogGroups()
    {
        var stacks = session.Local!.Stacks;
        return stacks.ResourcesOfType("AWS::Logs::LogGroup").Select(pair => pair.Resource.PhysicalResourceId)
            .Concat(stacks.ResourcesOfType("AWS::Lambda::Function").Select(pair => $"/aws/lambda/{pair.Resource.PhysicalResourceId}"));
    }

    private static JsonObject Table(GlueTable t)
    {
        JsonArray Columns(IEnumerable<GlueColumn> columns) => new(columns.Select(c => (JsonNode)new JsonObject { ["Name"] = c.Name, ["Type"] = c.Type }).ToArray());
        var json = new JsonObject
        {
            ["Name"] = t.Name, ["DatabaseName"] = t.DatabaseName, ["TableType"] = t.TableType,
            ["StorageDescriptor"] = new JsonObject { ["Columns"] = Columns(t.Columns), ["Location"] = t.Location, ["InputFormat"] = t.InputFormat, ["OutputFormat"] = t.OutputFormat, ["SerdeInfo"] = new JsonObject { ["SerializationLibrary"] = t.SerdeLibrary } },
            ["PartitionKeys"] = Columns(t.PartitionKeys),
            ["Parameters"] = new JsonObject(t.Parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["CreateTime"] = Seconds(t.CreateTime), ["UpdateTime"] = Seconds(t.UpdateTime), ["VersionId"] = t.VersionId.ToString(CultureInfo.InvariantCulture),
        };
        if (t.ViewOriginalText is not null) json["ViewOriginalText"] = t.ViewOriginalText;
        return json;
    }

    /// <summary>The local Athena has one work group; naming another is refused as Athena refuses a work group it does not have.</summary>
    private static void RequirePrimaryWorkGroup(string service, JsonObject input)
    {
        if (OptionalText(service, input, "WorkGroup") is { } workGroup && workGroup != "primary")
            throw new InvalidRequestException($"WorkGroup {workGroup} is not found. The local Athena has the primary work group only; leave the work group out.");
    }

    /// <summary>How many delivery streams ListDeliveryStreams gives when no Limit is set, and the most it allows, as Firehose's model says.</summary>
    private const int DefaultDeliveryStreamsPerPage = 10, MaxDeliveryStreamsPerPage = 10_000;

    /// <summary>The most ids one BatchGetQueryExecution call takes, as Athena allows.</summary>
    private const int MaxQueryExecutionsPerBatch = 50;

    /// <summary>The most runs one GetJobRuns page holds, as Glue allows.</summary>
    private const int MaxJobRunsPerPage = 200;

    private static JsonObject Job(GlueJob j)
    {
        var json = new JsonObject
        {
            ["Name"] = j.Name, ["Role"] = j.Role,
            ["Command"] = new JsonObject { ["Name"] = j.Command.Name, ["ScriptLocation"] = j.Command.ScriptLocation, ["PythonVersion"] = j.Command.PythonVersion },
            ["DefaultArguments"] = Map(j.DefaultArguments),
            ["ExecutionProperty"] = new JsonObject { ["MaxConcurrentRuns"] = 1 },
            ["MaxRetries"] = j.MaxRetries, ["Timeout"] = j.TimeoutMinutes, ["GlueVersion"] = j.GlueVersion,
            ["WorkerType"] = j.WorkerType, ["NumberOfWorkers"] = j.NumberOfWorkers, ["MaxCapacity"] = Capacity(j.WorkerType, j.NumberOfWorkers),
        };
        if (j.Description is not null) json["Description"] = j.Description;
        if (j.CreatedOn is { } created) json["CreatedOn"] = Seconds(created);
        return json;
    }

    private static JsonObject Run(JobRun r)
    {
        var json = new JsonObject
        {
            ["Id"] = r.Id, ["Attempt"] = r.Attempt, ["JobName"] = r.JobName, ["JobRunState"] = r.JobRunState, ["Arguments"] = Map(r.Arguments),
            ["StartedOn"] = Seconds(r.StartedOn), ["LastModifiedOn"] = Seconds(r.LastModifiedOn), ["ExecutionTime"] = r.ExecutionTime, ["Timeout"] = r.TimeoutMinutes,
            ["WorkerType"] = r.WorkerType, ["NumberOfWorkers"] = r.NumberOfWorkers, ["MaxCapacity"] = Capacity(r.WorkerType, r.NumberOfWorkers),
            ["GlueVersion"] = r.GlueVersion, ["LogGroupName"] = r.LogGroupName,
        };
        if (r.CompletedOn is { } completed) json["CompletedOn"] = Seconds(completed);
        if (r.ErrorMessage is not null) json["ErrorMessage"] = r.ErrorMessage;
        return json;
    }

    private static double Capacity(string workerType, int workers) => GlueBilling.SparkWorkerTypes.GetValueOrDefault(workerType) * workers;

    private static JsonObject Map(IReadOnlyDictionary<string, string> values) => new(values.Select(v => KeyValuePair.Create(v.Key, (JsonNode?)v.Value)));

    private static JsonObject Execution(QueryExecution q)
    {
        var status = new JsonObject { ["State"] = q.State, ["SubmissionDateTime"] = Seconds(q.SubmissionDateTime) };
        if (q.CompletionDateTime is { } done) status["CompletionDateTime"] = Seconds(done);
        if (q.StateChangeReason is not null) status["StateChangeReason"] = q.StateChangeReason;
        if (q.State == QueryStates.Failed) status["AthenaError"] = new JsonObject { ["ErrorCategory"] = 2, ["ErrorType"] = 1006, ["ErrorMessage"] = q.StateChangeReason };
        var json = new JsonObject
        {
            ["QueryExecutionId"] = q.QueryExecutionId, ["Query"] = q.Query, ["StatementType"] = q.StatementType, ["WorkGroup"] = q.WorkGroup,
            ["QueryExecutionContext"] = new JsonObject { ["Database"] = q.Database },
            ["ResultConfiguration"] = new JsonObject { ["OutputLocation"] = q.OutputLocation },
            ["Status"] = status,
        };
        if (q.Statistics is { } s)
            json["Statistics"] = new JsonObject { ["DataScannedInBytes"] = s.DataScannedInBytes, ["EngineExecutionTimeInMillis"] = s.EngineExecutionTimeInMillis, ["QueryQueueTimeInMillis"] = s.QueryQueueTimeInMillis, ["TotalExecutionTimeInMillis"] = s.TotalExecutionTimeInMillis };
        return json;
    }

    private static double Seconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;

    // Each parameter is checked by name, so a missing or mistyped one is answered with a ValidationException
    // that names it (nested ones by their path, e.g. TableInput.Name), as the services do.

    private static string Text(string service, JsonObject input, string name, string? path = null) =>
        OptionalText(service, input, name, path) ?? throw Missing(service, path ?? name);

    private static string? OptionalText(string service, JsonObject? input, string name, string? path = null) => input?[name] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => throw Mistyped(service, path ?? name, "a string"),
    };

    /// <summary>
    /// One page of a listing, as the services page theirs: at most the limit asked for (1 to <paramref name="max"/>, all
    /// of them up to <paramref name="max"/> when not given), in name order, after the token of the page before; and the
    /// token of the next page when more remain, which names the last item given, so items made between calls do not
    /// shift the pages.
    /// </summary>
    private static (List<T> Page, string? NextToken) PageOf<T>(string service, JsonObject input, IEnumerable<T> items, Func<T, string> nameOf,
        string limitMember, int max, string tokenMember = "NextToken")
    {
        var limit = Limit(service, input, limitMember, max, max);
        string? after = null;
        if (OptionalText(service, input, tokenMember) is { } token)
        {
            try
            {
                after = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            }
            catch (FormatException)
            {
                throw new ServiceException(service, service switch { "glue" => "InvalidInputException", "logs" => "InvalidParameterException", _ => "ValidationException" },
                    $"{tokenMember} '{token}' is not one this endpoint gave; list again without it.");
            }
        }
        var (page, more) = NamedPages.After(items, nameOf, after, limit);
        return (page, more ? Convert.ToBase64String(Encoding.UTF8.GetBytes(nameOf(page[^1]))) : null);
    }

    /// <summary>A listing's page size: the member's value (1 to <paramref name="max"/>, refused in the services' words otherwise), or <paramref name="fallback"/>.</summary>
    private static int Limit(string service, JsonObject input, string member, int max, int fallback)
    {
        var limit = OptionalNumber(service, input, member) ?? fallback;
        if (limit < 1 || limit > max)
            throw new ValidationException(service, $"1 validation error detected: Value '{limit}' at '{char.ToLowerInvariant(member[0])}{member[1..]}' failed to satisfy constraint: Member must have value between 1 and {max}");
        return limit;
    }

    private static JsonObject WithToken(JsonObject answer, string tokenMember, string? token)
    {
        if (token is not null) answer[tokenMember] = token;
        return answer;
    }

    private static int? OptionalNumber(string service, JsonObject input, string name) => input[name] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<int>(out var number) => number,
        _ => throw Mistyped(service, name, "a whole number"),
    };

    /// <summary>
    /// A time as CloudWatch Logs takes it, in milliseconds since 1970-01-01 UTC: 0 or more, and no later than .NET's
    /// last date (year 9999), far past any event.
    /// </summary>
    private static long? OptionalEpochMillis(string service, JsonObject input, string name)
    {
        if (input[name] is null) return null;
        if (input[name] is not JsonValue value || !value.TryGetValue<long>(out var millis)) throw Mistyped(service, name, "a whole number of milliseconds since 1970-01-01 UTC");
        if (millis < 0 || millis > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            throw new ServiceException(service, "InvalidParameterException",
                $"{name} {millis} is out of range: give milliseconds since 1970-01-01 UTC, from 0 to {DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()}.");
        return millis;
    }

    private static JsonObject? Member(string service, JsonObject input, string name, string? path = null) => input[name] switch
    {
        null => null,
        JsonObject member => member,
        _ => throw Mistyped(service, path ?? name, "an object"),
    };

    private static JsonArray List(string service, JsonObject input, string name, string? path = null) => input[name] switch
    {
        null => throw Missing(service, path ?? name),
        JsonArray list => list,
        _ => throw Mistyped(service, path ?? name, "a list"),
    };

    private static string ItemText(string service, JsonArray list, int index, string path) => list.Count <= index
        ? throw Missing(service, $"{path}[{index}]")
        : list[index] is JsonValue value && value.TryGetValue<string>(out var text) ? text : throw Mistyped(service, $"{path}[{index}]", "a string");

    private static ValidationException Missing(string service, string path) =>
        new(service, $"1 validation error detected: Value null at '{path}' failed to satisfy constraint: Member must not be null");

    private static ValidationException Mistyped(string service, string path, string expected) =>
        new(service, $"The parameter '{path}' must be {expected}.");

}
