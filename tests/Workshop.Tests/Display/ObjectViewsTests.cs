using System.Text.RegularExpressions;
using StreamingWorkshop;
using StreamingWorkshop.Aws;
using StreamingWorkshop.Display;
using StreamingWorkshop.Storage;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Display;

/// <summary>
/// What a learner sees on evaluating an object of the session (workshop.Options, workshop.Stages, workshop.Local,
/// workshop.Stages.Catalog, workshop.Local.Athena, workshop.Clock, ...): a designed table, in a page and at a terminal,
/// never a tree of .NET type names.
/// </summary>
public sealed class ObjectViewsTests : LocalSessionTest
{
    [Fact]
    public async Task Every_object_of_the_session_its_stages_and_its_engines_has_a_design_of_its_own_on_both_backends()
    {
        var transport = new LearnerReach.RefusingTransport();
        await using var aws = await LearnerReach.AwsSessionAsync(Path.Combine(Temp.Root, "aws"), transport);

        foreach (var reached in LearnerReach.From(Session).Concat(LearnerReach.From(aws)))
        {
            if (reached.Value is null or string or bool) continue;
            var view = Assert.IsAssignableFrom<IHtmlDisplay>(reached.Value);
            foreach (var shown in new[] { view.ToHtml(), view.ToText() })
            {
                Assert.DoesNotContain("System.", shown);
                Assert.DoesNotContain("StreamingWorkshop.", shown);
            }
        }
        Assert.Equal(0, transport.Requests);
    }

    [Fact]
    public async Task Every_designed_view_reads_whole_at_80_columns()
    {
        var transport = new LearnerReach.RefusingTransport();
        await using var aws = await LearnerReach.AwsSessionAsync(Path.Combine(Temp.Root, "aws"), transport);
        foreach (var reached in LearnerReach.From(Session).Concat(LearnerReach.From(aws)))
            if (reached.Value is IHtmlDisplay view)
                Assert.All(view.ToText().Split('\n'), line => Assert.True(line.Length <= 80, $"{reached.Path} shows a line of {line.Length} characters:\n{line}"));
    }

    [Fact]
    public void Options_show_each_value_in_effect_where_it_came_from_and_what_it_does()
    {
        var table = Assert.Single(LearnerReach.Tables(Session.Options.ToHtml()));
        var text = Text(Session.Options);

        Assert.Equal("workshop.Options: the options this session runs with", table.Title);
        Assert.Equal(["Option", "In effect", "From", "What it does"], table.Headers);
        Assert.Equal(["WorkspacePath", "Backend", "Seed", "Cities", "WeatherSource", "StackName", "Notice", "Progress", "Region", "Profile", "AwsSettings", "AwsTransport"],
            table.Rows.Select(r => r[0]));
        Assert.Equal(["WorkspacePath", Temp.Root, "WorkshopOptions", "the folder of the local stream, lake, catalog, stacks and clock"], table.Rows[0]);
        Assert.Equal(["Backend", "local", "default", "where the pipeline runs: local (offline) or aws"], table.Rows[1]);
        Assert.Equal(["Seed", "1", "default", "seeds the simulated weather: the same seed and start give the same readings"], table.Rows[2]);
        Assert.Equal(["Cities", "London, Manchester, Edinburgh", "default", "the cities the producer reads the weather of (workshop.Cities)"], table.Rows[3]);
        Assert.Equal(["Notice", "not shown", "default", "told when the kit acts unasked, such as deploying the stack on first use"], table.Rows[6]);
        Assert.Equal(["Progress", "the cell's output", "default", "where the lines of long work go: stack events, a crawl's and a query's states"], table.Rows[7]);
        Assert.Equal(["Region", "none", "default", "AWS backend only: the region the requests go to"], table.Rows[8]);
        Assert.Equal(["AwsTransport", "none", "default", "AWS backend only: the HTTP handler the requests go through"], table.Rows[11]);

        // At a terminal, where a value came from follows it, so three columns fit in 80.
        Assert.StartsWith("workshop.Options: the options this session runs with\nOption         In effect", text);
        Assert.Matches(@"\nBackend +local \(default\) +where the pipeline runs: local", text);
        Assert.Matches(@"\nSeed +1 \(default\) +seeds the simulated weather: the", text);
        Assert.EndsWith("Give others to Workshop.ConnectAsync(new WorkshopOptions { ... });\nworkshop.Options.Given holds the ones given.\n", text);
        Assert.Same(Session.Options.Given, Session.Options.Given);
    }

    [Fact]
    public async Task Options_given_are_told_from_the_defaults_and_the_stacks_cities_from_the_stack()
    {
        await using var given = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions
        {
            WorkspacePath = Path.Combine(Temp.Root, "given"), Seed = 7, Cities = ["Leeds", "York:53.96:-1.08"], Region = "eu-west-1", Notice = _ => { },
        });
        var options = given.Options;

