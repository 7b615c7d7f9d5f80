using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Analysis;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Notebooks;

/// <summary>
/// Turns values into notebook output bundles (text/plain, and text/html where there is one), with the
/// formatters registered through Microsoft.DotNet.Interactive.Formatting as .NET Interactive did:
/// the kit's own types (<see cref="IHtmlDisplay"/>, and sequences of them), Plotly.NET charts, DataFrames (first rows,
/// with the row count), and plain values (sequences, dictionaries, anonymous objects, records, tuples) as one table
/// (<see cref="PlainTable"/>).
/// </summary>
public static class NotebookDisplay
{
    public const int DataFrameRowsShown = 20;
    private const string PlotlyMarker = "<!-- streaming-workshop: plotly.js -->";
    private static readonly object Sync = new();
    private static bool registered;

    public static void EnsureFormattersRegistered()
    {
        lock (Sync)
        {
            if (registered) return;
            // Plotly.NET serializes a chart with Newtonsoft.Json, which looks for reference loops by comparing each value
            // with those above it; its objects compare by structure, so one chart took 170 ms or more. Comparing by
            // reference finds the same loops (a chart has none) and writes the same JSON in a few milliseconds.
            global::Globals.JSON_CONFIG.EqualityComparer = ReferenceEqualityComparer.Instance;
            Formatter.Register<GenericChart>(chart => GenericChart.toChartHTML(chart), HtmlFormatter.MimeType);
            Formatter.Register<DataFrame>(FormatDataFrame, HtmlFormatter.MimeType);
            // Also inside values the package formats itself, a kit value keeps its designed look.
            Formatter.Register<IHtmlDisplay>(view => Root(view.ToHtml()), HtmlFormatter.MimeType);
            // Arrays, lists, dictionaries and LINQ queries: one table of their first rows. DataFrame's formatter, for a
            // type more specific than IEnumerable, is still the one a DataFrame gets.
            Formatter.Register(typeof(System.Collections.IEnumerable), FormatSequence, HtmlFormatter.MimeType);
            registered = true;
        }
    }

    /// <summary>The MIME bundle for one value.</summary>
    public static JsonObject Bundle(object? value)
    {
        EnsureFormattersRegistered();
        var data = new JsonObject();
        if (value is null)
        {
            data["text/plain"] = "null";
            return data;
        }
        data["text/plain"] = PlainText(value);
        var html = Html(value);
        if (html is not null) data["text/html"] = Root(html);
        return data;
    }

    /// <summary>The classes that tell MathJax 2 and 3 (Jupyter, nbconvert's pages) to leave an element's text alone.</summary>
    public const string NoMathClasses = "tex2jax_ignore mathjax_ignore";

    /// <summary>
    /// An output's HTML inside one element that MathJax skips. Jupyter, VS Code and nbconvert typeset the text of HTML
    /// outputs, so a price line such as "$5 per TB ... $0.00005" would otherwise show as an italic formula.
    /// </summary>
    public static string Root(string html) => $"<div class=\"{NoMathClasses}\">{html}</div>";

    internal static string PlainText(object value) => value switch
    {
        string text => text,
        // Dates as the kit prints them everywhere (2025-01-14 10:15:00), not as the invariant culture would (01/14/2025).
        DateTimeOffset time => time.ToString("yyyy-MM-dd HH:mm:ss zzz", System.Globalization.CultureInfo.InvariantCulture),
        DateTime time => time.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + (time.Kind == DateTimeKind.Utc ? " UTC" : ""),
        DateOnly day => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        IHtmlDisplay view => view.ToText(),
        IEnumerable<IHtmlDisplay> views => string.Join("\n", views.Select(v => v.ToText())),
        Task task => NotAwaited(task),
        GenericChart => "Plotly chart (interactive: shown in Jupyter, VS Code or the page 'workshop run' writes)",
        DataFrame frame => $"DataFrame: {PlainTable.SizeCaption(frame.Rows.Count, "row", "rows", frame.Columns.Count)}\n{string.Join('\n', frame.ToString().Split('\n').Take(DataFrameRowsShown + 1))}",
        // Chosen here rather than registered as a text/plain formatter: the kit's text for other values is their
        // ToString, as a terminal prints them, and a text/plain formatter for IEnumerable would also be the one for
        // every string, which the package writes as text/plain inside its own HTML.
        _ when PlainTable.For(value) is { } table => table.ToText(),
        _ => value.ToString() ?? "",
    };

