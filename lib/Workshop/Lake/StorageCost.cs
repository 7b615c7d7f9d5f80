namespace StreamingWorkshop.Lake;

/// <summary>
/// Monthly storage prices per GB (us-east-1 list prices, first 50 TB tier, as published on the S3 pricing page
/// in 2025). Infrequent Access bills at least 128 KB per object; Glacier Flexible Retrieval adds 40 KB of
/// metadata per object (32 KB at the Glacier rate, 8 KB at the Standard rate).
/// </summary>
public static class StoragePrices
{
    public const decimal StandardPerGbMonth = 0.023m;
    public const decimal StandardIAPerGbMonth = 0.0125m;
    public const decimal GlacierPerGbMonth = 0.0036m;
    public const long StandardIAMinimumObjectBytes = 128 * 1024;
    public const long GlacierOverheadAtGlacierRate = 32 * 1024;
    public const long GlacierOverheadAtStandardRate = 8 * 1024;
    public const decimal BytesPerGb = 1024m * 1024m * 1024m;
}

public sealed record StorageCostLine(string StorageClass, long Objects, long Bytes, long BillableBytes, decimal UsdPerMonth)
{
    /// <summary>The cost of the objects of one storage class, given each object's size.</summary>
    public static StorageCostLine For(string storageClass, IReadOnlyCollection<long> objectSizes)
    {
        long bytes = objectSizes.Sum(), objects = objectSizes.Count;
        switch (storageClass)
        {
            case StorageClasses.StandardIA:
                var billable = objectSizes.Sum(size => Math.Max(size, StoragePrices.StandardIAMinimumObjectBytes));
                return new(storageClass, objects, bytes, billable, billable / StoragePrices.BytesPerGb * StoragePrices.StandardIAPerGbMonth);
            case StorageClasses.Glacier:
                var glacierBytes = bytes + objects * StoragePrices.GlacierOverheadAtGlacierRate;
                var standardBytes = objects * StoragePrices.GlacierOverheadAtStandardRate;
                return new(storageClass, objects, bytes, glacierBytes + standardBytes,
                    glacierBytes / StoragePrices.BytesPerGb * StoragePrices.GlacierPerGbMonth + standardBytes / StoragePrices.BytesPerGb * StoragePrices.StandardPerGbMonth);
            default:
                return new(storageClass, objects, bytes, bytes, bytes / StoragePrices.BytesPerGb * StoragePrices.StandardPerGbMonth);
        }
    }
}

public sealed record StorageCostEstimate(string Bucket, DateTimeOffset At, IReadOnlyList<StorageCostLine> Lines)
{
    public decimal TotalUsdPerMonth => Lines.Sum(l => l.UsdPerMonth);
}
