namespace Workshop.Notebooks.Tests;

/// <summary>
/// README's main command (`workshop run` from the repository root) run once on a fresh workspace into a fresh
/// out folder, shared by the tests that read its pages, because the whole day takes about a minute.
/// </summary>
public sealed class WorkshopRun : IDisposable
{
    public string Workspace { get; } = Directory.CreateTempSubdirectory("workshop-run-ws-").FullName;
    public string Output { get; } = Directory.CreateTempSubdirectory("workshop-run-out-").FullName;
    public int ExitCode { get; }
    public string Log { get; }

    public WorkshopRun()
    {
        ExitCode = Cli.RunIn(RepositoryRoot, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = Workspace }, out var log, "run", "--out", Output);
        Log = log;
    }

    public static string RepositoryRoot
    {
        get
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
                if (File.Exists(Path.Combine(folder.FullName, "workshop.dib"))) return folder.FullName;
            throw new DirectoryNotFoundException("workshop.dib is not above the test assembly.");
        }
    }

    public void Dispose()
    {
        Directory.Delete(Workspace, recursive: true);
        Directory.Delete(Output, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class WorkshopRunCollection : ICollectionFixture<WorkshopRun>
{
    public const string Name = "The whole workshop, run once";
}
