using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingWorkshop.Stack;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Stack;

/// <summary>
/// The workshop's template checked against the current CloudFormation resource specification published on npm
/// (@aws-cdk/aws-service-spec, whose db.json.gz holds every resource type, its properties, the nested property
/// types they refer to, and its attributes; installed into tests/tools by ./test.sh): every type exists, every
/// property — nested ones included — is one the specification defines, required properties are present, and every
/// !GetAtt names an attribute the type has.
/// </summary>
public class TemplateSpecificationTests
{
    /// <summary>The specification's resource types by CloudFormation name, and its nested property types by id.</summary>
    private sealed record Specification(IReadOnlyDictionary<string, JsonObject> Resources, IReadOnlyDictionary<string, JsonObject> PropertyTypes)
    {
        public static Specification Load()
        {
            var path = Path.Combine(Repository.Root, "tests", "tools", "node_modules", "@aws-cdk", "aws-service-spec", "db.json.gz");
            Assert.True(File.Exists(path), $"The CloudFormation specification is missing: run ./test.sh, which installs it with 'npm ci --prefix tests/tools'. Looked for {path}.");
            using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            var schema = JsonNode.Parse(gzip)!["schema"]!;
            IEnumerable<JsonObject> Entities(string kind) => schema[kind]!["entities"]!.AsArray().Select(e => e!.AsObject());
            return new Specification(
                Entities("resource").ToDictionary(e => e["cloudFormationType"]!.GetValue<string>()),
                Entities("typeDefinition").ToDictionary(e => e["$id"]!.GetValue<string>()));
        }
    }

    private static JsonObject Template() => TemplateReader.Parse(File.ReadAllText(Path.Combine(Repository.Root, "templates", "workshop-stack.yaml")));

    [Fact]
    public void Every_resource_and_property_of_the_template_is_in_the_specification()
    {
        var spec = Specification.Load();
        var problems = new List<string>();
        foreach (var (logicalId, resource) in Template()["Resources"]!.AsObject())
        {
            var type = resource!["Type"]!.GetValue<string>();
            if (!spec.Resources.TryGetValue(type, out var definition)) { problems.Add($"{logicalId}: type {type} is not in the specification"); continue; }
            Check(spec, type, definition["properties"]!.AsObject(), resource["Properties"] as JsonObject ?? new JsonObject(), logicalId, problems);
        }
        Assert.Empty(problems);
    }

    private static bool IsFunction(JsonNode? value) =>
        value is JsonObject { Count: 1 } function && function.First().Key is var key && (key == "Ref" || key.StartsWith("Fn::", StringComparison.Ordinal));

    private static void Check(Specification spec, string type, JsonObject allowed, JsonObject given, string path, List<string> problems)
    {
        foreach (var (name, value) in given)
        {
            if (allowed[name] is not JsonObject property) { problems.Add($"{path}.{name}: not a property of {type}"); continue; }
            CheckValue(spec, property["type"]!.AsObject(), value, $"{path}.{name}", problems);
        }
        foreach (var (name, property) in allowed)
            if (property?["required"]?.GetValue<bool>() == true && !given.ContainsKey(name)) problems.Add($"{path}: required property {name} of {type} is missing");
    }

    /// <summary>Follows a property's type into arrays, tags and nested property types; scalars, maps, JSON and unions pass.</summary>
    private static void CheckValue(Specification spec, JsonObject type, JsonNode? value, string path, List<string> problems)
    {
        if (IsFunction(value)) return;
        switch (type["type"]!.GetValue<string>())
        {
            case "array" when value is JsonArray items:
                foreach (var item in items) CheckValue(spec, type["element"]!.AsObject(), item, path, problems);
                break;
            case "tag" when value is JsonObject tag:
                foreach (var key in tag.Select(p => p.Key).Where(k => k is not ("Key" or "Value"))) problems.Add($"{path}.{key}: a tag has only Key and Value");
                break;
            case "ref" when value is JsonObject nested:
                var definition = spec.PropertyTypes[type["reference"]!["$ref"]!.GetValue<string>()];
                Check(spec, definition["name"]!.GetValue<string>(), definition["properties"]!.AsObject(), nested, path, problems);
                break;
        }
    }

