using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Stack;

/// <summary>
/// The keys each nested property of the deployer's resource types may hold (a stream's StreamModeDetails, a bucket's
/// lifecycle rules, ...), from the CloudFormation resource specification (@aws-cdk/aws-service-spec, written to
/// NestedPropertyShapes.json by tests/tools/nested-property-shapes.py), so a misspelt nested key fails the deployment
/// as it does on AWS rather than being ignored.
/// </summary>
public static class NestedPropertyShapes
{
    private sealed record Shape(Dictionary<string, string> Properties, string[] Required);

    private sealed record Shapes(Dictionary<string, Dictionary<string, string>> Resources, Dictionary<string, Shape> Types);

    private static readonly Lazy<Shapes> Loaded = new(() =>
    {
        using var stream = typeof(NestedPropertyShapes).Assembly.GetManifestResourceStream("StreamingWorkshop.Stack.NestedPropertyShapes.json")!;
        return JsonSerializer.Deserialize<Shapes>(stream, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    });

    /// <summary>Throws CloudFormation's ValidationError for the first nested key the specification does not define, or a required one missing.</summary>
    public static void Check(string logicalId, string type, JsonObject properties)
    {
        if (!Loaded.Value.Resources.TryGetValue(type, out var typed)) return;
        foreach (var (name, value) in properties)
            if (typed.TryGetValue(name, out var expression)) CheckValue(logicalId, expression, value, "#/" + name);
    }

    /// <summary>
    /// Follows a property's type: "[T]" a list of T, "{T}" a map of T, otherwise a nested type's name. A value of another
    /// form (a string where an object belongs) is left to the service's own checks.
    /// </summary>
    private static void CheckValue(string logicalId, string expression, JsonNode? value, string path)
    {
        if (expression.StartsWith('[') && value is JsonArray items)
        {
            for (var i = 0; i < items.Count; i++) CheckValue(logicalId, expression[1..^1], items[i], $"{path}/{i}");
            return;
        }
        if (expression.StartsWith('{') && value is JsonObject map)
        {
            foreach (var (key, item) in map) CheckValue(logicalId, expression[1..^1], item, $"{path}/{key}");
            return;
        }
        if (value is not JsonObject given || !Loaded.Value.Types.TryGetValue(expression, out var shape)) return;
        foreach (var (name, item) in given)
        {
            if (!shape.Properties.TryGetValue(name, out var inner)) throw ExtraneousKey(logicalId, path, name, shape.Properties.Keys);
            if (inner.Length > 0) CheckValue(logicalId, inner, item, $"{path}/{name}");
        }
        foreach (var required in shape.Required.Where(r => !given.ContainsKey(r)))
            throw RequiredKey(logicalId, path, required);
    }

    /// <summary>CloudFormation's refusal of a key the property at <paramref name="path"/> ("#" for the resource's own) does not have, with the closest it does.</summary>
    internal static ValidationException ExtraneousKey(string logicalId, string path, string name, IEnumerable<string> allowed)
    {
        var close = allowed.OrderBy(p => NameDistance.Between(p, name)).FirstOrDefault();
        var hint = close is not null && NameDistance.Between(close, name) <= 3 ? $" (did you mean {close}?)" : "";
        return new ValidationException("cloudformation",
            $"Properties validation failed for resource {logicalId} with message: {path}: extraneous key [{name}] is not permitted{hint}.");
    }

    /// <summary>CloudFormation's refusal of a property at <paramref name="path"/> that lacks a key it requires.</summary>
    internal static ValidationException RequiredKey(string logicalId, string path, string required) =>
        new("cloudformation", $"Properties validation failed for resource {logicalId} with message: {path}: required key [{required}] not found.");
}
