using StreamingWorkshop.Storage;

namespace Workshop.Tests.TestSupport;

/// <summary>A workspace in a fresh temporary folder, deleted with the test.</summary>
public sealed class TempWorkspace : IDisposable
{
    public TempWorkspace() => Workspace = new WorkspaceDirectory(Directory.CreateTempSubdirectory("workshop-test-").FullName);

    public WorkspaceDirectory Workspace { get; }

    public string Root => Workspace.Root;

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