    /// <summary>
    /// The nested keys the local deployer checks (lib/Workshop/Stack/NestedPropertyShapes.json) are the specification's,
    /// followed from each resource type it builds: every nested type's property names and required keys, through lists
    /// and maps, and tags as Key and Value.
    /// </summary>
    [Fact]
    public void The_deployers_nested_property_shapes_are_the_specifications()
    {
        var spec = Specification.Load();
        var shipped = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, "lib", "Workshop", "Stack", "NestedPropertyShapes.json")))!;
        var types = shipped["types"]!.AsObject();
        Assert.Equal(ResourceTypes.Supported.Keys.Order(StringComparer.Ordinal), shipped["resources"]!.AsObject().Select(r => r.Key).Order(StringComparer.Ordinal));
        var problems = new List<string>();
        var compared = new HashSet<string>();

        void Compare(JsonObject specType, string expression, string path)
        {
            switch (specType["type"]!.GetValue<string>())
            {
                case "array" or "map":
                    var inner = specType["element"]!.AsObject();
                    var (open, close) = specType["type"]!.GetValue<string>() == "array" ? ('[', ']') : ('{', '}');
                    var expectsKeys = inner["type"]!.GetValue<string>() is "ref" or "tag" or "array" or "map";
                    if (!expectsKeys) { if (expression != "") problems.Add($"{path}: shipped {expression} for a list or map of plain values"); break; }
                    if (expression.Length < 2 || expression[0] != open || expression[^1] != close) { problems.Add($"{path}: shipped '{expression}', the specification has a {specType["type"]}"); break; }
                    Compare(inner, expression[1..^1], path + "[]");
                    break;
                case "tag":
                    if (expression != "Tag") problems.Add($"{path}: shipped '{expression}' for a tag");
                    break;
                case "ref":
                    var definition = spec.PropertyTypes[specType["reference"]!["$ref"]!.GetValue<string>()];
                    if (types[expression] is not JsonObject shape) { problems.Add($"{path}: shipped '{expression}', no such nested type"); break; }
                    if (!compared.Add(expression)) break;
                    var properties = definition["properties"]!.AsObject();
                    var shippedProperties = shape["properties"]!.AsObject();
                    if (!properties.Select(p => p.Key).Order(StringComparer.Ordinal).SequenceEqual(shippedProperties.Select(p => p.Key).Order(StringComparer.Ordinal)))
                        problems.Add($"{path} ({expression}): its property names differ from the specification's");
                    var required = properties.Where(p => p.Value?["required"]?.GetValue<bool>() == true).Select(p => p.Key).Order(StringComparer.Ordinal);
                    if (!required.SequenceEqual(shape["required"]!.AsArray().Select(r => r!.GetValue<string>()).Order(StringComparer.Ordinal)))
                        problems.Add($"{path} ({expression}): its required keys differ from the specification's");
                    foreach (var (name, property) in properties)
                        if (shippedProperties[name] is JsonValue inner2) Compare(property!["type"]!.AsObject(), inner2.GetValue<string>(), $"{path}.{name}");
                    break;
                default:
                    if (expression != "") problems.Add($"{path}: shipped '{expression}' for a plain value");
                    break;
            }
        }

        foreach (var (type, shippedProperties) in shipped["resources"]!.AsObject())
            foreach (var (name, property) in spec.Resources[type]["properties"]!.AsObject())
                Compare(property!["type"]!.AsObject(), shippedProperties![name]?.GetValue<string>() ?? "", $"{type}.{name}");

        Assert.Empty(problems);
        Assert.Contains("AWS::Kinesis::Stream.StreamModeDetails", compared);
        Assert.True(compared.Count > 150, $"Only {compared.Count} nested types were compared.");
    }

    [Fact]
    public void Every_GetAtt_names_an_attribute_its_resource_type_has()
    {
        var spec = Specification.Load();
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
            Assert.True(spec.Resources[type]["attributes"]?[attribute] is not null, $"{resource} ({type}) has no attribute {attribute} in the specification.");
        }
    }

    [Fact]
    public void The_template_shipped_in_the_library_is_the_file_learners_upload()
    {
        Assert.Equal(File.ReadAllText(Path.Combine(Repository.Root, "templates", "workshop-stack.yaml")), TemplateReader.WorkshopTemplate());
    }
}
