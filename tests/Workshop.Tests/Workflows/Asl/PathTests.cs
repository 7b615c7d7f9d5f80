using System.Text.Json.Nodes;
using StreamingWorkshop.Workflows;
using StreamingWorkshop.Workflows.Asl;

namespace StreamingWorkshop.Tests.Workflows.Asl;

public class PathTests
{
    private const string Store = """{"store":{"book":[{"title":"A","price":8},{"title":"B","price":12},{"title":"C","price":22}],"the name":"x"}}""";

    [Theory]
    [InlineData("$.store.book[0].title", "\"A\"")]
    [InlineData("$['store']['the name']", "\"x\"")]
    [InlineData("$.store.book[-1].title", "\"C\"")]
    [InlineData("$.store.book[*].title", """["A","B","C"]""")]
    [InlineData("$..title", """["A","B","C"]""")]
    [InlineData("$.store.book[1:3].price", """[12,22]""")]
    [InlineData("$.store.book[?(@.price > 10)].title", """["B","C"]""")]
    [InlineData("$.store.book[?(@.title == 'A')].price", """[8]""")]
    public void A_path_selects_what_JSONPath_says(string path, string expected)
    {
        Assert.True(JsonPath.Parse(path).TryEvaluate(JsonNode.Parse(Store), out var value));
        Assert.Equal(expected, value!.ToJsonString());
    }

    [Theory]
    [InlineData("$.a.b", true)]
    [InlineData("$['a'][0]", true)]
    [InlineData("$.a[*]", false)]
    [InlineData("$..a", false)]
    public void Only_names_and_indexes_make_a_reference_path(string path, bool isReference) =>
        Assert.Equal(isReference, JsonPath.Parse(path).IsReference);

    [Fact]
    public async Task InputPath_Parameters_ResultSelector_ResultPath_and_OutputPath_apply_in_the_spec_order()
    {
        // The developer guide's example of input and output processing, with the task's result scripted.
        var tasks = new ScriptedTasks().On("arn:aws:states:::lambda:invoke",
            r => new TaskOutcome.Succeeded(JsonNode.Parse("""{"Payload":{"sum":3},"StatusCode":200}"""), r.At));
        const string definition = """
            {"StartAt":"Add","States":{"Add":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
              "InputPath":"$.numbers","Parameters":{"FunctionName":"add","Payload":{"x.$":"$.x","y.$":"$.y","at.$":"$$.State.EnteredTime"}},
              "ResultSelector":{"total.$":"$.Payload.sum"},"ResultPath":"$.result","OutputPath":"$.result","End":true}}}
            """;

        var progress = await AslRun.RunAsync(definition, """{"numbers":{"x":1,"y":2},"other":true}""", tasks);

        Assert.Equal("""{"total":3}""", progress.Output);
        Assert.Equal("""{"FunctionName":"add","Payload":{"x":1,"y":2,"at":"2024-05-01T06:00:00.000Z"}}""", tasks.Starts[0].Parameters!.ToJsonString());
    }

