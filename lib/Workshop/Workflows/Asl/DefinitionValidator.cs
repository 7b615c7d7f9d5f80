using System.Text.Json.Nodes;

namespace StreamingWorkshop.Workflows.Asl;

/// <summary>The service's validation messages: a code, what is wrong, and where (a JSON pointer into the definition).</summary>
internal static class DefinitionProblems
{
    public const string SchemaValidationFailed = "SCHEMA_VALIDATION_FAILED";
    public const string MissingTransitionTarget = "MISSING_TRANSITION_TARGET";
    public const string MissingEndState = "MISSING_END_STATE";
    public const string DuplicateStateName = "DUPLICATE_STATE_NAME";
    public const string InvalidJsonDescription = "INVALID_JSON_DESCRIPTION";

    public static string Schema(string what, string pointer) => $"{SchemaValidationFailed}: {what} at {pointer}";

    public static string Unsupported(string field, string pointer) =>
        Schema($"The field \"{field}\" is not supported by the local backend ({FeatureOf(field)})", pointer);

    private static string FeatureOf(string field) => AslSupport.UnsupportedFields.TryGetValue(field, out var feature) ? feature : field;

    /// <summary>The one message the service raises for all the problems found, joined with ", ".</summary>
    public static InvalidDefinitionException Exception(IEnumerable<string> problems) =>
        new($"Invalid State Machine Definition: '{string.Join(", ", problems)}'");

    /// <summary>Why <paramref name="text"/> is not a reference path (one node, names and indexes only), or null.</summary>
    public static string? CheckReferencePath(string text)
    {
        var path = JsonPath.TryParse(text, out var error);
        if (path is null)
            return error;
        return path.IsReference ? null : $"'{text}' must name a single node (names and indexes only)";
    }

    public static string? CheckPath(string text)
    {
        JsonPath.TryParse(text, out var error);
        return error;
    }
}

/// <summary>
/// Checks a definition as CreateStateMachine does: its shape (fields allowed per state type, Next or End, Choice rules,
/// Wait's one time field, Retry and Catch, paths), its transitions (targets exist, states reachable, a terminal state),
/// unique state names, and what the local backend does not run.
/// </summary>
internal sealed class DefinitionValidator(ITaskIntegrations? integrations)
{
    private const int MaxStateNameLength = 80;

    private static readonly string[] CommonFields = ["Type", "Comment"];

    private static readonly Dictionary<string, string[]> FieldsByType = new()
    {
        [AslStateTypes.Pass] = ["InputPath", "OutputPath", "ResultPath", "Parameters", "Result", "Next", "End"],
        [AslStateTypes.Task] = ["Resource", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch",
            "TimeoutSeconds", "TimeoutSecondsPath", "Next", "End"],
        [AslStateTypes.Choice] = ["Choices", "Default", "InputPath", "OutputPath"],
        [AslStateTypes.Wait] = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath", "InputPath", "OutputPath", "Next", "End"],
        [AslStateTypes.Succeed] = ["InputPath", "OutputPath"],
        [AslStateTypes.Fail] = ["Error", "Cause", "ErrorPath", "CausePath"],
        [AslStateTypes.Parallel] = ["Branches", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch",
            "Next", "End"],
        [AslStateTypes.Map] = ["ItemProcessor", "Iterator", "ItemsPath", "ItemSelector", "Parameters", "MaxConcurrency", "MaxConcurrencyPath",
            "InputPath", "OutputPath", "ResultPath", "ResultSelector", "Retry", "Catch", "Next", "End"],
    };

    private static readonly HashSet<string> Transitioning =
        [AslStateTypes.Pass, AslStateTypes.Task, AslStateTypes.Wait, AslStateTypes.Parallel, AslStateTypes.Map];

    private readonly List<string> problems = [];
    private readonly Dictionary<string, string> namesSeen = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Validate(JsonObject root)
    {
        CheckMachine(root, "", topLevel: true, itemProcessor: false);
        return problems;
    }

