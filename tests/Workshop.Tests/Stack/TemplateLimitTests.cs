using System.Text;
using StreamingWorkshop;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Stack;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Stack;

/// <summary>Templates that would exhaust memory, the stack or the processor are refused with CloudFormation's own kind of error.</summary>
public sealed class TemplateLimitTests : LocalSessionTest
{
    private static ValidationException Refused(string template) => Assert.Throws<ValidationException>(() => TemplateReader.Parse(template));

    private const string OneResource = "Resources:\n  Logs: { Type: AWS::Logs::LogGroup }\n";

    [Fact]
    public void A_yaml_alias_bomb_is_refused_before_it_is_expanded()
    {
        // Nine levels of nine aliases: 387 million strings once expanded.
        var text = new StringBuilder("l0: &l0 [x, x, x, x, x, x, x, x, x]\n");
        for (var level = 1; level < 9; level++)
            text.Append($"l{level}: &l{level} [{string.Join(", ", Enumerable.Repeat($"*l{level - 1}", 9))}]\n");
        text.Append("Resources:\n  Logs: { Type: AWS::Logs::LogGroup, Properties: { LogGroupName: *l8 } }\n");

        var error = Refused(text.ToString());

        Assert.Equal("ValidationError", error.ErrorCode);
        Assert.StartsWith("Template format error: YAML aliases are not allowed in CloudFormation templates (alias *l0 at line 2)", error.Message);
    }

    [Fact]
    public void A_single_alias_is_refused_too_as_cloudformation_refuses_it()
    {
        var error = Refused("Resources:\n  A: &shared { Type: AWS::Logs::LogGroup }\n  B: *shared\n");
        Assert.StartsWith("Template format error: YAML aliases are not allowed in CloudFormation templates (alias *shared at line 3)", error.Message);
    }

    [Fact]
    public void Ten_thousand_nested_joins_in_yaml_are_refused_at_the_nesting_limit()
    {
        var nested = new StringBuilder("x");
        for (var i = 0; i < 10_000; i++) nested.Insert(0, "{\"Fn::Join\": [\"\", [").Append("]]}");
        var error = Refused($"Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: {nested}\n");
        Assert.StartsWith("Template format error: the template nests deeper than 64 levels (line 5)", error.Message);
    }

    [Fact]
    public void Ten_thousand_nested_joins_in_json_are_refused_at_the_nesting_limit()
    {
        var nested = new StringBuilder("\"x\"");
        for (var i = 0; i < 10_000; i++) nested.Insert(0, "{\"Fn::Join\": [\"\", [").Append("]]}");
        var error = Refused("{\"Resources\": {\"Logs\": {\"Type\": \"AWS::Logs::LogGroup\", \"Properties\": {\"LogGroupName\": " + nested + "}}}}");
        Assert.StartsWith("Template format error: the template nests deeper than 64 levels (line 1)", error.Message);
    }

    [Fact]
    public void Nesting_within_the_limit_still_evaluates()
    {
        var nested = new StringBuilder("\"x\"");
        for (var i = 0; i < 20; i++) nested.Insert(0, "{\"Fn::Join\": [\"\", [").Append("]]}");
        var template = TemplateReader.Parse("{\"Resources\": {\"Logs\": {\"Type\": \"AWS::Logs::LogGroup\", \"Properties\": {\"LogGroupName\": " + nested + "}}}}");
        var evaluator = new TemplateEvaluator(template, new Dictionary<string, System.Text.Json.Nodes.JsonNode>(), new Dictionary<string, string>(), _ => null);
        Assert.Equal("x", evaluator.Evaluate(template["Resources"]!["Logs"]!["Properties"]!["LogGroupName"])!.GetValue<string>());
    }

    [Fact]
    public void A_template_over_one_megabyte_is_refused()
    {
        var error = Refused(OneResource + "Description: " + new string('d', 1_048_576) + "\n");
        Assert.StartsWith("Template format error: the template is 1,048,639 bytes; a template may be at most 1,048,576 bytes (1 MB).", error.Message);
    }

    [Theory]
    [InlineData("Resources", 501, "Logs{0}: {{ Type: AWS::Logs::LogGroup }}")]
    [InlineData("Parameters", 201, "P{0}: {{ Type: String, Default: x }}")]
    [InlineData("Outputs", 201, "O{0}: {{ Value: x }}")]
    [InlineData("Mappings", 201, "M{0}: {{ k: {{ v: x }} }}")]
    public void A_section_beyond_cloudformations_quota_is_refused(string section, int count, string entry)
    {
        var body = string.Concat(Enumerable.Range(0, count).Select(i => "  " + string.Format(System.Globalization.CultureInfo.InvariantCulture, entry, i) + "\n"));
        var text = section == "Resources" ? $"Resources:\n{body}" : $"{OneResource}{section}:\n{body}";
        var error = Refused(text);
        Assert.Equal($"Template format error: Number of {section.ToLowerInvariant()} declared in template ({count}) exceeds the maximum of {count - 1}.", error.Message);
    }

    [Fact]
    public void A_section_at_cloudformations_quota_is_accepted()
    {
        var body = string.Concat(Enumerable.Range(0, 500).Select(i => $"  Logs{i}: {{ Type: AWS::Logs::LogGroup }}\n"));
        Assert.Equal(500, TemplateReader.Parse($"Resources:\n{body}")["Resources"]!.AsObject().Count);
    }

    [Fact]
    public async Task A_catastrophically_backtracking_allowed_pattern_is_stopped_by_its_match_timeout()
    {
        var template = "Parameters:\n  Name: { Type: String, AllowedPattern: \"^(a+)+$\" }\n" + OneResource;
        var error = await Assert.ThrowsAsync<ValidationException>(() =>
            Session.Local!.Stacks.DeployAsync("pattern", template, new Dictionary<string, string> { ["Name"] = new string('a', 40) + "!" }));
        Assert.Equal("Template format error: Parameter 'Name' has an AllowedPattern (^(a+)+$) that takes too long to match (over 250 ms); write it without nested repetition such as (a+)+.", error.Message);
    }

    [Fact]
    public async Task An_allowed_pattern_that_is_not_a_regular_expression_is_named()
    {
        var template = "Parameters:\n  Name: { Type: String, AllowedPattern: \"[a-\" }\n" + OneResource;
        var error = await Assert.ThrowsAsync<ValidationException>(() =>
            Session.Local!.Stacks.DeployAsync("pattern", template, new Dictionary<string, string> { ["Name"] = "abc" }));
        Assert.StartsWith("Template format error: Parameter 'Name' has an AllowedPattern that is not a regular expression", error.Message);
    }

    [Fact]
    public void Select_with_an_index_beyond_an_integer_is_a_template_error()
    {
        var template = TemplateReader.Parse(OneResource);
        var evaluator = new TemplateEvaluator(template, new Dictionary<string, System.Text.Json.Nodes.JsonNode>(), new Dictionary<string, string>(), _ => null);
        var error = Assert.Throws<ValidationException>(() => evaluator.Evaluate(System.Text.Json.Nodes.JsonNode.Parse("""{"Fn::Select": ["99999999999", ["a"]]}""")));
        Assert.Equal("Template error: Fn::Select: the index '99999999999' is not a whole number.", error.Message);
    }
}
