using StreamingWorkshop.Catalog;
using StreamingWorkshop.Display;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Query;
using StreamingWorkshop.Stack;

namespace StreamingWorkshop.Aws;

/// <summary>The stack stage on AWS: CloudFormation, with templates over the body limit staged in a bucket of the account's own.</summary>
public sealed class AwsStackService(AwsPipeline aws) : IStackService, IHtmlDisplay
{
    /// <summary>In a notebook, the stack stage's calls rather than an object tree.</summary>
    public string ToHtml() => StageCalls.Stack.ToHtml();

    public override string ToString() => StageCalls.Stack.ToString();

    public Task<StackState?> TryDescribeAsync(string stackName, CancellationToken cancellationToken = default) =>
        aws.CloudFormation.TryDescribeAsync(stackName, cancellationToken);

    public Task<StackState> DescribeAsync(string stackName, CancellationToken cancellationToken = default) =>
        aws.CloudFormation.DescribeStackAsync(stackName, cancellationToken);

    public async Task<StackState> DeployAsync(string stackName, string templateBody, IReadOnlyDictionary<string, string> parameters,
        IProgress<StackEvent>? progress = null, CancellationToken cancellationToken = default)
    {
        var state = await aws.CloudFormation.DeployAsync(stackName, templateBody, parameters, progress,
            stagingBucket: await aws.TemplateStagingAsync(templateBody, cancellationToken), cancellationToken: cancellationToken);
        // The Glue jobs' scripts go into the bucket the stack made for them, once it exists (locally the provisioner puts them there).
        if (StackStatuses.IsUsable(state.StackStatus) && state.Output("ScriptsBucketName") is { Length: > 0 } scriptsBucket)
            await GlueScripts.UploadAsync(aws.Lake, scriptsBucket, cancellationToken);
        return state;
    }

    public Task<StackState> DeleteAsync(string stackName, bool emptyBuckets, IProgress<StackEvent>? progress = null, CancellationToken cancellationToken = default) =>
        aws.CloudFormation.DeleteAsync(stackName, emptyBuckets ? aws.Lake : null, progress, cancellationToken);

    public async Task<StackState> ReadyWorkshopStackAsync(string stackName, Action<string>? notice, CancellationToken cancellationToken = default)
    {
        // Deploying on an account is the learner's choice (it costs money), never a side effect.
        var deployed = await aws.CloudFormation.TryDescribeAsync(stackName, cancellationToken)
            ?? throw new StackNotDeployedException($"The stack '{stackName}' is not deployed in {aws.Settings.Region}; run the Task 1 notebook or 'workshop deploy --backend aws' first.");
        if (!StackStatuses.IsUsable(deployed.StackStatus))
            throw new InvalidOperationException($"Stack {stackName} is {deployed.StackStatus}: {deployed.StackStatusReason} Look at its events in the CloudFormation console, then deploy again.");
        return deployed;
    }

    public bool ReportsEventsAsTheyHappen => true;

    public IReadOnlyDictionary<string, string> OutputHints(StackState stack) => new Dictionary<string, string>();
}

/// <summary>The catalog stage on AWS: the Glue API, with the crawler polled until it is READY again.</summary>
public sealed class AwsCatalog(AwsPipeline aws) : ICatalog, IHtmlDisplay
{
    /// <summary>In a notebook, the catalog stage's calls rather than an object tree.</summary>
    public string ToHtml() => StageCalls.Catalog.ToHtml();

    public override string ToString() => StageCalls.Catalog.ToString();

    public Task<GlueDatabase> GetDatabaseAsync(string name, CancellationToken cancellationToken = default) => aws.Glue.GetDatabaseAsync(name, cancellationToken);

    public Task<IReadOnlyList<GlueTable>> GetTablesAsync(string database, CancellationToken cancellationToken = default) => aws.Glue.GetTablesAsync(database, cancellationToken);

    public Task<GlueTable> GetTableAsync(string database, string table, CancellationToken cancellationToken = default) => aws.Glue.GetTableAsync(database, table, cancellationToken);

