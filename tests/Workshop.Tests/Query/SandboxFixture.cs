using StreamingWorkshop;

namespace Workshop.Tests.Query;

/// <summary>
/// A crawled simulated morning in a workspace that has a canary folder beside it: a temporary parent holding
/// workspace/ and canary/, the canary holding a secret. Escape tests assert the secret never comes back and
/// nothing appears outside the workspace.
/// </summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public const string Secret = "canary-secret-4d1c9e";
    public static readonly DateTimeOffset Start = new(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);

    public string Parent { get; } = Directory.CreateTempSubdirectory("workshop-sandbox-").FullName;
    public string Workspace => Path.Combine(Parent, "workspace");
    public string Canary => Path.Combine(Parent, "canary");
    public WorkshopSession Session { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Canary);
        File.WriteAllText(Path.Combine(Canary, "secret.csv"), $"name,value\nkey,{Secret}\n");
        File.WriteAllText(Path.Combine(Canary, "secret.json"), $"{{\"city\":\"{Secret}\",\"temperature\":99.5}}\n");
        Session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = Workspace, Seed = 3 });
        await Session.SimulateAsync(TimeSpan.FromHours(2), Start);
        await Session.CrawlAsync();
    }

    /// <summary>Every file and folder under the parent that is not inside the workspace, relative to the parent.</summary>
    public string[] EntriesOutsideWorkspace() =>
        Directory.EnumerateFileSystemEntries(Parent, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Select(p => Path.GetRelativePath(Parent, p).Replace('\\', '/'))
            .Where(p => p != "workspace" && !p.StartsWith("workspace/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToArray();

    public static readonly string[] CanaryOnly = ["canary", "canary/secret.csv", "canary/secret.json"];

    public async Task DisposeAsync()
    {
        await Session.DisposeAsync();
        Directory.Delete(Parent, recursive: true);
    }
}
