using System.Text.Json.Nodes;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>A notebook as `workshop run` left it, read as a learner reads it: each code cell's source and the text its outputs show.</summary>
internal static class ExecutedNotebook
{
    /// <summary>The code cells of notebooks/<paramref name="fileName"/> in the run's output, in order.</summary>
    public static List<(string Source, string Text)> CodeCells(WorkshopRun run, string fileName)
    {
        Assert.True(run.ExitCode == 0, run.Log);
        return CodeCells(run.Output, fileName);
    }

    /// <summary>The code cells of notebooks/<paramref name="fileName"/> in the out folder <paramref name="output"/>, in order.</summary>
    public static List<(string Source, string Text)> CodeCells(string output, string fileName)
    {
        var executed = NotebookFile.Read(Path.Combine(output, "notebooks", fileName));
        return executed.Cells.Where(c => c.Kind == CellKind.Code).Select(c => (c.Source, string.Join("\n", c.Outputs.Select(TextOf)))).ToList();
    }

    /// <summary>What the one cell whose source contains <paramref name="sourceMarker"/> showed.</summary>
    public static string OutputOf(List<(string Source, string Text)> cells, string sourceMarker) =>
        cells.Single(c => c.Source.Contains(sourceMarker, StringComparison.Ordinal)).Text;

    /// <summary>An output's text: a stream's text, or a display's text/plain form.</summary>
    public static string TextOf(JsonNode output) =>
        output["text"] is { } text ? Joined(text) : output["data"]?["text/plain"] is { } plain ? Joined(plain) : "";

    private static string Joined(JsonNode node) =>
        node is JsonArray lines ? string.Concat(lines.Select(l => l!.GetValue<string>())) : node.GetValue<string>();
}
