using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamingWorkshop.Workflows.Asl;

/// <summary>A Choice state's rules: the comparison operators of the spec, And/Or/Not, and how they are checked and read.</summary>
internal static class ChoiceRules
{
    private enum Operand { String, Numeric, Boolean, Timestamp, Test }

    private static readonly Dictionary<string, Operand> Comparisons = BuildComparisons();

    private static Dictionary<string, Operand> BuildComparisons()
    {
        var comparisons = new Dictionary<string, Operand>();
        foreach (var (prefix, operand) in new[] { ("String", Operand.String), ("Numeric", Operand.Numeric), ("Timestamp", Operand.Timestamp) })
        {
            foreach (var relation in new[] { "Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals" })
            {
                comparisons[prefix + relation] = operand;
                comparisons[prefix + relation + "Path"] = operand;
            }
        }
        comparisons["StringMatches"] = Operand.String;
        comparisons["BooleanEquals"] = Operand.Boolean;
        comparisons["BooleanEqualsPath"] = Operand.Boolean;
        foreach (var test in new[] { "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp" })
            comparisons[test] = Operand.Test;
        return comparisons;
    }

    /// <summary>Checks one rule at <paramref name="pointer"/>; a top-level rule (<paramref name="topLevel"/>) needs Next, a nested one may not have it.</summary>
    public static void Check(JsonNode? node, string pointer, bool topLevel, List<string> problems)
    {
        if (node is not JsonObject rule)
        {
            problems.Add(DefinitionProblems.Schema("A choice rule must be an object", pointer));
            return;
        }
        if (topLevel && !rule.ContainsKey("Next"))
            problems.Add(DefinitionProblems.Schema("These fields are required: [Next]", pointer));
        if (!topLevel && rule.ContainsKey("Next"))
            problems.Add(DefinitionProblems.Schema("The field \"Next\" is not supported in a nested choice rule", pointer + "/Next"));
        if (rule.TryGetPropertyValue("Next", out var next) && !JsonValues.TryGetString(next, out _))
            problems.Add(DefinitionProblems.Schema("The value for the field 'Next' must be a STRING", pointer + "/Next"));

        var operators = rule.Select(p => p.Key).Where(k => Comparisons.ContainsKey(k) || k is "And" or "Or" or "Not").ToList();
        foreach (var key in rule.Select(p => p.Key))
        {
            if (!operators.Contains(key) && key is not ("Next" or "Variable" or "Comment"))
                problems.Add(DefinitionProblems.Schema($"The field \"{key}\" is not supported by Step Functions", pointer));
        }
        if (operators.Count != 1)
        {
            problems.Add(DefinitionProblems.Schema(operators.Count == 0
                ? "A choice rule must have a comparison operator (such as StringEquals), or And, Or or Not"
                : $"A choice rule must have exactly one comparison operator, not [{string.Join(", ", operators)}]", pointer));
            return;
        }
        var op = operators[0];
        if (op is "And" or "Or")
        {
            if (rule.ContainsKey("Variable"))
                problems.Add(DefinitionProblems.Schema($"The field \"Variable\" is not supported with {op}", pointer + "/Variable"));
            if (rule[op] is not JsonArray { Count: > 0 } children)
            {
                problems.Add(DefinitionProblems.Schema($"The value for the field '{op}' must be a non-empty array of choice rules", pointer + "/" + op));
                return;
            }
            for (var i = 0; i < children.Count; i++)
                Check(children[i], $"{pointer}/{op}[{i}]", false, problems);
            return;
        }
        if (op == "Not")
        {
            if (rule.ContainsKey("Variable"))
                problems.Add(DefinitionProblems.Schema("The field \"Variable\" is not supported with Not", pointer + "/Variable"));
            Check(rule["Not"], pointer + "/Not", false, problems);
            return;
        }
        if (!rule.TryGetPropertyValue("Variable", out var variable) || !JsonValues.TryGetString(variable, out var variableText))
        {
            problems.Add(DefinitionProblems.Schema("These fields are required: [Variable]", pointer));
        }
        else if (DefinitionProblems.CheckReferencePath(variableText) is { } pathProblem)
        {
            problems.Add(DefinitionProblems.Schema($"The value for the field 'Variable' must be a valid JSONPath: {pathProblem}", pointer + "/Variable"));
        }
        CheckOperand(op, rule[op], pointer + "/" + op, problems);
    }

