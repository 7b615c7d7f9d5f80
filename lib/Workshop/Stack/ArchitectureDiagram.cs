using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace StreamingWorkshop.Stack;

/// <summary>
/// Draws a template's architecture as SVG: resources in columns by pipeline stage (producer, broker, consumer,
/// storage, ETL, analytics), IAM roles below, and arrows from the references between resources, pointing the way
/// the data flows. What orchestrates the pipeline (a state machine, and the rule that starts it) sits in a band
/// across the top, with dashed arrows to what it drives. Drawn from the template itself, so the picture always
/// matches what is deployed. <see cref="SvgWith"/> adds a learner's <see cref="DiagramSketch"/> in its own colour.
/// </summary>
public static class ArchitectureDiagram
{
    private static readonly (string Title, string[] Types)[] Stages =
    [
        ("Producer", ["AWS::Events::Rule", "AWS::Lambda::Function"]),
        ("Broker", ["AWS::Kinesis::Stream"]),
        ("Consumer", ["AWS::KinesisFirehose::DeliveryStream", "AWS::Logs::LogGroup"]),
        ("Storage", ["AWS::S3::Bucket"]),
        ("ETL", ["AWS::StepFunctions::StateMachine", "AWS::Glue::Crawler", "AWS::Glue::Job"]),
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
        ["AWS::StepFunctions::StateMachine"] = ("Step Functions state machine", "#e7157b"),
        ["AWS::Glue::Crawler"] = ("Glue crawler", "#8c4fff"),
        ["AWS::Glue::Job"] = ("Glue job", "#8c4fff"),
        ["AWS::Glue::Database"] = ("Glue database", "#8c4fff"),
        ["AWS::Redshift::Cluster"] = ("Redshift cluster", "#8c4fff"),
        ["AWS::IAM::Role"] = ("IAM role", "#dd344c"),
    };

    /// <summary>The colour of a learner's stages and flows.</summary>
    public const string SketchColour = "#0972d3";

    private const int ColumnWidth = 210, BoxWidth = 180, BoxHeight = 58, Top = 70, RowGap = 84, Left = 24, BandHeight = BoxHeight + 30;

    /// <summary>The widest the diagram is drawn: six columns fit a 1280-pixel page.</summary>
    public const int Width = Left * 2 + 6 * ColumnWidth - (ColumnWidth - BoxWidth);

    internal static bool IsDrawn(string type) => Stages.Any(s => s.Types.Contains(type));

    public static string Svg(JsonObject template, string title = "Streaming workshop stack") => Draw(template, null, title);

    /// <summary>
    /// The template's diagram with the learner's stages (in <see cref="SketchColour"/>, each in the column its kind
    /// belongs to, below the template's own) and their flows as arrows. A sketch with problems is not drawn: the
    /// template's diagram alone comes back (<see cref="ExtendedDiagramView"/> shows the problems beside it).
    /// </summary>
    public static string SvgWith(JsonObject template, DiagramSketch sketch, string title = "Streaming workshop stack, extended") =>
        Draw(template, sketch.IsValid ? sketch : null, title);

    private sealed record Item(string Id, string Kind, string Name, string Colour, bool Learner);

