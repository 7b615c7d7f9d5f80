using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Stack;

/// <summary>A deployed resource's Ref value and attributes, for !Ref and !GetAtt.</summary>
public sealed record ResourceValues(string Ref, IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// Evaluates a template's intrinsic functions: Ref (parameters, pseudo parameters, resources), Fn::GetAtt,
/// Fn::Sub (both forms), Fn::Join, Fn::Select, Fn::Split, Fn::If (with AWS::NoValue), Fn::Equals, Fn::Not,
/// Fn::And, Fn::Or, Fn::FindInMap, Fn::Base64 and Condition references.
/// </summary>
public sealed partial class TemplateEvaluator(
    JsonObject template,
    IReadOnlyDictionary<string, JsonNode> parameters,
    IReadOnlyDictionary<string, string> pseudoParameters,
    Func<string, ResourceValues?> resource)
{
    private readonly Dictionary<string, bool> conditions = new(StringComparer.Ordinal);

    public static readonly JsonObject NoValue = new() { ["__no_value__"] = true };

    public bool Condition(string name)
    {
        if (conditions.TryGetValue(name, out var known)) return known;
        if (template["Conditions"]?[name] is not { } definition)
            throw new ValidationException("cloudformation", $"Template format error: Unresolved dependencies [{name}]. Cannot reference resources in the Conditions block of the template.");
        conditions[name] = false; // guards against a condition that refers to itself
        var value = Truth(Evaluate(definition), $"condition {name}");
        conditions[name] = value;
        return value;
    }

    private static bool Truth(JsonNode? node, string where) => node switch
    {
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<string>(out var s) && bool.TryParse(s, out var parsed) => parsed,
        _ => throw new ValidationException("cloudformation", $"Template error: {where} does not evaluate to true or false."),
    };

    /// <summary>Evaluates every function in a node; AWS::NoValue removes the property or list item it stands in.</summary>
    public JsonNode? Evaluate(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array)
                {
                    var value = Evaluate(item);
                    if (!ReferenceEquals(value, NoValue)) items.Add(value?.DeepClone());
                }
                return items;
            case JsonObject obj when obj.Count == 1 && obj.First() is var (key, argument) && (key == "Ref" || key == "Condition" || key.StartsWith("Fn::", StringComparison.Ordinal)):
                return Function(key, argument);
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (key, child) in obj)
                {
                    var value = Evaluate(child);
                    if (!ReferenceEquals(value, NoValue)) result[key] = value?.DeepClone();
                }
                return result;
            default:
                return node?.DeepClone();
        }
    }

    private JsonNode? Function(string name, JsonNode? argument)
    {
        switch (name)
        {
            case "Ref":
                return Ref(Text(argument, "Ref"));
            case "Condition":
                return JsonValue.Create(Condition(Text(argument, "Condition")));
            case "Fn::GetAtt":
                var parts = argument is JsonArray pair ? pair.Select(p => Text(Evaluate(p), "Fn::GetAtt")).ToArray() : Text(argument, "Fn::GetAtt").Split('.', 2);
                if (parts.Length != 2 || parts.Any(string.IsNullOrEmpty))
                    throw Invalid(name, "it takes [LogicalId, Attribute] or LogicalId.Attribute");
                return JsonValue.Create(GetAtt(parts[0], parts[1]));
            case "Fn::Sub":
                return JsonValue.Create(Sub(argument));
            case "Fn::Join":
                var join = Args(argument, 2, name);
                var delimiter = Text(Evaluate(join[0]), name);
                var list = Evaluate(join[1]) as JsonArray ?? throw Invalid(name, "the second argument must be a list");
                return JsonValue.Create(string.Join(delimiter, list.Select(v => Text(v, name))));
            case "Fn::Select":
                var select = Args(argument, 2, name);
                var indexText = Text(Evaluate(select[0]), name);
                if (!int.TryParse(indexText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
                    throw Invalid(name, $"the index '{indexText}' is not a whole number");
                var options = Evaluate(select[1]) as JsonArray ?? throw Invalid(name, "the second argument must be a list");
                if (index < 0 || index >= options.Count) throw Invalid(name, $"index {index} is outside the list of {options.Count}");
                return options[index]?.DeepClone();
            case "Fn::Split":
                var split = Args(argument, 2, name);
                return new JsonArray(Text(Evaluate(split[1]), name).Split(Text(Evaluate(split[0]), name)).Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
            case "Fn::If":
                var branches = Args(argument, 3, name);
                return Condition(Text(branches[0], name)) ? Evaluate(branches[1]) : Evaluate(branches[2]);
            case "Fn::Equals":
                var pairToCompare = Args(argument, 2, name);
                return JsonValue.Create(Text(Evaluate(pairToCompare[0]), name) == Text(Evaluate(pairToCompare[1]), name));
            case "Fn::Not":
                return JsonValue.Create(!Truth(Evaluate(Args(argument, 1, name)[0]), name));
            case "Fn::And":
                return JsonValue.Create((argument as JsonArray ?? throw Invalid(name, "it takes a list")).All(c => Truth(Evaluate(c), name)));
            case "Fn::Or":
                return JsonValue.Create((argument as JsonArray ?? throw Invalid(name, "it takes a list")).Any(c => Truth(Evaluate(c), name)));
            case "Fn::FindInMap":
                var keys = Args(argument, 3, name).Select(k => Text(Evaluate(k), name)).ToArray();
                return template["Mappings"]?[keys[0]]?[keys[1]]?[keys[2]]?.DeepClone()
                       ?? throw Invalid(name, $"Mappings has no {keys[0]} > {keys[1]} > {keys[2]}");
            case "Fn::Base64":
                return JsonValue.Create(Convert.ToBase64String(Encoding.UTF8.GetBytes(Text(Evaluate(argument), name))));
            default:
                throw new ValidationException("cloudformation", $"Template format error: {name} is not a function the local deployer supports. Supported: Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Fn::FindInMap, Fn::Base64, Condition.");
        }
    }

    private JsonNode? Ref(string name)
    {
        if (name == "AWS::NoValue") return NoValue;
        if (pseudoParameters.TryGetValue(name, out var pseudo)) return JsonValue.Create(pseudo);
        if (parameters.TryGetValue(name, out var parameter)) return parameter.DeepClone();
        if (template["Resources"]?[name] is not null)
            return JsonValue.Create(resource(name)?.Ref ?? throw new ValidationException("cloudformation", $"Resource {name} is referenced before it exists."));
        throw new ValidationException("cloudformation", $"Template format error: Unresolved resource dependencies [{name}] in the Resources block of the template");
    }

    private string GetAtt(string logicalId, string attribute)
    {
        if (template["Resources"]?[logicalId] is null)
            throw new ValidationException("cloudformation", $"Template error: instance of Fn::GetAtt references undefined resource {logicalId}");
        var values = resource(logicalId) ?? throw new ValidationException("cloudformation", $"Resource {logicalId} is referenced before it exists.");
        return values.Attributes.TryGetValue(attribute, out var value) ? value
            : throw new ValidationException("cloudformation", $"Template error: resource {logicalId} does not support attribute type {attribute} in Fn::GetAtt. It has: {string.Join(", ", values.Attributes.Keys)}.");
    }

    private string Sub(JsonNode? argument)
    {
        string text;
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        if (argument is JsonArray form)
        {
            if (form.Count is < 1 or > 2) throw Invalid("Fn::Sub", "it takes a text, or a list of a text and a mapping of variables");
            text = Text(form[0], "Fn::Sub");
            if (form.Count > 1 && form[1] is JsonObject map)
                foreach (var (key, value) in map) variables[key] = Text(Evaluate(value), "Fn::Sub");
        }
        else
        {
            text = Text(argument, "Fn::Sub");
        }
        return SubVariable().Replace(text, match =>
        {
            var inner = match.Groups["name"].Value;
            if (inner.StartsWith('!')) return "${" + inner[1..] + "}";
            if (variables.TryGetValue(inner, out var variable)) return variable;
            if (pseudoParameters.TryGetValue(inner, out var pseudo)) return pseudo;
            if (parameters.TryGetValue(inner, out var parameter)) return parameter is JsonArray list ? string.Join(",", list.Select(v => Text(v, "Fn::Sub"))) : Text(parameter, "Fn::Sub");
            var dot = inner.IndexOf('.');
            if (dot > 0) return GetAtt(inner[..dot], inner[(dot + 1)..]);
            return Text(Ref(inner), "Fn::Sub");
        });
    }

    /// <summary>Resources this node refers to, through Ref, Fn::GetAtt or Fn::Sub.</summary>
    public static IEnumerable<string> ReferencedResources(JsonNode? node, JsonObject resources) =>
        References(node).Select(r => r.Name).Where(resources.ContainsKey);

    /// <summary>
    /// Names a template refers to that it does not declare: a Ref to neither a parameter, a resource nor a pseudo
    /// parameter (AWS::...), a GetAtt of no resource, a ${Name} in a Sub that is none of those nor in the Sub's own map.
    /// </summary>
    public static IEnumerable<string> UnresolvedNames(JsonNode? node, ISet<string> parameters, JsonObject resources)
    {
        bool Known(string name) => name.StartsWith("AWS::", StringComparison.Ordinal) || parameters.Contains(name) || resources.ContainsKey(name);
        return References(node).Where(r => r.Kind switch
        {
            ReferenceKind.Name => !Known(r.Name),
            ReferenceKind.Attribute => !resources.ContainsKey(r.Name),
            ReferenceKind.SubAttribute => !resources.ContainsKey(r.Name) && !r.Name.StartsWith("AWS::", StringComparison.Ordinal),
            _ => false, // a name the Sub's own map gives
        }).Select(r => r.Name);
    }

    private enum ReferenceKind { Name, Attribute, SubAttribute, SubLocal }

    /// <summary>
    /// Every name a node refers to: a Ref's, a GetAtt's resource, each ${Name} of a Sub (by the part before a dot; the
    /// ${!Literal} form is text, not a name), with how it was referred to.
    /// </summary>
    private static IEnumerable<(string Name, ReferenceKind Kind)> References(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array:
                foreach (var item in array)
                    foreach (var reference in References(item)) yield return reference;
                break;
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    if (key == "Ref" && child is JsonValue value) yield return (value.GetValue<string>(), ReferenceKind.Name);
                    else if (key == "Fn::GetAtt")
                    {
                        var target = child is JsonArray pair ? pair[0]?.ToString() : child?.ToString().Split('.')[0];
                        if (target is not null) yield return (target, ReferenceKind.Attribute);
                    }
                    else if (key == "Fn::Sub")
                    {
                        var text = child is JsonArray form ? form[0]?.ToString() : child?.ToString();
                        var locals = child is JsonArray { Count: > 1 } withMap && withMap[1] is JsonObject map ? map.Select(m => m.Key).ToHashSet(StringComparer.Ordinal) : [];
                        foreach (Match match in SubVariable().Matches(text ?? ""))
                        {
                            var name = match.Groups["name"].Value;
                            if (name.StartsWith('!')) continue;
                            var kind = locals.Contains(name) ? ReferenceKind.SubLocal : name.Contains('.') ? ReferenceKind.SubAttribute : ReferenceKind.Name;
                            yield return (name.Split('.')[0], kind);
                        }
                        if (child is JsonArray { Count: > 1 } withValues)
                            foreach (var reference in References(withValues[1])) yield return reference;
                    }
                    else
                    {
                        foreach (var reference in References(child)) yield return reference;
                    }
                }
                break;
        }
    }

    private static JsonNode?[] Args(JsonNode? argument, int count, string name) =>
        argument is JsonArray list && list.Count == count ? list.ToArray() : throw Invalid(name, $"it takes a list of {count}");

    internal static string Text(JsonNode? node, string where) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v => v.ToJsonString().Trim('"'),
        null => "",
        _ => throw Invalid(where, $"a text value was expected, not {node.ToJsonString()}"),
    };

    private static ValidationException Invalid(string function, string reason) =>
        new("cloudformation", $"Template error: {function}: {reason}.");

    [GeneratedRegex(@"\$\{(?<name>[^}]+)\}")]
    private static partial Regex SubVariable();
}
