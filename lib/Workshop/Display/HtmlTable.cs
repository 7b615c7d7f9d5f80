using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace StreamingWorkshop.Display;

/// <summary>
/// Small builders for the kit's displays: HTML fragments (self-contained, escaped, no scripts) and aligned
/// plain-text tables. Every display type offers both, so notebooks show HTML and terminals show text.
/// </summary>
public static partial class HtmlTable
{
    /// <summary>The type every kit display is set in, tables and the sentences beside them alike.</summary>
    public const string Font = "font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px";

    public const string Style = "border-collapse:collapse;" + Font;

    // Colours that read on a light page and on a dark one (VS Code's default theme is dark, and JupyterLab and the
    // exported pages have dark themes too). Text keeps the page's own colour; shades are see-through greys and tints
    // over whatever lies behind; quieter text is the page's colour, partly transparent.
    public const string Border = "rgba(127,127,127,0.5)";
    public const string Shade = "rgba(127,127,127,0.16)";
    public const string Quiet = "opacity:0.75";
    public const string BlueTint = "rgba(9,105,218,0.14)";
    public const string RedTint = "rgba(207,34,46,0.14)";
    public const string GreenTint = "rgba(45,164,78,0.16)";
    public const string AmberTint = "rgba(212,167,44,0.18)";

    // Each cell carries its alignment, border and padding inline: Jupyter's and nbconvert's stylesheet right-aligns the
    // cells of an output's tables, centres them vertically and drops their borders, and only an inline style outranks it.
    private const string Cell = $"border:1px solid {Border};padding:2px 6px;text-align:left;vertical-align:top";

    public static string Encode(object? value) => WebUtility.HtmlEncode(value?.ToString() ?? "");

    /// <summary>A line under a result, in small quieter text: a query's run time and cost, the prices a table assumes.</summary>
    public static string Note(string text) => $"<p style=\"{Quiet};font-size:12px\">{Encode(text)}</p>";

    /// <summary>A note of several lines, one paragraph with each line broken where it ends.</summary>
    public static string Note(IEnumerable<string> lines) => $"<p style=\"{Quiet};font-size:12px\">{string.Join("<br>", lines.Select(Encode))}</p>";

