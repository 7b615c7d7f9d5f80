using System.Text.Json.Nodes;
using StreamingWorkshop;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Workflows;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Workflows;

/// <summary>
/// The local Step Functions service's API: names, ARNs, inputs and errors by the service's names, executions listed
/// newest first, stopping, histories, and executions that move only when the virtual clock does.
/// </summary>
public sealed class LocalStepFunctionsTests : LocalSessionTest
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private const string Role = "arn:aws:iam::123456789012:role/workflows-test";
    private const string MachineArn = "arn:aws:states:us-east-1:123456789012:stateMachine:greet";

    private const string Greeting = """{"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Result": {"greeting": "hi"}, "End": true}}}""";
    private const string Nap = """{"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 60, "End": true}}}""";
    private const string LongNap = """{"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": true}}}""";

    private LocalStepFunctions Workflows => Session.Local!.Workflows;

    private StreamingWorkshop.Clock.VirtualClock Clock => Session.Local!.Clock;

    private string Put(string name, string definition)
    {
        if (Clock.IsUnset) Clock.SetStart(Start);
        return Workflows.PutStateMachine(name, definition, Role, "STANDARD");
    }

    [Fact]
    public async Task A_state_machine_is_put_with_its_arn_and_replacing_it_keeps_its_creation_date()
    {
        var arn = Put("greet", Greeting);
        Clock.Advance(TimeSpan.FromHours(1));
        Put("greet", Nap);

        var described = await Workflows.DescribeStateMachineAsync(arn);
        var listed = await Workflows.ListStateMachinesAsync();

        Assert.Equal(MachineArn, arn);
        Assert.Equal(new StateMachineDescription("greet", MachineArn, Nap, Role, "STANDARD", Start), described);
        Assert.Equal([new StateMachineSummary("greet", MachineArn, "STANDARD", Start)], listed);
    }

    [Fact]
    public async Task An_execution_of_a_pass_state_ends_at_its_start_with_the_states_result_as_output_and_its_history()
    {
        var arn = Put("greet", Greeting);

        var started = await Workflows.StartExecutionAsync(arn, "first", """{"city": "Oslo"}""");
        var described = await Workflows.DescribeExecutionAsync(started.ExecutionArn);
        var history = await Workflows.GetExecutionHistoryAsync(started.ExecutionArn);

        Assert.Equal(new ExecutionStart("arn:aws:states:us-east-1:123456789012:execution:greet:first", Start), started);
        Assert.Equal(new ExecutionDescription(started.ExecutionArn, MachineArn, "first", "SUCCEEDED", Start, Start, """{"city": "Oslo"}""", """{"greeting":"hi"}"""),
            described with { Output = JsonNode.Parse(described.Output!)!.ToJsonString() });
        Assert.Equal(["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"], history.Select(e => e.Type));
        Assert.Equal([1L, 2L, 3L, 4L], history.Select(e => e.Id));
    }

    [Fact]
    public async Task A_wait_keeps_the_execution_running_until_the_clock_reaches_its_end()
    {
        var arn = Put("nap", Nap);
        var started = await Workflows.StartExecutionAsync(arn, "nap-1");

        var wakeAt = Workflows.NextChangeAt(started.ExecutionArn);
        Clock.Advance(TimeSpan.FromSeconds(59));
        var before = await Workflows.DescribeExecutionAsync(started.ExecutionArn);
        Clock.Advance(TimeSpan.FromSeconds(30));
        var after = await Workflows.DescribeExecutionAsync(started.ExecutionArn);

        Assert.Equal(Start.AddSeconds(60), wakeAt);
        Assert.Equal(("RUNNING", (DateTimeOffset?)null), (before.Status, before.StopDate));
        Assert.Equal(("SUCCEEDED", (DateTimeOffset?)Start.AddSeconds(60), "{}"), (after.Status, after.StopDate, after.Output));
        Assert.Null(Workflows.NextChangeAt(started.ExecutionArn));
    }

    [Fact]
    public async Task Starting_a_name_again_returns_the_running_execution_for_the_same_input_and_is_refused_otherwise()
    {
        var arn = Put("nap", LongNap);
        var first = await Workflows.StartExecutionAsync(arn, "daily", """{"day": 1}""");
        Clock.Advance(TimeSpan.FromMinutes(1));

        var same = await Workflows.StartExecutionAsync(arn, "daily", """{"day": 1}""");
        var otherInput = await Assert.ThrowsAsync<ExecutionAlreadyExistsException>(() => Workflows.StartExecutionAsync(arn, "daily", """{"day": 2}"""));
        Clock.Advance(TimeSpan.FromHours(1));
        var ended = await Assert.ThrowsAsync<ExecutionAlreadyExistsException>(() => Workflows.StartExecutionAsync(arn, "daily", """{"day": 1}"""));

        Assert.Equal(first, same);
        Assert.Equal("ExecutionAlreadyExists", otherInput.ErrorCode);
        Assert.StartsWith("Execution Already Exists: 'arn:aws:states:us-east-1:123456789012:execution:nap:daily' (RUNNING, with another input).", otherInput.Message);
        Assert.StartsWith("Execution Already Exists: 'arn:aws:states:us-east-1:123456789012:execution:nap:daily' (SUCCEEDED).", ended.Message);
        Assert.Single(await Workflows.ListExecutionsAsync(arn));
    }

    [Fact]
    public async Task An_execution_without_a_name_gets_one_made_from_the_virtual_time_and_its_number_the_same_on_every_run()
    {
        var arn = Put("greet", Greeting);
        var first = await Workflows.StartExecutionAsync(arn);
        var second = await Workflows.StartExecutionAsync(arn);

        using var otherWorkspace = new TempWorkspace();
        await using var again = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = otherWorkspace.Root });
        again.Local!.Clock.SetStart(Start);
        var arnAgain = again.Local!.Workflows.PutStateMachine("greet", Greeting, Role, "STANDARD");
        var firstAgain = await again.Local!.Workflows.StartExecutionAsync(arnAgain);

        var name = first.ExecutionArn.Split(':')[^1];
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", name);
        Assert.NotEqual(first.ExecutionArn, second.ExecutionArn);
        Assert.Equal(first.ExecutionArn, firstAgain.ExecutionArn);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("tab\there")]
    [InlineData("a<b")]
    [InlineData("a>b")]
    [InlineData("a{b")]
    [InlineData("a}b")]
    [InlineData("a[b")]
    [InlineData("a]b")]
    [InlineData("a?b")]
    [InlineData("a*b")]
    [InlineData("a\"b")]
    [InlineData("a#b")]
    [InlineData("a%b")]
    [InlineData("a\\b")]
    [InlineData("a^b")]
    [InlineData("a|b")]
    [InlineData("a~b")]
    [InlineData("a`b")]
    [InlineData("a$b")]
    [InlineData("a&b")]
    [InlineData("a,b")]
    [InlineData("a;b")]
    [InlineData("a:b")]
    [InlineData("a/b")]
    [InlineData("a\u0001b")]
    [InlineData("a\u007fb")]
    [InlineData("a\u0090b")]
    [InlineData("eighty-one-characters-are-one-too-many-for-an-execution-name-as-the-api-says-it!!")]
    public async Task Names_the_service_refuses_are_InvalidName(string name)
    {
        var error = await Assert.ThrowsAsync<InvalidNameException>(() => Workflows.StartExecutionAsync(MachineArn, name));
        var machine = Assert.Throws<InvalidNameException>(() => Workflows.PutStateMachine(name, Greeting, Role, "STANDARD"));

        Assert.Equal("InvalidName", error.ErrorCode);
        Assert.StartsWith($"Invalid Name: '{name}': an execution name has 1 to 80 characters", error.Message);
        Assert.StartsWith($"Invalid Name: '{name}': a state machine name has 1 to 80 characters", machine.Message);
    }

    [Theory]
    [InlineData("daily-2026_03.01")]
    [InlineData("été")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345678901234567890")]
    public async Task Names_with_letters_digits_and_other_marks_up_to_eighty_characters_are_accepted(string name)
    {
        var arn = Put("greet", Greeting);

        var started = await Workflows.StartExecutionAsync(arn, name);

        Assert.Equal($"arn:aws:states:us-east-1:123456789012:execution:greet:{name}", started.ExecutionArn);
        Assert.Equal(name, (await Workflows.DescribeExecutionAsync(started.ExecutionArn)).Name);
    }

    [Fact]
    public async Task Input_that_is_not_json_or_is_over_256_KiB_is_InvalidExecutionInput()
    {
        var notJson = await Assert.ThrowsAsync<InvalidExecutionInputException>(() => Workflows.StartExecutionAsync(MachineArn, "x", "{city: Oslo}"));
        var tooLarge = await Assert.ThrowsAsync<InvalidExecutionInputException>(() => Workflows.StartExecutionAsync(MachineArn, "x", $"\"{new string('a', 262_143)}\""));

        Assert.Equal("InvalidExecutionInput", notJson.ErrorCode);
        Assert.Equal("Invalid State Machine Execution Input: '{city: Oslo}' is not JSON (it goes wrong at character 2). Give the input as a JSON text, for example {\"day\": \"2026-03-01\"} (the day the workshop's daily pipeline reads).", notJson.Message);
        Assert.Equal("Invalid State Machine Execution Input: the input has 262,145 bytes, over the 262,144 a state machine accepts; pass a reference (an S3 key) instead of the data.", tooLarge.Message);
    }

    [Fact]
    public async Task Input_of_exactly_256_KiB_is_accepted_and_no_input_is_an_empty_object()
    {
        var arn = Put("greet", LongNap);

        var largest = await Workflows.StartExecutionAsync(arn, "largest", $"\"{new string('a', 262_142)}\"");
        var none = await Workflows.StartExecutionAsync(arn, "none");

        Assert.Equal(262_144, (await Workflows.DescribeExecutionAsync(largest.ExecutionArn)).Input!.Length);
        Assert.Equal("{}", (await Workflows.DescribeExecutionAsync(none.ExecutionArn)).Input);
    }

    [Theory]
    [InlineData("greet")]
    [InlineData("arn:aws:states:us-east-1:123456789012:execution:greet:first")]
    [InlineData("arn:aws:s3:us-east-1:123456789012:stateMachine:greet")]
    [InlineData("arn:aws:states:us-east-1:123456789012:stateMachine:")]
    [InlineData("arn:aws:states:us-east-1:123456789012:stateMachine:greet:1")]
    public async Task A_malformed_state_machine_arn_is_InvalidArn(string arn)
    {
        var error = await Assert.ThrowsAsync<InvalidArnException>(() => Workflows.StartExecutionAsync(arn));

        Assert.Equal("InvalidArn", error.ErrorCode);
        Assert.Equal($"Invalid Arn: '{arn}' is not a state machine's ARN; give one like arn:aws:states:us-east-1:123456789012:stateMachine:<name>.", error.Message);
    }

    [Fact]
    public async Task Unknown_state_machines_and_executions_are_named_by_the_service_errors()
    {
        var machine = await Assert.ThrowsAsync<StateMachineDoesNotExistException>(() => Workflows.DescribeStateMachineAsync(MachineArn));
        var start = await Assert.ThrowsAsync<StateMachineDoesNotExistException>(() => Workflows.StartExecutionAsync(MachineArn));
        var list = await Assert.ThrowsAsync<StateMachineDoesNotExistException>(() => Workflows.ListExecutionsAsync(MachineArn));
        var otherAccount = await Assert.ThrowsAsync<StateMachineDoesNotExistException>(() => Workflows.DescribeStateMachineAsync("arn:aws:states:us-east-1:999999999999:stateMachine:greet"));
        var execution = await Assert.ThrowsAsync<ExecutionDoesNotExistException>(() => Workflows.DescribeExecutionAsync("arn:aws:states:us-east-1:123456789012:execution:greet:nope"));
        var history = await Assert.ThrowsAsync<ExecutionDoesNotExistException>(() => Workflows.GetExecutionHistoryAsync("arn:aws:states:us-east-1:123456789012:execution:greet:nope"));
        var stop = await Assert.ThrowsAsync<ExecutionDoesNotExistException>(() => Workflows.StopExecutionAsync("arn:aws:states:us-east-1:123456789012:execution:greet:nope"));
        var malformed = await Assert.ThrowsAsync<InvalidArnException>(() => Workflows.DescribeExecutionAsync(MachineArn));

        Assert.Equal("State Machine Does Not Exist: 'arn:aws:states:us-east-1:123456789012:stateMachine:greet'. There are none: deploy the stack (workshop deploy).", machine.Message);
        Assert.Equal(("StateMachineDoesNotExist", "StateMachineDoesNotExist", "StateMachineDoesNotExist"), (start.ErrorCode, list.ErrorCode, otherAccount.ErrorCode));
        Assert.Equal("Execution Does Not Exist: 'arn:aws:states:us-east-1:123456789012:execution:greet:nope'. List the state machine's executions to find its name.", execution.Message);
        Assert.Equal(("ExecutionDoesNotExist", "ExecutionDoesNotExist"), (history.ErrorCode, stop.ErrorCode));
        Assert.Equal("InvalidArn", malformed.ErrorCode);
    }

    [Fact]
    public async Task Executions_are_listed_newest_first_and_filtered_by_status()
    {
        var arn = Put("nap", Nap);
        await Workflows.StartExecutionAsync(arn, "one");
        Clock.Advance(TimeSpan.FromMinutes(2));
        await Workflows.StartExecutionAsync(arn, "two");
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Workflows.StartExecutionAsync(arn, "three");
        await Workflows.StopExecutionAsync(Workflows.ExecutionArn("nap", "three"));

        var all = await Workflows.ListExecutionsAsync(arn);
        var running = await Workflows.ListExecutionsAsync(arn, "RUNNING");
        var succeeded = await Workflows.ListExecutionsAsync(arn, "SUCCEEDED");
        var firstTwo = await Workflows.ListExecutionsAsync(arn, maxResults: 2);
        var badFilter = await Assert.ThrowsAsync<ValidationException>(() => Workflows.ListExecutionsAsync(arn, "DONE"));

        Assert.Equal([("three", "ABORTED"), ("two", "RUNNING"), ("one", "SUCCEEDED")], all.Select(e => (e.Name, e.Status)));
        Assert.Equal(["two"], running.Select(e => e.Name));
        Assert.Equal([new ExecutionDescription(Workflows.ExecutionArn("nap", "one"), arn, "one", "SUCCEEDED", Start, Start.AddSeconds(60))], succeeded);
        Assert.Equal(["three", "two"], firstTwo.Select(e => e.Name));
        Assert.Equal("ValidationException", badFilter.ErrorCode);
    }

    [Fact]
    public async Task Stopping_ends_the_execution_aborted_at_the_clocks_time_with_an_ExecutionAborted_event_and_it_moves_no_more()
    {
        var arn = Put("nap", LongNap);
        var started = await Workflows.StartExecutionAsync(arn, "stopped");
        Clock.Advance(TimeSpan.FromMinutes(10));

        var stopDate = await Workflows.StopExecutionAsync(started.ExecutionArn, "Workshop.Cancelled", "The learner stopped it.");
        Clock.Advance(TimeSpan.FromHours(2));
        var described = await Workflows.DescribeExecutionAsync(started.ExecutionArn);
        var history = await Workflows.GetExecutionHistoryAsync(started.ExecutionArn);
        var again = await Assert.ThrowsAsync<ValidationException>(() => Workflows.StopExecutionAsync(started.ExecutionArn));

        Assert.Equal(Start.AddMinutes(10), stopDate);
        Assert.Equal(("ABORTED", (DateTimeOffset?)Start.AddMinutes(10), "Workshop.Cancelled", "The learner stopped it.", (string?)null),
            (described.Status, described.StopDate, described.Error, described.Cause, described.Output));
        Assert.Equal(["ExecutionStarted", "WaitStateEntered", "ExecutionAborted"], history.Select(e => e.Type));
        var aborted = history[^1];
        Assert.Equal((3L, 2L, Start.AddMinutes(10), "executionAbortedEventDetails"), (aborted.Id, aborted.PreviousEventId, aborted.Timestamp, aborted.DetailsMember));
        Assert.Equal("""{"error":"Workshop.Cancelled","cause":"The learner stopped it."}""", aborted.Details!.ToJsonString());
        Assert.Equal("ValidationException", again.ErrorCode);
        Assert.StartsWith($"Execution {started.ExecutionArn} is not running: it ended ABORTED at 2026-03-01 12:10:00 UTC", again.Message);
    }

    [Fact]
    public async Task The_history_comes_oldest_first_or_newest_first_when_asked()
    {
        var arn = Put("greet", Greeting);
        var started = await Workflows.StartExecutionAsync(arn, "order");

        var forward = await Workflows.GetExecutionHistoryAsync(started.ExecutionArn);
        var reverse = await Workflows.GetExecutionHistoryAsync(started.ExecutionArn, reverseOrder: true);

        Assert.Equal([1L, 2L, 3L, 4L], forward.Select(e => e.Id));
        Assert.Equal([4L, 3L, 2L, 1L], reverse.Select(e => e.Id));
        Assert.Equal("ExecutionSucceeded", reverse[0].Type);
    }

    [Fact]
    public async Task A_definition_that_is_not_valid_is_InvalidDefinition_and_an_unknown_type_is_refused()
    {
        if (Clock.IsUnset) Clock.SetStart(Start);

        var invalid = Assert.Throws<InvalidDefinitionException>(() => Workflows.PutStateMachine("broken", """{"StartAt": "Missing", "States": {}}""", Role, "STANDARD"));
        var type = Assert.Throws<ValidationException>(() => Workflows.PutStateMachine("typed", Greeting, Role, "BATCH"));

        Assert.Equal("InvalidDefinition", invalid.ErrorCode);
        Assert.StartsWith("Invalid State Machine Definition: ", invalid.Message);
        Assert.Equal("State machine typed has type 'BATCH'; give Type STANDARD (or EXPRESS).", type.Message);
        Assert.Empty(await Workflows.ListStateMachinesAsync());
    }

    [Fact]
    public async Task Deleting_a_state_machine_forgets_it_and_its_executions()
    {
        var arn = Put("greet", Greeting);
        var started = await Workflows.StartExecutionAsync(arn, "gone");

        Workflows.DeleteStateMachine("greet");
        Workflows.DeleteStateMachine("greet");

        Assert.Empty(await Workflows.ListStateMachinesAsync());
        await Assert.ThrowsAsync<ExecutionDoesNotExistException>(() => Workflows.DescribeExecutionAsync(started.ExecutionArn));
        await Assert.ThrowsAsync<StateMachineDoesNotExistException>(() => Workflows.DescribeStateMachineAsync(arn));
    }
}
