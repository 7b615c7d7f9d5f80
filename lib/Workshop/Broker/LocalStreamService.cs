using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Metrics;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Broker;

/// <summary>
/// Kinesis Data Streams on the local backend: shard logs in the workspace (streams/&lt;name&gt;/), the service's
/// routing, sequence numbers, iterators, retention, limits and error names, on the kit's clock.
/// Sequence numbers are 32 decimal digits: "49", the shard index (10 digits), then the record number (20
/// digits), so within a shard they increase as numbers and as text.
/// </summary>
public sealed partial class LocalStreamService : IStreamService, StreamingWorkshop.Display.IHtmlDisplay, IDisposable
{
    /// <summary>In a notebook, the calls this offers rather than an object tree.</summary>
    public string ToHtml() => StreamingWorkshop.Broker.StreamCalls.View.ToHtml();

    public override string ToString() => StreamingWorkshop.Broker.StreamCalls.View.ToString();

    public const int MaxRecordsPerPutRecords = 500;
    public const int MaxRecordBytes = 1024 * 1024;
    public const int MaxPutRecordsBytes = 5 * 1024 * 1024;
    public const int MaxGetRecordsLimit = 10_000;
    public const long MaxGetRecordsBytes = 10L * 1024 * 1024;
    public const int ShardWriteRecordsPerSecond = 1_000;
    public const int ShardWriteBytesPerSecond = 1024 * 1024;
    public const int MaxShardsPerStream = 500;
    public const int ShardReadCallsPerSecond = 5;
    public const long ShardReadBytesPerSecond = 2L * 1024 * 1024;
    private static readonly TimeSpan IteratorLifetime = TimeSpan.FromMinutes(5);
    public const int MaxScalingsPerDay = 10;

    /// <summary>How long the stream stays UPDATING after a reshard on the kit's clock (Kinesis takes seconds to minutes).</summary>
    public static readonly TimeSpan ReshardDuration = TimeSpan.FromSeconds(30);

    private readonly WorkspaceDirectory workspace;
    private readonly TimeProvider clock;
    private readonly string accountId;
    private readonly string region;
    private readonly Dictionary<string, OpenStream> open = new(StringComparer.Ordinal);
    private readonly IMetricsRecorder? metrics;
    private readonly List<OpenStream> retired = [];

    /// <param name="metrics">Where to record the stream's CloudWatch metrics (AWS/Kinesis); none when null.</param>
    public LocalStreamService(WorkspaceDirectory workspace, TimeProvider clock, string accountId = "123456789012", string region = "us-east-1", IMetricsRecorder? metrics = null)
    {
        this.workspace = workspace;
        this.clock = clock;
        this.accountId = accountId;
        this.region = region;
        this.metrics = metrics;
    }

    private void Record(string streamName, string metricName, double value, string unit) =>
        metrics?.Record(MetricNames.Kinesis, metricName, new MetricDimension(MetricNames.StreamName, streamName), value, unit);

    public Task CreateStreamAsync(string streamName, int shardCount, int retentionPeriodHours = 24, CancellationToken cancellationToken = default) =>
        Create(streamName, shardCount, retentionPeriodHours, StreamModes.Provisioned);

    private Task Create(string streamName, int shardCount, int retentionPeriodHours, string streamMode)
    {
        ValidateName(streamName);
        if (shardCount < 1)
            throw new ValidationException("kinesis", $"1 validation error detected: Value '{shardCount}' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1");
        if (shardCount > MaxShardsPerStream)
            throw new LimitExceededException("kinesis", $"This request would exceed the shard limit for the account {accountId} in {region}. Current limit of shards is {MaxShardsPerStream}. Asked for {shardCount}; use fewer shards.");
        if (retentionPeriodHours is < 24 or > 8760)
            throw new InvalidArgumentException("kinesis", $"Retention period {retentionPeriodHours} hours is out of range: use 24 to 8760 hours (365 days).");
        var folder = workspace.Resolve("streams", streamName);
        var metadataPath = Path.Combine(folder, "stream.json");
        Directory.CreateDirectory(folder);
        using (AcquireAppendLock(folder))
        {
            if (File.Exists(metadataPath))
                throw new ResourceInUseException("kinesis", $"Stream {streamName} under account {accountId} already exists.");
            var metadata = new StreamMetadata(streamName, shardCount, retentionPeriodHours, clock.GetUtcNow()) { StreamMode = streamMode };
            workspace.WriteAtomically(metadataPath, JsonSerializer.SerializeToUtf8Bytes(metadata));
        }
        return Task.CompletedTask;
    }