    /// <param name="headerNotes">A small second line under each header, such as a column's type.</param>
    /// <param name="columnStyles">Style added to each column's cells, such as a prose column's least width (null: none).</param>
    public static string Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string? caption = null, IReadOnlyList<string>? headerNotes = null,
        IReadOnlyList<string?>? columnStyles = null)
    {
        var html = new StringBuilder();
        // The title sits above the table, not in a <caption>, which would wrap at the table's width.
        if (caption is not null) html.Append($"<div style=\"{Style};font-weight:bold;padding:4px 0\">{Encode(caption)}</div>");
        html.Append(Open).Append("<thead><tr>");
        for (var i = 0; i < headers.Count; i++)
        {
            var note = headerNotes is not null && i < headerNotes.Count ? $"<br><small style=\"{Quiet};font-weight:normal\">{Encode(headerNotes[i])}</small>" : "";
            html.Append(HeaderCell(headers[i], note));
        }
        html.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            for (var i = 0; i < row.Count; i++) html.Append(DataCell(row[i], columnStyles is not null && i < columnStyles.Count ? columnStyles[i] : null));
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
        return html.ToString();
    }

    /// <summary>The opening tag of a kit table; a display that builds its own rows starts with it, then uses the two cells below.</summary>
    public static string Open => $"<table style=\"{Style}\">";

    /// <summary>A column's header, shaded, left-aligned and bordered like every kit table's; <paramref name="noteHtml"/> follows the escaped name.</summary>
    public static string HeaderCell(string name, string noteHtml = "") => $"<th style=\"{Cell};background:{Shade}\">{Encode(name)}{noteHtml}</th>";

    /// <summary>
    /// A value, escaped, left-aligned and bordered; <paramref name="style"/> adds to the cell's style (white-space:nowrap, say).
    /// A short name, id or time keeps to one line, so a long column beside it cannot break it at its hyphens. A value with a
    /// run longer than that and no space in it (a record's JSON, a console address, a workspace path, a job run's id) may
    /// break inside the run where it has to: otherwise that run alone sets its column's least width, and the table is
    /// pushed past the right edge of an output area (Jupyter Notebook's is under 1,000 px in a window of 1,280).
    /// </summary>
    public static string DataCell(string value, string? style = null)
    {
        // Runs of spaces that lay a value out in columns (DESCRIBE's rows) are kept, not collapsed to one.
        if (style is null && value.Contains("  ", StringComparison.Ordinal)) style = "white-space:pre-wrap";
        var givesWhiteSpace = style?.Contains("white-space", StringComparison.Ordinal) == true;
        var keepWhole = KeepsToOneLine(value) && !givesWhiteSpace;
        var breakInside = !givesWhiteSpace && HasLongRun(value);
        var added = string.Join(";", new[] { style, keepWhole ? "white-space:nowrap" : null, breakInside ? "overflow-wrap:anywhere" : null }.OfType<string>());
        return $"<td style=\"{Cell}{(added.Length == 0 ? "" : ";" + added)}\">{(breakInside ? EncodeJsonMembers(value) : Encode(value))}</td>";
    }

    /// <summary>
    /// The value escaped, with a line-break opportunity between JSON members (after a comma before a quote), so a record
    /// breaks between its keys and values before it breaks inside one, as the text tables wrap it.
    /// </summary>
    private static string EncodeJsonMembers(string value) =>
        string.Join(",<wbr>", value.Split(",\"").Select((part, i) => Encode(i == 0 ? part : "\"" + part)));

    /// <summary>A run of more than <see cref="LongestWholeValue"/> characters with no space in it.</summary>
    private static bool HasLongRun(string value)
    {
        var run = 0;
        foreach (var c in value)
            if (char.IsWhiteSpace(c)) run = 0;
            else if (++run > LongestWholeValue) return true;
        return false;
    }

    /// <summary>Longest id (an ARN, a file name) kept to one line; longer ones may still break, at their punctuation.</summary>
    private const int LongestWholeValue = 40;

    /// <summary>shardId-000000000000, reader-behind, /aws-glue/jobs/output, 2026-12-06 00:00:00 UTC: one token, or a time.</summary>
    private static bool KeepsToOneLine(string value) =>
        value.Length <= LongestWholeValue && (!value.Any(char.IsWhiteSpace) || TimeValue().IsMatch(value));

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?( UTC)?$")]
    private static partial Regex TimeValue();
}

public static class TextTable
{
    private const int Gap = 2;
    private const int NarrowestColumn = 8;
    private const int LongestUnwrapped = 28;
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

    /// <summary>A terminal's usual width, for text shown where nothing says how wide it is (a notebook's text/plain).</summary>
    public const int UsualWidth = 80;

    /// <summary>The width text is fitted to: the terminal's (<see cref="FitTo"/>), else <see cref="UsualWidth"/>.</summary>
    public static int Width => FitWidth.Value ?? UsualWidth;

    /// <summary>True inside <see cref="FitTo"/>: text is going to a terminal of <see cref="Width"/> columns.</summary>
    public static bool Fitting => FitWidth.Value is not null;

    /// <summary>Prose in lines of at most <see cref="Width"/> characters, broken between words.</summary>
    public static string WrapToWidth(string text) => string.Join("\n", Wrap(text, Width));

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

