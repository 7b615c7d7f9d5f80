using StreamingWorkshop.Cli;
using StreamingWorkshop.Storage;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Storage;

/// <summary>
/// The JIT's startup record lives in the workspace's startup/ folder: a workspace without one gets the build's copy,
/// one with its own keeps it, and a link on the way is refused, so nothing is read or written outside the workspace.
/// </summary>
public sealed class StartupProfileTests : IDisposable
{
    private readonly TempWorkspace temp = new();
    private readonly string elsewhere = Directory.CreateTempSubdirectory("startup-elsewhere-").FullName;

    private string BuildRecord(byte[] content)
    {
        var path = Path.Combine(elsewhere, "build", "run.jitprofile");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>The workspace's own record for `run` (bytes 9, 9), last written at <paramref name="written"/>.</summary>
    private string OwnRecord(DateTime written)
    {
        var own = Path.Combine(temp.Workspace.EnsureFolder("startup"), "run.jitprofile");
        File.WriteAllBytes(own, [9, 9]);
        File.SetLastWriteTimeUtc(own, written);
        return own;
    }

    [Fact]
    public void A_workspace_without_a_record_gets_a_copy_of_the_builds()
    {
        var buildRecord = BuildRecord([1, 2, 3, 4]);

        var folder = StartupProfile.Prepare(temp.Workspace, "kernel", buildRecord);

        Assert.Equal(Path.Combine(temp.Root, "startup"), folder);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, File.ReadAllBytes(Path.Combine(temp.Root, "startup", "kernel.jitprofile")));
    }

    [Fact]
    public void A_workspace_keeps_the_record_its_own_processes_wrote()
    {
        var buildRecord = BuildRecord([1, 2, 3, 4]);
        var own = OwnRecord(written: File.GetLastWriteTimeUtc(buildRecord).AddHours(1));

        StartupProfile.Prepare(temp.Workspace, "run", buildRecord);

        Assert.Equal(new byte[] { 9, 9 }, File.ReadAllBytes(own));
    }

    [Fact]
    public void A_record_older_than_the_builds_is_replaced_by_the_builds()
    {
        var buildRecord = BuildRecord([1, 2, 3, 4]);
        // Written before the kit was built again: it names methods of the assemblies the earlier build made.
        var own = OwnRecord(written: File.GetLastWriteTimeUtc(buildRecord).AddHours(-1));

        StartupProfile.Prepare(temp.Workspace, "run", buildRecord);

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, File.ReadAllBytes(own));
    }

    [Fact]
    public void Without_a_build_record_the_folder_is_made_for_the_runtime_to_write_into()
    {
        var folder = StartupProfile.Prepare(temp.Workspace, "run", Path.Combine(elsewhere, "missing.jitprofile"));

        Assert.True(Directory.Exists(folder));
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder!));
    }

    [Fact]
    public void A_startup_folder_that_links_outside_is_refused_and_nothing_is_written_there()
    {
        var buildRecord = BuildRecord([1, 2, 3, 4]);
        var outside = Directory.CreateDirectory(Path.Combine(elsewhere, "outside")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(temp.Root, "startup"), outside);

        Assert.Null(StartupProfile.Prepare(temp.Workspace, "run", buildRecord));
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
    }

    [Fact]
    public void A_record_that_links_to_a_file_outside_is_refused_and_the_file_kept()
    {
        var buildRecord = BuildRecord([1, 2, 3, 4]);
        var outsideFile = Path.Combine(elsewhere, "notes.txt");
        File.WriteAllText(outsideFile, "mine");
        File.CreateSymbolicLink(Path.Combine(temp.Workspace.EnsureFolder("startup"), "run.jitprofile"), outsideFile);

        Assert.Null(StartupProfile.Prepare(temp.Workspace, "run", buildRecord));
        Assert.Equal("mine", File.ReadAllText(outsideFile));
    }

    [Fact]
    public void Only_the_workshop_folder_beside_a_workshop_dib_is_a_workshops_own()
    {
        var workshop = Directory.CreateDirectory(Path.Combine(elsewhere, "course")).FullName;
        File.WriteAllText(Path.Combine(workshop, "workshop.dib"), "#!csharp\n");
        var plain = Directory.CreateDirectory(Path.Combine(elsewhere, "plain")).FullName;

        Assert.True(WorkspaceDirectory.IsWorkshopsOwn(Path.Combine(workshop, ".workshop")));
        Assert.True(WorkspaceDirectory.IsWorkshopsOwn(Path.Combine(workshop, ".workshop") + Path.DirectorySeparatorChar));
        Assert.False(WorkspaceDirectory.IsWorkshopsOwn(Path.Combine(workshop, "my-workspace")));
        Assert.False(WorkspaceDirectory.IsWorkshopsOwn(Path.Combine(plain, ".workshop")));
    }

    public void Dispose()
    {
        temp.Dispose();
        Directory.Delete(elsewhere, recursive: true);
    }
}
