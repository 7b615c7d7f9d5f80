using System.Text.Json.Serialization;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Query;

public static class QueryStates
{
    public const string Queued = "QUEUED";
    public const string Running = "RUNNING";
    public const string Succeeded = "SUCCEEDED";
    public const string Failed = "FAILED";
    public const string Cancelled = "CANCELLED";
}

/// <summary>Athena's price: $5 per TB scanned, rounded up to the nearest MB, with at least 10 MB billed for each query that scans data.</summary>
public static class AthenaPricing
{
    public const decimal UsdPerTerabyte = 5m;
    public const long BytesPerMegabyte = 1000 * 1000;
    public const long MinimumBilledBytes = 10 * BytesPerMegabyte;
    private const decimal BytesPerTerabyte = 1_000_000_000_000m;

    /// <summary>The bytes Athena bills for a scan: whole megabytes, rounded up, and never fewer than <paramref name="minimumBytes"/>.</summary>
    public static long BilledBytes(long scannedBytes, long minimumBytes = MinimumBilledBytes) =>
        Math.Max((scannedBytes + BytesPerMegabyte - 1) / BytesPerMegabyte * BytesPerMegabyte, minimumBytes);

    /// <summary>What a scan costs at <paramref name="usdPerTerabyte"/>, billed as <see cref="BilledBytes"/> says.</summary>
    public static decimal Cost(long scannedBytes, long minimumBytes = MinimumBilledBytes, decimal usdPerTerabyte = UsdPerTerabyte) =>
        BilledBytes(scannedBytes, minimumBytes) / BytesPerTerabyte * usdPerTerabyte;

    /// <summary>DDL that reads no data is free; a query, or a CTAS that reads data, pays for at least 10 MB.</summary>
    public static decimal EstimatedCost(long scannedBytes, bool isDdl) => isDdl && scannedBytes == 0 ? 0 : Cost(scannedBytes);
}

/// <summary>
/// S3 Standard's request prices in us-east-1 (https://aws.amazon.com/s3/pricing/). Athena's bill is only its scan: the
/// objects a query reads are read from S3, which bills the lake's owner a GET for each object read and a LIST for each
/// page of up to 1,000 keys of a folder listed. For a lake of thousands of small objects the GETs cost more than the scan.
/// </summary>
public static class S3RequestPricing
{
    /// <summary>GET (and SELECT, HEAD) requests: $0.0004 per 1,000.</summary>
    public const decimal GetUsdPerThousand = 0.0004m;

    /// <summary>LIST requests, billed with PUT, COPY and POST: $0.005 per 1,000.</summary>
    public const decimal ListUsdPerThousand = 0.005m;

    /// <summary>The most keys one LIST request (ListObjectsV2) returns.</summary>
    public const int KeysPerList = 1000;

    /// <summary>What <paramref name="requests"/> requests cost at <paramref name="usdPerThousand"/> per 1,000.</summary>
    public static decimal Cost(long requests, decimal usdPerThousand) => requests * usdPerThousand / 1000m;

    /// <summary>The LIST requests that list a folder of <paramref name="keys"/> keys: one a page of 1,000, and one for an empty folder.</summary>
    public static long ListsFor(long keys) => Math.Max(1, (keys + KeysPerList - 1) / KeysPerList);

    /// <summary>
    /// The GETs a query's reads cost, estimated as one per object opened at S3 Standard's us-east-1 price: the least a
    /// read costs, since a large Parquet object may take more than one (its footer, then its column chunks).
    /// </summary>
    public static decimal EstimatedGetCost(long objectsRead) => Cost(objectsRead, GetUsdPerThousand);
}

/// <summary>
/// A query's statistics. FilesScanned is what the local engine counts; Athena does not report it, so on AWS it is null,
/// and so is the S3 requests' estimate made from it.
/// </summary>
public sealed record QueryStatistics(long DataScannedInBytes, long EngineExecutionTimeInMillis, long QueryQueueTimeInMillis, long TotalExecutionTimeInMillis, decimal EstimatedCostUsd, int? FilesScanned)
{
    /// <summary>
    /// What S3 bills for the GETs of the objects the query read, beside Athena's <see cref="EstimatedCostUsd"/>: one GET an
    /// object, at S3 Standard's us-east-1 price (<see cref="S3RequestPricing.EstimatedGetCost"/>). Null where the number of
    /// objects is unknown (on AWS), never a guess.
    /// </summary>
    [JsonIgnore]
    public decimal? EstimatedS3GetCostUsd => FilesScanned is { } files ? S3RequestPricing.EstimatedGetCost(files) : null;
}

public sealed record QueryExecution(
    string QueryExecutionId,
    string Query,
    string StatementType,
    string Database,
    string WorkGroup,
    string OutputLocation,
    string State,
    string? StateChangeReason,
    string? ErrorType,
    DateTimeOffset SubmissionDateTime,
    DateTimeOffset? CompletionDateTime,
    QueryStatistics? Statistics) : IHtmlDisplay
{
    public string ToHtml() => new QueryHistoryView([this]).ToHtml();

    public override string ToString() => new QueryHistoryView([this]).ToString();
}

public sealed record ResultColumn(string Name, string Type);
