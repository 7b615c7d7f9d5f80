using StreamingWorkshop.Clock;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Lake;

/// <summary>
/// S3 lifecycle: an action takes effect at the first midnight UTC after last-modified + N days (S3 rounds the
/// sum up to the next midnight), and the cost estimate prices each class as the published table says.
/// </summary>
public sealed class LifecycleTests : IDisposable
{
    private static readonly DateTimeOffset Created = new(2025, 1, 14, 10, 30, 0, TimeSpan.Zero);
    private const string Bucket = "lake";
    private readonly TempWorkspace temp = new();
    private readonly VirtualClock clock = new(Created);
    private readonly LocalObjectStore store;

    public LifecycleTests()
    {
        store = new LocalObjectStore(temp.Workspace, clock);
        store.CreateBucketAsync(Bucket).GetAwaiter().GetResult();
        store.PutBucketLifecycleAsync(Bucket,
        [
            new LifecycleRule("archive", "weather-data/", [new LifecycleTransition(90, StorageClasses.StandardIA), new LifecycleTransition(180, StorageClasses.Glacier)]),
            new LifecycleRule("tidy", "tmp/", [], ExpirationDays: 7),
        ]).GetAwaiter().GetResult();
        store.PutObjectAsync(Bucket, "weather-data/a.gz", new byte[1000]).GetAwaiter().GetResult();
        store.PutObjectAsync(Bucket, "tmp/scratch.txt", new byte[10]).GetAwaiter().GetResult();
        store.PutObjectAsync(Bucket, "other/keep.txt", new byte[10]).GetAwaiter().GetResult();
    }

    private async Task<string> ClassOf(string key) => (await store.GetObjectAsync(Bucket, key)).Info.StorageClass;

    [Fact]
    public async Task Transition_to_STANDARD_IA_happens_at_the_midnight_after_90_days()
    {
        // 14 Jan 10:30 + 90 days = 14 Apr 10:30, rounded up to 15 Apr 00:00 UTC.
        clock.AdvanceTo(new DateTimeOffset(2025, 4, 14, 23, 59, 59, TimeSpan.Zero));
        Assert.Equal("STANDARD", await ClassOf("weather-data/a.gz"));

        clock.AdvanceTo(new DateTimeOffset(2025, 4, 15, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal("STANDARD_IA", await ClassOf("weather-data/a.gz"));
    }

    [Fact]
    public async Task Transition_to_GLACIER_happens_at_the_midnight_after_180_days()
    {
        // 14 Jan + 180 days = 13 Jul 10:30, rounded up to 14 Jul 00:00 UTC.
        clock.AdvanceTo(new DateTimeOffset(2025, 7, 13, 23, 0, 0, TimeSpan.Zero));
        Assert.Equal("STANDARD_IA", await ClassOf("weather-data/a.gz"));

        clock.AdvanceTo(new DateTimeOffset(2025, 7, 14, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal("GLACIER", await ClassOf("weather-data/a.gz"));
        Assert.Equal("STANDARD", await ClassOf("other/keep.txt"));
    }

    [Fact]
    public async Task Expiration_deletes_matching_objects_when_lifecycle_runs()
    {
        clock.AdvanceTo(new DateTimeOffset(2025, 1, 21, 23, 0, 0, TimeSpan.Zero));
        Assert.Empty(store.ApplyLifecycle().ExpiredObjects);

        clock.AdvanceTo(new DateTimeOffset(2025, 1, 22, 0, 0, 0, TimeSpan.Zero));
        var report = store.ApplyLifecycle();

        Assert.Equal(["s3://lake/tmp/scratch.txt"], report.ExpiredObjects);
        await Assert.ThrowsAsync<S3Exception>(() => store.GetObjectAsync(Bucket, "tmp/scratch.txt"));
        await store.GetObjectAsync(Bucket, "other/keep.txt");
    }

    [Theory]
    [InlineData(29, "greater than or equal to 30")]
    [InlineData(-1, "zero or more")]
    public async Task STANDARD_IA_transitions_need_at_least_30_days(int days, string message)
    {
        var error = await Assert.ThrowsAsync<S3Exception>(() => store.PutBucketLifecycleAsync(Bucket,
            [new LifecycleRule("r", "", [new LifecycleTransition(days, StorageClasses.StandardIA)])]));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public async Task Objects_stay_30_days_in_STANDARD_IA_before_GLACIER()
    {
        await Assert.ThrowsAsync<S3Exception>(() => store.PutBucketLifecycleAsync(Bucket,
            [new LifecycleRule("r", "", [new LifecycleTransition(30, StorageClasses.StandardIA), new LifecycleTransition(50, StorageClasses.Glacier)])]));
    }

    [Fact]
    public void Cost_estimate_prices_each_class_from_the_table()
    {
        clock.AdvanceTo(new DateTimeOffset(2025, 7, 14, 0, 0, 0, TimeSpan.Zero));

        var estimate = store.EstimateStorageCost(Bucket);

        var glacier = estimate.Lines.Single(l => l.StorageClass == "GLACIER");
        var standard = estimate.Lines.Single(l => l.StorageClass == "STANDARD");
        const decimal gb = 1024m * 1024 * 1024;
        Assert.Equal((1000 + 32 * 1024) / gb * 0.0036m + 8 * 1024 / gb * 0.023m, glacier.UsdPerMonth);
        Assert.Equal(20 / gb * 0.023m, standard.UsdPerMonth);
        Assert.Equal(glacier.UsdPerMonth + standard.UsdPerMonth, estimate.TotalUsdPerMonth);
    }

    [Fact]
    public void Infrequent_access_bills_at_least_128_KB_per_object()
    {
        var line = StorageCostLine.For(StorageClasses.StandardIA, [1000, 200 * 1024]);

        Assert.Equal(128 * 1024 + 200 * 1024, line.BillableBytes);
        Assert.Equal((128 * 1024 + 200 * 1024) / (1024m * 1024 * 1024) * 0.0125m, line.UsdPerMonth);
    }

    public void Dispose() => temp.Dispose();
}
