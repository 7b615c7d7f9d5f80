using System.Globalization;
using System.Text;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Broker;

/// <summary>
/// A stream's enhanced fan-out consumers, as ListStreamConsumers shows them, or one of them (<see cref="One"/>), as
/// DescribeStreamConsumer, registering and deregistering show it: then the caption names that consumer rather than
/// counting the stream's.
/// </summary>
public sealed class ConsumerListView(string streamName, IReadOnlyList<StreamConsumer> consumers) : IHtmlDisplay
{
    private string? single;

    /// <summary>One consumer of the stream, named in the caption.</summary>
    public static ConsumerListView One(string streamName, StreamConsumer consumer) => new(streamName, [consumer]) { single = consumer.ConsumerName };

    public const string Throughput =
        "Each registered consumer gets its own 2 MiB/s per shard through SubscribeToShard; GetRecords readers share 2 MiB/s and 5 calls/s per shard.";

    private static readonly string[] Headers = ["Consumer", "Status", "Registered", "Consumer ARN"];

    public string StreamName { get; } = streamName;
    public IReadOnlyList<StreamConsumer> Consumers { get; } = consumers;

    private IEnumerable<IReadOnlyList<string>> Rows => Consumers.Select(c => (IReadOnlyList<string>)
        [c.ConsumerName, c.ConsumerStatus, Shown.Time(c.ConsumerCreationTimestamp), c.ConsumerArn]);

    private string EmptyNote =>
        $"No consumers are registered with {StreamName}. Register one with 'workshop stream consumers register --name <name>' (RegisterStreamConsumer); it is CREATING for a few seconds, then ACTIVE.";

    private string Caption => single is null
        ? $"{Consumers.Count} consumer(s) of {StreamName} (at most {EnhancedFanOut.MaxConsumersPerStream})"
        : $"Consumer {single} of {StreamName}";

    public string ToHtml() => Consumers.Count == 0
        ? $"<p>{HtmlTable.Encode(EmptyNote)}</p>"
        : HtmlTable.Render(Headers, Rows, Caption) + $"<p style=\"{HtmlTable.Style}\">{HtmlTable.Encode(Throughput)}</p>";

    public override string ToString() => Consumers.Count == 0
        ? EmptyNote
        : $"{Caption}\n{TextTable.Render(Headers, Rows, maxWidth: 200)}\n{Throughput}";
}

/// <summary>The events one subscription pushed: when, how many records and bytes, how far behind, and where to continue.</summary>
public sealed class SubscriptionView(StreamConsumer consumer, string shardId, StartingPosition from, IReadOnlyList<SubscriptionView.PushedEvent> events, string ending) : IHtmlDisplay
{
    /// <summary>One SubscribeToShardEvent and the clock's time when it arrived.</summary>
    public sealed record PushedEvent(DateTimeOffset At, SubscribeToShardEvent Event)
    {
        public long Bytes => Event.Records.Sum(r => (long)r.Data.Length);
    }

    private static readonly string[] Headers = ["#", "Clock", "Records", "Bytes", "Millis behind latest", "Continuation sequence number", "Child shards"];

    public StreamConsumer Consumer { get; } = consumer;
    public string ShardId { get; } = shardId;
    public IReadOnlyList<PushedEvent> Events { get; } = events;

    /// <summary>Why the display stopped reading: caught up, the shard ended, or the number of events asked for.</summary>
    public string Ending { get; } = ending;

    public int RecordCount => Events.Sum(e => e.Event.Records.Count);

    private IEnumerable<IReadOnlyList<string>> Rows => Events.Select((e, i) => (IReadOnlyList<string>)
    [
        (i + 1).ToString(CultureInfo.InvariantCulture), Shown.Time(e.At), Shown.Count(e.Event.Records.Count), Shown.Count(e.Bytes),
        Shown.Count(e.Event.MillisBehindLatest), e.Event.ContinuationSequenceNumber ?? "- (shard ended)",
        e.Event.ChildShards is { Count: > 0 } children ? string.Join(", ", children.Select(c => c.ShardId)) : "-",
    ]);

    private string Caption =>
        $"{Consumer.ConsumerName} subscribed to {ShardId} from {from.Type}: {Events.Count} event(s), {Shown.Count(RecordCount)} record(s)";

    public string ToHtml() =>
        HtmlTable.Render(Headers, Rows, Caption) + $"<p style=\"{HtmlTable.Style}\">{HtmlTable.Encode(Ending)}</p>";

    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine(Caption);
        if (Events.Count > 0) text.AppendLine(TextTable.Render(Headers, Rows, maxWidth: 200));
        text.Append(Ending);
        return text.ToString();
    }
}