    public Task DeleteStreamAsync(string streamName, CancellationToken cancellationToken = default)
    {
        var stream = Open(streamName);
        lock (open)
        {
            open.Remove(streamName);
            retired.Add(stream);
        }
        Directory.Delete(stream.Folder, recursive: true);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListStreamsAsync(CancellationToken cancellationToken = default)
    {
        var root = workspace.Resolve("streams");
        IReadOnlyList<string> names = !Directory.Exists(root) ? [] :
            Directory.GetDirectories(root).Where(d => File.Exists(Path.Combine(d, "stream.json")))
                .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        return Task.FromResult(names);
    }

    public Task<StreamSummary> DescribeStreamSummaryAsync(string streamName, CancellationToken cancellationToken = default)
    {
        var stream = Open(streamName);
        var m = stream.Metadata;
        var status = m.UpdatingUntil is { } until && clock.GetUtcNow() < until ? "UPDATING" : "ACTIVE";
        return Task.FromResult(new StreamSummary(m.StreamName, StreamArn(m.StreamName), status, stream.OpenIndexes.Length, m.RetentionPeriodHours, m.CreatedAt, m.StreamMode ?? StreamModes.Provisioned));
    }

    public Task<IReadOnlyList<ShardDescription>> ListShardsAsync(string streamName, CancellationToken cancellationToken = default)
    {
        var stream = Open(streamName);
        IReadOnlyList<ShardDescription> shards = stream.Layout.Where(s => !IsExpired(stream, s)).Select(s => new ShardDescription(
            ShardId(s.Index), s.StartingHashKey, s.EndingHashKey, SequenceNumber(s.Index, 0),
            s.LastNumber is { } last ? SequenceNumber(s.Index, last) : null,
            s.Parent is { } parent ? ShardId(parent) : null,
            s.AdjacentParent is { } adjacent ? ShardId(adjacent) : null)).ToArray();
        return Task.FromResult(shards);
    }

    public async Task<PutRecordResult> PutRecordAsync(string streamName, ReadOnlyMemory<byte> data, string partitionKey, string? explicitHashKey = null, CancellationToken cancellationToken = default)
    {
        ValidateRecord(data, partitionKey, explicitHashKey, "");
        var result = await PutRecordsAsync(streamName, [new PutRecordsEntry(data, partitionKey, explicitHashKey)], cancellationToken);
        var entry = result.Records[0];
        if (entry.ErrorCode == nameof(ProvisionedThroughputExceededException))
            throw new ProvisionedThroughputExceededException("kinesis", entry.ErrorMessage!);
        if (!entry.Succeeded) throw new ServiceException("kinesis", entry.ErrorCode!, entry.ErrorMessage!);
        return new PutRecordResult(entry.ShardId!, entry.SequenceNumber!);
    }

    public Task<PutRecordsResult> PutRecordsAsync(string streamName, IReadOnlyList<PutRecordsEntry> records, CancellationToken cancellationToken = default)
    {
        if (records.Count == 0)
            throw new ValidationException("kinesis", "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1");
        if (records.Count > MaxRecordsPerPutRecords)
            throw new ValidationException("kinesis", $"1 validation error detected: Value '[{records.Count} records]' at 'records' failed to satisfy constraint: Member must have length less than or equal to {MaxRecordsPerPutRecords}");
        long total = 0;
        for (var i = 0; i < records.Count; i++)
        {
            ValidateRecord(records[i].Data, records[i].PartitionKey, records[i].ExplicitHashKey, $"records.{i + 1}.member.");
            total += records[i].Data.Length + Encoding.UTF8.GetByteCount(records[i].PartitionKey);
        }
        if (total > MaxPutRecordsBytes)
            throw new InvalidArgumentException("kinesis", $"Records size exceeds 5 MB limit: the request holds {total:N0} bytes of data and partition keys. Split it into smaller PutRecords calls.");

        using var metricsBatch = metrics?.BeginBatch();
        var hashKeys = new UInt128[records.Count];
        for (var i = 0; i < records.Count; i++)
            hashKeys[i] = records[i].ExplicitHashKey is { } explicitKey ? UInt128.Parse(explicitKey, CultureInfo.InvariantCulture) : HashKeyOf(records[i].PartitionKey);

        var results = new PutRecordsResultEntry[records.Count];
        var failed = 0;
        while (true)
        {
        var stream = Open(streamName);
        var shardOf = new int[records.Count];
        for (var i = 0; i < records.Count; i++)
            shardOf[i] = stream.OpenIndexes[HashKeys.ShardIndexFor(hashKeys[i], stream.Starts)];
        long acceptedBytes = 0;
        using (var appendLock = AcquireAppendLock(stream.Folder))
        {
            // A reshard (here or in another process) between Open and the lock changed which shards are open.
            if (stream.IsStale()) continue;
            TakeOverAppends(stream, appendLock);
            var now = clock.GetUtcNow();
            var second = now.UtcTicks / TimeSpan.TicksPerSecond;
            var accepted = new List<(string, ReadOnlyMemory<byte>)>[stream.Shards.Length];
            var acceptedIndexes = new List<int>[stream.Shards.Length];
            for (var i = 0; i < records.Count; i++)
            {
                var shard = shardOf[i];
                var bytes = records[i].Data.Length + Encoding.UTF8.GetByteCount(records[i].PartitionKey);
                if (!stream.Throttles[shard].TryTake(second, bytes))
                {
                    results[i] = new PutRecordsResultEntry(null, null, nameof(ProvisionedThroughputExceededException),
                        $"Rate exceeded for shard {ShardId(shard)} in stream {streamName} under account {accountId}.");
                    failed++;
                    continue;
                }
                acceptedBytes += records[i].Data.Length;
                (accepted[shard] ??= []).Add((records[i].PartitionKey, records[i].Data));
                (acceptedIndexes[shard] ??= []).Add(i);
            }
            for (var shard = 0; shard < accepted.Length; shard++)
            {
                if (accepted[shard] is not { } batch) continue;
                long first;
                try
                {
                    first = stream.Shards[shard].Append(batch, now.UtcTicks);
                }
                catch
                {
                    // A write that failed may have left part of its frames: the next put catches up and cuts them.
                    stream.WriterStamp = OpenStream.NewWriterStamp();
                    throw;
                }
                for (var j = 0; j < batch.Count; j++)
                    results[acceptedIndexes[shard][j]] = new PutRecordsResultEntry(ShardId(shard), SequenceNumber(shard, first + j), null, null);
            }
        }
        // IncomingBytes counts the data blobs put; throttled records count in WriteProvisionedThroughputExceeded instead.
        Record(streamName, "IncomingRecords", records.Count - failed, MetricNames.Count);
        Record(streamName, "IncomingBytes", acceptedBytes, MetricNames.Bytes);
        Record(streamName, "WriteProvisionedThroughputExceeded", failed, MetricNames.Count);
        return Task.FromResult(new PutRecordsResult(failed, results));
        }
    }

    // A producer sends the same few keys again and again; an MD5 per record was a tenth of a put.
    private readonly Dictionary<string, UInt128> hashKeyCache = new(StringComparer.Ordinal);
    private const int HashKeyCacheSize = 16_384;

    private UInt128 HashKeyOf(string partitionKey)
    {
        lock (hashKeyCache)
        {
            if (hashKeyCache.TryGetValue(partitionKey, out var cached)) return cached;
            if (hashKeyCache.Count >= HashKeyCacheSize) hashKeyCache.Clear();
            return hashKeyCache[partitionKey] = HashKeys.FromPartitionKey(partitionKey);
        }
    }

    /// <summary>
    /// Spends this second's write allowance of every open shard, as a burst from another writer would: puts in the same
    /// second of the clock then fail with ProvisionedThroughputExceededException. Used by the throttle fault.
    /// </summary>
    public void ExhaustWriteAllowance(string streamName)
    {
        var stream = Open(streamName);
        var second = clock.GetUtcNow().UtcTicks / TimeSpan.TicksPerSecond;
        foreach (var index in stream.OpenIndexes) stream.Throttles[index].Exhaust(second);
    }

    public Task<string> GetShardIteratorAsync(string streamName, string shardId, ShardIteratorType iteratorType, string? startingSequenceNumber = null, DateTimeOffset? timestamp = null, CancellationToken cancellationToken = default)
    {
        var stream = Open(streamName);
        var shard = ParseShardId(stream, streamName, shardId);
        var log = stream.Shards[shard];
        log.CatchUp(cutTornTail: false);
        var needsSequence = iteratorType is ShardIteratorType.AT_SEQUENCE_NUMBER or ShardIteratorType.AFTER_SEQUENCE_NUMBER;
        if (needsSequence != (startingSequenceNumber is not null))
            throw new InvalidArgumentException("kinesis",
                "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. " +
                $"Request specified {iteratorType} and {(startingSequenceNumber is null ? "no" : "also a")} StartingSequenceNumber.");
        if ((iteratorType == ShardIteratorType.AT_TIMESTAMP) != timestamp.HasValue)
            throw new InvalidArgumentException("kinesis",
                iteratorType == ShardIteratorType.AT_TIMESTAMP
                    ? "The timestampInMillis parameter cannot be null for AT_TIMESTAMP shard iterator type."
                    : $"The Timestamp parameter can only be given with the AT_TIMESTAMP iterator type; the request specified {iteratorType}.");

        int position = iteratorType switch
        {
            ShardIteratorType.TRIM_HORIZON => TrimHorizon(stream, log),
            ShardIteratorType.LATEST => log.Count,
            ShardIteratorType.AT_TIMESTAMP => Math.Max(TrimHorizon(stream, log), log.FirstArrivalAtOrAfter(timestamp!.Value.UtcTicks)),
            _ => PositionOf(stream, streamName, shard, startingSequenceNumber!, iteratorType == ShardIteratorType.AFTER_SEQUENCE_NUMBER),
        };
        return Task.FromResult(EncodeIterator(streamName, shard, position, clock.GetUtcNow()));
    }

    /// <summary>
    /// What to do after a read refused for the shard's limits. A clock that follows the wall clock (a live run,
    /// workshop serve) gets there by waiting; a replay's clock stands still between cells, so waiting changes nothing
    /// and a learner who ran a reading cell twice needs to know how to move it on.
    /// </summary>
    private string WaitASecond() => clock is VirtualClock { IsLive: false }
        ? "the clock does not move by itself here, so move it on a second (Clock.Advance(TimeSpan.FromSeconds(1)) in a notebook, or a replay) and read again."
        : "wait a second (of the clock) and read again.";

    public Task<GetRecordsResult> GetRecordsAsync(string shardIterator, int limit = MaxGetRecordsLimit, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > MaxGetRecordsLimit)
            throw new ValidationException("kinesis", $"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value {(limit < 1 ? "greater than or equal to 1" : $"less than or equal to {MaxGetRecordsLimit}")}");
        var (streamName, shard, position, issuedAt) = DecodeIterator(shardIterator);
        using var metricsBatch = metrics?.BeginBatch();
        var now = clock.GetUtcNow();
        if (now - issuedAt > IteratorLifetime)
            throw new ExpiredIteratorException("kinesis",
                $"Iterator expired. The iterator was created at time {AmzTime(issuedAt)} while right now it is {AmzTime(now)} which is further in the future than the tolerated delay of 300000 milliseconds. Get a new iterator (GetShardIterator), or read on with the NextShardIterator of a GetRecords answer within 5 minutes of it.");
        var stream = Open(streamName);
        if (shard >= stream.Shards.Length || IsExpired(stream, stream.Layout[shard]))
            throw new ResourceNotFoundException("kinesis", $"Shard {ShardId(shard)} in stream {streamName} under account {accountId} does not exist");
        var log = stream.Shards[shard];
        log.CatchUp(cutTornTail: false);
        var readThrottle = stream.ReadThrottles[shard];
        lock (readThrottle)
        {
            if (!readThrottle.TryCall(now))
            {
                // A refused call counts in the metric as a sample of 1; each call served counts a 0.
                Record(streamName, "ReadProvisionedThroughputExceeded", 1, MetricNames.Count);
                throw new ProvisionedThroughputExceededException("kinesis",
                    $"Rate exceeded for Shard - {ShardId(shard)} in stream {streamName} under account {accountId}. A shard serves {ShardReadCallsPerSecond} GetRecords calls and {ShardReadBytesPerSecond / (1024 * 1024)} MiB per second to all its consumers together; {WaitASecond()}");
            }
        }
        // Records past the retention period are gone, whatever the iterator says; their index entries can go too.
        var trimHorizon = TrimHorizon(stream, log);
        position = Math.Max(position, trimHorizon);
        log.ForgetBefore(trimHorizon);
        var stored = log.Read(position, limit, MaxGetRecordsBytes);
        long storedBytes = 0;
        foreach (var record in stored) storedBytes += record.Data.Length;
        lock (readThrottle) readThrottle.Spend(storedBytes);
        var records = new StreamRecord[stored.Count];
        var shardId = ShardId(shard);
        for (var i = 0; i < stored.Count; i++)
        {
            var record = stored[i];
            records[i] = new StreamRecord(shardId, SequenceNumber(shard, record.Number),
                new DateTimeOffset(record.ArrivalTicks, TimeSpan.Zero), record.PartitionKey, record.Data);
        }
        var next = position + stored.Count;
        var behind = next >= log.Count ? 0 : (long)Math.Max(0, (now - new DateTimeOffset(log.ArrivalTicks(next), TimeSpan.Zero)).TotalMilliseconds);
        // The iterator age is how old the last record the call returned is; a call that returns none is as far
        // behind as MillisBehindLatest says (0 at the tip of the shard).
        var iteratorAge = records.Length > 0 ? Math.Max(0, (now - records[^1].ApproximateArrivalTimestamp).TotalMilliseconds) : behind;
        Record(streamName, "GetRecords.Records", records.Length, MetricNames.Count);
        Record(streamName, "GetRecords.IteratorAgeMilliseconds", iteratorAge, MetricNames.Milliseconds);
        Record(streamName, "ReadProvisionedThroughputExceeded", 0, MetricNames.Count);
        if (stream.Layout[shard].LastNumber is { } last && next >= last)
            return Task.FromResult(new GetRecordsResult(records, null, behind, ChildrenOf(stream, shard)));
        return Task.FromResult(new GetRecordsResult(records, EncodeIterator(streamName, shard, next, now), behind));
    }

