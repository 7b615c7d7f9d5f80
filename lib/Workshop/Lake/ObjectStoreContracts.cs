namespace StreamingWorkshop.Lake;

/// <summary>
/// The S3 operations the kit uses. The local backend keeps a folder per bucket inside the workspace
/// (the key is the relative path, so the lake can be browsed on disk); the AWS backend uses AWSSDK.S3.
/// Errors are S3Exception with S3's codes (NoSuchBucket, NoSuchKey, BucketNotEmpty, InvalidArgument...).
/// </summary>
public interface IObjectStore
{
    Task CreateBucketAsync(string bucket, CancellationToken cancellationToken = default);
    Task DeleteBucketAsync(string bucket, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken cancellationToken = default);
    Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken = default);
    Task<ObjectInfo> PutObjectAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);
    Task<StoredObject> GetObjectAsync(string bucket, string key, CancellationToken cancellationToken = default);
    Task DeleteObjectAsync(string bucket, string key, CancellationToken cancellationToken = default);
    Task<ListObjectsResult> ListObjectsV2Async(ListObjectsRequest request, CancellationToken cancellationToken = default);
    Task PutBucketLifecycleAsync(string bucket, BucketLifecycle lifecycle, CancellationToken cancellationToken = default);
    Task<BucketLifecycle> GetBucketLifecycleAsync(string bucket, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every object under <paramref name="prefix"/>, following ListObjectsV2's continuation tokens. A store that can walk
    /// the whole bucket at once (the local lake's folders) answers without pages.
    /// </summary>
    async IAsyncEnumerable<ObjectInfo> ListAllAsync(string bucket, string? prefix = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        do
        {
            var page = await ListObjectsV2Async(new ListObjectsRequest(bucket, prefix, ContinuationToken: token), cancellationToken);
            foreach (var item in page.Contents) yield return item;
            token = page.NextContinuationToken;
        } while (token is not null);
    }

    /// <summary>What the bucket costs a month, from the storage class the store reports for each object.</summary>
    async Task<StorageCostEstimate> EstimateStorageCostAsync(string bucket, CancellationToken cancellationToken = default)
    {
        var sizes = new Dictionary<string, List<long>>();
        await foreach (var item in this.ListAllAsync(bucket, cancellationToken: cancellationToken))
        {
            if (!sizes.TryGetValue(item.StorageClass, out var list)) sizes[item.StorageClass] = list = new List<long>();
            list.Add(item.Size);
        }
        return new StorageCostEstimate(bucket, DateTimeOffset.UtcNow,
            sizes.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => StorageCostLine.For(p.Key, p.Value)).ToArray());
    }
}

public sealed record BucketInfo(string Name, DateTimeOffset CreationDate);

/// <summary>Storage classes as S3 names them.</summary>
public static class StorageClasses
{
    public const string Standard = "STANDARD";
    public const string StandardIA = "STANDARD_IA";
    public const string Glacier = "GLACIER";
}

public sealed record ObjectInfo(string Key, long Size, DateTimeOffset LastModified, string ETag, string StorageClass);

public sealed record StoredObject(ObjectInfo Info, ReadOnlyMemory<byte> Content);

public sealed record ListObjectsRequest(
    string Bucket,
    string? Prefix = null,
    string? Delimiter = null,
    string? ContinuationToken = null,
    string? StartAfter = null,
    int MaxKeys = 1000);

public sealed record ListObjectsResult(
    IReadOnlyList<ObjectInfo> Contents,
    IReadOnlyList<string> CommonPrefixes,
    bool IsTruncated,
    string? NextContinuationToken,
    int KeyCount);

public sealed record LifecycleTransition(int Days, string StorageClass);

/// <summary>A lifecycle rule: objects under <see cref="Prefix"/> move between classes after N days and expire after ExpirationDays.</summary>
public sealed record LifecycleRule(
    string Id,
    string Prefix,
    IReadOnlyList<LifecycleTransition> Transitions,
    int? ExpirationDays = null,
    bool Enabled = true);

/// <summary>
/// A bucket's lifecycle configuration: its rules, and which objects too small to be worth moving stay where they are.
/// Since September 2024 S3 leaves objects under 128 KB in their storage class unless the configuration says otherwise.
/// </summary>
public sealed record BucketLifecycle(IReadOnlyList<LifecycleRule> Rules, string TransitionDefaultMinimumObjectSize = TransitionMinimumSizes.AllStorageClasses128K)
{
    /// <summary>No rules, S3's default minimum size.</summary>
    public static BucketLifecycle None { get; } = new([]);
}

/// <summary>The values of TransitionDefaultMinimumObjectSize, as S3 and CloudFormation spell them.</summary>
public static class TransitionMinimumSizes
{
    /// <summary>S3's default: an object smaller than 128 KB is not transitioned to any storage class.</summary>
    public const string AllStorageClasses128K = "all_storage_classes_128K";

    /// <summary>Objects smaller than 128 KB may go to Glacier classes; the Infrequent Access classes still refuse them.</summary>
    public const string VariesByStorageClass = "varies_by_storage_class";

    /// <summary>The size below which the default holds an object back: 128 KB.</summary>
    public const long MinimumObjectBytes = 128 * 1024;

    public static readonly IReadOnlyList<string> All = [AllStorageClasses128K, VariesByStorageClass];
}

/// <summary>What callers do with a whole bucket, page by page, on either backend.</summary>
public static class ObjectStoreExtensions
{
    /// <summary>Deletes every object in the bucket, so the bucket itself can be deleted.</summary>
    public static async Task EmptyBucketAsync(this IObjectStore store, string bucket, CancellationToken cancellationToken = default)
    {
        // Listed in full first: deleting while paging would move the continuation point.
        var keys = new List<string>();
        await foreach (var item in store.ListAllAsync(bucket, cancellationToken: cancellationToken)) keys.Add(item.Key);
        foreach (var key in keys) await store.DeleteObjectAsync(bucket, key, cancellationToken);
    }
}

/// <summary>What <c>workshop.Lake</c> offers, shown when a cell's value is the object store itself.</summary>
internal static class ObjectStoreCalls
{
    public static StreamingWorkshop.Display.CallsView View { get; } = new(
        "workshop.Lake: Amazon S3, each call named after its operation (the data lake is workshop.Names.LakeBucket)", [
        ("ListBucketsAsync()", "ListBuckets"),
        ("ListObjectsV2Async(new ListObjectsRequest(bucket, Prefix: ...))", "ListObjectsV2"),
        ("GetObjectAsync(bucket, key)", "GetObject"),
        ("PutObjectAsync(bucket, key, content)", "PutObject"),
        ("DeleteObjectAsync(bucket, key)", "DeleteObject"),
        ("GetBucketLifecycleAsync(bucket)", "GetBucketLifecycleConfiguration"),
        ("EstimateStorageCostAsync(bucket)", "none: the monthly cost of what the bucket holds"),
        ("workshop.BrowseLakeAsync(), workshop.OpenObjectAsync(key)", "the console's folder view and an object's lines"),
    ]);
}
