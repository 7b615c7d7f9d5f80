using System.Reflection;
using System.Runtime;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Cli;

/// <summary>
/// A head start for the JIT. A notebook's first cell spends about a third of its time compiling generic code from IL
/// that no precompiled image can hold: the framework's collections instantiated over the compiler's own types. The
/// runtime's multicore JIT records which methods a process compiled, and the next process of the same verb replays
/// that record on the other core, so the methods are ready before the first cell's compile asks for them. The record
/// is kept in the workspace's startup/ folder, where the runtime writes it again as the process ends; a workspace
/// that has none, or one older than the build's, gets a copy of the one the build recorded beside the CLI's assemblies.
/// </summary>
internal static class StartupProfile
{
    public const string FolderName = "startup";

    /// <summary>The record the build made (see Workshop.Cli.csproj), beside the CLI's assemblies.</summary>
    public static string BuildRecordPath => Path.Combine(AppContext.BaseDirectory, FolderName, FileName("run"));

    public static string FileName(string verb) => verb + ".jitprofile";

    /// <summary>
    /// Makes the workspace's startup/ folder and gives it a copy of <paramref name="buildRecord"/> for
    /// <paramref name="verb"/> when it has no record of its own, or one older than the build's: a record made by an
    /// earlier build names methods of assemblies that are no longer there, and the runtime gains nothing from it.
    /// Returns the folder, or null when the workspace refuses the path (a link on it), so that nothing is read or
    /// written through the link.
    /// </summary>
    public static string? Prepare(WorkspaceDirectory workspace, string verb, string buildRecord)
    {
        string record;
        try
        {
            record = workspace.Resolve(FolderName, FileName(verb));
        }
        catch (WorkspaceEscapeException)
        {
            return null;
        }
        var folder = workspace.EnsureFolder(FolderName);
        if (File.Exists(buildRecord) && (!File.Exists(record) || File.GetLastWriteTimeUtc(record) < File.GetLastWriteTimeUtc(buildRecord)))
            workspace.WriteAtomically(record, File.ReadAllBytes(buildRecord));
        return folder;
    }

    /// <summary>
    /// Replays and records the profile of <paramref name="verb"/> in the workspace at <paramref name="workspaceRoot"/>.
    /// A workspace that is not there yet is made first when <paramref name="makeWorkspace"/> says the verb would make it
    /// anyway, or when it is a workshop's own (<see cref="WorkspaceDirectory.IsWorkshopsOwn"/>); otherwise the process
    /// starts without the record. Only in the CLI's own process: a test host that calls the CLI's entry point keeps its
    /// JIT to itself.
    /// </summary>
    public static void Start(string workspaceRoot, string verb, bool makeWorkspace)
    {
        if (Assembly.GetEntryAssembly() != typeof(StartupProfile).Assembly) return;
        try
        {
            var workspace = makeWorkspace || WorkspaceDirectory.IsWorkshopsOwn(workspaceRoot) ? new WorkspaceDirectory(workspaceRoot) : WorkspaceDirectory.OpenExisting(workspaceRoot);
            if (workspace is null || Prepare(workspace, verb, BuildRecordPath) is not { } folder) return;
            ProfileOptimization.SetProfileRoot(folder);
            ProfileOptimization.StartProfile(FileName(verb));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException or WorkspaceEscapeException)
        {
            // Only a head start: a workspace that cannot hold the record (or a link put on its path meanwhile) runs as it
            // would without one, and a workspace that cannot be made is reported by the cell that connects to it.
        }
    }
}