    public Task UpdateShardCountAsync(string streamName, int targetShardCount, CancellationToken cancellationToken = default)
    {
        if (targetShardCount < 1)
            throw new ValidationException("kinesis", $"1 validation error detected: Value '{targetShardCount}' at 'targetShardCount' failed to satisfy constraint: Member must have value greater than or equal to 1");
        Reshard(streamName, "UpdateShardCount", (stream, shards, now) =>
        {
            var open = shards.Where(s => s.IsOpen).OrderBy(s => s.Start).ToList();
            var current = open.Count;
            if (targetShardCount == current)
                throw new InvalidArgumentException("kinesis", $"Stream {streamName} already has {current} open shards; give UpdateShardCount a different target.");
            if (targetShardCount > 2 * current)
                throw new LimitExceededException("kinesis", $"UpdateShardCount cannot scale {streamName} from {current} to {targetShardCount} shards: at most double the open shards ({2 * current}) in one call. Scale in steps.");
            if (targetShardCount * 2 < current)
                throw new LimitExceededException("kinesis", $"UpdateShardCount cannot scale {streamName} from {current} to {targetShardCount} shards: at least half the open shards ({(current + 1) / 2}) in one call. Scale in steps.");
            if (targetShardCount > MaxShardsPerStream)
                throw new LimitExceededException("kinesis", $"This request would exceed the shard limit for the account {accountId} in {region}. Current limit of shards is {MaxShardsPerStream}. Asked for {targetShardCount}; use fewer shards.");
            var recent = (stream.Metadata.ScalingTimes ?? []).Where(t => now - t < TimeSpan.FromHours(24)).ToList();
            if (recent.Count >= MaxScalingsPerDay)
                throw new LimitExceededException("kinesis", $"UpdateShardCount has run {recent.Count} times on {streamName} in the last 24 hours, the most allowed; wait until {AmzTime(recent.Min() + TimeSpan.FromHours(24))}, or use SplitShard and MergeShards.");

            // Kinesis reaches the target by splits and merges, which leaves short-lived shards: split every open
            // shard at each new boundary inside it, then merge the pieces of each new range pairwise.
            var targets = HashKeys.SplitEvenly(targetShardCount);
            var pieces = new List<ShardState>();
            foreach (var shard in open)
            {
                var rest = shard;
                foreach (var (boundary, _) in targets.Where(t => t.Start > shard.Start && t.Start <= shard.End))
                {
                    var (left, right) = Split(stream, shards, rest.Index, boundary, now);
                    pieces.Add(left);
                    rest = right;
                }
                pieces.Add(rest);
            }
            foreach (var (start, end) in targets)
            {
                var inRange = pieces.Where(p => p.Start >= start && p.End <= end).ToList();
                var merged = inRange[0];
                foreach (var next in inRange.Skip(1))
                    merged = Merge(stream, shards, merged.Index, next.Index, now);
            }
            return stream.Metadata with { ScalingTimes = [.. recent, now] };
        });
        return Task.CompletedTask;
    }

