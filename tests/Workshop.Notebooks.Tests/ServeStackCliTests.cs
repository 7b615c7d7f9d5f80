using System.Text;
using System.Text.Json.Nodes;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// The workshop's steps done with Debian's AWS CLI against `workshop serve`: the template deployed with `aws
/// cloudformation deploy`, the producer invoked through Lambda, its records read back from the stream, its metrics
/// and log read, the lake crawled and queried, and the stack deleted. One served workspace, after half an hour of
/// `workshop simulate` has filled the lake (three cities, one reading a minute).
/// </summary>
public sealed class ServeStackCliTests : IDisposable
{
    private const string Account = "123456789012";
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-serve-stack-").FullName;
    private string Workspace => Path.Combine(folder, "ws");

    [Fact]
    public async Task The_aws_cli_deploys_the_template_invokes_the_producer_and_reads_its_records_metrics_log_and_lake()
    {
        Assert.True(File.Exists(AwsCli.Program), "Debian's awscli is installed (test.sh installs it)");
        var simulated = Cli.Capture(folder, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = Workspace }, "simulate", "--duration", "30m");
        Assert.True(simulated.Exit == 0, $"workshop simulate exited {simulated.Exit}: {simulated.Stderr}");
        await using var server = await ServeProcess.StartAsync(Workspace);
        var aws = new AwsCli(folder, server.Url);

        // Deployed under its own project name, next to the simulated pipeline's stack.
        var template = Path.Combine(WorkshopRun.RepositoryRoot, "templates", "workshop-stack.yaml");
        Assert.True(File.Exists(template), $"the workshop's template is in the repository: {template}");
        string[] deploy = ["cloudformation", "deploy", "--template-file", template, "--stack-name", "cli-demo", "--capabilities", "CAPABILITY_NAMED_IAM",
            "--parameter-overrides", "ProjectName=cli-demo", "WarehousePassword=Workshop123"];
        var created = aws.Run(deploy);
        Assert.True(created.Exit == 0, $"deploy exited {created.Exit}: {created.Stderr}");
        Assert.Contains("Successfully created/updated stack - cli-demo", created.Stdout);

        var stack = Assert.Single(aws.Json("cloudformation", "describe-stacks", "--stack-name", "cli-demo")["Stacks"]!.AsArray())!;
        Assert.Equal("CREATE_COMPLETE", (string?)stack["StackStatus"]);
        var outputs = stack["Outputs"]!.AsArray().ToDictionary(o => (string)o!["OutputKey"]!, o => (string?)o!["OutputValue"]);
        Assert.Equal($"cli-demo-data-lake-dev-{Account}", outputs["DataLakeBucketName"]);
        Assert.Equal("****", (string?)stack["Parameters"]!.AsArray().Single(p => (string?)p!["ParameterKey"] == "WarehousePassword")!["ParameterValue"]);

        var events = aws.Json("cloudformation", "describe-stack-events", "--stack-name", "cli-demo")["StackEvents"]!.AsArray()
            .Select(e => ((string?)e!["LogicalResourceId"], (string?)e["ResourceStatus"])).ToList();
        Assert.Equal(("cli-demo", "CREATE_COMPLETE"), events[0]);
        Assert.Contains(("WeatherStream", "CREATE_COMPLETE"), events);
        Assert.Contains(("ProducerFunction", "CREATE_COMPLETE"), events);
        Assert.Contains(("DataLakeBucket", "CREATE_COMPLETE"), events);

        var again = aws.Run(deploy);
        Assert.True(again.Exit == 0, $"a deploy with no change exits 0; it exited {again.Exit}: {again.Stderr}");
        Assert.Contains("No changes to deploy. Stack cli-demo is up to date", again.Stdout);

        // Lambda: the stack's producer runs on the local stream and answers as the template's function does.
        var payloadFile = Path.Combine(folder, "invoke.json");
        var invoked = aws.Json("lambda", "invoke", "--function-name", "cli-demo-producer-dev", "--log-type", "Tail", payloadFile);
        Assert.Equal(200, (int)invoked["StatusCode"]!);
        Assert.Equal("$LATEST", (string?)invoked["ExecutedVersion"]);
        var logTail = Encoding.UTF8.GetString(Convert.FromBase64String((string)invoked["LogResult"]!));
        Assert.StartsWith("START RequestId: ", logTail);
        Assert.Contains("Processed 3 of 3 cities", logTail);
        var payload = JsonNode.Parse(File.ReadAllText(payloadFile))!;
        Assert.Equal(200, (int)payload["statusCode"]!);
        var summary = JsonNode.Parse((string)payload["body"]!)!;
        Assert.Equal(3, (int)summary["processed"]!);
        Assert.Empty(summary["failed_cities"]!.AsArray());

