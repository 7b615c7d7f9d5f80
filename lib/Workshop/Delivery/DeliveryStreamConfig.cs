using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Delivery;

public enum CompressionFormat
{
    UNCOMPRESSED,
    GZIP,
}

/// <summary>
/// A Firehose delivery stream reading a Kinesis stream into S3, with the settings the workshop's stack uses.
/// <see cref="Validate"/> applies Firehose's own rules so a mistake is refused when the stream is created.
/// </summary>
public sealed partial record DeliveryStreamConfig
{
    public required string DeliveryStreamName { get; init; }
    public required string SourceStreamName { get; init; }
    public required string BucketName { get; init; }
    public string Prefix { get; init; } = "";
    public string? ErrorOutputPrefix { get; init; }

    /// <summary>Deliver when the oldest buffered record of a partition is this old (0 to 900 s).</summary>
    public int BufferingIntervalSeconds { get; init; } = 300;

    /// <summary>Deliver when a partition's buffer reaches this size (1 to 128 MiB; at least 64 with dynamic partitioning).</summary>
    public int BufferingSizeMiB { get; init; } = 5;

    public bool DynamicPartitioningEnabled { get; init; }

    /// <summary>JQ metadata extraction query, for example <c>{city: .city}</c>.</summary>
    public string? MetadataExtractionQuery { get; init; }

    /// <summary>The AppendDelimiterToRecord processor: a new line after each record. Athena needs it (see docs/pipeline.md).</summary>
    public bool AppendNewLineDelimiter { get; init; }

    public CompressionFormat Compression { get; init; } = CompressionFormat.GZIP;

    /// <summary>Delivery stream version, part of every object name; an update makes a new version.</summary>
    public int Version { get; init; } = 1;

    public DateTimeOffset CreatedAt { get; init; }

    [JsonIgnore]
    public long BufferingSizeBytes => BufferingSizeMiB * 1024L * 1024L;

    /// <summary>The prefix that is actually rendered: Firehose appends yyyy/MM/dd/HH/ when a prefix has no timestamp and no dynamic partitioning.</summary>
    [JsonIgnore]
    public string EffectivePrefix =>
        DynamicPartitioningEnabled || PrefixTemplate.Parse(Prefix).UsesTimestamp ? Prefix : Prefix + PrefixTemplate.DefaultTimestampPrefix;

    /// <summary>The error prefix that is rendered; without one Firehose writes errors under its own default.</summary>
    [JsonIgnore]
    public string EffectiveErrorOutputPrefix =>
        string.IsNullOrEmpty(ErrorOutputPrefix) ? "!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH/}" : ErrorOutputPrefix;

    public void Validate()
    {
        if (!NamePattern().IsMatch(DeliveryStreamName ?? ""))
            throw new ValidationException("firehose", $"1 validation error detected: Value '{DeliveryStreamName}' at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and 64.");
        if (string.IsNullOrWhiteSpace(SourceStreamName))
            throw new InvalidArgumentException("firehose", "The delivery stream needs a source Kinesis stream name.");
        if (string.IsNullOrWhiteSpace(BucketName))
            throw new InvalidArgumentException("firehose", "The delivery stream needs a destination bucket name.");
        if (BufferingIntervalSeconds is < 0 or > 900)
            throw new ValidationException("firehose", $"BufferingHints.IntervalInSeconds {BufferingIntervalSeconds} is out of range: use 0 to 900 seconds.");
        if (BufferingSizeMiB is < 1 or > 128)
            throw new ValidationException("firehose", $"BufferingHints.SizeInMBs {BufferingSizeMiB} is out of range: use 1 to 128 MiB.");

        var prefix = PrefixTemplate.Parse(Prefix, "Prefix");
        var errorPrefix = PrefixTemplate.Parse(ErrorOutputPrefix, "ErrorOutputPrefix");
        if (prefix.UsesErrorOutputType)
            throw new InvalidArgumentException("firehose", $"Prefix '{Prefix}' uses !{{firehose:error-output-type}}, which only the ErrorOutputPrefix may use.");
        if (errorPrefix.PartitionKeys.Any())
            throw new InvalidArgumentException("firehose", $"ErrorOutputPrefix '{ErrorOutputPrefix}' uses partitionKeyFromQuery; failed records have no partition keys, so the error prefix cannot use them.");
        if (prefix.HasExpressions && string.IsNullOrEmpty(ErrorOutputPrefix))
            throw new InvalidArgumentException("firehose", $"Prefix '{Prefix}' uses expressions, so an ErrorOutputPrefix is required too (for example errors/!{{firehose:error-output-type}}/).");

        if (DynamicPartitioningEnabled)
        {
            if (BufferingSizeMiB < 64)
                throw new InvalidArgumentException("firehose", $"BufferingHints.SizeInMBs {BufferingSizeMiB} is too small: with dynamic partitioning enabled the buffer size must be at least 64 MiB.");
            if (string.IsNullOrWhiteSpace(MetadataExtractionQuery))
                throw new InvalidArgumentException("firehose", "Dynamic partitioning is enabled but no MetadataExtractionQuery is set; add one such as {city: .city}.");
            var query = Delivery.MetadataExtractionQuery.Parse(MetadataExtractionQuery);
            var used = prefix.PartitionKeys.ToList();
            if (used.Count == 0)
                throw new InvalidArgumentException("firehose", $"Dynamic partitioning is enabled but Prefix '{Prefix}' uses no !{{partitionKeyFromQuery:key}} expression.");
            foreach (var key in used.Where(k => !query.KeyNames.Contains(k)))
                throw new InvalidArgumentException("firehose", $"Prefix '{Prefix}' uses !{{partitionKeyFromQuery:{key}}} but the query '{MetadataExtractionQuery}' defines only: {string.Join(", ", query.KeyNames)}.");
            if (string.IsNullOrEmpty(ErrorOutputPrefix))
                throw new InvalidArgumentException("firehose", "Dynamic partitioning is enabled, so an ErrorOutputPrefix is required.");
            if (!errorPrefix.UsesErrorOutputType)
                throw new InvalidArgumentException("firehose", $"ErrorOutputPrefix '{ErrorOutputPrefix}' must contain !{{firehose:error-output-type}} so failed records are grouped by the kind of failure.");
        }
        else if (prefix.PartitionKeys.Any())
        {
            throw new InvalidArgumentException("firehose", $"Prefix '{Prefix}' uses partitionKeyFromQuery, which needs dynamic partitioning enabled.");
        }
    }

    [GeneratedRegex("^[a-zA-Z0-9_.-]{1,64}$")]
    private static partial Regex NamePattern();
}