    private void CheckMachine(JsonObject machine, string pointer, bool topLevel, bool itemProcessor)
    {
        foreach (var (key, value) in machine)
        {
            var known = key is "StartAt" or "States" or "Comment"
                || (topLevel && key is "Version" or "TimeoutSeconds" or "QueryLanguage")
                || (itemProcessor && key == "ProcessorConfig");
            if (key == "QueryLanguage" && topLevel)
            {
                if (!JsonValues.TryGetString(value, out var language) || language != "JSONPath")
                    problems.Add(DefinitionProblems.Schema($"The query language {value?.ToJsonString()} is not supported by the local backend ({AslSupport.QueryLanguage}): use \"JSONPath\"", $"{pointer}/QueryLanguage"));
            }
            else if (AslSupport.UnsupportedFields.ContainsKey(key))
                problems.Add(DefinitionProblems.Unsupported(key, $"{pointer}/{key}"));
            else if (!known)
                problems.Add(DefinitionProblems.Schema($"The field \"{key}\" is not supported by Step Functions", Root(pointer)));
        }
        if (topLevel && machine.TryGetPropertyValue("TimeoutSeconds", out var timeout) && (!JsonValues.TryGetInteger(timeout, out var seconds) || seconds <= 0))
            problems.Add(DefinitionProblems.Schema("The value for the field 'TimeoutSeconds' must be a positive integer", $"{pointer}/TimeoutSeconds"));
        if (machine.TryGetPropertyValue("Version", out var version) && !JsonValues.TryGetString(version, out _))
            problems.Add(DefinitionProblems.Schema("The value for the field 'Version' must be a STRING", $"{pointer}/Version"));
        if (itemProcessor && machine["ProcessorConfig"] is { } config)
            CheckProcessorConfig(config, $"{pointer}/ProcessorConfig");

        if (!machine.TryGetPropertyValue("StartAt", out var startAtNode) || !JsonValues.TryGetString(startAtNode, out var startAt))
        {
            problems.Add(DefinitionProblems.Schema(machine.ContainsKey("StartAt") ? "The value for the field 'StartAt' must be a STRING" : "These fields are required: [StartAt]", Root(pointer)));
            startAt = null;
        }
        if (machine["States"] is not JsonObject { Count: > 0 } states)
        {
            problems.Add(DefinitionProblems.Schema(machine.ContainsKey("States") ? "The field 'States' must be a non-empty object" : "These fields are required: [States]", Root(pointer)));
            return;
        }

        foreach (var (name, state) in states)
            CheckState(name, state, $"{pointer}/States/{name}");

        CheckTransitions(states, startAt, pointer, topLevel);
    }

    private static string Root(string pointer) => pointer.Length == 0 ? "/" : pointer;

    private void CheckProcessorConfig(JsonNode config, string pointer)
    {
        if (config is not JsonObject obj)
        {
            problems.Add(DefinitionProblems.Schema("The value for the field 'ProcessorConfig' must be an OBJECT", pointer));
            return;
        }
        foreach (var (key, value) in obj)
        {
            if (key == "Mode")
            {
                if (JsonValues.TryGetString(value, out var mode) && mode == "DISTRIBUTED")
                    problems.Add(DefinitionProblems.Schema($"The mode DISTRIBUTED is not supported by the local backend ({AslSupport.DistributedMap}): use INLINE", pointer + "/Mode"));
                else if (!JsonValues.TryGetString(value, out mode) || mode != "INLINE")
                    problems.Add(DefinitionProblems.Schema("The value for the field 'Mode' must be one of [INLINE, DISTRIBUTED]", pointer + "/Mode"));
            }
            else if (key == "ExecutionType")
                problems.Add(DefinitionProblems.Schema($"The field \"ExecutionType\" is not supported by the local backend ({AslSupport.DistributedMap})", pointer + "/ExecutionType"));
            else
                problems.Add(DefinitionProblems.Schema($"The field \"{key}\" is not supported by Step Functions", pointer));
        }
    }

