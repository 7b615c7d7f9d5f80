using Spectre.Console;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Cli;

/// <summary>
/// Where the CLI writes: data on stdout, so `workshop query --format csv > f.csv` holds only data; errors,
/// warnings and notices on stderr, one plain line each (never wrapped, so scripts and logs can find them).
/// </summary>
internal static class Terminal
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

    /// <summary>Prints one of the kit's displays on stdout, its tables wrapped to fit the terminal.</summary>
    public static void Show(object display)
    {
        using var fit = TextTable.FitTo(Width);
        Console.Out.WriteLine(display.ToString());
    }

    /// <summary>An error, a warning or a notice: one line on stderr.</summary>
    public static void Tell(string line) => Console.Error.WriteLine(line);
}
