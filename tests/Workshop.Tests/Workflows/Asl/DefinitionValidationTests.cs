using StreamingWorkshop.Workflows.Asl;

namespace StreamingWorkshop.Tests.Workflows.Asl;

public class DefinitionValidationTests
{
    [Fact]
    public void Text_that_is_not_JSON_is_refused_as_INVALID_JSON_DESCRIPTION() =>
        Assert.StartsWith("Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: ", AslRun.InvalidMessage("{not json"));

    [Fact]
    public void A_missing_next_target_names_the_target_and_where_it_is()
    {
        var message = AslRun.InvalidMessage("""{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Ghost"},"B":{"Type":"Succeed"}}}""");

        Assert.Equal("Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: Ghost at /States/A/Next, "
            + "MISSING_TRANSITION_TARGET: State \"B\" is not reachable. at /States/B'", message);
    }

    [Fact]
    public void A_loop_with_no_terminal_state_is_refused_as_MISSING_END_STATE() =>
        Assert.Equal("Invalid State Machine Definition: 'MISSING_END_STATE: Workflow has no terminal state at /States'",
            AslRun.InvalidMessage("""{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"}}}"""));

    [Fact]
    public void A_state_name_used_twice_in_the_machine_is_refused_as_DUPLICATE_STATE_NAME() =>
        Assert.Equal("Invalid State Machine Definition: 'DUPLICATE_STATE_NAME: Duplicate State name: Done at /States/Done'",
            AslRun.InvalidMessage("""
                {"StartAt":"Both","States":{"Both":{"Type":"Parallel","Next":"Done","Branches":[{"StartAt":"Done","States":{"Done":{"Type":"Succeed"}}}]},
                 "Done":{"Type":"Succeed"}}}
                """));

    [Theory]
    [InlineData("""{"Type":"Pass","End":true,"Retry":[]}""", "SCHEMA_VALIDATION_FAILED: The field \"Retry\" is not supported by Step Functions at /States/S")]
    [InlineData("""{"Type":"Pass"}""", "SCHEMA_VALIDATION_FAILED: One of these fields is required: [Next, End] at /States/S")]
    [InlineData("""{"Type":"Pass","End":true,"Next":"S"}""", "SCHEMA_VALIDATION_FAILED: These fields cannot be used together: [Next, End] at /States/S")]
    [InlineData("""{"Type":"Sleep","End":true}""", "SCHEMA_VALIDATION_FAILED: The value for the field 'Type' must be one of [Task, Pass, Choice, Wait, Succeed, Fail, Parallel, Map] at /States/S/Type")]
    [InlineData("""{"Type":"Wait","Seconds":1,"Timestamp":"2024-01-01T00:00:00Z","End":true}""", "SCHEMA_VALIDATION_FAILED: These fields cannot be used together: [Seconds, Timestamp] at /States/S")]
    [InlineData("""{"Type":"Wait","End":true}""", "SCHEMA_VALIDATION_FAILED: One of these fields is required: [Seconds, Timestamp, SecondsPath, TimestampPath] at /States/S")]
    [InlineData("""{"Type":"Pass","InputPath":"a.b","End":true}""", "SCHEMA_VALIDATION_FAILED: The value for the field 'InputPath' must be a valid JSONPath: The path 'a.b' does not start with '$' at /States/S/InputPath")]
    [InlineData("""{"Type":"Pass","ResultPath":"$.a[*]","End":true}""", "SCHEMA_VALIDATION_FAILED: The value for the field 'ResultPath' must be a valid JSONPath: '$.a[*]' must name a single node (names and indexes only) at /States/S/ResultPath")]
    [InlineData("""{"Type":"Choice","Choices":[{"Variable":"$.a","StringEquals":"x","NumericEquals":1,"Next":"S"}],"Default":"S"}""", "SCHEMA_VALIDATION_FAILED: A choice rule must have exactly one comparison operator, not [StringEquals, NumericEquals] at /States/S/Choices[0]")]
    [InlineData("""{"Type":"Choice","Choices":[{"StringEquals":"x","Next":"S"}],"Default":"S"}""", "SCHEMA_VALIDATION_FAILED: These fields are required: [Variable] at /States/S/Choices[0]")]
    [InlineData("""{"Type":"Choice","Choices":[{"Variable":"$.a","NumericEquals":"1","Next":"S"}],"Default":"S"}""", "SCHEMA_VALIDATION_FAILED: The value for the field 'NumericEquals' must be a NUMBER at /States/S/Choices[0]/NumericEquals")]
    [InlineData("""{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,"Retry":[{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["X"]}]}""", "SCHEMA_VALIDATION_FAILED: A retrier with States.ALL must be the last one at /States/S/Retry[0]/ErrorEquals")]
    [InlineData("""{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,"Catch":[{"ErrorEquals":["States.ALL","X"],"Next":"S"}]}""", "SCHEMA_VALIDATION_FAILED: States.ALL must appear alone in its ErrorEquals at /States/S/Catch[0]/ErrorEquals")]
    [InlineData("""{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,"Retry":[{"ErrorEquals":["States.Nope"]}]}""", "SCHEMA_VALIDATION_FAILED: The error name 'States.Nope' is not one of the States.* error names at /States/S/Retry[0]/ErrorEquals[0]")]
    [InlineData("""{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,"Retry":[{"ErrorEquals":["X"],"BackoffRate":0.5}]}""", "SCHEMA_VALIDATION_FAILED: The value for the field 'BackoffRate' must be a number of at least 1.0 at /States/S/Retry[0]/BackoffRate")]
    [InlineData("""{"Type":"Pass","Parameters":{"a.$":"States.Nope(1)"},"End":true}""", "SCHEMA_VALIDATION_FAILED: The value for the field 'a.$' must be a valid intrinsic function call: the function States.Nope is not an intrinsic function at /States/S/Parameters/a.$")]
    public void Each_schema_problem_has_the_services_message_shape(string state, string expected)
    {
        var message = AslRun.InvalidMessage("""{"StartAt":"S","States":{"S":STATE}}""".Replace("STATE", state));

        Assert.Equal($"Invalid State Machine Definition: '{expected}'", message);
    }

