using System.Text.Json.Nodes;

namespace StreamingWorkshop.Notebooks;

/// <summary>
/// A notebook in memory, the same for .ipynb and .dib. Metadata is kept as JSON nodes, so fields the kit does
/// not know about survive a round trip.
/// </summary>
public sealed class NotebookDocument
{
    public List<NotebookCell> Cells { get; } = new();

    /// <summary>Notebook-level metadata (kernelspec, language_info, polyglot_notebook, ...).</summary>
    public JsonObject Metadata { get; set; } = new();

    public int FormatMinor { get; set; } = 5;

    /// <summary>The kernel a cell runs on when it names none: csharp for the kit.</summary>
    public string DefaultKernel =>
        Metadata["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]?.GetValue<string>() ?? "csharp";

    /// <summary>Metadata naming the kit's kernel, so VS Code and Jupyter offer it, and Polyglot Notebooks' kernel info.</summary>
    public static JsonObject DefaultMetadata() => new()
    {
        ["kernelspec"] = new JsonObject { ["display_name"] = "C# (Streaming Workshop)", ["language"] = "csharp", ["name"] = "streaming-workshop-csharp" },
        ["language_info"] = new JsonObject { ["file_extension"] = ".cs", ["mimetype"] = "text/x-csharp", ["name"] = "csharp", ["pygments_lexer"] = "csharp", ["version"] = NotebookSession.CSharpVersion },
        ["polyglot_notebook"] = new JsonObject
        {
            ["kernelInfo"] = new JsonObject
            {
                ["defaultKernelName"] = "csharp",
                ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = "csharp" }),
            },
        },
    };
}

public enum CellKind
{
    Code,
    Markdown,
    Raw,
}

public sealed class NotebookCell
{
    public CellKind Kind { get; set; }

    /// <summary>The kernel the cell is for: csharp, markdown, html, or any other name, kept as written.</summary>
    public string Language { get; set; } = "csharp";

    public string Source { get; set; } = "";

    public string? Id { get; set; }

    public JsonObject Metadata { get; set; } = new();

    public List<JsonObject> Outputs { get; } = new();

    public int? ExecutionCount { get; set; }

    public static NotebookCell Code(string source, string language = "csharp") => new() { Kind = CellKind.Code, Language = language, Source = source };

    public static NotebookCell Markdown(string source) => new() { Kind = CellKind.Markdown, Language = "markdown", Source = source };
}