    private static string Draw(JsonObject template, DiagramSketch? sketch, string title)
    {
        var resources = template["Resources"]!.AsObject();
        string? TypeOf(string id) => resources[id]?["Type"]?.GetValue<string>();
        var stateMachines = resources.Where(r => TypeOf(r.Key) == "AWS::StepFunctions::StateMachine").Select(r => r.Key).ToHashSet();
        // The band holds the state machines and whatever starts them (a rule whose target is one).
        var orchestration = resources.Where(r => stateMachines.Contains(r.Key) ||
                (TypeOf(r.Key) == "AWS::Events::Rule" && TemplateEvaluator.ReferencedResources(r.Value?["Properties"], resources).Any(stateMachines.Contains)))
            .Select(r => r.Key).ToHashSet();

        var columns = Stages.Select(_ => (Band: new List<Item>(), Rows: new List<Item>())).ToArray();
        for (var column = 0; column < Stages.Length; column++)
        {
            var types = Stages[column].Types;
            foreach (var (id, definition) in resources.Where(r => types.Contains(TypeOf(r.Key))).OrderBy(r => Array.IndexOf(types, TypeOf(r.Key))))
            {
                var (label, colour) = Styles.GetValueOrDefault(TypeOf(id)!, (TypeOf(id)!, "#545b64"));
                (orchestration.Contains(id) ? columns[column].Band : columns[column].Rows).Add(new Item(id, label, id, colour, false));
            }
        }
        if (sketch is not null)
        {
            var used = sketch.Flows.SelectMany(f => new[] { f.From, f.To }).Select(n => sketch.Resolved[n]).ToHashSet();
            foreach (var (id, (label, name, column)) in DiagramSketch.Implied.Where(i => used.Contains(i.Key)))
                columns[ColumnOf(column)].Rows.Add(new Item(id, label, name, "#8c4fff", false));
            foreach (var stage in sketch.Stages)
            {
                var style = DiagramSketch.Kinds[stage.Kind];
                columns[ColumnOf(style.Column)].Rows.Add(new Item(stage.Name, style.Label, stage.Label, SketchColour, true));
            }
        }

        var hasBand = columns.Any(c => c.Band.Count > 0);
        var rowsTop = Top + (hasBand ? BandHeight : 0);
        var positions = new Dictionary<string, (double X, double Y, int Column)>();
        var body = new StringBuilder();
        var background = new StringBuilder();
        var bandRows = columns.Max(c => c.Band.Count);
        if (hasBand)
        {
            background.Append($"<rect x=\"{Left - 10}\" y=\"{Top - 10}\" width=\"{Width - Left * 2 + 20}\" height=\"{bandRows * RowGap - RowGap + BoxHeight + 20}\" rx=\"8\" fill=\"#fdf0f6\" stroke=\"#f5c2da\"/>");
            body.Append($"<text x=\"{Left + ColumnWidth + 8}\" y=\"{Top + 6}\" class=\"band\">Orchestration</text>");
            rowsTop = Top + bandRows * RowGap + 14;
        }
        for (var column = 0; column < Stages.Length; column++)
        {
            var x = Left + column * ColumnWidth;
            body.Append($"<text x=\"{x + BoxWidth / 2}\" y=\"{Top - 18}\" class=\"stage\">{Stages[column].Title}</text>");
            var (band, rows) = columns[column];
            for (var row = 0; row < band.Count; row++)
            {
                positions[band[row].Id] = (x, Top + row * RowGap, column);
                body.Append(Box(band[row], x, Top + row * RowGap));
            }
            for (var row = 0; row < rows.Count; row++)
            {
                positions[rows[row].Id] = (x, rowsTop + row * RowGap, column);
                body.Append(Box(rows[row], x, rowsTop + row * RowGap));
            }
        }
        var roles = resources.Where(r => TypeOf(r.Key) == "AWS::IAM::Role").Select(r => r.Key).ToList();
        var maxRows = columns.Max(c => c.Rows.Count);
        var rolesY = rowsTop + maxRows * RowGap + 30;
        if (roles.Count > 0) body.Append($"<text x=\"{Left}\" y=\"{rolesY - 12}\" class=\"band\">Permissions</text>");
        for (var i = 0; i < roles.Count; i++)
            body.Append(Box(new Item(roles[i], "IAM role", roles[i], "#dd344c", false), Left + i % Stages.Length * ColumnWidth, rolesY + i / Stages.Length * RowGap));
        var roleRows = (roles.Count + Stages.Length - 1) / Stages.Length;

        var arrows = new StringBuilder();
        // The heights between rows of boxes where arrows may run across the columns, the band's gap first.
        var lanes = Lanes(rowsTop, maxRows).ToList();
        var routed = new List<(string From, string To, string Class, double X1, double Y1, double X2, double Y2)>();
        var across = new List<(string From, string To)>();
        foreach (var (id, definition) in resources)
        {
            if (!positions.TryGetValue(id, out var from)) continue;
            foreach (var target in TemplateEvaluator.ReferencedResources(definition?["Properties"], resources).Distinct())
            {
                if (!positions.TryGetValue(target, out var to)) continue;
                if (stateMachines.Contains(id))
                {
                    arrows.Append(Drives(from, to, id, target, lanes[0]));
                    continue;
                }
                if (to.Column == from.Column)
                {
                    // Within a stage the referring resource drives the one it names (a rule invokes its function).
                    arrows.Append($"<line x1=\"{from.X + BoxWidth / 2}\" y1=\"{from.Y + BoxHeight}\" x2=\"{to.X + BoxWidth / 2}\" y2=\"{to.Y - 4}\" class=\"flow\" marker-end=\"url(#arrow)\" data-from=\"{id}\" data-to=\"{target}\"/>");
                    continue;
                }
                // Arrows follow the data: from the earlier stage to the later one, whichever side holds the reference.
                across.Add(from.Column < to.Column ? (id, target) : (target, id));
            }
        }
        // Several arrows leaving one box's right side, or reaching one box's left side, are spread along that side in
        // the order of the boxes at their other ends, so their heads do not pile up on one point.
        across = across.Distinct().ToList();
        var leaving = across.GroupBy(f => f.From).ToDictionary(g => g.Key, g => g.OrderBy(f => positions[f.To].Y).ThenBy(f => positions[f.To].X).Select(f => f.To).ToList());
        var reaching = across.GroupBy(f => f.To).ToDictionary(g => g.Key, g => g.OrderBy(f => positions[f.From].Y).ThenBy(f => positions[f.From].X).Select(f => f.From).ToList());
        double Along(string box, List<string> others, string other) => Math.Round(positions[box].Y + BoxHeight * (others.IndexOf(other) + 1.0) / (others.Count + 1), 1);
        foreach (var (aId, bId) in across)
        {
            var (a, b) = (positions[aId], positions[bId]);
            var flowClass = orchestration.Contains(aId) ? "flow starts" : "flow";
            var (x1, y1, x2, y2) = (a.X + BoxWidth, Along(aId, leaving[aId], bId), b.X - 4, Along(bId, reaching[bId], aId));
            if (CrossesABox(positions.Values, a, b, x1, y1, x2, y2))
            {
                routed.Add((aId, bId, flowClass, x1, y1, x2, y2));
                continue;
            }
            arrows.Append($"<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" class=\"{flowClass}\" marker-end=\"url(#arrow)\" data-from=\"{aId}\" data-to=\"{bId}\"/>");
        }
        // A straight line would pass through a box of a stage in between: these go round, down the gaps between the
        // columns and along a gap between two rows. Shorter ones pick first, and no two share a stretch of the same gap.
        var lanesTaken = new List<(double Y, double From, double To)>();
        var gapMiddle = (ColumnWidth - BoxWidth) / 2.0;
        foreach (var (route, index) in routed.OrderBy(r => r.X2 - r.X1).ThenBy(r => r.From, StringComparer.Ordinal).ThenBy(r => r.To, StringComparer.Ordinal).Select((r, i) => (r, i)))
        {
            var (out1, in2) = (route.X1 + gapMiddle - index * 3, route.X2 + 4 - gapMiddle + index * 3);
            // The gap above the first row is the band's, where its dashed arrows come down: taken only when no other is near.
            var nearest = lanes.OrderBy(y => Math.Abs(y - route.Y1) + Math.Abs(y - route.Y2) + (hasBand && y < rowsTop ? RowGap : 0) - y / 1e6).ToList();
            var lane = nearest.FirstOrDefault(y => !lanesTaken.Any(t => t.Y == y && t.From <= in2 && out1 <= t.To), nearest[0]);
            lanesTaken.Add((lane, out1, in2));
            var points = string.Join(" ", new[] { (route.X1, route.Y1), (out1, route.Y1), (out1, lane), (in2, lane), (in2, route.Y2), (route.X2, route.Y2) }.Select(p => $"{p.Item1},{p.Item2}"));
            arrows.Append($"<polyline points=\"{points}\" fill=\"none\" class=\"{route.Class}\" marker-end=\"url(#arrow)\" data-from=\"{route.From}\" data-to=\"{route.To}\"/>");
        }
        if (sketch is not null)
            foreach (var flow in sketch.Flows)
            {
                var (fromId, toId) = (sketch.Resolved[flow.From], sketch.Resolved[flow.To]);
                if (!positions.TryGetValue(fromId, out var a) || !positions.TryGetValue(toId, out var b)) continue;
                arrows.Append(SketchArrow(positions.Values, lanes, a, b, fromId, toId));
            }

        var height = rolesY + (roles.Count > 0 ? roleRows * RowGap - RowGap + BoxHeight + 30 : 0);
        return $"""
            <svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{height}" viewBox="0 0 {Width} {height}" style="max-width:100%;height:auto" font-family="Helvetica, Arial, sans-serif">
            <title>{WebUtility.HtmlEncode(title)}</title>
            <style>
              .stage {"{"} font-size: 15px; font-weight: bold; fill: #232f3e; text-anchor: middle; {"}"}
              .band {"{"} font-size: 13px; font-weight: bold; fill: #545b64; {"}"}
              .name {"{"} font-size: 12px; fill: #232f3e; {"}"}
              .kind {"{"} font-size: 11px; fill: #ffffff; {"}"}
              .flow {"{"} stroke: #545b64; stroke-width: 2; {"}"}
              .starts {"{"} stroke: #e7157b; {"}"}
              .drives {"{"} fill: none; stroke: #e7157b; stroke-width: 1.6; stroke-dasharray: 6 4; {"}"}
              .sketch {"{"} stroke: {SketchColour}; stroke-width: 2.5; {"}"}
            </style>
            <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#545b64"/></marker><marker id="drives-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M 0 0 L 10 5 L 0 10 z" fill="#e7157b"/></marker><marker id="sketch-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M 0 0 L 10 5 L 0 10 z" fill="{SketchColour}"/></marker></defs>
            <rect width="{Width}" height="{height}" fill="#ffffff"/>
            <text x="{Left}" y="26" font-size="18" font-weight="bold" fill="#232f3e">{WebUtility.HtmlEncode(title)}</text>
            {background}{arrows}{body}
            </svg>
            """;
    }

