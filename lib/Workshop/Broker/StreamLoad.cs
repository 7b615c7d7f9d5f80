using System.Globalization;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Broker;

/// <summary>
/// How partition keys spread over a stream's open shards: Kinesis sends every record with the same key to the same
/// shard, so three cities can keep at most three shards busy however many the stream has. A suffix on the key
/// (city + "-" + n) spreads one city over many shards, at the price of its order, which then holds per key only.
/// </summary>
public sealed class KeySpreadView(IReadOnlyList<ShardDescription> openShards, IReadOnlyList<string> partitionKeys) : IHtmlDisplay
{
    /// <summary>The keys that land on each open shard, in hash-key order; shards no key reaches have none.</summary>
    public IReadOnlyList<(string ShardId, IReadOnlyList<string> Keys)> Shards { get; } = Spread(openShards, partitionKeys);

    public int BusyShards => Shards.Count(s => s.Keys.Count > 0);

    /// <summary>Keys made by adding "-0" to "-(n-1)" to each key: a way to spread a hot key.</summary>
    public static IReadOnlyList<string> WithSuffixes(IEnumerable<string> keys, int suffixes) =>
        keys.SelectMany(k => Enumerable.Range(0, suffixes).Select(i => $"{k}-{i.ToString(CultureInfo.InvariantCulture)}")).ToArray();

    private static List<(string, IReadOnlyList<string>)> Spread(IReadOnlyList<ShardDescription> openShards, IReadOnlyList<string> keys)
    {
        var ordered = openShards.Where(s => s.IsOpen).OrderBy(s => UInt128.Parse(s.StartingHashKey, CultureInfo.InvariantCulture)).ToArray();
        var starts = ordered.Select(s => UInt128.Parse(s.StartingHashKey, CultureInfo.InvariantCulture)).ToArray();
        var byShard = ordered.Select(_ => new List<string>()).ToArray();
        foreach (var key in keys.Distinct(StringComparer.Ordinal))
            byShard[HashKeys.ShardIndexFor(HashKeys.FromPartitionKey(key), starts)].Add(key);
        return ordered.Select((s, i) => (s.ShardId, (IReadOnlyList<string>)byShard[i])).ToList();
    }

    private IEnumerable<IReadOnlyList<string>> Rows =>
        Shards.Select(s => (IReadOnlyList<string>)[s.ShardId, s.Keys.Count.ToString(CultureInfo.InvariantCulture), s.Keys.Count == 0 ? "(idle)" : string.Join(", ", s.Keys.Take(8)) + (s.Keys.Count > 8 ? ", ..." : "")]);

    private string Caption => $"{Shards.Sum(s => s.Keys.Count)} partition key(s) keep {BusyShards} of {Shards.Count} open shard(s) busy";

    public string ToHtml() => HtmlTable.Render(["Shard", "Keys", "Partition keys (MD5 of the key picks the shard)"], Rows, Caption);

    public override string ToString() => TextTable.Render(["Shard", "Keys", "Partition keys"], Rows) + "\n" + Caption;
}

/// <summary>What <see cref="PutRecordsBatcher"/> did: calls made, entries retried, and what still failed.</summary>
public sealed record PutRecordsBatchReport(int Records, int Calls, int RetriedEntries, int Failed, IReadOnlyDictionary<string, int> FinalErrorCodes) : IHtmlDisplay
{
    public string ToHtml() => $"<p style=\"font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px\">{System.Net.WebUtility.HtmlEncode(ToString())}</p>";

    public override string ToString() =>
        $"{Records - Failed:N0} of {Records:N0} record(s) put in {Calls} PutRecords call(s); {RetriedEntries:N0} {(RetriedEntries == 1 ? "entry" : "entries")} retried" +
        (Failed == 0 ? "." : $"; {Failed:N0} still failed ({string.Join(", ", FinalErrorCodes.Select(e => $"{e.Key} x{e.Value}"))}).");
}

/// <summary>
/// PutRecords in batches of 500 that retries only the entries that failed, as a producer should: PutRecords succeeds as a
/// call even when some entries fail (FailedRecordCount, and an ErrorCode on each failed entry), so resending the whole
/// batch would put the others twice. The wait between attempts doubles from <see cref="FirstBackoff"/>.
/// </summary>
public sealed class PutRecordsBatcher(IStreamService stream, Func<TimeSpan, CancellationToken, Task> wait)
{
    public int MaxAttempts { get; init; } = 8;
    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    public async Task<PutRecordsBatchReport> PutAsync(string streamName, IReadOnlyList<PutRecordsEntry> records, CancellationToken cancellationToken = default)
    {
        int calls = 0, retried = 0, failed = 0;
        var errors = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var chunk in records.Chunk(LocalStreamService.MaxRecordsPerPutRecords))
        {
            IReadOnlyList<PutRecordsEntry> pending = chunk;
            PutRecordsResult? last = null;
            for (var attempt = 0; attempt < MaxAttempts && pending.Count > 0; attempt++)
            {
                if (attempt > 0)
                {
                    retried += pending.Count;
                    await wait(FirstBackoff * Math.Pow(2, attempt - 1), cancellationToken);
                }
                last = await stream.PutRecordsAsync(streamName, pending, cancellationToken);
                calls++;
                var sent = pending;
                pending = last.FailedRecordCount == 0 ? [] : sent.Where((_, i) => !last.Records[i].Succeeded).ToArray();
            }
            failed += pending.Count;
            if (pending.Count > 0 && last is not null)
                foreach (var entry in last.Records.Where(r => !r.Succeeded))
                    errors[entry.ErrorCode!] = errors.GetValueOrDefault(entry.ErrorCode!) + 1;
        }
        return new PutRecordsBatchReport(records.Count, calls, retried, failed, errors);
    }
}
