using System.Text.Json.Nodes;
using StreamingWorkshop.Delivery;
using StreamingWorkshop.Display;
using StreamingWorkshop.Stack;

namespace StreamingWorkshop.Aws;

/// <summary>Amazon Data Firehose: the kit reads a delivery stream's settings to show where and how it writes.</summary>
public sealed class FirehoseClient(AwsJsonClient firehose) : IDeliveryService, IHtmlDisplay, IDisposable
{
    /// <summary>In a notebook, the delivery stage's calls rather than an object tree.</summary>
    public string ToHtml() => StageCalls.Delivery.ToHtml();

    public override string ToString() => StageCalls.Delivery.ToString();

    public Task<IReadOnlyList<string>> ListDeliveryStreamsAsync(CancellationToken cancellationToken = default) =>
        firehose.ListNamesAsync("ListDeliveryStreams", "DeliveryStreamNames", "HasMoreDeliveryStreams", "ExclusiveStartDeliveryStreamName",
            new JsonObject { ["Limit"] = 100 }, cancellationToken);

    /// <summary>The delivery stream's source and S3 destination, in the same shape the local backend uses.</summary>
    public async Task<DeliveryStreamConfig> DescribeDeliveryStreamAsync(string deliveryStreamName, CancellationToken cancellationToken = default)
    {
        var reply = await firehose.CallAsync("DescribeDeliveryStream", new JsonObject { ["DeliveryStreamName"] = deliveryStreamName }, cancellationToken);
        var description = reply["DeliveryStreamDescription"]!;
        var destination = description["Destinations"]?.AsArray().Select(d => d!["ExtendedS3DestinationDescription"]).FirstOrDefault(d => d is not null)
            ?? throw new NotSupportedException($"Delivery stream {deliveryStreamName} does not deliver to S3 with extended settings; the workshop's stack makes one that does.");
        // The description's members carry the same names as the template's properties, so one reader serves both.
        var properties = new JsonObject
        {
            ["KinesisStreamSourceConfiguration"] = new JsonObject { ["KinesisStreamARN"] = description["Source"]?["KinesisStreamSourceDescription"]?["KinesisStreamARN"]?.DeepClone() },
            ["ExtendedS3DestinationConfiguration"] = destination.DeepClone(),
        };
        return LocalProvisioners.DeliveryConfig(deliveryStreamName, properties);
    }

    public void Dispose() => firehose.Dispose();
}
