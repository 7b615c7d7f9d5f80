using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Delivery;

/// <summary>
/// A Firehose S3 prefix with <c>!{namespace:value}</c> expressions:
/// <c>!{partitionKeyFromQuery:key}</c>, <c>!{timestamp:pattern}</c> (Java DateTimeFormatter letters
/// y M d H m s, UTC arrival time of the oldest record in the object), <c>!{firehose:error-output-type}</c>
/// and <c>!{firehose:random-string}</c> (11 characters).
/// </summary>
public sealed partial class PrefixTemplate
{
    private readonly IReadOnlyList<Part> parts;

    private PrefixTemplate(string text, IReadOnlyList<Part> parts)
    {
        Text = text;
        this.parts = parts;
    }

    /// <summary>The default prefix Firehose uses when none is given.</summary>
    public const string DefaultTimestampPrefix = "!{timestamp:yyyy/MM/dd/HH/}";

    public string Text { get; }

    public IEnumerable<string> PartitionKeys => parts.OfType<PartitionKeyPart>().Select(p => p.Key);

    public bool UsesTimestamp => parts.Any(p => p is TimestampPart);

    public bool UsesErrorOutputType => parts.Any(p => p is FirehosePart { Value: "error-output-type" });

    public bool HasExpressions => parts.Any(p => p is not LiteralPart);

    public static PrefixTemplate Parse(string? prefix, string fieldName = "Prefix")
    {
        var text = prefix ?? "";
        var parts = new List<Part>();
        var position = 0;
        foreach (Match match in ExpressionPattern().Matches(text))
        {
            if (match.Index > position) parts.Add(new LiteralPart(text[position..match.Index]));
            parts.Add(ParseExpression(text, fieldName, match.Groups["namespace"].Value, match.Groups["value"].Value));
            position = match.Index + match.Length;
        }
        if (position < text.Length) parts.Add(new LiteralPart(text[position..]));
        foreach (var literal in parts.OfType<LiteralPart>())
        {
            if (literal.Text.Contains("!{"))
                throw Invalid(fieldName, text, "an expression is not closed or is empty; write it as !{namespace:value}");
        }
        return new PrefixTemplate(text, parts);
    }

    private static Part ParseExpression(string text, string fieldName, string ns, string value)
    {
        switch (ns)
        {
            case "partitionKeyFromQuery":
                if (value.Length == 0) throw Invalid(fieldName, text, "!{partitionKeyFromQuery:} needs a key name");
                return new PartitionKeyPart(value);
            case "timestamp":
                return new TimestampPart(value, ToDotNetPattern(text, fieldName, value));
            case "firehose":
                if (value is not ("error-output-type" or "random-string"))
                    throw Invalid(fieldName, text, $"!{{firehose:{value}}} is unknown; the firehose namespace has error-output-type and random-string");
                return new FirehosePart(value);
            case "partitionKeyFromLambda":
                throw Invalid(fieldName, text, "partitionKeyFromLambda needs a transformation Lambda, which the local backend does not run; use partitionKeyFromQuery");
            default:
                throw Invalid(fieldName, text, $"'{ns}' is not a namespace; use partitionKeyFromQuery, timestamp or firehose");
        }
    }

    /// <summary>Translates the Java DateTimeFormatter letters Firehose prefixes use into a .NET format string.</summary>
    private static string ToDotNetPattern(string text, string fieldName, string javaPattern)
    {
        if (javaPattern.Length == 0) throw Invalid(fieldName, text, "!{timestamp:} needs a pattern such as yyyy or MM");
        var builder = new StringBuilder();
        foreach (var c in javaPattern)
        {
            builder.Append(c switch
            {
                'y' or 'M' or 'd' or 'H' or 'm' or 's' => c.ToString(),
                '/' or '-' or '_' or '=' or '.' or ' ' => "\\" + c,
                _ when char.IsLetter(c) => throw Invalid(fieldName, text, $"the timestamp letter '{c}' is not supported here; use y, M, d, H, m and s"),
                _ => "\\" + c,
            });
        }
        return builder.ToString();
    }

    /// <summary>Renders the prefix for one S3 object.</summary>
    public string Render(IReadOnlyDictionary<string, string> partitionKeys, DateTimeOffset oldestArrival, string? errorOutputType = null, string? randomString = null)
    {
        var builder = new StringBuilder();
        foreach (var part in parts)
        {
            switch (part)
            {
                case LiteralPart literal: builder.Append(literal.Text); break;
                case TimestampPart timestamp: builder.Append(oldestArrival.UtcDateTime.ToString(timestamp.DotNetPattern, CultureInfo.InvariantCulture)); break;
                case PartitionKeyPart key:
                    if (!partitionKeys.TryGetValue(key.Key, out var value))
                        throw new InvalidOperationException($"The partition key '{key.Key}' has no value for this record.");
                    builder.Append(value);
                    break;
                case FirehosePart { Value: "error-output-type" }: builder.Append(errorOutputType ?? ""); break;
                case FirehosePart: builder.Append(randomString ?? ""); break;
            }
        }
        return builder.ToString();
    }

    private static InvalidArgumentException Invalid(string fieldName, string text, string reason) =>
        new("firehose", $"{fieldName} '{text}' is not valid: {reason}.");

    [GeneratedRegex(@"!\{(?<namespace>[A-Za-z]+):(?<value>[^}]*)\}")]
    private static partial Regex ExpressionPattern();

    private abstract record Part;
    private sealed record LiteralPart(string Text) : Part;
    private sealed record PartitionKeyPart(string Key) : Part;
    private sealed record TimestampPart(string JavaPattern, string DotNetPattern) : Part;
    private sealed record FirehosePart(string Value) : Part;

    public override string ToString() => Text;
}
