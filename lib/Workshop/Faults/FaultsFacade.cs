using System.Globalization;
using System.Text;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Faults;

/// <summary>
/// <c>workshop.Faults</c>: faults the learner switches on for the next replay (a duplicated put, a re-delivered batch,
/// throttling, a failed or timed-out invocation, a stopped consumer), and two demonstrations run at once: a write
/// burst over a shard's limit, and the order a consumer reads two partition keys in. The plan is kept in the workspace,
/// so <c>workshop chaos list</c> shows what a notebook switched on and the reverse.
/// </summary>
public sealed class FaultsFacade : IHtmlDisplay
{
    private readonly WorkshopSession session;

    internal FaultsFacade(WorkshopSession session) => this.session = session;

    private LocalBackend Local => session.Local ?? throw new NotSupportedException(
        "Fault injection runs on the local backend only (AWS offers no switch to make Kinesis or Firehose misbehave); connect with WORKSHOP_BACKEND=local or --backend local.");

    /// <summary>The faults switched on in this workspace.</summary>
    public FaultPlanView Plan => new(Local.Faults.Plan);

    private FaultPlanView Change(Func<FaultPlan, FaultPlan> change)
    {
        var local = Local;
        local.Faults.Arm(session.Clock.GetUtcNow());
        local.Faults.Replace(change(local.Faults.Plan), session.Clock.GetUtcNow());
        return new FaultPlanView(local.Faults.Plan);
    }

