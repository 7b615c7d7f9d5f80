using System.Text;
using System.Text.Json;

namespace StreamingWorkshop.Catalog;

/// <summary>
/// Glue/Hive type names: parsing and validation, the DuckDB type each reads as, Athena's display name, and the
/// type a crawler infers from a JSON value (whole numbers int or bigint, fractions double, objects struct,
/// arrays array; strings stay string, even ISO-like times, as Glue's JSON classifier does).
/// </summary>
public static class HiveTypes
{
    private static readonly HashSet<string> Primitives =
        ["string", "tinyint", "smallint", "int", "bigint", "float", "double", "boolean", "timestamp", "date", "binary"];

    public static string Normalise(string type)
    {
        var parsed = Parse(type);
        return parsed.ToString();
    }

    public static string ToDuckDb(string hiveType) => ToDuckDb(Parse(hiveType));

    /// <summary>How Athena names a type in result metadata (integer for int, varchar for string, row for struct).</summary>
    public static string ToAthena(string hiveType) => Parse(hiveType) switch
    {
        { Name: "string" } => "varchar",
        { Name: "int" } => "integer",
        { Name: "struct" } => "row",
        var t => t.Name,
    };

    private static string ToDuckDb(TypeNode node) => node.Name switch
    {
        "string" or "varchar" or "char" => "VARCHAR",
        "tinyint" => "TINYINT",
        "smallint" => "SMALLINT",
        "int" => "INTEGER",
        "bigint" => "BIGINT",
        "float" => "FLOAT",
        "double" => "DOUBLE",
        "boolean" => "BOOLEAN",
        "timestamp" => "TIMESTAMP",
        "date" => "DATE",
        "binary" => "BLOB",
        "decimal" => $"DECIMAL({string.Join(",", node.Arguments)})",
        "array" => ToDuckDb(node.Children[0].Type) + "[]",
        "map" => $"MAP({ToDuckDb(node.Children[0].Type)}, {ToDuckDb(node.Children[1].Type)})",
        "struct" => $"STRUCT({string.Join(", ", node.Children.Select(c => $"\"{c.Name}\" {ToDuckDb(c.Type)}"))})",
        _ => throw new InvalidInputException($"Type '{node}' has no local equivalent."),
    };

    public static string Infer(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number when value.TryGetInt32(out _) => "int",
        JsonValueKind.Number when value.TryGetInt64(out _) => "bigint",
        JsonValueKind.Number => "double",
        JsonValueKind.Array => $"array<{value.EnumerateArray().Select(Infer).Aggregate((string?)null, Merge) ?? "string"}>",
        JsonValueKind.Object => $"struct<{string.Join(",", value.EnumerateObject().Select(p => $"{p.Name.ToLowerInvariant()}:{Infer(p.Value)}"))}>",
        _ => "string",
    };

    /// <summary>The type that holds both: int and bigint widen to bigint, numbers to double, structs merge fields, anything else to string.</summary>
    public static string Merge(string? a, string b)
    {
        if (a is null || a == b) return b;
        string[] numeric = ["int", "bigint", "double"];
        if (numeric.Contains(a) && numeric.Contains(b)) return Array.IndexOf(numeric, a) > Array.IndexOf(numeric, b) ? a : b;
        var left = Parse(a);
        var right = Parse(b);
        if (left.Name == "struct" && right.Name == "struct")
        {
            var fields = left.Children.Select(c => (c.Name, Type: c.Type.ToString())).ToList();
            foreach (var field in right.Children)
            {
                var index = fields.FindIndex(f => f.Name == field.Name);
                if (index < 0) fields.Add((field.Name, field.Type.ToString()));
                else fields[index] = (field.Name, Merge(fields[index].Type, field.Type.ToString()));
            }
            return $"struct<{string.Join(",", fields.Select(f => $"{f.Name}:{f.Type}"))}>";
        }
        if (left.Name == "array" && right.Name == "array")
            return $"array<{Merge(left.Children[0].Type.ToString(), right.Children[0].Type.ToString())}>";
        return "string";
    }

    private static TypeNode Parse(string text)
    {
        var position = 0;
        var source = (text ?? "").Trim().ToLowerInvariant();
        var node = ParseType(source, ref position);
        if (position != source.Length) throw Invalid(text!, $"unexpected '{source[position..]}'");
        return node;
    }

    private static TypeNode ParseType(string s, ref int i)
    {
        var name = ReadWord(s, ref i);
        if (name == "integer") name = "int";
        switch (name)
        {
            case "array":
                Expect(s, ref i, '<');
                var element = ParseType(s, ref i);
                Expect(s, ref i, '>');
                return new TypeNode("array", [], [new Field("", element)]);
            case "map":
                Expect(s, ref i, '<');
                var key = ParseType(s, ref i);
                Expect(s, ref i, ',');
                var value = ParseType(s, ref i);
                Expect(s, ref i, '>');
                return new TypeNode("map", [], [new Field("", key), new Field("", value)]);
            case "struct":
                Expect(s, ref i, '<');
                var fields = new List<Field>();
                while (true)
                {
                    var fieldName = ReadWord(s, ref i);
                    Expect(s, ref i, ':');
                    fields.Add(new Field(fieldName, ParseType(s, ref i)));
                    SkipSpaces(s, ref i);
                    if (i < s.Length && s[i] == ',') { i++; continue; }
                    Expect(s, ref i, '>');
                    return new TypeNode("struct", [], fields);
                }
            case "decimal" or "varchar" or "char":
                var arguments = new List<string>();
                SkipSpaces(s, ref i);
                if (i < s.Length && s[i] == '(')
                {
                    i++;
                    var close = s.IndexOf(')', i);
                    if (close < 0) throw Invalid(s, "a '(' is not closed");
                    arguments.AddRange(s[i..close].Split(',').Select(a => a.Trim()));
                    i = close + 1;
                }
                CheckSizes(s, name, arguments);
                return new TypeNode(name, arguments, []);
            default:
                if (!Primitives.Contains(name))
                    throw Invalid(s, $"'{name}' is not a Hive type; use string, int, bigint, double, boolean, timestamp, date, decimal(p,s), array<...>, map<...> or struct<...>");
                return new TypeNode(name, [], []);
        }
    }

    /// <summary>
    /// The sizes Athena reads: a decimal's precision 1 to 38 and scale 0 to the precision, a varchar's length 1 to
    /// 65535, a char's 1 to 255. Caught here, a bad size is named when the column is changed, not at every later query.
    /// </summary>
    private static void CheckSizes(string s, string name, List<string> arguments)
    {
        int? Number(int index) => index < arguments.Count && int.TryParse(arguments[index], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
        var fits = name switch
        {
            "decimal" => arguments.Count == 0
                || (arguments.Count <= 2 && Number(0) is >= 1 and <= 38 and var precision && (arguments.Count == 1 || Number(1) is { } scale && scale <= precision)),
            "varchar" => arguments.Count == 0 || (arguments.Count == 1 && Number(0) is >= 1 and <= 65535),
            _ => arguments.Count == 0 || (arguments.Count == 1 && Number(0) is >= 1 and <= 255),
        };
        if (!fits)
            throw Invalid(s, name switch
            {
                "decimal" => "decimal(p,s) takes a precision p from 1 to 38 and a scale s from 0 to p, as in decimal(10,2)",
                "varchar" => "varchar(n) takes a length n from 1 to 65535, as in varchar(40)",
                _ => "char(n) takes a length n from 1 to 255, as in char(2)",
            });
    }

    private static string ReadWord(string s, ref int i)
    {
        SkipSpaces(s, ref i);
        var start = i;
        while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_')) i++;
        if (start == i) throw Invalid(s, $"a type name was expected at position {start + 1}");
        return s[start..i];
    }

    private static void Expect(string s, ref int i, char c)
    {
        SkipSpaces(s, ref i);
        if (i >= s.Length || s[i] != c) throw Invalid(s, $"'{c}' was expected at position {i + 1}");
        i++;
    }

    private static void SkipSpaces(string s, ref int i)
    {
        while (i < s.Length && s[i] == ' ') i++;
    }

    private static InvalidInputException Invalid(string type, string reason) => new($"'{type}' is not a valid column type: {reason}.");

    private sealed record Field(string Name, TypeNode Type);

    private sealed record TypeNode(string Name, IReadOnlyList<string> Arguments, IReadOnlyList<Field> Children)
    {
        public override string ToString() => Name switch
        {
            "array" => $"array<{Children[0].Type}>",
            "map" => $"map<{Children[0].Type},{Children[1].Type}>",
            "struct" => $"struct<{string.Join(",", Children.Select(c => $"{c.Name}:{c.Type}"))}>",
            _ when Arguments.Count > 0 => $"{Name}({string.Join(",", Arguments)})",
            _ => Name,
        };
    }
}
