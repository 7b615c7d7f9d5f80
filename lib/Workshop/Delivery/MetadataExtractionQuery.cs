using System.Text.Json;
using System.Text.RegularExpressions;
using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Delivery;

/// <summary>
/// The subset of JQ that Firehose's inline metadata extraction needs for the kit's pipelines:
/// <list type="bullet">
/// <item><c>{key: .field}</c> and <c>{a: .x, b: .y.z}</c> — an object of partition keys, each a path;</item>
/// <item><c>.field</c> and <c>.a.b.c</c> — paths into nested objects (used inside the object form);</item>
/// <item><c>."field with spaces"</c> — a quoted path segment;</item>
/// <item><c>.measurement_time[0:10]</c> — a slice of a string value (jq counts characters; a negative index counts
/// from the end, a missing one means the start or the end), for a day key taken from an ISO 8601 time;</item>
/// <item><c>.event_timestamp | strftime("%Y")</c> — an epoch-seconds number formatted in UTC, as AWS's own examples
/// use it (%Y %m %d %H %M %S).</item>
/// </list>
/// Anything else (other functions, array indexing, longer pipes) is refused when the delivery stream is
/// created, with a message that lists this subset, rather than failing record by record later. As in jq, a
/// record on which an expression fails (a slice of a number, strftime of a string) goes to the error prefix.
/// A written parser, not a JQ engine: no maintained .NET JQ library is available here, and the kit only
/// needs paths.
/// </summary>
public sealed partial class MetadataExtractionQuery
{
    private readonly IReadOnlyList<(string Key, KeyExpression Expression)> keys;

    /// <summary>A path, then optionally a string slice, then optionally strftime of an epoch number.</summary>
    private sealed record KeyExpression(string[] Path, int? SliceFrom, int? SliceTo, bool Sliced, string? TimeFormat)
    {
        public string PathText => "." + string.Join('.', Path);
    }

    private MetadataExtractionQuery(string text, IReadOnlyList<(string, KeyExpression)> keys)
    {
        Text = text;
        this.keys = keys;
        topLevelNames = keys.All(k => k.Item2.Path.Length == 1 && !k.Item2.Sliced && k.Item2.TimeFormat is null)
            ? keys.Select(k => k.Item2.Path[0]).ToArray()
            : null;
    }

    /// <summary>The field each key names, when every key is a plain top-level field (the workshop's {location: .city}); else null.</summary>
    private readonly string[]? topLevelNames;

    public string Text { get; }

    public IReadOnlyList<string> KeyNames => keyNames ??= keys.Select(k => k.Key).ToArray();

    private string[]? keyNames;

    public const string SupportedSubset = "{key: .field}, {key: .a.b, other: .c} (paths into the record's JSON object), {day: .time[0:10]} (a slice of a string), {year: .epoch_seconds | strftime(\"%Y\")}";

    public static MetadataExtractionQuery Parse(string query)
    {
        var text = query?.Trim() ?? "";
        if (!text.StartsWith('{') || !text.EndsWith('}'))
            throw Invalid(query, "it must be an object of partition keys such as {city: .city}");
        var body = text[1..^1].Trim();
        if (body.Length == 0) throw Invalid(query, "it names no partition key");
        var parsed = new List<(string, KeyExpression)>();
        foreach (var entry in SplitTopLevel(body))
        {
            var match = EntryPattern().Match(entry.Trim());
            if (!match.Success) throw Invalid(query, $"'{entry.Trim()}' is not of the form key: .path");
            var key = match.Groups["key"].Value.Trim('"');
            if (parsed.Any(p => p.Item1 == key)) throw Invalid(query, $"the key '{key}' appears twice");
            parsed.Add((key, ParseExpression(query!, match.Groups["path"].Value)));
        }
        return new MetadataExtractionQuery(text, parsed);
    }

