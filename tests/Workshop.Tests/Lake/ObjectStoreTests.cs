using System.Security.Cryptography;
using System.Text;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Lake;

/// <summary>S3 semantics of the local lake: buckets, keys, atomic puts, listings, errors.</summary>
public sealed class ObjectStoreTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 1, 14, 12, 0, 0, TimeSpan.Zero);
    private const string Bucket = "weather-lake";
    private readonly TempWorkspace temp = new();
    private readonly VirtualClock clock = new(Start);
    private readonly LocalObjectStore store;

    public ObjectStoreTests()
    {
        store = new LocalObjectStore(temp.Workspace, clock);
        store.CreateBucketAsync(Bucket).GetAwaiter().GetResult();
    }

    private Task<ObjectInfo> Put(string key, string text = "x") => store.PutObjectAsync(Bucket, key, Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task An_object_is_a_file_at_its_key_under_the_bucket_folder()
    {
        await Put("weather-data/location=London/a.json", "{\"t\":1}");

        Assert.Equal("{\"t\":1}", File.ReadAllText(Path.Combine(temp.Root, "lake", Bucket, "weather-data", "location=London", "a.json")));
    }

    [Fact]
    public async Task Listings_give_each_object_the_size_and_time_of_its_put_in_every_folder()
    {
        var puts = new List<ObjectInfo>();
        foreach (var key in new[] { "weather-data/day=04/a.json", "weather-data/day=05/b.json", "weather-data/c.json", "weather-data/day=05/hour=01/d.json", "weather-data/day=05/e.json" })
        {
            clock.Advance(TimeSpan.FromMinutes(7));
            puts.Add(await Put(key, new string('x', puts.Count * 3 + 1)));
        }
        var expected = puts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Size, p.LastModified)).ToArray();

        var listed = await store.ListObjectsV2Async(new ListObjectsRequest(Bucket) { Prefix = "weather-data/" });
        var all = store.ListAll(Bucket, "weather-data/").ToArray();

        Assert.Equal(expected, listed.Contents.Select(o => (o.Key, o.Size, o.LastModified)).ToArray());
        Assert.Equal(expected, all.Select(o => (o.Key, o.Size, o.LastModified)).ToArray());
        Assert.Equal(Start.AddMinutes(35), listed.Contents.Single(o => o.Key.EndsWith("e.json")).LastModified);
    }

    [Fact]
    public async Task Put_returns_size_clock_time_md5_etag_and_STANDARD()
    {
        clock.Advance(TimeSpan.FromMinutes(3));

        var info = await Put("a.txt", "hello");

        Assert.Equal(5, info.Size);
        Assert.Equal(Start.AddMinutes(3), info.LastModified);
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData("hello"u8))}\"", info.ETag);
        Assert.Equal("STANDARD", info.StorageClass);
    }

    [Fact]
    public async Task Last_modified_survives_reopening_the_store()
    {
        await Put("a.txt");
        var reopened = new LocalObjectStore(temp.Workspace, new VirtualClock(Start.AddDays(1)));

        Assert.Equal(Start, (await reopened.GetObjectAsync(Bucket, "a.txt")).Info.LastModified);
    }

    [Fact]
    public async Task Puts_leave_no_temporary_files_behind()
    {
        for (var i = 0; i < 20; i++) await Put($"k{i}.txt", new string('z', 10_000));

        Assert.Empty(Directory.EnumerateFiles(Path.Combine(temp.Root, "tmp")));
    }

    [Theory]
    [InlineData("", "InvalidArgument")]
    [InlineData("/leading-slash", "InvalidArgument")]
    [InlineData("a/../escape", "InvalidArgument")]
    [InlineData("../../outside", "InvalidArgument")]         // would land in the workspace, beside lake/
    [InlineData("../../../outside", "InvalidArgument")]      // would land beside the workspace, with the canary
    [InlineData("../../../canary/secret.txt", "InvalidArgument")] // would overwrite the canary
    [InlineData("a/./b", "InvalidArgument")]
    [InlineData("a//b", "InvalidArgument")]
    [InlineData("back\\slash", "InvalidArgument")]
    [InlineData("folder/", "InvalidArgument")]
    public async Task Invalid_keys_are_refused_naming_the_key_and_nothing_is_written(string key, string code)
    {
        // A folder of this test's own holds the workspace and a canary beside it, so the count is not disturbed by
        // other tests, and it covers the whole workspace and its surroundings: wherever a "../" key could land.
        var parent = Directory.CreateTempSubdirectory("workshop-keys-").FullName;
        try
        {
            var canary = Directory.CreateDirectory(Path.Combine(parent, "canary")).FullName;
            File.WriteAllText(Path.Combine(canary, "secret.txt"), "canary");
            var own = new LocalObjectStore(new StreamingWorkshop.Storage.WorkspaceDirectory(Path.Combine(parent, "workspace")), clock);
            await own.CreateBucketAsync(Bucket);
            string[] Everything() => Directory.EnumerateFileSystemEntries(parent, "*", SearchOption.AllDirectories)
                .Select(p => $"{Path.GetRelativePath(parent, p)} {(File.Exists(p) ? new FileInfo(p).Length : -1)}").Order(StringComparer.Ordinal).ToArray();
            var before = Everything();
            Assert.Contains(Path.Combine("canary", "secret.txt") + " 6", before);
            Assert.Contains(Path.Combine("workspace", "lake", Bucket) + " -1", before);

            var error = await Assert.ThrowsAsync<S3Exception>(() => own.PutObjectAsync(Bucket, key, "{}"u8.ToArray()));

            Assert.Equal(code, error.ErrorCode);
            if (key.Length > 0) Assert.Contains(key, error.Message);
            Assert.Equal(before, Everything());
            Assert.Equal("canary", File.ReadAllText(Path.Combine(canary, "secret.txt")));
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public async Task Keys_longer_than_1024_bytes_are_KeyTooLongError()
    {
        var error = await Assert.ThrowsAsync<S3Exception>(() => Put(new string('é', 513))); // 1,026 bytes of UTF-8
        Assert.Equal("KeyTooLongError", error.ErrorCode);
        await Put(new string('k', 200) + "/" + new string('k', 200));
    }

    [Theory]
    [InlineData('r', 256, 1)] // 256 bytes
    [InlineData('é', 128, 1)] // 256 bytes of UTF-8 in 128 characters
    [InlineData('r', 300, 0)] // the first segment itself
    public async Task A_segment_longer_than_a_file_name_can_be_is_refused_and_leaves_no_folder(char letter, int count, int depth)
    {
        var segment = new string(letter, count);
        var key = depth == 0 ? segment + "/readings.csv" : "logs/" + segment + ".csv";

        var error = await Assert.ThrowsAsync<S3Exception>(() => Put(key));

        Assert.Equal("InvalidArgument", error.ErrorCode);
        Assert.Contains(key, error.Message);
        Assert.Contains("longer than 255 bytes", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(temp.Root, "lake", Bucket)));
        await Put("logs"); // no folder left behind to clash with
        await Put("kept/" + new string('r', 251) + ".csv"); // 255 bytes: the longest name is taken
    }

    [Fact]
    public async Task A_key_that_clashes_with_a_folder_on_disk_gets_a_clear_error()
    {
        await Put("a/b");
        var fileAsFolder = await Assert.ThrowsAsync<S3Exception>(() => Put("a/b/c"));
        var folderAsFile = await Assert.ThrowsAsync<S3Exception>(() => Put("a"));

        Assert.Contains("already an object", fileAsFolder.Message);
        Assert.Contains("objects already exist under", folderAsFile.Message);
    }

    [Fact]
    public async Task Missing_bucket_and_key_are_NoSuchBucket_and_NoSuchKey()
    {
        Assert.Equal("NoSuchKey", (await Assert.ThrowsAsync<S3Exception>(() => store.GetObjectAsync(Bucket, "absent.txt"))).ErrorCode);
        Assert.Equal("NoSuchBucket", (await Assert.ThrowsAsync<S3Exception>(() => store.GetObjectAsync("no-such-bucket", "a"))).ErrorCode);
        var put = await Assert.ThrowsAsync<S3Exception>(() => store.PutObjectAsync("no-such-bucket", "a", "x"u8.ToArray()));
        Assert.Equal(("NoSuchBucket", "The specified bucket does not exist: no-such-bucket. Check the name: the stack's buckets come with 'workshop deploy', any other with CreateBucket ('aws s3 mb')."), (put.ErrorCode, put.Message));
        Assert.False(Directory.Exists(Path.Combine(temp.Workspace.Root, "lake", "no-such-bucket")));
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper-Case")]
    [InlineData("ends-with-dash-")]
    [InlineData("two..dots")]
    [InlineData("192.168.1.1")]
    public async Task Bucket_names_follow_S3_rules(string name)
    {
        Assert.Equal("InvalidBucketName", (await Assert.ThrowsAsync<S3Exception>(() => store.CreateBucketAsync(name))).ErrorCode);
    }

    [Fact]
    public async Task A_bucket_with_objects_cannot_be_deleted_until_emptied()
    {
        await Put("a.txt");
        Assert.Equal("BucketNotEmpty", (await Assert.ThrowsAsync<S3Exception>(() => store.DeleteBucketAsync(Bucket))).ErrorCode);

        await store.DeleteObjectAsync(Bucket, "a.txt");
        await store.DeleteBucketAsync(Bucket);

        Assert.False(await store.BucketExistsAsync(Bucket));
    }

    [Fact]
    public async Task Creating_a_bucket_twice_is_BucketAlreadyOwnedByYou()
    {
        Assert.Equal("BucketAlreadyOwnedByYou", (await Assert.ThrowsAsync<S3Exception>(() => store.CreateBucketAsync(Bucket))).ErrorCode);
    }

    [Fact]
    public async Task Delimiter_lists_one_level_as_common_prefixes_and_objects()
    {
        await Put("weather-data/location=London/a.gz");
        await Put("weather-data/location=Leeds/b.gz");
        await Put("weather-data/readme.txt");
        await Put("errors/x.gz");

        var top = await store.ListObjectsV2Async(new ListObjectsRequest(Bucket, Delimiter: "/"));
        var inside = await store.ListObjectsV2Async(new ListObjectsRequest(Bucket, "weather-data/", "/"));

        Assert.Equal(["errors/", "weather-data/"], top.CommonPrefixes);
        Assert.Empty(top.Contents);
        Assert.Equal(["weather-data/location=Leeds/", "weather-data/location=London/"], inside.CommonPrefixes);
        Assert.Equal(["weather-data/readme.txt"], inside.Contents.Select(c => c.Key));
        Assert.Equal(3, inside.KeyCount);
    }

    [Fact]
    public async Task Prefix_without_delimiter_lists_every_key_below_it()
    {
        await Put("weather-data/location=London/x/a.gz");
        await Put("weather-data/location=Leeds/b.gz");

        var result = await store.ListObjectsV2Async(new ListObjectsRequest(Bucket, "weather-data/location=Lo"));

        Assert.Equal(["weather-data/location=London/x/a.gz"], result.Contents.Select(c => c.Key));
    }

    [Fact]
    public async Task Pages_of_1000_with_continuation_tokens_cover_every_key_once_in_order()
    {
        var keys = Enumerable.Range(0, 2500).Select(i => $"p/{i:D5}.txt").ToList();
        foreach (var key in keys) await Put(key);

        var seen = new List<string>();
        var pages = 0;
        string? token = null;
        do
        {
            var page = await store.ListObjectsV2Async(new ListObjectsRequest(Bucket, "p/", ContinuationToken: token));
            seen.AddRange(page.Contents.Select(c => c.Key));
            token = page.NextContinuationToken;
            Assert.Equal(token is not null, page.IsTruncated);
            pages++;
        } while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(keys, seen);
    }

    [Fact]
    public async Task StartAfter_skips_keys_up_to_and_including_it()
    {
        foreach (var key in new[] { "a", "b", "c" }) await Put(key);

        var result = await store.ListObjectsV2Async(new ListObjectsRequest(Bucket, StartAfter: "a"));

        Assert.Equal(["b", "c"], result.Contents.Select(c => c.Key));
    }

    [Fact]
    public async Task Keys_are_listed_in_UTF8_byte_order()
    {
        // UTF-8 order: 'B' (0x42) < 'a' (0x61) < 'é' (0xC3 0xA9) < U+FF21 (0xEF...) < U+1F600 (0xF0...).
        string[] expected = ["B", "a", "é", "\uFF21", "\U0001F600"];
        foreach (var key in expected.Reverse()) await Put(key);

        var result = await store.ListObjectsV2Async(new ListObjectsRequest(Bucket));

        Assert.Equal(expected, result.Contents.Select(c => c.Key));
    }

    [Fact]
    public async Task A_bad_continuation_token_is_InvalidArgument()
    {
        var error = await Assert.ThrowsAsync<S3Exception>(() => store.ListObjectsV2Async(new ListObjectsRequest(Bucket, ContinuationToken: "???")));
        Assert.Equal("InvalidArgument", error.ErrorCode);
    }

    [Fact]
    public async Task Gzip_objects_read_back_as_lines()
    {
        var content = StreamingWorkshop.Delivery.LocalDeliveryStream.Gzip("{\"a\":1}\n{\"a\":2}\n"u8.ToArray());
        await store.PutObjectAsync(Bucket, "x.gz", content);

        var lines = LocalObjectStore.ReadLines(await store.GetObjectAsync(Bucket, "x.gz")).ToList();

        Assert.Equal(["{\"a\":1}", "{\"a\":2}"], lines);
    }

    public void Dispose() => temp.Dispose();
}
