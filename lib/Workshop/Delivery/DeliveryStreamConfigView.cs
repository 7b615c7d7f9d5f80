using System.Globalization;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Delivery;

/// <summary>The delivery stream's Configuration tab: source, destination, buffering, partitioning, processing.</summary>
public sealed partial record DeliveryStreamConfig : IHtmlDisplay
{
    private PropertiesView View => new($"Delivery stream {DeliveryStreamName}",
    [
        ("Source (Kinesis data stream)", SourceStreamName),
        ("Destination (S3 bucket)", $"s3://{BucketName}/"),
        ("S3 bucket prefix", Prefix),
        ("S3 bucket error output prefix", ErrorOutputPrefix ?? ""),
        ("Buffer interval", $"{BufferingIntervalSeconds.ToString(CultureInfo.InvariantCulture)} seconds"),
        ("Buffer size", $"{BufferingSizeMiB.ToString(CultureInfo.InvariantCulture)} MiB"),
        ("Dynamic partitioning", DynamicPartitioningEnabled ? "Enabled" : "Disabled"),
        ("Metadata extraction (JQ)", MetadataExtractionQuery ?? ""),
        ("New line delimiter", AppendNewLineDelimiter ? "Enabled" : "Disabled"),
        ("Compression", Compression.ToString()),
    ]);

    public string ToHtml() => View.ToHtml();

    public override string ToString() => View.ToString();
}
