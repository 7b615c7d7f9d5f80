using StreamingWorkshop.Query;

namespace Workshop.Tests.Query;

/// <summary>
/// The objects a query reads under a table's folder, as Athena takes them: every object in the folder and below it,
/// in path order, leaving out names that start with '_' or '.', symbolic links, and objects still empty (being
/// written), which also keep the listing from being reused.
/// </summary>
public sealed class TableListingTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("workshop-listing-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Write(string relative, int bytes)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, new byte[bytes]);
        return path;
    }

    [Fact]
    public void Hidden_names_links_and_empty_objects_are_left_out()
    {
        var second = Write("day=05/b.gz", 20);
        var first = Write("day=05/a.gz", 10);
        var deeper = Write("day=05/hour=01/c.gz", 30);
        var other = Write("day=04/z.gz", 5);
        Write("day=05/_SUCCESS", 3);
        Write("day=05/.a.gz.crc", 3);
        var empty = Write("day=05/being-written.gz", 0);
        Directory.CreateSymbolicLink(Path.Combine(root, "day=06"), Path.Combine(root, "day=05"));
        File.CreateSymbolicLink(Path.Combine(root, "day=05", "link.gz"), first);

        var (files, folders, complete) = LakeTableScan.List(root);

        Assert.Equal([other, first, second, deeper], files);
        Assert.False(complete);
        Assert.Equal(
            new[] { root, Path.Combine(root, "day=04"), Path.Combine(root, "day=05"), Path.Combine(root, "day=05", "hour=01") },
            folders.Select(f => f.Folder).Order(StringComparer.Ordinal));
        Assert.All(folders, f => Assert.Equal(Directory.GetLastWriteTimeUtc(f.Folder), f.Written));

        File.WriteAllBytes(empty, new byte[7]);
        var (filled, _, nowComplete) = LakeTableScan.List(root);
        Assert.Equal([other, first, second, empty, deeper], filled);
        Assert.True(nowComplete);
    }
}
