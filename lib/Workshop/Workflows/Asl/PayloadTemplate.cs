using System.Text.Json.Nodes;

namespace StreamingWorkshop.Workflows.Asl;

/// <summary>An error a state raises while it runs, with the name a Retry or Catch matches and its cause.</summary>
internal sealed class StateFailure(string error, string cause) : Exception(cause)
{
    public string Error { get; } = error;
    public string Cause { get; } = cause;
}

/// <summary>What a path or an intrinsic function reads: the state's data, the context object ($$), and where random draws come from.</summary>
internal sealed class EvaluationScope(JsonNode? input, JsonObject context, Func<Random> random)
{
    public JsonNode? Input { get; } = input;
    public JsonObject Context { get; } = context;
    public Func<Random> Random { get; } = random;

    public EvaluationScope WithInput(JsonNode? input) => new(input, Context, Random);
}

/// <summary>
/// Parameters, ResultSelector and ItemSelector: a JSON template whose fields ending in ".$" take their value from a
/// path on the input (<c>$</c>), on the context object (<c>$$</c>), or from an intrinsic function.
/// </summary>
internal static class PayloadTemplate
{
    public static JsonNode? Apply(JsonNode? template, EvaluationScope scope)
    {
        switch (template)
        {
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (key.EndsWith(".$", StringComparison.Ordinal) && value is JsonValue && JsonValues.TryGetString(value, out var expression))
                        result[key[..^2]] = Evaluate(key, expression, scope);
                    else
                        result[key] = Apply(value, scope);
                }
                return result;
            case JsonArray array:
                return new JsonArray(array.Select(item => Apply(item, scope)).ToArray());
            default:
                return template?.DeepClone();
        }
    }

    /// <summary>The value of one ".$" field: a path on the input or the context, or an intrinsic function's result.</summary>
    public static JsonNode? Evaluate(string field, string expression, EvaluationScope scope)
    {
        if (expression.StartsWith("States.", StringComparison.Ordinal))
            return IntrinsicFunctions.Evaluate(expression, scope);
        var path = JsonPath.Parse(expression);
        var root = path.IsContext ? scope.Context : scope.Input;
        if (path.TryEvaluate(root, out var value))
            return value;
        throw new StateFailure(StatesErrors.Runtime,
            $"The JSONPath '{expression}' specified for the field '{field}' could not be found in the input '{JsonValues.ToText(root)}'");
    }

    /// <summary>Checks a template's ".$" fields at definition time; each problem is added to <paramref name="problems"/>.</summary>
    public static void Check(JsonNode? template, string pointer, List<string> problems)
    {
        switch (template)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    var at = $"{pointer}/{key}";
                    if (key.EndsWith(".$", StringComparison.Ordinal))
                    {
                        if (!JsonValues.TryGetString(value, out var expression))
                        {
                            problems.Add(DefinitionProblems.Schema($"The value for the field '{key}' must be a STRING that contains a JSONPath or an intrinsic function", at));
                            continue;
                        }
                        if (expression.StartsWith("States.", StringComparison.Ordinal))
                        {
                            if (IntrinsicFunctions.Check(expression) is { } intrinsicError)
                                problems.Add(DefinitionProblems.Schema($"The value for the field '{key}' must be a valid intrinsic function call: {intrinsicError}", at));
                        }
                        else if (JsonPath.TryParse(expression, out _) is null)
                        {
                            problems.Add(DefinitionProblems.Schema($"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call", at));
                        }
                    }
                    else
                    {
                        Check(value, at, problems);
                    }
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                    Check(array[i], $"{pointer}[{i}]", problems);
                break;
        }
    }
}
