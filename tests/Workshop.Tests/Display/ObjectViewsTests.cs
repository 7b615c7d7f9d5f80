using System.Text.RegularExpressions;
using StreamingWorkshop;
using StreamingWorkshop.Display;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Display;

/// <summary>
/// What a learner sees on evaluating the session's stages and engines (workshop.Stages, workshop.Local,
/// workshop.Stages.Catalog, workshop.Local.Athena, ...): a designed table, in a page and at a terminal, never a tree of
/// .NET type names.
/// </summary>
public sealed class ObjectViewsTests : LocalSessionTest
{
    [Fact]
    public async Task Stages_are_a_table_of_stage_service_and_what_to_evaluate_on_each_backend()
    {
        var local = Assert.Single(LearnerReach.Tables(Session.Stages.ToHtml()));
        Assert.Equal("workshop.Stages: the pipeline's stages on this session's backend, local (offline)", local.Title);
        Assert.Equal(["Stage", "AWS service", "Evaluate to list its calls"], local.Headers);
        Assert.Equal(["Stack", "Stream", "Lake", "Delivery", "Catalog", "Query", "Warehouse", "Jobs", "Workflows", "ProducerFunction", "ProducerLogs", "Schedule", "Metrics", "Local"],
            local.Rows.Select(r => r[0]));
        Assert.Equal(["Stack", "CloudFormation", "workshop.Stages.Stack"], local.Rows[0]);
        Assert.Equal(["Stream", "Kinesis Data Streams", "workshop.Stream"], local.Rows[1]);
        Assert.Equal(["Query", "Athena", "workshop.Stages.Query"], local.Rows[5]);
        Assert.Equal(["Schedule", "EventBridge", "none here: a replay or a live run runs the producer"], local.Rows[11]);
        Assert.Equal(["Local", "none: the local engines", "workshop.Local"], local.Rows[13]);
        var text = Session.Stages.ToString();
        Assert.Contains("\nProducerFunction  Lambda                   workshop.Stages.ProducerFunction\n", text);
        Assert.Contains("evaluate one to list them.\n", text);
        Assert.DoesNotContain("System.Func", Session.Stages.ToHtml() + text);

        var transport = new LearnerReach.RefusingTransport();
        await using var aws = await LearnerReach.AwsSessionAsync(Path.Combine(Temp.Root, "aws"), transport);
        var onAws = Assert.Single(LearnerReach.Tables(aws.Stages.ToHtml()));
        Assert.Equal("workshop.Stages: the pipeline's stages on this session's backend, AWS", onAws.Title);
        Assert.Equal(["Schedule", "EventBridge", "workshop.Stages.Schedule"], onAws.Rows[11]);
        Assert.Equal(["Local", "none: the local engines", "none on AWS"], onAws.Rows[13]);
    }

    [Fact]
    public void The_local_backend_is_a_table_of_its_engines_and_what_each_stands_in_for()
    {
        var table = Assert.Single(LearnerReach.Tables(Session.Local!.ToHtml()));

        Assert.Equal("workshop.Local: the local backend's engines in the workspace, each standing in for an AWS service (account 123456789012, region us-east-1)", table.Title);
        Assert.Equal(["Engine", "Stands in for", "Evaluate to list its calls"], table.Headers);
        Assert.Equal(["Firehose", "Data Firehose", "workshop.Local.Firehose"], table.Rows[2]);
        Assert.Equal(["Athena", "Athena's engine (DuckDB)", "workshop.Local.Athena"], table.Rows[8]);
        Assert.Equal(["Workspace", "none: the folder they keep", "workshop.Local.Workspace"], table.Rows[^1]);
        Assert.Contains("\nMetricsLog  CloudWatch's datapoints      workshop.Local.MetricsLog\n", Session.Local.ToString());
        Assert.EndsWith("workshop.SimulateAsync(...), workshop.StartLive(...) and\nworkshop.DeliverNowAsync().\n", Session.Local.ToString());
    }