        var iterator = (string?)aws.Json("kinesis", "get-shard-iterator", "--stream-name", "cli-demo-stream-dev", "--shard-id", "shardId-000000000000", "--shard-iterator-type", "TRIM_HORIZON")["ShardIterator"];
        var records = aws.Json("kinesis", "get-records", "--shard-iterator", iterator!)["Records"]!.AsArray();
        Assert.Equal(["London", "Manchester", "Edinburgh"], records.Select(r => (string?)r!["PartitionKey"]));
        var reading = JsonNode.Parse(Convert.FromBase64String((string)records[0]!["Data"]!))!;
        Assert.Equal("London", (string?)reading["city"]);

        var function = aws.Json("lambda", "get-function", "--function-name", "cli-demo-producer-dev")["Configuration"]!;
        Assert.Equal("python3.12", (string?)function["Runtime"]);
        Assert.Equal("index.handler", (string?)function["Handler"]);
        Assert.Equal(30, (int)function["Timeout"]!);
        Assert.Equal(128, (int)function["MemorySize"]!);
        Assert.Equal($"arn:aws:iam::{Account}:role/cli-demo-producer-role-dev", (string?)function["Role"]);
        Assert.Equal("cli-demo-stream-dev", (string?)function["Environment"]!["Variables"]!["STREAM_NAME"]);
        Assert.Equal("London,Manchester,Edinburgh", (string?)function["Environment"]!["Variables"]!["CITIES"]);
        var functions = aws.Json("lambda", "list-functions")["Functions"]!.AsArray().Select(f => (string?)f!["FunctionName"]);
        Assert.Equal(["cli-demo-producer-dev", "weather-analytics-producer-dev"], functions);

        var missing = aws.Run("lambda", "invoke", "--function-name", "no-such-function", Path.Combine(folder, "missing.json"));
        Assert.NotEqual(0, missing.Exit);
        Assert.Contains($"An error occurred (ResourceNotFoundException) when calling the Invoke operation: Function not found: arn:aws:lambda:us-east-1:{Account}:function:no-such-function", missing.Stderr);

        // CloudWatch: the invocation's three records, whatever the hour the served clock has reached. A fresh workspace's
        // clock starts at midnight before the day the test runs, so the window is set around that day.
        var today = DateTime.UtcNow.Date;
        var statistics = aws.Json("cloudwatch", "get-metric-statistics", "--namespace", "AWS/Kinesis", "--metric-name", "IncomingRecords",
            "--dimensions", "Name=StreamName,Value=cli-demo-stream-dev", "--start-time", $"{today.AddDays(-3):yyyy-MM-dd}T00:00:00Z", "--end-time", $"{today.AddDays(3):yyyy-MM-dd}T00:00:00Z",
            "--period", "86400", "--statistics", "Sum");
        Assert.Equal("IncomingRecords", (string?)statistics["Label"]);
        Assert.Equal(3.0, statistics["Datapoints"]!.AsArray().Sum(d => (double)d!["Sum"]!));
        aws.Json("cloudwatch", "put-metric-alarm", "--alarm-name", "cli-demo-quiet", "--namespace", "AWS/Kinesis", "--metric-name", "IncomingRecords",
            "--dimensions", "Name=StreamName,Value=cli-demo-stream-dev", "--statistic", "Sum", "--period", "300", "--evaluation-periods", "2",
            "--threshold", "1", "--comparison-operator", "LessThanThreshold");
        var alarm = Assert.Single(aws.Json("cloudwatch", "describe-alarms", "--alarm-names", "cli-demo-quiet")["MetricAlarms"]!.AsArray())!;
        Assert.Equal("IncomingRecords", (string?)alarm["MetricName"]);
        Assert.Equal("cli-demo-stream-dev", (string?)alarm["Dimensions"]![0]!["Value"]);
        Assert.Equal(2, (int)alarm["EvaluationPeriods"]!);
        Assert.Equal("LessThanThreshold", (string?)alarm["ComparisonOperator"]);

        var log = aws.Json("logs", "filter-log-events", "--log-group-name", "/aws/lambda/cli-demo-producer-dev")["events"]!.AsArray().Select(e => (string)e!["message"]!).ToList();
        Assert.Contains("Processed 3 of 3 cities", log);
        Assert.Contains(log, line => line.StartsWith("Sent {\"city\":\"Edinburgh\"", StringComparison.Ordinal));

        var rules = aws.Json("events", "list-rules")["Rules"]!.AsArray();
        // Each stack has the producer's schedule and the daily pipeline's rule, made disabled.
        Assert.Equal(["cli-demo-daily-pipeline-schedule-dev", "cli-demo-schedule-dev", "weather-analytics-daily-pipeline-schedule-dev", "weather-analytics-schedule-dev"],
            rules.Select(r => (string?)r!["Name"]));
        Assert.Equal(["cron(30 0 * * ? *) DISABLED", "rate(1 minute) ENABLED", "cron(30 0 * * ? *) DISABLED", "rate(1 minute) ENABLED"],
            rules.Select(r => $"{(string?)r!["ScheduleExpression"]} {(string?)r["State"]}"));

