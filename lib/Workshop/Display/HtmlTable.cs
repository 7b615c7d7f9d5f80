using System.Net;
using System.Text;

namespace StreamingWorkshop.Display;

/// <summary>
/// Small builders for the kit's displays: HTML fragments (self-contained, escaped, no scripts) and aligned
/// plain-text tables. Every display type offers both, so notebooks show HTML and terminals show text.
/// </summary>
public static class HtmlTable
{
    public const string Style = "border-collapse:collapse;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px";
    private const string Cell = "border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top";

    public static string Encode(object? value) => WebUtility.HtmlEncode(value?.ToString() ?? "");

    /// <param name="headerNotes">A small second line under each header, such as a column's type.</param>
    public static string Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string? caption = null, IReadOnlyList<string>? headerNotes = null)
    {
        var html = new StringBuilder();
        html.Append($"<table style=\"{Style}\">");
        if (caption is not null) html.Append($"<caption style=\"text-align:left;font-weight:bold;padding:4px 0\">{Encode(caption)}</caption>");
        html.Append("<thead><tr>");
        for (var i = 0; i < headers.Count; i++)
        {
            var note = headerNotes is not null && i < headerNotes.Count ? $"<br><small style=\"color:#57606a;font-weight:normal\">{Encode(headerNotes[i])}</small>" : "";
            html.Append($"<th style=\"{Cell};background:#f3f3f3\">{Encode(headers[i])}{note}</th>");
        }
        html.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            foreach (var cell in row) html.Append($"<td style=\"{Cell}\">{Encode(cell)}</td>");
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
        return html.ToString();
    }
}

public static class TextTable
{
    /// <summary>Columns padded to their widest cell; long cells are cut at <paramref name="maxWidth"/> with an ellipsis.</summary>
    public static string Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, int maxWidth = 120)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows.Select(r => (IReadOnlyList<string>)r.Select(c => c.Length > maxWidth ? c[..(maxWidth - 1)] + "…" : c).ToArray()));
        var widths = Enumerable.Range(0, headers.Count).Select(i => all.Max(r => i < r.Count ? r[i].Length : 0)).ToArray();
        var text = new StringBuilder();
        for (var r = 0; r < all.Count; r++)
        {
            text.AppendJoin("  ", all[r].Select((c, i) => i == all[r].Count - 1 ? c : c.PadRight(widths[i]))).Append('\n');
            if (r == 0) text.AppendJoin("  ", widths.Select(w => new string('-', w))).Append('\n');
        }
        return text.ToString();
    }
}
