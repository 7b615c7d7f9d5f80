namespace Workshop.Notebooks.Tests;

/// <summary>The stack's state machine reached with Debian's AWS CLI through `workshop serve`, as `aws stepfunctions` reaches it on AWS.</summary>
public sealed class ServeStepFunctionsCliTests : IDisposable
{
    private const string Pipeline = "weather-analytics-daily-pipeline-dev";
    private const string MachineArn = "arn:aws:states:us-east-1:123456789012:stateMachine:" + Pipeline;
    private const string ExecutionArns = "arn:aws:states:us-east-1:123456789012:execution:" + Pipeline + ":";
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-serve-states-").FullName;
    private string Workspace => Path.Combine(folder, "ws");

    [Fact]
    public async Task The_aws_cli_lists_describes_starts_follows_and_pages_executions_and_gets_the_services_errors()
    {
        Assert.True(File.Exists(AwsCli.Program), "Debian's awscli is installed (test.sh installs it)");
        var deployed = Cli.Capture(folder, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = Workspace }, "deploy");
        Assert.True(deployed.Exit == 0, $"workshop deploy exited {deployed.Exit}: {deployed.Stderr}");
        await using var server = await ServeProcess.StartAsync(Workspace);
        var aws = new AwsCli(folder, server.Url);

        var machines = aws.Json("stepfunctions", "list-state-machines")["stateMachines"]!.AsArray();
        Assert.Equal([$"{Pipeline} {MachineArn} STANDARD"], machines.Select(m => $"{m!["name"]} {m["stateMachineArn"]} {m["type"]}"));
        var described = aws.Json("stepfunctions", "describe-state-machine", "--state-machine-arn", MachineArn);
        Assert.Equal("ACTIVE", (string?)described["status"]);
        Assert.Contains("\"StartAt\":\"ChooseDay\"", ((string)described["definition"]!).Replace(" ", "", StringComparison.Ordinal));

        var started = aws.Json("stepfunctions", "start-execution", "--state-machine-arn", MachineArn, "--name", "day-1", "--input", """{"day": "2026-03-01"}""");
        Assert.Equal(ExecutionArns + "day-1", (string?)started["executionArn"]);
        aws.Json("stepfunctions", "start-execution", "--state-machine-arn", MachineArn, "--name", "day-2", "--input", """{"day": "2026-03-02"}""");

        // No crawler was made in this workspace: the pipeline's first task fails, and the execution with it, once the
        // served clock (the wall clock) has passed the moment the failed call answered.
        System.Text.Json.Nodes.JsonObject Ended(string name)
        {
            var described = aws.Json("stepfunctions", "describe-execution", "--execution-arn", ExecutionArns + name);
            for (var asked = 1; (string?)described["status"] == "RUNNING" && asked < 60; asked++)
                described = aws.Json("stepfunctions", "describe-execution", "--execution-arn", ExecutionArns + name);
            return described;
        }
        var execution = Ended("day-1");
        Assert.Equal(("day-1", "FAILED", "Glue.EntityNotFoundException", """{"day": "2026-03-01"}"""),
            ((string?)execution["name"], (string?)execution["status"], (string?)execution["error"], (string?)execution["input"]));

        Assert.Equal("FAILED", (string?)Ended("day-2")["status"]);
        // One execution a page: the CLI follows nextToken to the end.
        var paged = aws.Json("stepfunctions", "list-executions", "--state-machine-arn", MachineArn, "--status-filter", "FAILED", "--page-size", "1")["executions"]!.AsArray();
        Assert.Equal(["day-2", "day-1"], paged.Select(e => (string?)e!["name"]));

        var history = aws.Json("stepfunctions", "get-execution-history", "--execution-arn", ExecutionArns + "day-1", "--reverse-order")["events"]!.AsArray();
        Assert.Equal(("ExecutionFailed", "Glue.EntityNotFoundException"), ((string?)history[0]!["type"], (string?)history[0]!["executionFailedEventDetails"]!["error"]));
        Assert.Equal(("ExecutionStarted", 1), ((string?)history[^1]!["type"], (int?)history[^1]!["id"]));
        Assert.Equal("ChooseDay", (string?)history[^2]!["stateEnteredEventDetails"]!["name"]);

        var again = aws.Run("stepfunctions", "start-execution", "--state-machine-arn", MachineArn, "--name", "day-1", "--input", """{"day": "2026-03-05"}""");
        Assert.Contains("An error occurred (ExecutionAlreadyExists) when calling the StartExecution operation: Execution Already Exists:", again.Stderr);
        var missing = aws.Run("stepfunctions", "describe-execution", "--execution-arn", ExecutionArns + "nothing");
        Assert.Contains($"An error occurred (ExecutionDoesNotExist) when calling the DescribeExecution operation: Execution Does Not Exist: '{ExecutionArns}nothing'", missing.Stderr);
        var tooMany = aws.Run("stepfunctions", "list-state-machines", "--page-size", "1001");
        Assert.Contains("An error occurred (ValidationException) when calling the ListStateMachines operation: 1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000", tooMany.Stderr);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
