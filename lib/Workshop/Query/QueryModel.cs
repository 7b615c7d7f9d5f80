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

/// <summary>A query's statistics. FilesScanned is what the local engine counts; Athena does not report it, so on AWS it is null.</summary>
public sealed record QueryStatistics(long DataScannedInBytes, long EngineExecutionTimeInMillis, long QueryQueueTimeInMillis, long TotalExecutionTimeInMillis, decimal EstimatedCostUsd, int? FilesScanned);

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
