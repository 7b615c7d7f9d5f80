using System.Text;
using Amazon.Runtime;
using StreamingWorkshop.Aws;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Aws;

public sealed class S3rverPeer : IDisposable
{
    public NodePeer Peer { get; } = NodePeer.S3rver();
    public void Dispose() => Peer.Dispose();
}

/// <summary>The lake stage through the AWS backend (AWSSDK.S3) against s3rver, which speaks the S3 wire protocol.</summary>
public sealed class S3rverTests(S3rverPeer s3rver) : IClassFixture<S3rverPeer>
{
    private S3ObjectStore Connect()
    {
        var endpoint = s3rver.Peer.Endpoint.ToString();
        // s3rver accepts only its own fixed key pair.
        var settings = AwsSettings.WithCredentials("us-east-1", new BasicAWSCredentials("S3RVER", "S3RVER"),
            name => name == "AWS_ENDPOINT_URL" ? endpoint : null);
        return new AwsClients(settings).S3();
    }

    private static string NewBucket() => $"lake-{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task Buckets_are_made_listed_and_deleted()
    {
        using var lake = Connect();
        var bucket = NewBucket();
        Assert.False(await lake.BucketExistsAsync(bucket));
        await lake.CreateBucketAsync(bucket);
        Assert.True(await lake.BucketExistsAsync(bucket));
        Assert.Contains(bucket, (await lake.ListBucketsAsync()).Select(b => b.Name));
        await lake.DeleteBucketAsync(bucket);
        Assert.False(await lake.BucketExistsAsync(bucket));
    }

    [Fact]
    public async Task Objects_round_trip_and_list_as_folders_and_pages()
    {
        using var lake = Connect();
        var bucket = NewBucket();
        await lake.CreateBucketAsync(bucket);
        string[] keys =
        [
            "weather-data/city=Dublin/year=2026/month=11/day=25/part-1.gz",
            "weather-data/city=Dublin/year=2026/month=11/day=25/part-2.gz",
            "weather-data/city=Cork/year=2026/month=11/day=25/part-1.gz",
            "errors/processing-failed/2026/11/25/bad-1.gz",
        ];
        foreach (var key in keys) await lake.PutObjectAsync(bucket, key, Encoding.UTF8.GetBytes($"content of {key}"));

        var stored = await lake.GetObjectAsync(bucket, keys[0]);
        Assert.Equal($"content of {keys[0]}", Encoding.UTF8.GetString(stored.Content.Span));
        Assert.Equal(stored.Content.Length, stored.Info.Size);
        Assert.Equal(StorageClasses.Standard, stored.Info.StorageClass);

        // s3rver finds common prefixes only one level below the prefix, so folders are listed from the partition level.
        var folders = await lake.ListObjectsV2Async(new ListObjectsRequest(bucket, Prefix: "weather-data/city=Dublin/year=2026/month=11/", Delimiter: "/"));
        Assert.Empty(folders.Contents);
        Assert.Equal(["weather-data/city=Dublin/year=2026/month=11/day=25/"], folders.CommonPrefixes);
        var day = await lake.ListObjectsV2Async(new ListObjectsRequest(bucket, Prefix: "weather-data/city=Dublin/year=2026/month=11/day=25/", Delimiter: "/"));
        Assert.Equal(keys[..2], day.Contents.Select(o => o.Key));

        var listed = new List<string>();
        var pageCount = 0;
        string? token = null;
        do
        {
            var page = await lake.ListObjectsV2Async(new ListObjectsRequest(bucket, ContinuationToken: token, MaxKeys: 3));
            listed.AddRange(page.Contents.Select(o => o.Key));
            Assert.All(page.Contents, o => Assert.True(o.Size > 0));
            token = page.IsTruncated ? page.NextContinuationToken : null;
            pageCount++;
        } while (token is not null);
        Assert.Equal(2, pageCount);
        Assert.Equal(keys.Order(StringComparer.Ordinal), listed);

        await lake.DeleteObjectAsync(bucket, keys[3]);
        Assert.Equal(3, (await lake.ListObjectsV2Async(new ListObjectsRequest(bucket))).KeyCount);
    }

    [Fact]
    public async Task S3_errors_keep_S3s_codes()
    {
        using var lake = Connect();
        var bucket = NewBucket();
        var noBucket = await Assert.ThrowsAsync<S3Exception>(() => lake.GetObjectAsync(bucket, "anything"));
        Assert.Equal("NoSuchBucket", noBucket.ErrorCode);

        await lake.CreateBucketAsync(bucket);
        var noKey = await Assert.ThrowsAsync<S3Exception>(() => lake.GetObjectAsync(bucket, "missing.gz"));
        Assert.Equal("NoSuchKey", noKey.ErrorCode);
        Assert.Contains("GetObject", noKey.Message);

        await lake.PutObjectAsync(bucket, "a.gz", "x"u8.ToArray());
        var notEmpty = await Assert.ThrowsAsync<S3Exception>(() => lake.DeleteBucketAsync(bucket));
        Assert.Equal("BucketNotEmpty", notEmpty.ErrorCode);
    }

    [Fact]
    public async Task Lifecycle_rules_that_the_peer_does_not_support_fail_with_its_code()
    {
        // s3rver answers lifecycle configuration with NotImplemented; the error reaches the caller unchanged, named.
        using var lake = Connect();
        var bucket = NewBucket();
        await lake.CreateBucketAsync(bucket);
        var refused = await Assert.ThrowsAsync<S3Exception>(() => lake.PutBucketLifecycleAsync(bucket,
            new BucketLifecycle([new LifecycleRule("raw-to-ia", "weather-data/", [new LifecycleTransition(30, StorageClasses.StandardIA)], 365)])));
        Assert.Equal("NotImplemented", refused.ErrorCode);
        Assert.Contains("PutBucketLifecycleConfiguration", refused.Message);
    }
}
