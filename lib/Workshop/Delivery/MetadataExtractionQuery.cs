using System.Text.Json;
using System.Text.RegularExpressions;
using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Delivery;

/// <summary>
/// The subset of JQ that Firehose's inline metadata extraction needs for the kit's pipelines:
/// <list type="bullet">
/// <item><c>{key: .field}</c> and <c>{a: .x, b: .y.z}</c> — an object of partition keys, each a path;</item>
/// <item><c>.field</c> and <c>.a.b.c</c> — paths into nested objects (used inside the object form);</item>
/// <item><c>."field with spaces"</c> — a quoted path segment.</item>
/// </list>
/// Anything else (pipes, functions such as strftime, array indexing) is refused when the delivery stream is
/// created, with a message that lists this subset, rather than failing record by record later.
/// A written parser, not a JQ engine: no maintained .NET JQ library is available here, and the kit only
/// needs paths.
/// </summary>
public sealed partial class MetadataExtractionQuery
{
    private readonly IReadOnlyList<(string Key, string[] Path)> keys;

    private MetadataExtractionQuery(string text, IReadOnlyList<(string, string[])> keys)
    {
        Text = text;
        this.keys = keys;
    }

    public string Text { get; }

    public IReadOnlyList<string> KeyNames => keys.Select(k => k.Key).ToArray();

    public const string SupportedSubset = "{key: .field}, {key: .a.b, other: .c} (paths into the record's JSON object)";

    public static MetadataExtractionQuery Parse(string query)
    {
        var text = query?.Trim() ?? "";
        if (!text.StartsWith('{') || !text.EndsWith('}'))
            throw Invalid(query, "it must be an object of partition keys such as {city: .city}");
        var body = text[1..^1].Trim();
        if (body.Length == 0) throw Invalid(query, "it names no partition key");
        var parsed = new List<(string, string[])>();
        foreach (var entry in SplitTopLevel(body))
        {
            var match = EntryPattern().Match(entry.Trim());
            if (!match.Success) throw Invalid(query, $"'{entry.Trim()}' is not of the form key: .path");
            var key = match.Groups["key"].Value.Trim('"');
            if (parsed.Any(p => p.Item1 == key)) throw Invalid(query, $"the key '{key}' appears twice");
            parsed.Add((key, ParsePath(query!, match.Groups["path"].Value)));
        }
        return new MetadataExtractionQuery(text, parsed);
    }

    private static string[] ParsePath(string query, string path)
    {
        var segments = new List<string>();
        var rest = path.Trim();
        while (rest.Length > 0)
        {
            var match = SegmentPattern().Match(rest);
            if (!match.Success) throw Invalid(query, $"'{path}' is not a path such as .city or .location.city");
            segments.Add(match.Groups["quoted"].Success ? match.Groups["quoted"].Value : match.Groups["name"].Value);
            rest = rest[match.Length..];
        }
        if (segments.Count == 0) throw Invalid(query, $"'{path}' is not a path");
        return segments.ToArray();
    }

    private static IEnumerable<string> SplitTopLevel(string body)
    {
        var start = 0;
        var inQuotes = false;
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] == '"') inQuotes = !inQuotes;
            else if (body[i] == ',' && !inQuotes)
            {
                yield return body[start..i];
                start = i + 1;
            }
        }
        yield return body[start..];
    }

    /// <summary>
    /// Evaluates the query against one record. Returns false with a reason when the record is not a JSON
    /// object or a key resolves to nothing usable; the delivery stream then sends the record to the error prefix.
    /// </summary>
    public bool TryEvaluate(ReadOnlySpan<byte> record, out Dictionary<string, string> values, out string? failure)
    {
        values = new Dictionary<string, string>(keys.Count, StringComparer.Ordinal);
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(record);
            document = JsonDocument.ParseValue(ref reader);
            // Trailing data after the first value (for example two objects on one record) is not one JSON record.
            if (reader.Read()) { document.Dispose(); failure = "Non JSON record provided"; return false; }
        }
        catch (JsonException)
        {
            failure = "Non JSON record provided";
            return false;
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                failure = "Non JSON record provided";
                return false;
            }
            foreach (var (key, path) in keys)
            {
                var element = document.RootElement;
                var found = true;
                foreach (var segment in path)
                {
                    if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(segment, out element)) { found = false; break; }
                }
                string? value = !found ? null : element.ValueKind switch
                {
                    JsonValueKind.String => element.GetString(),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
                    _ => null,
                };
                if (string.IsNullOrEmpty(value))
                {
                    failure = $"partitionKeys values must not be null or empty (key '{key}' from .{string.Join('.', path)})";
                    return false;
                }
                values[key] = value;
            }
        }
        failure = null;
        return true;
    }

    private static InvalidArgumentException Invalid(string? query, string reason) =>
        new("firehose", $"The metadata extraction query '{query}' is not supported: {reason}. Supported forms: {SupportedSubset}.");

    [GeneratedRegex("""^(?<key>"[^"]+"|[A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?<path>\S.*)$""")]
    private static partial Regex EntryPattern();

    [GeneratedRegex("""^\s*\.(?:"(?<quoted>[^"]+)"|(?<name>[A-Za-z_][A-Za-z0-9_]*))""")]
    private static partial Regex SegmentPattern();

    public override string ToString() => Text;
}