    private void CheckState(string name, JsonNode? node, string pointer)
    {
        if (name.Length > MaxStateNameLength)
            problems.Add(DefinitionProblems.Schema($"The state name must be at most {MaxStateNameLength} characters, not {name.Length}", pointer));
        if (namesSeen.TryGetValue(name, out _))
            problems.Add($"{DefinitionProblems.DuplicateStateName}: Duplicate State name: {name} at {pointer}");
        else
            namesSeen[name] = pointer;

        if (node is not JsonObject state)
        {
            problems.Add(DefinitionProblems.Schema("A state must be an OBJECT", pointer));
            return;
        }
        if (!state.TryGetPropertyValue("Type", out var typeNode))
        {
            problems.Add(DefinitionProblems.Schema("These fields are required: [Type]", pointer));
            return;
        }
        if (!JsonValues.TryGetString(typeNode, out var type) || !FieldsByType.TryGetValue(type, out var allowed))
        {
            problems.Add(DefinitionProblems.Schema($"The value for the field 'Type' must be one of [{string.Join(", ", AslStateTypes.All)}]", pointer + "/Type"));
            return;
        }

        foreach (var key in state.Select(p => p.Key))
        {
            if (CommonFields.Contains(key) || allowed.Contains(key))
                continue;
            if (AslSupport.UnsupportedFields.ContainsKey(key))
                problems.Add(DefinitionProblems.Unsupported(key, $"{pointer}/{key}"));
            else
                problems.Add(DefinitionProblems.Schema($"The field \"{key}\" is not supported by Step Functions", pointer));
        }

        if (Transitioning.Contains(type))
            CheckNextOrEnd(state, pointer);
        CheckString(state, "Comment", pointer);
        CheckPathField(state, "InputPath", pointer, reference: false, nullable: true);
        CheckPathField(state, "OutputPath", pointer, reference: false, nullable: true);
        CheckPathField(state, "ResultPath", pointer, reference: true, nullable: true, contextAllowed: false);
        foreach (var template in new[] { "Parameters", "ResultSelector", "ItemSelector" })
        {
            if (!state.TryGetPropertyValue(template, out var value))
                continue;
            if (value is not JsonObject && type != AslStateTypes.Pass)
                problems.Add(DefinitionProblems.Schema($"The value for the field '{template}' must be an OBJECT", $"{pointer}/{template}"));
            PayloadTemplate.Check(value, $"{pointer}/{template}", problems);
        }
        CheckRetry(state, pointer);
        CheckCatch(state, pointer);

        switch (type)
        {
            case AslStateTypes.Task:
                CheckTask(state, pointer);
                break;
            case AslStateTypes.Choice:
                CheckChoice(state, pointer);
                break;
            case AslStateTypes.Wait:
                CheckWait(state, pointer);
                break;
            case AslStateTypes.Fail:
                CheckFail(state, pointer);
                break;
            case AslStateTypes.Parallel:
                CheckParallel(state, pointer);
                break;
            case AslStateTypes.Map:
                CheckMap(state, pointer);
                break;
        }
    }

    private void CheckNextOrEnd(JsonObject state, string pointer)
    {
        var hasNext = state.ContainsKey("Next");
        var hasEnd = state.TryGetPropertyValue("End", out var end);
        if (hasEnd && !JsonValues.TryGetBoolean(end, out _))
            problems.Add(DefinitionProblems.Schema("The value for the field 'End' must be a BOOLEAN", pointer + "/End"));
        var ends = hasEnd && JsonValues.TryGetBoolean(end, out var endValue) && endValue;
        if (hasNext && ends)
            problems.Add(DefinitionProblems.Schema("These fields cannot be used together: [Next, End]", pointer));
        else if (!hasNext && !ends)
            problems.Add(DefinitionProblems.Schema("One of these fields is required: [Next, End]", pointer));
        if (hasNext)
            CheckString(state, "Next", pointer);
    }

    private void CheckString(JsonObject obj, string field, string pointer)
    {
        if (obj.TryGetPropertyValue(field, out var value) && !JsonValues.TryGetString(value, out _))
            problems.Add(DefinitionProblems.Schema($"The value for the field '{field}' must be a STRING", $"{pointer}/{field}"));
    }

