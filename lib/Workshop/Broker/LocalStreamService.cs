using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
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
public sealed partial class LocalStreamService : IStreamService, IDisposable
{
    public const int MaxRecordsPerPutRecords = 500;
    public const int MaxRecordBytes = 1024 * 1024;
    public const int MaxPutRecordsBytes = 5 * 1024 * 1024;
    public const int MaxGetRecordsLimit = 10_000;
    public const long MaxGetRecordsBytes = 10L * 1024 * 1024;
    public const int ShardWriteRecordsPerSecond = 1_000;
    public const int ShardWriteBytesPerSecond = 1024 * 1024;
    public const int MaxShardsPerStream = 500;
    private static readonly TimeSpan IteratorLifetime = TimeSpan.FromMinutes(5);

    private readonly WorkspaceDirectory workspace;
    private readonly TimeProvider clock;
    private readonly string accountId;
    private readonly string region;
    private readonly Dictionary<string, OpenStream> open = new(StringComparer.Ordinal);
    private readonly IMetricsRecorder? metrics;

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

    public Task CreateStreamAsync(string streamName, int shardCount, int retentionPeriodHours = 24, CancellationToken cancellationToken = default)
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
            var metadata = new StreamMetadata(streamName, shardCount, retentionPeriodHours, clock.GetUtcNow());
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
            stream.Dispose();
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
        return Task.FromResult(new StreamSummary(m.StreamName, StreamArn(m.StreamName), "ACTIVE", m.ShardCount, m.RetentionPeriodHours, m.CreatedAt));
    }

    public Task<IReadOnlyList<ShardDescription>> ListShardsAsync(string streamName, CancellationToken cancellationToken = default)
    {
        var stream = Open(streamName);
        IReadOnlyList<ShardDescription> shards = stream.Ranges.Select((range, i) => new ShardDescription(
            ShardId(i),
            range.Start.ToString(CultureInfo.InvariantCulture),
            range.End.ToString(CultureInfo.InvariantCulture),
            SequenceNumber(i, 0))).ToArray();
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

        var stream = Open(streamName);
        var shardOf = new int[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            var hashKey = records[i].ExplicitHashKey is { } explicitKey ? UInt128.Parse(explicitKey, CultureInfo.InvariantCulture) : HashKeys.FromPartitionKey(records[i].PartitionKey);
            shardOf[i] = HashKeys.ShardIndexFor(hashKey, stream.Starts);
        }

        var results = new PutRecordsResultEntry[records.Count];
        var failed = 0;
        long acceptedBytes = 0;
        using (AcquireAppendLock(stream.Folder))
        {
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
                var log = stream.Shards[shard];
                log.CatchUp(cutTornTail: true);
                var first = log.Append(batch, now.UtcTicks);
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

    public Task<GetRecordsResult> GetRecordsAsync(string shardIterator, int limit = MaxGetRecordsLimit, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > MaxGetRecordsLimit)
            throw new ValidationException("kinesis", $"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value {(limit < 1 ? "greater than or equal to 1" : $"less than or equal to {MaxGetRecordsLimit}")}");
        var (streamName, shard, position, issuedAt) = DecodeIterator(shardIterator);
        var now = clock.GetUtcNow();
        if (now - issuedAt > IteratorLifetime)
            throw new ExpiredIteratorException("kinesis",
                $"Iterator expired. The iterator was created at time {AmzTime(issuedAt)} while right now it is {AmzTime(now)} which is further in the future than the tolerated delay of 300000 milliseconds.");
        var stream = Open(streamName);
        if (shard >= stream.Shards.Length)
            throw new ResourceNotFoundException("kinesis", $"Shard {ShardId(shard)} in stream {streamName} under account {accountId} does not exist");
        var log = stream.Shards[shard];
        log.CatchUp(cutTornTail: false);
        // Records past the retention period are gone, whatever the iterator says.
        position = Math.Max(position, TrimHorizon(stream, log));
        var stored = log.Read(position, limit, MaxGetRecordsBytes);
        var records = new StreamRecord[stored.Count];
        for (var i = 0; i < stored.Count; i++)
        {
            var record = stored[i];
            records[i] = new StreamRecord(ShardId(shard), SequenceNumber(shard, record.Number),
                new DateTimeOffset(record.ArrivalTicks, TimeSpan.Zero), record.PartitionKey, record.Data);
        }
        var next = position + stored.Count;
        var behind = next >= log.Count ? 0 : (long)Math.Max(0, (now - new DateTimeOffset(log.ArrivalTicks(next), TimeSpan.Zero)).TotalMilliseconds);
        // The iterator age is how old the last record the call returned is; a call that returns none is as far
        // behind as MillisBehindLatest says (0 at the tip of the shard).
        var iteratorAge = records.Length > 0 ? Math.Max(0, (now - records[^1].ApproximateArrivalTimestamp).TotalMilliseconds) : behind;
        Record(streamName, "GetRecords.Records", records.Length, MetricNames.Count);
        Record(streamName, "GetRecords.IteratorAgeMilliseconds", iteratorAge, MetricNames.Milliseconds);
        // The local stream does not limit reads, so no call is refused for read throughput.
        Record(streamName, "ReadProvisionedThroughputExceeded", 0, MetricNames.Count);
        return Task.FromResult(new GetRecordsResult(records, EncodeIterator(streamName, shard, next, now), behind));
    }

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
        if (number < 1 || number > log.Count)
            throw new InvalidArgumentException("kinesis", $"StartingSequenceNumber {sequenceNumber} used in GetShardIterator on shard {ShardId(shard)} in stream {streamName} under account {accountId} is invalid because it did not come from this stream.");
        return (int)(after ? number : number - 1);
    }

    private int ParseShardId(OpenStream stream, string streamName, string shardId)
    {
        var match = ShardIdPattern().Match(shardId ?? "");
        // The pattern allows twelve digits, more than an int holds: anything beyond the shards does not exist.
        var index = match.Success && int.TryParse(match.Groups["index"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : -1;
        if (index < 0 || index >= stream.Shards.Length)
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
    }

    private OpenStream Open(string streamName)
    {
        ValidateName(streamName);
        lock (open)
        {
            if (open.TryGetValue(streamName, out var existing) && File.Exists(Path.Combine(existing.Folder, "stream.json"))) return existing;
            var folder = workspace.Resolve("streams", streamName);
            var metadataPath = Path.Combine(folder, "stream.json");
            if (!File.Exists(metadataPath))
                throw new ResourceNotFoundException("kinesis", $"Stream {streamName} under account {accountId} not found.");
            var metadata = JsonSerializer.Deserialize<StreamMetadata>(File.ReadAllBytes(metadataPath))!;
            OpenStream stream;
            using (AcquireAppendLock(folder))
            {
                stream = new OpenStream(folder, metadata);
                foreach (var log in stream.Shards) log.CatchUp(cutTornTail: true);
            }
            open[streamName] = stream;
            return stream;
        }
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

    public static string ShardId(int index) => $"shardId-{index:D12}";

    public static string SequenceNumber(int shard, long number) => $"49{shard:D10}{number:D20}";

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
            foreach (var stream in open.Values) stream.Dispose();
            open.Clear();
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

    private sealed record StreamMetadata(string StreamName, int ShardCount, int RetentionPeriodHours, DateTimeOffset CreatedAt);

    private sealed class OpenStream : IDisposable
    {
        public OpenStream(string folder, StreamMetadata metadata)
        {
            Folder = folder;
            Metadata = metadata;
            Ranges = HashKeys.SplitEvenly(metadata.ShardCount);
            Starts = Ranges.Select(r => r.Start).ToArray();
            Shards = Enumerable.Range(0, metadata.ShardCount).Select(i => new ShardLog(Path.Combine(folder, $"{ShardId(i)}.log"))).ToArray();
            Throttles = Enumerable.Range(0, metadata.ShardCount).Select(_ => new ShardThrottle()).ToArray();
        }

        public string Folder { get; }
        public StreamMetadata Metadata { get; }
        public (UInt128 Start, UInt128 End)[] Ranges { get; }
        public UInt128[] Starts { get; }
        public ShardLog[] Shards { get; }
        public ShardThrottle[] Throttles { get; }

        public void Dispose()
        {
            foreach (var shard in Shards) shard.Dispose();
        }
    }

    /// <summary>A shard's write allowance per second of the clock: 1,000 records and 1 MiB.</summary>
    private sealed class ShardThrottle
    {
        private long second = long.MinValue;
        private int records;
        private long bytes;

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
