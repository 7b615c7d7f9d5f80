using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Stack;

/// <summary>
/// Reads a CloudFormation template (YAML, or JSON which is YAML too) into JSON nodes, turning the short-form tags
/// (!Ref, !Sub, !GetAtt, !Join, !Select, !If, !Equals, !Not, !And, !Or, !Split, !FindInMap, !Base64, !Condition)
/// into their long forms, as CloudFormation does before it reads the template.
/// </summary>
public static class TemplateReader
{
    /// <summary>CloudFormation's largest template body, read from S3 (the kit reads a file, as CloudFormation reads S3).</summary>
    public const int MaxTemplateBytes = 1_048_576;

    /// <summary>How deep mappings and lists may nest; far beyond any real template, and well within the stack the reader and evaluator use.</summary>
    public const int MaxNestingDepth = 64;

    /// <summary>CloudFormation's quotas on a template's sections.</summary>
    public static readonly IReadOnlyDictionary<string, int> MaxSectionEntries = new Dictionary<string, int>
    {
        ["Parameters"] = 200,
        ["Resources"] = 500,
        ["Outputs"] = 200,
        ["Mappings"] = 200,
    };

    public static JsonObject Parse(string text)
    {
        var size = System.Text.Encoding.UTF8.GetByteCount(text);
        if (size > MaxTemplateBytes)
            throw new ValidationException("cloudformation", $"Template format error: the template is {size:N0} bytes; a template may be at most {MaxTemplateBytes:N0} bytes (1 MB). Split it into nested stacks.");
        var stream = new YamlStream();
        try
        {
            CheckShape(text);
            stream.Load(new StringReader(text));
        }
        catch (YamlException error)
        {
            throw new ValidationException("cloudformation", $"Template format error: YAML not well-formed. (line {error.Start.Line}, column {error.Start.Column}): {error.Message}");
        }
        catch (Exception error) when (error is InvalidOperationException or ArgumentException)
        {
            // The YAML library reports some malformed documents this way: a merge key without its anchor, a tag that is not a valid URI.
            throw new ValidationException("cloudformation", $"Template format error: YAML not well-formed: {error.Message} Correct the YAML.");
        }
        if (stream.Documents.Count == 0 || Convert(stream.Documents[0].RootNode) is not JsonObject root)
            throw new ValidationException("cloudformation", "Template format error: the template must be a mapping with a Resources section.");
        if (root["Resources"] is not JsonObject resources || resources.Count == 0)
            throw new ValidationException("cloudformation", "Template format error: At least one Resources member must be defined.");
        foreach (var (section, limit) in MaxSectionEntries)
            if (root[section] is JsonObject entries && entries.Count > limit)
                throw new ValidationException("cloudformation", $"Template format error: Number of {section.ToLowerInvariant()} declared in template ({entries.Count}) exceeds the maximum of {limit}.");
        CheckSections(root, resources);
        CheckFunctions(root);
        return root;
    }

    /// <summary>The top-level sections CloudFormation knows.</summary>
    public static readonly IReadOnlySet<string> Sections = new HashSet<string>(StringComparer.Ordinal)
    {
        "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings", "Conditions", "Transform", "Resources", "Outputs",
    };

    /// <summary>CloudFormation's longest template Description, in bytes.</summary>
    public const int MaxDescriptionBytes = 1024;

