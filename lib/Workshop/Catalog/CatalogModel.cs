using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Catalog;

/// <summary>A column as Glue stores it: a name and a Hive type such as string, double, timestamp or struct&lt;a:int&gt;.</summary>
public sealed record GlueColumn(string Name, string Type, string? Comment = null);

public sealed record GlueDatabase(string Name, string? Description, string? LocationUri, DateTimeOffset CreateTime);

/// <summary>
/// A table in the Glue Data Catalog. Views are tables of type VIRTUAL_VIEW whose ViewOriginalText holds the SQL,
/// as Athena stores them.
/// </summary>
public sealed record GlueTable
{
    public required string Name { get; init; }
    public required string DatabaseName { get; init; }
    public string TableType { get; init; } = ExternalTable;
    public IReadOnlyList<GlueColumn> Columns { get; init; } = [];
    public IReadOnlyList<GlueColumn> PartitionKeys { get; init; } = [];
    public string? Location { get; init; }
    public string? InputFormat { get; init; }
    public string? OutputFormat { get; init; }
    public string? SerdeLibrary { get; init; }
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
    public string? ViewOriginalText { get; init; }
    public DateTimeOffset CreateTime { get; init; }
    public DateTimeOffset UpdateTime { get; init; }
    public int VersionId { get; init; } = 1;

    public const string ExternalTable = "EXTERNAL_TABLE";
    public const string VirtualView = "VIRTUAL_VIEW";

    public bool IsView => TableType == VirtualView;

    public string? Classification => Parameters.TryGetValue("classification", out var c) ? c : null;

    /// <summary>The columns a query sees: the data columns, then the partition keys.</summary>
    public IEnumerable<GlueColumn> AllColumns => Columns.Concat(PartitionKeys);
}

/// <summary>A partition; <paramref name="Columns"/> is its own schema (its StorageDescriptor's columns), null where only the table's is known.</summary>
public sealed record GluePartition(IReadOnlyList<string> Values, string Location, DateTimeOffset CreateTime, IReadOnlyList<GlueColumn>? Columns = null);

public sealed class EntityNotFoundException(string message) : ServiceException("glue", nameof(EntityNotFoundException), message);

public sealed class AlreadyExistsException(string message) : ServiceException("glue", nameof(AlreadyExistsException), message);

public sealed class InvalidInputException(string message) : ServiceException("glue", nameof(InvalidInputException), message);

public sealed class CrawlerRunningException(string message) : ServiceException("glue", nameof(CrawlerRunningException), message);

/// <summary>s3://bucket/prefix/ locations as Glue and Athena write them.</summary>
public readonly record struct S3Location(string Bucket, string Prefix)
{
    public static S3Location Parse(string location)
    {
        if (location is null || !location.StartsWith("s3://", StringComparison.Ordinal) || location.Length <= 5)
            throw new InvalidInputException($"'{location}' is not an S3 location; write it as s3://bucket/prefix/.");
        var rest = location[5..];
        var slash = rest.IndexOf('/');
        var parsed = slash < 0 ? new S3Location(rest, "") : new S3Location(rest[..slash], rest[(slash + 1)..]);
        // A location becomes a folder of the local lake, so it obeys the rule object keys obey and cannot leave its bucket.
        if (Lake.LocalObjectStore.BucketNameProblem(parsed.Bucket) is { } bucketProblem)
            throw new InvalidInputException($"'{location}' is not accepted: '{parsed.Bucket}' is not a valid bucket name. {bucketProblem}.");
        if (Lake.LocalObjectStore.KeyProblem(parsed.Prefix, isPrefix: true) is { } prefixProblem)
            throw new InvalidInputException($"'{location}' is not accepted: its prefix '{parsed.Prefix}' {prefixProblem[3..]}. Use segments of letters, digits and punctuation separated by single '/'.");
        // Athena reads a location as a URI, so %2f is a '/' to it: a prefix that decodes to a '.' or '..' segment would leave the bucket there.
        if (parsed.Prefix.Contains('%') && Uri.UnescapeDataString(parsed.Prefix).Split('/', '\\').Any(s => s is "." or ".."))
            throw new InvalidInputException($"'{location}' is not accepted: its prefix '{parsed.Prefix}' reads as '{Uri.UnescapeDataString(parsed.Prefix)}' once its %-escapes are decoded, which has a '.' or '..' segment. Name a folder inside the bucket without them.");
        return parsed;
    }

    /// <summary>The prefix as a folder: ends with '/' unless empty.</summary>
    public string FolderPrefix => Prefix.Length == 0 || Prefix.EndsWith('/') ? Prefix : Prefix + "/";

    public override string ToString() => $"s3://{Bucket}/{Prefix}";
}