        // Glue and Athena over the simulated pipeline's lake.
        const string database = "weather-analytics_dev_db";
        aws.Json("glue", "create-crawler", "--name", "weather-data-crawler", "--role", "weather-analytics-glue-role-dev", "--database-name", database,
            "--targets", $"{{\"S3Targets\":[{{\"Path\":\"s3://weather-analytics-data-lake-dev-{Account}/weather-data/\"}}]}}");
        aws.Json("glue", "start-crawler", "--name", "weather-data-crawler");
        var crawler = aws.Json("glue", "get-crawler", "--name", "weather-data-crawler")["Crawler"]!;
        Assert.Equal("READY", (string?)crawler["State"]);
        Assert.Equal("SUCCEEDED", (string?)crawler["LastCrawl"]!["Status"]);
        var table = Assert.Single(aws.Json("glue", "get-tables", "--database-name", database)["TableList"]!.AsArray())!;
        Assert.Equal("weather_data", (string?)table["Name"]);
        Assert.Equal(["location", "year", "month", "day"], table["PartitionKeys"]!.AsArray().Select(k => (string?)k!["Name"]));

        var queryId = (string?)aws.Json("athena", "start-query-execution", "--query-string", "SELECT location, count(*) AS readings FROM weather_data GROUP BY location ORDER BY location",
            "--query-execution-context", $"Database={database}")["QueryExecutionId"];
        Assert.Equal("SUCCEEDED", (string?)aws.Json("athena", "get-query-execution", "--query-execution-id", queryId!)["QueryExecution"]!["Status"]!["State"]);
        var rows = aws.Json("athena", "get-query-results", "--query-execution-id", queryId!)["ResultSet"]!["Rows"]!.AsArray()
            .Select(r => string.Join(' ', r!["Data"]!.AsArray().Select(d => (string?)d!["VarCharValue"]))).ToList();
        Assert.Equal(["location readings", "Edinburgh 30", "London 30", "Manchester 30"], rows);
        var badId = (string?)aws.Json("athena", "start-query-execution", "--query-string", "SELECT nope FROM weather_data", "--query-execution-context", $"Database={database}")["QueryExecutionId"];
        var badStatus = aws.Json("athena", "get-query-execution", "--query-execution-id", badId!)["QueryExecution"]!["Status"]!;
        Assert.Equal("FAILED", (string?)badStatus["State"]);
        Assert.Contains("Column 'nope' cannot be resolved", (string?)badStatus["StateChangeReason"]);
        // The CLI pages the history with the NextToken each page gives, to the end.
        Assert.Equal([badId, queryId], aws.Json("athena", "list-query-executions", "--page-size", "1")["QueryExecutionIds"]!.AsArray().Select(id => (string?)id));
        var unknown = aws.Run("athena", "get-query-execution", "--query-execution-id", "00000000-0000-0000-0000-000000000000");
        Assert.Contains("An error occurred (InvalidRequestException) when calling the GetQueryExecution operation: QueryExecution 00000000-", unknown.Stderr);
        // Glue's expressions choose partitions and tables; Logs' times choose events.
        var london = aws.Json("glue", "get-partitions", "--database-name", database, "--table-name", "weather_data", "--expression", "location='London'")
            ["Partitions"]!.AsArray().Select(p => (string?)p!["Values"]![0]).ToList();
        Assert.NotEmpty(london);
        Assert.All(london, location => Assert.Equal("London", location));
        var badExpression = aws.Run("glue", "get-partitions", "--database-name", database, "--table-name", "weather_data", "--expression", "nonsense ===");
        Assert.Contains("An error occurred (InvalidInputException) when calling the GetPartitions operation: Expression 'nonsense ===' cannot be read", badExpression.Stderr);
        Assert.Empty(aws.Json("glue", "get-tables", "--database-name", database, "--expression", "raw*")["TableList"]!.AsArray());
        Assert.Empty(aws.Json("logs", "filter-log-events", "--log-group-name", "/aws/lambda/cli-demo-producer-dev", "--start-time", "0", "--end-time", "1")["events"]!.AsArray());

        // A bucket with objects stops DeleteStack, as on AWS: the jobs' scripts bucket is emptied first.
        var emptied = aws.Run("s3", "rm", $"s3://cli-demo-glue-scripts-dev-{Account}", "--recursive");
        Assert.True(emptied.Exit == 0, $"s3 rm exited {emptied.Exit}: {emptied.Stderr}");
        var deleted = aws.Run("cloudformation", "delete-stack", "--stack-name", "cli-demo");
        Assert.True(deleted.Exit == 0, $"delete-stack exited {deleted.Exit}: {deleted.Stderr}");
        var gone = aws.Run("cloudformation", "describe-stacks", "--stack-name", "cli-demo");
        Assert.NotEqual(0, gone.Exit);
        Assert.Contains("An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id cli-demo does not exist", gone.Stderr);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
