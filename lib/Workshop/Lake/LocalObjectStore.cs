using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Lake;

/// <summary>
/// S3 on the local backend: a folder per bucket under lake/ in the workspace, the key being the path inside it,
/// so the lake can be browsed on disk and read by the query engine. Last-modified dates come from the kit's
/// clock (stored as the file's modification time); bucket settings live in state/lake/&lt;bucket&gt;.json.
/// </summary>
public sealed partial class LocalObjectStore : IObjectStore, StreamingWorkshop.Display.IHtmlDisplay
{
    /// <summary>In a notebook, the calls this offers rather than an object tree.</summary>
    public string ToHtml() => StreamingWorkshop.Lake.ObjectStoreCalls.View.ToHtml();

    public override string ToString() => StreamingWorkshop.Lake.ObjectStoreCalls.View.ToString();

    public const int MaxKeyBytes = 1024;

    private readonly WorkspaceDirectory workspace;
    private readonly TimeProvider clock;

    public LocalObjectStore(WorkspaceDirectory workspace, TimeProvider clock)
    {
        this.workspace = workspace;
        this.clock = clock;
    }

    public Task CreateBucketAsync(string bucket, CancellationToken cancellationToken = default)
    {
        ValidateBucketName(bucket);
        if (File.Exists(SettingsPath(bucket)))
            throw new S3Exception("BucketAlreadyOwnedByYou", $"Your previous request to create the named bucket succeeded and you already own it: {bucket}.");
        Directory.CreateDirectory(GetBucketRoot(bucket));
        SaveSettings(bucket, new BucketSettings(clock.GetUtcNow(), []));
        return Task.CompletedTask;
    }

    public Task DeleteBucketAsync(string bucket, CancellationToken cancellationToken = default)
    {
        RequireBucket(bucket);
        var root = GetBucketRoot(bucket);
        if (Directory.Exists(root) && Directory.EnumerateFiles(root, "*", EveryObject).Any())
            throw new S3Exception("BucketNotEmpty", $"The bucket you tried to delete is not empty: {bucket}. Delete its objects first.");
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        var headers = workspace.Resolve("state", "lake-headers", bucket);
        if (Directory.Exists(headers)) Directory.Delete(headers, recursive: true);
        File.Delete(SettingsPath(bucket));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken cancellationToken = default)
    {
        var folder = workspace.Resolve("state", "lake");
        IReadOnlyList<BucketInfo> buckets = !Directory.Exists(folder) ? [] :
            Directory.GetFiles(folder, "*.json").Select(f => Path.GetFileNameWithoutExtension(f))
                .Order(StringComparer.Ordinal)
                .Select(name => new BucketInfo(name, LoadSettings(name).CreationDate)).ToArray();
        return Task.FromResult(buckets);
    }

