using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Workflows;

/// <summary>
/// A state machine drawn as the Step Functions console's graph view: Start and End, one box per state (its name, and
/// its type or the service call it makes), laid out top to bottom in layers by the longest path from StartAt, with
/// arrows for Next, Default, each Choice rule (with its condition), Catch (dashed, with the errors) and End. Loops
/// such as a polling Wait go back up around the side. Parallel and Map hold their branches drawn small. With an
/// execution's outcomes each state takes the console's colour: succeeded green, failed red, caught orange, running
/// blue, not run grey. <c>ToString()</c> gives the same as text: one line per state with its mark and transitions.
/// </summary>
public sealed class StateMachineDrawing : IHtmlDisplay
{
    private const double BoxHeight = 46, LayerGap = 50, NodeGap = 30, DummyGap = 14, Margin = 20, CircleRadius = 18;
    private const double NestedScale = 0.72, ContainerHeader = 50, ContainerPadding = 14, LaneGap = 16;
    private const double FontWidth = 7.0, SmallFontWidth = 6.0;
    private const int MaxWidth = 1280, TextWidth = 80;

    private static readonly Dictionary<StateOutcome, (string Stroke, string Fill, string Mark, string Word)> Looks = new()
    {
        [StateOutcome.Succeeded] = ("#1d8102", "#e9f5e6", "✓", "succeeded"),
        [StateOutcome.Failed] = ("#d13212", "#fde8e4", "✗", "failed"),
        [StateOutcome.Caught] = ("#ec7211", "#fff1e0", "↷", "caught"),
        [StateOutcome.Running] = ("#0073bb", "#e6f2fb", "▶", "running"),
        [StateOutcome.NotRun] = ("#879596", "#f2f3f3", "·", "not run"),
    };

    private readonly Graph graph;
    private readonly StateOutcomes? outcomes;
    private readonly string title;