    public Task SplitShardAsync(string streamName, string shardToSplit, string newStartingHashKey, CancellationToken cancellationToken = default)
    {
        Reshard(streamName, "SplitShard", (stream, shards, now) =>
        {
            var shard = OpenShard(stream, shards, streamName, shardToSplit);
            if (newStartingHashKey is null || !ExplicitHashKeyPattern().IsMatch(newStartingHashKey) || !UInt128.TryParse(newStartingHashKey, CultureInfo.InvariantCulture, out var key))
                throw new InvalidArgumentException("kinesis", $"NewStartingHashKey {newStartingHashKey} is not a hash key: give a whole number from 0 to 2^128-1.");
            if (key <= shard.Start || key > shard.End)
                throw new InvalidArgumentException("kinesis",
                    $"NewStartingHashKey {newStartingHashKey} is not inside {shardToSplit}'s range: it must be above its starting hash key {shard.StartingHashKey} and at most its ending hash key {shard.EndingHashKey}.");
            Split(stream, shards, shard.Index, key, now);
            return stream.Metadata;
        });
        return Task.CompletedTask;
    }

    public Task MergeShardsAsync(string streamName, string shardToMerge, string adjacentShardToMerge, CancellationToken cancellationToken = default)
    {
        Reshard(streamName, "MergeShards", (stream, shards, now) =>
        {
            var first = OpenShard(stream, shards, streamName, shardToMerge);
            var second = OpenShard(stream, shards, streamName, adjacentShardToMerge);
            // The last shard ends at 2^128 - 1, where adding one would wrap round to the first shard's start.
            static bool JustBefore(ShardState low, ShardState high) => low.End != UInt128.MaxValue && low.End + 1 == high.Start;
            if (!JustBefore(first, second) && !JustBefore(second, first))
                throw new InvalidArgumentException("kinesis",
                    $"Shards {shardToMerge} and {adjacentShardToMerge} in stream {streamName} under account {accountId} are not adjacent: one's hash keys must end just before the other's start. Pick neighbours from ListShards.");
            Merge(stream, shards, first.Index, second.Index, now);
            return stream.Metadata;
        });
        return Task.CompletedTask;
    }

