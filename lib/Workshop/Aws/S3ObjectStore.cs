using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;
using BucketInfo = StreamingWorkshop.Lake.BucketInfo;
using KitLifecycleRule = StreamingWorkshop.Lake.LifecycleRule;
using ListObjectsRequest = StreamingWorkshop.Lake.ListObjectsRequest;
using KitLifecycleTransition = StreamingWorkshop.Lake.LifecycleTransition;

namespace StreamingWorkshop.Aws;

/// <summary>The lake on Amazon S3 through AWSSDK.S3, raising the same <see cref="S3Exception"/> codes as the local store.</summary>
public sealed class S3ObjectStore : IObjectStore, StreamingWorkshop.Display.IHtmlDisplay, IDisposable
{
    /// <summary>In a notebook, the calls this offers rather than an object tree.</summary>
    public string ToHtml() => StreamingWorkshop.Lake.ObjectStoreCalls.View.ToHtml();

    public override string ToString() => StreamingWorkshop.Lake.ObjectStoreCalls.View.ToString();

    private readonly Lazy<AmazonS3Client> client;

    private AmazonS3Client S3 => client.Value;
    private readonly AwsSettings settings;

    public S3ObjectStore(AwsSettings settings)
    {
        this.settings = settings;
        var config = new AmazonS3Config { RegionEndpoint = settings.RegionEndpoint };
        if (settings.EndpointOverride(AwsService.S3) is { } endpoint)
        {
            // Emulators answer on one host with the bucket in the path, and do not all know the newer checksum headers.
            config.ServiceURL = endpoint.ToString();
            config.ForcePathStyle = true;
            config.AuthenticationRegion = settings.Region;
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }
        // Made on first use: credentials are resolved then, so a session opens (and the doctor runs) without them.
        client = new Lazy<AmazonS3Client>(() => new AmazonS3Client(settings.Credentials, config));
    }

    public Task CreateBucketAsync(string bucket, CancellationToken cancellationToken = default) =>
        Call("CreateBucket", () => S3.PutBucketAsync(new PutBucketRequest { BucketName = bucket }, cancellationToken));

    public Task DeleteBucketAsync(string bucket, CancellationToken cancellationToken = default) =>
        Call("DeleteBucket", () => S3.DeleteBucketAsync(bucket, cancellationToken));

