using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace StreamingWorkshop.Stack;

/// <summary>
/// Draws a template's architecture as SVG: resources in columns by pipeline stage (producer, broker, consumer,
/// storage, ETL, analytics), IAM roles below, and arrows from the references between resources, pointing the way
/// the data flows. Drawn from the template itself, so the picture always matches what is deployed.
/// </summary>
public static class ArchitectureDiagram
{
    private static readonly (string Title, string[] Types)[] Stages =
    [
        ("Producer", ["AWS::Events::Rule", "AWS::Lambda::Function"]),
        ("Broker", ["AWS::Kinesis::Stream"]),
        ("Consumer", ["AWS::KinesisFirehose::DeliveryStream", "AWS::Logs::LogGroup"]),
        ("Storage", ["AWS::S3::Bucket"]),
        ("ETL", ["AWS::Glue::Job"]),
        ("Analytics", ["AWS::Glue::Database", "AWS::Redshift::Cluster"]),
    ];

    private static readonly Dictionary<string, (string Label, string Colour)> Styles = new()
    {
        ["AWS::Events::Rule"] = ("EventBridge rule", "#e7157b"),
        ["AWS::Lambda::Function"] = ("Lambda function", "#ed7100"),
        ["AWS::Kinesis::Stream"] = ("Kinesis stream", "#8c4fff"),
        ["AWS::KinesisFirehose::DeliveryStream"] = ("Firehose delivery stream", "#8c4fff"),
        ["AWS::Logs::LogGroup"] = ("CloudWatch log group", "#e7157b"),
        ["AWS::S3::Bucket"] = ("S3 bucket", "#3f8624"),
        ["AWS::Glue::Job"] = ("Glue job", "#8c4fff"),
        ["AWS::Glue::Database"] = ("Glue database", "#8c4fff"),
        ["AWS::Redshift::Cluster"] = ("Redshift cluster", "#8c4fff"),
        ["AWS::IAM::Role"] = ("IAM role", "#dd344c"),
    };

    private const int ColumnWidth = 220, BoxWidth = 184, BoxHeight = 58, Top = 70, RowGap = 84, Left = 24;

    public static string Svg(JsonObject template, string title = "Streaming workshop stack")
    {
        var resources = template["Resources"]!.AsObject();
        var positions = new Dictionary<string, (double X, double Y, int Column)>();
        var body = new StringBuilder();
        for (var column = 0; column < Stages.Length; column++)
        {
            var x = Left + column * ColumnWidth;
            body.Append($"<text x=\"{x + BoxWidth / 2}\" y=\"{Top - 18}\" class=\"stage\">{Stages[column].Title}</text>");
            var row = 0;
            var types = Stages[column].Types;
            foreach (var (id, definition) in resources.Where(r => types.Contains(r.Value?["Type"]?.GetValue<string>()))
                         .OrderBy(r => Array.IndexOf(types, r.Value!["Type"]!.GetValue<string>())))
            {
                var y = Top + row++ * RowGap;
                positions[id] = (x, y, column);
                body.Append(Box(id, definition!["Type"]!.GetValue<string>(), x, y));
            }
        }
        var roles = resources.Where(r => r.Value?["Type"]?.GetValue<string>() == "AWS::IAM::Role").Select(r => r.Key).ToList();
        var maxRows = Stages.Max(s => resources.Count(r => s.Types.Contains(r.Value?["Type"]?.GetValue<string>())));
        var rolesY = Top + maxRows * RowGap + 30;
        if (roles.Count > 0) body.Append($"<text x=\"{Left}\" y=\"{rolesY - 12}\" class=\"band\">Permissions</text>");
        for (var i = 0; i < roles.Count; i++) body.Append(Box(roles[i], "AWS::IAM::Role", Left + i * ColumnWidth, rolesY));

        var arrows = new StringBuilder();
        foreach (var (id, definition) in resources)
        {
            if (!positions.TryGetValue(id, out var from)) continue;
            foreach (var target in TemplateEvaluator.ReferencedResources(definition?["Properties"], resources).Distinct())
            {
                if (!positions.TryGetValue(target, out var to)) continue;
                if (to.Column == from.Column)
                {
                    // Within a stage the referring resource drives the one it names (a rule invokes its function).
                    arrows.Append($"<line x1=\"{from.X + BoxWidth / 2}\" y1=\"{from.Y + BoxHeight}\" x2=\"{to.X + BoxWidth / 2}\" y2=\"{to.Y - 4}\" class=\"flow\" marker-end=\"url(#arrow)\"/>");
                    continue;
                }
                // Arrows follow the data: from the earlier stage to the later one, whichever side holds the reference.
                var (a, b) = from.Column < to.Column ? (from, to) : (to, from);
                arrows.Append($"<line x1=\"{a.X + BoxWidth}\" y1=\"{a.Y + BoxHeight / 2}\" x2=\"{b.X - 4}\" y2=\"{b.Y + BoxHeight / 2}\" class=\"flow\" marker-end=\"url(#arrow)\"/>");
            }
        }

        var width = Left * 2 + Stages.Length * ColumnWidth - (ColumnWidth - BoxWidth);
        var height = rolesY + (roles.Count > 0 ? BoxHeight + 30 : 0);
        return $"""
            <svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif">
            <title>{WebUtility.HtmlEncode(title)}</title>
            <style>
              .stage {"{"} font-size: 15px; font-weight: bold; fill: #232f3e; text-anchor: middle; {"}"}
              .band {"{"} font-size: 13px; font-weight: bold; fill: #545b64; {"}"}
              .name {"{"} font-size: 12px; fill: #232f3e; {"}"}
              .kind {"{"} font-size: 11px; fill: #ffffff; {"}"}
              .flow {"{"} stroke: #545b64; stroke-width: 2; {"}"}
            </style>
            <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#545b64"/></marker></defs>
            <rect width="{width}" height="{height}" fill="#ffffff"/>
            <text x="{Left}" y="26" font-size="18" font-weight="bold" fill="#232f3e">{WebUtility.HtmlEncode(title)}</text>
            {arrows}{body}
            </svg>
            """;
    }

    private static string Box(string id, string type, double x, double y)
    {
        var (label, colour) = Styles.GetValueOrDefault(type, (type, "#545b64"));
        return $"<g><rect x=\"{x}\" y=\"{y}\" width=\"{BoxWidth}\" height=\"{BoxHeight}\" rx=\"6\" fill=\"#f8f9fa\" stroke=\"{colour}\" stroke-width=\"2\"/>" +
               $"<rect x=\"{x}\" y=\"{y}\" width=\"{BoxWidth}\" height=\"20\" rx=\"6\" fill=\"{colour}\"/>" +
               $"<text x=\"{x + 8}\" y=\"{y + 14}\" class=\"kind\">{WebUtility.HtmlEncode(label)}</text>" +
               $"<text x=\"{x + 8}\" y=\"{y + 42}\" class=\"name\">{WebUtility.HtmlEncode(id)}</text></g>";
    }
}
