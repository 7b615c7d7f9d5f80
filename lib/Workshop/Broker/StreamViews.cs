using System.Globalization;
using System.Text;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Broker;

/// <summary>Records as the Kinesis console's Data viewer lists them.</summary>
public sealed class RecordBatchView(IReadOnlyList<StreamRecord> records, RecordBatchView.Reading? readFrom = null) : IHtmlDisplay
{
    /// <summary>Where the records were read from, so an empty batch can say why it is empty.</summary>
    public sealed record Reading(string ShardId, ShardIteratorType IteratorType, DateTimeOffset? Timestamp = null, string? SequenceNumber = null);

    private static readonly string[] Headers = ["Shard", "Sequence number", "Partition key", "Approximate arrival", "Data"];

    public IReadOnlyList<StreamRecord> Records { get; } = records;

    private IEnumerable<IReadOnlyList<string>> Rows => Records.Select(r => (IReadOnlyList<string>)
    [
        r.ShardId, r.SequenceNumber, r.PartitionKey,
        r.ApproximateArrivalTimestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff 'UTC'", CultureInfo.InvariantCulture),
        Encoding.UTF8.GetString(r.Data.Span),
    ]);

    private string EmptyNote => readFrom switch
    {
        null => "No records. Reading from LATEST only shows records put after the iterator was made; try TRIM_HORIZON, or put a record and read again.",
        { IteratorType: ShardIteratorType.TRIM_HORIZON } r =>
            $"No records on {r.ShardId} from TRIM_HORIZON, the oldest record the stream keeps: nothing has been put on this shard within its retention period. Run the producer (offline: workshop simulate --duration 1h, or a notebook's await workshop.SimulateAsync(TimeSpan.FromHours(1))) or put a record, then read again.",
        { IteratorType: ShardIteratorType.LATEST } r =>
            $"No records on {r.ShardId} from LATEST: LATEST starts after the newest record, so it shows only records put after the iterator was made. Read from TRIM_HORIZON to see what the stream already holds.",
        { IteratorType: ShardIteratorType.AT_TIMESTAMP } r =>
            $"No records on {r.ShardId} from AT_TIMESTAMP {r.Timestamp?.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC: nothing arrived at or after that time. Pick an earlier time, or read from TRIM_HORIZON to see everything the stream keeps.",
        { IteratorType: ShardIteratorType.AFTER_SEQUENCE_NUMBER } r =>
            $"No records on {r.ShardId} after sequence number {r.SequenceNumber}: it is the newest record on the shard. Put a record, or read again once the producer has run.",
        var r => $"No records on {r.ShardId} from {r.IteratorType}.",
    };

    public string ToHtml() => Records.Count == 0
        ? $"<p>{HtmlTable.Encode(EmptyNote)}</p>"
        : HtmlTable.Render(Headers, Rows, $"{Records.Count} record(s)");

    public override string ToString() => Records.Count == 0 ? EmptyNote : TextTable.Render(Headers, Rows);
}

/// <summary>A stream's summary, its shards' hash-key ranges, and what one shard can take.</summary>
public sealed class StreamDescriptionView(StreamSummary summary, IReadOnlyList<ShardDescription> shards) : IHtmlDisplay
{
    public StreamSummary Summary { get; } = summary;
    public IReadOnlyList<ShardDescription> Shards { get; } = shards;

    public const string ShardCapacity =
        "Each shard takes up to 1 MiB/s or 1,000 records/s of writes and serves up to 2 MiB/s of reads (5 GetRecords calls/s) shared by its GetRecords readers, plus 2 MiB/s of its own to each enhanced fan-out consumer.";

    private IEnumerable<IReadOnlyList<string>> SummaryRows =>
    [
        ["Stream", Summary.StreamName],
        ["ARN", Summary.StreamArn],
        ["Status", Summary.StreamStatus],
        ["Capacity mode", Summary.StreamModeDetails],
        ["Open shards", Summary.OpenShardCount.ToString(CultureInfo.InvariantCulture)],
        ["Retention", $"{Summary.RetentionPeriodHours} hours"],
        ["Created", Summary.StreamCreationTimestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)],
    ];

    private static readonly string[] ShardHeaders = ["Shard", "State", "Parents", "Starting hash key", "Ending hash key", "Starting sequence number", "Ending sequence number"];

    // A closed shard takes no writes but keeps its records until retention ends; readers finish it before its children.
    private IEnumerable<IReadOnlyList<string>> ShardRows =>
        Shards.Select(s => (IReadOnlyList<string>)[s.ShardId, s.IsOpen ? "open" : "closed", s.Parents.Count == 0 ? "-" : string.Join(" + ", s.Parents),
            s.StartingHashKey, s.EndingHashKey, s.StartingSequenceNumber, s.EndingSequenceNumber ?? "-"]);

    public const string ReshardNote =
        "After a reshard, read each closed shard to its end before its children: a partition key's older records are in the parent, so that keeps each key in order.";

    // On a page each range is one cell, start above end with "to" on a line between them, so a column is no wider than
    // its numbers: seven columns of 39-digit hash keys and 32-digit sequence numbers are wider than the page, and the
    // ending sequence number, which marks a closed shard, scrolled out of sight. In a pane narrower still, a hash key may
    // break inside itself, so the sequence numbers stay whole and in sight.
    private static readonly string[] PageShardHeaders = ["Shard", "State", "Parents", "Hash-key range", "Sequence numbers"];

    private static readonly string?[] PageShardStyles = [null, null, null, "white-space:pre-wrap;overflow-wrap:anywhere", "white-space:pre"];

    private IEnumerable<IReadOnlyList<string>> PageShardRows =>
        Shards.Select(s => (IReadOnlyList<string>)[s.ShardId, s.IsOpen ? "open" : "closed", s.Parents.Count == 0 ? "-" : string.Join(" + ", s.Parents),
            $"{s.StartingHashKey}\nto\n{s.EndingHashKey}", $"{s.StartingSequenceNumber}\n{(s.EndingSequenceNumber is { } end ? "to\n" + end : "onwards (open)")}"]);

    public string ToHtml() =>
        HtmlTable.Render(["Property", "Value"], SummaryRows, "Stream summary") +
        HtmlTable.Render(PageShardHeaders, PageShardRows, "Shards", columnStyles: PageShardStyles) +
        $"<p>{HtmlTable.Encode(ShardCapacity)}</p>" +
        (Shards.Any(s => !s.IsOpen) ? $"<p>{HtmlTable.Encode(ReshardNote)}</p>" : "");

    public override string ToString() =>
        TextTable.Render(["Property", "Value"], SummaryRows) + "\n" + TextTable.Render(ShardHeaders, ShardRows) + "\n" + ShardCapacity +
        (Shards.Any(s => !s.IsOpen) ? "\n" + ReshardNote : "");
}