    public Task<IReadOnlyList<GluePartition>> GetPartitionsAsync(string database, string table, CancellationToken cancellationToken = default) =>
        aws.Glue.GetPartitionsAsync(database, table, cancellationToken);

    public async Task<GlueTable> UpdateColumnTypeAsync(string database, string table, string column, string newType, CancellationToken cancellationToken = default)
    {
        var current = await aws.Glue.GetTableAsync(database, table, cancellationToken);
        if (!current.Columns.Any(c => c.Name == column))
            throw new InvalidInputException($"Table {database}.{table} has no column '{column}'; its columns are {string.Join(", ", current.Columns.Select(c => c.Name))}.");
        var changed = current with { Columns = current.Columns.Select(c => c.Name == column ? c with { Type = newType } : c).ToArray() };
        await aws.Glue.UpdateTableAsync(changed, cancellationToken);
        return changed;
    }

    public Task<CrawlerInfo> CrawlAsync(CrawlerDefinition definition, bool createIfMissing, IProgress<string>? progress = null, CancellationToken cancellationToken = default) =>
        aws.CrawlAsync(definition, createIfMissing, progress, cancellationToken: cancellationToken);
}

/// <summary>The query stage on AWS: Athena's API, polled until each query ends.</summary>
public sealed class AwsQueryService(AwsPipeline aws) : IQueryService, IHtmlDisplay
{
    /// <summary>In a notebook, the query stage's calls rather than an object tree.</summary>
    public string ToHtml() => StageCalls.Query.ToHtml();

    public override string ToString() => StageCalls.Query.ToString();

    public Task<QueryResult> RunAsync(string sql, AthenaSettings settings, string? database = null, IProgress<QueryExecution>? progress = null, CancellationToken cancellationToken = default) =>
        aws.Athena.RunAsync(sql, settings, database, progress, cancellationToken);

    public Task<IReadOnlyList<QueryExecution>> ListQueryExecutionsAsync(AthenaSettings settings, int max = 50, CancellationToken cancellationToken = default) =>
        aws.Athena.ListQueryExecutionsAsync(settings.WorkGroup, max, cancellationToken);

    // The clients belong to the pipeline, which disposes them.
    public void Dispose() { }
}

/// <summary>The producer on AWS: its Lambda function, its CloudWatch log group and its EventBridge schedule.</summary>
public sealed class AwsProducer(AwsPipeline aws) : IProducerFunction, IProducerLogs, IProducerSchedule, IHtmlDisplay
{
    /// <summary>
    /// In a notebook, the calls of the three stages this one object is on AWS (workshop.Stages.ProducerFunction,
    /// ProducerLogs and Schedule), rather than an object tree.
    /// </summary>
    public string ToHtml() => StageCalls.ProducerFunction.ToHtml() + StageCalls.ProducerLogs.ToHtml() + StageCalls.Schedule.ToHtml();

    public override string ToString() => StageCalls.ProducerFunction + "\n" + StageCalls.ProducerLogs + "\n" + StageCalls.Schedule;

    // The producer runs once a minute, so a day of logs holds every line a learner looks for.
    private static readonly TimeSpan LogLookBack = TimeSpan.FromHours(24);

    public Task<ProducerSummary> InvokeAsync(string functionName, CancellationToken cancellationToken = default) =>
        aws.InvokeProducerAsync(functionName, cancellationToken);

    public Task<IReadOnlyList<LogEvent>> TailAsync(string functionName, int count, DateTimeOffset? before = null, CancellationToken cancellationToken = default) =>
        aws.Logs.TailAsync(ProducerLog.GroupFor(functionName), count, LogLookBack, before?.AddMilliseconds(-1), cancellationToken);

    public async Task<ScheduleRule?> DescribeAsync(string ruleName, CancellationToken cancellationToken = default)
    {
        try
        {
            return await aws.Events.DescribeRuleAsync(ruleName, cancellationToken);
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
    }

    public Task SetEnabledAsync(string ruleName, bool enabled, CancellationToken cancellationToken = default) =>
        aws.Events.SetRuleEnabledAsync(ruleName, enabled, cancellationToken);
}
