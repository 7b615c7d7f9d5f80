using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Faults;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Metrics;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Delivery;

/// <summary>
/// Runs one Firehose-style delivery stream locally: reads every shard of the source stream from its
/// checkpoint, groups records by partition key (dynamic partitioning), and writes one GZIP object per
/// partition when its buffer is old enough (interval) or big enough (size), whichever comes first.
/// Records that are not JSON, or lack a partition key, go to the error prefix; the rest of the batch is delivered.
///
/// Delivery is at least once, as with the service. A record can reach the lake twice only when the process
/// stops after an object is written and before the checkpoint that covers it is saved, which happens once per
/// flush round: at most the objects of one round per crash (one per partition that fell due together).
/// Records delivered ahead of an older, still-buffered partition are remembered in the checkpoint, so they are
/// not delivered again after a restart.
///
/// Only one process runs a given delivery stream at a time (a lock file in the workspace), as only one
/// Firehose service reads a stream for a delivery stream.
/// </summary>
public sealed class LocalDeliveryStream : IDisposable
{
    /// <summary>The error-output-type Firehose uses for records dynamic partitioning could not handle.</summary>
    public const string PartitioningFailed = "partitioning-failed";

    private const int GetRecordsLimit = 10_000;
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly IStreamService stream;
    private readonly IObjectStore lake;
    private readonly TimeProvider clock;
    private readonly PrefixTemplate prefix;
    private readonly PrefixTemplate errorPrefix;
    private readonly MetadataExtractionQuery? query;
    private readonly DeliveryCheckpointStore checkpointStore;
    private readonly Dictionary<string, ShardProgress> shards = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PartitionBuffer> buffers = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly FileStream consumerLock;
    private bool loaded;
    private IReadOnlyDictionary<string, ShardCheckpoint> saved = new Dictionary<string, ShardCheckpoint>();
    private bool anyBufferFull;
    private DateTimeOffset? oldestOpenedAt;
    private readonly IMetricsRecorder? metrics;

    /// <summary>Firehose's limit on partitions buffered at once with dynamic partitioning (its default quota).</summary>
    public const int PartitionLimit = 500;

    /// <param name="metrics">Where to record the delivery stream's CloudWatch metrics (AWS/Firehose); none when null.</param>
    public LocalDeliveryStream(DeliveryStreamConfig config, IStreamService stream, IObjectStore lake, WorkspaceDirectory workspace, TimeProvider clock, IMetricsRecorder? metrics = null)
    {
        this.metrics = metrics;
        config.Validate();
        Config = config;
        this.stream = stream;
        this.lake = lake;
        this.clock = clock;
        prefix = PrefixTemplate.Parse(config.EffectivePrefix);
        errorPrefix = PrefixTemplate.Parse(config.EffectiveErrorOutputPrefix, "ErrorOutputPrefix");
        query = config.DynamicPartitioningEnabled ? MetadataExtractionQuery.Parse(config.MetadataExtractionQuery!) : null;
        checkpointStore = new DeliveryCheckpointStore(workspace, config.DeliveryStreamName);
        consumerLock = AcquireConsumerLock(workspace, config.DeliveryStreamName);
    }

    public DeliveryStreamConfig Config { get; }

    public DeliveryMetrics Metrics { get; } = new();

    /// <summary>The faults the learner switched on (a batch delivered twice); none when null.</summary>
    public FaultInjector? Faults { get; init; }

    /// <summary>When the oldest open buffer becomes due by the buffering interval; null when nothing is buffered.</summary>
    public DateTimeOffset? NextDeadline
    {
        get
        {
            lock (buffers) return oldestOpenedAt + TimeSpan.FromSeconds(Config.BufferingIntervalSeconds);
        }
    }

    /// <summary>Records read from the stream and not yet in the lake.</summary>
    public int BufferedRecords
    {
        get { lock (buffers) return buffers.Values.Sum(b => b.Members.Count); }
    }

