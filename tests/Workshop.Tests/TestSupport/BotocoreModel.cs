using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Workshop.Tests.TestSupport;

/// <summary>
/// An AWS service's official API model as Debian's python3-botocore ships it (service-2.json): checks a request
/// the kit built against the operation's input shape, and makes response samples shaped by its output shape.
/// </summary>
public sealed class BotocoreModel
{
    private readonly JsonObject shapes;

    private BotocoreModel(JsonObject model)
    {
        Metadata = model["metadata"]!.AsObject();
        Operations = model["operations"]!.AsObject();
        shapes = model["shapes"]!.AsObject();
    }

    public JsonObject Metadata { get; }
    public JsonObject Operations { get; }

    public static BotocoreModel Load(string service)
    {
        var folder = Path.Combine(DataFolder.Value, service);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"botocore has no model for '{service}' under {DataFolder.Value}.");
        var latest = Directory.GetDirectories(folder).Order(StringComparer.Ordinal).Last();
        return new BotocoreModel(JsonNode.Parse(File.ReadAllText(Path.Combine(latest, "service-2.json")))!.AsObject());
    }

    private static readonly Lazy<string> DataFolder = new(() =>
    {
        var start = new ProcessStartInfo("/usr/bin/python3", ["-c", "import botocore, os; print(os.path.join(os.path.dirname(botocore.__file__), 'data'))"])
            { RedirectStandardOutput = true, RedirectStandardError = true };
        using var python = Process.Start(start)!;
        var folder = python.StandardOutput.ReadToEnd().Trim();
        python.WaitForExit();
        if (python.ExitCode != 0 || !Directory.Exists(folder))
            throw new InvalidOperationException($"python3-botocore is not installed ({python.StandardError.ReadToEnd().Trim()}); 'apt-get install python3-botocore' (./test.sh does).");
        return folder;
    });

    public JsonObject Shape(string name) => shapes[name]?.AsObject() ?? throw new KeyNotFoundException($"The model has no shape {name}.");

    private JsonObject Operation(string name) =>
        Operations[name]?.AsObject() ?? throw new Xunit.Sdk.XunitException($"{Metadata["serviceId"]} has no operation {name}.");

    public string? InputShape(string operation) => (string?)Operation(operation)["input"]?["shape"];
    public string? OutputShape(string operation) => (string?)Operation(operation)["output"]?["shape"];
    public JsonObject Http(string operation) => Operation(operation)["http"]!.AsObject();

    /// <summary>Problems with a JSON request body for <paramref name="operation"/>: unknown members, missing required ones, wrong types.</summary>
    public IReadOnlyList<string> CheckJson(string operation, JsonNode? body)
    {
        var problems = new List<string>();
        if (InputShape(operation) is { } input) CheckValue(Shape(input), input, body, operation, problems);
        else if (body is JsonObject { Count: > 0 }) problems.Add($"{operation} takes no input, but the request has {body.ToJsonString()}");
        return problems;
    }

    private void CheckValue(JsonObject shape, string shapeName, JsonNode? value, string path, List<string> problems)
    {
        var type = (string)shape["type"]!;
        switch (type)
        {
            case "structure":
                if (value is not JsonObject members) { problems.Add($"{path}: {shapeName} is a structure, got {value?.ToJsonString()}"); return; }
                foreach (var required in shape["required"]?.AsArray().Select(r => (string)r!) ?? [])
                    if (!members.ContainsKey(required)) problems.Add($"{path}: required member {required} of {shapeName} is missing");
                foreach (var (name, member) in members)
                {
                    var definition = shape["members"]?[name];
                    if (definition is null) { problems.Add($"{path}: {shapeName} has no member '{name}'"); continue; }
                    var target = (string)definition["shape"]!;
                    CheckValue(Shape(target), target, member, $"{path}.{name}", problems);
                }
                return;
            case "list":
                if (value is not JsonArray items) { problems.Add($"{path}: {shapeName} is a list, got {value?.ToJsonString()}"); return; }
                var itemShape = (string)shape["member"]!["shape"]!;
                for (var i = 0; i < items.Count; i++) CheckValue(Shape(itemShape), itemShape, items[i], $"{path}[{i}]", problems);
                return;
            case "map":
                if (value is not JsonObject entries) { problems.Add($"{path}: {shapeName} is a map, got {value?.ToJsonString()}"); return; }
                var valueShape = (string)shape["value"]!["shape"]!;
                foreach (var (key, entry) in entries) CheckValue(Shape(valueShape), valueShape, entry, $"{path}[{key}]", problems);
                return;
            default:
                if (CheckScalar(shape, type, value, jsonProtocol: true) is { } problem) problems.Add($"{path}: {shapeName} {problem}");
                return;
        }
    }

    private static string? CheckScalar(JsonObject shape, string type, JsonNode? value, bool jsonProtocol)
    {
        if (value is not JsonValue scalar) return $"is a {type}, got {value?.ToJsonString()}";
        var isString = scalar.TryGetValue<string>(out var text);
        var raw = scalar.ToJsonString();
        var isNumber = !isString && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        var isWhole = !isString && long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out _);
        switch (type)
        {
            case "string":
                if (!isString) return $"is a string, got {scalar.ToJsonString()}";
                if (shape["enum"] is JsonArray allowed && !allowed.Any(a => (string)a! == text)) return $"must be one of {allowed.ToJsonString()}, got '{text}'";
                if (shape["min"] is { } min && text!.Length < (int)min) return $"is at least {min} characters, got '{text}'";
                if (shape["max"] is { } max && text!.Length > (int)max) return $"is at most {max} characters, got {text!.Length}";
                return null;
            case "integer" or "long":
                return isWhole ? null : $"is a whole number, got {raw}";
            case "double" or "float":
                return isNumber ? null : $"is a number, got {scalar.ToJsonString()}";
            case "boolean":
                return scalar.TryGetValue<bool>(out _) ? null : $"is a boolean, got {scalar.ToJsonString()}";
            case "timestamp":
                return jsonProtocol && isNumber ? null : $"is a timestamp (epoch seconds in JSON), got {scalar.ToJsonString()}";
            case "blob":
                if (!isString) return $"is base64 text, got {scalar.ToJsonString()}";
                try { Convert.FromBase64String(text!); return null; } catch (FormatException) { return $"is base64 text, got '{text}'"; }
            default:
                return $"has a type the check does not know: {type}";
        }
    }

    /// <summary>Problems with a query-protocol request (Action, Version and flattened parameters such as Parameters.member.1.ParameterKey).</summary>
    public IReadOnlyList<string> CheckQuery(IReadOnlyDictionary<string, string> form)
    {
        var problems = new List<string>();
        if (!form.TryGetValue("Action", out var action)) return ["the request has no Action"];
        if (Operations[action] is null) return [$"{Metadata["serviceId"]} has no operation {action}"];
        if (form.GetValueOrDefault("Version") != (string?)Metadata["apiVersion"]) problems.Add($"Version is '{form.GetValueOrDefault("Version")}', the API's is {Metadata["apiVersion"]}");
        var parameters = form.Where(p => p.Key is not ("Action" or "Version")).ToDictionary();
        if (InputShape(action) is { } input) CheckQueryStructure(input, parameters, action, problems);
        else if (parameters.Count > 0) problems.Add($"{action} takes no input, but the request has {string.Join(", ", parameters.Keys)}");
        return problems;
    }

    private void CheckQueryStructure(string shapeName, IReadOnlyDictionary<string, string> parameters, string path, List<string> problems)
    {
        var shape = Shape(shapeName);
        var byMember = parameters.GroupBy(p => p.Key.Split('.')[0]).ToDictionary(g => g.Key, g => g.ToDictionary(p => p.Key.Contains('.') ? p.Key[(p.Key.IndexOf('.') + 1)..] : "", p => p.Value));
        foreach (var required in shape["required"]?.AsArray().Select(r => (string)r!) ?? [])
            if (!byMember.ContainsKey(required)) problems.Add($"{path}: required member {required} of {shapeName} is missing");
        foreach (var (name, rest) in byMember)
        {
            var definition = shape["members"]?[name];
            if (definition is null) { problems.Add($"{path}: {shapeName} has no member '{name}'"); continue; }
            var target = (string)definition["shape"]!;
            var targetShape = Shape(target);
            switch ((string)targetShape["type"]!)
            {
                case "list":
                    var item = (string)targetShape["member"]!["shape"]!;
                    foreach (var group in rest.GroupBy(p => string.Join('.', p.Key.Split('.').Take(2))))
                    {
                        var parts = group.Key.Split('.');
                        if (parts.Length < 2 || parts[0] != "member" || !int.TryParse(parts[1], out _)) { problems.Add($"{path}.{name}: list entries are written {name}.member.N, got {name}.{group.Key}"); continue; }
                        var fields = group.ToDictionary(p => p.Key.Split('.').Length > 2 ? string.Join('.', p.Key.Split('.').Skip(2)) : "", p => p.Value);
                        if ((string)Shape(item)["type"]! == "structure") CheckQueryStructure(item, fields, $"{path}.{name}[{parts[1]}]", problems);
                        else if (CheckScalar(Shape(item), (string)Shape(item)["type"]!, JsonValue.Create(fields[""]), jsonProtocol: false) is { } problem) problems.Add($"{path}.{name}[{parts[1]}]: {problem}");
                    }
                    break;
                case "structure":
                    CheckQueryStructure(target, rest, $"{path}.{name}", problems);
                    break;
                default:
                    if (!rest.TryGetValue("", out var text)) { problems.Add($"{path}.{name} is a {targetShape["type"]}, written with sub-keys"); break; }
                    if ((string)targetShape["type"]! is "string" && CheckScalar(targetShape, "string", JsonValue.Create(text), false) is { } bad) problems.Add($"{path}.{name}: {bad}");
                    if ((string)targetShape["type"]! is "integer" or "long" && !long.TryParse(text, CultureInfo.InvariantCulture, out _)) problems.Add($"{path}.{name}: is a whole number, got '{text}'");
                    if ((string)targetShape["type"]! is "boolean" && text is not ("true" or "false")) problems.Add($"{path}.{name}: is true or false, got '{text}'");
                    break;
            }
        }
    }

    /// <summary>A JSON response for <paramref name="operation"/> with every member of its output shape filled in, then <paramref name="overrides"/> laid over it.</summary>
    public JsonObject JsonSample(string operation, JsonObject? overrides = null)
    {
        var output = OutputShape(operation);
        var sample = output is null ? new JsonObject() : (JsonObject)SampleValue(output, 0)!;
        if (overrides is not null) Merge(sample, overrides);
        return sample;
    }

    private JsonNode? SampleValue(string shapeName, int depth)
    {
        var shape = Shape(shapeName);
        switch ((string)shape["type"]!)
        {
            case "structure":
                var result = new JsonObject();
                if (depth > 5) return result;
                foreach (var (name, member) in shape["members"]!.AsObject())
                    if (member!["location"] is null && SampleValue((string)member["shape"]!, depth + 1) is { } value) result[name] = value;
                return result;
            case "list":
                return depth > 5 ? new JsonArray() : new JsonArray(SampleValue((string)shape["member"]!["shape"]!, depth + 1));
            case "map":
                return depth > 5 ? new JsonObject() : new JsonObject { ["sample-key"] = SampleValue((string)shape["value"]!["shape"]!, depth + 1) };
            case "string":
                if (shape["enum"] is JsonArray values) return values[0]!.DeepClone();
                var text = $"sample-{shapeName}";
                if (shape["min"] is { } min && text.Length < (int)min) text = text.PadRight((int)min, 'x');
                if (shape["max"] is { } max && text.Length > (int)max) text = text[..(int)max];
                return text;
            case "integer" or "long":
                return 7;
            case "double" or "float":
                return 1.5;
            case "boolean":
                return false;
            case "timestamp":
                return 1764064800.25;
            case "blob":
                return Convert.ToBase64String("sample"u8);
            default:
                return null;
        }
    }

    /// <summary>A query-protocol XML response shaped by the output shape, with members replaced from <paramref name="overrides"/> (JSON, lists as arrays).</summary>
    public string XmlSample(string operation, JsonObject? overrides = null)
    {
        var sample = JsonSample(operation, overrides);
        var output = OutputShape(operation);
        var result = new XElement($"{operation}Result");
        if (output is not null) WriteXml(result, output, sample);
        return new XDocument(new XElement($"{operation}Response", result, new XElement("ResponseMetadata", new XElement("RequestId", "sample-request")))).ToString();
    }

    private void WriteXml(XElement parent, string shapeName, JsonNode? value)
    {
        var shape = Shape(shapeName);
        switch ((string)shape["type"]!)
        {
            case "structure":
                foreach (var (name, member) in value!.AsObject())
                {
                    var element = new XElement(name);
                    WriteXml(element, (string)shape["members"]![name]!["shape"]!, member);
                    parent.Add(element);
                }
                break;
            case "list":
                foreach (var item in value!.AsArray())
                {
                    var element = new XElement("member");
                    WriteXml(element, (string)shape["member"]!["shape"]!, item);
                    parent.Add(element);
                }
                break;
            case "timestamp":
                parent.Value = value is JsonValue v && v.TryGetValue<double>(out var seconds)
                    ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)
                    : (string)value!;
                break;
            case "boolean":
                parent.Value = value!.GetValue<bool>() ? "true" : "false";
                break;
            default:
                parent.Value = value is JsonValue scalar && scalar.TryGetValue<string>(out var text) ? text : value!.ToJsonString();
                break;
        }
    }

    /// <summary>Problems with a sample (after overrides) against the output shape, so a hand-set value cannot stray from the model.</summary>
    public IReadOnlyList<string> CheckJsonOutput(string operation, JsonObject sample)
    {
        var problems = new List<string>();
        if (OutputShape(operation) is { } output) CheckValue(Shape(output), output, sample, $"{operation} output", problems);
        return problems;
    }

    private static void Merge(JsonObject target, JsonObject overrides)
    {
        foreach (var (name, value) in overrides)
            if (value is null) target.Remove(name);
            else if (value is JsonObject nested && target[name] is JsonObject existing) Merge(existing, nested);
            else target[name] = value?.DeepClone();
    }
}
