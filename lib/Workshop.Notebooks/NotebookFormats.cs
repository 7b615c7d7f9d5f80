using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamingWorkshop.Notebooks;

/// <summary>Reading and writing notebooks by file extension.</summary>
public static class NotebookFile
{
    /// <summary>Reads a notebook; a file that is missing, a folder, or not a valid notebook ends in one clear <see cref="NotebookFormatException"/> naming the file.</summary>
    public static NotebookDocument Read(string path)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".ipynb" or ".dib"))
            throw new ArgumentException($"'{path}' is not a notebook: the kit reads .ipynb and .dib files, not '{extension}'.");
        if (Directory.Exists(path)) throw new NotebookFormatException($"Notebook '{path}' is a folder, not a file. Give the notebook's file.");
        if (!File.Exists(path)) throw new NotebookFormatException($"Notebook '{path}' does not exist. Check the path.");
        try
        {
            var text = ReadText(path);
            var document = extension == ".ipynb" ? Ipynb.Parse(text) : Dib.Parse(text);
            // An empty script, or one with only its #!meta part, would run nothing and look like success.
            if (extension == ".dib" && document.Cells.Count == 0)
                throw new NotebookFormatException($"Notebook '{path}' has no cells; a .dib notebook needs at least one cell such as '#!csharp' followed by code.");
            return document;
        }
        catch (FormatException error)
        {
            throw new NotebookFormatException($"'{path}' is not a valid notebook: {error.Message}");
        }
    }

    /// <summary>The file as UTF-8 text; NUL bytes or bytes that are not UTF-8 mean it is not a notebook at all.</summary>
    private static string ReadText(string path)
    {
        var bytes = File.ReadAllBytes(path);
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new NotebookFormatException($"Notebook '{path}' is not a text notebook: it holds bytes that are not UTF-8 text. Give an .ipynb or .dib file saved as text.");
        }
        if (text.Contains('\0'))
            throw new NotebookFormatException($"Notebook '{path}' is not a text notebook: it holds NUL bytes. Give an .ipynb or .dib file saved as text.");
        return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
    }

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

    /// <summary>Reads an nbformat 4 notebook, checked against nbformat's rules first; a broken one is a <see cref="FormatException"/> saying what is wrong.</summary>
    public static NotebookDocument Parse(string json)
    {
        if (json.Trim().Length == 0) throw new FormatException("the file is empty; an .ipynb notebook is a JSON object with nbformat, metadata and cells.");
        JsonNode? whole;
        try
        {
            whole = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
        }
        catch (JsonException error)
        {
            throw new FormatException($"it is not valid JSON (line {error.LineNumber + 1}, byte {error.BytePositionInLine + 1}): {FirstSentence(error.Message)}");
        }
        var root = whole as JsonObject ?? throw new FormatException("it is not a JSON object; an .ipynb notebook is an object with nbformat, metadata and cells.");
        Validate(root);
        var document = new NotebookDocument
        {
            Metadata = root["metadata"]!.DeepClone().AsObject(),
            FormatMinor = root["nbformat_minor"]!.GetValue<int>(),
        };
        foreach (var node in root["cells"]!.AsArray())
        {
            var cell = node!.AsObject();
            var kind = cell["cell_type"]!.GetValue<string>() switch
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

    /// <summary>Deeper than any notebook nbformat describes (outputs and metadata included), shallow enough to read safely.</summary>
    public const int MaxJsonDepth = 64;

    private static readonly string[] CellTypes = ["code", "markdown", "raw"];

    /// <summary>The rules of nbformat 4's schema that matter to reading a notebook; the first one broken is the error.</summary>
    private static void Validate(JsonObject root)
    {
        if (!IsInteger(root["nbformat"], out var major))
            throw new FormatException("'nbformat' is missing or not a whole number; nbformat 4 notebooks say \"nbformat\": 4.");
        if (major != 4)
            throw new FormatException($"only nbformat 4 notebooks are supported; this one says nbformat {major}. Convert it with 'jupyter nbconvert --to notebook'.");
        if (!IsInteger(root["nbformat_minor"], out _))
            throw new FormatException("'nbformat_minor' is missing or not a whole number.");
        if (root["metadata"] is not JsonObject)
            throw new FormatException("'metadata' is missing or not an object.");
        if (root["cells"] is not JsonArray cells)
            throw new FormatException(root.ContainsKey("cells") ? "'cells' must be a list of cells, not " + Describe(root["cells"]) + "." : "it has no 'cells' list.");
        for (var i = 0; i < cells.Count; i++)
        {
            var where = $"cell {i + 1}";
            if (cells[i] is not JsonObject cell) throw new FormatException($"{where} is {Describe(cells[i])}, not an object.");
            var type = cell["cell_type"] is JsonValue t && t.TryGetValue<string>(out var name) ? name : null;
            if (type is null || !CellTypes.Contains(type))
                throw new FormatException($"{where} has cell_type {Describe(cell["cell_type"])}; nbformat allows code, markdown and raw.");
            if (cell["metadata"] is not JsonObject) throw new FormatException($"{where} has no 'metadata' object.");
            if (!IsText(cell["source"])) throw new FormatException($"{where} has a 'source' that is neither text nor a list of text.");
            if (cell["id"] is { } id && !(id is JsonValue v && v.TryGetValue<string>(out _))) throw new FormatException($"{where} has an 'id' that is not text.");
            if (type != "code")
            {
                // nbformat 4's schema lets only code cells carry outputs and an execution count.
                foreach (var codeOnly in new[] { "outputs", "execution_count" })
                    if (cell.ContainsKey(codeOnly)) throw new FormatException($"{where} is a {type} cell with '{codeOnly}'; nbformat allows it only on code cells. Remove it.");
                if (cell.ContainsKey("attachments") && !(cell["attachments"] is JsonObject attachments && attachments.All(a => a.Value is JsonObject)))
                    throw new FormatException($"{where} has 'attachments' that are not an object mapping each file name to its data by MIME type.");
                continue;
            }
            if (cell.ContainsKey("attachments")) throw new FormatException($"{where} is a code cell with 'attachments'; nbformat allows them only on markdown and raw cells. Remove them.");
            if (cell["outputs"] is not JsonArray outputs) throw new FormatException($"{where} is a code cell without an 'outputs' list.");
            if (outputs.Any(o => o is not JsonObject output || output["output_type"] is not JsonValue))
                throw new FormatException($"{where} has an output that is not an object with an output_type.");
            if (!cell.ContainsKey("execution_count") || (cell["execution_count"] is not null && !IsInteger(cell["execution_count"], out _)))
                throw new FormatException($"{where} is a code cell whose 'execution_count' is missing or neither a whole number nor null.");
        }
    }

    private static bool IsInteger(JsonNode? node, out int value)
    {
        value = 0;
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out value);
    }

    private static bool IsText(JsonNode? node) => node switch
    {
        JsonValue v => v.TryGetValue<string>(out _),
        JsonArray lines => lines.All(l => l is JsonValue line && line.TryGetValue<string>(out _)),
        _ => false,
    };

    private static string Describe(JsonNode? node) => node is null ? "null" : node.ToJsonString() is { Length: <= 40 } brief ? brief : node.GetValueKind().ToString().ToLowerInvariant();

    private static string FirstSentence(string message) => message.Split(" LineNumber:", 2)[0].Trim();

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
                if (source.Length > 0) document.Metadata["polyglot_notebook"] = Meta(source);
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

    /// <summary>The JSON after "#!meta": Polyglot Notebooks' kernel info, an object.</summary>
    private static JsonObject Meta(string source)
    {
        try
        {
            var meta = JsonNode.Parse(source, documentOptions: new JsonDocumentOptions { MaxDepth = Ipynb.MaxJsonDepth }) as JsonObject
                       ?? throw new FormatException("its #!meta part is not a JSON object; it holds the kernel info, as {\"kernelInfo\": {...}}.");
            CheckKernelInfo(meta);
            return meta;
        }
        catch (JsonException error)
        {
            throw new FormatException($"its #!meta part is not valid JSON ({error.Message.Split(" LineNumber:", 2)[0].Trim()}). Fix it, or delete the #!meta part to use the kit's defaults.");
        }
    }

    /// <summary>Polyglot Notebooks' kernel info: an object whose defaultKernelName is text and whose items are a list.</summary>
    private static void CheckKernelInfo(JsonObject meta)
    {
        const string Shape = "it is {\"kernelInfo\": {\"defaultKernelName\": \"csharp\", \"items\": [...]}}";
        if (!meta.ContainsKey("kernelInfo")) return;
        if (meta["kernelInfo"] is not JsonObject kernelInfo)
            throw new FormatException($"its #!meta 'kernelInfo' is not an object; {Shape}. Fix it, or delete the #!meta part to use the kit's defaults.");
        if (kernelInfo.ContainsKey("defaultKernelName") && !(kernelInfo["defaultKernelName"] is JsonValue name && name.TryGetValue<string>(out _)))
            throw new FormatException($"its #!meta 'defaultKernelName' is not text; {Shape}. Fix it, or delete the #!meta part to use the kit's defaults.");
        if (kernelInfo.ContainsKey("items") && kernelInfo["items"] is not JsonArray)
            throw new FormatException($"its #!meta 'items' is not a list; {Shape}. Fix it, or delete the #!meta part to use the kit's defaults.");
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

/// <summary>A notebook file that is missing or not a valid .ipynb or .dib; the message names the file and the problem.</summary>
public sealed class NotebookFormatException(string message) : FormatException(message);