    /// <summary>Reads what is new on every shard, buffers it, and delivers the buffers that are due.</summary>
    public async Task<DeliveryPollResult> PollAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        // The poll's datapoints (and its reads') are written together as it returns.
        using var metricsBatch = metrics?.BeginBatch();
        try
        {
            await EnsureLoadedAsync(cancellationToken);
            await AddNewShardsAsync(cancellationToken);
            var read = 0;
            // Parents come before their children in shard order, so one poll can finish a parent and start its children.
            foreach (var shard in shards.Values.OrderBy(s => s.ShardId, StringComparer.Ordinal).ToArray())
            {
                if (shard.Finished || !ParentsFinished(shard)) continue;
                read += await ReadShardAsync(shard, cancellationToken);
            }
            var written = await FlushAsync(onlyDue: true, cancellationToken);
            return new DeliveryPollResult(read, written);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Delivers everything buffered now, whatever its age (used when a run ends).</summary>
    public async Task<int> FlushAllAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        using var metricsBatch = metrics?.BeginBatch();
        try
        {
            await EnsureLoadedAsync(cancellationToken);
            return await FlushAsync(onlyDue: false, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (loaded) return;
        saved = checkpointStore.Load();
        await AddNewShardsAsync(cancellationToken);
        loaded = true;
    }

    /// <summary>Picks up shards a reshard created since the last look (ListShards).</summary>
    private async Task AddNewShardsAsync(CancellationToken cancellationToken)
    {
        foreach (var shard in await stream.ListShardsAsync(Config.SourceStreamName, cancellationToken))
        {
            if (shards.ContainsKey(shard.ShardId)) continue;
            saved.TryGetValue(shard.ShardId, out var checkpoint);
            shards[shard.ShardId] = new ShardProgress(shard.ShardId, checkpoint?.Committed, checkpoint?.DeliveredAfter ?? []) { Parents = shard.Parents };
        }
    }

    /// <summary>
    /// A child shard is read only after its parents are read to their end, as Kinesis asks of every consumer: a partition
    /// key's older records are in the parent, so this keeps each key in order across a reshard. A parent no longer
    /// listed has aged out of retention and has nothing left to read.
    /// </summary>
    private bool ParentsFinished(ShardProgress shard) =>
        shard.Parents.All(parent => !shards.TryGetValue(parent, out var progress) || progress.Finished);

    private async Task<int> ReadShardAsync(ShardProgress shard, CancellationToken cancellationToken)
    {
        var read = 0;
        while (true)
        {
            shard.Iterator ??= await NewIteratorAsync(shard, cancellationToken);
            GetRecordsResult result;
            try
            {
                result = await stream.GetRecordsAsync(shard.Iterator, GetRecordsLimit, cancellationToken);
            }
            catch (ProvisionedThroughputExceededException)
            {
                // The shard's read allowance is spent for now (shared with every other reader): go on at the next poll.
                Metrics.ReadThrottled++;
                return read;
            }
            catch (ExpiredIteratorException)
            {
                // The clock moved on more than five minutes since the last read: start again where we stopped.
                shard.Iterator = null;
                continue;
            }
            shard.Iterator = result.NextShardIterator;
            foreach (var record in result.Records)
            {
                Accept(shard, record);
                read++;
            }
            // No next iterator: the shard is closed and read to its end; its children come next.
            shard.Finished = result.NextShardIterator is null;
            if (result.Records.Count < GetRecordsLimit || result.NextShardIterator is null) return read;
        }
    }

    private async Task<string> NewIteratorAsync(ShardProgress shard, CancellationToken cancellationToken)
    {
        var after = shard.LastRead ?? shard.Committed;
        if (after is null)
            return await stream.GetShardIteratorAsync(Config.SourceStreamName, shard.ShardId, ShardIteratorType.TRIM_HORIZON, cancellationToken: cancellationToken);
        try
        {
            return await stream.GetShardIteratorAsync(Config.SourceStreamName, shard.ShardId, ShardIteratorType.AFTER_SEQUENCE_NUMBER, after, cancellationToken: cancellationToken);
        }
        catch (InvalidArgumentException)
        {
            // The checkpoint's record has aged out of the stream's retention: what is left starts at the trim horizon.
            Metrics.CheckpointsPastRetention++;
            return await stream.GetShardIteratorAsync(Config.SourceStreamName, shard.ShardId, ShardIteratorType.TRIM_HORIZON, cancellationToken: cancellationToken);
        }
    }

    private void Accept(ShardProgress shard, StreamRecord record)
    {
        shard.LastRead = record.SequenceNumber;
        var pending = new PendingRecord(record.SequenceNumber);
        shard.InFlight.Enqueue(pending);
        Metrics.IncomingRecords++;
        Metrics.IncomingBytes += record.Data.Length;
        if (shard.AlreadyDelivered.Count > 0 && shard.AlreadyDelivered.Remove(record.SequenceNumber))
        {
            pending.Delivered = true;
            Metrics.SkippedAlreadyDelivered++;
            return;
        }

        var keys = EmptyKeys;
        string? failure = null;
        if (query is not null && (!query.TryEvaluate(record.Data.Span, out keys, out failure) || UnstorableKey(keys, record.ApproximateArrivalTimestamp, out failure)))
        {
            AddToBuffer("\0" + PartitioningFailed, isError: true, EmptyKeys, record, pending, ErrorDocument(record, failure!));
            Metrics.ErrorRecords++;
            return;
        }
        var bufferKey = query is null ? "" : query.KeyNames.Count == 1 ? keys[query.KeyNames[0]] : string.Join('\u0001', query.KeyNames.Select(k => keys[k]));
        AddToBuffer(bufferKey, isError: false, keys, record, pending, record.Data);
    }

    private static readonly Dictionary<string, string> EmptyKeys = new();

    /// <summary>
    /// True when the keys make an S3 prefix the local lake refuses (a value "a/../b", "a\\b", or one too long for a folder
    /// name): S3 would take it, but retrying it here would hold the delivery up for good, so the record goes to the error
    /// prefix with the reason. The lake's own rule judges the prefix the keys render; only a long value or one holding a
    /// character that can break a key is rendered, so a plain city costs one scan of its name.
    /// </summary>
    /// <summary>
    /// Past this many characters a value is rendered and checked: a shorter one (3 bytes of UTF-8 a character at most) cannot
    /// make a folder name longer than the lake holds unless the prefix's own text between two slashes nears 160 bytes.
    /// </summary>
    private const int LongValue = 32;

    private bool UnstorableKey(Dictionary<string, string> keys, DateTimeOffset arrival, out string? failure)
    {
        failure = null;
        if (!keys.Values.Any(value => value is "." or ".." || value.Length > LongValue || value.AsSpan().IndexOfAny('/', '\\', '\0') >= 0)) return false;
        var rendered = prefix.Render(keys, arrival);
        if (LocalObjectStore.KeyProblem(rendered, isPrefix: true) is not { } problem) return false;
        failure = $"The partition keys make the S3 prefix '{rendered}', which the local lake cannot hold: {problem}";
        return true;
    }

    private void AddToBuffer(string bufferKey, bool isError, Dictionary<string, string> keys, StreamRecord record, PendingRecord pending, ReadOnlyMemory<byte> payload)
    {
        lock (buffers)
        {
            if (!buffers.TryGetValue(bufferKey, out var buffer))
            {
                buffer = new PartitionBuffer(isError, keys, clock.GetUtcNow(), record.ApproximateArrivalTimestamp);
                buffers[bufferKey] = buffer;
            }
            buffer.Data.Write(payload.Span);
            // Error documents are always one per line; data records only when the new-line processor is on.
            if (isError || Config.AppendNewLineDelimiter) buffer.Data.Write(NewLine);
            if (buffer.Data.WrittenCount >= Config.BufferingSizeBytes) anyBufferFull = true;
            if (oldestOpenedAt is null || buffer.OpenedAt < oldestOpenedAt) oldestOpenedAt = buffer.OpenedAt;
            buffer.Members.Add(pending);
            if (record.ApproximateArrivalTimestamp < buffer.OldestArrival) buffer.OldestArrival = record.ApproximateArrivalTimestamp;
            buffer.FirstSequence ??= record.ShardId + "/" + record.SequenceNumber;
        }
    }

    private static byte[] ErrorDocument(StreamRecord record, string failure)
    {
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteNumber("attemptsMade", 1);
            writer.WriteNumber("arrivalTimestamp", record.ApproximateArrivalTimestamp.ToUnixTimeMilliseconds());
            writer.WriteString("errorCode", "DynamicPartitioning.MetadataExtractionFailed");
            writer.WriteString("errorMessage", failure);
            writer.WriteNumber("attemptEndingTimestamp", record.ApproximateArrivalTimestamp.ToUnixTimeMilliseconds());
            writer.WriteBase64String("rawData", record.Data.Span);
            writer.WriteString("sequenceNumber", record.SequenceNumber);
            writer.WriteString("partitionKey", record.PartitionKey);
            writer.WriteEndObject();
        }
        return output.WrittenSpan.ToArray();
    }

    private async Task<int> FlushAsync(bool onlyDue, CancellationToken cancellationToken)
    {
        List<KeyValuePair<string, PartitionBuffer>> ready;
        var now = clock.GetUtcNow();
        var interval = TimeSpan.FromSeconds(Config.BufferingIntervalSeconds);
        lock (buffers)
        {
            // Most polls find nothing due; answer that without walking every partition's buffer.
            if (onlyDue && !anyBufferFull && (oldestOpenedAt is null || now - oldestOpenedAt < interval)) return 0;
            ready = buffers.Where(b => !onlyDue || b.Value.Data.WrittenCount >= Config.BufferingSizeBytes
                                        || now - b.Value.OpenedAt >= TimeSpan.FromSeconds(Config.BufferingIntervalSeconds))
                           .OrderBy(b => b.Value.OldestArrival)
                           .ToList();
        }
        if (ready.Count > 0 && query is not null)
        {
            int active;
            lock (buffers) active = buffers.Count;
            Record("PartitionCount", active);
            Record("PartitionCountExceeded", active > PartitionLimit ? 1 : 0);
        }
        var written = 0;
        foreach (var (key, buffer) in ready)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await WriteObjectAsync(buffer, cancellationToken);
            }
            catch (ServiceException error)
            {
                // Firehose keeps retrying S3 and holds the data meanwhile; so does the kit: nothing is dropped.
                Metrics.LastDeliveryError = $"{error.ErrorCode}: {error.Message}";
                Metrics.FailedDeliveryAttempts++;
                Record("DeliveryToS3.Success", 0);
                continue;
            }
            lock (buffers) buffers.Remove(key);
            buffer.Data.Release();
            foreach (var member in buffer.Members) member.Delivered = true;
            written++;
        }
        lock (buffers)
        {
            anyBufferFull = buffers.Values.Any(b => b.Data.WrittenCount >= Config.BufferingSizeBytes);
            oldestOpenedAt = buffers.Count == 0 ? null : buffers.Values.Min(b => b.OpenedAt);
        }
        // Saved once per flush round: a crash can repeat at most the objects of the round it interrupts.
        if (written > 0) SaveCheckpoints();
        return written;
    }

    private async Task WriteObjectAsync(PartitionBuffer buffer, CancellationToken cancellationToken)
    {
        var identity = MD5.HashData(Encoding.UTF8.GetBytes($"{Config.DeliveryStreamName}|{buffer.FirstSequence}|{buffer.Members.Count}"));
        var objectId = new Guid(identity).ToString();
        var randomString = RandomString(identity);
        var template = buffer.IsError ? errorPrefix : prefix;
        var keyPrefix = template.Render(buffer.Keys, buffer.OldestArrival, buffer.IsError ? PartitioningFailed : null, randomString);
        var extension = Config.Compression == CompressionFormat.GZIP ? ".gz" : "";
        string ObjectKey(string id) => $"{keyPrefix}{Config.DeliveryStreamName}-{Config.Version}-{buffer.OldestArrival.UtcDateTime:yyyy-MM-dd-HH-mm-ss}-{id}{extension}";
        var objectKey = ObjectKey(objectId);

        var body = Config.Compression == CompressionFormat.GZIP ? Gzip(buffer.Data.WrittenMemory) : buffer.Data.WrittenMemory;
        await lake.PutObjectAsync(Config.BucketName, objectKey, body, cancellationToken);
        Metrics.ObjectsWritten++;
        if (!buffer.IsError && Faults?.TakeRedelivery() == true)
        {
            // The first attempt succeeded but its answer timed out, so the delivery was retried: the same records again, under a new name.
            await lake.PutObjectAsync(Config.BucketName, ObjectKey(new Guid(MD5.HashData(Encoding.UTF8.GetBytes(objectId + "|retry"))).ToString()), body, cancellationToken);
            Metrics.ObjectsWritten++;
            Metrics.RedeliveredRecords += buffer.Members.Count;
        }
        Metrics.BytesWritten += body.Length;
        Metrics.LastObjectKey = objectKey;
        if (!buffer.IsError) Metrics.DeliveredRecords += buffer.Members.Count;
        Record("DeliveryToS3.Success", 1);
        if (!buffer.IsError) Record("DeliveryToS3.Records", buffer.Members.Count);
        // How long the oldest record in this object waited between arriving on the stream and reaching S3.
        Record("DeliveryToS3.DataFreshness", Math.Max(0, Math.Round((clock.GetUtcNow() - buffer.OldestArrival).TotalSeconds)), MetricNames.Seconds);
    }

    private void Record(string metricName, double value, string unit = MetricNames.Count) =>
        metrics?.Record(MetricNames.Firehose, metricName, new MetricDimension(MetricNames.DeliveryStreamName, Config.DeliveryStreamName), value, unit);

    /// <summary>The compression level used for objects; the pipeline benchmark compresses with the same level.</summary>
    public const CompressionLevel GzipLevel = CompressionLevel.Fastest;

    public static ReadOnlyMemory<byte> Gzip(ReadOnlyMemory<byte> content)
    {
        var output = new MemoryStream(Math.Max(256, content.Length / 4));
        using (var gzip = new GZipStream(output, GzipLevel, leaveOpen: true)) gzip.Write(content.Span);
        return output.GetBuffer().AsMemory(0, (int)output.Length);
    }

    private static string RandomString(byte[] seed)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        var builder = new StringBuilder(11);
        for (var i = 0; i < 11; i++) builder.Append(alphabet[seed[i] % alphabet.Length]);
        return builder.ToString();
    }

    private void SaveCheckpoints()
    {
        var snapshot = new Dictionary<string, ShardCheckpoint>(StringComparer.Ordinal);
        foreach (var shard in shards.Values)
        {
            while (shard.InFlight.TryPeek(out var head) && head.Delivered)
            {
                shard.Committed = head.SequenceNumber;
                shard.InFlight.Dequeue();
            }
            var deliveredAfter = shard.InFlight.Where(p => p.Delivered).Select(p => p.SequenceNumber)
                .Concat(shard.AlreadyDelivered).ToArray();
            snapshot[shard.ShardId] = new ShardCheckpoint(shard.Committed, deliveredAfter);
        }
        checkpointStore.Save(snapshot);
    }

    private static FileStream AcquireConsumerLock(WorkspaceDirectory workspace, string name)
    {
        var path = Path.Combine(workspace.EnsureFolder("delivery", name), "consumer.lock");
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException)
        {
            throw new ResourceInUseException("firehose",
                $"Delivery stream {name} is already being run by another process on this workspace. Stop that run (a 'workshop simulate --live', say, or a 'workshop serve --deliver') and try again.");
        }
    }

    public void Dispose()
    {
        checkpointStore.Dispose();
        consumerLock.Dispose();
        gate.Dispose();
    }

    private sealed class ShardProgress(string shardId, string? committed, IReadOnlyList<string> deliveredAfter)
    {
        public string ShardId { get; } = shardId;
        public string? Committed { get; set; } = committed;
        public string? LastRead { get; set; }
        public string? Iterator { get; set; }
        public IReadOnlyList<string> Parents { get; init; } = [];
        public bool Finished { get; set; }
        public Queue<PendingRecord> InFlight { get; } = new();
        public HashSet<string> AlreadyDelivered { get; } = new(deliveredAfter, StringComparer.Ordinal);
    }

    private sealed class PendingRecord(string sequenceNumber)
    {
        public string SequenceNumber { get; } = sequenceNumber;
        public bool Delivered { get; set; }
    }

    private sealed class PartitionBuffer(bool isError, IReadOnlyDictionary<string, string> keys, DateTimeOffset openedAt, DateTimeOffset oldestArrival)
    {
        public bool IsError { get; } = isError;
        public IReadOnlyDictionary<string, string> Keys { get; } = keys;
        public DateTimeOffset OpenedAt { get; } = openedAt;
        public DateTimeOffset OldestArrival { get; set; } = oldestArrival;
        public PooledBytes Data { get; } = new();
        public List<PendingRecord> Members { get; } = new();
        public string? FirstSequence { get; set; }
    }

    /// <summary>
    /// A partition's bytes in an array from the shared pool, doubled as it fills. Between flushes every partition's
    /// buffer grows at once; fresh arrays for that were zeroed and faulted in page by page, which cost more than
    /// copying the records in.
    /// </summary>
    private sealed class PooledBytes
    {
        private byte[] array = ArrayPool<byte>.Shared.Rent(4096);

        public int WrittenCount { get; private set; }

        public ReadOnlyMemory<byte> WrittenMemory => array.AsMemory(0, WrittenCount);

        public void Write(ReadOnlySpan<byte> bytes)
        {
            if (array.Length - WrittenCount < bytes.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(array.Length * 2, WrittenCount + bytes.Length));
                array.AsSpan(0, WrittenCount).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(array);
                array = larger;
            }
            bytes.CopyTo(array.AsSpan(WrittenCount));
            WrittenCount += bytes.Length;
        }

        /// <summary>Gives the array back once the object is written; the buffer is not used again.</summary>
        public void Release()
        {
            ArrayPool<byte>.Shared.Return(array);
            array = [];
            WrittenCount = 0;
        }
    }
}

