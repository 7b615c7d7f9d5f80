namespace StreamingWorkshop.Delivery;

/// <summary>Firehose's control plane as the workshop reads it: a delivery stream's configuration as deployed.</summary>
public interface IDeliveryService
{
    Task<DeliveryStreamConfig> DescribeDeliveryStreamAsync(string deliveryStreamName, CancellationToken cancellationToken = default);
}