    /// <summary>
    /// The table in at most <paramref name="width"/> characters: the widest columns narrow first and their cells wrap, nothing
    /// is cut. When that would break a word of a cell mid-way, the rows are shown as blocks instead (<see cref="RenderExpanded"/>).
    /// </summary>
    public static string RenderToFit(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows, int width)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        int Widest(IEnumerable<IReadOnlyList<string>> lines, int column) => lines.Max(r => column < r.Count ? r[column].Split('\n').Max(l => l.Length) : 0);
        var room = width - Gap * Math.Max(0, headers.Count - 1);
        var widths = Enumerable.Range(0, headers.Count).Select(i => Widest(all, i)).ToArray();
        // When the table is too wide, headers wrap at their spaces too, so a column is only as wide as its data needs.
        if (widths.Sum() > room)
            widths = Enumerable.Range(0, headers.Count).Select(i => Math.Max(Widest(rows.DefaultIfEmpty([]), i), headers[i].Split(' ').Max(w => w.Length))).ToArray();
        // Columns of short values (names, ids, statuses) keep their width while the long ones wrap; when even that is
        // too wide, the widest of them wraps too, one at a time.
        var floors = widths.Select(w => w <= LongestUnwrapped ? w : Math.Min(w, NarrowestColumn)).ToArray();
        while (floors.Sum() > room && Enumerable.Range(0, floors.Length).Where(i => floors[i] > NarrowestColumn).ToList() is { Count: > 0 } kept)
            floors[kept.MaxBy(i => floors[i])] = NarrowestColumn;
        while (widths.Sum() > room && Enumerable.Range(0, widths.Length).Where(i => widths[i] > floors[i]).ToList() is { Count: > 0 } wrappable)
            widths[wrappable.MaxBy(i => widths[i])]--;
        // A column that would break its names, ids or numbers mid-way cannot be read at this width: each row becomes a
        // block of its own instead, as psql's expanded display does. The last column may break a long word (a log's
        // detail, a record's data): it reads on down the lines, and blocks would make a long list far longer.
        if (rows.Count > 0 && Enumerable.Range(0, widths.Length - 1).Any(i => widths[i] < Math.Min(LongestUnwrapped, rows.Max(r => i < r.Count ? LongestWord(r[i]) : 0))))
            return RenderExpanded(headers, rows, width);
        return RenderInWidths(headers, rows, widths);
    }

    /// <summary>The table with each column as wide as <paramref name="widths"/> says, longer cells wrapping within it.</summary>
    public static string RenderInWidths(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows, IReadOnlyList<int> widths)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
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

    private static int LongestWord(string cell) => cell.Split([' ', '\n']).Max(w => w.Length);

    /// <summary>
    /// The rows as blocks parted by a blank line, one line per column: its header, then its value, wrapped beside it.
    /// </summary>
    public static string RenderExpanded(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows, int width)
    {
        var labelWidth = Math.Min(headers.Max(h => h.Length), width / 3);
        var valueWidth = Math.Max(NarrowestColumn, width - labelWidth - Gap);
        var text = new StringBuilder();
        for (var r = 0; r < rows.Count; r++)
        {
            if (r > 0) text.Append('\n');
            for (var c = 0; c < headers.Count; c++)
            {
                var label = Wrap(headers[c], labelWidth);
                var value = Wrap(c < rows[r].Count ? rows[r][c] : "", valueWidth);
                for (var line = 0; line < Math.Max(label.Count, value.Count); line++)
                    text.Append(((line < label.Count ? label[line] : "").PadRight(labelWidth) + new string(' ', Gap) + (line < value.Count ? value[line] : "")).TrimEnd()).Append('\n');
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// Lines of at most <paramref name="width"/> characters, broken at a space near the end, else between JSON members
    /// (after a comma before a quote) near the end, so a record's keys and values stay whole, else after / - _ . , ; : ? &amp; =
    /// near the end (never inside a number such as $0.25 or 1,440), else at an earlier space, else after earlier
    /// punctuation (Glue. | EntityNotFoundException), else between the words of a long name (ConcurrentRunsExceeded |
    /// Exception), else mid-word.
    /// </summary>
    public static IReadOnlyList<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        foreach (var paragraph in text.Split('\n'))
        {
            var rest = paragraph;
            while (rest.Length > width && width > 0)
            {
                // Prose breaks at its spaces, so a price or a web address stays whole; a path or an id with no space
                // near the end breaks after its punctuation.
                var nearEnd = Enumerable.Range(Math.Max(1, width / 2), width - Math.Max(1, width / 2) + 1).Reverse().ToList();
                var anywhere = Enumerable.Range(1, width).Reverse().ToList();
                bool AfterPunctuation(int i) => "/-_.,;:?&=".Contains(rest[i - 1]) && !(char.IsDigit(rest[i]) && ".,".Contains(rest[i - 1]));
                bool BetweenCamelCaseWords(int i) => char.IsLower(rest[i - 1]) && char.IsUpper(rest[i]);
                var cut = nearEnd.Where(i => rest[i] == ' ')
                    .Concat(nearEnd.Where(i => rest[i - 1] == ',' && rest[i] == '"'))
                    .Concat(nearEnd.Where(AfterPunctuation))
                    .Concat(anywhere.Where(i => rest[i] == ' '))
                    .Concat(anywhere.Where(AfterPunctuation))
                    .Concat(nearEnd.Where(BetweenCamelCaseWords))
                    .DefaultIfEmpty(width).First();
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