    [Fact]
    public async Task A_stage_shows_its_calls_and_the_operations_behind_them_the_same_on_both_backends()
    {
        var transport = new LearnerReach.RefusingTransport();
        await using var aws = await LearnerReach.AwsSessionAsync(Path.Combine(Temp.Root, "aws"), transport);
        var stages = new (string Title, IHtmlDisplay Local, IHtmlDisplay Aws, string[] Row)[]
        {
            ("workshop.Stages.Stack: AWS CloudFormation, each call named after its operation", (IHtmlDisplay)Session.Stages.Stack, (IHtmlDisplay)aws.Stages.Stack,
                ["DeleteAsync(stackName, emptyBuckets)", "DeleteStack, then DescribeStackEvents and DescribeStacks until it ends"]),
            ("workshop.Stages.Catalog: the AWS Glue Data Catalog and its crawlers, each call named after its operation", (IHtmlDisplay)Session.Stages.Catalog, (IHtmlDisplay)aws.Stages.Catalog,
                ["GetPartitionsAsync(database, table)", "GetPartitions"]),
            ("workshop.Stages.Query: Amazon Athena, each call named after its operation", (IHtmlDisplay)Session.Stages.Query, (IHtmlDisplay)aws.Stages.Query,
                ["RunAsync(sql, settings)", "StartQueryExecution, GetQueryExecution until it ends, GetQueryResults"]),
            ("workshop.Stages.Delivery: Amazon Data Firehose, each call named after its operation", (IHtmlDisplay)Session.Stages.Delivery, (IHtmlDisplay)aws.Stages.Delivery,
                ["DescribeDeliveryStreamAsync(deliveryStreamName)", "DescribeDeliveryStream"]),
            ("workshop.Stages.Warehouse: the Amazon Redshift Data API, each call named after its operation", (IHtmlDisplay)Session.Stages.Warehouse, (IHtmlDisplay)aws.Stages.Warehouse,
                ["GetStatementResultAsync(id)", "GetStatementResult, one page"]),
            ("workshop.Stages.Jobs: AWS Glue ETL jobs, each call named after its operation", (IHtmlDisplay)Session.Stages.Jobs, (IHtmlDisplay)aws.Stages.Jobs,
                ["BatchStopJobRunAsync(jobName, runIds)", "BatchStopJobRun"]),
            ("workshop.Stages.Workflows: AWS Step Functions, each call named after its operation", (IHtmlDisplay)Session.Stages.Workflows, (IHtmlDisplay)aws.Stages.Workflows,
                ["GetExecutionHistoryAsync(executionArn)", "GetExecutionHistory, every page"]),
            ("workshop.Stages.ProducerFunction: the producer's AWS Lambda function", (IHtmlDisplay)Session.Stages.ProducerFunction, (IHtmlDisplay)aws.Stages.ProducerFunction,
                ["InvokeAsync(functionName)", "Invoke; locally the kit's C# producer runs once"]),
            ("workshop.Stages.ProducerLogs: the producer's log group in Amazon CloudWatch Logs", (IHtmlDisplay)Session.Stages.ProducerLogs, (IHtmlDisplay)aws.Stages.ProducerLogs,
                ["TailAsync(functionName, count)", "FilterLogEvents on /aws/lambda/<function>: its last count events"]),
            ("workshop.Stages.Metrics: Amazon CloudWatch metrics and alarms, each call named after its operation", (IHtmlDisplay)Session.Stages.Metrics, (IHtmlDisplay)aws.Stages.Metrics,
                ["GetMetricDataAsync(queries, startTime, endTime)", "GetMetricData"]),
        };

        foreach (var (title, local, onAws, row) in stages)
        {
            var shown = LearnerReach.Tables(local.ToHtml())[0];
            Assert.Equal(title, shown.Title);
            Assert.Equal(["Call", "AWS operation"], shown.Headers);
            Assert.Contains(row, shown.Rows);
            // The AWS client shows the very same table: a notebook holds either through the stage's contract.
            Assert.Equal(shown, LearnerReach.Tables(onAws.ToHtml()).Single(t => t.Title == title), new ShownTableComparer());
            var stageText = local.ToString()!.Split("\nworkshop.Local.")[0];
            Assert.StartsWith(title[..(title.IndexOf(':') + 1)], stageText);
            Assert.Contains(stageText, onAws.ToString());
        }

        // On AWS one object is the producer's function, its logs and its schedule; it shows the three stages.
        Assert.Equal(["workshop.Stages.ProducerFunction", "workshop.Stages.ProducerLogs", "workshop.Stages.Schedule"],
            LearnerReach.Tables(((IHtmlDisplay)aws.Stages.Schedule!).ToHtml()).Select(t => t.Title[..t.Title.IndexOf(':')]));
        Assert.Contains(["SetEnabledAsync(ruleName, enabled)", "EnableRule or DisableRule"], LearnerReach.Tables(((IHtmlDisplay)aws.Stages.Schedule!).ToHtml())[2].Rows);
        Assert.Equal(0, transport.Requests);
    }