    private static KeyExpression ParseExpression(string query, string expression)
    {
        var text = expression.Trim();
        string? timeFormat = null;
        var pipe = StrftimePattern().Match(text);
        if (pipe.Success)
        {
            timeFormat = pipe.Groups["format"].Value;
            var unsupported = UnsupportedFormatPattern().Match(timeFormat);
            if (unsupported.Success) throw Invalid(query, $"strftime's {unsupported.Value} is not supported here; use %Y %m %d %H %M %S");
            text = text[..pipe.Index].TrimEnd();
        }
        int? from = null, to = null;
        var sliced = false;
        var slice = SlicePattern().Match(text);
        if (slice.Success)
        {
            sliced = true;
            if (slice.Groups["from"].Value.Length > 0) from = int.Parse(slice.Groups["from"].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (slice.Groups["to"].Value.Length > 0) to = int.Parse(slice.Groups["to"].Value, System.Globalization.CultureInfo.InvariantCulture);
            text = text[..slice.Index];
        }
        return new KeyExpression(ParsePath(query, text), from, to, sliced, timeFormat);
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
        if (topLevelNames is not null && TryEvaluateTopLevel(record, out values, out failure) is { } decided) return decided;
        return TryEvaluateWithDocument(record, out values, out failure);
    }

    /// <summary>
    /// The same evaluation for plain top-level fields in one pass of a reader over the bytes, without building a document
    /// per record. Null when it cannot tell as the document would (a field it needs appears twice): the caller then asks
    /// the document.
    /// </summary>
    private bool? TryEvaluateTopLevel(ReadOnlySpan<byte> record, out Dictionary<string, string> values, out string? failure)
    {
        var names = topLevelNames!;
        values = new Dictionary<string, string>(names.Length, StringComparer.Ordinal);
        failure = null;
        // Per key: not seen (0), seen with a usable scalar (1, in values), seen as null, an object or an array (2).
        Span<byte> seen = stackalloc byte[names.Length];
        seen.Clear();
        var reader = new Utf8JsonReader(record);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                // Not an object, or not JSON at all: the document says the same of both.
                failure = "Non JSON record provided";
                return false;
            }
            Span<bool> hit = stackalloc bool[names.Length];
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var matched = false;
                for (var k = 0; k < names.Length; k++)
                {
                    hit[k] = reader.ValueTextEquals(names[k]);
                    if (!hit[k]) continue;
                    if (seen[k] != 0) return null;
                    matched = true;
                }
                reader.Read();
                if (!matched)
                {
                    reader.Skip();
                    continue;
                }
                string? value = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString(),
                    JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
                    JsonTokenType.True => "true",
                    JsonTokenType.False => "false",
                    _ => null,
                };
                reader.Skip();
                for (var k = 0; k < names.Length; k++)
                {
                    if (!hit[k]) continue;
                    seen[k] = value is null ? (byte)2 : (byte)1;
                    if (value is not null) values[keys[k].Key] = value;
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0) { failure = "Non JSON record provided"; return false; }
            // Trailing data after the object (two objects in one record, say) is not one JSON record.
            if (reader.Read()) { failure = "Non JSON record provided"; return false; }
        }
        catch (JsonException)
        {
            failure = "Non JSON record provided";
            return false;
        }
        for (var k = 0; k < names.Length; k++)
        {
            if (seen[k] == 1 && values[keys[k].Key].Length > 0) continue;
            failure = $"partitionKeys values must not be null or empty (key '{keys[k].Key}' from {keys[k].Expression.PathText})";
            values.Clear();
            return false;
        }
        return true;
    }

    internal bool TryEvaluateWithDocument(ReadOnlySpan<byte> record, out Dictionary<string, string> values, out string? failure)
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
            foreach (var (key, expression) in keys)
            {
                var element = document.RootElement;
                var found = true;
                foreach (var segment in expression.Path)
                {
                    if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(segment, out element)) { found = false; break; }
                }
                string? value = !found ? null : element.ValueKind switch
                {
                    JsonValueKind.String => element.GetString(),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
                    _ => null,
                };
                if (found && expression.Sliced && value is not null)
                {
                    if (element.ValueKind != JsonValueKind.String)
                    {
                        failure = $"Cannot index {JqTypeName(element.ValueKind)} with object (key '{key}' from {expression.PathText}[...])";
                        return false;
                    }
                    value = Slice(value, expression.SliceFrom, expression.SliceTo);
                }
                if (found && expression.TimeFormat is { } format && value is not null)
                {
                    if (element.ValueKind != JsonValueKind.Number || expression.Sliced)
                    {
                        failure = $"strftime/1 requires parsed datetime inputs (key '{key}' from {expression.PathText})";
                        return false;
                    }
                    value = FormatEpoch(element.GetDouble(), format);
                }
                if (string.IsNullOrEmpty(value))
                {
                    failure = $"partitionKeys values must not be null or empty (key '{key}' from {expression.PathText})";
                    return false;
                }
                values[key] = value;
            }
        }
        failure = null;
        return true;
    }

    /// <summary>jq's string slice: indexes count code points from 0, negative ones from the end, and are clamped to the string.</summary>
    private static string Slice(string value, int? from, int? to)
    {
        var characters = new List<int>(value.Length);
        for (var i = 0; i < value.Length; i += char.IsSurrogatePair(value, i) ? 2 : 1) characters.Add(i);
        var length = characters.Count;
        int Clamp(int index) => Math.Clamp(index < 0 ? length + index : index, 0, length);
        var start = Clamp(from ?? 0);
        var end = Clamp(to ?? length);
        if (end <= start) return "";
        var startChar = characters[start];
        var endChar = end == length ? value.Length : characters[end];
        return value[startChar..endChar];
    }

    private static string FormatEpoch(double seconds, string format)
    {
        var time = DateTimeOffset.UnixEpoch.AddSeconds(Math.Floor(seconds)).UtcDateTime;
        return FormatSpecifierPattern().Replace(format, m => m.Value[1] switch
        {
            'Y' => time.Year.ToString("0000", System.Globalization.CultureInfo.InvariantCulture),
            'm' => time.Month.ToString("00", System.Globalization.CultureInfo.InvariantCulture),
            'd' => time.Day.ToString("00", System.Globalization.CultureInfo.InvariantCulture),
            'H' => time.Hour.ToString("00", System.Globalization.CultureInfo.InvariantCulture),
            'M' => time.Minute.ToString("00", System.Globalization.CultureInfo.InvariantCulture),
            'S' => time.Second.ToString("00", System.Globalization.CultureInfo.InvariantCulture),
            _ => "%",
        });
    }

    private static string JqTypeName(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "string",
    };

    private static InvalidArgumentException Invalid(string? query, string reason) =>
        new("firehose", $"The metadata extraction query '{query}' is not supported: {reason}. Supported forms: {SupportedSubset}.");

    [GeneratedRegex("""^(?<key>"[^"]+"|[A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?<path>\S.*)$""")]
    private static partial Regex EntryPattern();

    [GeneratedRegex("""\[\s*(?<from>-?\d{1,9})?\s*:\s*(?<to>-?\d{1,9})?\s*\]$""")]
    private static partial Regex SlicePattern();

    [GeneratedRegex("""\|\s*strftime\(\s*"(?<format>[^"\\]*)"\s*\)$""")]
    private static partial Regex StrftimePattern();

    [GeneratedRegex("%[^YmdHMS%]|%$")]
    private static partial Regex UnsupportedFormatPattern();

    [GeneratedRegex("%[YmdHMS%]")]
    private static partial Regex FormatSpecifierPattern();

    [GeneratedRegex("""^\s*\.(?:"(?<quoted>[^"]+)"|(?<name>[A-Za-z_][A-Za-z0-9_]*))""")]
    private static partial Regex SegmentPattern();

    public override string ToString() => Text;
}