    public Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken cancellationToken = default) =>
        Call<IReadOnlyList<BucketInfo>>("ListBuckets", async () =>
            ((await S3.ListBucketsAsync(new ListBucketsRequest(), cancellationToken)).Buckets ?? [])
                .Select(b => new BucketInfo(b.BucketName, ToOffset(b.CreationDate))).ToArray());

    public Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken = default) =>
        Call("HeadBucket", async () =>
        {
            try
            {
                await S3.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket }, cancellationToken);
                return true;
            }
            catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return false;
            }
        });

    public Task<ObjectInfo> PutObjectAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        Call("PutObject", async () =>
        {
            using var body = new MemoryStream(content.ToArray(), writable: false);
            var reply = await S3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = body, AutoCloseStream = false, UseChunkEncoding = false }, cancellationToken);
            return new ObjectInfo(key, content.Length, DateTimeOffset.UtcNow, reply.ETag ?? "", StorageClasses.Standard);
        });

    public Task<StoredObject> GetObjectAsync(string bucket, string key, CancellationToken cancellationToken = default) =>
        Call("GetObject", async () =>
        {
            using var reply = await S3.GetObjectAsync(bucket, key, cancellationToken);
            using var content = new MemoryStream();
            await reply.ResponseStream.CopyToAsync(content, cancellationToken);
            var info = new ObjectInfo(key, content.Length, ToOffset(reply.LastModified), reply.ETag ?? "", StorageClassName(reply.StorageClass));
            return new StoredObject(info, content.ToArray());
        });

    public Task DeleteObjectAsync(string bucket, string key, CancellationToken cancellationToken = default) =>
        Call("DeleteObject", () => S3.DeleteObjectAsync(bucket, key, cancellationToken));

    public Task<ListObjectsResult> ListObjectsV2Async(ListObjectsRequest request, CancellationToken cancellationToken = default) =>
        Call("ListObjectsV2", async () =>
        {
            var reply = await S3.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = request.Bucket, Prefix = request.Prefix, Delimiter = request.Delimiter,
                ContinuationToken = request.ContinuationToken, StartAfter = request.StartAfter, MaxKeys = request.MaxKeys,
            }, cancellationToken);
            var contents = (reply.S3Objects ?? []).Select(o => new ObjectInfo(o.Key, o.Size ?? 0, ToOffset(o.LastModified), o.ETag ?? "", StorageClassName(o.StorageClass))).ToArray();
            var prefixes = reply.CommonPrefixes ?? [];
            return new ListObjectsResult(contents, prefixes, reply.IsTruncated == true, reply.NextContinuationToken, reply.KeyCount ?? contents.Length + prefixes.Count);
        });

    public Task PutBucketLifecycleAsync(string bucket, BucketLifecycle lifecycle, CancellationToken cancellationToken = default) =>
        Call("PutBucketLifecycleConfiguration", () => S3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = bucket,
            TransitionDefaultMinimumObjectSize = new TransitionDefaultMinimumObjectSize(lifecycle.TransitionDefaultMinimumObjectSize),
            Configuration = new LifecycleConfiguration
            {
                Rules = lifecycle.Rules.Select(rule => new Amazon.S3.Model.LifecycleRule
                {
                    Id = rule.Id,
                    Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = rule.Prefix } },
                    Status = rule.Enabled ? LifecycleRuleStatus.Enabled : LifecycleRuleStatus.Disabled,
                    Transitions = rule.Transitions.Select(t => new Amazon.S3.Model.LifecycleTransition { Days = t.Days, StorageClass = new S3StorageClass(t.StorageClass) }).ToList(),
                    Expiration = rule.ExpirationDays is { } days ? new LifecycleRuleExpiration { Days = days } : null,
                }).ToList(),
            },
        }, cancellationToken));

    public Task<BucketLifecycle> GetBucketLifecycleAsync(string bucket, CancellationToken cancellationToken = default) =>
        Call("GetBucketLifecycleConfiguration", async () =>
        {
            try
            {
                var reply = await S3.GetLifecycleConfigurationAsync(bucket, cancellationToken);
                var rules = (reply.Configuration?.Rules ?? []).Select(rule => new KitLifecycleRule(rule.Id ?? "",
                    (rule.Filter?.LifecycleFilterPredicate as LifecyclePrefixPredicate)?.Prefix ?? rule.Filter?.Prefix ?? "",
                    (rule.Transitions ?? []).Select(t => new KitLifecycleTransition(t.Days ?? 0, StorageClassName(t.StorageClass))).ToArray(),
                    rule.Expiration?.Days, rule.Status == LifecycleRuleStatus.Enabled)).ToArray();
                // A reply without the header comes from a store that predates the setting: S3's default applies.
                var minimumSize = reply.TransitionDefaultMinimumObjectSize?.Value;
                return new BucketLifecycle(rules, string.IsNullOrEmpty(minimumSize) ? TransitionMinimumSizes.AllStorageClasses128K : minimumSize);
            }
            catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchLifecycleConfiguration")
            {
                return BucketLifecycle.None;
            }
        });

    private static string StorageClassName(S3StorageClass? storageClass) =>
        storageClass is null || string.IsNullOrEmpty(storageClass.Value) ? StorageClasses.Standard : storageClass.Value;

    private static DateTimeOffset ToOffset(DateTime? time) =>
        time is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t.ToUniversalTime(), DateTimeKind.Utc)) : DateTimeOffset.MinValue;

    private async Task Call(string operation, Func<Task> action) => await Call<bool>(operation, async () => { await action(); return true; });

    private async Task<T> Call<T>(string operation, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (AmazonS3Exception e)
        {
            var code = string.IsNullOrEmpty(e.ErrorCode) ? $"Http{(int)e.StatusCode}" : e.ErrorCode;
            throw new S3Exception(code, settings.Redact($"{e.Message} ({operation}{(string.IsNullOrEmpty(e.RequestId) ? "" : $", request id {e.RequestId}")})"));
        }
        catch (AmazonClientException e)
        {
            throw new AwsConnectionException("s3", operation, settings.Endpoint(AwsService.S3), settings.Redact(e.Message));
        }
        catch (HttpRequestException e)
        {
            throw new AwsConnectionException("s3", operation, settings.Endpoint(AwsService.S3), settings.Redact(e.Message));
        }
    }

    public void Dispose()
    {
        if (client.IsValueCreated) client.Value.Dispose();
    }
}