    /// <summary>
    /// A learner's flow from box <paramref name="a"/> to box <paramref name="b"/>: a straight line where that passes
    /// through no box and runs mostly across, otherwise a route that keeps to the gaps, as the template's own arrows
    /// do. It leaves a's side facing b, runs down the gap beside a's column, along the gap between two rows nearest
    /// b, down the gap beside b's column and into b's near side. Within one column it goes down the gap to the
    /// column's right, into b's right side. Its gaps are a few pixels off their middles, where the template's arrows run.
    /// </summary>
    private static string SketchArrow(IEnumerable<(double X, double Y, int Column)> boxes, List<double> lanes,
        (double X, double Y, int Column) a, (double X, double Y, int Column) b, string fromId, string toId)
    {
        var data = $"class=\"sketch\" marker-end=\"url(#sketch-arrow)\" data-from=\"{WebUtility.HtmlEncode(fromId)}\" data-to=\"{WebUtility.HtmlEncode(toId)}\"";
        var gapMiddle = (ColumnWidth - BoxWidth) / 2.0;
        const double OffMiddle = 5;
        var (y1, y2) = (a.Y + BoxHeight * 0.7, b.Y + BoxHeight * 0.7);
        string Route(params (double X, double Y)[] points) =>
            $"<polyline points=\"{string.Join(" ", points.Select(p => $"{p.X},{p.Y}"))}\" fill=\"none\" {data}/>";
        if (a.Column == b.Column)
        {
            var (top, bottom) = (Math.Min(a.Y, b.Y), Math.Max(a.Y, b.Y));
            if (!boxes.Any(box => box.Column == a.Column && box.Y > top && box.Y < bottom))
            {
                // Down (or up) the column, beside the boxes' middles so it does not hide the template's own arrows.
                var (from, to) = a.Y < b.Y ? (a.Y + BoxHeight, b.Y - 4) : (a.Y, b.Y + BoxHeight + 4);
                return $"<line x1=\"{a.X + BoxWidth * 0.7}\" y1=\"{from}\" x2=\"{b.X + BoxWidth * 0.7}\" y2=\"{to}\" {data}/>";
            }
            var beside = a.X + BoxWidth + gapMiddle + OffMiddle;
            return Route((a.X + BoxWidth, y1), (beside, y1), (beside, y2), (b.X + BoxWidth + 4, y2));
        }
        var right = a.Column < b.Column;
        var (x1, x2) = right ? (a.X + BoxWidth, b.X - 4) : (a.X, b.X + BoxWidth + 4);
        var (low, high) = right ? (a, b) : (b, a);
        var crosses = CrossesABox(boxes, low, high, right ? x1 : x2, right ? y1 : y2, right ? x2 : x1, right ? y2 : y1);
        // Between neighbouring columns a line that drops more than a row is nearly upright, hugging the boxes' corners.
        if (!crosses && (Math.Abs(a.Column - b.Column) > 1 || Math.Abs(y2 - y1) <= RowGap))
            return $"<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" {data}/>";
        var gapOut = right ? a.X + BoxWidth + gapMiddle + OffMiddle : a.X - gapMiddle - OffMiddle;
        if (Math.Abs(a.Column - b.Column) == 1) return Route((x1, y1), (gapOut, y1), (gapOut, y2), (x2, y2));
        var gapIn = right ? b.X - gapMiddle + OffMiddle : b.X + BoxWidth + gapMiddle - OffMiddle;
        var lane = lanes.MinBy(y => Math.Abs(y - y2));
        return Route((x1, y1), (gapOut, y1), (gapOut, lane), (gapIn, lane), (gapIn, y2), (x2, y2));
    }

