using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingWorkshop.Stack;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Stack;

/// <summary>
/// The workshop's template checked against the CloudFormation resource specification published on npm
/// (@aws-cdk/cfnspec, installed into tests/tools by ./test.sh): every type exists, every property — nested ones
/// included — is one the specification defines, required properties are present, and every !GetAtt names an
/// attribute the type has.
/// </summary>
public class TemplateSpecificationTests
{
    private static JsonObject Specification()
    {
        var path = Path.Combine(Repository.Root, "tests", "tools", "node_modules", "@aws-cdk", "cfnspec", "spec", "specification.json");
        Assert.True(File.Exists(path), $"The CloudFormation specification is missing: run 'npm install --prefix tests/tools' (./test.sh does). Looked for {path}.");
        return JsonNode.Parse(File.ReadAllText(path))!.AsObject();
    }

    private static JsonObject Template() => TemplateReader.Parse(File.ReadAllText(Path.Combine(Repository.Root, "templates", "workshop-stack.yaml")));

    [Fact]
    public void Every_resource_and_property_of_the_template_is_in_the_specification()
    {
        var spec = Specification();
        var problems = new List<string>();
        foreach (var (logicalId, resource) in Template()["Resources"]!.AsObject())
        {
            var type = resource!["Type"]!.GetValue<string>();
            if (spec["ResourceTypes"]![type] is not JsonObject definition) { problems.Add($"{logicalId}: type {type} is not in the specification"); continue; }
            Check(spec, type, definition["Properties"]!.AsObject(), resource["Properties"] as JsonObject ?? new JsonObject(), logicalId, problems);
        }
        Assert.Empty(problems);
    }

    private static void Check(JsonObject spec, string type, JsonObject allowed, JsonObject given, string path, List<string> problems)
    {
        foreach (var (name, value) in given)
        {
            if (allowed[name] is not JsonObject property) { problems.Add($"{path}.{name}: not a property of {type}"); continue; }
            if (value is JsonObject { Count: 1 } function && function.First().Key is var key && (key == "Ref" || key.StartsWith("Fn::"))) continue;
            var itemType = property["ItemType"]?.GetValue<string>() ?? property["Type"]?.GetValue<string>();
            if (itemType is null || itemType is "List" or "Map" or "Json") continue;
            var nestedType = $"{type.Split('.')[0]}.{itemType}";
            if (spec["PropertyTypes"]![nestedType]?["Properties"] is not JsonObject nested) continue;
            var items = value is JsonArray list ? list.OfType<JsonObject>() : value is JsonObject one ? [one] : [];
            foreach (var item in items) Check(spec, nestedType, nested, item, $"{path}.{name}", problems);
        }
        foreach (var (name, property) in allowed)
            if (property?["Required"]?.GetValue<bool>() == true && !given.ContainsKey(name)) problems.Add($"{path}: required property {name} of {type} is missing");
    }

    [Fact]
    public void Every_GetAtt_names_an_attribute_its_resource_type_has()
    {
        var spec = Specification();
        var template = Template();
        var resources = template["Resources"]!.AsObject();
        var attributes = new List<(string Resource, string Attribute)>();
        void Walk(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject obj when obj["Fn::GetAtt"] is JsonArray pair:
                    attributes.Add((pair[0]!.GetValue<string>(), pair[1]!.GetValue<string>()));
                    break;
                case JsonObject obj when obj["Fn::Sub"] is { } sub:
                    var text = sub is JsonArray form ? form[0]!.GetValue<string>() : sub.GetValue<string>();
                    foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, @"\$\{([A-Za-z0-9]+)\.([A-Za-z0-9.]+)\}"))
                        attributes.Add((m.Groups[1].Value, m.Groups[2].Value));
                    break;
                case JsonObject obj:
                    foreach (var (_, child) in obj) Walk(child);
                    break;
                case JsonArray array:
                    foreach (var child in array) Walk(child);
                    break;
            }
        }
        Walk(template);

        Assert.NotEmpty(attributes);
        foreach (var (resource, attribute) in attributes)
        {
            var type = resources[resource]!["Type"]!.GetValue<string>();
            Assert.True(spec["ResourceTypes"]![type]!["Attributes"]?[attribute] is not null, $"{resource} ({type}) has no attribute {attribute} in the specification.");
        }
    }

    [Fact]
    public void The_template_shipped_in_the_library_is_the_file_learners_upload()
    {
        Assert.Equal(File.ReadAllText(Path.Combine(Repository.Root, "templates", "workshop-stack.yaml")), TemplateReader.WorkshopTemplate());
    }
}