    public Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken = default)
    {
        ValidateBucketName(bucket);
        return Task.FromResult(File.Exists(SettingsPath(bucket)));
    }

    public Task<ObjectInfo> PutObjectAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        // The settings are read once, which also tells that the bucket exists; a put is the lake's most frequent call.
        var settings = ExistingSettings(bucket);
        var path = GetLocalPath(bucket, key);
        // GetLocalPath checked every folder from the workspace's root down, the bucket's among them.
        var root = BucketFolder(bucket);
        // A file system cannot hold both 'a' as an object and 'a/...' as a folder, which S3 allows.
        for (var parent = Path.GetDirectoryName(path); parent is not null && parent.Length > root.Length; parent = Path.GetDirectoryName(parent))
        {
            // A folder that exists has folders above it, not objects: the walk up can stop there.
            if (Directory.Exists(parent)) break;
            if (File.Exists(parent))
                throw new S3Exception("InvalidArgument", $"Key '{key}' cannot be stored locally because '{Path.GetRelativePath(root, parent).Replace('\\', '/')}' is already an object, and the local lake keeps keys as file paths. Choose another key.");
        }
        if (Directory.Exists(path))
            throw new S3Exception("InvalidArgument", $"Key '{key}' cannot be stored locally because objects already exist under '{key}/', and the local lake keeps keys as file paths. Choose another key.");
        var now = clock.GetUtcNow();
        // GetLocalPath confined the path to the workspace a moment ago.
        workspace.WriteConfinedAtomically(path, content.Span, now);
        return Task.FromResult(Describe(bucket, key, new FileInfo(path), MD5.HashData(content.Span), settings.Lifecycle));
    }

    public Task<StoredObject> GetObjectAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RequireBucket(bucket);
        var path = GetLocalPath(bucket, key);
        if (!File.Exists(path))
            throw new S3Exception("NoSuchKey", $"The specified key does not exist: '{key}' in bucket {bucket}. List the bucket ('workshop lake ls') to see its keys.");
        // Read in place, as the other calls here work: an asynchronous read of a small local file only adds a hop to the
        // thread pool, which a caller reading thousands of objects one by one (a crawl, a Glue job) waits out each time.
        var content = File.ReadAllBytes(path);
        return Task.FromResult(new StoredObject(Describe(bucket, key, new FileInfo(path), MD5.HashData(content)), content));
    }

    public Task DeleteObjectAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        RequireBucket(bucket);
        var path = GetLocalPath(bucket, key);
        if (File.Exists(path)) File.Delete(path);
        RemoveEmptyFolders(GetBucketRoot(bucket), Path.GetDirectoryName(path));
        ForgetHeaders(bucket, key);
        return Task.CompletedTask;
    }

    public Task<ListObjectsResult> ListObjectsV2Async(ListObjectsRequest request, CancellationToken cancellationToken = default)
    {
        RequireBucket(request.Bucket);
        if (request.MaxKeys is < 1 or > 1000)
            throw new S3Exception("InvalidArgument", $"MaxKeys {request.MaxKeys} is out of range: use 1 to 1,000.");
        var prefix = request.Prefix ?? "";
        var marker = DecodeToken(request.ContinuationToken) ?? (request.StartAfter is { } startAfter ? new Marker(startAfter, false) : null);
        var root = GetBucketRoot(request.Bucket);
        var lifecycle = LoadSettings(request.Bucket).Lifecycle;
        var entries = ListEntries(request.Bucket, root, prefix, request.Delimiter);
        entries.Sort((a, b) => Utf8Order.Compare(a.Name, b.Name));

        var contents = new List<ObjectInfo>();
        var commonPrefixes = new List<string>();
        using var stamps = new FileStamps();
        string? lastName = null;
        var lastWasPrefix = false;
        var truncated = false;
        foreach (var entry in entries)
        {
            if (marker is not null)
            {
                if (Utf8Order.Compare(entry.Name, marker.Name) <= 0) continue;
                if (marker.IsCommonPrefix && entry.Name.StartsWith(marker.Name, StringComparison.Ordinal)) continue;
            }
            if (contents.Count + commonPrefixes.Count == request.MaxKeys) { truncated = true; break; }
            if (entry.IsCommonPrefix) commonPrefixes.Add(entry.Name);
            else contents.Add(DescribeListed(stamps, request.Bucket, entry, lifecycle));
            lastName = entry.Name;
            lastWasPrefix = entry.IsCommonPrefix;
        }
        var token = truncated ? EncodeToken(new Marker(lastName!, lastWasPrefix)) : null;
        return Task.FromResult(new ListObjectsResult(contents, commonPrefixes, truncated, token, contents.Count + commonPrefixes.Count));
    }

    /// <summary>
    /// Every object under <paramref name="prefix"/> in key order, as paging through ListObjectsV2 gives them, in one walk
    /// of the folder: each page of ListObjectsV2 walks and sorts the whole prefix again, which for a year of objects
    /// (790,000) is hours of listing.
    /// </summary>
    internal IEnumerable<ObjectInfo> ListAll(string bucket, string? prefix)
    {
        var entries = SortedEntries(bucket, prefix);
        var lifecycle = LoadSettings(bucket).Lifecycle;
        using var stamps = new FileStamps();
        foreach (var entry in entries) yield return DescribeListed(stamps, bucket, entry, lifecycle);
    }

    /// <summary>The bucket's objects under <paramref name="prefix"/> from one walk of its folder (<see cref="ListAll"/>), not page by page.</summary>
    public async IAsyncEnumerable<ObjectInfo> ListAllAsync(string bucket, string? prefix = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var item in ListAll(bucket, prefix))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }
    }

    /// <summary>
    /// Every object under <paramref name="prefix"/> in key order with the file that holds it, for a reader of many
    /// objects (COPY). The walk starts in a folder checked as a prefix and never follows a link, so each file it finds
    /// is inside the bucket already: checking each key's path again, as <see cref="GetLocalPath"/> does, would cost an
    /// lstat for every folder on the way, for every object.
    /// </summary>
    internal IEnumerable<(string Key, string Path)> ListObjectFiles(string bucket, string? prefix) =>
        SortedEntries(bucket, prefix).Select(e => (e.Name, e.Path));

    private List<Entry> SortedEntries(string bucket, string? prefix)
    {
        RequireBucket(bucket);
        var entries = ListEntries(bucket, GetBucketRoot(bucket), prefix ?? "", delimiter: null);
        entries.Sort((a, b) => Utf8Order.Compare(a.Name, b.Name));
        return entries;
    }

    public Task PutBucketLifecycleAsync(string bucket, BucketLifecycle lifecycle, CancellationToken cancellationToken = default)
    {
        RequireBucket(bucket);
        LifecycleRules.Validate(lifecycle);
        SaveSettings(bucket, LoadSettings(bucket) with
        {
            LifecycleRules = lifecycle.Rules.ToArray(),
            TransitionDefaultMinimumObjectSize = lifecycle.TransitionDefaultMinimumObjectSize,
        });
        return Task.CompletedTask;
    }

    public Task<BucketLifecycle> GetBucketLifecycleAsync(string bucket, CancellationToken cancellationToken = default)
    {
        RequireBucket(bucket);
        return Task.FromResult(LoadSettings(bucket).Lifecycle);
    }

    /// <summary>Runs lifecycle expiration on every bucket, as S3 does daily: expired objects are deleted.</summary>
    public LifecycleReport ApplyLifecycle()
    {
        var expired = new List<string>();
        var now = clock.GetUtcNow();
        foreach (var bucket in ListBucketsAsync().Result.Select(b => b.Name))
        {
            var rules = LoadSettings(bucket).LifecycleRules;
            if (rules.Length == 0) continue;
            var root = GetBucketRoot(bucket);
            if (!Directory.Exists(root)) continue;
            foreach (var file in Directory.EnumerateFiles(root, "*", EveryObject).ToList())
            {
                var key = KeyOf(root, file);
                if (LifecycleRules.IsExpired(rules, key, LastModified(file), now))
                {
                    File.Delete(file);
                    RemoveEmptyFolders(root, Path.GetDirectoryName(file));
                    expired.Add($"s3://{bucket}/{key}");
                }
            }
        }
        return new LifecycleReport(now, expired);
    }

    /// <summary>The lifecycle rules decide each object's storage class on the virtual clock, as S3 would have moved it by now.</summary>
    public Task<StorageCostEstimate> EstimateStorageCostAsync(string bucket, CancellationToken cancellationToken = default) =>
        Task.FromResult(EstimateStorageCost(bucket));

    /// <summary>Bytes, objects and monthly cost per storage class of one bucket, at today's storage classes.</summary>
    public StorageCostEstimate EstimateStorageCost(string bucket)
    {
        RequireBucket(bucket);
        var lifecycle = LoadSettings(bucket).Lifecycle;
        var now = clock.GetUtcNow();
        var root = GetBucketRoot(bucket);
        var files = Directory.Exists(root) ? Directory.EnumerateFiles(root, "*", EveryObject) : [];
        var sizesByClass = files
            .GroupBy(file => LifecycleRules.StorageClassAt(lifecycle, KeyOf(root, file), new FileInfo(file).Length, LastModified(file), now))
            .Select(g => StorageCostLine.For(g.Key, g.Select(f => new FileInfo(f).Length).ToArray()))
            .OrderBy(l => l.StorageClass, StringComparer.Ordinal).ToArray();
        return new StorageCostEstimate(bucket, now, sizesByClass);
    }

    /// <summary>The file that holds an object (validated; always inside the workspace).</summary>
    public string GetLocalPath(string bucket, string key)
    {
        ValidateKey(key);
        return Confined(bucket, key, key);
    }

    /// <summary>
    /// The folder that holds the objects under a prefix ('' for the whole bucket), validated as keys are:
    /// no '.' or '..' segment, no backslash, no leading '/', no symbolic link on the way.
    /// </summary>
    public string GetLocalFolder(string bucket, string prefix)
    {
        if (KeyProblem(prefix, isPrefix: true) is { } problem)
            throw new S3Exception("InvalidArgument", $"Prefix '{prefix}' is not accepted: {problem}. Use segments of letters, digits and punctuation separated by single '/'.");
        return prefix.Length == 0 ? Confined(bucket, "", prefix) : Confined(bucket, prefix.TrimEnd('/'), prefix);
    }

    private string Confined(string bucket, string relative, string shown)
    {
        ValidateBucketName(bucket);
        var root = BucketFolder(bucket);
        var path = Path.GetFullPath(Path.Combine(root, relative));
        if (path != root && !path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new S3Exception("InvalidArgument", $"Key '{shown}' would resolve outside bucket {bucket}; use a relative key without '..' segments.");
        try
        {
            return workspace.Confine(path);
        }
        catch (WorkspaceEscapeException error) when (error.Link is { } link)
        {
            var where = link.Length > root.Length ? Path.GetRelativePath(root, link).Replace('\\', '/') : $"the folder of bucket {bucket}";
            throw new S3Exception("InvalidArgument", $"Key '{shown}' in bucket {bucket} is not accepted: '{where}' is a symbolic link, and the local lake follows no links. Remove the link.");
        }
    }

    /// <summary>
    /// Walks every object under a folder. Symbolic links are skipped, never followed: a link planted in a bucket
    /// folder could lead anywhere on the machine. Names starting with '.' are objects like any other.
    /// </summary>
    public static readonly EnumerationOptions EveryObject = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = FileAttributes.ReparsePoint,
        IgnoreInaccessible = false,
    };

    public string GetBucketRoot(string bucket)
    {
        ValidateBucketName(bucket);
        return workspace.Resolve("lake", bucket);
    }

    /// <summary>An object's text lines, decompressing gzip (by .gz ending or gzip's magic bytes).</summary>
    /// <summary>Whether an object's bytes are a Parquet file: they begin and end with the magic bytes PAR1.</summary>
    public static bool IsParquet(ReadOnlySpan<byte> content) =>
        content.Length >= 12 && content[..4].SequenceEqual("PAR1"u8) && content[^4..].SequenceEqual("PAR1"u8);

    public static IEnumerable<string> ReadLines(StoredObject stored)
    {
        var bytes = stored.Content;
        var isGzip = stored.Info.Key.EndsWith(".gz", StringComparison.Ordinal) || (bytes.Length > 2 && bytes.Span[0] == 0x1f && bytes.Span[1] == 0x8b);
        Stream stream = new MemoryStream(bytes.ToArray(), writable: false);
        if (isGzip) stream = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (reader.ReadLine() is { } line) yield return line;
    }

    private ObjectInfo Describe(string bucket, string key, FileInfo file, byte[]? md5, BucketLifecycle? lifecycle = null) =>
        Describe(bucket, key, file.Length, file.LastWriteTimeUtc, md5, lifecycle);

    /// <summary>A listed object, described from its stamps (see <see cref="FileStamps"/>); one that is gone by now fails as FileInfo makes it fail.</summary>
    private ObjectInfo DescribeListed(FileStamps stamps, string bucket, Entry entry, BucketLifecycle? lifecycle) =>
        stamps.TryRead(entry.Path, out var length, out var written)
            ? Describe(bucket, entry.Name, length, written, null, lifecycle)
            : Describe(bucket, entry.Name, new FileInfo(entry.Path), null, lifecycle);

    private ObjectInfo Describe(string bucket, string key, long length, DateTime lastWriteUtc, byte[]? md5, BucketLifecycle? lifecycle)
    {
        var lastModified = new DateTimeOffset(lastWriteUtc, TimeSpan.Zero);
        var storageClass = LifecycleRules.StorageClassAt(lifecycle ?? LoadSettings(bucket).Lifecycle, key, length, lastModified, clock.GetUtcNow());
        // The ETag of a single-part upload is the quoted MD5 of the content; listings compute it only when asked for content.
        var etag = md5 is null ? "" : $"\"{Convert.ToHexStringLower(md5)}\"";
        return new ObjectInfo(key, length, lastModified, etag, storageClass);
    }

    private static DateTimeOffset LastModified(string file) => new(File.GetLastWriteTimeUtc(file), TimeSpan.Zero);

    private static string KeyOf(string root, string file) => Path.GetRelativePath(root, file).Replace('\\', '/');

    private List<Entry> ListEntries(string bucket, string root, string prefix, string? delimiter)
    {
        var entries = new List<Entry>();
        // Start at the deepest folder the prefix names, so a prefix prunes the walk.
        var folderPart = prefix.Contains('/') ? prefix[..(prefix.LastIndexOf('/') + 1)] : "";
        // No stored key starts with a folder that could not be a key's ('..', '//', a leading '/'): such a prefix
        // matches nothing, and must not lead the walk out of the bucket.
        if (KeyProblem(folderPart, isPrefix: true) is not null) return entries;
        var start = folderPart.Length == 0 ? root : GetLocalFolder(bucket, folderPart);
        if (!Directory.Exists(start)) return entries;
        if (delimiter == "/")
        {
            foreach (var child in new DirectoryInfo(start).EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = false }))
            {
                var name = folderPart + child.Name;
                if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
                entries.Add(child is DirectoryInfo ? new Entry(name + "/", child.FullName, true) : new Entry(name, child.FullName, false));
            }
            return entries;
        }
        var seenPrefixes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(start, "*", EveryObject))
        {
            var key = KeyOf(root, file);
            if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
            if (!string.IsNullOrEmpty(delimiter))
            {
                var cut = key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
                if (cut >= 0)
                {
                    var common = key[..(cut + delimiter.Length)];
                    if (seenPrefixes.Add(common)) entries.Add(new Entry(common, "", true));
                    continue;
                }
            }
            entries.Add(new Entry(key, file, false));
        }
        return entries;
    }

    private static void RemoveEmptyFolders(string root, string? folder)
    {
        while (folder is not null && folder.Length > root.Length && Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
        {
            Directory.Delete(folder);
            folder = Path.GetDirectoryName(folder);
        }
    }

    private static void ValidateKey(string key)
    {
        if (string.IsNullOrEmpty(key))
            throw new S3Exception("InvalidArgument", "The object key is empty. Give a key such as weather-data/readings.json.");
        if (Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
            throw new S3Exception("KeyTooLongError", $"Your key is too long: {Encoding.UTF8.GetByteCount(key):N0} bytes, and keys are at most {MaxKeyBytes:N0} bytes of UTF-8. Key starts: '{key[..40]}...'.");
        if (KeyProblem(key, isPrefix: false) is { } problem)
            throw new S3Exception("InvalidArgument", $"Key '{key}' is not accepted: {problem}. Use segments of letters, digits and punctuation separated by single '/'.");
    }

    /// <summary>
    /// Why a key (or a prefix, which may be empty or end with '/') cannot name a path inside its bucket folder; null if it can.
    /// Every S3 location the kit turns into a folder goes through this same rule.
    /// </summary>
    public static string? KeyProblem(string key, bool isPrefix)
    {
        if (isPrefix && key.Length == 0) return null;
        var segments = (isPrefix && key.EndsWith('/') ? key[..^1] : key).Split('/');
        return key.StartsWith('/') ? "it starts with '/'"
            : !isPrefix && key.EndsWith('/') ? "it ends with '/' (the local lake stores no folder markers; folders appear when an object is put under them)"
            : key.Contains('\\') ? "it contains a backslash"
            : key.Contains('\0') ? "it contains a NUL character"
            : segments.Any(s => s.Length == 0) ? "it has an empty segment ('//')"
            : segments.Any(s => s is "." or "..") ? "it has a '.' or '..' segment"
            // A UTF-16 character is at most 3 bytes of UTF-8, so only a longer segment needs counting.
            : segments.Any(s => s.Length > MaxSegmentBytes / 3 && Encoding.UTF8.GetByteCount(s) > MaxSegmentBytes)
                ? $"a segment between slashes is longer than {MaxSegmentBytes} bytes, the longest file or folder name the local lake's disk can hold"
            : null;
    }

    /// <summary>The longest name a file system on Linux, macOS or Windows gives a file or folder, in bytes of UTF-8.</summary>
    public const int MaxSegmentBytes = 255;

    /// <summary>Why a bucket name is not valid; null if it is.</summary>
    public static string? BucketNameProblem(string? bucket) =>
        bucket is null || !BucketNamePattern().IsMatch(bucket) || bucket.Contains("..") || IpAddressPattern().IsMatch(bucket)
            ? "Bucket names are 3 to 63 characters of lower-case letters, digits, dots and hyphens, and start and end with a letter or digit"
            : null;

    private static void ValidateBucketName(string bucket)
    {
        if (bucket is null || !BucketNamePattern().IsMatch(bucket) || bucket.Contains("..") || IpAddressPattern().IsMatch(bucket))
            throw new S3Exception("InvalidBucketName",
                $"The specified bucket is not valid: '{bucket}'. Bucket names are 3 to 63 characters of lower-case letters, digits, dots and hyphens, and start and end with a letter or digit.");
    }

    private void RequireBucket(string bucket)
    {
        ValidateBucketName(bucket);
        if (!File.Exists(SettingsPath(bucket))) throw NoSuchBucket(bucket);
    }

    /// <summary>S3's NoSuchBucket, with where buckets come from: the stack's from a deploy, any other from CreateBucket.</summary>
    public static S3Exception NoSuchBucket(string bucket) =>
        new("NoSuchBucket", $"The specified bucket does not exist: {bucket}. Check the name: the stack's buckets come with 'workshop deploy', any other with CreateBucket ('aws s3 mb').");

    /// <summary>The bucket's folder under the lake, as a full path, unchecked: for a caller that checks a path below it.</summary>
    private string BucketFolder(string bucket) => Path.GetFullPath(Path.Combine(workspace.Root, "lake", bucket));

    private string SettingsPath(string bucket) => workspace.Resolve("state", "lake", bucket + ".json");

    private BucketSettings LoadSettings(string bucket)
    {
        var path = SettingsPath(bucket);
        return LoadSettings(bucket, path, File.GetLastWriteTimeUtc(path));
    }

    /// <summary>A bucket's settings, after its name is checked: NoSuchBucket when it has none, as RequireBucket tells.</summary>
    private BucketSettings ExistingSettings(string bucket)
    {
        ValidateBucketName(bucket);
        var path = SettingsPath(bucket);
        var stamp = File.GetLastWriteTimeUtc(path);
        // A missing file's time is the file-time epoch.
        if (stamp == DateTime.FromFileTimeUtc(0)) throw NoSuchBucket(bucket);
        return LoadSettings(bucket, path, stamp);
    }

    private BucketSettings LoadSettings(string bucket, string path, DateTime stamp)
    {
        // Cached until the file changes (another process may edit lifecycle rules): a put should not parse JSON.
        lock (settingsCache)
        {
            if (settingsCache.TryGetValue(bucket, out var cached) && cached.Stamp == stamp) return cached.Settings;
            var settings = WorkspaceJson.Read<BucketSettings>(path) ?? new BucketSettings(DateTimeOffset.MinValue, []);
            settingsCache[bucket] = (stamp, settings);
            return settings;
        }
    }

    private readonly Dictionary<string, (DateTime Stamp, BucketSettings Settings)> settingsCache = new(StringComparer.Ordinal);

    private void SaveSettings(string bucket, BucketSettings settings)
    {
        workspace.WriteAtomically(SettingsPath(bucket), JsonSerializer.SerializeToUtf8Bytes(settings));
        lock (settingsCache) settingsCache.Remove(bucket);
    }

    private static string EncodeToken(Marker marker) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes((marker.IsCommonPrefix ? "P" : "K") + marker.Name));

    private static Marker? DecodeToken(string? token)
    {
        if (token is null) return null;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.Length > 1 && text[0] is 'P' or 'K') return new Marker(text[1..], text[0] == 'P');
        }
        catch (FormatException)
        {
        }
        throw new S3Exception("InvalidArgument", "The continuation token provided is incorrect. Pass NextContinuationToken exactly as the previous listing returned it.");
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketNamePattern();

    [GeneratedRegex(@"^\d+\.\d+\.\d+\.\d+$")]
    private static partial Regex IpAddressPattern();

    private sealed record Entry(string Name, string Path, bool IsCommonPrefix);

    private sealed record Marker(string Name, bool IsCommonPrefix);

    /// <summary>A bucket's state on disk; files written before the size setting existed read as S3's default.</summary>
    private sealed record BucketSettings(DateTimeOffset CreationDate, LifecycleRule[] LifecycleRules, string? TransitionDefaultMinimumObjectSize = null)
    {
        [System.Text.Json.Serialization.JsonIgnore]
        public BucketLifecycle Lifecycle => new(LifecycleRules, TransitionDefaultMinimumObjectSize ?? TransitionMinimumSizes.AllStorageClasses128K);
    }
}

/// <summary>S3 orders keys by their UTF-8 bytes, which differs from .NET's UTF-16 ordinal order above U+D7FF.</summary>
internal static class Utf8Order
{
    public static int Compare(string a, string b)
    {
        var length = Math.Min(a.Length, b.Length);
        for (var i = 0; i < length; i++)
        {
            if (a[i] == b[i]) continue;
            return Weight(a[i]).CompareTo(Weight(b[i]));
        }
        return a.Length.CompareTo(b.Length);
    }

    // Surrogates (U+D800-DFFF) encode code points above U+FFFF, whose UTF-8 sorts after U+E000-FFFF.
    private static int Weight(char c) => c is >= '\uD800' and <= '\uDFFF' ? c + 0x2000 : c >= '\uE000' ? c - 0x800 : c;
}

public sealed record LifecycleReport(DateTimeOffset EvaluatedAt, IReadOnlyList<string> ExpiredObjects);
