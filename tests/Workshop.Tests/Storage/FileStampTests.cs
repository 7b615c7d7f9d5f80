using StreamingWorkshop.Storage;

namespace Workshop.Tests.Storage;

/// <summary>
/// The stamps a warm query engine compares before each query (a file's length and last-write time) are exactly
/// FileInfo's, for plain files in folders taken in any order and for every entry that is not a plain file.
/// </summary>
public sealed class FileStampTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("workshop-stamps-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Each_stamp_is_the_length_and_last_write_time_FileInfo_reads()
    {
        var paths = new List<string>();
        var written = new DateTime(2026, 12, 5, 13, 8, 0, DateTimeKind.Utc);
        foreach (var (folder, count) in new[] { ("day=04", 3), ("day=05", 4), ("ünïcode folder", 2) })
        {
            Directory.CreateDirectory(Path.Combine(root, "lake", folder));
            for (var i = 0; i < count; i++)
            {
                var path = Path.Combine(root, "lake", folder, $"object-{i} ü.gz");
                File.WriteAllBytes(path, new byte[i * 37]);
                // Sub-second times down to the tick (100 ns), which the file system keeps.
                File.SetLastWriteTimeUtc(path, written.AddTicks(1_234_567 * (i + 1) + paths.Count));
                paths.Add(path);
            }
        }
        var folderLink = Path.Combine(root, "lake", "day=05-link");
        Directory.CreateSymbolicLink(folderLink, Path.Combine(root, "lake", "day=05"));
        File.CreateSymbolicLink(Path.Combine(root, "lake", "day=05", "file-link.gz"), paths[0]);
        File.CreateSymbolicLink(Path.Combine(root, "lake", "day=05", "dangling.gz"), Path.Combine(root, "nowhere"));
        paths.AddRange([
            Path.Combine(root, "lake", "day=05", "file-link.gz"),
            Path.Combine(root, "lake", "day=05", "dangling.gz"),
            Path.Combine(folderLink, "object-1 ü.gz"),
            Path.Combine(root, "lake", "day=05", "missing.gz"),
            Path.Combine(root, "lake", "missing-folder", "object.gz"),
            Path.Combine(root, "lake", "day=04"),
            Path.Combine(root, "lake", "day=04", "object-1 ü.gz", "under-a-file"),
        ]);

        // In order, out of order (the folder changes at every step) and twice over.
        var order = paths.Concat(paths.AsEnumerable().Reverse()).Concat(paths.Where((_, i) => i % 2 == 0)).ToList();
        using var stamps = new FileStamps();
        foreach (var path in order)
        {
            var file = new FileInfo(path);
            var found = stamps.TryRead(path, out var length, out var lastWrite);
            Assert.True(file.Exists == found, $"{path}: FileInfo says exists={file.Exists}, the stamps {found}");
            if (!found) continue;
            Assert.Equal(file.Length, length);
            Assert.Equal(file.LastWriteTimeUtc, lastWrite);
            Assert.Equal(DateTimeKind.Utc, lastWrite.Kind);
        }
        Assert.Equal(written.AddTicks(1_234_567 * 2 + 4), stamps.TryRead(paths[4], out _, out var fifth) ? fifth : default);
    }

    [Fact]
    public void A_file_replaced_after_it_was_read_is_read_again_as_it_is_now()
    {
        var path = Path.Combine(root, "object.gz");
        File.WriteAllBytes(path, new byte[10]);
        using var stamps = new FileStamps();
        Assert.True(stamps.TryRead(path, out var before, out _));

        File.WriteAllBytes(path + ".new", new byte[25]);
        File.Move(path + ".new", path, overwrite: true);

        Assert.True(stamps.TryRead(path, out var after, out _));
        Assert.Equal((10L, 25L), (before, after));
        File.Delete(path);
        Assert.False(stamps.TryRead(path, out _, out _));
    }
}