    private static void CheckOperand(string op, JsonNode? value, string pointer, List<string> problems)
    {
        if (op.EndsWith("Path", StringComparison.Ordinal))
        {
            if (!JsonValues.TryGetString(value, out var path) || DefinitionProblems.CheckReferencePath(path) is not null)
                problems.Add(DefinitionProblems.Schema($"The value for the field '{op}' must be a valid JSONPath", pointer));
            return;
        }
        var valid = Comparisons[op] switch
        {
            Operand.String => JsonValues.TryGetString(value, out _),
            Operand.Numeric => JsonValues.TryGetNumber(value, out _),
            Operand.Boolean or Operand.Test => JsonValues.TryGetBoolean(value, out _),
            _ => JsonValues.TryGetString(value, out var text) && JsonValues.TryParseTimestamp(text, out _),
        };
        if (!valid)
        {
            var expected = Comparisons[op] switch
            {
                Operand.String => "a STRING",
                Operand.Numeric => "a NUMBER",
                Operand.Timestamp => "a STRING in RFC 3339 format (such as 2024-01-31T12:00:00Z)",
                _ => "a BOOLEAN",
            };
            problems.Add(DefinitionProblems.Schema($"The value for the field '{op}' must be {expected}", pointer));
        }
    }

    /// <summary>Whether <paramref name="rule"/> holds for the input in <paramref name="scope"/>.</summary>
    public static bool Matches(JsonObject rule, EvaluationScope scope)
    {
        if (rule["And"] is JsonArray all)
            return all.All(r => Matches((JsonObject)r!, scope));
        if (rule["Or"] is JsonArray any)
            return any.Any(r => Matches((JsonObject)r!, scope));
        if (rule["Not"] is JsonObject not)
            return !Matches(not, scope);

        var variablePath = JsonPath.Parse(rule["Variable"]!.GetValue<string>());
        var present = variablePath.TryEvaluate(variablePath.IsContext ? scope.Context : scope.Input, out var variable);
        var op = rule.Select(p => p.Key).First(Comparisons.ContainsKey);
        var expected = rule[op];
        if (op == "IsPresent")
            return present == expected!.GetValue<bool>();
        if (!present)
        {
            throw new StateFailure(StatesErrors.Runtime,
                $"Invalid path '{variablePath.Text}': The choice state's condition path references an invalid value.");
        }
        if (op.StartsWith("Is", StringComparison.Ordinal))
            return TypeTest(op, variable) == expected!.GetValue<bool>();
        if (op.EndsWith("Path", StringComparison.Ordinal))
        {
            var otherPath = expected!.GetValue<string>();
            expected = DataFlow.SelectPath(otherPath, scope.Input, scope);
            op = op[..^4];
        }
        return Compare(op, variable, expected);
    }

    private static bool TypeTest(string op, JsonNode? value) => op switch
    {
        "IsNull" => JsonValues.Kind(value) == JsonValueKind.Null,
        "IsNumeric" => JsonValues.Kind(value) == JsonValueKind.Number,
        "IsString" => JsonValues.Kind(value) == JsonValueKind.String,
        "IsBoolean" => JsonValues.TryGetBoolean(value, out _),
        _ => JsonValues.TryGetString(value, out var text) && JsonValues.TryParseTimestamp(text, out _),
    };

