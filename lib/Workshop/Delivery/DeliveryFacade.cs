using StreamingWorkshop.Display;

namespace StreamingWorkshop.Delivery;

/// <summary><c>workshop.Delivery</c>: the Firehose console's view of the workshop's delivery stream.</summary>
public sealed class DeliveryFacade : IHtmlDisplay
{
    private readonly WorkshopSession session;

    internal DeliveryFacade(WorkshopSession session) => this.session = session;

    /// <summary>The delivery stream's configuration as deployed: its source, buffering, partitioning and prefixes.</summary>
    public async Task<DeliveryStreamConfig> DescribeAsync(string? deliveryStreamName = null, CancellationToken cancellationToken = default)
    {
        await session.EnsurePipelineAsync(cancellationToken);
        return await session.Stages.Delivery.DescribeDeliveryStreamAsync(deliveryStreamName ?? session.Names.DeliveryStreamName, cancellationToken);
    }

    private CallsView Calls => new($"workshop.Delivery: delivery stream {session.Names.DeliveryStreamName}", [
        ("DescribeAsync()", "DescribeDeliveryStream"),
    ]);

    public string ToHtml() => Calls.ToHtml();

    public override string ToString() => Calls.ToString();
}
