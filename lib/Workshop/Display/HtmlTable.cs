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

    public static string Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string? caption = null)
    {
        var html = new StringBuilder();
        html.Append($"<table style=\"{Style}\">");
        if (caption is not null) html.Append($"<caption style=\"text-align:left;font-weight:bold;padding:4px 0\">{Encode(caption)}</caption>");
        html.Append("<thead><tr>");
        foreach (var header in headers) html.Append($"<th style=\"{Cell};background:#f3f3f3\">{Encode(header)}</th>");
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
    private const int Gap = 2;
    private const int NarrowestColumn = 8;
    private const int LongestWholeWord = 28;
    private static readonly AsyncLocal<int?> FitWidth = new();

    /// <summary>
    /// Until the result is disposed, tables on this flow are at most <paramref name="width"/> characters wide:
    /// long cells wrap onto more lines instead of being cut. The CLI sets it to the terminal's width.
    /// </summary>
    public static IDisposable FitTo(int width)
    {
        var previous = FitWidth.Value;
        FitWidth.Value = width;
        return new Restore(() => FitWidth.Value = previous);
    }

    /// <summary>Columns padded to their widest cell; long cells are cut at <paramref name="maxWidth"/> with an ellipsis, or wrapped inside <see cref="FitTo"/>.</summary>
    public static string Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, int maxWidth = 120)
    {
        if (FitWidth.Value is { } width) return RenderToFit(headers, rows.ToList(), width);
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

    /// <summary>The table in at most <paramref name="width"/> characters: the widest columns narrow first and their cells wrap, nothing is cut.</summary>
    public static string RenderToFit(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows, int width)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, headers.Count).Select(i => all.Max(r => i < r.Count ? r[i].Split('\n').Max(l => l.Length) : 0)).ToArray();
        var room = width - Gap * Math.Max(0, headers.Count - 1);
        // Short single words (names, ids, statuses) stay whole while other columns can still give room; then any column may wrap.
        var wholeWords = Enumerable.Range(0, headers.Count).Select(i => Math.Min(widths[i], Math.Max(NarrowestColumn,
            all.Select(r => i < r.Count ? r[i].Split(' ', '\n').Max(w => w.Length) : 0).Where(w => w <= LongestWholeWord).DefaultIfEmpty(0).Max()))).ToArray();
        foreach (var floor in new[] { wholeWords, widths.Select(w => Math.Min(w, NarrowestColumn)).ToArray() })
        {
            while (widths.Sum() > room)
            {
                var shrinkable = Enumerable.Range(0, widths.Length).Where(i => widths[i] > floor[i]).ToList();
                if (shrinkable.Count == 0) break;
                var widest = shrinkable.MaxBy(i => widths[i]);
                widths[widest]--;
            }
        }
        var text = new StringBuilder();
        for (var r = 0; r < all.Count; r++)
        {
            var cells = widths.Select((w, i) => Wrap(i < all[r].Count ? all[r][i] : "", w)).ToArray();
            for (var line = 0; line < cells.Max(c => c.Count); line++)
                text.Append(string.Join(new string(' ', Gap), cells.Select((c, i) => (line < c.Count ? c[line] : "").PadRight(widths[i]))).TrimEnd()).Append('\n');
            if (r == 0) text.AppendJoin(new string(' ', Gap), widths.Select(w => new string('-', w))).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Lines of at most <paramref name="width"/> characters, broken at a space or after / - _ . , ; : ? &amp; = where one is near the end, else mid-word.</summary>
    public static IReadOnlyList<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        foreach (var paragraph in text.Split('\n'))
        {
            var rest = paragraph;
            while (rest.Length > width && width > 0)
            {
                var cut = width;
                for (var i = width; i >= Math.Max(1, width / 2); i--)
                {
                    if (rest[i] == ' ' || "/-_.,;:?&=".Contains(rest[i - 1])) { cut = i; break; }
                }
                lines.Add(rest[..cut].TrimEnd());
                rest = rest[cut..].TrimStart(' ');
            }
            lines.Add(rest);
        }
        return lines;
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}
