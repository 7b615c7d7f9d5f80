using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamingWorkshop.Workflows.Asl;

/// <summary>
/// The intrinsic functions of the States Language (States.Format, States.Array, States.Hash, ...), called in a ".$"
/// field. Arguments are string literals in single quotes (\' \{ \} \\ escape), numbers, true, false, null, paths
/// ($ or $$) and nested calls. A wrong argument fails the state with States.IntrinsicFailure.
/// </summary>
internal static class IntrinsicFunctions
{
    /// <summary>Every function the interpreter runs, by name.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "States.Format", "States.StringToJson", "States.JsonToString", "States.Array", "States.ArrayPartition",
        "States.ArrayContains", "States.ArrayRange", "States.ArrayGetItem", "States.ArrayLength", "States.ArrayUnique",
        "States.Base64Encode", "States.Base64Decode", "States.Hash", "States.JsonMerge", "States.MathRandom",
        "States.MathAdd", "States.StringSplit", "States.UUID",
    ];

    private const int MaxArrayRangeItems = 1000;
    private const int MaxBase64Input = 10000;

    /// <summary>The problem with <paramref name="expression"/>'s syntax or function names, or null when it reads well.</summary>
    public static string? Check(string expression)
    {
        try
        {
            var call = new Parser(expression).ParseWhole();
            return CheckNames(call);
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }

    private static string? CheckNames(Call call)
    {
        if (!Names.Contains(call.Name))
            return $"the function {call.Name} is not an intrinsic function";
        foreach (var argument in call.Arguments.OfType<Call>())
        {
            if (CheckNames(argument) is { } problem)
                return problem;
        }
        return null;
    }

    public static JsonNode? Evaluate(string expression, EvaluationScope scope)
    {
        Call call;
        try
        {
            call = new Parser(expression).ParseWhole();
        }
        catch (FormatException e)
        {
            throw Failure($"The intrinsic function '{expression}' cannot be read: {e.Message}");
        }
        return Invoke(call, scope);
    }

    private static JsonNode? Invoke(Call call, EvaluationScope scope)
    {
        var args = call.Arguments.Select(a => Resolve(a, scope)).ToList();
        return call.Name switch
        {
            "States.Format" => Format(call.Name, args),
            "States.StringToJson" => StringToJson(call.Name, args),
            "States.JsonToString" => JsonValue.Create(JsonValues.ToText(Single(call.Name, args))),
            "States.Array" => new JsonArray(args.Select(JsonValues.Clone).ToArray()),
            "States.ArrayPartition" => ArrayPartition(call.Name, args),
            "States.ArrayContains" => ArrayContains(call.Name, args),
            "States.ArrayRange" => ArrayRange(call.Name, args),
            "States.ArrayGetItem" => ArrayGetItem(call.Name, args),
            "States.ArrayLength" => JsonValue.Create(ArrayArgument(call.Name, Single(call.Name, args), 1).Count),
            "States.ArrayUnique" => ArrayUnique(call.Name, args),
            "States.Base64Encode" => Base64Encode(call.Name, args),
            "States.Base64Decode" => Base64Decode(call.Name, args),
            "States.Hash" => Hash(call.Name, args),
            "States.JsonMerge" => JsonMerge(call.Name, args),
            "States.MathRandom" => MathRandom(call.Name, args, scope),
            "States.MathAdd" => MathAdd(call.Name, args),
            "States.StringSplit" => StringSplit(call.Name, args),
            "States.UUID" => Uuid(call.Name, args, scope),
            _ => throw Failure($"The function {call.Name} is not an intrinsic function"),
        };
    }

    private static JsonNode? Resolve(object argument, EvaluationScope scope)
    {
        switch (argument)
        {
            case Call nested:
                return Invoke(nested, scope);
            case PathArgument path:
                var root = path.Path.IsContext ? scope.Context : scope.Input;
                if (path.Path.TryEvaluate(root, out var value))
                    return value;
                throw Failure($"The path '{path.Path.Text}' in an intrinsic function's arguments matches nothing in '{JsonValues.ToText(root)}'");
            case JsonNode literal:
                return literal.DeepClone();
            default:
                return null;
        }
    }

    private static StateFailure Failure(string cause) => new(StatesErrors.IntrinsicFailure, cause);

    private static void Count(string name, List<JsonNode?> args, int min, int max)
    {
        if (args.Count < min || args.Count > max)
        {
            var expected = min == max ? $"{min}" : $"{min} to {max}";
            throw Failure($"The function {name} takes {expected} argument(s) but was given {args.Count}");
        }
    }

    private static JsonNode? Single(string name, List<JsonNode?> args)
    {
        Count(name, args, 1, 1);
        return args[0];
    }

    private static string StringArgument(string name, JsonNode? value, int position) =>
        JsonValues.TryGetString(value, out var text)
            ? text
            : throw Failure($"The function {name} needs a string as argument {position}, not {JsonValues.ToText(value)}");

    private static long IntegerArgument(string name, JsonNode? value, int position) =>
        JsonValues.TryGetInteger(value, out var integer)
            ? integer
            : throw Failure($"The function {name} needs an integer as argument {position}, not {JsonValues.ToText(value)}");

    private static JsonArray ArrayArgument(string name, JsonNode? value, int position) =>
        value as JsonArray ?? throw Failure($"The function {name} needs an array as argument {position}, not {JsonValues.ToText(value)}");

    private static JsonNode Format(string name, List<JsonNode?> args)
    {
        if (args.Count == 0)
            throw Failure($"The function {name} needs a format string as its first argument");
        var template = StringArgument(name, args[0], 1);
        var builder = new StringBuilder();
        var next = 1;
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] == '\\' && i + 1 < template.Length && template[i + 1] is '{' or '}')
            {
                builder.Append(template[++i]);
            }
            else if (template[i] == '{' && i + 1 < template.Length && template[i + 1] == '}')
            {
                if (next >= args.Count)
                    throw Failure($"The function {name} has more {{}} in '{template}' than arguments after it ({args.Count - 1})");
                var value = args[next++];
                builder.Append(JsonValues.Kind(value) switch
                {
                    JsonValueKind.String => value!.GetValue<string>(),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value!.ToJsonString(),
                    JsonValueKind.Null => "null",
                    _ => throw Failure($"The function {name} formats only strings, numbers, booleans and null, not {JsonValues.ToText(value)}"),
                });
                i++;
            }
            else
            {
                builder.Append(template[i]);
            }
        }
        if (next != args.Count)
            throw Failure($"The function {name} has {next - 1} {{}} in '{template}' but {args.Count - 1} arguments after it");
        return JsonValue.Create(builder.ToString());
    }

    private static JsonNode? StringToJson(string name, List<JsonNode?> args)
    {
        var text = StringArgument(name, Single(name, args), 1);
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            throw Failure($"The function {name} was given a string that is not JSON: {text}");
        }
    }

    private static JsonNode ArrayPartition(string name, List<JsonNode?> args)
    {
        Count(name, args, 2, 2);
        var array = ArrayArgument(name, args[0], 1);
        var size = IntegerArgument(name, args[1], 2);
        if (size <= 0)
            throw Failure($"The function {name} needs a chunk size above 0, not {size}");
        var result = new JsonArray();
        for (var i = 0; i < array.Count; i += (int)size)
            result.Add(new JsonArray(array.Skip(i).Take((int)size).Select(JsonValues.Clone).ToArray()));
        return result;
    }

    private static JsonNode ArrayContains(string name, List<JsonNode?> args)
    {
        Count(name, args, 2, 2);
        var array = ArrayArgument(name, args[0], 1);
        return JsonValue.Create(array.Any(item => JsonNode.DeepEquals(item, args[1])));
    }

    private static JsonNode ArrayRange(string name, List<JsonNode?> args)
    {
        Count(name, args, 3, 3);
        var first = IntegerArgument(name, args[0], 1);
        var last = IntegerArgument(name, args[1], 2);
        var step = IntegerArgument(name, args[2], 3);
        if (step == 0)
            throw Failure($"The function {name} needs a step that is not 0");
        var result = new JsonArray();
        for (var value = first; step > 0 ? value <= last : value >= last; value += step)
        {
            if (result.Count == MaxArrayRangeItems)
                throw Failure($"The function {name} may give at most {MaxArrayRangeItems} items");
            result.Add(JsonValue.Create(value));
        }
        return result;
    }

    private static JsonNode? ArrayGetItem(string name, List<JsonNode?> args)
    {
        Count(name, args, 2, 2);
        var array = ArrayArgument(name, args[0], 1);
        var index = IntegerArgument(name, args[1], 2);
        if (index < 0 || index >= array.Count)
            throw Failure($"The function {name} was given the index {index} for an array of {array.Count} items");
        return JsonValues.Clone(array[(int)index]);
    }

    private static JsonNode ArrayUnique(string name, List<JsonNode?> args)
    {
        var array = ArrayArgument(name, Single(name, args), 1);
        var result = new JsonArray();
        foreach (var item in array)
        {
            if (!result.Any(kept => JsonNode.DeepEquals(kept, item)))
                result.Add(JsonValues.Clone(item));
        }
        return result;
    }

    private static JsonNode Base64Encode(string name, List<JsonNode?> args)
    {
        var text = StringArgument(name, Single(name, args), 1);
        if (text.Length > MaxBase64Input)
            throw Failure($"The function {name} takes at most {MaxBase64Input} characters, not {text.Length}");
        return JsonValue.Create(Convert.ToBase64String(Encoding.UTF8.GetBytes(text)));
    }

    private static JsonNode Base64Decode(string name, List<JsonNode?> args)
    {
        var text = StringArgument(name, Single(name, args), 1);
        if (text.Length > MaxBase64Input)
            throw Failure($"The function {name} takes at most {MaxBase64Input} characters, not {text.Length}");
        try
        {
            return JsonValue.Create(Encoding.UTF8.GetString(Convert.FromBase64String(text)));
        }
        catch (FormatException)
        {
            throw Failure($"The function {name} was given a string that is not Base64: {text}");
        }
    }

    private static JsonNode Hash(string name, List<JsonNode?> args)
    {
        Count(name, args, 2, 2);
        var data = JsonValues.TryGetString(args[0], out var text) ? text : JsonValues.ToText(args[0]);
        var algorithm = StringArgument(name, args[1], 2);
        var bytes = Encoding.UTF8.GetBytes(data);
        var digest = algorithm switch
        {
            "MD5" => MD5.HashData(bytes),
            "SHA-1" => SHA1.HashData(bytes),
            "SHA-256" => SHA256.HashData(bytes),
            "SHA-384" => SHA384.HashData(bytes),
            "SHA-512" => SHA512.HashData(bytes),
            _ => throw Failure($"The function {name} knows MD5, SHA-1, SHA-256, SHA-384 and SHA-512, not '{algorithm}'"),
        };
        return JsonValue.Create(Convert.ToHexStringLower(digest));
    }

    private static JsonNode JsonMerge(string name, List<JsonNode?> args)
    {
        Count(name, args, 3, 3);
        if (args[0] is not JsonObject left || args[1] is not JsonObject right)
            throw Failure($"The function {name} merges two objects, not {JsonValues.ToText(args[0])} and {JsonValues.ToText(args[1])}");
        if (!JsonValues.TryGetBoolean(args[2], out var deep) || deep)
            throw Failure($"The function {name} makes shallow merges only: its third argument must be false");
        var merged = (JsonObject)left.DeepClone();
        foreach (var (key, value) in right)
            merged[key] = JsonValues.Clone(value);
        return merged;
    }

    private static JsonNode MathRandom(string name, List<JsonNode?> args, EvaluationScope scope)
    {
        Count(name, args, 2, 3);
        var start = IntegerArgument(name, args[0], 1);
        var end = IntegerArgument(name, args[1], 2);
        if (end <= start)
            throw Failure($"The function {name} needs an end ({end}) above its start ({start})");
        var random = args.Count == 3 ? new Random((int)IntegerArgument(name, args[2], 3)) : scope.Random();
        return JsonValue.Create(random.NextInt64(start, end));
    }

    private static JsonNode MathAdd(string name, List<JsonNode?> args)
    {
        Count(name, args, 2, 2);
        return JsonValue.Create(IntegerArgument(name, args[0], 1) + IntegerArgument(name, args[1], 2));
    }

    private static JsonNode StringSplit(string name, List<JsonNode?> args)
    {
        Count(name, args, 2, 2);
        var text = StringArgument(name, args[0], 1);
        var delimiters = StringArgument(name, args[1], 2);
        var parts = text.Split(delimiters.ToCharArray(), StringSplitOptions.RemoveEmptyEntries);
        return new JsonArray(parts.Select(p => (JsonNode)JsonValue.Create(p)).ToArray());
    }

    private static JsonNode Uuid(string name, List<JsonNode?> args, EvaluationScope scope)
    {
        Count(name, args, 0, 0);
        var bytes = new byte[16];
        scope.Random().NextBytes(bytes);
        // Version 4 and the RFC 4122 variant, as a random UUID has them.
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(bytes);
        return JsonValue.Create($"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}");
    }

    private sealed record Call(string Name, IReadOnlyList<object> Arguments);

    private sealed record PathArgument(JsonPath Path);

    /// <summary>Reads a call: Name(arg, ...), each argument a literal, a path or a nested call.</summary>
    private sealed class Parser(string text)
    {
        private int position;

        public Call ParseWhole()
        {
            var call = ParseCall();
            SkipSpaces();
            if (position != text.Length)
                throw new FormatException($"unexpected text after the call at {position}");
            return call;
        }

        private Call ParseCall()
        {
            SkipSpaces();
            var start = position;
            while (position < text.Length && (char.IsLetterOrDigit(text[position]) || text[position] == '.'))
                position++;
            var name = text[start..position];
            if (!name.StartsWith("States.", StringComparison.Ordinal))
                throw new FormatException($"a function name must start with 'States.', not '{name}'");
            SkipSpaces();
            Expect('(');
            var arguments = new List<object>();
            SkipSpaces();
            if (Peek() == ')')
            {
                position++;
                return new Call(name, arguments);
            }
            while (true)
            {
                arguments.Add(ParseArgument());
                SkipSpaces();
                var c = Peek();
                position++;
                if (c == ')')
                    return new Call(name, arguments);
                if (c != ',')
                    throw new FormatException($"expected ',' or ')' at {position - 1}");
            }
        }

        private object ParseArgument()
        {
            SkipSpaces();
            var c = Peek();
            if (c == '\'')
                return JsonValue.Create(ReadString());
            if (c == '$')
            {
                var path = ReadUntilArgumentEnd();
                return new PathArgument(JsonPath.Parse(path));
            }
            if (text.AsSpan(position).StartsWith("States.", StringComparison.Ordinal))
                return ParseCall();
            var literal = ReadUntilArgumentEnd();
            if (literal == "null")
                return new NullLiteral();
            if (literal is "true" or "false")
                return JsonValue.Create(literal == "true");
            if (decimal.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                return JsonValues.Number(number);
            throw new FormatException($"the argument '{literal}' is not a string, number, boolean, null, path or call");
        }

        private string ReadString()
        {
            Expect('\'');
            var builder = new StringBuilder();
            while (true)
            {
                if (position >= text.Length)
                    throw new FormatException("a string argument is not closed with '");
                var c = text[position++];
                if (c == '\\' && position < text.Length)
                {
                    var escaped = text[position++];
                    // \{ and \} stay escaped so States.Format can tell them from placeholders.
                    if (escaped is '{' or '}')
                        builder.Append('\\');
                    builder.Append(escaped);
                    continue;
                }
                if (c == '\'')
                    return builder.ToString();
                builder.Append(c);
            }
        }

        private string ReadUntilArgumentEnd()
        {
            var start = position;
            var depth = 0;
            char? quote = null;
            while (position < text.Length)
            {
                var c = text[position];
                if (quote is not null)
                {
                    if (c == quote)
                        quote = null;
                }
                else if (c is '\'' or '"')
                    quote = c;
                else if (c is '[' or '(')
                    depth++;
                else if (c is ']')
                    depth--;
                else if (c == ')' && depth == 0)
                    break;
                else if (c == ')')
                    depth--;
                else if (c == ',' && depth == 0)
                    break;
                position++;
            }
            return text[start..position].Trim();
        }

        private char Peek() => position < text.Length ? text[position] : throw new FormatException("the call is not closed with ')'");

        private void Expect(char c)
        {
            if (Peek() != c)
                throw new FormatException($"expected '{c}' at {position}");
            position++;
        }

        private void SkipSpaces()
        {
            while (position < text.Length && char.IsWhiteSpace(text[position]))
                position++;
        }
    }

    private sealed record NullLiteral;
}