    private void CheckPathField(JsonObject obj, string field, string pointer, bool reference, bool nullable = false, bool contextAllowed = true)
    {
        if (!obj.TryGetPropertyValue(field, out var value))
            return;
        if (value is null)
        {
            if (!nullable)
                problems.Add(DefinitionProblems.Schema($"The value for the field '{field}' must be a STRING", $"{pointer}/{field}"));
            return;
        }
        if (!JsonValues.TryGetString(value, out var text))
        {
            problems.Add(DefinitionProblems.Schema($"The value for the field '{field}' must be a STRING", $"{pointer}/{field}"));
            return;
        }
        var problem = reference ? DefinitionProblems.CheckReferencePath(text) : DefinitionProblems.CheckPath(text);
        if (problem is null && !contextAllowed && text.StartsWith("$$", StringComparison.Ordinal))
            problem = "the context object cannot be written to";
        if (problem is not null)
            problems.Add(DefinitionProblems.Schema($"The value for the field '{field}' must be a valid JSONPath: {problem}", $"{pointer}/{field}"));
    }

    private void CheckIntegerField(JsonObject obj, string field, string pointer, long minimum)
    {
        if (obj.TryGetPropertyValue(field, out var value) && (!JsonValues.TryGetInteger(value, out var integer) || integer < minimum))
        {
            var expected = minimum > 0 ? "a positive integer" : "a non-negative integer";
            problems.Add(DefinitionProblems.Schema($"The value for the field '{field}' must be {expected}", $"{pointer}/{field}"));
        }
    }

    private void CheckErrorEquals(JsonObject entry, string pointer)
    {
        if (entry["ErrorEquals"] is not JsonArray { Count: > 0 } errors)
        {
            problems.Add(DefinitionProblems.Schema(entry.ContainsKey("ErrorEquals")
                ? "The value for the field 'ErrorEquals' must be a non-empty array of STRING" : "These fields are required: [ErrorEquals]", pointer));
            return;
        }
        for (var i = 0; i < errors.Count; i++)
        {
            if (!JsonValues.TryGetString(errors[i], out var name))
                problems.Add(DefinitionProblems.Schema("The value for the field 'ErrorEquals' must be a non-empty array of STRING", $"{pointer}/ErrorEquals[{i}]"));
            else if (name.StartsWith("States.", StringComparison.Ordinal) && !StatesErrors.Reserved.Contains(name))
                problems.Add(DefinitionProblems.Schema($"The error name '{name}' is not one of the States.* error names", $"{pointer}/ErrorEquals[{i}]"));
            else if (name == StatesErrors.All && errors.Count > 1)
                problems.Add(DefinitionProblems.Schema("States.ALL must appear alone in its ErrorEquals", $"{pointer}/ErrorEquals"));
        }
    }

    private static bool CatchesAll(JsonObject entry) =>
        entry["ErrorEquals"] is JsonArray errors && errors.Any(e => JsonValues.TryGetString(e, out var name) && name == StatesErrors.All);

