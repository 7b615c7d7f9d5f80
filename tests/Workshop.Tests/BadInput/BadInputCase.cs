using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workshop.Tests.BadInput;

/// <summary>
/// One entry of the bad-input corpus (BadInput/corpus/*.jsonl): how the input is fed (a command line, with files
/// written first, or a message to a running kernel) and what must come back. Arguments and file texts may hold
/// placeholders: {ws} the workspace, {in} its inputs/ folder, {canary} the folder beside it, {secret} the canary's
/// secret file, {huge} a 1.1 MiB string.
/// </summary>
public sealed record BadInputCase(string Id, string Area, string Feed, JsonObject Entry)
{
    public override string ToString() => Id;

    public string[] Arguments => Entry["args"]?.AsArray().Select(a => a!.GetValue<string>()).ToArray() ?? [];

    /// <summary>Run in a child process rather than in this one: inputs that may overflow the stack or never finish.</summary>
    public bool Isolate => Entry["isolate"]?.GetValue<bool>() ?? false;

    public JsonObject Expect => Entry["expect"]!.AsObject();

    /// <summary>The exit code the case expects: 0 for input the real service accepts, otherwise any non-zero code.</summary>
    public bool ExpectsSuccess => Expect["exit"]?.GetValue<int>() == 0;

    public JsonObject? Kernel => Entry["kernel"] as JsonObject;

    public IEnumerable<JsonObject> Files => Entry["files"]?.AsArray().Select(f => f!.AsObject()) ?? [];

    public static string CorpusFolder => Path.Combine(AppContext.BaseDirectory, "BadInput", "corpus");

    public static IReadOnlyList<BadInputCase> Load()
    {
        var cases = new List<BadInputCase>();
        foreach (var file in Directory.GetFiles(CorpusFolder, "*.jsonl").Order(StringComparer.Ordinal))
            foreach (var line in File.ReadLines(file).Where(l => l.Trim().Length > 0))
            {
                var entry = JsonNode.Parse(line)!.AsObject();
                cases.Add(new BadInputCase(entry["id"]!.GetValue<string>(), Path.GetFileNameWithoutExtension(file), entry["feed"]!.GetValue<string>(), entry));
            }
        return cases;
    }

    /// <summary>A file's content: its text, its base64 bytes, or text made of a head, an opening repeated count times ({i} numbered), a middle, the closing as many times, and a tail.</summary>
    public static byte[] Content(JsonObject file, Func<string, string> expand)
    {
        if (file["base64"] is { } base64) return Convert.FromBase64String(base64.GetValue<string>());
        if (file["gen"] is JsonObject gen)
        {
            var count = gen["count"]!.GetValue<int>();
            var open = gen["open"]!.GetValue<string>();
            var close = gen["close"]!.GetValue<string>();
            var text = new StringBuilder(expand(gen["head"]!.GetValue<string>()));
            for (var i = 0; i < count; i++) text.Append(open.Replace("{i}", i.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
            text.Append(expand(gen["middle"]!.GetValue<string>()));
            for (var i = 0; i < count; i++) text.Append(close);
            text.Append(expand(gen["tail"]!.GetValue<string>()));
            return Encoding.UTF8.GetBytes(text.ToString());
        }
        return Encoding.UTF8.GetBytes(expand(file["text"]?.GetValue<string>() ?? ""));
    }

    public static IEnumerable<object[]> Where(string feed) => Load().Where(c => c.Feed == feed).Select(c => new object[] { c });

    internal static string Describe(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