    /// <summary>
    /// A call's Task shown as the cell's value: the learner left out <c>await</c>, and the Task's own properties (Id,
    /// Status, IsCanceled...) would be all they saw, with no word of the result or of what to write.
    /// </summary>
    private static string NotAwaited(Task task)
    {
        // The Task<T> it is, whatever the runtime made (an async method's state machine box derives from it).
        var type = task.GetType();
        while (type.BaseType is { } baseType && !(type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Task<>))) type = baseType;
        var result = type.IsGenericType && type.GetGenericArguments()[0] is { Name: not "VoidTaskResult" } of ? $"Task<{of.Name}>" : "Task";
        return $"A {result}, not its result: the call was not awaited. Write await before it, as in await workshop.QueryAsync(...), to see what it gives.";
    }

    private static string? Html(object value)
    {
        return value switch
        {
            // A single value reads best as text: .NET Interactive's HTML for it is the same text plus a page-wide <style>.
            string or char or bool or Enum or DateTime or DateTimeOffset or DateOnly or TimeOnly or TimeSpan or Guid or decimal => null,
            _ when value.GetType().IsPrimitive => null,
            IHtmlDisplay view => view.ToHtml(),
            IEnumerable<IHtmlDisplay> views => string.Concat(views.Select(v => v.ToHtml())),
            Task task => $"<p>{System.Net.WebUtility.HtmlEncode(NotAwaited(task))}</p>",
            // Chosen here rather than registered: anonymous types, records and tuples have no type in common but object,
            // and a formatter for object would come before every one of the package's own (JSON, types, HTML content),
            // which it gives no way back to.
            _ when PlainTable.ForObject(value) is { } table => table.ToHtml(),
            _ => Formatter.ToDisplayString(value, HtmlFormatter.MimeType),
        };
    }

    private static bool FormatSequence(object value, FormatContext context)
    {
        switch (value)
        {
            // A kit list view (JobListView, ...) keeps its designed look: declining hands it to the IHtmlDisplay formatter.
            case IHtmlDisplay:
                return false;
            // A string is a sequence of characters too; inside the package's own trees it keeps the package's look.
            case string text:
                context.RequireDefaultStyles();
                context.Writer.Write($"<div class=\"dni-plaintext\"><pre>{System.Net.WebUtility.HtmlEncode(text)}</pre></div>");
                return true;
            default:
                context.Writer.Write(PlainTable.ForSequence((System.Collections.IEnumerable)value).ToHtml());
                return true;
        }
    }

    private static string FormatDataFrame(DataFrame frame)
    {
        var shown = (int)Math.Min(frame.Rows.Count, DataFrameRowsShown);
        var rows = Enumerable.Range(0, shown).Select(r => (IReadOnlyList<string>)frame.Columns.Select(c => c[r]?.ToString() ?? "").ToArray());
        var caption = PlainTable.SizeCaption(frame.Rows.Count, "row", "rows", frame.Columns.Count);
        return HtmlTable.Render(frame.Columns.Select(c => c.Name).ToArray(), rows, caption);
    }

    private static int formatterWarmedUp;

    /// <summary>
    /// Once per process, on a pool thread: formats a number as a cell's value would be. A session starts this as it is
    /// made, so the formatting package's set-up (about 70 ms here) happens while the first cell compiles on the other
    /// core, not after it. Charts wait for the first cell's end (<see cref="WarmUpChartsInBackground"/>): their set-up
    /// is heavy enough to slow the compiler down more than it saves.
    /// </summary>
    public static void WarmUpFormatterInBackground()
    {
        if (Interlocked.Exchange(ref formatterWarmedUp, 1) == 1) return;
        _ = Task.Run(() => Bundle(0));
    }

    private static int chartsWarmedUp;

    /// <summary>
    /// Once per process, on a pool thread: makes and formats a small chart as a notebook's would be, so the first chart
    /// a learner draws does not also pay for Plotly.NET's first use (its F# modules' set-up and Newtonsoft.Json's
    /// contracts, about 0.3 s here).
    /// </summary>
    public static void WarmUpChartsInBackground()
    {
        if (Interlocked.Exchange(ref chartsWarmedUp, 1) == 1) return;
        _ = Task.Run(() =>
        {
            EnsureFormattersRegistered();
            var hours = new[] { new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 1, 1, 1, 0, 0, DateTimeKind.Utc) };
            var chart = Plotly.NET.CSharp.Chart.Combine([Plotly.NET.CSharp.Chart.Line<DateTime, double, string>(x: hours, y: [1.0, 2.0], Name: "warm-up")])
                .Titled("warm-up", "x", "y");
            _ = Html(chart);
            _ = PlotlyScript();
        });
    }

    // Read once: it goes into the first chart of every notebook and into every page with a chart (3.5 MB each time).
    private static readonly Lazy<string> plotlyScript = new(ReadPlotlyScript);

    /// <summary>plotly.js from the Plotly.NET package, as one script tag, so pages work with no network.</summary>
    public static string PlotlyScript() => plotlyScript.Value;

    private static string ReadPlotlyScript()
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith(".min.js", StringComparison.Ordinal) && n.Contains("plotly", StringComparison.OrdinalIgnoreCase));
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        // Jupyter's classic frontend loads RequireJS, and plotly.js then registers itself as an AMD module instead of
        // setting window.Plotly, so the charts' own scripts find no Plotly; hiding the module loaders keeps the global.
        return $"{PlotlyMarker}<script type=\"text/javascript\">(function (define, exports, module) {{\n{reader.ReadToEnd()}\n}}).call(window);</script>{PlotlyMarker}";
    }

    /// <summary>Removes an embedded plotly.js from an HTML output (the page exporter loads it once in the head instead).</summary>
    public static string WithoutPlotlyScript(string html)
    {
        var start = html.IndexOf(PlotlyMarker, StringComparison.Ordinal);
        if (start < 0) return html;
        var end = html.IndexOf(PlotlyMarker, start + PlotlyMarker.Length, StringComparison.Ordinal);
        return end < 0 ? html : html[..start] + html[(end + PlotlyMarker.Length)..];
    }

    public static bool IsChart(object? value) => value is GenericChart;
}