    /// <param name="definition">The Amazon States Language definition, as JSON text.</param>
    /// <param name="outcomes">An execution's outcomes (<see cref="StateOutcomes.FromHistory"/>), to colour the states.</param>
    public StateMachineDrawing(string definition, StateOutcomes? outcomes = null, string title = "State machine")
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(definition) as JsonObject ?? throw new ArgumentException("The state machine's definition must be a JSON object with StartAt and States.", nameof(definition));
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The state machine's definition is not JSON ({e.Message}); pass the definition's JSON text.", nameof(definition));
        }
        this.outcomes = outcomes;
        this.title = title;
        graph = Graph.Build(root, topLevel: true, outcomes);
        Svg = Render();
    }

    /// <summary>The drawing as a standalone SVG document (no external resources); it scales down to fit narrow pages.</summary>
    public string Svg { get; }

    /// <summary>The width the drawing is laid out at, before any scaling to fit a page.</summary>
    public double Width => graph.Width + Margin * 2;

    public string ToHtml() => $"<div style=\"max-width:{MaxWidth}px\">{Svg}</div>";

    // ---- the text form ----

    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine(title);
        if (outcomes is not null) text.AppendLine(string.Join("  ", Looks.Values.Select(l => $"{l.Mark} {l.Word}")));
        var states = graph.StatesInLayerOrder().ToList();
        var nameWidth = Math.Min(20, states.Max(s => s.Depth * 2 + s.State.Name.Length));
        var detailWidth = Math.Min(32, states.Max(s => s.State.Detail.Length));
        const int continuation = 6;
        foreach (var (state, depth) in states)
        {
            var run = outcomes?[state.Name];
            var mark = run is null ? " " : Looks[run.Outcome].Mark;
            var head = $"{mark} {Fit(new string(' ', depth * 2) + state.Name, nameWidth).PadRight(nameWidth)}  {Fit(state.Detail, detailWidth).PadRight(detailWidth)}  ";
            var notes = new List<string>();
            if (run is { Entries: > 1 }) notes.Add($"[{run.Entries} visits]");
            if (run is { Retries: > 0 }) notes.Add($"[retried {run.Retries}]");
            if (run?.Error is { } error) notes.Add(run.Outcome switch { StateOutcome.Caught => $"[caught {error}]", StateOutcome.Failed => $"[failed: {error}]", _ => $"[{error}]" });
            var said = string.Join(" ", notes.Append(string.Join("; ", state.Transitions.Select(t => t.Text))).Where(p => p.Length > 0));
            if (head.Length + said.Length <= TextWidth)
            {
                text.AppendLine((head + said).TrimEnd());
                continue;
            }
            // Too long for one line: the transitions go underneath, wrapped between words.
            text.AppendLine(head.TrimEnd());
            var line = new StringBuilder(new string(' ', continuation));
            foreach (var word in said.Split(' '))
            {
                if (line.Length + word.Length > TextWidth && line.Length > continuation)
                {
                    text.AppendLine(line.ToString().TrimEnd());
                    line.Clear().Append(' ', continuation + 2);
                }
                line.Append(word).Append(' ');
            }
            text.AppendLine(line.ToString().TrimEnd());
        }
        return text.ToString().TrimEnd('\n', '\r');
    }

    private static string Fit(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";

    // ---- the picture ----

    private string Render()
    {
        var legendHeight = 34.0;
        var titleHeight = 30.0;
        var body = new StringBuilder();
        DrawGraph(graph, body);
        var legend = Legend(out var legendWidth);
        var width = Math.Ceiling(Math.Max(graph.Width, legendWidth) + Margin * 2);
        var height = Math.Ceiling(graph.Height + titleHeight + legendHeight + Margin * 2);
        var offsetX = Margin + (width - Margin * 2 - graph.Width) / 2;
        return $"""
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {N(width)} {N(height)}" width="{N(width)}" height="{N(height)}" style="max-width:100%;height:auto" font-family="Helvetica, Arial, sans-serif">
            <title>{E(title)}</title>
            <style>
              .name {"{"} font-size: 12px; font-weight: bold; fill: #16191f; {"}"}
              .detail {"{"} font-size: 10.5px; fill: #545b64; {"}"}
              .badge {"{"} font-size: 9.5px; fill: #16191f; {"}"}
              .label {"{"} font-size: 10px; fill: #16191f; {"}"}
              .edge {"{"} fill: none; stroke: #545b64; stroke-width: 1.4; {"}"}
              .catch {"{"} stroke-dasharray: 5 4; {"}"}
              .terminal {"{"} font-size: 10px; fill: #ffffff; text-anchor: middle; {"}"}
            </style>
            <defs><marker id="sm-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M 0 0 L 10 5 L 0 10 z" fill="#545b64"/></marker></defs>
            <rect width="{N(width)}" height="{N(height)}" fill="#ffffff"/>
            <text x="{N(Margin)}" y="{N(Margin + 10)}" font-size="16" font-weight="bold" fill="#16191f">{E(title)}</text>
            <g transform="translate({N(Margin)},{N(Margin + titleHeight - 6)})">{legend}</g>
            <g transform="translate({N(offsetX)},{N(Margin + titleHeight + legendHeight)})">{body}</g>
            </svg>
            """;
    }

    private string Legend(out double width)
    {
        var legend = new StringBuilder();
        var x = 0.0;
        if (outcomes is not null)
            foreach (var (outcome, look) in Looks)
            {
                legend.Append($"<g data-legend=\"{outcome}\"><rect x=\"{N(x)}\" y=\"0\" width=\"16\" height=\"12\" rx=\"3\" fill=\"{look.Fill}\" stroke=\"{look.Stroke}\" stroke-width=\"2\"/>");
                legend.Append($"<text x=\"{N(x + 22)}\" y=\"10\" class=\"label\">{E(look.Word)}</text></g>");
                x += 22 + look.Word.Length * SmallFontWidth + 18;
            }
        legend.Append($"<line x1=\"{N(x)}\" y1=\"6\" x2=\"{N(x + 28)}\" y2=\"6\" class=\"edge\" marker-end=\"url(#sm-arrow)\"/><text x=\"{N(x + 34)}\" y=\"10\" class=\"label\">next</text>");
        x += 34 + 4 * SmallFontWidth + 18;
        legend.Append($"<line x1=\"{N(x)}\" y1=\"6\" x2=\"{N(x + 28)}\" y2=\"6\" class=\"edge catch\" marker-end=\"url(#sm-arrow)\"/><text x=\"{N(x + 34)}\" y=\"10\" class=\"label\">catch (error)</text>");
        width = x + 34 + 13 * SmallFontWidth;
        return legend.ToString();
    }

    private void DrawGraph(Graph g, StringBuilder svg)
    {
        foreach (var link in g.Links) DrawLink(g, link, svg);
        foreach (var node in g.Nodes) DrawNode(node, svg);
        foreach (var link in g.Links) DrawLabel(link, svg);
    }

    private void DrawNode(Node node, StringBuilder svg)
    {
        switch (node.Kind)
        {
            case NodeKind.Dummy:
                return;
            case NodeKind.Start or NodeKind.End:
                svg.Append($"<g data-terminal=\"{node.Kind}\"><circle cx=\"{N(node.X)}\" cy=\"{N(node.Y + CircleRadius)}\" r=\"{N(CircleRadius)}\" fill=\"#545b64\"/>");
                svg.Append($"<text x=\"{N(node.X)}\" y=\"{N(node.Y + CircleRadius + 3.5)}\" class=\"terminal\">{node.Kind}</text></g>");
                return;
        }
        var state = node.State!;
        var run = outcomes?[state.Name];
        var (stroke, fill) = run is null ? ("#545b64", "#ffffff") : (Looks[run.Outcome].Stroke, Looks[run.Outcome].Fill);
        var left = node.X - node.Width / 2;
        svg.Append($"<g data-state=\"{E(state.Name)}\" data-type=\"{E(state.Type)}\"{(run is null ? "" : $" data-outcome=\"{run.Outcome}\"")} data-x=\"{N(left)}\" data-y=\"{N(node.Y)}\" data-width=\"{N(node.Width)}\" data-height=\"{N(node.Height)}\">");
        svg.Append($"<rect x=\"{N(left)}\" y=\"{N(node.Y)}\" width=\"{N(node.Width)}\" height=\"{N(node.Height)}\" rx=\"8\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{(run is null || run.Outcome == StateOutcome.NotRun ? 1.5 : 2.5)}\"/>");
        svg.Append($"<text x=\"{N(left + 12)}\" y=\"{N(node.Y + 19)}\" class=\"name\">{E(Fit(state.Name, (int)((node.Width - 24) / FontWidth)))}</text>");
        svg.Append($"<text x=\"{N(left + 12)}\" y=\"{N(node.Y + 35)}\" class=\"detail\">{E(Fit(state.Detail, (int)((node.Width - 24) / SmallFontWidth)))}</text>");
        if (Badge(run) is { } badge)
        {
            // Inside the box, on the name's row (the box is laid out wide enough): on its edge it met the arrows' heads.
            var badgeWidth = BadgeWidth(badge);
            var badgeLeft = left + node.Width - badgeWidth - 8;
            svg.Append($"<rect x=\"{N(badgeLeft)}\" y=\"{N(node.Y + 7)}\" width=\"{N(badgeWidth)}\" height=\"15\" rx=\"7\" fill=\"#ffffff\" stroke=\"{stroke}\"/>");
            svg.Append($"<text x=\"{N(badgeLeft + badgeWidth / 2)}\" y=\"{N(node.Y + 18)}\" class=\"badge\" text-anchor=\"middle\">{E(badge)}</text>");
        }
        if (node.Branches.Count > 0)
        {
            var x = left + ContainerPadding;
            foreach (var branch in node.Branches)
            {
                var y = node.Y + ContainerHeader;
                svg.Append($"<rect x=\"{N(x - 4)}\" y=\"{N(y - 4)}\" width=\"{N(branch.Width * NestedScale + 8)}\" height=\"{N(branch.Height * NestedScale + 8)}\" rx=\"6\" fill=\"none\" stroke=\"#aab7b8\" stroke-dasharray=\"3 3\"/>");
                svg.Append($"<g transform=\"translate({N(x)},{N(y)}) scale({NestedScale.ToString(CultureInfo.InvariantCulture)})\">");
                DrawGraph(branch, svg);
                svg.Append("</g>");
                x += branch.Width * NestedScale + ContainerPadding;
            }
        }
        svg.Append("</g>");
    }

    /// <summary>What a state's box says of its run beyond the colour: entered more than once, retried.</summary>
    private static string? Badge(StateRun? run)
    {
        var badges = new List<string>();
        if (run is { Entries: > 1 }) badges.Add($"×{run.Entries}");
        if (run is { Retries: > 0 }) badges.Add($"retried {run.Retries}");
        return badges.Count > 0 ? string.Join(" · ", badges) : null;
    }

    private static double BadgeWidth(string badge) => badge.Length * 5.6 + 10;

    private static void DrawLink(Graph g, Link link, StringBuilder svg)
    {
        var css = link.Kind == LinkKind.Catch ? "edge catch" : "edge";
        var data = $"data-from=\"{E(link.From.Name)}\" data-to=\"{E(link.To.Name)}\" data-kind=\"{link.Kind}\"";
        if (link.Back)
        {
            // Back up around the side: out of the source's side, along a lane beyond the boxes, into the target's side.
            var sign = link.LaneOnRight ? 1 : -1;
            var sx = link.From.X + sign * link.From.Width / 2;
            var sy = link.From.Y + link.From.Height / 2 + 6;
            var tx = link.To.X + sign * link.To.Width / 2;
            var ty = link.To.Y + link.To.Height / 2 - 6;
            var lane = link.LaneX;
            const double r = 8;
            var path = $"M {N(sx)} {N(sy)} L {N(lane - sign * r)} {N(sy)} Q {N(lane)} {N(sy)} {N(lane)} {N(sy - r)} L {N(lane)} {N(ty + r)} Q {N(lane)} {N(ty)} {N(lane - sign * r)} {N(ty)} L {N(tx + sign * 3)} {N(ty)}";
            svg.Append($"<path d=\"{path}\" class=\"{css}\" marker-end=\"url(#sm-arrow)\" {data} data-back=\"true\"/>");
            link.LabelAt = (lane + sign * 4, (sy + ty) / 2, link.LaneOnRight ? "start" : "end");
            return;
        }
        var points = new List<(double X, double Y)> { (link.FromPort, link.From.Y + link.From.Height) };
        foreach (var dummy in link.Dummies)
        {
            var layer = g.Layers[dummy.Layer];
            points.Add((dummy.X, layer.Top));
            points.Add((dummy.X, layer.Top + layer.Height));
        }
        points.Add((link.ToPort, link.To.Y - 2));
        var d = new StringBuilder($"M {N(points[0].X)} {N(points[0].Y)}");
        for (var i = 1; i < points.Count; i++)
        {
            var (a, b) = (points[i - 1], points[i]);
            // Between layers a smooth bend; through a layer a dummy's straight line down the gap beside the boxes.
            if (i % 2 == 1)
            {
                var bend = (b.Y - a.Y) / 2;
                d.Append($" C {N(a.X)} {N(a.Y + bend)} {N(b.X)} {N(b.Y - bend)} {N(b.X)} {N(b.Y)}");
            }
            else d.Append($" L {N(b.X)} {N(b.Y)}");
        }
        svg.Append($"<path d=\"{d}\" class=\"{css}\" marker-end=\"url(#sm-arrow)\" {data}/>");
        var (p0, p1) = (points[0], points[1]);
        link.LabelAt = ((p0.X + p1.X) / 2, (p0.Y + p1.Y) / 2 + link.LabelShift, "middle");
    }

    private static void DrawLabel(Link link, StringBuilder svg)
    {
        if (string.IsNullOrEmpty(link.Label) || link.LabelAt is not var (x, y, anchor)) return;
        var width = link.Label.Length * SmallFontWidth + 8;
        var left = anchor switch { "start" => x, "end" => x - width, _ => x - width / 2 };
        svg.Append($"<g data-label-for=\"{E(link.From.Name)}→{E(link.To.Name)}\"><rect x=\"{N(left)}\" y=\"{N(y - 8)}\" width=\"{N(width)}\" height=\"15\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.92\"/>");
        svg.Append($"<text x=\"{N(left + 4)}\" y=\"{N(y + 3)}\" class=\"label\">{E(link.Label)}</text></g>");
    }

    private static string N(double value) => Math.Round(value, 1).ToString(CultureInfo.InvariantCulture);

    // Only what markup needs escaped, so the marks and arrows stay readable in the SVG's source.
    private static string E(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");

    // ---- the model: states and their transitions, read from the definition ----

    internal sealed record Transition(string Target, LinkKind Kind, string? Label)
    {
        public string Text => Kind switch
        {
            LinkKind.Next => $"→ {Target}",
            LinkKind.End => "→ End",
            LinkKind.Catch => $"catch {Label} → {Target}",
            _ => $"{Label} → {Target}",
        };
    }

    internal sealed class State(string name, string type, string detail, JsonObject json)
    {
        public string Name { get; } = name;
        public string Type { get; } = type;
        public string Detail { get; } = detail;
        public JsonObject Json { get; } = json;
        public List<Transition> Transitions { get; } = [];
    }

    internal enum LinkKind { Next, Choice, Default, Catch, End }

    internal enum NodeKind { Start, End, State, Dummy }

    internal sealed class Node(NodeKind kind, string name, State? state = null)
    {
        public NodeKind Kind { get; } = kind;
        public string Name { get; } = name;
        public State? State { get; } = state;
        public List<Graph> Branches { get; } = [];
        public double Width { get; set; }
        public double Height { get; set; }
        public int Layer { get; set; } = -1;
        public double X { get; set; }
        public double Y { get; set; }
        public int Order { get; set; }
    }

    internal sealed class Link(Node from, Node to, LinkKind kind, string? label)
    {
        public Node From { get; } = from;
        public Node To { get; } = to;
        public LinkKind Kind { get; } = kind;
        public string? Label { get; set; } = label;
        public bool Back { get; set; }
        public List<Node> Dummies { get; } = [];
        public double FromPort { get; set; }
        public double ToPort { get; set; }
        public double LaneX { get; set; }
        public bool LaneOnRight { get; set; } = true;
        public double LabelShift { get; set; }
        public (double X, double Y, string Anchor)? LabelAt { get; set; }

        // The nodes this link passes through, source to target.
        public IEnumerable<Node> Path => Dummies.Prepend(From).Append(To);
    }

    internal sealed class Layer
    {
        public List<Node> Nodes { get; } = [];
        public double Top { get; set; }
        public double Height { get; set; }
    }

    /// <summary>One scope of states (the machine, or one branch of a Parallel or Map) laid out in layers.</summary>
    internal sealed class Graph
    {
        public List<Node> Nodes { get; } = [];
        public List<Link> Links { get; } = [];
        public List<Layer> Layers { get; } = [];
        public double Width { get; private set; }
        public double Height { get; private set; }

        public IEnumerable<(State State, int Depth)> StatesInLayerOrder(int depth = 0)
        {
            foreach (var node in Layers.SelectMany(l => l.Nodes.OrderBy(n => n.Order)).Where(n => n.Kind == NodeKind.State))
            {
                yield return (node.State!, depth);
                foreach (var branch in node.Branches)
                    foreach (var inner in branch.StatesInLayerOrder(depth + 1)) yield return inner;
            }
        }

        public static Graph Build(JsonObject scope, bool topLevel, StateOutcomes? outcomes)
        {
            var g = new Graph();
            var states = scope["States"] as JsonObject ?? [];
            var startAt = scope["StartAt"]?.GetValue<string>() ?? "";
            var byName = new Dictionary<string, Node>();
            foreach (var (name, value) in states)
            {
                if (value is not JsonObject json) continue;
                var type = json["Type"]?.GetValue<string>() ?? "?";
                var node = new Node(NodeKind.State, name, new State(name, type, Describe(type, json), json));
                var inner = type switch
                {
                    "Parallel" => (json["Branches"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [],
                    "Map" => (json["ItemProcessor"] ?? json["Iterator"]) is JsonObject processor ? [processor] : [],
                    _ => new List<JsonObject>(),
                };
                foreach (var branch in inner) node.Branches.Add(Build(branch, topLevel: false, outcomes));
                var badgeRoom = Badge(outcomes?[name]) is { } badge ? BadgeWidth(badge) + 10 : 0;
                var textWidth = Math.Max(name.Length * FontWidth + badgeRoom, node.State!.Detail.Length * SmallFontWidth) + 28;
                var branchesWidth = node.Branches.Sum(b => b.Width * NestedScale + ContainerPadding) + ContainerPadding;
                node.Width = Math.Max(node.Branches.Count > 0 ? branchesWidth : 0, Math.Clamp(textWidth, 150, 250));
                node.Height = node.Branches.Count > 0 ? ContainerHeader + node.Branches.Max(b => b.Height) * NestedScale + ContainerPadding : BoxHeight;
                byName[name] = node;
                g.Nodes.Add(node);
            }
            Node? start = null, end = null;
            if (topLevel)
            {
                start = new Node(NodeKind.Start, "Start") { Width = CircleRadius * 2, Height = CircleRadius * 2 };
                end = new Node(NodeKind.End, "End") { Width = CircleRadius * 2, Height = CircleRadius * 2 };
                g.Nodes.Insert(0, start);
                g.Nodes.Add(end);
                if (byName.TryGetValue(startAt, out var first)) g.Links.Add(new Link(start, first, LinkKind.Next, null));
            }
            foreach (var node in g.Nodes.Where(n => n.Kind == NodeKind.State).ToList())
            {
                var state = node.State!;
                state.Transitions.AddRange(Transitions(state.Type, state.Json));
                foreach (var transition in state.Transitions)
                {
                    var target = transition.Kind == LinkKind.End ? end : byName.GetValueOrDefault(transition.Target);
                    if (target is null) continue;
                    // Two rules to the same state make one arrow with both conditions.
                    var same = g.Links.FirstOrDefault(l => l.From == node && l.To == target && l.Kind == transition.Kind);
                    if (same is not null) same.Label = $"{same.Label} / {transition.Label}";
                    else g.Links.Add(new Link(node, target, transition.Kind, transition.Label));
                }
            }
            g.Arrange(start ?? byName.GetValueOrDefault(startAt), end);
            return g;
        }

        private void Arrange(Node? root, Node? end)
        {
            var realNodes = Nodes.ToList();
            FindBackLinks(root, realNodes, out var discovery);
            AssignLayers(discovery, end);
            AddDummies();
            OrderLayers(discovery);
            PlaceVertically();
            PlaceHorizontally();
            AssignPorts();
            RouteBackLinks();
        }

        private void FindBackLinks(Node? root, List<Node> nodes, out List<Node> discovery)
        {
            // Depth-first from StartAt: a link to a state still on the path is a loop, drawn back up around the side.
            var onPath = new HashSet<Node>();
            var seen = new HashSet<Node>();
            var order = new List<Node>();
            var outgoing = Links.ToLookup(l => l.From);
            void Visit(Node node)
            {
                seen.Add(node);
                order.Add(node);
                onPath.Add(node);
                foreach (var link in outgoing[node])
                {
                    if (onPath.Contains(link.To)) link.Back = true;
                    else if (!seen.Contains(link.To)) Visit(link.To);
                }
                onPath.Remove(node);
            }
            if (root is not null) Visit(root);
            foreach (var node in nodes.Where(n => !seen.Contains(n) && n.Kind != NodeKind.End)) Visit(node);
            foreach (var node in nodes.Where(n => !seen.Contains(n))) Visit(node);
            discovery = order;
        }

        private void AssignLayers(List<Node> discovery, Node? end)
        {
            // Longest path from the start over the forward links, in topological order.
            var forward = Links.Where(l => !l.Back).ToList();
            var incoming = forward.GroupBy(l => l.To).ToDictionary(g => g.Key, g => g.Count());
            var outgoing = forward.ToLookup(l => l.From);
            var ready = new Queue<Node>(discovery.Where(n => !incoming.ContainsKey(n)));
            foreach (var node in ready) node.Layer = 0;
            while (ready.Count > 0)
            {
                var node = ready.Dequeue();
                foreach (var link in outgoing[node])
                {
                    link.To.Layer = Math.Max(link.To.Layer, node.Layer + 1);
                    if (--incoming[link.To] == 0) ready.Enqueue(link.To);
                }
            }
            foreach (var node in discovery.Where(n => n.Layer < 0)) node.Layer = 0;
            if (end is not null) end.Layer = Nodes.Where(n => n != end).Select(n => n.Layer).DefaultIfEmpty(0).Max() + 1;
            var count = Nodes.Max(n => n.Layer) + 1;
            for (var i = 0; i < count; i++) Layers.Add(new Layer());
            foreach (var node in discovery) Layers[node.Layer].Nodes.Add(node);
        }

        private void AddDummies()
        {
            foreach (var link in Links.Where(l => !l.Back && l.To.Layer - l.From.Layer > 1))
                for (var layer = link.From.Layer + 1; layer < link.To.Layer; layer++)
                {
                    var dummy = new Node(NodeKind.Dummy, $"{link.From.Name}→{link.To.Name}") { Layer = layer, Width = 2 };
                    link.Dummies.Add(dummy);
                    Layers[layer].Nodes.Add(dummy);
                }
        }

        private void OrderLayers(List<Node> discovery)
        {
            // Barycentre sweeps: each node moves towards the mean position of its neighbours in the layer above (or below).
            for (var i = 0; i < Layers.Count; i++)
                for (var j = 0; j < Layers[i].Nodes.Count; j++) Layers[i].Nodes[j].Order = j;
            var segments = Links.Where(l => !l.Back).SelectMany(l => l.Path.Zip(l.Path.Skip(1))).ToList();
            var above = segments.ToLookup(s => s.Second, s => s.First);
            var below = segments.ToLookup(s => s.First, s => s.Second);
            for (var sweep = 0; sweep < 6; sweep++)
            {
                var down = sweep % 2 == 0;
                var range = down ? Enumerable.Range(1, Layers.Count - 1) : Enumerable.Range(0, Layers.Count - 1).Reverse();
                foreach (var i in range)
                {
                    var nodes = Layers[i].Nodes;
                    var keys = nodes.ToDictionary(n => n, n =>
                    {
                        var neighbours = (down ? above[n] : below[n]).ToList();
                        return neighbours.Count == 0 ? n.Order : neighbours.Average(m => m.Order);
                    });
                    var sorted = nodes.OrderBy(n => keys[n]).ThenBy(n => n.Order).ToList();
                    nodes.Clear();
                    nodes.AddRange(sorted);
                    for (var j = 0; j < nodes.Count; j++) nodes[j].Order = j;
                }
            }
        }

        private void PlaceVertically()
        {
            var top = 0.0;
            foreach (var layer in Layers)
            {
                layer.Top = top;
                layer.Height = layer.Nodes.Select(n => n.Height).DefaultIfEmpty(0).Max();
                foreach (var node in layer.Nodes) node.Y = top + (layer.Height - node.Height) / 2;
                top += layer.Height + LayerGap;
            }
            Height = Math.Max(0, top - LayerGap);
        }

        private void PlaceHorizontally()
        {
            var above = Links.Where(l => !l.Back).SelectMany(l => l.Path.Zip(l.Path.Skip(1))).ToLookup(s => s.Second, s => s.First);
            foreach (var layer in Layers) Place(layer.Nodes, layer.Nodes.Select(_ => 0.0).ToList());
            // Top down, each state goes under the median of the states it comes from (a long arrow counts as its
            // source), and each bend of a long arrow under the one before: chains of states come out straight.
            var sourceOf = Links.SelectMany(l => l.Dummies.Select(d => (d, l.From))).ToDictionary(p => p.d, p => p.From);
            for (var i = 1; i < Layers.Count; i++)
            {
                var nodes = Layers[i].Nodes;
                var wanted = nodes.Select(n =>
                {
                    var from = above[n].Select(m => n.Kind != NodeKind.Dummy && sourceOf.TryGetValue(m, out var source) ? source : m)
                        .Select(m => m.X).Order().ToList();
                    return from.Count == 0 ? n.X : (from[(from.Count - 1) / 2] + from[from.Count / 2]) / 2;
                }).ToList();
                Place(nodes, wanted);
            }
            var left = Nodes.Concat(Layers.SelectMany(l => l.Nodes)).Min(n => n.X - n.Width / 2);
            foreach (var node in Layers.SelectMany(l => l.Nodes)) node.X -= left;
            Width = Layers.SelectMany(l => l.Nodes).Max(n => n.X + n.Width / 2);
        }

        /// <summary>
        /// Puts a layer's nodes, in their order, as near as possible (least squares) to the wanted centres while
        /// keeping each clear of its neighbour: pool-adjacent-violators on the centres less their minimum offsets.
        /// </summary>
        private static void Place(List<Node> nodes, List<double> wanted)
        {
            var offsets = new double[nodes.Count];
            for (var i = 1; i < nodes.Count; i++)
            {
                var gap = nodes[i].Kind == NodeKind.Dummy || nodes[i - 1].Kind == NodeKind.Dummy ? DummyGap : NodeGap;
                offsets[i] = offsets[i - 1] + (nodes[i - 1].Width + nodes[i].Width) / 2 + gap;
            }
            // States weigh more than the bends of long arrows, so a chain of states stays straight and the arrows give way.
            var blocks = new List<(double Sum, double Weight, int Count)>();
            for (var i = 0; i < nodes.Count; i++)
            {
                var weight = nodes[i].Kind == NodeKind.Dummy ? 1.0 : 20.0;
                blocks.Add(((wanted[i] - offsets[i]) * weight, weight, 1));
                while (blocks.Count > 1 && blocks[^2].Sum / blocks[^2].Weight > blocks[^1].Sum / blocks[^1].Weight)
                {
                    var merged = (blocks[^2].Sum + blocks[^1].Sum, blocks[^2].Weight + blocks[^1].Weight, blocks[^2].Count + blocks[^1].Count);
                    blocks.RemoveRange(blocks.Count - 2, 2);
                    blocks.Add(merged);
                }
            }
            var index = 0;
            foreach (var (sum, weight, count) in blocks)
                for (var k = 0; k < count; k++, index++) nodes[index].X = sum / weight + offsets[index];
        }

        private void AssignPorts()
        {
            // Several arrows leaving (or entering) one box spread along its edge, in the order of the boxes at their other ends.
            foreach (var node in Nodes)
            {
                var leaving = Links.Where(l => !l.Back && l.From == node).OrderBy(l => (l.Dummies.FirstOrDefault() ?? l.To).X).ToList();
                Spread(node, leaving, (l, x) => l.FromPort = x);
                var arriving = Links.Where(l => !l.Back && l.To == node).OrderBy(l => (l.Dummies.LastOrDefault() ?? l.From).X).ToList();
                Spread(node, arriving, (l, x) => l.ToPort = x);
                // Labels of arrows leaving one box side by side would touch: stagger them up and down.
                var labelled = leaving.Where(l => !string.IsNullOrEmpty(l.Label)).ToList();
                for (var i = 1; i < labelled.Count; i++)
                {
                    var (a, b) = (labelled[i - 1], labelled[i]);
                    var aMid = (a.FromPort + (a.Dummies.FirstOrDefault() ?? a.To).X) / 2;
                    var bMid = (b.FromPort + (b.Dummies.FirstOrDefault() ?? b.To).X) / 2;
                    if (Math.Abs(bMid - aMid) < (a.Label!.Length + b.Label!.Length) * SmallFontWidth / 2 + 12)
                        b.LabelShift = a.LabelShift == 0 ? 16 : 0;
                }
            }
        }

        private static void Spread(Node node, List<Link> links, Action<Link, double> set)
        {
            var step = Math.Min(26, node.Width / (links.Count + 1));
            for (var i = 0; i < links.Count; i++) set(links[i], node.X + (i - (links.Count - 1) / 2.0) * step);
        }

        private void RouteBackLinks()
        {
            var lanesRight = 0;
            var lanesLeft = 0;
            foreach (var link in Links.Where(l => l.Back).OrderBy(l => l.From.Layer - l.To.Layer))
            {
                var spanned = Layers.Skip(link.To.Layer).Take(link.From.Layer - link.To.Layer + 1).SelectMany(l => l.Nodes).ToList();
                bool Rightmost(Node n) => Layers[n.Layer].Nodes.All(m => m == n || m.X < n.X);
                bool Leftmost(Node n) => Layers[n.Layer].Nodes.All(m => m == n || m.X > n.X);
                link.LaneOnRight = (Rightmost(link.From) && Rightmost(link.To)) || !(Leftmost(link.From) && Leftmost(link.To));
                if (link.LaneOnRight)
                    link.LaneX = spanned.Max(n => n.X + n.Width / 2) + LaneGap * ++lanesRight;
                else
                    link.LaneX = spanned.Min(n => n.X - n.Width / 2) - LaneGap * ++lanesLeft;
            }
            // Room for the lanes and their labels beside the boxes.
            var labels = Links.Where(l => l.Back).Select(l => (l.Label?.Length ?? 0) * SmallFontWidth + 12).DefaultIfEmpty(0);
            var shiftLeft = lanesLeft > 0 ? LaneGap * lanesLeft + labels.Max() : 0;
            foreach (var node in Layers.SelectMany(l => l.Nodes)) node.X += shiftLeft;
            foreach (var link in Links.Where(l => l.Back)) link.LaneX += shiftLeft;
            foreach (var link in Links.Where(l => !l.Back))
            {
                link.FromPort += shiftLeft;
                link.ToPort += shiftLeft;
            }
            Width += shiftLeft + (lanesRight > 0 ? LaneGap * lanesRight + labels.Max() : 0);
        }

        private static IEnumerable<Transition> Transitions(string type, JsonObject json)
        {
            if (type == "Choice")
            {
                foreach (var rule in (json["Choices"] as JsonArray ?? []).OfType<JsonObject>())
                    if (rule["Next"]?.GetValue<string>() is { } next) yield return new Transition(next, LinkKind.Choice, ChoiceCondition(rule));
                if (json["Default"]?.GetValue<string>() is { } fallback) yield return new Transition(fallback, LinkKind.Default, "Default");
            }
            else if (json["Next"]?.GetValue<string>() is { } next) yield return new Transition(next, LinkKind.Next, null);
            if (json["End"]?.GetValue<bool>() == true || type is "Succeed" or "Fail") yield return new Transition("End", LinkKind.End, null);
            foreach (var catcher in (json["Catch"] as JsonArray ?? []).OfType<JsonObject>())
                if (catcher["Next"]?.GetValue<string>() is { } next)
                {
                    var errors = (catcher["ErrorEquals"] as JsonArray ?? []).Select(e => e?.GetValue<string>() ?? "").ToList();
                    yield return new Transition(next, LinkKind.Catch, Shorten(string.Join(", ", errors), 34));
                }
        }

        /// <summary>What a state shows under its name: the service call a Task makes, else its type (with a Wait's time).</summary>
        internal static string Describe(string type, JsonObject json)
        {
            if (type == "Task" && json["Resource"]?.GetValue<string>() is { } resource) return ShortResource(resource);
            if (type == "Wait")
            {
                if (json["Seconds"] is JsonValue seconds) return $"Wait {seconds.ToJsonString().Trim('"')} s";
                if (json["SecondsPath"]?.GetValue<string>() is { } secondsPath) return $"Wait {secondsPath} s";
                if (json["Timestamp"] is not null || json["TimestampPath"] is not null) return "Wait until a time";
            }
            return type;
        }

        /// <summary>
        /// A Task's resource as the console names it: the service and action of an integration ("glue:startJobRun.sync"
        /// for arn:aws:states:::glue:startJobRun.sync, "glue:getCrawler" for an AWS SDK call), or a Lambda function's name.
        /// </summary>
        internal static string ShortResource(string resource)
        {
            const string integration = "arn:aws:states:::";
            if (resource.StartsWith(integration, StringComparison.Ordinal))
            {
                var call = resource[integration.Length..];
                return call.StartsWith("aws-sdk:", StringComparison.Ordinal) ? call["aws-sdk:".Length..] : call;
            }
            var parts = resource.Split(':');
            if (parts.Length >= 7 && parts[2] == "lambda") return $"lambda:{parts[6]}";
            if (parts.Length >= 6 && parts[2] == "states" && parts[5] == "activity") return $"activity:{parts[6]}";
            return resource;
        }

        private static readonly (string Suffix, string Operator)[] Comparisons =
        [
            ("GreaterThanEquals", ">="), ("LessThanEquals", "<="), ("GreaterThan", ">"), ("LessThan", "<"), ("Equals", "=="), ("Matches", "matches"),
        ];

        /// <summary>A Choice rule's condition, short: "State == READY", "day is present", "a and b", a JSONata condition's text.</summary>
        internal static string ChoiceCondition(JsonObject rule) => Shorten(Condition(rule), 30);

        private static string Condition(JsonObject rule)
        {
            if (rule["Condition"]?.GetValue<string>() is { } jsonata) return jsonata.Trim().TrimStart('{').TrimStart('%').TrimEnd('}').TrimEnd('%').Trim();
            if (rule["And"] is JsonArray all) return string.Join(" and ", all.OfType<JsonObject>().Select(Condition));
            if (rule["Or"] is JsonArray any) return string.Join(" or ", any.OfType<JsonObject>().Select(Condition));
            if (rule["Not"] is JsonObject not) return $"not ({Condition(not)})";
            var variable = Leaf(rule["Variable"]?.GetValue<string>() ?? "");
            foreach (var (key, value) in rule)
            {
                if (key is "Variable" or "Next" or "Comment" or "Assign" or "Output") continue;
                if (key.StartsWith("Is", StringComparison.Ordinal))
                {
                    var what = key[2..].ToLowerInvariant();
                    var yes = value?.GetValue<bool>() != false;
                    return what == "present" ? $"{variable} {(yes ? "is present" : "is absent")}" : $"{variable} is {(yes ? "" : "not ")}{what}";
                }
                var path = key.EndsWith("Path", StringComparison.Ordinal);
                var name = path ? key[..^4] : key;
                var op = Comparisons.FirstOrDefault(c => name.EndsWith(c.Suffix, StringComparison.Ordinal)).Operator ?? name;
                var operand = path ? Leaf(value?.GetValue<string>() ?? "") : value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "";
                return $"{variable} {op} {operand}";
            }
            return "condition";
        }

        // The last member of a path: "$.crawler.Crawler.State" reads as "State".
        private static string Leaf(string path)
        {
            var trimmed = path.TrimEnd(']');
            var dot = trimmed.LastIndexOf('.');
            return dot >= 0 && dot < trimmed.Length - 1 ? trimmed[(dot + 1)..] : trimmed.TrimStart('$');
        }

        private static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
    }
}