public sealed record DeliveryPollResult(int RecordsRead, int ObjectsWritten);

/// <summary>Counters like the ones Firehose shows in its Monitoring tab.</summary>
public sealed class DeliveryMetrics : Display.IHtmlDisplay
{
    public long IncomingRecords { get; internal set; }
    public long IncomingBytes { get; internal set; }
    public long DeliveredRecords { get; internal set; }

    /// <summary>
    /// Records of batches written a second time by a retried delivery (chaos redelivery): in S3 twice, counted once in
    /// <see cref="DeliveredRecords"/> as Firehose counts them.
    /// </summary>
    public long RedeliveredRecords { get; internal set; }

    /// <summary>The records the delivery wrote to the lake, a retried delivery's second copies included, as a query counts them.</summary>
    public long RecordsInLake => DeliveredRecords + RedeliveredRecords;
    public long ErrorRecords { get; internal set; }
    public long ObjectsWritten { get; internal set; }
    public long BytesWritten { get; internal set; }
    public long SkippedAlreadyDelivered { get; internal set; }
    public long FailedDeliveryAttempts { get; internal set; }
    public long CheckpointsPastRetention { get; internal set; }

    /// <summary>GetRecords calls the stream refused because the shard's read allowance was spent.</summary>
    public long ReadThrottled { get; internal set; }
    public string? LastObjectKey { get; internal set; }
    public string? LastDeliveryError { get; internal set; }

    private Display.PropertiesView View => new("Delivery stream metrics",
    [
        ("Incoming records", $"{IncomingRecords:N0}"),
        ("Incoming bytes", $"{IncomingBytes:N0}"),
        ("Records delivered to S3", $"{DeliveredRecords:N0}"),
        ("Records sent to the error prefix", $"{ErrorRecords:N0}"),
        ("Objects written", $"{ObjectsWritten:N0}"),
        ("Bytes written", $"{BytesWritten:N0}"),
        ("Reads refused by the shard's read limit", $"{ReadThrottled:N0}"),
        ("Last object", LastObjectKey ?? ""),
        ("Last delivery error", LastDeliveryError ?? ""),
    ]);

    public string ToHtml() => View.ToHtml();

    public override string ToString() => View.ToString();
}
