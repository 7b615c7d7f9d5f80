using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Stack;

/// <summary>
/// The learner's diagram exercise: the template's architecture beside the same diagram extended with their sketch
/// (stacked, one above the other, as both are too wide to sit side by side on a 1280-pixel page). A sketch with
/// mistakes shows the original alone and the problems, one line each, never a broken picture.
/// </summary>
public sealed class ExtendedDiagramView : IHtmlDisplay
{
    public ExtendedDiagramView(JsonObject template, string sketchText)
    {
        Sketch = DiagramSketch.Parse(sketchText, template);
        Original = ArchitectureDiagram.Svg(template, "The workshop stack today");
        Extended = Sketch.IsValid ? ArchitectureDiagram.SvgWith(template, Sketch, "With your stages") : null;
    }

    public DiagramSketch Sketch { get; }

    /// <summary>The template's own diagram.</summary>
    public string Original { get; }

    /// <summary>The diagram with the learner's stages and flows; null when the sketch has problems.</summary>
    public string? Extended { get; }

    public IReadOnlyList<string> Problems => Sketch.Problems;

    // Two diagrams of the template's width do not fit side by side within 1280 pixels, so they stack.
    private static bool SideBySide => ArchitectureDiagram.Width * 2 + 16 <= 1280;

    public string ToHtml()
    {
        var html = new StringBuilder("<div style=\"max-width:1280px;font-family:Helvetica,Arial,sans-serif\">");
        if (!Sketch.IsValid)
        {
            html.Append($"<div data-problems=\"true\" style=\"border:1px solid #d13212;background:{HtmlTable.RedTint};padding:6px 10px;margin-bottom:8px;font-size:13px\">");
            html.Append("<b>The sketch cannot be drawn yet:</b><ul style=\"margin:4px 0\">");
            foreach (var problem in Problems) html.Append($"<li>{WebUtility.HtmlEncode(problem)}</li>");
            html.Append("</ul></div>");
            html.Append($"<div>{Original}</div></div>");
            return html.ToString();
        }
        var layout = SideBySide ? "display:flex;gap:16px" : "display:flex;flex-direction:column;gap:16px";
        html.Append($"<div style=\"{layout}\"><div>{Original}</div><div>{Extended}</div></div>");
        html.Append($"<div style=\"font-size:12px;{HtmlTable.Quiet};margin-top:4px\">Your stages and flows are drawn in blue: {Sketch.Stages.Count} stage(s), {Sketch.Flows.Count} arrow(s).</div></div>");
        return html.ToString();
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        if (Sketch.IsValid)
        {
            text.AppendLine($"Your sketch: {Sketch.Stages.Count} stage(s), {Sketch.Flows.Count} arrow(s); the pictures show in a notebook.");
            foreach (var stage in Sketch.Stages) text.AppendLine($"  stage {stage.Name}: {stage.Kind} \"{stage.Label}\"");
            foreach (var flow in Sketch.Flows) text.AppendLine($"  {flow.From} -> {flow.To}");
        }
        else
        {
            text.AppendLine("The sketch cannot be drawn yet:");
            foreach (var problem in Problems) text.AppendLine($"  {problem}");
        }
        text.AppendLine();
        text.Append(DiagramSketch.Help);
        return text.ToString().TrimEnd();
    }
}
