using StreamingWorkshop.Storage;

namespace Workshop.Tests.Storage;

/// <summary>
/// The stamps a warm query engine compares before each query (a file's length and last-write time) are exactly
/// FileInfo's, for plain files in folders taken in any order and for every entry that is not a plain file; the change
/// time it judges settling by is the system's, whatever last-write time the file was given.
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
    public void The_change_time_is_when_the_system_last_changed_the_file_whatever_last_write_time_it_was_given()
    {
        var path = Path.Combine(root, "object.gz");
        var before = DateTime.UtcNow;
        File.WriteAllBytes(path, new byte[10]);
        // A lake object stamped by a workspace clock a day ahead of the system's, and one a year behind.
        var stampedAhead = before.AddDays(1);
        File.SetLastWriteTimeUtc(path, stampedAhead);
        var behind = Path.Combine(root, "behind.gz");
        File.WriteAllBytes(behind, new byte[3]);
        File.SetLastWriteTimeUtc(behind, before.AddYears(-1));
        // Nor is it the last access, which can be set too.
        File.SetLastAccessTimeUtc(behind, before.AddYears(-2));
        var after = DateTime.UtcNow;
        var link = Path.Combine(root, "link.gz");
        File.CreateSymbolicLink(link, path);

        using var stamps = new FileStamps();
        foreach (var file in new[] { path, behind })
        {
            Assert.True(stamps.TryRead(file, out _, out var lastWrite, out var changed));
            Assert.Equal(new FileInfo(file).LastWriteTimeUtc, lastWrite);
            // The kernel takes change times from a coarse clock, up to a few milliseconds behind a fine reading.
            Assert.InRange(changed!.Value, before.AddSeconds(-1), after);
            Assert.Equal(DateTimeKind.Utc, changed.Value.Kind);
        }
        // An entry the stamps leave to FileInfo has no change time.
        Assert.True(stamps.TryRead(link, out _, out var linkWritten, out var linkChanged));
        Assert.Equal(new FileInfo(link).LastWriteTimeUtc, linkWritten);
        Assert.Null(linkChanged);
        // The three-value read gives the same length and last-write time as the two-value one.
        Assert.True(stamps.TryRead(path, out var length, out var written));
        Assert.Equal((10L, stampedAhead), (length, written));
    }

    [Theory]
    // A change time below the second comes from a file system whose clock ticks every few milliseconds.
    [InlineData("2026-12-06T09:15:02.4031187Z", 50, false)]
    [InlineData("2026-12-06T09:15:02.4031187Z", 99, false)]
    [InlineData("2026-12-06T09:15:02.4031187Z", 101, true)]
    [InlineData("2026-12-06T09:15:02.4031187Z", 5_000, true)]
    // A whole second may come from one that keeps whole seconds: two writes a second apart can leave the same time.
    [InlineData("2026-12-06T09:15:02.0000000Z", 101, false)]
    [InlineData("2026-12-06T09:15:02.0000000Z", 1_999, false)]
    [InlineData("2026-12-06T09:15:02.0000000Z", 2_001, true)]
    // Looked at before the change (a clock set back): not settled.
    [InlineData("2026-12-06T09:15:02.4031187Z", -3_000, false)]
    public void A_change_has_settled_once_the_file_systems_clock_has_surely_moved_on(string changed, int lookedAfterMilliseconds, bool settled)
    {
        var at = DateTime.Parse(changed, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);
        Assert.Equal(settled, FileTimes.HadSettled(at, at.AddMilliseconds(lookedAfterMilliseconds)));
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
