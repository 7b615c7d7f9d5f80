using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>
/// One figure in a bench table: the text shown in the terminal, and the number written to JSON when there is one
/// (so `--json` carries 1234.5, not "1,235 ms").
/// </summary>
internal readonly record struct BenchValue(string Text, double? Number, string Unit = "")
{
    public static implicit operator BenchValue(string text) => new(text, null);

    /// <summary>A number shown with <paramref name="format"/> and an optional unit after it ("12.3 ms", "1.4x").</summary>
    public static BenchValue Of(double number, string format, string unit = "") =>
        new(number.ToString(format, CultureInfo.InvariantCulture) + unit, number, unit.Trim());

    /// <summary>The JSON of a cell: null when empty, its text when it is no number, else its unrounded value and unit.</summary>
    public JsonNode? ToJson() => this switch
    {
        { Number: { } number } when double.IsFinite(number) => new JsonObject { ["value"] = number, ["unit"] = Unit, ["text"] = Text },
        { Text.Length: 0 } => null,
        _ => JsonValue.Create(Text),
    };

    public static BenchValue Milliseconds(TimeSpan time) => Of(time.TotalMilliseconds, time.TotalMilliseconds < 10 ? "0.0" : "N0", " ms");

    public static BenchValue Seconds(TimeSpan time) => Of(time.TotalSeconds, "0.0", " s");

    public static BenchValue Ratio(double ratio) => Of(ratio, ratio < 10 ? "0.00" : "N1", "x");
}

/// <summary>A titled table of a bench's figures: printed as a terminal table, written as rows of named values to JSON.</summary>
internal sealed class BenchTable(string title, IReadOnlyList<string> columns)
{
    private readonly List<BenchValue[]> rows = [];

    public string Title { get; } = title;

    public IReadOnlyList<string> Columns { get; } = columns;

    public IReadOnlyList<BenchValue[]> Rows => rows;

    /// <summary>A line under the table: how to read it, or a figure that has no row.</summary>
    public string? Caption { get; set; }

    public BenchTable AddRow(params BenchValue[] values)
    {
        if (values.Length != Columns.Count)
            throw new ArgumentException($"Bench table '{Title}' has {Columns.Count} columns; a row gave {values.Length} values.");
        rows.Add(values);
        return this;
    }

    public Table ToTerminalTable()
    {
        var table = new Table().Title(Markup.Escape(Title)).AddColumns(Columns.Select(Markup.Escape).ToArray());
        foreach (var row in rows) table.AddRow(row.Select(v => Markup.Escape(v.Text)).ToArray());
        return Caption is null ? table : table.Caption(Markup.Escape(Caption));
    }

    public JsonObject ToJson()
    {
        var list = new JsonArray();
        foreach (var row in rows)
        {
            var item = new JsonObject();
            for (var i = 0; i < Columns.Count; i++)
                item[Columns[i]] = row[i].ToJson();
            list.Add(item);
        }
        var json = new JsonObject { ["title"] = Title, ["rows"] = list };
        if (Caption is not null) json["caption"] = Caption;
        return json;
    }
}

/// <summary>
/// What every bench prints and, with `--json F`, writes: its tables, its headline ratios, and the machine they came
/// from. Figures are only comparable within one run on one machine, so the machine travels with them.
/// </summary>
internal sealed class BenchReport(string bench)
{
    private readonly List<BenchTable> tables = [];
    private readonly JsonObject figures = [];
    private readonly DateTimeOffset started = DateTimeOffset.UtcNow;

    public string Bench { get; } = bench;

    /// <summary>The `--json` option every bench takes.</summary>
    public static Option<string?> JsonOption() => new("--json") { Description = "Also write the figures and ratios to this JSON file." };

    /// <summary>
    /// Checks the `--json` path before the bench spends minutes measuring: its folder must exist.
    /// Throws <see cref="ArgumentException"/> (one line on stderr, exit 2) when it does not.
    /// </summary>
    public static string? CheckJsonPath(string? path)
    {
        if (path is null) return null;
        if (path.Length == 0 || Directory.Exists(path))
            throw new ArgumentException($"--json '{path}' is not a file path: give a file name such as bench.json.");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (File.Exists(folder))
            throw new ArgumentException($"--json '{path}': '{folder}' is a file, not a folder. Give a path in a folder, such as bench.json.");
        if (!Directory.Exists(folder))
            throw new ArgumentException($"--json '{path}': the folder '{folder}' does not exist. Create it, or give a path in an existing folder.");
        // Checked now by making (and at once removing) the file the figures are written to first, so a bench never
        // runs for minutes only to find it cannot keep what it measured.
        try
        {
            using (File.Create(Path.GetFullPath(path) + ".tmp", 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--json '{path}': no file can be written in '{folder}'. Give a path in a folder you can write to, such as bench.json.");
        }
        return Path.GetFullPath(path);
    }

    public BenchTable Table(string title, params string[] columns)
    {
        var table = new BenchTable(title, columns);
        tables.Add(table);
        return table;
    }

    /// <summary>A headline figure, kept by name in the JSON (`figures.name`), with the goal it is measured against if any.</summary>
    public void Figure(string name, double value, string unit, string? goal = null)
    {
        var figure = new JsonObject { ["value"] = double.IsFinite(value) ? value : null, ["unit"] = unit };
        if (goal is not null) figure["goal"] = goal;
        figures[name] = figure;
    }

    /// <summary>Prints a table now (benches print as they go, so a long run shows its progress).</summary>
    public void Print(BenchTable table) => AnsiConsole.Write(table.ToTerminalTable());

    /// <summary>Writes the JSON file when one was asked for, and says where.</summary>
    public void WriteJson(string? path)
    {
        if (path is null) return;
        var document = new JsonObject
        {
            ["bench"] = Bench,
            ["started"] = started.ToString("O", CultureInfo.InvariantCulture),
            ["machine"] = Machine(),
            ["figures"] = figures.DeepClone(),
            ["tables"] = new JsonArray(tables.Select(t => (JsonNode)t.ToJson()).ToArray()),
        };
        var temporary = path + ".tmp";
        // Relaxed escaping keeps "+00:00" and "→" readable in the file.
        var options = new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        File.WriteAllText(temporary, document.ToJsonString(options) + "\n");
        File.Move(temporary, path, overwrite: true);
        Terminal.Tell($"Wrote the figures to {path}.");
    }

    /// <summary>The machine the figures came from: cores, memory, architecture, OS and runtime.</summary>
    public static JsonObject Machine() => new()
    {
        ["cores"] = Environment.ProcessorCount,
        ["memoryGiB"] = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (double)(1L << 30), 1),
        ["architecture"] = RuntimeInformation.ProcessArchitecture.ToString(),
        ["os"] = RuntimeInformation.OSDescription,
        ["runtime"] = RuntimeInformation.FrameworkDescription,
    };
}