    /// <summary>The template's sections, resources and outputs have the shape CloudFormation requires.</summary>
    private static void CheckSections(JsonObject root, JsonObject resources)
    {
        foreach (var (section, _) in root)
            if (!Sections.Contains(section))
                throw new ValidationException("cloudformation", $"Template format error: Invalid template property or properties [{section}]. The sections are: {string.Join(", ", Sections)}.");
        if (root.ContainsKey("AWSTemplateFormatVersion") && !(root["AWSTemplateFormatVersion"] is JsonValue version && version.TryGetValue<string>(out var text) && text == "2010-09-09"))
            throw new ValidationException("cloudformation", $"Template format error: Unsupported template format version {root["AWSTemplateFormatVersion"]?.ToJsonString()}; the only version is '2010-09-09'.");
        if (root.ContainsKey("Description"))
        {
            if (root["Description"] is not JsonValue description || !description.TryGetValue<string>(out var words))
                throw new ValidationException("cloudformation", "Template format error: Every Description member must be a string.");
            var bytes = System.Text.Encoding.UTF8.GetByteCount(words);
            if (bytes > MaxDescriptionBytes)
                throw new ValidationException("cloudformation", $"Template format error: the Description is {bytes:N0} bytes; it may be at most {MaxDescriptionBytes:N0} bytes. Shorten it.");
        }
        foreach (var (logicalId, definition) in resources)
        {
            if (definition is not JsonObject resource)
                throw new ValidationException("cloudformation", $"Template format error: [/Resources/{logicalId}] Every Resources object must be a mapping with a Type.");
            if (resource["Type"] is not JsonValue type || !type.TryGetValue<string>(out _))
                throw new ValidationException("cloudformation", $"Template format error: [/Resources/{logicalId}/Type] Every Resources object must contain a Type member that is a string, such as AWS::S3::Bucket.");
        }
        if (root.ContainsKey("Outputs"))
        {
            if (root["Outputs"] is not JsonObject outputs)
                throw new ValidationException("cloudformation", "Template format error: the Outputs section must be a mapping of output names to outputs.");
            foreach (var (name, output) in outputs)
                if (output is not JsonObject entry || !entry.ContainsKey("Value") || entry["Value"] is null)
                    throw new ValidationException("cloudformation", $"Template format error: Every Outputs member must contain a Value object; output {name} has none.");
        }
    }

