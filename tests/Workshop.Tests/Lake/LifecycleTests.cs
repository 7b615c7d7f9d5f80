using StreamingWorkshop.Clock;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Lake;

/// <summary>
/// S3 lifecycle: an action takes effect at the first midnight UTC after last-modified + N days (S3 rounds the
/// sum up to the next midnight), objects under 128 KB are not transitioned unless the bucket says
/// varies_by_storage_class (and then only to GLACIER), and the cost estimate prices each class as the published table says.
/// </summary>
public sealed class LifecycleTests : IDisposable
{
    private static readonly DateTimeOffset Created = new(2025, 1, 14, 10, 30, 0, TimeSpan.Zero);
    private const string Bucket = "lake";
    private const int BigObjectBytes = 200 * 1024;
    private static readonly LifecycleRule[] Rules =
    [
        new LifecycleRule("archive", "weather-data/", [new LifecycleTransition(90, StorageClasses.StandardIA), new LifecycleTransition(180, StorageClasses.Glacier)]),
        new LifecycleRule("tidy", "tmp/", [], ExpirationDays: 7),
    ];
    private readonly TempWorkspace temp = new();
    private readonly VirtualClock clock = new(Created);
    private readonly LocalObjectStore store;

    public LifecycleTests()
    {
        store = new LocalObjectStore(temp.Workspace, clock);
        store.CreateBucketAsync(Bucket).GetAwaiter().GetResult();
        store.PutBucketLifecycleAsync(Bucket, new BucketLifecycle(Rules)).GetAwaiter().GetResult();
        store.PutObjectAsync(Bucket, "weather-data/a.gz", new byte[BigObjectBytes]).GetAwaiter().GetResult();
        // The size of one Firehose file of the workshop's lake: one or two gzipped readings.
        store.PutObjectAsync(Bucket, "weather-data/small.gz", new byte[180]).GetAwaiter().GetResult();
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
            new BucketLifecycle([new LifecycleRule("r", "", [new LifecycleTransition(days, StorageClasses.StandardIA)])])));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public async Task Objects_stay_30_days_in_STANDARD_IA_before_GLACIER()
    {
        await Assert.ThrowsAsync<S3Exception>(() => store.PutBucketLifecycleAsync(Bucket,
            new BucketLifecycle([new LifecycleRule("r", "", [new LifecycleTransition(30, StorageClasses.StandardIA), new LifecycleTransition(50, StorageClasses.Glacier)])])));
    }

    [Fact]
    public void Cost_estimate_prices_each_class_from_the_table()
    {
        clock.AdvanceTo(new DateTimeOffset(2025, 7, 14, 0, 0, 0, TimeSpan.Zero));

        var estimate = store.EstimateStorageCost(Bucket);

        var glacier = estimate.Lines.Single(l => l.StorageClass == "GLACIER");
        var standard = estimate.Lines.Single(l => l.StorageClass == "STANDARD");
        const decimal gb = 1024m * 1024 * 1024;
        Assert.Equal((204800 + 32768) / gb * 0.0036m + 8192 / gb * 0.023m, glacier.UsdPerMonth);
        // The 180-byte object stayed in STANDARD beside the two 10-byte ones.
        Assert.Equal(3, standard.Objects);
        Assert.Equal(200 / gb * 0.023m, standard.UsdPerMonth);
        Assert.Equal(glacier.UsdPerMonth + standard.UsdPerMonth, estimate.TotalUsdPerMonth);
    }

    // Created 14 Jan 2025 10:30: day 0, day 30 is 14 Feb, day 90 takes effect 15 Apr, day 180 on 14 Jul.
    [Theory]
    [InlineData("2025-01-14T23:00:00Z", "STANDARD", "STANDARD")]
    [InlineData("2025-02-14T00:00:00Z", "STANDARD", "STANDARD")]
    [InlineData("2025-04-15T00:00:00Z", "STANDARD_IA", "STANDARD")]
    [InlineData("2025-07-14T00:00:00Z", "GLACIER", "STANDARD")]
    [InlineData("2026-01-14T00:00:00Z", "GLACIER", "STANDARD")]
    public async Task By_default_objects_under_128_KB_stay_in_STANDARD(string time, string bigObjectClass, string smallObjectClass)
    {
        clock.AdvanceTo(DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(bigObjectClass, await ClassOf("weather-data/a.gz"));
        Assert.Equal(smallObjectClass, await ClassOf("weather-data/small.gz"));
    }

    [Theory]
    [InlineData("2025-02-14T00:00:00Z", "STANDARD", "STANDARD")]
    [InlineData("2025-04-15T00:00:00Z", "STANDARD_IA", "STANDARD")]
    [InlineData("2025-07-14T00:00:00Z", "GLACIER", "GLACIER")]
    [InlineData("2026-01-14T00:00:00Z", "GLACIER", "GLACIER")]
    public async Task With_varies_by_storage_class_small_objects_go_to_GLACIER_but_never_to_STANDARD_IA(string time, string bigObjectClass, string smallObjectClass)
    {
        await store.PutBucketLifecycleAsync(Bucket, new BucketLifecycle(Rules, "varies_by_storage_class"));
        clock.AdvanceTo(DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(bigObjectClass, await ClassOf("weather-data/a.gz"));
        Assert.Equal(smallObjectClass, await ClassOf("weather-data/small.gz"));
    }

    [Theory]
    [InlineData(128 * 1024 - 1, "STANDARD")]
    [InlineData(128 * 1024, "STANDARD_IA")]
    public async Task The_threshold_is_128_KB_exactly(int size, string storageClass)
    {
        await store.PutObjectAsync(Bucket, "weather-data/edge.gz", new byte[size]);
        clock.AdvanceTo(new DateTimeOffset(2025, 4, 15, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(storageClass, await ClassOf("weather-data/edge.gz"));
        Assert.Equal(storageClass, (await store.ListObjectsV2Async(new ListObjectsRequest(Bucket, "weather-data/edge"))).Contents.Single().StorageClass);
    }

    [Fact]
    public async Task Sending_small_objects_to_GLACIER_costs_more_than_leaving_them_in_STANDARD()
    {
        clock.AdvanceTo(new DateTimeOffset(2025, 7, 14, 0, 0, 0, TimeSpan.Zero));
        var kept = store.EstimateStorageCost(Bucket).TotalUsdPerMonth;

        await store.PutBucketLifecycleAsync(Bucket, new BucketLifecycle(Rules, "varies_by_storage_class"));
        var moved = store.EstimateStorageCost(Bucket);

        const decimal gb = 1024m * 1024 * 1024;
        var glacier = moved.Lines.Single(l => l.StorageClass == "GLACIER");
        Assert.Equal(2, glacier.Objects);
        // Each object in GLACIER carries 32 KB at the Glacier rate and 8 KB at the Standard rate.
        Assert.Equal((204800 + 180 + 2 * 32768) / gb * 0.0036m + 2 * 8192 / gb * 0.023m, glacier.UsdPerMonth);
        Assert.Equal(20 / gb * 0.023m, moved.Lines.Single(l => l.StorageClass == "STANDARD").UsdPerMonth);
        // 180 bytes in STANDARD: $0.000000004/month; in GLACIER: about $0.000000288/month.
        Assert.True(moved.TotalUsdPerMonth > kept, $"{moved.TotalUsdPerMonth} should exceed {kept}");
    }

    [Fact]
    public async Task The_bucket_keeps_the_minimum_size_setting_and_defaults_to_S3s()
    {
        Assert.Equal("all_storage_classes_128K", (await store.GetBucketLifecycleAsync(Bucket)).TransitionDefaultMinimumObjectSize);

        await store.PutBucketLifecycleAsync(Bucket, new BucketLifecycle(Rules, "varies_by_storage_class"));

        var read = await store.GetBucketLifecycleAsync(Bucket);
        Assert.Equal("varies_by_storage_class", read.TransitionDefaultMinimumObjectSize);
        Assert.Equal(["archive", "tidy"], read.Rules.Select(r => r.Id));
    }

    [Fact]
    public async Task An_unknown_minimum_size_setting_is_refused_naming_the_value()
    {
        var error = await Assert.ThrowsAsync<S3Exception>(() => store.PutBucketLifecycleAsync(Bucket, new BucketLifecycle(Rules, "all_storage_classes_64K")));

        Assert.Equal("InvalidArgument", error.ErrorCode);
        Assert.Contains("'all_storage_classes_64K'", error.Message);
        Assert.Contains("all_storage_classes_128K or varies_by_storage_class", error.Message);
    }

    [Fact]
    public async Task The_lifecycle_view_says_what_happens_to_objects_under_128_KB()
    {
        var byDefault = new LifecycleRulesView(Bucket, await store.GetBucketLifecycleAsync(Bucket)).ToString();
        await store.PutBucketLifecycleAsync(Bucket, new BucketLifecycle(Rules, "varies_by_storage_class"));
        var varies = new LifecycleRulesView(Bucket, await store.GetBucketLifecycleAsync(Bucket)).ToString();

        Assert.Matches(@"move to STANDARD_IA\s+90 days\s+not moved", byDefault);
        Assert.Matches(@"move to GLACIER\s+180 days\s+not moved", byDefault);
        Assert.Contains("TransitionDefaultMinimumObjectSize: all_storage_classes_128K (S3's default): objects under 128 KB stay in their storage class.", byDefault);
        Assert.Matches(@"move to STANDARD_IA\s+90 days\s+not moved", varies);
        Assert.Matches(@"move to GLACIER\s+180 days\s+move to GLACIER", varies);
        Assert.Contains("varies_by_storage_class: objects under 128 KB may move to GLACIER, never to STANDARD_IA.", varies);
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
