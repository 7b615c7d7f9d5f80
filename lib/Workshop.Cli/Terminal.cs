using Spectre.Console;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Cli;

/// <summary>
/// Where the CLI writes: data on stdout, so `workshop query --format csv > f.csv` holds only data; errors,
/// warnings and notices on stderr, one plain line each (never wrapped, so scripts and logs can find them).
/// </summary>
internal static partial class Terminal
{
    /// <summary>The width used when neither COLUMNS nor a console window says otherwise (output redirected to a file or a pipe).</summary>
    public const int DefaultWidth = 80;

    /// <summary>COLUMNS when set, else the console window's width, else <see cref="DefaultWidth"/>.</summary>
    public static int Width { get; } = DetectWidth();

    private static int DetectWidth()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 0) return columns;
        if (Console.IsOutputRedirected) return DefaultWidth;
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : DefaultWidth;
        }
        catch (IOException)
        {
            return DefaultWidth;
        }
    }

    /// <summary>
    /// Makes Spectre's tables and progress bars as wide as COLUMNS says. Without COLUMNS, Spectre already takes the
    /// window's width, or 80 columns when redirected, and it is left unloaded until a verb uses it (a faster start).
    /// </summary>
    public static void Configure()
    {
        if (Environment.GetEnvironmentVariable("COLUMNS") is not null) AnsiConsole.Profile.Width = Width;
    }

    /// <summary>
    /// True when stdout is a file or a pipe and COLUMNS names no width: what is written there is read by grep and scripts,
    /// so nothing is wrapped to a window that is not there.
    /// </summary>
    private static bool Unfitted => Console.IsOutputRedirected && Environment.GetEnvironmentVariable("COLUMNS") is null;

    /// <summary>
    /// Prints one of the kit's displays on stdout, its tables wrapped to fit the terminal; into a file or a pipe, each line
    /// and each table row whole.
    /// </summary>
    public static void Show(object display)
    {
        // A log is one event a line: into a file or a pipe each stays whole, so grep finds a record's sequence number or
        // JSON; in a terminal a long one breaks between its words and JSON members, never inside them.
        if (display is StreamingWorkshop.Producer.LogEventsView log)
        {
            var lines = log.ToString().TrimEnd('\n');
            Console.Out.WriteLine(Console.IsOutputRedirected ? lines : string.Join('\n', lines.Split('\n').SelectMany(line => LogEventLines(line, Width))));
            return;
        }
        using var fit = TextTable.FitTo(Unfitted ? int.MaxValue : Width);
        var text = display.ToString() ?? "";
        // A lake's tree stays as it is: each line is a folder or an object's whole key, to be read and copied as one; only
        // its first line's count and size go under the s3:// URI when the two do not fit the terminal together.
        Console.Out.WriteLine(Unfitted ? text : display is StreamingWorkshop.Lake.BucketTreeView ? SummaryUnderLongUri(text) : FitProse(text));
    }

    private static string SummaryUnderLongUri(string tree)
    {
        var end = tree.IndexOf('\n');
        var first = end < 0 ? tree : tree[..end];
        var summary = first.LastIndexOf("  (", StringComparison.Ordinal);
        return first.Length <= Width || summary <= 0 ? tree : first[..summary] + "\n" + first[summary..] + (end < 0 ? "" : tree[end..]);
    }

    /// <summary>
    /// One log event's line as a terminal of <paramref name="width"/> columns shows it: its tabs (Lambda's REPORT line has
    /// four) as the spaces to the next stop of eight, so that wrapping counts the columns the terminal will use.
    /// </summary>
    internal static IEnumerable<string> LogEventLines(string line, int width) => WrapWhole(StreamingWorkshop.Query.AthenaConsole.ExpandTabs(line), width);

    /// <summary>
    /// A line in pieces of at most <paramref name="width"/> characters, broken only at white space or between JSON members
    /// (after a comma before a quote); a word longer than the width (a key, a sequence number) stays whole on its own line.
    /// </summary>
    internal static IEnumerable<string> WrapWhole(string line, int width)
    {
        var rest = line;
        while (rest.Length > width)
        {
            var cut = Enumerable.Range(1, width).Reverse().FirstOrDefault(i => i < rest.Length && (rest[i] is ' ' or '\t' || rest[i - 1] == ',' && rest[i] == '"'));
            // No break within the width: the first one after it, so the word is never split.
            if (cut == 0) cut = Enumerable.Range(width + 1, rest.Length - width - 1).FirstOrDefault(i => rest[i] is ' ' or '\t' || rest[i - 1] == ',' && rest[i] == '"');
            if (cut == 0) break;
            yield return rest[..cut].TrimEnd();
            rest = rest[cut..].TrimStart(' ', '\t');
        }
        yield return rest;
    }

    /// <summary>
    /// Lines of prose longer than the terminal, wrapped at their spaces but never inside a quoted command such as
    /// 'workshop doctor --backend aws'; a line that is one long word (a key, a path) stays whole so it can be copied.
    /// </summary>
    public static string FitProse(string text) => string.Join('\n', text.Split('\n').SelectMany(line =>
        line.Length <= Width || !line.Trim().Contains(' ')
            ? [line]
            : TextTable.Wrap(NumberAndUnit().Replace(QuotedCommand().Replace(line, quoted => quoted.Value.Replace(' ', '\u00A0')), "\u00A0"), Width).Select(l => l.Replace('\u00A0', ' '))));

    // The space between a number and its unit (2 MiB/s, 30 s, 5 min), which a line should not break at.
    [System.Text.RegularExpressions.GeneratedRegex(@"(?<=\d) (?=(?:[KMGT]i?B|B|ms|s|min|h)\b)")]
    private static partial System.Text.RegularExpressions.Regex NumberAndUnit();

    // A quote opens after a space or a bracket, so the apostrophe of "the kit's" opens nothing.
    [System.Text.RegularExpressions.GeneratedRegex(@"(?<=^|[\s(])'[^'\n]{1,60}'(?=$|[\s.,;:)])")]
    private static partial System.Text.RegularExpressions.Regex QuotedCommand();

    /// <summary>
    /// Rows as a boxed table when it fits the terminal as it is; when it would not, each row as a block of its own
    /// (<see cref="TextTable.RenderExpanded"/>), rather than columns so narrow that names and values break mid-word.
    /// </summary>
    public static void ShowGrid(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        // Each column is its widest cell plus a border and a space either side; one more border closes the row.
        var natural = headers.Select((header, i) => rows.Select(r => r[i].Split('\n').Max(l => l.Length)).Append(header.Length).Max()).Sum() + 3 * headers.Count + 1;
        if (rows.Count > 0 && natural > Width)
        {
            Console.Out.Write(TextTable.RenderExpanded(headers, rows, Width));
            return;
        }
        var grid = new Table();
        foreach (var header in headers) grid.AddColumn(Markup.Escape(header));
        foreach (var row in rows) grid.AddRow(row.Select(Markup.Escape).ToArray());
        AnsiConsole.Write(grid);
    }

    /// <summary>
    /// A footer of facts parted by " · ", in grey, each line as full as the terminal allows and broken only between
    /// facts, so that no figure is split from its label.
    /// </summary>
    public static void Footer(string text)
    {
        var line = "";
        foreach (var fact in text.Split(" · "))
        {
            if (line.Length > 0 && line.Length + 3 + fact.Length > Width)
            {
                AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]");
                line = "";
            }
            line = line.Length == 0 ? fact : line + " · " + fact;
        }
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]");
    }

    /// <summary>Where progress bars go: stderr, with the notices, so `> file` keeps only the data.</summary>
    public static IAnsiConsole Progress => StatusConsole.Instance;

    // A class of its own, so Spectre is loaded only by a verb that shows progress.
    private static class StatusConsole
    {
        public static readonly IAnsiConsole Instance = Create();

        private static IAnsiConsole Create()
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            if (Environment.GetEnvironmentVariable("COLUMNS") is not null) console.Profile.Width = Width;
            return console;
        }
    }

    /// <summary>
    /// An error, a warning or a notice: one line on stderr. In a terminal that line is broken at its spaces to fit, as
    /// prose on stdout is, so the terminal does not cut a name or an option in two at its edge.
    /// </summary>
    public static void Tell(string line) => Console.Error.WriteLine(Console.IsErrorRedirected ? line : FitProse(line));
}