    /// <summary>Refuses function calls whose shape is wrong however they evaluate, as CloudFormation does before it creates anything.</summary>
    private static void CheckFunctions(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array:
                foreach (var item in array) CheckFunctions(item);
                break;
            case JsonObject obj:
                var function = obj.Select(p => p.Key).FirstOrDefault(k => k == "Ref" || k.StartsWith("Fn::", StringComparison.Ordinal));
                if (function is not null && obj.Count > 1)
                    throw new ValidationException("cloudformation", $"Template format error: a function call must be a mapping with exactly one key, but {function} stands beside {string.Join(", ", obj.Select(p => p.Key).Where(k => k != function))}.");
                if (function is not null) CheckArguments(function, obj[function]);
                foreach (var (_, child) in obj) CheckFunctions(child);
                break;
        }
    }

    private static void CheckArguments(string function, JsonNode? argument)
    {
        switch (function)
        {
            case "Fn::Equals" when argument is not JsonArray { Count: 2 }:
                throw new ValidationException("cloudformation", "Template error: every Fn::Equals object requires a list of 2 string parameters.");
            case "Fn::GetAtt" when !(argument is JsonArray { Count: 2 } || argument is JsonValue name && name.TryGetValue<string>(out var text) && text.Contains('.')):
                throw new ValidationException("cloudformation", "Template error: every Fn::GetAtt object requires two non-empty parameters: [LogicalId, Attribute] or LogicalId.Attribute.");
            case "Fn::Select" when argument is JsonArray { Count: 2 } select && select[0] is JsonValue at && select[1] is JsonArray options:
                var indexText = at.ToJsonString().Trim('"');
                if (!System.Numerics.BigInteger.TryParse(indexText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
                    throw new ValidationException("cloudformation", $"Template error: Fn::Select requires a whole number index, not '{indexText}'.");
                if (index < 0 || index >= options.Count)
                    throw new ValidationException("cloudformation", $"Template error: Fn::Select cannot select nonexistent value at index {indexText}; the list has {options.Count}.");
                break;
        }
    }

    /// <summary>
    /// Walks the YAML events before anything is built: aliases are refused (CloudFormation refuses them too, and
    /// an alias of an alias of a list grows exponentially when expanded), and nesting is bounded so that reading
    /// and evaluating stay within the stack.
    /// </summary>
    private static void CheckShape(string text)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case YamlDotNet.Core.Events.AnchorAlias alias:
                    throw new ValidationException("cloudformation", $"Template format error: YAML aliases are not allowed in CloudFormation templates (alias *{alias.Value} at line {alias.Start.Line}). Write the value out where it is needed.");
                case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart:
                    if (++depth > MaxNestingDepth)
                        throw new ValidationException("cloudformation", $"Template format error: the template nests deeper than {MaxNestingDepth} levels (line {parser.Current.Start.Line}). Flatten the nested functions or lists.");
                    break;
                case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                    depth--;
                    break;
            }
        }
    }

    /// <summary>The workshop's own template, shipped inside the library.</summary>
    public static string WorkshopTemplate()
    {
        using var stream = typeof(TemplateReader).Assembly.GetManifestResourceStream("StreamingWorkshop.templates.workshop-stack.yaml")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static JsonNode? Convert(YamlNode node)
    {
        var tag = node.Tag.IsEmpty ? null : node.Tag.Value;
        JsonNode? value = node switch
        {
            YamlMappingNode map => Mapping(map),
            YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(Convert).ToArray()),
            YamlScalarNode scalar => Scalar(scalar, tag is null),
            _ => null,
        };
        if (tag is null || !tag.StartsWith('!')) return value;
        var name = tag[1..];
        if (!ShortForms.Contains(name))
            throw new ValidationException("cloudformation", $"Template format error: unknown tag !{name} at line {node.Start.Line}. The tags are: {string.Join(", ", ShortForms.Select(f => "!" + f))}.");
        return name switch
        {
            "Ref" => new JsonObject { ["Ref"] = value },
            "Condition" => new JsonObject { ["Condition"] = value },
            // !GetAtt Resource.Attribute is short for [Resource, Attribute]; the attribute may itself hold dots.
            "GetAtt" when value is JsonValue text => SplitGetAtt(text.GetValue<string>()),
            _ => new JsonObject { [$"Fn::{name}"] = value },
        };
    }

    private static readonly IReadOnlyList<string> ShortForms =
        ["Ref", "Condition", "GetAtt", "Sub", "Join", "Select", "Split", "If", "Equals", "Not", "And", "Or", "FindInMap", "Base64", "GetAZs", "ImportValue", "Cidr", "Transform", "Length", "ToJsonString"];

    private static JsonObject SplitGetAtt(string text)
    {
        var dot = text.IndexOf('.');
        if (dot < 0) throw new ValidationException("cloudformation", $"Template error: !GetAtt '{text}' must be Resource.Attribute.");
        return new JsonObject { ["Fn::GetAtt"] = new JsonArray(text[..dot], text[(dot + 1)..]) };
    }

    private static JsonObject Mapping(YamlMappingNode map)
    {
        var result = new JsonObject();
        foreach (var (key, child) in map.Children)
        {
            var name = key is YamlScalarNode scalarKey ? scalarKey.Value ?? ""
                : throw new ValidationException("cloudformation", $"Template format error: a key at line {key.Start.Line} is a list or mapping; keys must be plain names.");
            if (result.ContainsKey(name))
                throw new ValidationException("cloudformation", $"Template format error: duplicate key '{name}' at line {key.Start.Line}.");
            result[name] = Convert(child);
        }
        return result;
    }

    private static JsonNode? Scalar(YamlScalarNode scalar, bool untagged)
    {
        var text = scalar.Value ?? "";
        if (!untagged || scalar.Style != ScalarStyle.Plain) return JsonValue.Create(text);
        if (text is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (text is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (text is "" or "~" or "null") return null;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole)) return JsonValue.Create(whole);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && text.Contains('.')) return JsonValue.Create(number);
        return JsonValue.Create(text);
    }
}