    private void CheckRetry(JsonObject state, string pointer)
    {
        if (!state.TryGetPropertyValue("Retry", out var retry))
            return;
        if (retry is not JsonArray retriers)
        {
            problems.Add(DefinitionProblems.Schema("The value for the field 'Retry' must be an ARRAY", pointer + "/Retry"));
            return;
        }
        string[] allowed = ["ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment"];
        for (var i = 0; i < retriers.Count; i++)
        {
            var at = $"{pointer}/Retry[{i}]";
            if (retriers[i] is not JsonObject retrier)
            {
                problems.Add(DefinitionProblems.Schema("A retrier must be an OBJECT", at));
                continue;
            }
            foreach (var key in retrier.Select(p => p.Key).Where(k => !allowed.Contains(k)))
                problems.Add(DefinitionProblems.Schema($"The field \"{key}\" is not supported by Step Functions", at));
            CheckErrorEquals(retrier, at);
            if (CatchesAll(retrier) && i != retriers.Count - 1)
                problems.Add(DefinitionProblems.Schema("A retrier with States.ALL must be the last one", at + "/ErrorEquals"));
            CheckIntegerField(retrier, "IntervalSeconds", at, 1);
            CheckIntegerField(retrier, "MaxAttempts", at, 0);
            CheckIntegerField(retrier, "MaxDelaySeconds", at, 1);
            if (retrier.TryGetPropertyValue("BackoffRate", out var rate) && (!JsonValues.TryGetNumber(rate, out var backoff) || backoff < 1))
                problems.Add(DefinitionProblems.Schema("The value for the field 'BackoffRate' must be a number of at least 1.0", at + "/BackoffRate"));
            if (retrier.TryGetPropertyValue("JitterStrategy", out var jitter) && (!JsonValues.TryGetString(jitter, out var strategy) || strategy is not ("FULL" or "NONE")))
                problems.Add(DefinitionProblems.Schema("The value for the field 'JitterStrategy' must be one of [FULL, NONE]", at + "/JitterStrategy"));
        }
    }

    private void CheckCatch(JsonObject state, string pointer)
    {
        if (!state.TryGetPropertyValue("Catch", out var catchNode))
            return;
        if (catchNode is not JsonArray catchers)
        {
            problems.Add(DefinitionProblems.Schema("The value for the field 'Catch' must be an ARRAY", pointer + "/Catch"));
            return;
        }
        for (var i = 0; i < catchers.Count; i++)
        {
            var at = $"{pointer}/Catch[{i}]";
            if (catchers[i] is not JsonObject catcher)
            {
                problems.Add(DefinitionProblems.Schema("A catcher must be an OBJECT", at));
                continue;
            }
            foreach (var key in catcher.Select(p => p.Key).Where(k => k is not ("ErrorEquals" or "Next" or "ResultPath" or "Comment")))
            {
                problems.Add(AslSupport.UnsupportedFields.ContainsKey(key)
                    ? DefinitionProblems.Unsupported(key, $"{at}/{key}")
                    : DefinitionProblems.Schema($"The field \"{key}\" is not supported by Step Functions", at));
            }
            CheckErrorEquals(catcher, at);
            if (CatchesAll(catcher) && i != catchers.Count - 1)
                problems.Add(DefinitionProblems.Schema("A catcher with States.ALL must be the last one", at + "/ErrorEquals"));
            if (!catcher.ContainsKey("Next"))
                problems.Add(DefinitionProblems.Schema("These fields are required: [Next]", at));
            CheckString(catcher, "Next", at);
            CheckPathField(catcher, "ResultPath", at, reference: true, nullable: true, contextAllowed: false);
        }
    }

    private void CheckTask(JsonObject state, string pointer)
    {
        if (!state.TryGetPropertyValue("Resource", out var resourceNode))
        {
            problems.Add(DefinitionProblems.Schema("These fields are required: [Resource]", pointer));
        }
        else if (!JsonValues.TryGetString(resourceNode, out var resource) || !resource.StartsWith("arn:", StringComparison.Ordinal))
        {
            problems.Add(DefinitionProblems.Schema("The value for the field 'Resource' must be a valid ARN", pointer + "/Resource"));
        }
        else if (resource.Contains(":activity:", StringComparison.Ordinal))
        {
            problems.Add(DefinitionProblems.Schema($"The resource '{resource}' is not supported by the local backend ({AslSupport.Activities})", pointer + "/Resource"));
        }
        else if (resource.EndsWith(".waitForTaskToken", StringComparison.Ordinal))
        {
            problems.Add(DefinitionProblems.Schema($"The resource '{resource}' is not supported by the local backend ({AslSupport.TaskToken})", pointer + "/Resource"));
        }
        else if (integrations is not null && !integrations.Supports(resource))
        {
            problems.Add(DefinitionProblems.Schema(
                $"The resource '{resource}' is not supported by the local backend; it runs [{string.Join(", ", integrations.Supported)}]", pointer + "/Resource"));
        }
        if (state.ContainsKey("TimeoutSeconds") && state.ContainsKey("TimeoutSecondsPath"))
            problems.Add(DefinitionProblems.Schema("These fields cannot be used together: [TimeoutSeconds, TimeoutSecondsPath]", pointer));
        CheckIntegerField(state, "TimeoutSeconds", pointer, 1);
        CheckPathField(state, "TimeoutSecondsPath", pointer, reference: true);
    }

