using StreamingWorkshop.Storage;

namespace Workshop.Tests.Storage;

/// <summary>
/// A path is refused when any step below the workspace's root is a symbolic link, whether the system answers for the
/// whole path at once or the kit walks it step by step, and the refusal names the first link on the way. A link above
/// the root (a workspace reached through a linked folder) is the user's own and refuses nothing.
/// </summary>
public sealed class WorkspaceLinkTests : IDisposable
{
    private readonly string parent = Directory.CreateTempSubdirectory("workshop-link-check-").FullName;

    public WorkspaceLinkTests()
    {
        Directory.CreateDirectory(Path.Combine(parent, "outside"));
        File.WriteAllText(Path.Combine(parent, "outside", "secret"), "kept out");
        var root = Path.Combine(parent, "real-home", "workspace");
        Directory.CreateDirectory(Path.Combine(root, "real", "sub"));
        // A workspace the kit made, with links put in it afterwards.
        File.WriteAllText(Path.Combine(root, WorkspaceDirectory.MarkerFileName), "");
        File.WriteAllText(Path.Combine(root, "real", "sub", "file.txt"), "inside");
        Directory.CreateSymbolicLink(Path.Combine(root, "out"), Path.Combine(parent, "outside"));
        Directory.CreateSymbolicLink(Path.Combine(root, "inner"), Path.Combine(root, "real"));
        File.CreateSymbolicLink(Path.Combine(root, "dangling"), Path.Combine(parent, "nowhere"));
        File.CreateSymbolicLink(Path.Combine(root, "real", "sub", "file-link"), Path.Combine(root, "real", "sub", "file.txt"));
        Directory.CreateSymbolicLink(Path.Combine(parent, "home-link"), Path.Combine(parent, "real-home"));
    }

    public void Dispose() => Directory.Delete(parent, recursive: true);

    public static TheoryData<string, string?> Paths => new()
    {
        { "real/sub/file.txt", null },
        { "real/sub/new.txt", null },
        { "real/missing/deeper/new.txt", null },
        { "real/sub/file.txt/under-a-file", null },
        { "out", "out" },
        { "out/secret", "out" },
        { "out/missing/new.txt", "out" },
        { "inner/sub/file.txt", "inner" },
        { "dangling", "dangling" },
        { "dangling/new.txt", "dangling" },
        { "real/sub/file-link", "real/sub/file-link" },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_path_is_refused_exactly_when_a_step_below_the_root_is_a_link(string relative, string? link)
    {
        var workspace = new WorkspaceDirectory(Path.Combine(parent, "real-home", "workspace"));

        AssertChecked(workspace, relative, link);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Through_a_linked_folder_above_the_root_only_the_links_below_it_count(string relative, string? link)
    {
        var workspace = new WorkspaceDirectory(Path.Combine(parent, "home-link", "workspace"));

        // Once before and once after a path that meets only the link above the root.
        AssertChecked(workspace, relative, link);
        Assert.Equal(Path.Combine(workspace.Root, "real", "sub", "file.txt"), workspace.Resolve("real/sub/file.txt"));
        AssertChecked(workspace, relative, link);
    }

    [Fact]
    public void The_one_look_tells_a_link_from_none_on_linux_and_leaves_other_systems_to_the_walk()
    {
        var root = Path.Combine(parent, "real-home", "workspace");
        var linux = OperatingSystem.IsLinux();

        Assert.Equal(linux ? PathLinks.None : PathLinks.Unknown, LinkFreePath.Look(Path.Combine(root, "real", "sub", "file.txt")));
        Assert.Equal(linux ? PathLinks.None : PathLinks.Unknown, LinkFreePath.Look(Path.Combine(root, "real", "missing", "new.txt")));
        Assert.Equal(linux ? PathLinks.Some : PathLinks.Unknown, LinkFreePath.Look(Path.Combine(root, "out", "secret")));
        Assert.Equal(linux ? PathLinks.Some : PathLinks.Unknown, LinkFreePath.Look(Path.Combine(root, "dangling", "new.txt")));
        Assert.Equal(linux ? PathLinks.Some : PathLinks.Unknown, LinkFreePath.Look(Path.Combine(parent, "home-link", "workspace", "real")));
    }

    private static void AssertChecked(WorkspaceDirectory workspace, string relative, string? link)
    {
        var full = Path.Combine(workspace.Root, relative);
        if (link is null)
        {
            Assert.Equal(full, workspace.Confine(full));
            Assert.Equal(full, workspace.Resolve(relative));
            return;
        }
        var confined = Assert.Throws<WorkspaceEscapeException>(() => workspace.Confine(full));
        var resolved = Assert.Throws<WorkspaceEscapeException>(() => workspace.Resolve(relative));
        Assert.Equal(Path.Combine(workspace.Root, link), confined.Link);
        Assert.Equal(Path.Combine(workspace.Root, link), resolved.Link);
        Assert.Contains($"'{link}' is a symbolic link", confined.Message);
    }
}