    /// <summary>The next <paramref name="count"/> puts of the producer are sent twice: same data, a new sequence number.</summary>
    public FaultPlanView DuplicatePuts(int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "Give a count of 1 or more puts to duplicate.");
        return Change(plan => plan with { DuplicatePut = new DuplicatePutFault(count, null) });
    }

    /// <summary>Each put of the producer is sent twice with probability <paramref name="rate"/> (0 to 1).</summary>
    public FaultPlanView DuplicatePutRate(double rate)
    {
        if (!double.IsFinite(rate) || rate <= 0 || rate > 1) throw new ArgumentOutOfRangeException(nameof(rate), rate, "Give a rate above 0 and at most 1, for example 0.05 for one put in twenty.");
        return Change(plan => plan with { DuplicatePut = new DuplicatePutFault(null, rate) });
    }

    /// <summary>The next <paramref name="count"/> objects the delivery stream writes are written a second time (Firehose's retry).</summary>
    public FaultPlanView Redeliver(int count = 1)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "Give a count of 1 or more objects to deliver twice.");
        return Change(plan => plan with { Redelivery = new RedeliveryFault(count) });
    }

    /// <summary>From <paramref name="from"/> (UTC) for <paramref name="length"/>, the producer's puts find the shard's write allowance spent.</summary>
    public FaultPlanView Throttle(TimeOnly from, TimeSpan length) =>
        Change(plan => plan with { Throttle = Window(from, length) });

    /// <summary>The producer's <paramref name="count"/> invocations from <paramref name="from"/> (UTC) fail, or time out.</summary>
    public FaultPlanView FailInvocations(TimeOnly from, int count = 1, bool timeout = false)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "Give a count of 1 or more invocations (one a minute).");
        return Change(plan => plan with { FailedInvocation = new InvocationFault(Window(from, TimeSpan.FromMinutes(count)), timeout) });
    }

    /// <summary>The delivery stream reads nothing from <paramref name="from"/> (UTC) for <paramref name="length"/>, then catches up.</summary>
    public FaultPlanView StopConsumer(TimeOnly from, TimeSpan length) =>
        Change(plan => plan with { StopConsumer = Window(from, length) });

    /// <summary>Switches every fault off.</summary>
    public FaultPlanView Clear() => Change(_ => FaultPlan.None);

    private static FaultWindow Window(TimeOnly from, TimeSpan length)
    {
        if (length < TimeSpan.FromMinutes(1)) throw new ArgumentOutOfRangeException(nameof(length), length, "Give a length of at least one minute, for example 1h.");
        if (length > TimeSpan.FromDays(7)) throw new ArgumentOutOfRangeException(nameof(length), length, "Give a length of at most 7 days.");
        return new FaultWindow(from, length);
    }

    /// <summary>
    /// Puts <paramref name="records"/> small records on a one-shard demo stream within one second, first with one
    /// PutRecords call per 500 and no retry (the shard takes 1,000 a second; the rest fail with
    /// ProvisionedThroughputExceededException), then again with <see cref="PutRecordsBatcher"/>, which retries only the
    /// failed entries after 100 ms, 200 ms, 400 ms ... on the clock until all are in.
    /// </summary>
    public async Task<BurstView> BurstAsync(int records = 2_500, CancellationToken cancellationToken = default)
    {
        if (records is < 1 or > 20_000) throw new ArgumentOutOfRangeException(nameof(records), records, "Give from 1 to 20,000 records for the burst.");
        var local = Local;
        await session.EnsurePipelineAsync(cancellationToken);
        var streamName = session.Names.StreamName + "-burst-demo";
        await FreshStreamAsync(local.Stream, streamName, 1, cancellationToken);
        var entries = Enumerable.Range(1, records)
            .Select(i => new PutRecordsEntry(Encoding.UTF8.GetBytes($"{{\"burst\":{i}}}"), $"sensor-{i % 10}")).ToArray();

        // Start at a whole second so the whole first attempt falls in one second of the shard's allowance.
        StartNextSecond();
        var failedWithoutRetry = 0;
        foreach (var chunk in entries.Chunk(LocalStreamService.MaxRecordsPerPutRecords))
            failedWithoutRetry += (await local.Stream.PutRecordsAsync(streamName, chunk, cancellationToken)).FailedRecordCount;

        StartNextSecond();
        var started = session.Clock.GetUtcNow();
        var batcher = new PutRecordsBatcher(local.Stream, (pause, _) => { session.Clock.MoveBy(pause); return Task.CompletedTask; });
        var report = await batcher.PutAsync(streamName, entries, cancellationToken);
        var took = session.Clock.GetUtcNow() - started;
        session.Clock.Save();
        return new BurstView(streamName, records, failedWithoutRetry, report, took);
    }

    /// <summary>
    /// Puts <paramref name="recordsPerKey"/> records for each of two partition keys that hash to different shards of a
    /// two-shard demo stream, alternating keys, then reads the stream as a consumer does (each shard from TRIM_HORIZON).
    /// Within a key the sequence numbers rise in put order; across keys the read order is not the put order.
    /// </summary>
    public async Task<OrderingView> OrderingAsync(int recordsPerKey = 4, CancellationToken cancellationToken = default)
    {
        if (recordsPerKey is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(recordsPerKey), recordsPerKey, "Give from 1 to 100 records per key.");
        var local = Local;
        await session.EnsurePipelineAsync(cancellationToken);
        var streamName = session.Names.StreamName + "-order-demo";
        await FreshStreamAsync(local.Stream, streamName, 2, cancellationToken);
        var shards = await local.Stream.ListShardsAsync(streamName, cancellationToken);
        var starts = shards.Select(s => UInt128.Parse(s.StartingHashKey, CultureInfo.InvariantCulture)).ToArray();
        int ShardOf(string key) => HashKeys.ShardIndexFor(HashKeys.FromPartitionKey(key), starts);
        var first = session.Cities.Count > 0 ? session.Cities[0].Name : "London";
        var second = new[] { "Paris", "Berlin", "Madrid", "Rome", "Oslo", "Lisbon", "Vienna", "Dublin", "Prague", "Athens" }
            .First(key => key != first && ShardOf(key) != ShardOf(first));

        var puts = new List<OrderedRecord>();
        for (var i = 1; i <= recordsPerKey; i++)
            foreach (var key in new[] { first, second })
            {
                var data = $"{key} #{i}";
                var put = await local.Stream.PutRecordAsync(streamName, Encoding.UTF8.GetBytes(data), key, cancellationToken: cancellationToken);
                puts.Add(new OrderedRecord(puts.Count + 1, 0, key, data, put.ShardId, put.SequenceNumber));
                session.Clock.MoveBy(TimeSpan.FromMilliseconds(10));
            }

        var read = new List<OrderedRecord>();
        foreach (var shard in shards.OrderBy(s => s.ShardId, StringComparer.Ordinal))
        {
            var iterator = await local.Stream.GetShardIteratorAsync(streamName, shard.ShardId, ShardIteratorType.TRIM_HORIZON, cancellationToken: cancellationToken);
            foreach (var record in (await local.Stream.GetRecordsAsync(iterator, cancellationToken: cancellationToken)).Records)
            {
                var putOrder = puts.Single(p => p.ShardId == record.ShardId && p.SequenceNumber == record.SequenceNumber).PutOrder;
                read.Add(puts[putOrder - 1] with { ReadOrder = read.Count + 1 });
            }
        }
        session.Clock.Save();
        return new OrderingView(streamName, [first, second], read);
    }

    private void StartNextSecond()
    {
        var now = session.Clock.GetUtcNow();
        session.Clock.MoveTo(new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddSeconds(1));
    }

    /// <summary>A demo stream made anew, so a second run shows the same thing as the first.</summary>
    private static async Task FreshStreamAsync(LocalStreamService stream, string name, int shards, CancellationToken cancellationToken)
    {
        if ((await stream.ListStreamsAsync(cancellationToken)).Contains(name, StringComparer.Ordinal)) await stream.DeleteStreamAsync(name, cancellationToken);
        await stream.CreateStreamAsync(name, shards, cancellationToken: cancellationToken);
    }

    private CallsView Calls => new("workshop.Faults: faults for the next replay, and two demonstrations", [
        ("DuplicatePuts(count) / DuplicatePutRate(rate)", "a PutRecord whose answer is lost, so the producer puts again"),
        ("Redeliver(count)", "a Firehose PutObject retried after a timeout: the batch in a second object"),
        ("Throttle(from, length)", "PutRecord refused: ProvisionedThroughputExceededException"),
        ("FailInvocations(from, count, timeout)", "a Lambda invocation that errors or times out (Errors metric)"),
        ("StopConsumer(from, length)", "Firehose stops calling GetRecords, then resumes from its checkpoint"),
        ("Clear() / Plan", "the plan in state/faults.json"),
        ("BurstAsync(records)", "PutRecords over a shard's 1,000 records/s, then retried with backoff"),
        ("OrderingAsync(recordsPerKey)", "PutRecord with two partition keys, then GetShardIterator + GetRecords per shard"),
    ]);

    /// <summary>The plan where faults can be switched on; elsewhere the line saying where they can.</summary>
    private string PlanOrWhy => session.Local is { } local ? new FaultPlanView(local.Faults.Plan).ToString() : "Fault injection runs on the local backend only.";

    public string ToHtml() => Calls.ToHtml() + (session.Local is { } local ? new FaultPlanView(local.Faults.Plan).ToHtml() : $"<p>{HtmlTable.Encode(PlanOrWhy)}</p>");

    public override string ToString() => Calls + "\n" + PlanOrWhy;
}