    private void CheckChoice(JsonObject state, string pointer)
    {
        if (state["Choices"] is not JsonArray { Count: > 0 } choices)
        {
            problems.Add(DefinitionProblems.Schema(state.ContainsKey("Choices")
                ? "The value for the field 'Choices' must be a non-empty ARRAY" : "These fields are required: [Choices]", pointer));
        }
        else
        {
            for (var i = 0; i < choices.Count; i++)
                ChoiceRules.Check(choices[i], $"{pointer}/Choices[{i}]", topLevel: true, problems);
        }
        CheckString(state, "Default", pointer);
    }

    private void CheckWait(JsonObject state, string pointer)
    {
        string[] timeFields = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"];
        var present = timeFields.Where(state.ContainsKey).ToList();
        if (present.Count != 1)
        {
            problems.Add(DefinitionProblems.Schema(present.Count == 0
                ? "One of these fields is required: [Seconds, Timestamp, SecondsPath, TimestampPath]"
                : $"These fields cannot be used together: [{string.Join(", ", present)}]", pointer));
        }
        CheckIntegerField(state, "Seconds", pointer, 0);
        if (state.TryGetPropertyValue("Timestamp", out var timestamp) && (!JsonValues.TryGetString(timestamp, out var text) || !JsonValues.TryParseTimestamp(text, out _)))
            problems.Add(DefinitionProblems.Schema("The value for the field 'Timestamp' must be a STRING in RFC 3339 format (such as 2024-01-31T12:00:00Z)", pointer + "/Timestamp"));
        CheckPathField(state, "SecondsPath", pointer, reference: true);
        CheckPathField(state, "TimestampPath", pointer, reference: true);
    }

    private void CheckFail(JsonObject state, string pointer)
    {
        foreach (var (plain, path) in new[] { ("Error", "ErrorPath"), ("Cause", "CausePath") })
        {
            if (state.ContainsKey(plain) && state.ContainsKey(path))
                problems.Add(DefinitionProblems.Schema($"These fields cannot be used together: [{plain}, {path}]", pointer));
            CheckString(state, plain, pointer);
            if (!state.TryGetPropertyValue(path, out var value))
                continue;
            if (!JsonValues.TryGetString(value, out var text))
                problems.Add(DefinitionProblems.Schema($"The value for the field '{path}' must be a STRING", $"{pointer}/{path}"));
            else if (text.StartsWith("States.", StringComparison.Ordinal) ? IntrinsicFunctions.Check(text) is not null : DefinitionProblems.CheckReferencePath(text) is not null)
                problems.Add(DefinitionProblems.Schema($"The value for the field '{path}' must be a valid JSONPath or a valid intrinsic function call", $"{pointer}/{path}"));
        }
    }

    private void CheckParallel(JsonObject state, string pointer)
    {
        if (state["Branches"] is not JsonArray { Count: > 0 } branches)
        {
            problems.Add(DefinitionProblems.Schema(state.ContainsKey("Branches")
                ? "The value for the field 'Branches' must be a non-empty ARRAY" : "These fields are required: [Branches]", pointer));
            return;
        }
        for (var i = 0; i < branches.Count; i++)
        {
            if (branches[i] is JsonObject branch)
                CheckMachine(branch, $"{pointer}/Branches[{i}]", topLevel: false, itemProcessor: false);
            else
                problems.Add(DefinitionProblems.Schema("A branch must be an OBJECT", $"{pointer}/Branches[{i}]"));
        }
    }

