using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace StreamingWorkshop.Stack;

/// <summary>
/// A learner's sketch of stages to add to the architecture diagram, in a few lines of text:
/// <code>
/// stage curated: S3 bucket "Curated Parquet"      # a name, a kind and a label
/// stage dashboard: QuickSight "City dashboard"
/// flow lake -> batch_job -> curated -> athena -> dashboard
/// </code>
/// Flows name declared stages or the diagram's own: a template resource by its logical id in lower case
/// (datalakebucket) or by its short name (<see cref="Aliases"/>: lake, stream, batch_job, state_machine, ...).
/// Anything after # is a comment. <see cref="Parse"/> never throws: a sketch with mistakes carries them in
/// <see cref="Problems"/>, one line each, naming the line and the value.
/// </summary>
public sealed partial class DiagramSketch
{
    /// <summary>A stage the learner declares: its name in flows, its kind (<see cref="Kinds"/>) and its label.</summary>
    public sealed record Stage(string Name, string Kind, string Label, int Line);

    /// <summary>One arrow of a flow, between two stage names as written.</summary>
    public sealed record Flow(string From, string To, int Line);

    /// <summary>What a kind looks like and which column of the diagram it joins.</summary>
    public sealed record KindStyle(string Label, string Colour, string Column);

    /// <summary>The kinds a stage can be, by the words a learner writes (case does not matter); "generic" is anything else.</summary>
    public static readonly IReadOnlyDictionary<string, KindStyle> Kinds = new Dictionary<string, KindStyle>(StringComparer.OrdinalIgnoreCase)
    {
        ["S3 bucket"] = new("S3 bucket", "#3f8624", "Storage"),
        ["Kinesis stream"] = new("Kinesis stream", "#8c4fff", "Broker"),
        ["Firehose"] = new("Firehose delivery stream", "#8c4fff", "Consumer"),
        ["Lambda"] = new("Lambda function", "#ed7100", "Producer"),
        ["EventBridge rule"] = new("EventBridge rule", "#e7157b", "Producer"),
        ["Glue job"] = new("Glue job", "#8c4fff", "ETL"),
        ["Glue crawler"] = new("Glue crawler", "#8c4fff", "ETL"),
        ["Glue database"] = new("Glue database", "#8c4fff", "Analytics"),
        ["Step Functions"] = new("Step Functions state machine", "#e7157b", "ETL"),
        ["Athena"] = new("Athena", "#8c4fff", "Analytics"),
        ["Redshift"] = new("Redshift cluster", "#8c4fff", "Analytics"),
        ["QuickSight"] = new("QuickSight", "#8c4fff", "Analytics"),
        ["SQS queue"] = new("SQS queue", "#e7157b", "Broker"),
        ["SNS topic"] = new("SNS topic", "#e7157b", "Broker"),
        ["DynamoDB table"] = new("DynamoDB table", "#c925d1", "Storage"),
        ["CloudWatch"] = new("CloudWatch", "#e7157b", "Consumer"),
        ["generic"] = new("Your stage", "#545b64", "Analytics"),
    };