    /// <summary>
    /// Runs one reshard (or mode switch) under the stream's lock: refuses <paramref name="shardOperation"/> on an on-demand
    /// stream (null for UpdateStreamMode, which they take), checks the stream is ACTIVE, lets <paramref name="change"/> close
    /// and add shards, marks the stream UPDATING for <see cref="ReshardDuration"/> and saves it.
    /// </summary>
    private void Reshard(string streamName, string? shardOperation, Func<OpenStream, List<ShardState>, DateTimeOffset, StreamMetadata> change)
    {
        var stream = Open(streamName);
        using (AcquireAppendLock(stream.Folder))
        {
            if (stream.IsStale())
            {
                lock (open) open.Remove(streamName);
                stream = Open(streamName);
            }
            // Said before any complaint about the stream being UPDATING: on-demand streams never take these calls.
            if (shardOperation is not null) RefuseOnDemand(stream, shardOperation);
            var now = clock.GetUtcNow();
            if (stream.Metadata.UpdatingUntil is { } until && now < until)
                throw new ResourceInUseException("kinesis", $"Stream {streamName} under account {accountId} not ACTIVE, instead in state UPDATING until {AmzTime(until)}. Let the clock pass that time (a simulation, or Clock.Advance in a notebook), then try again.");
            var shards = stream.Layout.ToList();
            var metadata = change(stream, shards, now) with { Shards = shards, UpdatingUntil = now + ReshardDuration };
            workspace.WriteAtomically(Path.Combine(stream.Folder, "stream.json"), JsonSerializer.SerializeToUtf8Bytes(metadata));
            lock (open)
            {
                stream.Replaced = true;
                open.Remove(streamName);
                retired.Add(stream);
            }
        }
    }

    private ShardState OpenShard(OpenStream stream, List<ShardState> shards, string streamName, string shardId)
    {
        var shard = shards[ParseShardId(stream, streamName, shardId)];
        if (!shard.IsOpen)
            throw new ResourceInUseException("kinesis", $"Shard {shardId} in stream {streamName} under account {accountId} is closed (a reshard already replaced it); only open shards can be split or merged.");
        return shard;
    }

    private static (ShardState Left, ShardState Right) Split(OpenStream stream, List<ShardState> shards, int index, UInt128 newStart, DateTimeOffset now)
    {
        var parent = Close(stream, shards, index, now);
        var left = new ShardState(shards.Count, parent.StartingHashKey, (newStart - 1).ToString(CultureInfo.InvariantCulture), index, null, now, null, null);
        shards.Add(left);
        var right = new ShardState(shards.Count, newStart.ToString(CultureInfo.InvariantCulture), parent.EndingHashKey, index, null, now, null, null);
        shards.Add(right);
        return (left, right);
    }

    private static ShardState Merge(OpenStream stream, List<ShardState> shards, int index, int adjacentIndex, DateTimeOffset now)
    {
        var a = Close(stream, shards, index, now);
        var b = Close(stream, shards, adjacentIndex, now);
        var (low, high) = a.Start < b.Start ? (a, b) : (b, a);
        var child = new ShardState(shards.Count, low.StartingHashKey, high.EndingHashKey, index, adjacentIndex, now, null, null);
        shards.Add(child);
        return child;
    }

    /// <summary>Closes a shard after its last record (a shard made within this reshard has none yet).</summary>
    private static ShardState Close(OpenStream stream, List<ShardState> shards, int index, DateTimeOffset now)
    {
        long last = 0;
        if (index < stream.Shards.Length)
        {
            stream.Shards[index].CatchUp(cutTornTail: true);
            last = stream.Shards[index].Count;
        }
        return shards[index] = shards[index] with { ClosedAt = now, LastNumber = last };
    }

    private static List<ChildShard> ChildrenOf(OpenStream stream, int index) =>
        stream.Layout.Where(s => s.Parent == index || s.AdjacentParent == index)
            .Select(s => new ChildShard(ShardId(s.Index), new[] { s.Parent, s.AdjacentParent }.OfType<int>().Select(ShardId).ToArray(), s.StartingHashKey, s.EndingHashKey))
            .ToList();

