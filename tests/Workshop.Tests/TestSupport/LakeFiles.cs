using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Workshop.Tests.TestSupport;

/// <summary>
/// Reads a lake bucket straight from disk with GZipStream and JsonDocument, so tests check the pipeline's
/// output independently of the kit's own lake and query code.
/// </summary>
internal static class LakeFiles
{
    public static string BucketFolder(string workspace, string bucket) => Path.Combine(workspace, "lake", bucket);

    /// <summary>
    /// Gives every folder of the workspace's lake (and, with <paramref name="objectsToo"/>, every object) the last-write
    /// time <paramref name="at"/>, so a listing or an object read now counts as settled rather than just written.
    /// </summary>
    public static void Settle(string workspace, DateTime at, bool objectsToo)
    {
        var root = Path.Combine(workspace, "lake");
        if (objectsToo)
            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)) File.SetLastWriteTimeUtc(file, at);
        foreach (var folder in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Append(root))
            Directory.SetLastWriteTimeUtc(folder, at);
    }

    public static IEnumerable<(string Key, string Line)> Lines(string workspace, string bucket, string prefix = "")
    {
        var root = BucketFolder(workspace, bucket);
        if (!Directory.Exists(root)) yield break;
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var key = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
            using var raw = File.OpenRead(file);
            using Stream content = key.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(raw, CompressionMode.Decompress) : raw;
            using var reader = new StreamReader(content, Encoding.UTF8);
            while (reader.ReadLine() is { } line)
                if (line.Length > 0) yield return (key, line);
        }
    }

    public static JsonElement Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }
}
