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
        if (stream.Documents.Count == 0 || Convert(stream.Documents[0].RootNode) is not JsonObject root)
            throw new ValidationException("cloudformation", "Template format error: the template must be a mapping with a Resources section.");
        if (root["Resources"] is not JsonObject resources || resources.Count == 0)
            throw new ValidationException("cloudformation", "Template format error: At least one Resources member must be defined.");
        foreach (var (section, limit) in MaxSectionEntries)
            if (root[section] is JsonObject entries && entries.Count > limit)
                throw new ValidationException("cloudformation", $"Template format error: Number of {section.ToLowerInvariant()} declared in template ({entries.Count}) exceeds the maximum of {limit}.");
        return root;
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
        return name switch
        {
            "Ref" => new JsonObject { ["Ref"] = value },
            "Condition" => new JsonObject { ["Condition"] = value },
            // !GetAtt Resource.Attribute is short for [Resource, Attribute]; the attribute may itself hold dots.
            "GetAtt" when value is JsonValue text => SplitGetAtt(text.GetValue<string>()),
            _ => new JsonObject { [$"Fn::{name}"] = value },
        };
    }

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
            var name = ((YamlScalarNode)key).Value ?? "";
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