    [Fact]
    public async Task Null_paths_give_an_empty_object_and_a_null_result_path_keeps_the_input()
    {
        const string definition = """
            {"StartAt":"Keep","States":{"Keep":{"Type":"Pass","Result":"dropped","ResultPath":null,"Next":"Empty"},
              "Empty":{"Type":"Pass","OutputPath":null,"End":true}}}
            """;

        var progress = await AslRun.RunAsync(definition, """{"a":1}""");

        Assert.Equal("{}", progress.Output);
        Assert.Equal("""{"a":1}""", progress.Events[2].Details!["output"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_parameter_path_that_matches_nothing_fails_with_States_Runtime_and_the_services_cause()
    {
        const string definition = """{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"v.$":"$.missing"},"End":true}}}""";

        var progress = await AslRun.RunAsync(definition, """{"a":1}""");

        Assert.Equal(ExecutionStatuses.Failed, progress.Status);
        Assert.Equal("States.Runtime", progress.Error);
        Assert.Equal("The JSONPath '$.missing' specified for the field 'v.$' could not be found in the input '{\"a\":1}'", progress.Cause);
    }

    [Fact]
    public async Task The_context_object_gives_the_execution_state_and_machine()
    {
        const string definition = """
            {"StartAt":"Ctx","States":{"Ctx":{"Type":"Pass","Parameters":{"id.$":"$$.Execution.Id","start.$":"$$.Execution.StartTime",
              "input.$":"$$.Execution.Input.a","state.$":"$$.State.Name","machine.$":"$$.StateMachine.Name","role.$":"$$.Execution.RoleArn"},"End":true}}}
            """;

        var progress = await AslRun.RunAsync(definition, """{"a":7}""");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"id":"arn:aws:states:eu-west-1:123456789012:execution:weather-analytics-daily-pipeline-dev:run-1","start":"2024-05-01T06:00:00.000Z",
             "input":7,"state":"Ctx","machine":"weather-analytics-daily-pipeline-dev","role":"arn:aws:iam::123456789012:role/workflow-role"}
            """), AslRun.Output(progress)));
    }

    [Theory]
    [InlineData("""{"Variable":"$.s","StringMatches":"log-*.txt"}""", """{"s":"log-2024.txt"}""", true)]
    [InlineData("""{"Variable":"$.s","StringMatches":"a\\*b"}""", """{"s":"a*b"}""", true)]
    [InlineData("""{"Variable":"$.s","StringMatches":"a\\*b"}""", """{"s":"axb"}""", false)]
    [InlineData("""{"Variable":"$.t","TimestampLessThan":"2024-05-01T07:00:00Z"}""", """{"t":"2024-05-01T06:59:59Z"}""", true)]
    [InlineData("""{"Variable":"$.n","NumericEqualsPath":"$.m"}""", """{"n":3,"m":3.0}""", true)]
    [InlineData("""{"Variable":"$.b","BooleanEquals":false}""", """{"b":false}""", true)]
    [InlineData("""{"Variable":"$.x","IsPresent":false}""", """{}""", true)]
    [InlineData("""{"Variable":"$.x","IsNull":true}""", """{"x":null}""", true)]
    [InlineData("""{"Variable":"$.x","IsTimestamp":true}""", """{"x":"2024-05-01T06:00:00+02:00"}""", true)]
    [InlineData("""{"Not":{"Variable":"$.x","IsString":true}}""", """{"x":1}""", true)]
    [InlineData("""{"Or":[{"Variable":"$.x","NumericLessThan":0},{"Variable":"$.x","NumericGreaterThanEquals":10}]}""", """{"x":5}""", false)]
    [InlineData("""{"Variable":"$.s","StringGreaterThan":"abc"}""", """{"s":"abd"}""", true)]
    [InlineData("""{"Variable":"$.s","StringEquals":"1"}""", """{"s":1}""", false)]
    public async Task Choice_rules_compare_as_the_spec_says(string rule, string input, bool matches)
    {
        var choice = JsonNode.Parse(rule)!.AsObject();
        choice["Next"] = "Yes";
        var definition = new JsonObject
        {
            ["StartAt"] = "C",
            ["States"] = new JsonObject
            {
                ["C"] = new JsonObject { ["Type"] = "Choice", ["Choices"] = new JsonArray(choice), ["Default"] = "No" },
                ["Yes"] = new JsonObject { ["Type"] = "Pass", ["Result"] = "yes", ["End"] = true },
                ["No"] = new JsonObject { ["Type"] = "Pass", ["Result"] = "no", ["End"] = true },
            },
        };

        var progress = await AslRun.RunAsync(definition.ToJsonString(), input);

        Assert.Equal(matches ? "\"yes\"" : "\"no\"", progress.Output);
    }

    [Fact]
    public async Task A_choice_variable_that_is_missing_fails_with_the_services_cause()
    {
        const string definition = """{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":1,"Next":"D"}],"Default":"D"},"D":{"Type":"Succeed"}}}""";

        var progress = await AslRun.RunAsync(definition, "{}");

        Assert.Equal(ExecutionStatuses.Failed, progress.Status);
        Assert.Equal("Invalid path '$.x': The choice state's condition path references an invalid value.", progress.Cause);
    }
}