    private static bool Compare(string op, JsonNode? variable, JsonNode? expected)
    {
        if (op == "StringMatches")
            return JsonValues.TryGetString(variable, out var text) && WildcardMatches(text, expected!.GetValue<string>());
        if (op == "BooleanEquals")
            return JsonValues.TryGetBoolean(variable, out var left) && JsonValues.TryGetBoolean(expected, out var right) && left == right;

        int comparison;
        if (op.StartsWith("String", StringComparison.Ordinal))
        {
            if (!JsonValues.TryGetString(variable, out var left) || !JsonValues.TryGetString(expected, out var right))
                return false;
            comparison = string.CompareOrdinal(left, right);
            op = op["String".Length..];
        }
        else if (op.StartsWith("Numeric", StringComparison.Ordinal))
        {
            if (!JsonValues.TryGetNumber(variable, out var left) || !JsonValues.TryGetNumber(expected, out var right))
                return false;
            comparison = left.CompareTo(right);
            op = op["Numeric".Length..];
        }
        else
        {
            if (!JsonValues.TryGetString(variable, out var leftText) || !JsonValues.TryParseTimestamp(leftText, out var left)
                || !JsonValues.TryGetString(expected, out var rightText) || !JsonValues.TryParseTimestamp(rightText, out var right))
                return false;
            comparison = left.CompareTo(right);
            op = op["Timestamp".Length..];
        }
        return op switch
        {
            "Equals" => comparison == 0,
            "LessThan" => comparison < 0,
            "GreaterThan" => comparison > 0,
            "LessThanEquals" => comparison <= 0,
            _ => comparison >= 0,
        };
    }

    /// <summary>StringMatches: * matches any run of characters, \* a star and \\ a backslash.</summary>
    public static bool WildcardMatches(string text, string pattern)
    {
        var tokens = new List<(char Char, bool Wildcard)>();
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\' && i + 1 < pattern.Length)
                tokens.Add((pattern[++i], false));
            else
                tokens.Add((pattern[i], pattern[i] == '*'));
        }
        // Matching table: matched[j] says whether the first j tokens match the text read so far.
        var matched = new bool[tokens.Count + 1];
        matched[0] = true;
        for (var j = 1; j <= tokens.Count && tokens[j - 1].Wildcard; j++)
            matched[j] = true;
        foreach (var c in text)
        {
            var next = new bool[tokens.Count + 1];
            for (var j = 1; j <= tokens.Count; j++)
            {
                var (tokenChar, wildcard) = tokens[j - 1];
                next[j] = wildcard ? next[j - 1] || matched[j] || matched[j - 1] : matched[j - 1] && tokenChar == c;
            }
            matched = next;
        }
        return matched[tokens.Count];
    }

    /// <summary>A short reading of a rule for drawings: "$.status == 'SUCCEEDED'", "not (...)", "... and ...".</summary>
    public static string Describe(JsonObject rule)
    {
        if (rule["And"] is JsonArray all)
            return string.Join(" and ", all.Select(r => Describe((JsonObject)r!)));
        if (rule["Or"] is JsonArray any)
            return string.Join(" or ", any.Select(r => Describe((JsonObject)r!)));
        if (rule["Not"] is JsonObject not)
            return $"not ({Describe(not)})";
        var variable = rule["Variable"]?.ToString() ?? "?";
        var op = rule.Select(p => p.Key).FirstOrDefault(Comparisons.ContainsKey);
        if (op is null)
            return variable;
        var value = rule[op];
        var shown = JsonValues.TryGetString(value, out var text) && !op.EndsWith("Path", StringComparison.Ordinal) ? $"'{text}'" : value?.ToJsonString() ?? "null";
        if (op.StartsWith("Is", StringComparison.Ordinal))
            return $"{variable} {op} {shown}";
        var relation = op.Replace("Path", "", StringComparison.Ordinal) switch
        {
            var o when o.EndsWith("GreaterThanEquals", StringComparison.Ordinal) => ">=",
            var o when o.EndsWith("LessThanEquals", StringComparison.Ordinal) => "<=",
            var o when o.EndsWith("GreaterThan", StringComparison.Ordinal) => ">",
            var o when o.EndsWith("LessThan", StringComparison.Ordinal) => "<",
            "StringMatches" => "matches",
            _ => "==",
        };
        return $"{variable} {relation} {shown}";
    }
}
