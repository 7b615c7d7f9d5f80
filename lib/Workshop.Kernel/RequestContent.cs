using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamingWorkshop.Kernel;

/// <summary>
/// The content fields of the requests the kernel answers, with the JSON types the messaging protocol gives them.
/// A request is checked before it is queued, so a field of the wrong type is answered with an error reply naming
/// it instead of failing half way through.
/// </summary>
public static class RequestContent
{
    private enum Kind { Text, Boolean, Integer, Object }

    private sealed record Field(string Name, Kind Kind, bool Required = false);

    private static readonly Dictionary<string, Field[]> Fields = new(StringComparer.Ordinal)
    {
        ["execute_request"] = [new("code", Kind.Text, Required: true), new("silent", Kind.Boolean), new("store_history", Kind.Boolean),
            new("user_expressions", Kind.Object), new("allow_stdin", Kind.Boolean), new("stop_on_error", Kind.Boolean)],
        ["is_complete_request"] = [new("code", Kind.Text, Required: true)],
        ["complete_request"] = [new("code", Kind.Text, Required: true), new("cursor_pos", Kind.Integer)],
        ["inspect_request"] = [new("code", Kind.Text, Required: true), new("cursor_pos", Kind.Integer), new("detail_level", Kind.Integer)],
        ["history_request"] = [new("output", Kind.Boolean), new("raw", Kind.Boolean), new("hist_access_type", Kind.Text)],
        ["comm_info_request"] = [new("target_name", Kind.Text)],
        ["comm_open"] = [new("comm_id", Kind.Text), new("target_name", Kind.Text)],
        ["shutdown_request"] = [new("restart", Kind.Boolean)],
    };

    /// <summary>What is wrong with a request's content, or null when every field the kernel reads has its protocol type.</summary>
    public static string? Problem(string type, JsonObject content)
    {
        if (!Fields.TryGetValue(type, out var fields)) return null;
        foreach (var field in fields)
        {
            var value = content[field.Name];
            if (value is null)
            {
                if (field.Required) return $"its content has no \"{field.Name}\"; it must be {Expected(field.Kind)}";
                continue;
            }
            if (!Fits(value, field.Kind)) return $"its content's \"{field.Name}\" is {JupyterMessage.Describe(value)}; it must be {Expected(field.Kind)}";
        }
        return null;
    }

    private static bool Fits(JsonNode value, Kind kind) => kind switch
    {
        Kind.Text => value.GetValueKind() == JsonValueKind.String,
        Kind.Boolean => value.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        Kind.Integer => value.GetValueKind() == JsonValueKind.Number && value.AsValue().TryGetValue<int>(out var number) && number >= 0,
        Kind.Object => value is JsonObject,
        _ => false,
    };

    private static string Expected(Kind kind) => kind switch
    {
        Kind.Text => "a string",
        Kind.Boolean => "true or false",
        Kind.Integer => "a whole number from 0 up",
        _ => "a JSON object",
    };
}
