using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Markdig;

namespace StreamingWorkshop.Notebooks;

/// <summary>
/// A notebook as one standalone HTML page: markdown rendered, code shown, outputs as they were produced, charts
/// interactive. plotly.js is embedded once in the page's head, so the page needs no network. Links to other
/// notebooks (.ipynb, .dib) point at their pages instead, and pictures beside the notebook are embedded.
/// </summary>
public static partial class HtmlExporter
{
    private const long LargestEmbeddedPicture = 4 * 1024 * 1024;

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
        .markdown table{border-collapse:collapse;margin:8px 0}.markdown td,.markdown th{border:1px solid #d0d7de;padding:4px 10px;text-align:left;vertical-align:top}.markdown th{background:#f6f8fa}
        .markdown img{max-width:100%;height:auto}
        .markdown pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:8px 10px;overflow-x:auto}
        nav.top{font-size:13px;margin-bottom:8px}
        :root{color-scheme:light dark}
        @media (prefers-color-scheme:dark){
        body{background:#0d1117;color:#e6edf3}
        .input,.markdown pre{background:#161b22;border-color:#30363d}
        .prompt{color:#8d96a0}
        .error{background:rgba(248,81,73,0.12);border-left-color:#f85149}
        table.index td,table.index th,.markdown td,.markdown th{border-color:#30363d}
        .markdown th{background:#161b22}
        a{color:#4493f8}a:visited{color:#ab7df8}
        }
        """;

    /// <param name="sourceFolder">The notebook's folder, where its relative pictures are found.</param>
    /// <param name="indexHref">The relative link to the run's index page, shown at the top; null for none.</param>
    public static string Page(NotebookDocument document, string title, string? sourceFolder = null, string? indexHref = null)
    {
        var hasChart = document.Cells.SelectMany(c => c.Outputs).Any(o => Html(o)?.Contains("Plotly.newPlot", StringComparison.Ordinal) == true);
        var body = new StringBuilder();
        foreach (var cell in document.Cells)
        {
            body.Append("<section class=\"cell\">");
            if (cell.Kind == CellKind.Markdown)
            {
                body.Append("<div class=\"markdown\">").Append(EmbedPictures(NotebookLinksToPages(Markdig.Markdown.ToHtml(cell.Source, Markdown)), sourceFolder)).Append("</div>");
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
            {(indexHref is null ? "" : $"<nav class=\"top\"><a href=\"{WebUtility.HtmlEncode(indexHref)}\">All notebooks</a></nav>")}
            {body}
            </main><script>{FocusScrollableRegions}</script></body></html>
            """;
    }

    /// <summary>
    /// A block that scrolls sideways (a wide table, a long line of code) takes keyboard focus, so it can be scrolled
    /// without a mouse; blocks that fit stay out of the Tab order.
    /// </summary>
    private const string FocusScrollableRegions = """
        function focusScrollable() {
          for (const block of document.querySelectorAll('.input, .output, .stream, .markdown pre'))
            if (block.scrollWidth > block.clientWidth) block.tabIndex = 0; else block.removeAttribute('tabindex');
        }
        addEventListener('load', focusScrollable);
        addEventListener('resize', focusScrollable);
        """;

    /// <summary>
    /// Relative links to a notebook (.ipynb or .dib, with an optional #anchor) become links to its page (.html), which
    /// the run writes beside the executed copy. Links with a scheme or an absolute path are left alone.
    /// </summary>
    public static string NotebookLinksToPages(string html) => NotebookHref().Replace(html, match =>
        $"href=\"{match.Groups["path"].Value}.html{match.Groups["anchor"].Value}\"");

    [GeneratedRegex(@"href=""(?<path>(?![a-zA-Z][a-zA-Z0-9+.-]*:)(?!/)[^""#?]+)\.(?:ipynb|dib)(?<anchor>#[^""]*)?""", RegexOptions.IgnoreCase)]
    private static partial Regex NotebookHref();

    /// <summary>Pictures the markdown shows from beside the notebook (for example ../images/architecture.svg) go into the page as data URIs.</summary>
    private static string EmbedPictures(string html, string? sourceFolder) => sourceFolder is null ? html : PictureSource().Replace(html, match =>
    {
        var relative = WebUtility.HtmlDecode(match.Groups["path"].Value);
        var file = Path.GetFullPath(Path.Combine(sourceFolder, Uri.UnescapeDataString(relative)));
        var type = Path.GetExtension(file).ToLowerInvariant() switch
        {
            ".svg" => "image/svg+xml",
            ".png" => "image/png",
            ".jpg" or ".jpeg" => "image/jpeg",
            ".gif" => "image/gif",
            _ => null,
        };
        if (type is null || !File.Exists(file) || new FileInfo(file).Length > LargestEmbeddedPicture) return match.Value;
        return $"src=\"data:{type};base64,{Convert.ToBase64String(File.ReadAllBytes(file))}\"";
    });

    [GeneratedRegex(@"src=""(?<path>(?![a-zA-Z][a-zA-Z0-9+.-]*:)(?!/)[^""]+)""")]
    private static partial Regex PictureSource();

    private static string? Html(JsonObject output) => output["data"]?["text/html"]?.GetValue<string>();

    private static string RenderOutput(JsonObject output)
    {
        switch (output["output_type"]?.GetValue<string>())
        {
            case "stream":
                return $"<pre class=\"stream\">{WebUtility.HtmlEncode(output["text"]?.GetValue<string>())}</pre>";
            case "error":
                // The traceback is the error's line, the rest of its message, then the frames in the notebook's code.
                var text = output["traceback"] is JsonArray { Count: > 0 } traceback
                    ? string.Join("\n", traceback.Select(line => line?.GetValue<string>()))
                    : $"{output["ename"]?.GetValue<string>()}: {output["evalue"]?.GetValue<string>()}";
                return $"<div class=\"error\">{WebUtility.HtmlEncode(text)}</div>";
            default:
                if (Html(output) is { } html) return NotebookDisplay.WithoutPlotlyScript(html);
                return $"<pre class=\"stream\">{WebUtility.HtmlEncode(output["data"]?["text/plain"]?.GetValue<string>())}</pre>";
        }
    }
}
