using System.Text;
using StreamingWorkshop.Storage;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Storage;

/// <summary>
/// Files made ahead for whole-file writes change nothing a reader sees: each write still lands whole under its name,
/// the spare files stay in tmp/, and they are gone once the last handle that asked for them is disposed.
/// </summary>
public sealed class SpareFileTests : IDisposable
{
    private readonly TempWorkspace temp = new();

    private string Tmp => Path.Combine(temp.Root, "tmp");

    private string[] SpareFiles() => Directory.Exists(Tmp) ? Directory.GetFiles(Tmp, "*.part") : [];

    private string[] WaitForSpareFiles()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (SpareFiles().Length == 0 && DateTime.UtcNow < deadline) Thread.Sleep(5);
        return SpareFiles();
    }

    [Fact]
    public void Writes_take_files_made_ahead_and_the_last_handle_deletes_the_rest()
    {
        var first = temp.Workspace.MakeTemporaryFilesAhead();
        var second = temp.Workspace.MakeTemporaryFilesAhead();
        temp.Workspace.WriteAtomically(temp.Workspace.Resolve("state", "a.json"), "first");
        WriteUntilFilesAreMadeAhead(temp.Workspace);
        var spares = WaitForSpareFiles();
        Assert.NotEmpty(spares);
        Assert.All(spares, spare => Assert.Equal(0, new FileInfo(spare).Length));

        // Another instance on the same folder (another session of this process) writes into the same spare files.
        var sameFolder = new WorkspaceDirectory(temp.Root);
        for (var i = 0; i < 100; i++)
            sameFolder.WriteAtomically(sameFolder.Resolve("lake", "bucket", $"key-{i}.json"), $"object {i}", DateTimeOffset.UnixEpoch.AddDays(i));
        for (var i = 0; i < 100; i++)
        {
            var path = Path.Combine(temp.Root, "lake", "bucket", $"key-{i}.json");
            Assert.Equal($"object {i}", File.ReadAllText(path));
            Assert.Equal(DateTime.UnixEpoch.AddDays(i), File.GetLastWriteTimeUtc(path));
        }
        Assert.Equal("first", File.ReadAllText(Path.Combine(temp.Root, "state", "a.json")));

        first.Dispose();
        first.Dispose();
        Assert.NotEmpty(WaitForSpareFiles());
        second.Dispose();
        Assert.Empty(SpareFiles());
        temp.Workspace.WriteAtomically(temp.Workspace.Resolve("state", "b.json"), "after");
        Assert.Empty(SpareFiles());
        Assert.Equal("after", File.ReadAllText(Path.Combine(temp.Root, "state", "b.json")));
    }

    /// <summary>The writes a handle's files make themselves before any is made ahead (the first write above is one).</summary>
    private static void WriteUntilFilesAreMadeAhead(WorkspaceDirectory workspace)
    {
        for (var i = 1; i < WorkspaceDirectory.FilesWrittenBeforeMakingAhead; i++)
            workspace.WriteAtomically(workspace.Resolve("state", $"early-{i}.json"), $"early {i}");
    }

    [Fact]
    public void A_handle_whose_writes_made_only_a_few_files_has_none_made_ahead()
    {
        using var spares = temp.Workspace.MakeTemporaryFilesAhead();
        for (var i = 1; i < WorkspaceDirectory.FilesWrittenBeforeMakingAhead; i++)
            temp.Workspace.WriteAtomically(temp.Workspace.Resolve("state", $"{i}.json"), $"{i}");
        Thread.Sleep(100);
        Assert.Empty(SpareFiles());

        temp.Workspace.WriteAtomically(temp.Workspace.Resolve("state", "last.json"), "last");
        Assert.NotEmpty(WaitForSpareFiles());
        Assert.Equal(WorkspaceDirectory.FilesWrittenBeforeMakingAhead, Directory.GetFiles(Path.Combine(temp.Root, "state")).Length);
    }

    [Fact]
    public void Without_a_handle_no_file_is_made_ahead()
    {
        for (var i = 0; i < 20; i++) temp.Workspace.WriteAtomically(temp.Workspace.Resolve("state", $"{i}.json"), Encoding.UTF8.GetBytes($"{i}"));
        Thread.Sleep(50);
        Assert.Empty(SpareFiles());
        Assert.Equal(20, Directory.GetFiles(Path.Combine(temp.Root, "state")).Length);
    }

    [Fact]
    public void Spare_files_deleted_from_under_the_writer_are_replaced_by_files_made_as_it_writes()
    {
        using var spares = temp.Workspace.MakeTemporaryFilesAhead();
        temp.Workspace.WriteAtomically(temp.Workspace.Resolve("state", "a.json"), "one");
        WriteUntilFilesAreMadeAhead(temp.Workspace);
        Assert.NotEmpty(WaitForSpareFiles());
        // What a reset does to tmp/ while a notebook still runs. The background thread may still be making files
        // there, and a folder that gains one while it is emptied cannot be removed: try again until it is gone.
        for (var attempt = 1; Directory.Exists(Tmp); attempt++)
        {
            try { Directory.Delete(Tmp, recursive: true); }
            catch (IOException) when (attempt < 100) { Thread.Sleep(10); }
        }

        for (var i = 0; i < 80; i++) temp.Workspace.WriteAtomically(temp.Workspace.Resolve("state", "a.json"), $"write {i}");
        Assert.Equal("write 79", File.ReadAllText(Path.Combine(temp.Root, "state", "a.json")));
    }

    public void Dispose() => temp.Dispose();
}
