using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Markdig;

namespace StreamingWorkshop.Notebooks;

/// <summary>
/// A notebook as one standalone HTML page: markdown rendered, code shown, outputs as they were produced, charts
/// interactive. plotly.js is embedded once in the page's head, so the page needs no network.
/// </summary>
public static class HtmlExporter
{
    private static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    public const string Css = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#fafafa;color:#1f2328}
        main{max-width:1100px;margin:0 auto;padding:24px}
        .cell{margin:14px 0}
        .input{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:10px;overflow-x:auto;font:13px ui-monospace,Menlo,Consolas,monospace}
        .prompt{color:#57606a;font:12px ui-monospace,monospace}
        .output{padding:6px 10px;overflow-x:auto}
        .stream{font:13px ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;margin:0}
        .error{background:#fff0f0;border-left:4px solid #cf222e;padding:8px;font:13px ui-monospace,monospace;white-space:pre-wrap}
        table.index{border-collapse:collapse}table.index td,table.index th{border:1px solid #d0d7de;padding:4px 10px;text-align:left}
        """;

    public static string Page(NotebookDocument document, string title)
    {
        var hasChart = document.Cells.SelectMany(c => c.Outputs).Any(o => Html(o)?.Contains("Plotly.newPlot", StringComparison.Ordinal) == true);
        var body = new StringBuilder();
        foreach (var cell in document.Cells)
        {
            body.Append("<section class=\"cell\">");
            if (cell.Kind == CellKind.Markdown)
            {
                body.Append(Markdig.Markdown.ToHtml(cell.Source, Markdown));
            }
            else if (cell.Kind == CellKind.Code)
            {
                body.Append($"<div class=\"prompt\">[{cell.ExecutionCount?.ToString() ?? " "}] {WebUtility.HtmlEncode(cell.Language)}</div>");
                body.Append($"<pre class=\"input\"><code>{WebUtility.HtmlEncode(cell.Source)}</code></pre>");
                foreach (var output in cell.Outputs) body.Append("<div class=\"output\">").Append(RenderOutput(output)).Append("</div>");
            }
            else
            {
                body.Append($"<pre class=\"stream\">{WebUtility.HtmlEncode(cell.Source)}</pre>");
            }
            body.Append("</section>");
        }
        return $"""
            <!doctype html>
            <html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{WebUtility.HtmlEncode(title)}</title><style>{Css}</style>
            {(hasChart ? NotebookDisplay.PlotlyScript() : "")}
            </head><body><main>
            {body}
            </main></body></html>
            """;
    }

    private static string? Html(JsonObject output) => output["data"]?["text/html"]?.GetValue<string>();

    private static string RenderOutput(JsonObject output)
    {
        switch (output["output_type"]?.GetValue<string>())
        {
            case "stream":
                return $"<pre class=\"stream\">{WebUtility.HtmlEncode(output["text"]?.GetValue<string>())}</pre>";
            case "error":
                return $"<div class=\"error\">{WebUtility.HtmlEncode(output["ename"]?.GetValue<string>())}: {WebUtility.HtmlEncode(output["evalue"]?.GetValue<string>())}</div>";
            default:
                if (Html(output) is { } html) return NotebookDisplay.WithoutPlotlyScript(html);
                return $"<pre class=\"stream\">{WebUtility.HtmlEncode(output["data"]?["text/plain"]?.GetValue<string>())}</pre>";
        }
    }
}
