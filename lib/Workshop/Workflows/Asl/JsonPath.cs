using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamingWorkshop.Workflows.Asl;

/// <summary>
/// A JSONPath expression as the Amazon States Language uses it: <c>$</c> (the state's data) or <c>$$</c> (the context
/// object), then <c>.name</c>, <c>['name']</c>, <c>[n]</c>, <c>[-n]</c>, <c>[*]</c>, <c>.*</c>, <c>..name</c>,
/// <c>[a:b]</c>, <c>[a,b]</c> and filters <c>[?(@.x &gt; 1)]</c>. A reference path (InputPath, ResultPath, a Choice's
/// Variable, ...) may only use names and indexes, so it names at most one node.
/// </summary>
internal sealed class JsonPath
{
    private JsonPath(string text, bool isContext, IReadOnlyList<Segment> segments)
    {
        Text = text;
        IsContext = isContext;
        Segments = segments;
    }

    public string Text { get; }

    /// <summary>Whether the path starts at the context object (<c>$$</c>).</summary>
    public bool IsContext { get; }

    internal IReadOnlyList<Segment> Segments { get; }

    /// <summary>Whether the path names at most one node (names and non-negative indexes only).</summary>
    public bool IsReference => Segments.All(s => s is NameSegment or IndexSegment { Index: >= 0 });

    /// <summary>Whether the path can give several nodes (wildcards, slices, filters, descent), so its result is an array.</summary>
    public bool IsIndefinite => Segments.Any(s => s is WildcardSegment or SliceSegment or FilterSegment or DescentSegment or UnionSegment);

    public override string ToString() => Text;

    /// <summary>Reads <paramref name="text"/>; null with <paramref name="error"/> when it is not a JSONPath.</summary>
    public static JsonPath? TryParse(string text, out string? error)
    {
        try
        {
            error = null;
            return Parse(text);
        }
        catch (FormatException e)
        {
            error = e.Message;
            return null;
        }
    }

    public static JsonPath Parse(string text)
    {
        if (!text.StartsWith('$'))
            throw new FormatException($"The path '{text}' does not start with '$'");
        var isContext = text.StartsWith("$$", StringComparison.Ordinal);
        var position = isContext ? 2 : 1;
        var segments = new List<Segment>();
        while (position < text.Length)
        {
            var c = text[position];
            if (c == '.')
            {
                if (position + 1 < text.Length && text[position + 1] == '.')
                {
                    position += 2;
                    var name = ReadName(text, ref position);
                    segments.Add(new DescentSegment(name));
                    continue;
                }
                position++;
                if (position < text.Length && text[position] == '*')
                {
                    position++;
                    segments.Add(new WildcardSegment());
                    continue;
                }
                segments.Add(new NameSegment(ReadName(text, ref position)));
            }
            else if (c == '[')
            {
                segments.Add(ReadBracket(text, ref position));
            }
            else
            {
                throw new FormatException($"The path '{text}' has an unexpected '{c}' at {position}");
            }
        }
        return new JsonPath(text, isContext, segments);
    }

    private static string ReadName(string text, ref int position)
    {
        var start = position;
        while (position < text.Length && text[position] is not ('.' or '['))
            position++;
        if (position == start)
            throw new FormatException($"The path '{text}' has an empty name at {start}");
        return text[start..position];
    }

    private static Segment ReadBracket(string text, ref int position)
    {
        var close = FindClosingBracket(text, position);
        var inner = text[(position + 1)..close].Trim();
        position = close + 1;
        if (inner.Length == 0)
            throw new FormatException($"The path '{text}' has empty brackets");
        if (inner == "*")
            return new WildcardSegment();
        if (inner.StartsWith('?'))
            return new FilterSegment(FilterExpression.Parse(text, inner[1..].Trim()));
        if (inner[0] is '\'' or '"')
        {
            var names = SplitTopLevel(inner).Select(part => Unquote(text, part.Trim())).ToList();
            return names.Count == 1 ? new NameSegment(names[0]) : new UnionSegment(names.Select(n => (object)n).ToList());
        }
        if (inner.Contains(':'))
        {
            var parts = inner.Split(':');
            if (parts.Length > 3)
                throw new FormatException($"The path '{text}' has a slice with too many parts");
            return new SliceSegment(ParseOptionalInt(text, parts[0]), ParseOptionalInt(text, parts[1]),
                parts.Length == 3 ? ParseOptionalInt(text, parts[2]) : null);
        }
        if (inner.Contains(','))
            return new UnionSegment(inner.Split(',').Select(p => (object)ParseInt(text, p.Trim())).ToList());
        return new IndexSegment(ParseInt(text, inner));
    }