    private static int ColumnOf(string title) => Array.FindIndex(Stages, s => s.Title == title);

    /// <summary>True when the line from (x1, y1) to (x2, y2) passes through a box in a column strictly between a's and b's.</summary>
    private static bool CrossesABox(IEnumerable<(double X, double Y, int Column)> boxes, (double X, double Y, int Column) a, (double X, double Y, int Column) b,
        double x1, double y1, double x2, double y2) =>
        boxes.Any(box =>
        {
            if (box.Column <= a.Column || box.Column >= b.Column) return false;
            // The line's heights at the box's left and right edges: it crosses the box unless both are above it or both below.
            var atLeft = y1 + (y2 - y1) * (box.X - x1) / (x2 - x1);
            var atRight = y1 + (y2 - y1) * (box.X + BoxWidth - x1) / (x2 - x1);
            return Math.Max(atLeft, atRight) >= box.Y && Math.Min(atLeft, atRight) <= box.Y + BoxHeight;
        });

    /// <summary>The heights between rows of boxes, where a routed arrow runs across the columns: above the first row and under each.</summary>
    private static IEnumerable<double> Lanes(double rowsTop, int rows) =>
        Enumerable.Range(-1, rows + 1).Select(row => rowsTop + row * RowGap + BoxHeight + (RowGap - BoxHeight) / 2.0);

