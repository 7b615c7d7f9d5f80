namespace Workshop.Tests.BadInput;

/// <summary>
/// A workspace made once for the corpus and copied for every case: the workshop stack deployed, half an hour of
/// simulated weather in the lake and the crawler run, so queries, keys and partitions have something real to refuse.
/// </summary>
public static class PreparedWorkspace
{
    private static readonly Lazy<string> Folder = new(Make);

    public static string Path => Folder.Value;

    private static string Make()
    {
        var folder = Directory.CreateTempSubdirectory("workshop-badinput-prepared-").FullName;
        foreach (var command in new[]
        {
            new[] { "deploy" },
            ["simulate", "--duration", "30m", "--seed", "1", "--start", "2025-01-14T00:00:00Z"],
            ["crawl"],
        })
        {
            var run = WorkshopCli.InProcess(folder, [.. command, "--workspace", folder]);
            if (run.ExitCode != 0) throw new InvalidOperationException($"Preparing the corpus workspace failed at '{string.Join(' ', command)}':\n{run.Stdout}\n{run.Stderr}");
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(folder, recursive: true); } catch (IOException) { } };
        return folder;
    }
}