    private static int FindClosingBracket(string text, int open)
    {
        var depth = 0;
        char? quote = null;
        for (var i = open; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is not null)
            {
                if (c == '\\')
                    i++;
                else if (c == quote)
                    quote = null;
                continue;
            }
            if (c is '\'' or '"')
                quote = c;
            else if (c is '[' or '(')
                depth++;
            else if (c is ']' or ')')
            {
                depth--;
                if (depth == 0 && c == ']')
                    return i;
            }
        }
        throw new FormatException($"The path '{text}' has an unclosed '['");
    }

    private static List<string> SplitTopLevel(string inner)
    {
        var parts = new List<string>();
        char? quote = null;
        var start = 0;
        for (var i = 0; i < inner.Length; i++)
        {
            var c = inner[i];
            if (quote is not null)
            {
                if (c == '\\')
                    i++;
                else if (c == quote)
                    quote = null;
            }
            else if (c is '\'' or '"')
                quote = c;
            else if (c == ',')
            {
                parts.Add(inner[start..i]);
                start = i + 1;
            }
        }
        parts.Add(inner[start..]);
        return parts;
    }

    private static string Unquote(string text, string quoted)
    {
        if (quoted.Length < 2 || quoted[^1] != quoted[0])
            throw new FormatException($"The path '{text}' has an unclosed quote");
        var builder = new StringBuilder();
        for (var i = 1; i < quoted.Length - 1; i++)
        {
            if (quoted[i] == '\\' && i + 1 < quoted.Length - 1)
                i++;
            builder.Append(quoted[i]);
        }
        return builder.ToString();
    }

    private static int ParseInt(string text, string value) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new FormatException($"The path '{text}' has an index that is not a number: '{value}'");

    private static int? ParseOptionalInt(string text, string value) => value.Trim().Length == 0 ? null : ParseInt(text, value.Trim());

    /// <summary>Every node the path selects in <paramref name="root"/>, in document order.</summary>
    public List<JsonNode?> Select(JsonNode? root)
    {
        var current = new List<JsonNode?> { root };
        foreach (var segment in Segments)
        {
            var next = new List<JsonNode?>();
            foreach (var node in current)
                segment.Apply(node, next);
            current = next;
        }
        return current;
    }

    /// <summary>
    /// The value the path gives: for a definite path its one node (false when it selects nothing), for an indefinite
    /// path the array of what it selects.
    /// </summary>
    public bool TryEvaluate(JsonNode? root, out JsonNode? value)
    {
        var nodes = Select(root);
        if (IsIndefinite)
        {
            value = new JsonArray(nodes.Select(n => n?.DeepClone()).ToArray());
            return true;
        }
        if (nodes.Count == 0)
        {
            value = null;
            return false;
        }
        value = nodes[0]?.DeepClone();
        return true;
    }

    /// <summary>The path in the bracket notation the service writes in its error causes: $['a']['b'][0].</summary>
    public string BracketNotation()
    {
        var builder = new StringBuilder(IsContext ? "$$" : "$");
        foreach (var segment in Segments)
            builder.Append(segment.Bracketed());
        return builder.ToString();
    }

    internal abstract record Segment
    {
        public abstract void Apply(JsonNode? node, List<JsonNode?> results);

        public abstract string Bracketed();
    }

    internal sealed record NameSegment(string Name) : Segment
    {
        public override void Apply(JsonNode? node, List<JsonNode?> results)
        {
            if (node is JsonObject obj && obj.TryGetPropertyValue(Name, out var child))
                results.Add(child);
        }

        public override string Bracketed() => $"['{Name}']";
    }

    internal sealed record IndexSegment(int Index) : Segment
    {
        public override void Apply(JsonNode? node, List<JsonNode?> results)
        {
            if (node is not JsonArray array)
                return;
            var index = Index < 0 ? array.Count + Index : Index;
            if (index >= 0 && index < array.Count)
                results.Add(array[index]);
        }

        public override string Bracketed() => $"[{Index}]";
    }

    internal sealed record WildcardSegment : Segment
    {
        public override void Apply(JsonNode? node, List<JsonNode?> results)
        {
            if (node is JsonArray array)
                results.AddRange(array);
            else if (node is JsonObject obj)
                results.AddRange(obj.Select(p => p.Value));
        }

        public override string Bracketed() => "[*]";
    }

    internal sealed record SliceSegment(int? Start, int? End, int? Step) : Segment
    {
        public override void Apply(JsonNode? node, List<JsonNode?> results)
        {
            if (node is not JsonArray array)
                return;
            var count = array.Count;
            var step = Step ?? 1;
            if (step <= 0)
                return;
            var start = Normalise(Start ?? 0, count);
            var end = Normalise(End ?? count, count);
            for (var i = start; i < end; i += step)
                results.Add(array[i]);
        }

        private static int Normalise(int value, int count) => Math.Clamp(value < 0 ? count + value : value, 0, count);

        public override string Bracketed() => $"[{Start}:{End}{(Step is null ? "" : ":" + Step)}]";
    }

    internal sealed record UnionSegment(IReadOnlyList<object> Keys) : Segment
    {
        public override void Apply(JsonNode? node, List<JsonNode?> results)
        {
            foreach (var key in Keys)
            {
                if (key is string name)
                    new NameSegment(name).Apply(node, results);
                else
                    new IndexSegment((int)key).Apply(node, results);
            }
        }

        public override string Bracketed() => "[" + string.Join(",", Keys.Select(k => k is string s ? $"'{s}'" : k.ToString())) + "]";
    }

    internal sealed record DescentSegment(string Name) : Segment
    {
        public override void Apply(JsonNode? node, List<JsonNode?> results)
        {
            if (node is JsonObject obj)
            {
                foreach (var (key, child) in obj)
                {
                    if (Name == "*" || key == Name)
                        results.Add(child);
                    Apply(child, results);
                }
            }
            else if (node is JsonArray array)
            {
                foreach (var child in array)
                {
                    if (Name == "*")
                        results.Add(child);
                    Apply(child, results);
                }
            }
        }

        public override string Bracketed() => $"..['{Name}']";
    }

    internal sealed record FilterSegment(FilterExpression Filter) : Segment
    {
        public override void Apply(JsonNode? node, List<JsonNode?> results)
        {
            IEnumerable<JsonNode?> candidates = node switch
            {
                JsonArray array => array,
                JsonObject obj => obj.Select(p => p.Value),
                _ => [],
            };
            results.AddRange(candidates.Where(Filter.Matches));
        }

        public override string Bracketed() => $"[?({Filter.Text})]";
    }

    /// <summary>A filter <c>?(@.path op literal)</c>, or <c>?(@.path)</c> for presence.</summary>
    internal sealed class FilterExpression
    {
        private static readonly string[] Operators = ["==", "!=", "<=", ">=", "<", ">"];

        private FilterExpression(string text, JsonPath path, string? op, JsonNode? literal)
        {
            Text = text;
            Path = path;
            Operator = op;
            Literal = literal;
        }

        public string Text { get; }
        private JsonPath Path { get; }
        private string? Operator { get; }
        private JsonNode? Literal { get; }

        public static FilterExpression Parse(string whole, string expression)
        {
            if (!expression.StartsWith('(') || !expression.EndsWith(')'))
                throw new FormatException($"The path '{whole}' has a filter that is not in parentheses");
            var body = expression[1..^1].Trim();
            if (!body.StartsWith('@'))
                throw new FormatException($"The path '{whole}' has a filter that does not start with '@'");
            foreach (var op in Operators)
            {
                var at = body.IndexOf(op, StringComparison.Ordinal);
                if (at < 0)
                    continue;
                var path = JsonPath.Parse("$" + body[1..at].Trim());
                var literalText = body[(at + op.Length)..].Trim();
                if (literalText.StartsWith('\'') && literalText.EndsWith('\''))
                    literalText = JsonSerializer.Serialize(literalText[1..^1]);
                JsonNode? literal;
                try
                {
                    literal = JsonNode.Parse(literalText);
                }
                catch (JsonException)
                {
                    throw new FormatException($"The path '{whole}' has a filter value that is not a literal: {literalText}");
                }
                return new FilterExpression(body, path, op, literal);
            }
            return new FilterExpression(body, JsonPath.Parse("$" + body[1..]), null, null);
        }

        public bool Matches(JsonNode? candidate)
        {
            var found = Path.Select(candidate);
            if (found.Count == 0)
                return false;
            if (Operator is null)
                return true;
            var value = found[0];
            if (Operator is "==" or "!=")
                return JsonNode.DeepEquals(value, Literal) == (Operator == "==");
            int comparison;
            if (JsonValues.TryGetNumber(value, out var left) && JsonValues.TryGetNumber(Literal, out var right))
                comparison = left.CompareTo(right);
            else if (value is JsonValue lv && lv.TryGetValue<string>(out var ls) && Literal is JsonValue rv && rv.TryGetValue<string>(out var rs))
                comparison = string.CompareOrdinal(ls, rs);
            else
                return false;
            return Operator switch
            {
                "<" => comparison < 0,
                "<=" => comparison <= 0,
                ">" => comparison > 0,
                _ => comparison >= 0,
            };
        }
    }
}
