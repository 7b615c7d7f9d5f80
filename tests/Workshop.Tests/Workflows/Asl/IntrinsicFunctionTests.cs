using System.Text.Json.Nodes;
using StreamingWorkshop.Workflows;
using StreamingWorkshop.Workflows.Asl;

namespace StreamingWorkshop.Tests.Workflows.Asl;

public class IntrinsicFunctionTests
{
    private const string Input = """{"name":"Oslo","list":[1,2,3,4,5,6,7],"dup":[1,2,2,3,3,1],"obj":{"a":1,"b":{"c":2}},"other":{"b":3},"text":"Data to encode","csv":"1,2,3,4,5","json":"{\"number\": 20}"}""";

    private static async Task<JsonNode?> EvaluateAsync(string expression, string input = Input)
    {
        var definition = new JsonObject
        {
            ["StartAt"] = "Call",
            ["States"] = new JsonObject
            {
                ["Call"] = new JsonObject { ["Type"] = "Pass", ["Parameters"] = new JsonObject { ["value.$"] = expression }, ["End"] = true },
            },
        };
        var progress = await AslRun.RunAsync(definition.ToJsonString(), input);
        Assert.Equal(ExecutionStatuses.Succeeded, progress.Status);
        return AslRun.Output(progress)!["value"];
    }

    // Expected values from the examples of the Step Functions developer guide's "Intrinsic functions" page.
    [Theory]
    [InlineData("States.Format('Hello, my name is {}.', $.name)", "\"Hello, my name is Oslo.\"")]
    [InlineData("States.Format('{} \\{literal\\}', 3)", "\"3 {literal}\"")]
    [InlineData("States.StringToJson($.json)", """{"number":20}""")]
    [InlineData("States.JsonToString($.obj)", "\"{\\\"a\\\":1,\\\"b\\\":{\\\"c\\\":2}}\"")]
    [InlineData("States.Array('Foo', 2020, $.obj.a, null, true)", """["Foo",2020,1,null,true]""")]
    [InlineData("States.ArrayPartition($.list, 4)", "[[1,2,3,4],[5,6,7]]")]
    [InlineData("States.ArrayContains($.list, 5)", "true")]
    [InlineData("States.ArrayContains($.list, 9)", "false")]
    [InlineData("States.ArrayRange(1, 9, 2)", "[1,3,5,7,9]")]
    [InlineData("States.ArrayGetItem($.list, 5)", "6")]
    [InlineData("States.ArrayLength($.list)", "7")]
    [InlineData("States.ArrayUnique($.dup)", "[1,2,3]")]
    [InlineData("States.Base64Encode($.text)", "\"RGF0YSB0byBlbmNvZGU=\"")]
    [InlineData("States.Base64Decode('RGVjb2RlZCBkYXRh')", "\"Decoded data\"")]
    [InlineData("States.Hash('input data', 'SHA-1')", "\"aaff4a450a104cd177d28d18d74485e8cae074b7\"")]
    [InlineData("States.Hash('', 'MD5')", "\"d41d8cd98f00b204e9800998ecf8427e\"")]
    [InlineData("States.Hash('', 'SHA-256')", "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"")]
    [InlineData("States.JsonMerge($.obj, $.other, false)", """{"a":1,"b":3}""")]
    [InlineData("States.MathAdd(111, -1)", "110")]
    [InlineData("States.StringSplit($.csv, ',')", """["1","2","3","4","5"]""")]
    [InlineData("States.ArrayLength(States.Array(1, States.MathAdd(1, 1)))", "2")]
    [InlineData("States.Format('It\\'s {}', $$.Execution.Name)", "\"It's run-1\"")]
    public async Task Each_intrinsic_function_gives_the_documented_value(string expression, string expected)
    {
        var value = await EvaluateAsync(expression);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), value), $"{expression} gave {value?.ToJsonString()}");
    }

    [Fact]
    public async Task MathRandom_and_UUID_give_the_same_values_on_every_replay()
    {
        var first = await EvaluateAsync("States.Array(States.MathRandom(1, 1000), States.UUID())");
        var second = await EvaluateAsync("States.Array(States.MathRandom(1, 1000), States.UUID())");

        Assert.Equal(first!.ToJsonString(), second!.ToJsonString());
        var random = first![0]!.GetValue<long>();
        Assert.InRange(random, 1, 999);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", first![1]!.GetValue<string>());
    }

    [Theory]
    [InlineData("States.ArrayGetItem($.list, 7)")]
    [InlineData("States.Hash('x', 'SHA-3')")]
    [InlineData("States.JsonMerge($.obj, $.other, true)")]
    [InlineData("States.Format('{} {}', 1)")]
    [InlineData("States.StringToJson($.name)")]
    public async Task A_wrong_argument_fails_the_state_with_States_IntrinsicFailure(string expression)
    {
        var definition = new JsonObject
        {
            ["StartAt"] = "Call",
            ["States"] = new JsonObject
            {
                ["Call"] = new JsonObject { ["Type"] = "Pass", ["Parameters"] = new JsonObject { ["value.$"] = expression }, ["End"] = true },
            },
        };

        var progress = await AslRun.RunAsync(definition.ToJsonString(), Input);

        Assert.Equal(ExecutionStatuses.Failed, progress.Status);
        Assert.Equal("States.IntrinsicFailure", progress.Error);
    }
}
