namespace Workshop.Tests.BadInput;

/// <summary>
/// A temporary parent folder for one case: workspace/ (a copy of a prepared workspace, with inputs/ for the case's
/// files) and canary/ beside it, holding a secret. Everything outside workspace/ is listed with its size and time
/// before the case, so the test can show that the case created, changed or deleted nothing there.
/// </summary>
public sealed class CaseFolder : IDisposable
{
    public CaseFolder(string? preparedWorkspace)
    {
        Parent = Directory.CreateTempSubdirectory("workshop-badinput-").FullName;
        Workspace = Path.Combine(Parent, "workspace");
        Canary = Path.Combine(Parent, "canary");
        if (preparedWorkspace is not null) CopyFolder(preparedWorkspace, Workspace);
        Directory.CreateDirectory(Inputs);
        Directory.CreateDirectory(Canary);
        Secret = $"canary-secret-{Guid.NewGuid():N}";
        File.WriteAllText(SecretFile, Secret + "\n");
        File.WriteAllText(Path.Combine(Canary, "secret.csv"), $"secret\n{Secret}\n");
        File.WriteAllText(Path.Combine(Canary, "x.duckdb"), Secret);
    }

    public string Parent { get; }
    public string Workspace { get; }
    public string Canary { get; }
    public string Inputs => Path.Combine(Workspace, "inputs");
    public string SecretFile => Path.Combine(Canary, "secret.txt");
    public string Secret { get; }

    private static readonly string Huge = new('h', 1_100 * 1024);

    public string Expand(string text) => text
        .Replace("{ws}", Workspace, StringComparison.Ordinal)
        .Replace("{in}", Inputs, StringComparison.Ordinal)
        .Replace("{canary}", Canary, StringComparison.Ordinal)
        .Replace("{secret}", SecretFile, StringComparison.Ordinal)
        .Replace("{huge}", Huge, StringComparison.Ordinal);

    public void WriteFiles(BadInputCase badInput)
    {
        foreach (var file in badInput.Files)
        {
            var path = Path.Combine(Inputs, file["name"]!.GetValue<string>());
            if (file["folder"]?.GetValue<bool>() == true) Directory.CreateDirectory(path);
            else File.WriteAllBytes(path, BadInputCase.Content(file, Expand));
        }
    }

    /// <summary>Every file and folder under the parent but outside workspace/, with its length and last write time.</summary>
    public SortedDictionary<string, string> Outside()
    {
        var listing = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in new DirectoryInfo(Parent).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Parent, entry.FullName);
            if (relative == "workspace" || relative.StartsWith("workspace" + Path.DirectorySeparatorChar, StringComparison.Ordinal)) continue;
            listing[relative] = entry is FileInfo file ? $"{file.Length} bytes, {file.LastWriteTimeUtc:O}" : $"folder, {entry.LastWriteTimeUtc:O}";
        }
        return listing;
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var folder in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, folder)));
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }

    public void Dispose()
    {
        try { Directory.Delete(Parent, recursive: true); }
        catch (IOException) { /* a child process may still hold a file for a moment; the temp folder is cleared later */ }
        catch (UnauthorizedAccessException) { }
    }
}