    private void CheckMap(JsonObject state, string pointer)
    {
        var hasProcessor = state.ContainsKey("ItemProcessor");
        var hasIterator = state.ContainsKey("Iterator");
        if (hasProcessor && hasIterator)
            problems.Add(DefinitionProblems.Schema("These fields cannot be used together: [ItemProcessor, Iterator]", pointer));
        else if (!hasProcessor && !hasIterator)
            problems.Add(DefinitionProblems.Schema("These fields are required: [ItemProcessor]", pointer));
        var field = hasProcessor ? "ItemProcessor" : "Iterator";
        if (state[field] is JsonObject processor)
            CheckMachine(processor, $"{pointer}/{field}", topLevel: false, itemProcessor: hasProcessor);
        else if (hasProcessor || hasIterator)
            problems.Add(DefinitionProblems.Schema($"The value for the field '{field}' must be an OBJECT", $"{pointer}/{field}"));
        if (state.ContainsKey("ItemSelector") && state.ContainsKey("Parameters"))
            problems.Add(DefinitionProblems.Schema("These fields cannot be used together: [ItemSelector, Parameters]", pointer));
        if (state.ContainsKey("MaxConcurrency") && state.ContainsKey("MaxConcurrencyPath"))
            problems.Add(DefinitionProblems.Schema("These fields cannot be used together: [MaxConcurrency, MaxConcurrencyPath]", pointer + "/MaxConcurrency"));
        CheckIntegerField(state, "MaxConcurrency", pointer, 0);
        CheckPathField(state, "MaxConcurrencyPath", pointer, reference: true);
        CheckPathField(state, "ItemsPath", pointer, reference: true);
    }

    private void CheckTransitions(JsonObject states, string? startAt, string pointer, bool topLevel)
    {
        var edges = new Dictionary<string, List<string>>();
        var hasTerminal = false;
        foreach (var (name, node) in states)
        {
            var targets = new List<string>();
            edges[name] = targets;
            if (node is not JsonObject state)
                continue;
            var at = $"{pointer}/States/{name}";
            void Target(JsonNode? target, string where)
            {
                if (!JsonValues.TryGetString(target, out var targetName))
                    return;
                if (states.ContainsKey(targetName))
                    targets.Add(targetName);
                else
                    problems.Add($"{DefinitionProblems.MissingTransitionTarget}: Missing 'Next' target: {targetName} at {where}");
            }
            Target(state["Next"], at + "/Next");
            Target(state["Default"], at + "/Default");
            if (state["Choices"] is JsonArray choices)
            {
                for (var i = 0; i < choices.Count; i++)
                    Target((choices[i] as JsonObject)?["Next"], $"{at}/Choices[{i}]/Next");
            }
            if (state["Catch"] is JsonArray catchers)
            {
                for (var i = 0; i < catchers.Count; i++)
                    Target((catchers[i] as JsonObject)?["Next"], $"{at}/Catch[{i}]/Next");
            }
            var type = state["Type"]?.ToString();
            if (type is AslStateTypes.Succeed or AslStateTypes.Fail || (JsonValues.TryGetBoolean(state["End"], out var end) && end))
                hasTerminal = true;
        }

        if (startAt is null)
            return;
        if (!states.ContainsKey(startAt))
        {
            problems.Add($"{DefinitionProblems.MissingTransitionTarget}: Missing 'Next' target: {startAt} at {pointer}/StartAt");
            return;
        }
        if (!hasTerminal)
        {
            // Only the top level must be able to end: the service accepts a branch that loops for ever.
            if (topLevel)
                problems.Add($"{DefinitionProblems.MissingEndState}: Workflow has no terminal state at {pointer}/States");
            return;
        }
        var reached = new HashSet<string> { startAt };
        var queue = new Queue<string>([startAt]);
        while (queue.TryDequeue(out var current))
        {
            foreach (var target in edges[current])
            {
                if (reached.Add(target))
                    queue.Enqueue(target);
            }
        }
        foreach (var name in states.Select(p => p.Key).Where(n => !reached.Contains(n)))
            problems.Add($"{DefinitionProblems.MissingTransitionTarget}: State \"{name}\" is not reachable. at {pointer}/States/{name}");
    }
}