    /// <summary>
    /// A state machine's dashed arrow to something it drives: straight down to its own column, else out of its
    /// bottom corner on that side to the target's top (first row), or, for a target further down, down to the gap above
    /// the first row, along it to the gap beside the target's column and down that gap to the target's near side, so
    /// that it passes through no box on the way.
    /// </summary>
    private static string Drives((double X, double Y, int Column) from, (double X, double Y, int Column) to, string id, string target, double laneAboveRows)
    {
        var ends = $"class=\"drives\" marker-end=\"url(#drives-arrow)\" data-from=\"{id}\" data-to=\"{target}\"";
        if (to.Column == from.Column)
            return $"<line x1=\"{from.X + BoxWidth / 2}\" y1=\"{from.Y + BoxHeight}\" x2=\"{to.X + BoxWidth / 2}\" y2=\"{to.Y - 4}\" {ends}/>";
        var right = to.Column > from.Column;
        var (x1, y1) = (from.X + (right ? BoxWidth - 12 : 12), from.Y + BoxHeight);
        if (to.Y - from.Y <= RowGap + BandHeight)
            return $"<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{to.X + (right ? 30 : BoxWidth - 30)}\" y2=\"{to.Y - 4}\" {ends}/>";
        // Beside the gap's middle, where routed flows run down, so the two stay apart.
        var gap = right ? to.X - 10 : to.X + BoxWidth + 10;
        var (x2, y2) = (right ? to.X - 4 : to.X + BoxWidth + 4, to.Y + BoxHeight / 2);
        return $"<polyline points=\"{x1},{y1} {x1},{laneAboveRows} {gap},{laneAboveRows} {gap},{y2} {x2},{y2}\" {ends}/>";
    }

    private static string Box(Item item, double x, double y)
    {
        var dash = item.Learner ? " stroke-dasharray=\"6 3\"" : "";
        return $"<g data-box=\"{WebUtility.HtmlEncode(item.Id)}\"{(item.Learner ? " data-learner=\"true\"" : "")}><rect x=\"{x}\" y=\"{y}\" width=\"{BoxWidth}\" height=\"{BoxHeight}\" rx=\"6\" fill=\"{(item.Learner ? "#f0f7ff" : "#f8f9fa")}\" stroke=\"{item.Colour}\" stroke-width=\"2\"{dash}/>" +
               $"<rect x=\"{x}\" y=\"{y}\" width=\"{BoxWidth}\" height=\"20\" rx=\"6\" fill=\"{item.Colour}\"/>" +
               $"<text x=\"{x + 8}\" y=\"{y + 14}\" class=\"kind\">{WebUtility.HtmlEncode(item.Kind)}</text>" +
               $"<text x=\"{x + 8}\" y=\"{y + 42}\" class=\"name\">{WebUtility.HtmlEncode(item.Name)}</text></g>";
    }
}