    [Fact]
    public void A_stage_at_a_terminal_keeps_each_call_on_its_line_and_wraps_the_operations()
    {
        var text = ((IHtmlDisplay)Session.Stages.Stack).ToString()!;

        Assert.Equal(
        [
            "workshop.Stages.Stack: AWS CloudFormation, each call named after its operation",
            "Call                                              AWS operation",
            "------------------------------------------------  ------------------------------",
            "DescribeAsync(stackName)                          DescribeStacks,",
            "                                                  DescribeStackResources,",
            "                                                  DescribeStackEvents",
            "TryDescribeAsync(stackName)                       DescribeStacks; null when",
            "                                                  there is no such stack",
            "DeployAsync(stackName, templateBody, parameters)  CreateStack or UpdateStack,",
        ], text.Split('\n')[..9]);
        Assert.EndsWith("\nThe kit's shorter calls for this stage are on workshop.Stack.\n", text);

        // A call too long to leave the operations their least width wraps between its arguments, never inside a name.
        var catalog = ((IHtmlDisplay)Session.Local!.Catalog).ToString()!;
        Assert.Contains("\nUpdateColumnType(database, tableName, column, newType)  GetTable, then\n", catalog);
        Assert.Contains("\nBatchDeletePartition(database, tableName,               BatchDeletePartition\npartitionValues)\n", catalog);
    }

    [Fact]
    public void A_local_engine_shows_its_stages_calls_then_its_own()
    {
        var firehose = LearnerReach.Tables(Session.Local!.Firehose.ToHtml());
        Assert.Equal(["workshop.Stages.Delivery: Amazon Data Firehose, each call named after its operation",
                      "workshop.Local.Firehose: the local Firehose's own calls, each named after its operation (local backend only)"], firehose.Select(t => t.Title));
        Assert.Contains(["UpdateDestination(config)", "UpdateDestination"], firehose[1].Rows);
        Assert.Contains(["workshop.DeliverNowAsync()", "none: delivers what the buffer holds now, where Firehose waits for its buffering hints"], firehose[1].Rows);
        Assert.Contains("To change the destination, pass UpdateDestination a copy of DescribeDeliveryStream(name) made with &#39;with { ... }&#39;.", Session.Local.Firehose.ToHtml());

        var athena = Assert.Single(LearnerReach.Tables(Session.Local.Athena.ToHtml()));
        Assert.Equal("workshop.Local.Athena: the local Athena engine, DuckDB over the lake's files, each call named after its operation (local backend only)", athena.Title);
        Assert.Contains(["ObjectsRead(queryExecutionId)", "none: the lake's objects the query read, whose bytes Athena bills"], athena.Rows);

        var catalog = Assert.Single(LearnerReach.Tables(Session.Local.Catalog.ToHtml()));
        Assert.Contains(["BatchCreatePartition(database, tableName, partitions)", "BatchCreatePartition"], catalog.Rows);
        Assert.Contains("\nGetTableVersions(database, name)                        GetTableVersions\n", Session.Local.Catalog.ToString());

        var faults = Session.Local.Faults;
        Assert.Equal(["Call", "What it is"], Assert.Single(LearnerReach.Tables(faults.ToHtml())).Headers);
        Assert.EndsWith("workshop.Faults switches them on and off.\n\nNo faults are on: the next replay runs normally.", faults.ToString());
    }

    private sealed class ShownTableComparer : IEqualityComparer<LearnerReach.ShownTable>
    {
        public bool Equals(LearnerReach.ShownTable? x, LearnerReach.ShownTable? y) =>
            x is not null && y is not null && x.Title == y.Title && x.Headers.SequenceEqual(y.Headers) && x.Rows.Count == y.Rows.Count && x.Rows.Zip(y.Rows).All(p => p.First.SequenceEqual(p.Second));

        public int GetHashCode(LearnerReach.ShownTable table) => table.Title.GetHashCode(StringComparison.Ordinal);
    }
}
