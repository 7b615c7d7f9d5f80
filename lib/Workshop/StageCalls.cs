using StreamingWorkshop.Display;

namespace StreamingWorkshop;

/// <summary>
/// What each stage of <see cref="PipelineStages"/> offers, shown when a cell's value is the stage itself
/// (<c>workshop.Stages.Catalog</c>): its contract's calls, each with the AWS operation behind it. The local engines and
/// the AWS clients show the same list, since a notebook holds either through the same contract.
/// </summary>
public static class StageCalls
{
    private static string ShortCalls(string facade) => $"The kit's shorter calls for this stage are on {facade}.";

    public static CallsView Stack { get; } = new(
        "workshop.Stages.Stack: AWS CloudFormation, each call named after its operation", [
        ("DescribeAsync(stackName)", "DescribeStacks, DescribeStackResources, DescribeStackEvents"),
        ("TryDescribeAsync(stackName)", "DescribeStacks; null when there is no such stack"),
        ("DeployAsync(stackName, templateBody, parameters)", "CreateStack or UpdateStack, then DescribeStackEvents and DescribeStacks until it ends"),
        ("DeleteAsync(stackName, emptyBuckets)", "DeleteStack, then DescribeStackEvents and DescribeStacks until it ends"),
        ("ReadyWorkshopStackAsync(stackName, notice)", "DescribeStacks; the local backend deploys the workshop's stack when there is none"),
        ("OutputHints(stack)", "none: what each output is on this backend (a folder, a command)"),
        ("ReportsEventsAsTheyHappen", "none: true where DeployAsync reports each event as it happens"),
    ], ShortCalls("workshop.Stack"));

    public static CallsView Catalog { get; } = new(
        "workshop.Stages.Catalog: the AWS Glue Data Catalog and its crawlers, each call named after its operation", [
        ("GetDatabaseAsync(name)", "GetDatabase"),
        ("GetTablesAsync(database)", "GetTables"),
        ("GetTableAsync(database, table)", "GetTable"),
        ("GetPartitionsAsync(database, table)", "GetPartitions"),
        ("UpdateColumnTypeAsync(database, table, column, newType)", "GetTable, then UpdateTable with the column's new type"),
        ("CrawlAsync(definition, createIfMissing)", "CreateCrawler (when missing), StartCrawler, GetCrawler until READY, GetCrawlerMetrics"),
    ], "The day's database is workshop.Names.Database. " + ShortCalls("workshop.Catalog"));

    public static CallsView Query { get; } = new(
        "workshop.Stages.Query: Amazon Athena, each call named after its operation", [
        ("RunAsync(sql, settings)", "StartQueryExecution, GetQueryExecution until it ends, GetQueryResults"),
        ("ListQueryExecutionsAsync(settings)", "ListQueryExecutions, BatchGetQueryExecution"),
    ], "Pass workshop.AthenaSettings as the settings. " + ShortCalls("workshop.Athena"));

    public static CallsView Delivery { get; } = new(
        "workshop.Stages.Delivery: Amazon Data Firehose, each call named after its operation", [
        ("DescribeDeliveryStreamAsync(deliveryStreamName)", "DescribeDeliveryStream"),
    ], "The day's delivery stream is workshop.Names.DeliveryStreamName. " + ShortCalls("workshop.Delivery"));

    public static CallsView Warehouse { get; } = new(
        "workshop.Stages.Warehouse: the Amazon Redshift Data API, each call named after its operation", [
        ("ExecuteStatementAsync(target, sql)", "ExecuteStatement"),
        ("BatchExecuteStatementAsync(target, sqls)", "BatchExecuteStatement"),
        ("DescribeStatementAsync(id)", "DescribeStatement"),
        ("GetStatementResultAsync(id)", "GetStatementResult, one page"),
        ("CancelStatementAsync(id)", "CancelStatement"),
    ], "The target is await workshop.Warehouse.TargetAsync(). " + ShortCalls("workshop.Warehouse"));

    public static CallsView Jobs { get; } = new(
        "workshop.Stages.Jobs: AWS Glue ETL jobs, each call named after its operation", [
        ("GetJobsAsync()", "GetJobs"),
        ("GetJobAsync(jobName)", "GetJob"),
        ("StartJobRunAsync(jobName)", "StartJobRun"),
        ("GetJobRunAsync(jobName, runId)", "GetJobRun"),
        ("GetJobRunsAsync(jobName)", "GetJobRuns, newest first"),
        ("BatchStopJobRunAsync(jobName, runIds)", "BatchStopJobRun"),
        ("ResetJobBookmarkAsync(jobName)", "ResetJobBookmark"),
    ], "The day's jobs are workshop.Names.BatchJob and workshop.Names.StreamingJob. " + ShortCalls("workshop.Jobs"));

    public static CallsView Workflows { get; } = new(
        "workshop.Stages.Workflows: AWS Step Functions, each call named after its operation", [
        ("ListStateMachinesAsync()", "ListStateMachines"),
        ("DescribeStateMachineAsync(stateMachineArn)", "DescribeStateMachine"),
        ("StartExecutionAsync(stateMachineArn)", "StartExecution"),
        ("DescribeExecutionAsync(executionArn)", "DescribeExecution"),
        ("ListExecutionsAsync(stateMachineArn)", "ListExecutions, newest first"),
        ("StopExecutionAsync(executionArn)", "StopExecution"),
        ("GetExecutionHistoryAsync(executionArn)", "GetExecutionHistory, every page"),
    ], ShortCalls("workshop.Workflows"));

    public static CallsView ProducerFunction { get; } = new(
        "workshop.Stages.ProducerFunction: the producer's AWS Lambda function", [
        ("InvokeAsync(functionName)", "Invoke; locally the kit's C# producer runs once"),
    ], "The day's function is workshop.Names.ProducerFunction. " + ShortCalls("workshop.Producer"));

    public static CallsView ProducerLogs { get; } = new(
        "workshop.Stages.ProducerLogs: the producer's log group in Amazon CloudWatch Logs", [
        ("TailAsync(functionName, count, before)", "FilterLogEvents on /aws/lambda/<function>: its last count events, before a time if given"),
    ], "The day's function is workshop.Names.ProducerFunction. " + ShortCalls("workshop.Producer"));

    public static CallsView Schedule { get; } = new(
        "workshop.Stages.Schedule: the Amazon EventBridge rule that invokes the producer (AWS backend only)", [
        ("DescribeAsync(ruleName)", "DescribeRule"),
        ("SetEnabledAsync(ruleName, enabled)", "EnableRule or DisableRule"),
    ], "The day's rule is workshop.Names.ScheduleRule. " + ShortCalls("workshop.Producer"));

    public static CallsView Metrics { get; } = new(
        "workshop.Stages.Metrics: Amazon CloudWatch metrics and alarms, each call named after its operation", [
        ("GetMetricStatisticsAsync(request)", "GetMetricStatistics"),
        ("GetMetricDataAsync(queries, startTime, endTime)", "GetMetricData"),
        ("PutMetricAlarmAsync(alarm)", "PutMetricAlarm"),
        ("DescribeAlarmsAsync()", "DescribeAlarms"),
        ("DeleteAlarmsAsync(alarmNames)", "DeleteAlarms"),
    ], ShortCalls("workshop.Metrics"));
}
