using Amazon.Runtime;
using StreamingWorkshop;
using StreamingWorkshop.Aws;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Serve;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Aws;

/// <summary>
/// The AWS backend reads a bucket's TransitionDefaultMinimumObjectSize from GetBucketLifecycleConfiguration's
/// x-amz-transition-default-minimum-object-size header, answered here by the kit's local endpoint from a local lake.
/// </summary>
public sealed class S3LifecycleClientTests : IAsyncLifetime
{
    private readonly TempWorkspace temp = new();
    private WorkshopSession local = null!;

    public async Task InitializeAsync()
    {
        local = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root, Backend = "local" });
        await local.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await local.DisposeAsync();
        temp.Dispose();
    }

    [Fact]
    public async Task The_minimum_size_setting_and_the_rules_come_back_through_the_S3_client()
    {
        await using var endpoint = await LocalEndpoint.StartAsync(local, "127.0.0.1", 0);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<RequestSeen>();
        endpoint.RequestAnswered += seen.Enqueue;
        var settings = AwsSettings.WithCredentials("us-east-1", new BasicAWSCredentials("test", "test"),
            name => name == "AWS_ENDPOINT_URL" ? endpoint.Url.ToString() : null);
        using var s3 = new AwsClients(settings).S3();

        var byDefault = await s3.GetBucketLifecycleAsync(local.Names.LakeBucket);
        Assert.Equal("all_storage_classes_128K", byDefault.TransitionDefaultMinimumObjectSize);
        Assert.Equal(["STANDARD_IA", "GLACIER"], byDefault.Rules.Single().Transitions.Select(t => t.StorageClass));

        await local.Lake.PutBucketLifecycleAsync(local.Names.LakeBucket, byDefault with { TransitionDefaultMinimumObjectSize = "varies_by_storage_class" });
        var varies = await s3.GetBucketLifecycleAsync(local.Names.LakeBucket);
        Assert.Equal("varies_by_storage_class", varies.TransitionDefaultMinimumObjectSize);
        Assert.Equal([("s3", "GetBucketLifecycleConfiguration", "us-east-1/s3"), ("s3", "GetBucketLifecycleConfiguration", "us-east-1/s3")],
            seen.Select(r => (r.Service, r.Operation, $"{r.SignedRegion}/{r.SignedService}")));
    }
}
