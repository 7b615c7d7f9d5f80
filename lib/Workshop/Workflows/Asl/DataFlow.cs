using System.Text.Json.Nodes;

namespace StreamingWorkshop.Workflows.Asl;

/// <summary>
/// Input and output processing as the spec orders it: InputPath picks the effective input, ResultPath puts the result
/// into the state's raw input, OutputPath picks the state's output. A null InputPath or OutputPath gives {}; a null
/// ResultPath discards the result and passes the raw input on.
/// </summary>
internal static class DataFlow
{
    public static JsonNode? ApplyInputPath(JsonObject state, JsonNode? rawInput, EvaluationScope scope) =>
        SelectReference(state, "InputPath", rawInput, scope);

    public static JsonNode? ApplyOutputPath(JsonObject state, JsonNode? data, EvaluationScope scope) =>
        SelectReference(state, "OutputPath", data, scope);

    private static JsonNode? SelectReference(JsonObject state, string field, JsonNode? data, EvaluationScope scope)
    {
        if (!state.TryGetPropertyValue(field, out var pathNode))
            return data?.DeepClone();
        if (pathNode is null)
            return new JsonObject();
        return SelectPath(pathNode.GetValue<string>(), data, scope);
    }

    /// <summary>The one node a reference path names; States.Runtime with the service's cause when it names nothing.</summary>
    public static JsonNode? SelectPath(string pathText, JsonNode? data, EvaluationScope scope)
    {
        var path = JsonPath.Parse(pathText);
        var root = path.IsContext ? scope.Context : data;
        if (path.TryEvaluate(root, out var value))
            return value;
        throw new StateFailure(StatesErrors.Runtime, $"Invalid path '{pathText}' : No results for path: {path.BracketNotation()}");
    }

    /// <summary>ResultPath: where the result goes in the raw input (default $, the result replaces it).</summary>
    public static JsonNode? ApplyResultPath(JsonObject state, JsonNode? rawInput, JsonNode? result)
    {
        if (!state.TryGetPropertyValue("ResultPath", out var pathNode))
            return result;
        if (pathNode is null)
            return rawInput?.DeepClone();
        return Place(pathNode.GetValue<string>(), rawInput, result);
    }

    /// <summary>Puts <paramref name="result"/> at <paramref name="pathText"/> in a copy of <paramref name="target"/>, making objects on the way.</summary>
    public static JsonNode? Place(string pathText, JsonNode? target, JsonNode? result)
    {
        var path = JsonPath.Parse(pathText);
        if (path.Segments.Count == 0)
            return result;
        var root = target?.DeepClone();
        if (root is not JsonObject && path.Segments[0] is JsonPath.NameSegment)
        {
            throw new StateFailure(StatesErrors.ResultPathMatchFailure,
                $"Unable to apply ResultPath \"{pathText}\" to input \"{JsonValues.ToText(target)}\"");
        }
        JsonNode current = root!;
        for (var i = 0; i < path.Segments.Count; i++)
        {
            var last = i == path.Segments.Count - 1;
            switch (path.Segments[i])
            {
                case JsonPath.NameSegment name when current is JsonObject obj:
                    if (last)
                    {
                        obj[name.Name] = result;
                        break;
                    }
                    if (obj[name.Name] is not { } child || (child is not JsonObject && child is not JsonArray))
                    {
                        if (obj[name.Name] is not null)
                            throw ResultPathFailure(pathText, target);
                        child = new JsonObject();
                        obj[name.Name] = child;
                    }
                    current = child;
                    break;
                case JsonPath.IndexSegment index when current is JsonArray array && index.Index < array.Count:
                    if (last)
                        array[index.Index] = result;
                    else
                        current = array[index.Index] ?? throw ResultPathFailure(pathText, target);
                    break;
                default:
                    throw ResultPathFailure(pathText, target);
            }
        }
        return root;
    }

    private static StateFailure ResultPathFailure(string pathText, JsonNode? target) =>
        new(StatesErrors.ResultPathMatchFailure, $"Unable to apply ResultPath \"{pathText}\" to input \"{JsonValues.ToText(target)}\"");
}
