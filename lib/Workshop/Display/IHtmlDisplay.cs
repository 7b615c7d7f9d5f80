namespace StreamingWorkshop.Display;

/// <summary>
/// A kit value with a designed look: <see cref="ToHtml"/> for notebooks and pages, <c>ToString()</c> for terminals.
/// The notebook engine shows anything that implements it as designed, never as a generic object tree.
/// </summary>
public interface IHtmlDisplay
{
    string ToHtml();

    /// <summary>
    /// The value as a terminal shows it. Most kit values show their <c>ToString()</c>; a workspace or a clock keeps
    /// <c>ToString()</c> short (a path, a time) for messages that quote it, and shows more here.
    /// </summary>
    string ToText() => ToString() ?? "";
}

/// <summary>A titled two-column table of names and values, for small settings and summaries.</summary>
public sealed class PropertiesView(string title, IReadOnlyList<(string Name, string Value)> properties) : IHtmlDisplay
{
    public string Title { get; } = title;
    public IReadOnlyList<(string Name, string Value)> Properties { get; } = properties;

    public string? this[string name] => Properties.FirstOrDefault(p => p.Name == name).Value;

    private IEnumerable<IReadOnlyList<string>> Rows => Properties.Select(p => (IReadOnlyList<string>)[p.Name, p.Value]);

    public string ToHtml() => HtmlTable.Render(["Property", "Value"], Rows, Title);

    public override string ToString() => Title + "\n" + TextTable.Render(["Property", "Value"], Rows);
}

/// <summary>
/// A titled table with a sentence under it: in HTML as every kit table, in text fitted to the terminal's width (80
/// columns when nothing sets it), the title and the sentence wrapped between words.
/// </summary>
public sealed class NotedTableView(string title, IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows, string note) : IHtmlDisplay
{
    public string ToHtml() => HtmlTable.Render(headers, rows, title) + HtmlTable.Note(note);

    public override string ToString() =>
        TextTable.WrapToWidth(title) + "\n" + TextTable.RenderToFit(headers, rows, TextTable.Width) + TextTable.WrapToWidth(note) + "\n";
}

/// <summary>
/// What a stage offers (<c>workshop.Catalog</c>, <c>workshop.Stages.Catalog</c>, ...): each call with the AWS operation
/// behind it, or with what it does where no AWS operation is behind it (<paramref name="secondHeader"/>).
/// The text fits the terminal's width (80 columns when nothing sets it), long cells wrapping.
/// </summary>
/// <param name="note">A sentence under the table: what to pass, or where the kit's shorter calls are.</param>
public sealed class CallsView(string title, IReadOnlyList<(string Call, string AwsOperation)> calls, string? note = null, string secondHeader = CallsView.AwsOperation)
    : IHtmlDisplay
{
    public const string AwsOperation = "AWS operation";

    public string Title { get; } = title;
    public IReadOnlyList<(string Call, string AwsOperation)> Calls { get; } = calls;
    public string? Note { get; } = note;

    private string[] Headers => ["Call", secondHeader];

    private IReadOnlyList<IReadOnlyList<string>> Rows => Calls.Select(c => (IReadOnlyList<string>)[c.Call, c.AwsOperation]).ToList();

    public string ToHtml() => HtmlTable.Render(Headers, Rows, Title) + (Note is null ? "" : HtmlTable.Note(Note));

    public override string ToString() =>
        TextTable.WrapToWidth(Title) + "\n" + TextTable.RenderInWidths(Headers, Rows, ColumnWidths(TextTable.Width)) + (Note is null ? "" : TextTable.WrapToWidth(Note) + "\n");

    /// <summary>
    /// How to share the width: calls are code, to be read and copied whole, so their column is as wide as the most calls
    /// need to keep to one line (a longer one wraps between its arguments, never inside a name), leaving the operations at
    /// least <see cref="NarrowestOperations"/> columns; the operations are prose and wrap between their words. Of two
    /// shares that keep as many calls whole, the one with fewer lines.
    /// </summary>
    private int[] ColumnWidths(int width)
    {
        const int gap = 2;
        var room = Math.Max(0, width - gap);
        var widestOperation = Rows.Select(r => r[1].Length).Append(Headers[1].Length).Max();
        var longestName = Rows.Select(r => r[0].Split(' ').Max(word => word.Length)).Append(Headers[0].Length).Max();
        int[] Share(int call) => [call, Math.Max(Headers[1].Length, Math.Min(widestOperation, room - call))];
        int CallsWrapped(int[] widths) => Rows.Count(r => r[0].Length > widths[0]);
        int Lines(int[] widths) => Rows.Sum(r => Math.Max(TextTable.Wrap(r[0], widths[0]).Count, TextTable.Wrap(r[1], widths[1]).Count));
        var candidates = Rows.Select(r => r[0].Length).Append(longestName)
            .Where(call => call >= longestName && call <= room - NarrowestOperations).DefaultIfEmpty(longestName).Distinct();
        return candidates.Select(Share).OrderBy(CallsWrapped).ThenBy(Lines).ThenByDescending(widths => widths[0]).First();
    }

    private const int NarrowestOperations = 24;
}
