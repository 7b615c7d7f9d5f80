using System.Text;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Storage;

namespace Workshop.Tests.Lake;

/// <summary>
/// Symbolic links planted in a bucket folder lead nowhere: reads, writes and listings never pass through them.
/// The workspace sits in a temporary parent beside a canary folder whose secret must never come back.
/// </summary>
public sealed class LakeConfinementTests : IDisposable
{
    private const string Bucket = "weather-lake";
    private const string Secret = "canary-secret-b71f";
    private readonly string parent = Directory.CreateTempSubdirectory("workshop-links-").FullName;
    private readonly LocalObjectStore store;

    public LakeConfinementTests()
    {
        Directory.CreateDirectory(Path.Combine(parent, "canary"));
        File.WriteAllText(Path.Combine(parent, "canary", "passwd"), Secret);
        var workspace = new WorkspaceDirectory(Path.Combine(parent, "workspace"));
        store = new LocalObjectStore(workspace, new VirtualClock(new DateTimeOffset(2025, 1, 14, 12, 0, 0, TimeSpan.Zero)));
        store.CreateBucketAsync(Bucket).GetAwaiter().GetResult();
        store.PutObjectAsync(Bucket, "weather-data/a.json", Encoding.UTF8.GetBytes("{}")).GetAwaiter().GetResult();
        var bucketFolder = Path.Combine(parent, "workspace", "lake", Bucket);
        Directory.CreateSymbolicLink(Path.Combine(bucketFolder, "link"), Path.Combine(parent, "canary"));
        File.CreateSymbolicLink(Path.Combine(bucketFolder, "weather-data", "passwd"), Path.Combine(parent, "canary", "passwd"));
    }

    private string[] Canary() => Directory.GetFileSystemEntries(Path.Combine(parent, "canary")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Theory]
    [InlineData("link/passwd", "link")]
    [InlineData("weather-data/passwd", "weather-data/passwd")]
    public async Task Reading_through_a_link_is_refused_naming_the_link(string key, string linkShown)
    {
        var error = await Assert.ThrowsAsync<S3Exception>(() => store.GetObjectAsync(Bucket, key));

        Assert.Equal("InvalidArgument", error.ErrorCode);
        Assert.Contains($"'{linkShown}' is a symbolic link", error.Message);
        Assert.DoesNotContain(Secret, error.Message);
    }

    [Fact]
    public async Task Writing_through_a_link_is_refused_and_the_canary_is_untouched()
    {
        var error = await Assert.ThrowsAsync<S3Exception>(() => store.PutObjectAsync(Bucket, "link/planted.txt", Encoding.UTF8.GetBytes("x")));

        Assert.Contains("'link' is a symbolic link", error.Message);
        Assert.Equal(["passwd"], Canary());
        Assert.Equal(Secret, File.ReadAllText(Path.Combine(parent, "canary", "passwd")));
    }

    [Fact]
    public async Task Listings_skip_links_and_what_lies_behind_them()
    {
        var flat = await store.ListObjectsV2Async(new ListObjectsRequest(Bucket));
        var folders = await store.ListObjectsV2Async(new ListObjectsRequest(Bucket) { Delimiter = "/" });

        Assert.Equal(["weather-data/a.json"], flat.Contents.Select(o => o.Key).ToArray());
        Assert.Equal(["weather-data/"], folders.CommonPrefixes.ToArray());
        Assert.Empty(folders.Contents);
    }

    [Fact]
    public void The_files_COPY_reads_come_from_the_same_walk_and_skip_links()
    {
        var bucketFolder = Path.Combine(parent, "workspace", "lake", Bucket);
        var expected = ("weather-data/a.json", Path.Combine(bucketFolder, "weather-data", "a.json"));

        Assert.Equal([expected], store.ListObjectFiles(Bucket, ""));
        Assert.Equal([expected], store.ListObjectFiles(Bucket, "weather-data/"));
        Assert.Equal([expected], store.ListObjectFiles(Bucket, "weather-data/a"));
        Assert.Empty(store.ListObjectFiles(Bucket, "weather-data/passwd"));
        var throughLink = Assert.Throws<S3Exception>(() => store.ListObjectFiles(Bucket, "link/").ToList());
        Assert.Contains("'link' is a symbolic link", throughLink.Message);
    }

    [Fact]
    public void A_prefix_with_dot_dot_segments_is_refused_as_a_key_is()
    {
        var error = Assert.Throws<S3Exception>(() => store.GetLocalFolder(Bucket, "../../canary/"));

        Assert.Equal("Prefix '../../canary/' is not accepted: it has a '.' or '..' segment. Use segments of letters, digits and punctuation separated by single '/'.", error.Message);
    }

    public void Dispose() => Directory.Delete(parent, recursive: true);
}
