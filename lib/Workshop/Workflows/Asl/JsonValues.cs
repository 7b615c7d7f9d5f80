using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamingWorkshop.Workflows.Asl;

/// <summary>Small readings of JSON values the interpreter makes in many places.</summary>
internal static class JsonValues
{
    public static JsonValueKind Kind(JsonNode? node) => node?.GetValueKind() ?? JsonValueKind.Null;

    public static bool TryGetNumber(JsonNode? node, out decimal number)
    {
        number = 0;
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number)
            return false;
        if (value.TryGetValue<decimal>(out number))
            return true;
        if (value.TryGetValue<double>(out var d))
        {
            number = (decimal)d;
            return true;
        }
        if (value.TryGetValue<JsonElement>(out var element) && element.TryGetDecimal(out number))
            return true;
        return decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number);
    }

    public static bool TryGetInteger(JsonNode? node, out long integer)
    {
        integer = 0;
        if (!TryGetNumber(node, out var number) || number != decimal.Truncate(number) || number > long.MaxValue || number < long.MinValue)
            return false;
        integer = (long)number;
        return true;
    }

    public static bool TryGetString(JsonNode? node, out string text)
    {
        text = "";
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            text = value.GetValue<string>();
            return true;
        }
        return false;
    }

    public static bool TryGetBoolean(JsonNode? node, out bool boolean)
    {
        boolean = false;
        var kind = Kind(node);
        if (kind is JsonValueKind.True or JsonValueKind.False)
        {
            boolean = kind == JsonValueKind.True;
            return true;
        }
        return false;
    }

    /// <summary>JSON text as the service writes it in events and outputs: compact, members in their order.</summary>
    public static string ToText(JsonNode? node) => node is null ? "null" : node.ToJsonString();

    public static JsonNode? Clone(JsonNode? node) => node?.DeepClone();

    /// <summary>A number as JSON: an integer when it has no fraction, so 3 stays 3 and not 3.0.</summary>
    public static JsonNode Number(decimal value) =>
        value == decimal.Truncate(value) && value is >= long.MinValue and <= long.MaxValue
            ? JsonValue.Create((long)value)
            : JsonValue.Create(value);

    /// <summary>A time as the context object and the service give it: ISO 8601 in UTC with milliseconds.</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads an RFC 3339 timestamp as the spec requires (an uppercase T and a zone, Z or an offset).</summary>
    public static bool TryParseTimestamp(string text, out DateTimeOffset time)
    {
        time = default;
        if (text.Length < 20 || text[10] != 'T')
            return false;
        var last = text[^1];
        var hasZone = last == 'Z' || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        if (!hasZone)
            return false;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out time);
    }
}
