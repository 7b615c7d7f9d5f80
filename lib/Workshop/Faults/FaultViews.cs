using System.Globalization;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Faults;

/// <summary>The faults switched on, one row each, as <c>workshop chaos list</c> prints them.</summary>
public sealed class FaultPlanView(FaultPlan plan) : IHtmlDisplay
{
    private static readonly string[] Headers = ["Fault", "What happens"];
    private const string NoFaults = "No faults are on: the next replay runs normally.";
    private const string Caption = "Faults on for the next replay";

    public FaultPlan Plan { get; } = plan;

    private IEnumerable<IReadOnlyList<string>> Rows => Plan.Describe().Select(r => (IReadOnlyList<string>)[r.Fault, r.Effect]);

    public string ToHtml() => Plan.IsEmpty ? $"<p>{HtmlTable.Encode(NoFaults)}</p>" : HtmlTable.Render(Headers, Rows, Caption);

    public override string ToString() => Plan.IsEmpty ? NoFaults : Caption + "\n" + TextTable.Render(Headers, Rows);
}

/// <summary>A write burst against one shard: what a single attempt lost, and what retrying the failed entries recovered.</summary>
public sealed class BurstView(string streamName, int records, int failedWithoutRetry, PutRecordsBatchReport withRetry, TimeSpan retryTook) : IHtmlDisplay
{
    public int Records { get; } = records;
    public int FailedWithoutRetry { get; } = failedWithoutRetry;
    public PutRecordsBatchReport WithRetry { get; } = withRetry;

    private PropertiesView View => new($"A burst of {Records:N0} records on {streamName} (1 shard: 1,000 records/s)",
    [
        ("One PutRecords per 500, no retry", $"{Records - FailedWithoutRetry:N0} put; {FailedWithoutRetry:N0} failed with ProvisionedThroughputExceededException (FailedRecordCount)"),
        ("PutRecordsBatcher (retry failed entries, backoff 100 ms, 200 ms, 400 ms ...)", WithRetry.ToString()),
        ("Time the retries took on the clock", string.Create(CultureInfo.InvariantCulture, $"{retryTook.TotalSeconds:0.0} s")),
        ("WriteProvisionedThroughputExceeded", "rises by each refused entry; see workshop.Metrics for the stream " + streamName),
    ]);

    public string ToHtml() => View.ToHtml();

    public override string ToString() => View.ToString();
}

/// <summary>One record of the ordering demonstration: when it was put, when a consumer read it, and where it went.</summary>
public sealed record OrderedRecord(int PutOrder, int ReadOrder, string PartitionKey, string Data, string ShardId, string SequenceNumber);

/// <summary>
/// Two partition keys put alternately and read back shard by shard: each key's records come back in put order with
/// rising sequence numbers, while the order across keys (and shards) is the consumer's, not the producer's.
/// </summary>
public sealed class OrderingView(string streamName, IReadOnlyList<string> keys, IReadOnlyList<OrderedRecord> readOrder) : IHtmlDisplay
{
    // The data last: a narrow terminal may wrap it, but never a sequence number a learner copies.
    private static readonly string[] Headers = ["Read #", "Put #", "Partition key", "Shard", "Sequence number", "Data"];

    public IReadOnlyList<OrderedRecord> ReadOrder { get; } = readOrder;

    /// <summary>True when, for every key, the records were read in put order with rising sequence numbers.</summary>
    public bool EachKeyInOrder => keys.All(key =>
    {
        var ofKey = ReadOrder.Where(r => r.PartitionKey == key).ToList();
        return ofKey.Zip(ofKey.Skip(1)).All(p => p.First.PutOrder < p.Second.PutOrder
            && UInt128.Parse(p.First.SequenceNumber, CultureInfo.InvariantCulture) < UInt128.Parse(p.Second.SequenceNumber, CultureInfo.InvariantCulture));
    });

    /// <summary>True when the consumer read the records in the order they were put.</summary>
    public bool ReadInPutOrder => ReadOrder.Select(r => r.PutOrder).SequenceEqual(ReadOrder.Select(r => r.PutOrder).Order());

    private IEnumerable<IReadOnlyList<string>> Rows => ReadOrder.Select(r => (IReadOnlyList<string>)[
        r.ReadOrder.ToString(CultureInfo.InvariantCulture), r.PutOrder.ToString(CultureInfo.InvariantCulture), r.PartitionKey, r.ShardId, r.SequenceNumber, r.Data]);

    private string Caption => $"{streamName}: {string.Join(" and ", keys)} put alternately, read shard by shard";

    private IEnumerable<string> Findings =>
    [
        $"Put order:  {string.Join(", ", ReadOrder.OrderBy(r => r.PutOrder).Select(r => r.Data))}",
        $"Read order: {string.Join(", ", ReadOrder.Select(r => r.Data))}",
        .. keys.Select(key => $"{key}: {(EachKeyInOrder ? "read in put order, sequence numbers rising" : "OUT OF ORDER")} on {string.Join(", ", ReadOrder.Where(r => r.PartitionKey == key).Select(r => r.ShardId).Distinct())}"),
        ReadInPutOrder ? "Across keys: read in put order (this time)." : "Across keys: the read order is not the put order; Kinesis orders records per shard and partition key only.",
    ];

    public string ToHtml() => HtmlTable.Render(Headers, Rows, Caption) + "<ul>" + string.Concat(Findings.Select(f => $"<li>{HtmlTable.Encode(f)}</li>")) + "</ul>";

    // A terminal of 80 columns takes the table whole only without the data, which the findings under it list in put order
    // and in read order anyway: blocks of one record each would push that comparison off the screen.
    private static readonly string[] TextHeaders = ["Read #", "Put #", "Key", "Shard", "Sequence number"];

    public override string ToString() => Caption + "\n" + TextTable.Render(TextHeaders, Rows.Select(row => (IReadOnlyList<string>)row.Take(TextHeaders.Length).ToArray())) + "\n" + string.Join("\n", Findings);
}