    /// <summary>Short names for the template's resources, and the services the pipeline uses that the template does not make.</summary>
    public static readonly IReadOnlyDictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["producer"] = "ProducerFunction",
        ["schedule"] = "ProducerSchedule",
        ["stream"] = "WeatherStream",
        ["firehose"] = "WeatherDeliveryStream",
        ["lake"] = "DataLakeBucket",
        ["results"] = "AthenaResultsBucket",
        ["scripts"] = "ScriptsBucket",
        ["database"] = "GlueDatabase",
        ["batch_job"] = "BatchJob",
        ["streaming_job"] = "StreamingJob",
        ["warehouse"] = "WarehouseCluster",
        ["state_machine"] = "DailyPipeline",
        ["daily_rule"] = "DailySchedule",
        ["crawler"] = ImpliedCrawler,
        ["athena"] = ImpliedAthena,
    };

    // Services the pipeline uses without a resource of their own in the template: drawn only when a flow names them.
    internal const string ImpliedCrawler = "(crawler)", ImpliedAthena = "(athena)";

    internal static readonly IReadOnlyDictionary<string, (string Label, string Name, string Column)> Implied = new Dictionary<string, (string, string, string)>
    {
        [ImpliedCrawler] = ("Glue crawler", "weather-data-crawler", "ETL"),
        [ImpliedAthena] = ("Athena", "Athena queries", "Analytics"),
    };

    private DiagramSketch(string text, IReadOnlyList<Stage> stages, IReadOnlyList<Flow> flows, IReadOnlyList<string> problems, IReadOnlyDictionary<string, string> resolved)
    {
        Text = text;
        Stages = stages;
        Flows = flows;
        Problems = problems;
        Resolved = resolved;
    }

    public string Text { get; }
    public IReadOnlyList<Stage> Stages { get; }
    public IReadOnlyList<Flow> Flows { get; }

    /// <summary>What is wrong with the sketch, one line each; empty when it can be drawn.</summary>
    public IReadOnlyList<string> Problems { get; }

    public bool IsValid => Problems.Count == 0;

    /// <summary>Each name used in a flow, and what it stands for: a declared stage's own name, or a template resource's logical id.</summary>
    public IReadOnlyDictionary<string, string> Resolved { get; }

    /// <summary>Reads a sketch against the template whose diagram it extends.</summary>
    public static DiagramSketch Parse(string text, JsonObject template)
    {
        var resources = template["Resources"] as JsonObject ?? [];
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, value) in resources)
            if (value?["Type"]?.GetValue<string>() is { } type && type != "AWS::IAM::Role" && ArchitectureDiagram.IsDrawn(type))
                known[id.ToLowerInvariant()] = id;
        foreach (var (alias, target) in Aliases)
            if (resources.ContainsKey(target) || Implied.ContainsKey(target)) known[alias] = target;

        var stages = new List<Stage>();
        var flows = new List<Flow>();
        var problems = new List<string>();
        var lines = text.Replace("\r\n", "\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var number = i + 1;
            var line = StripComment(lines[i]).Trim();
            if (line.Length == 0) continue;
            if (StageLine().Match(line) is { Success: true } stage)
            {
                var name = stage.Groups["name"].Value;
                var kind = Regex.Replace(stage.Groups["kind"].Value.Trim(), @"\s+", " ");
                if (!Kinds.ContainsKey(kind))
                    problems.Add($"line {number}: '{kind}' is not a kind of stage; the kinds are {string.Join(", ", Kinds.Keys)}.");
                else if (known.ContainsKey(name) || stages.Any(s => s.Name == name))
                    problems.Add($"line {number}: '{name}' is already a stage; give the new stage another name.");
                else
                    stages.Add(new Stage(name, Kinds.Keys.First(k => string.Equals(k, kind, StringComparison.OrdinalIgnoreCase)), stage.Groups["label"].Value, number));
                continue;
            }
            if (line.StartsWith("stage", StringComparison.Ordinal))
            {
                problems.Add($"line {number}: a stage is 'stage NAME: KIND \"LABEL\"' with the label in double quotes (not '{line}').");
                continue;
            }
            if (line.StartsWith("flow ", StringComparison.Ordinal))
            {
                var names = line["flow ".Length..].Split("->").Select(n => n.Trim()).ToList();
                if (names.Count < 2 || names.Any(n => !NamePattern().IsMatch(n)))
                {
                    problems.Add($"line {number}: a flow is 'flow a -> b -> c' with stage names of letters, digits and _ (not '{line}').");
                    continue;
                }
                for (var k = 0; k + 1 < names.Count; k++) flows.Add(new Flow(names[k], names[k + 1], number));
                continue;
            }
            problems.Add($"line {number}: '{line}' is neither 'stage NAME: KIND \"LABEL\"' nor 'flow A -> B'.");
        }

        var all = known.Keys.Concat(stages.Select(s => s.Name)).ToHashSet();
        var listed = string.Join(", ", known.Keys.Where(k => Aliases.ContainsKey(k)).Concat(stages.Select(s => s.Name)));
        foreach (var (line, name) in flows.SelectMany(f => new[] { (f.Line, f.From), (f.Line, f.To) }).Distinct())
            if (!all.Contains(name))
                problems.Add($"line {line}: '{name}' is not a stage; the stages are {listed} (or a resource's logical id in lower case), or declare it with 'stage {name}: <kind> \"label\"'.");
        var resolved = all.ToDictionary(n => n, n => known.TryGetValue(n, out var id) ? id : n);
        // Problems in the order of the lines they name.
        var ordered = problems.OrderBy(p => int.Parse(p["line ".Length..p.IndexOf(':')], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        return new DiagramSketch(text, stages, flows, ordered, resolved);
    }

    private static string StripComment(string line)
    {
        // A # inside a quoted label is part of the label.
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '"') quoted = !quoted;
            else if (line[i] == '#' && !quoted) return line[..i];
        }
        return line;
    }

    /// <summary>The format, for the view's help and the docs.</summary>
    public const string Help = """
        Describe the stages you add, one line each, then how data flows between them:
          stage NAME: KIND "LABEL"       for example: stage curated: S3 bucket "Curated Parquet"
          flow A -> B -> C               for example: flow lake -> batch_job -> curated -> athena
          # anything after # is a comment
        KIND is one of: S3 bucket, Kinesis stream, Firehose, Lambda, EventBridge rule, Glue job, Glue crawler,
          Glue database, Step Functions, Athena, Redshift, QuickSight, SQS queue, SNS topic, DynamoDB table,
          CloudWatch, generic.
        Flows may name the diagram's stages: producer, schedule, stream, firehose, lake, results, scripts, database,
          batch_job, streaming_job, warehouse, state_machine, daily_rule, crawler, athena, or any resource's
          logical id in lower case (datalakebucket).
        """;

    [GeneratedRegex("^stage\\s+(?<name>[A-Za-z_][A-Za-z0-9_]*)\\s*:\\s*(?<kind>[^\"]+?)\\s+\"(?<label>[^\"]+)\"$")]
    private static partial Regex StageLine();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex NamePattern();
}
