using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamingWorkshop.Notebooks;

/// <summary>Reading and writing notebooks by file extension.</summary>
public static class NotebookFile
{
    public static NotebookDocument Read(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".ipynb" => Ipynb.Parse(File.ReadAllText(path)),
        ".dib" => Dib.Parse(File.ReadAllText(path)),
        var other => throw new ArgumentException($"'{path}' is not a notebook: the kit reads .ipynb and .dib files, not '{other}'."),
    };

    public static void Write(NotebookDocument document, string path)
    {
        var text = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".ipynb" => Ipynb.Write(document),
            ".dib" => Dib.Write(document),
            var other => throw new ArgumentException($"'{path}' is not a notebook file name: use .ipynb or .dib, not '{other}'."),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text);
    }
}

/// <summary>Jupyter's nbformat 4 (.ipynb): cell ids, sources as line arrays, outputs, metadata kept as it is.</summary>
public static class Ipynb
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static NotebookDocument Parse(string json)
    {
        var root = JsonNode.Parse(json)?.AsObject() ?? throw new FormatException("The notebook is empty.");
        if (root["nbformat"]?.GetValue<int>() is not 4)
            throw new FormatException($"Only nbformat 4 notebooks are supported; this one says nbformat {root["nbformat"]}.");
        var document = new NotebookDocument
        {
            Metadata = root["metadata"]?.DeepClone().AsObject() ?? new JsonObject(),
            FormatMinor = root["nbformat_minor"]?.GetValue<int>() ?? 5,
        };
        foreach (var node in root["cells"]?.AsArray() ?? [])
        {
            var cell = node!.AsObject();
            var kind = cell["cell_type"]?.GetValue<string>() switch
            {
                "markdown" => CellKind.Markdown,
                "raw" => CellKind.Raw,
                _ => CellKind.Code,
            };
            var metadata = cell["metadata"]?.DeepClone().AsObject() ?? new JsonObject();
            var language = kind == CellKind.Markdown ? "markdown"
                : metadata["polyglot_notebook"]?["kernelName"]?.GetValue<string>()
                  ?? metadata["dotnet_interactive"]?["language"]?.GetValue<string>()
                  ?? document.DefaultKernel;
            var parsed = new NotebookCell
            {
                Kind = kind,
                Language = language,
                Source = JoinSource(cell["source"]),
                Id = cell["id"]?.GetValue<string>(),
                Metadata = metadata,
                ExecutionCount = cell["execution_count"]?.GetValue<int?>(),
            };
            foreach (var output in cell["outputs"]?.AsArray() ?? []) parsed.Outputs.Add(output!.DeepClone().AsObject());
            document.Cells.Add(parsed);
        }
        return document;
    }

    public static string Write(NotebookDocument document)
    {
        var cells = new JsonArray();
        var usedIds = new HashSet<string>();
        foreach (var (cell, index) in document.Cells.Select((c, i) => (c, i)))
        {
            cell.Id ??= CellId(cell, index);
            usedIds.Add(cell.Id);
            var node = new JsonObject
            {
                ["cell_type"] = cell.Kind switch { CellKind.Markdown => "markdown", CellKind.Raw => "raw", _ => "code" },
            };
            if (cell.Kind == CellKind.Code) node["execution_count"] = cell.ExecutionCount;
            node["id"] = cell.Id;
            var metadata = cell.Metadata.DeepClone().AsObject();
            if (cell.Kind == CellKind.Code)
                metadata["polyglot_notebook"] = new JsonObject { ["kernelName"] = cell.Language };
            node["metadata"] = metadata;
            if (cell.Kind == CellKind.Code) node["outputs"] = new JsonArray(cell.Outputs.Select(o => (JsonNode)Saved(o)).ToArray());
            node["source"] = SplitSource(cell.Source);
            cells.Add(node);
        }
        var root = new JsonObject
        {
            ["cells"] = cells,
            ["metadata"] = document.Metadata.DeepClone(),
            ["nbformat"] = 4,
            ["nbformat_minor"] = document.FormatMinor,
        };
        return root.ToJsonString(Indented) + "\n";
    }

    /// <summary>An output as nbformat stores it: the display id a live kernel uses (transient) is not part of the file.</summary>
    private static JsonObject Saved(JsonObject output)
    {
        var saved = output.DeepClone().AsObject();
        saved.Remove("transient");
        return saved;
    }

    /// <summary>A stable id from the cell's position and text, so converting the same notebook twice gives the same file.</summary>
    private static string CellId(NotebookCell cell, int index) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{index}|{cell.Language}|{cell.Source}")))[..8];

    private static string JoinSource(JsonNode? source) => source switch
    {
        null => "",
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>())),
        _ => source.GetValue<string>(),
    };

    /// <summary>nbformat stores text as a list of lines, each but the last keeping its newline.</summary>
    public static JsonArray SplitSource(string text)
    {
        var lines = new JsonArray();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\n') continue;
            lines.Add(text[start..(i + 1)]);
            start = i + 1;
        }
        if (start < text.Length) lines.Add(text[start..]);
        return lines;
    }
}