        Assert.Equal(new OptionInEffect("Seed", "7", "WorkshopOptions", "seeds the simulated weather: the same seed and start give the same readings"), options["Seed"]);
        Assert.Equal(("Leeds, York", "WorkshopOptions"), (options["Cities"].Value, options["Cities"].From));
        Assert.Equal(("a function of yours", "WorkshopOptions"), (options["Notice"].Value, options["Notice"].From));
        Assert.Equal(("eu-west-1", "WorkshopOptions", "AWS backend only: the region the requests go to"), (options["Region"].Value, options["Region"].From, options["Region"].WhatItDoes));
        Assert.Equal(("stream", "default"), (options["StackName"].Value, options["StackName"].From));
        Assert.Matches(@"\nSeed +7 \(from WorkshopOptions\) +seeds the", Text(options));

        // Once the stack is read, the producer's cities are the stack's (its Cities parameter), unless the options named some.
        await Session.EnsurePipelineAsync();
        Assert.Equal(("London, Manchester, Edinburgh", "the deployed stack's Cities parameter"), (Session.Options["Cities"].Value, Session.Options["Cities"].From));
        await given.EnsurePipelineAsync();
        Assert.Equal(("Leeds, York", "WorkshopOptions"), (given.Options["Cities"].Value, given.Options["Cities"].From));
    }

    [Fact]
    public async Task Options_on_AWS_show_the_region_and_profile_as_resolved_and_where_from()
    {
        var transport = new LearnerReach.RefusingTransport();
        await using var aws = await LearnerReach.AwsSessionAsync(Path.Combine(Temp.Root, "aws"), transport);
        var rows = Assert.Single(LearnerReach.Tables(aws.Options.ToHtml())).Rows;

        Assert.Equal(["Backend", "aws", "WorkshopOptions", "where the pipeline runs: local (offline) or aws"], rows[1]);
        Assert.Equal(["Region", "eu-west-2", "WorkshopOptions.AwsSettings", "the region the requests go to"], rows[8]);
        Assert.Equal(["AwsSettings", "AWS region eu-west-2", "WorkshopOptions", "the region, credentials and endpoints, resolved"], rows[10]);
        Assert.Equal(["AwsTransport", "a handler of yours", "WorkshopOptions", "the HTTP handler the requests go through"], rows[11]);

        // Resolved from the environment, each says which variable, or that the default chain signs.
        var fromEnvironment = AwsSettings.Resolve(environment: name => name == "AWS_DEFAULT_REGION" ? "ap-south-1" : null);
        Assert.Equal(("ap-south-1", "environment variable AWS_DEFAULT_REGION"), (fromEnvironment.Region, fromEnvironment.RegionFrom));
        Assert.Equal((null, "default: the default credential chain"), (fromEnvironment.Profile, fromEnvironment.ProfileFrom));
        var given = AwsSettings.Resolve(region: "eu-west-1", environment: name => name == "AWS_REGION" ? "us-east-2" : null);
        Assert.Equal(("eu-west-1", "WorkshopOptions"), (given.Region, given.RegionFrom));
    }

    [Fact]
    public void The_workspace_says_which_folder_it_found_and_why()
    {
        var here = Directory.CreateDirectory(Path.Combine(Temp.Root, "course")).FullName;
        Assert.Equal((Path.Combine(here, ".workshop"), "default: in the current folder"), WorkspaceDirectory.Locate(here));

        File.WriteAllText(Path.Combine(here, "workshop.dib"), "");
        var notebooks = Directory.CreateDirectory(Path.Combine(here, "notebooks")).FullName;
        Assert.Equal((Path.Combine(here, ".workshop"), "default: the nearest folder above with a .workshop or a workshop.dib"), WorkspaceDirectory.Locate(notebooks));
    }

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
        var text = Text(Session.Stages);
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
        Assert.Contains("\nMetricsLog  CloudWatch's datapoints      workshop.Local.MetricsLog\n", Text(Session.Local));
        Assert.EndsWith("workshop.SimulateAsync(...), workshop.StartLive(...) and\nworkshop.DeliverNowAsync().\n", Text(Session.Local));
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
                ["TailAsync(functionName, count, before)", "FilterLogEvents on /aws/lambda/<function>: its last count events, before a time if given"]),
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
            var stageText = local.ToText().Split("\nworkshop.Local.")[0];
            Assert.StartsWith(title[..(title.IndexOf(':') + 1)], stageText);
            Assert.Contains(stageText, onAws.ToText());
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
        var text = ((IHtmlDisplay)Session.Stages.Stack).ToText();

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
        var catalog = ((IHtmlDisplay)Session.Local!.Catalog).ToText();
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

    [Fact]
    public void The_clock_and_the_workspace_show_what_they_are_and_their_calls_yet_still_read_as_a_time_and_a_path()
    {
        var clock = Session.Clock;
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(replay\)$", clock.ToString());
        Assert.StartsWith($"Virtual clock: {clock}\nworkshop.Clock: the time every local service runs on, kept in the workspace\n(state/clock.json) for every process\nCall ", clock.ToText());
        Assert.Contains($">🕒 Virtual clock: {clock}</div>", clock.ToHtml());
        var calls = Assert.Single(LearnerReach.Tables(clock.ToHtml()));
        Assert.Equal(["Call", "What it does"], calls.Headers);
        Assert.Contains(["AdvanceTo(time)", "moves it on to time, in a replay; never back"], calls.Rows);

        var workspace = Session.Workspace;
        Assert.Equal(Temp.Root, workspace.ToString());
        Assert.StartsWith($"Workspace: {Temp.Root}\nworkshop.Workspace: the folder that holds the local stream, lake, catalog,\nstacks and clock\n", workspace.ToText());
        Assert.Equal([["Root", "the folder's full path"], ["Resolve(parts)", "the full path of a file or folder in it, such as Resolve(\"lake\")"]],
            Assert.Single(LearnerReach.Tables(workspace.ToHtml())).Rows);
    }

    [Fact]
    public async Task The_cities_and_the_weather_source_show_what_the_producer_reads()
    {
        var cities = Assert.Single(LearnerReach.Tables(((IHtmlDisplay)Session.Cities).ToHtml()));
        Assert.Equal("The producer's cities (3): one reading of each per run", cities.Title);
        Assert.Equal(["City", "Latitude", "Longitude"], cities.Headers);
        Assert.Equal([["London", "51.5072", "-0.1276"], ["Manchester", "53.4808", "-2.2426"], ["Edinburgh", "55.9533", "-3.1883"]], cities.Rows);
        Assert.Equal("The producer's cities (3): one reading of each per run\nCity        Latitude  Longitude\n----------  --------  ---------\n" +
                     "London      51.5072   -0.1276\nManchester  53.4808   -2.2426\nEdinburgh   55.9533   -3.1883\n", Session.Cities.ToString());

        var simulated = Assert.Single(LearnerReach.Tables(((IHtmlDisplay)Session.WeatherSource).ToHtml()));
        Assert.Equal("workshop.WeatherSource: simulated weather, seed 1, offline: the same seed and time give the same reading", simulated.Title);
        Assert.Equal([["FetchAsync(city, collectionTime)", "a reading made up from the seed, the city and the time"], ["Name", "simulated"]], simulated.Rows);

        await using var real = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = Path.Combine(Temp.Root, "real"), WeatherSource = "open-meteo" });
        var openMeteo = Assert.Single(LearnerReach.Tables(((IHtmlDisplay)real.WeatherSource).ToHtml()));
        Assert.Equal("workshop.WeatherSource: the real weather, from Open-Meteo's forecast API at https://api.open-meteo.com/ (needs the network)", openMeteo.Title);
        Assert.Equal([["FetchAsync(city, collectionTime)", "GET v1/forecast with the city's latitude and longitude: its current weather"], ["Name", "open-meteo"]], openMeteo.Rows);
        Assert.Equal(("open-meteo", "WorkshopOptions"), (real.Options["WeatherSource"].Value, real.Options["WeatherSource"].From));
    }

    [Fact]
    public async Task The_AWS_backends_time_is_real_time_shown_as_such()
    {
        var transport = new LearnerReach.RefusingTransport();
        await using var aws = await LearnerReach.AwsSessionAsync(Path.Combine(Temp.Root, "aws"), transport);
        var time = Assert.IsAssignableFrom<IHtmlDisplay>(aws.Stages.Time);

        Assert.Matches(@"^Wall clock: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(real time\)$", time.ToText());
        Assert.Matches(@">🕒 Wall clock: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(real time\)</div>$", time.ToHtml());
        Assert.InRange(aws.Stages.Time.GetUtcNow(), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    /// <summary>The text a notebook's text/plain and a terminal show.</summary>
    private static string Text(IHtmlDisplay view) => view.ToText();

    private sealed class ShownTableComparer : IEqualityComparer<LearnerReach.ShownTable>
    {
        public bool Equals(LearnerReach.ShownTable? x, LearnerReach.ShownTable? y) =>
            x is not null && y is not null && x.Title == y.Title && x.Headers.SequenceEqual(y.Headers) && x.Rows.Count == y.Rows.Count && x.Rows.Zip(y.Rows).All(p => p.First.SequenceEqual(p.Second));

        public int GetHashCode(LearnerReach.ShownTable table) => table.Title.GetHashCode(StringComparison.Ordinal);
    }
}