    [Fact]
    public void A_state_name_longer_than_80_characters_is_refused()
    {
        var name = new string('n', 81);

        var message = AslRun.InvalidMessage("""{"StartAt":"NAME","States":{"NAME":{"Type":"Succeed"}}}""".Replace("NAME", name));

        Assert.Equal($"Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The state name must be at most 80 characters, not 81 at /States/{name}'", message);
    }

    [Theory]
    [InlineData("""{"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Succeed"}}}""", "QueryLanguage JSONata")]
    [InlineData("""{"StartAt":"S","States":{"S":{"Type":"Pass","Assign":{"x":1},"End":true}}}""", "Assign")]
    [InlineData("""{"StartAt":"M","States":{"M":{"Type":"Map","ItemReader":{},"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Succeed"}}},"End":true}}}""", "ItemReader")]
    [InlineData("""{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"P","States":{"P":{"Type":"Succeed"}}},"End":true}}}""", "ProcessorConfig Mode DISTRIBUTED")]
    [InlineData("""{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:eu-west-1:123456789012:activity:review","End":true}}}""", "Activity resources")]
    [InlineData("""{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","End":true}}}""", ".waitForTaskToken")]
    [InlineData("""{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","HeartbeatSeconds":30,"End":true}}}""", "HeartbeatSeconds")]
    public void What_the_local_backend_does_not_run_is_refused_by_name(string definition, string feature)
    {
        var message = AslRun.InvalidMessage(definition);

        Assert.Contains("is not supported by the local backend", message);
        Assert.Contains($"({feature})", message);
        Assert.Contains(AslSupport.Unsupported, f => f.Name == feature);
    }

    [Fact]
    public void A_task_resource_the_integrations_do_not_run_is_refused_with_the_list_they_run()
    {
        var tasks = new ScriptedTasks { Supported = ["arn:aws:states:::glue:startJobRun.sync"] };

        var message = AslRun.InvalidMessage("""{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sns:publish","End":true}}}""", tasks);

        Assert.Equal("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The resource 'arn:aws:states:::sns:publish' is not supported by the local backend; "
            + "it runs [arn:aws:states:::glue:startJobRun.sync] at /States/T/Resource'", message);
    }

    [Fact]
    public void A_valid_definition_lists_its_states_and_transitions_for_drawings()
    {
        var definition = StateMachineDefinition.Parse("""
            {"Comment":"daily","StartAt":"Curate","States":{
              "Curate":{"Type":"Task","Resource":"arn:aws:states:::glue:startJobRun.sync","Next":"Check",
                "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Failed"}]},
              "Check":{"Type":"Choice","Choices":[{"Variable":"$.rows","NumericGreaterThan":0,"Next":"Both"}],"Default":"Failed"},
              "Both":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}]},
              "Failed":{"Type":"Fail","Error":"E"}}}
            """);

        Assert.Equal("Curate", definition.StartAt);
        Assert.Equal("daily", definition.Comment);
        Assert.Equal(["Curate", "Check", "Both", "Failed"], definition.States.Select(s => s.Name));
        Assert.Equal([new AslTransition("Next", "Check"), new AslTransition("Catch", "Failed", "States.ALL")], definition.State("Curate").Transitions);
        Assert.Equal([new AslTransition("Choice", "Both", "$.rows > 0"), new AslTransition("Default", "Failed")], definition.State("Check").Transitions);
        Assert.True(definition.State("Both").IsEnd);
        Assert.Equal("A", Assert.Single(definition.State("Both").Branches).StartAt);
        Assert.True(definition.State("Failed").IsEnd);
        Assert.Equal("arn:aws:states:::glue:startJobRun.sync", definition.State("Curate").Resource);
    }
}
