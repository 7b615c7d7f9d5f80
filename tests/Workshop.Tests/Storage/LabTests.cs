using StreamingWorkshop;
using StreamingWorkshop.Storage;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Storage;

/// <summary>
/// A lab is a second local pipeline inside the workspace that a notebook section drives on its own clock. Opening it
/// again must give the same lab as the first time, whatever the section did to it, and must never touch anything else.
/// </summary>
public sealed class LabTests : IDisposable
{
    private static readonly DateTimeOffset LabStart = new(2025, 1, 14, 12, 0, 0, TimeSpan.Zero);
    private readonly TempWorkspace temp = new();

    [Fact]
    public async Task Opening_a_lab_again_starts_it_afresh_and_leaves_the_workspace_around_it_alone()
    {
        // Each session is closed before the workspace goes: a session makes spare files in its tmp/ in the background.
        await using var day = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root, Backend = "local" });
        File.WriteAllText(temp.Workspace.Resolve("learner-notes.txt"), "mine");

        await using var lab = await day.OpenLabAsync("lab");
        Assert.Equal(Path.Combine(temp.Root, "lab"), lab.Workspace.Root);
        var first = await lab.SimulateAsync(TimeSpan.FromMinutes(10), LabStart);
        // The section moves the lab's clock on, as 04's resharding and 05's later replays do.
        await lab.SimulateAsync(TimeSpan.FromMinutes(5));
        File.WriteAllText(lab.Workspace.Resolve("left-by-the-section.txt"), "old");

        await using var again = await day.OpenLabAsync("lab");
        Assert.False(File.Exists(Path.Combine(temp.Root, "lab", "left-by-the-section.txt")));
        var second = await again.SimulateAsync(TimeSpan.FromMinutes(10), LabStart);
        Assert.False(second.AlreadyComplete);
        Assert.Equal(LabStart, second.Start);
        Assert.Equal(first.RecordsPut, second.RecordsPut);
        Assert.Equal(first.RecordsDelivered, second.RecordsDelivered);

        Assert.Equal("mine", File.ReadAllText(temp.Workspace.Resolve("learner-notes.txt")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Workspace.EnsureFolder("tmp"), "*.lab"));
    }

    [Theory]
    [InlineData("streams", "keeps its own data")]
    [InlineData("tmp", "keeps its own data")]
    [InlineData("startup", "keeps its own data")]
    [InlineData("Lab", "is not one the kit takes")]
    [InlineData("../lab", "is not one the kit takes")]
    [InlineData("", "is not one the kit takes")]
    public void A_name_the_workspace_uses_or_cannot_take_is_refused(string name, string said)
    {
        var refused = Assert.Throws<ArgumentException>(() => temp.Workspace.ClearLab(name));
        Assert.Contains($"'{name}'", refused.Message);
        Assert.Contains(said, refused.Message);
        Assert.Contains("lab name", refused.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_folder_that_is_not_a_workspace_is_refused_and_kept()
    {
        var mine = temp.Workspace.EnsureFolder("my-data");
        File.WriteAllText(Path.Combine(mine, "results.csv"), "a,b\n");

        var refused = Assert.Throws<ArgumentException>(() => temp.Workspace.ClearLab("my-data"));

        Assert.Contains("'my-data'", refused.Message);
        Assert.Contains("is not a lab", refused.Message);
        Assert.Equal("a,b\n", File.ReadAllText(Path.Combine(mine, "results.csv")));
    }

    [Fact]
    public async Task An_empty_folder_of_the_lab_s_name_becomes_the_lab()
    {
        await using var day = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root, Backend = "local" });
        temp.Workspace.EnsureFolder("empty-lab");

        await using var lab = await day.OpenLabAsync("empty-lab");

        Assert.Equal(Path.Combine(temp.Root, "empty-lab"), lab.Workspace.Root);
        Assert.True(File.Exists(Path.Combine(temp.Root, "empty-lab", WorkspaceDirectory.MarkerFileName)));
    }

    [Fact]
    public void A_lab_a_killed_process_was_deleting_is_removed_when_the_workspace_next_opens()
    {
        var tmp = temp.Workspace.EnsureFolder("tmp");
        // No process has this id (Linux caps ids far below it), so its writer is gone.
        var orphan = Directory.CreateDirectory(Path.Combine(tmp, $"{int.MaxValue}-0123456789abcdef.lab")).FullName;
        File.WriteAllText(Path.Combine(orphan, "shard.log"), "x");
        var ours = Directory.CreateDirectory(Path.Combine(tmp, $"{Environment.ProcessId}-fedcba9876543210.lab")).FullName;

        _ = new WorkspaceDirectory(temp.Root);

        Assert.False(Directory.Exists(orphan));
        Assert.True(Directory.Exists(ours));
    }

    public void Dispose() => temp.Dispose();
}