/// <summary>
/// The Polyglot Notebooks script format (.dib): a "#!meta" line with the kernel info as JSON, then each cell
/// introduced by "#!kernel-name" (csharp, markdown, html, pwsh, ...), blank lines around each part.
/// </summary>
public static class Dib
{
    public static NotebookDocument Parse(string text)
    {
        var document = new NotebookDocument { Metadata = NotebookDocument.DefaultMetadata() };
        var lines = text.Replace("\r\n", "\n").Split('\n');
        string? kernel = null;
        var body = new List<string>();
        void Flush()
        {
            if (kernel is null) return;
            var source = string.Join('\n', TrimBlankLines(body));
            if (kernel == "meta")
            {
                if (source.Length > 0 && JsonNode.Parse(source) is JsonObject meta)
                    document.Metadata["polyglot_notebook"] = meta;
            }
            else
            {
                document.Cells.Add(kernel == "markdown" ? NotebookCell.Markdown(source) : NotebookCell.Code(source, kernel));
            }
            body.Clear();
        }
        foreach (var line in lines)
        {
            if (line.StartsWith("#!", StringComparison.Ordinal) && IsCellMarker(line))
            {
                Flush();
                kernel = line[2..].Trim();
                continue;
            }
            if (kernel is null)
            {
                if (line.Trim().Length == 0) continue;
                kernel = document.DefaultKernel; // text before any marker belongs to the default kernel
            }
            body.Add(line);
        }
        Flush();
        return document;
    }

    /// <summary>"#!csharp" starts a cell; "#!time" or "#!set --name x" inside a cell are magic commands, not markers.</summary>
    private static bool IsCellMarker(string line)
    {
        var name = line[2..].Trim();
        return name.Length > 0 && !name.Contains(' ') && name is not ("time" or "about" or "lsmagic" or "who" or "whos" or "value" or "set" or "share" or "import" or "connect");
    }

    private static IEnumerable<string> TrimBlankLines(List<string> lines)
    {
        var start = 0;
        var end = lines.Count;
        while (start < end && lines[start].Trim().Length == 0) start++;
        while (end > start && lines[end - 1].Trim().Length == 0) end--;
        return lines.Skip(start).Take(end - start);
    }

    public static string Write(NotebookDocument document)
    {
        var text = new StringBuilder();
        var meta = document.Metadata["polyglot_notebook"] ?? NotebookDocument.DefaultMetadata()["polyglot_notebook"];
        text.Append("#!meta\n\n").Append(meta!.ToJsonString()).Append("\n\n");
        foreach (var cell in document.Cells)
        {
            var kernel = cell.Kind == CellKind.Markdown ? "markdown" : cell.Language;
            text.Append("#!").Append(kernel).Append("\n\n").Append(cell.Source.TrimEnd('\n')).Append("\n\n");
        }
        return text.ToString().TrimEnd('\n') + "\n";
    }
}