    /// <summary>A closed shard goes away once its newest record has aged past the retention period.</summary>
    private bool IsExpired(OpenStream stream, ShardState shard) =>
        shard.ClosedAt is { } closedAt && clock.GetUtcNow() - closedAt > TimeSpan.FromHours(stream.Metadata.RetentionPeriodHours);

    private int TrimHorizon(OpenStream stream, ShardLog log) =>
        log.FirstArrivalAtOrAfter((clock.GetUtcNow() - TimeSpan.FromHours(stream.Metadata.RetentionPeriodHours)).UtcTicks);

    private int PositionOf(OpenStream stream, string streamName, int shard, string sequenceNumber, bool after)
    {
        var match = SequencePattern().Match(sequenceNumber);
        if (!match.Success)
            throw new InvalidArgumentException("kinesis", $"StartingSequenceNumber {sequenceNumber} used in GetShardIterator on shard {ShardId(shard)} in stream {streamName} under account {accountId} is invalid.");
        var encodedShard = int.Parse(match.Groups["shard"].Value, CultureInfo.InvariantCulture);
        if (encodedShard != shard)
            throw new InvalidArgumentException("kinesis", $"Invalid StartingSequenceNumber. It encodes {ShardId(encodedShard)}, while it was used in a call to a shard with {ShardId(shard)}");
        var number = long.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture);
        var log = stream.Shards[shard];
        // AFTER the shard's starting sequence number (record number 0) is the start of the shard.
        if (number < (after ? 0 : 1) || number > log.Count)
            throw new InvalidArgumentException("kinesis", $"StartingSequenceNumber {sequenceNumber} used in GetShardIterator on shard {ShardId(shard)} in stream {streamName} under account {accountId} is invalid because it did not come from this stream.");
        return (int)(after ? number : number - 1);
    }

    private int ParseShardId(OpenStream stream, string streamName, string shardId)
    {
        var match = ShardIdPattern().Match(shardId ?? "");
        // The pattern allows twelve digits, more than an int holds: anything beyond the shards does not exist.
        var index = match.Success && int.TryParse(match.Groups["index"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : -1;
        if (index < 0 || index >= stream.Shards.Length || IsExpired(stream, stream.Layout[index]))
            throw new ResourceNotFoundException("kinesis", $"Shard {shardId} in stream {streamName} under account {accountId} does not exist");
        return index;
    }

    private static void ValidateRecord(ReadOnlyMemory<byte> data, string partitionKey, string? explicitHashKey, string path)
    {
        if (partitionKey is null || partitionKey.Length < 1 || partitionKey.Length > 256)
            throw new ValidationException("kinesis",
                $"1 validation error detected: Value '{partitionKey}' at '{path}partitionKey' failed to satisfy constraint: Member must have length {(string.IsNullOrEmpty(partitionKey) ? "greater than or equal to 1" : "less than or equal to 256")}");
        var size = data.Length + Encoding.UTF8.GetByteCount(partitionKey);
        if (size > MaxRecordBytes)
            throw new ValidationException("kinesis",
                $"1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim={data.Length} cap={data.Length}]' at '{path}data' failed to satisfy constraint: Member must have length less than or equal to {MaxRecordBytes} (data and partition key together: {size:N0} bytes)");
        if (explicitHashKey is not null && (!ExplicitHashKeyPattern().IsMatch(explicitHashKey) || !UInt128.TryParse(explicitHashKey, CultureInfo.InvariantCulture, out _)))
            throw new InvalidArgumentException("kinesis", $"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was {explicitHashKey}");
    }

    private static void ValidateName(string streamName)
    {
        if (streamName is null || !StreamNamePattern().IsMatch(streamName))
            throw new ValidationException("kinesis", $"1 validation error detected: Value '{streamName}' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and 128");
        // The pattern lets them through, but locally each stream is a folder of its name, and these two name other folders.
        if (streamName is "." or "..")
            throw new ValidationException("kinesis", $"The local backend keeps each stream in a folder of its name, so '{streamName}' cannot name a stream here; choose a name with a letter or digit in it.");
    }

    private OpenStream Open(string streamName)
    {
        ValidateName(streamName);
        lock (open)
        {
            if (open.TryGetValue(streamName, out var existing) && !existing.IsStale()) return existing;
            // Still in use by calls under way; closed with the service.
            if (existing is not null) retired.Add(existing);
            var folder = workspace.Resolve("streams", streamName);
            var metadataPath = Path.Combine(folder, "stream.json");
            if (!File.Exists(metadataPath))
                throw new ResourceNotFoundException("kinesis", $"Stream {streamName} under account {accountId} not found.");
            OpenStream stream;
            using (AcquireAppendLock(folder))
            {
                var writtenAt = File.GetLastWriteTimeUtc(metadataPath);
                var metadata = WorkspaceJson.Read<StreamMetadata>(metadataPath)!;
                stream = new OpenStream(folder, metadata, writtenAt);
                foreach (var log in stream.Shards) log.CatchUp(cutTornTail: true);
            }
            open[streamName] = stream;
            return stream;
        }
    }

    /// <summary>
    /// Brings the shard indexes up to date before an append, under the append lock. append.lock holds the stamp of the
    /// last <see cref="OpenStream"/> to append, written before its frames: while it is this one's, no other writer (in
    /// this process or another) has appended since, and nobody was killed mid-write, so the indexes are whole and the
    /// put needs no look at the files. Otherwise every open shard catches up (cutting a torn tail) and the stamp
    /// becomes this one's. A producer that has the stream to itself thus makes no stat per shard and call.
    /// </summary>
    private static void TakeOverAppends(OpenStream stream, FileStream appendLock)
    {
        Span<byte> stamp = stackalloc byte[sizeof(ulong)];
        var read = RandomAccess.Read(appendLock.SafeFileHandle, stamp, 0);
        if (read == stamp.Length && BinaryPrimitives.ReadUInt64LittleEndian(stamp) == stream.WriterStamp) return;
        foreach (var index in stream.OpenIndexes) stream.Shards[index].CatchUp(cutTornTail: true);
        BinaryPrimitives.WriteUInt64LittleEndian(stamp, stream.WriterStamp);
        RandomAccess.Write(appendLock.SafeFileHandle, stamp, 0);
    }

    /// <summary>
    /// The lock every writer of a stream takes, across processes: an exclusive open of append.lock, which .NET
    /// turns into flock() on Linux. Held for one PutRecords call.
    /// </summary>
    private static FileStream AcquireAppendLock(string folder)
    {
        var path = Path.Combine(folder, "append.lock");
        var deadline = Environment.TickCount64 + 30_000;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            }
            catch (IOException) when (Environment.TickCount64 < deadline)
            {
                Thread.Sleep(1);
            }
        }
    }

    private string StreamArn(string name) => $"arn:aws:kinesis:{region}:{accountId}:stream/{name}";

    // Every record put or read carries its shard's id: ids are made once per shard index.
    private static readonly string?[] ShardIds = new string?[2 * MaxShardsPerStream];

    public static string ShardId(int index)
    {
        if ((uint)index >= (uint)ShardIds.Length) return $"shardId-{index:D12}";
        return ShardIds[index] ??= $"shardId-{index:D12}";
    }

    /// <summary>
    /// A record's sequence number: "49", the shard index in ten digits and the record's number in twenty. Every record
    /// put or read gets one, so the digits are written straight into the string rather than through a format.
    /// </summary>
    public static string SequenceNumber(int shard, long number)
    {
        if (shard < 0 || number < 0) return $"49{shard:D10}{number:D20}";
        return string.Create(SequenceNumberLength, (shard, number), static (digits, parts) =>
        {
            digits[0] = '4';
            digits[1] = '9';
            WriteDigits(digits.Slice(2, 10), (ulong)parts.shard);
            WriteDigits(digits[12..], (ulong)parts.number);
        });
    }

    private const int SequenceNumberLength = 2 + 10 + 20;

    /// <summary>Writes the value's decimal digits right-aligned in the span (of an even length), zero-padded on the left.</summary>
    private static void WriteDigits(Span<char> digits, ulong value)
    {
        for (var i = digits.Length - 2; i >= 0; i -= 2)
        {
            var quotient = value / 100;
            var pair = (int)(value - quotient * 100) * 2;
            digits[i] = DigitPairs[pair];
            digits[i + 1] = DigitPairs[pair + 1];
            value = quotient;
        }
    }

    private const string DigitPairs =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
        "8081828384858687888990919293949596979899";

    private static string EncodeIterator(string streamName, int shard, int position, DateTimeOffset issuedAt)
    {
        var name = Encoding.UTF8.GetBytes(streamName);
        var bytes = new byte[1 + 8 + 4 + 4 + name.Length + 4];
        bytes[0] = 1;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(1), issuedAt.UtcTicks);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(9), shard);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(13), position);
        name.CopyTo(bytes, 17);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32.HashToUInt32(bytes.AsSpan(0, bytes.Length - 4)));
        return Convert.ToBase64String(bytes);
    }

    private static (string Stream, int Shard, int Position, DateTimeOffset IssuedAt) DecodeIterator(string iterator)
    {
        var bytes = new byte[(iterator?.Length ?? 0) * 3 / 4 + 3];
        if (iterator is null || !Convert.TryFromBase64String(iterator, bytes, out var length) || length < 21 || bytes[0] != 1
            || Crc32.HashToUInt32(bytes.AsSpan(0, length - 4)) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(length - 4)))
            throw new InvalidArgumentException("kinesis", "Invalid ShardIterator. Use the ShardIterator or NextShardIterator exactly as GetShardIterator or GetRecords returned it.");
        return (Encoding.UTF8.GetString(bytes, 17, length - 21),
            BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(9)),
            BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(13)),
            new DateTimeOffset(BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(1)), TimeSpan.Zero));
    }

    // Kinesis writes times in its messages as "Thu Jan 22 01:22:02 UTC 2015".
    private static string AmzTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("ddd MMM dd HH:mm:ss 'UTC' yyyy", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        lock (open)
        {
            foreach (var stream in open.Values.Concat(retired)) stream.Dispose();
            open.Clear();
            retired.Clear();
        }
    }

    [GeneratedRegex("^[a-zA-Z0-9_.-]{1,128}$")]
    private static partial Regex StreamNamePattern();

    [GeneratedRegex("^shardId-(?<index>\\d{1,12})$")]
    private static partial Regex ShardIdPattern();

    [GeneratedRegex("^49(?<shard>\\d{10})(?<number>\\d{20})$")]
    private static partial Regex SequencePattern();

    [GeneratedRegex("^(0|[1-9]\\d{0,38})$")]
    private static partial Regex ExplicitHashKeyPattern();

    private sealed record StreamMetadata(string StreamName, int ShardCount, int RetentionPeriodHours, DateTimeOffset CreatedAt)
    {
        /// <summary>Every shard the stream has had, by index; null until the first reshard (then the ShardCount shards of creation).</summary>
        public List<ShardState>? Shards { get; init; }

        /// <summary>The stream is UPDATING until this time of the clock, after a reshard.</summary>
        public DateTimeOffset? UpdatingUntil { get; init; }

        /// <summary>When UpdateShardCount ran, for the limit per rolling 24 hours.</summary>
        public List<DateTimeOffset>? ScalingTimes { get; init; }

        /// <summary>PROVISIONED or ON_DEMAND; null in streams saved before the kit knew capacity modes (PROVISIONED).</summary>
        public string? StreamMode { get; init; }

        /// <summary>When UpdateStreamMode ran, for the limit per rolling 24 hours.</summary>
        public List<DateTimeOffset>? ModeSwitchTimes { get; init; }

        public List<ShardState> Layout() => Shards ?? HashKeys.SplitEvenly(ShardCount).Select((range, i) => new ShardState(i,
            range.Start.ToString(CultureInfo.InvariantCulture), range.End.ToString(CultureInfo.InvariantCulture), null, null, CreatedAt, null, null)).ToList();
    }

    /// <summary>One shard: its hash keys, its parents, and once closed, when and after which record number.</summary>
    private sealed record ShardState(int Index, string StartingHashKey, string EndingHashKey, int? Parent, int? AdjacentParent,
        DateTimeOffset CreatedAt, DateTimeOffset? ClosedAt, long? LastNumber)
    {
        public UInt128 Start => UInt128.Parse(StartingHashKey, CultureInfo.InvariantCulture);
        public UInt128 End => UInt128.Parse(EndingHashKey, CultureInfo.InvariantCulture);
        public bool IsOpen => ClosedAt is null;
    }

    private sealed class OpenStream : IDisposable
    {
        private readonly DateTime metadataWrittenAt;
        private readonly string metadataPath;

        public OpenStream(string folder, StreamMetadata metadata, DateTime metadataWrittenAt)
        {
            Folder = folder;
            metadataPath = Path.Combine(folder, "stream.json");
            Metadata = metadata;
            this.metadataWrittenAt = metadataWrittenAt;
            Layout = metadata.Layout();
            var openShards = Layout.Where(s => s.IsOpen).OrderBy(s => s.Start).ToArray();
            OpenIndexes = openShards.Select(s => s.Index).ToArray();
            Starts = openShards.Select(s => s.Start).ToArray();
            Shards = Layout.Select(s => new ShardLog(Path.Combine(folder, $"{ShardId(s.Index)}.log"))).ToArray();
            Throttles = Layout.Select(_ => new ShardThrottle()).ToArray();
            ReadThrottles = Layout.Select(_ => new ShardReadThrottle()).ToArray();
        }

        public string Folder { get; }
        public StreamMetadata Metadata { get; }
        public List<ShardState> Layout { get; }

        /// <summary>The open shards' indexes, in hash-key order, and where each one's range starts.</summary>
        public int[] OpenIndexes { get; }
        public UInt128[] Starts { get; }

        /// <summary>Set when this process resharded the stream, so no call uses the old layout whatever the file times say.</summary>
        public bool Replaced { get; set; }

        /// <summary>This opening's mark in append.lock while it was the last to append (see <see cref="TakeOverAppends"/>).</summary>
        public ulong WriterStamp { get; set; } = NewWriterStamp();

        public static ulong NewWriterStamp() => (ulong)Random.Shared.NextInt64() | 1;

        /// <summary>True when stream.json changed (a reshard or delete) since this was opened.</summary>
        public bool IsStale()
        {
            if (Replaced) return true;
            // One stat: a missing file reads as 1601-01-01, which no saved stream.json carries.
            return File.GetLastWriteTimeUtc(metadataPath) != metadataWrittenAt;
        }
        public ShardLog[] Shards { get; }
        public ShardThrottle[] Throttles { get; }
        public ShardReadThrottle[] ReadThrottles { get; }

        public void Dispose()
        {
            foreach (var shard in Shards) shard.Dispose();
        }
    }

    /// <summary>
    /// A shard's read allowance, shared by every consumer of the shard: 5 GetRecords calls in any second of the clock, and
    /// 2 MiB per second. One call may return up to 10 MiB; the bytes beyond the allowance are owed, so after a 10 MiB read
    /// the shard refuses reads for the next five seconds, as Kinesis does.
    /// </summary>
    private sealed class ShardReadThrottle
    {
        private readonly Queue<DateTimeOffset> recentCalls = new();
        private long owedBytes;
        private DateTimeOffset owedAt;

        public bool TryCall(DateTimeOffset now)
        {
            while (recentCalls.TryPeek(out var call) && now - call >= TimeSpan.FromSeconds(1)) recentCalls.Dequeue();
            if (recentCalls.Count >= ShardReadCallsPerSecond) return false;
            if (now > owedAt)
            {
                var repaid = (long)((now - owedAt).TotalSeconds * ShardReadBytesPerSecond);
                owedBytes = Math.Max(0, owedBytes - repaid);
                owedAt = now;
            }
            if (owedBytes >= ShardReadBytesPerSecond) return false;
            recentCalls.Enqueue(now);
            return true;
        }

        public void Spend(long bytes) => owedBytes += bytes;
    }

    /// <summary>A shard's write allowance per second of the clock: 1,000 records and 1 MiB.</summary>
    private sealed class ShardThrottle
    {
        private long second = long.MinValue;
        private int records;
        private long bytes;

        public void Exhaust(long currentSecond)
        {
            second = currentSecond;
            records = ShardWriteRecordsPerSecond;
        }

        public bool TryTake(long currentSecond, int recordBytes)
        {
            if (currentSecond != second)
            {
                second = currentSecond;
                records = 0;
                bytes = 0;
            }
            if (records + 1 > ShardWriteRecordsPerSecond || bytes + recordBytes > ShardWriteBytesPerSecond) return false;
            records++;
            bytes += recordBytes;
            return true;
        }
    }
}
