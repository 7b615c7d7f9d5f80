using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Broker;

/// <summary>
/// Capacity modes and enhanced fan-out on the local stream. Consumers live in streams/&lt;name&gt;/consumers.json, so every
/// process sharing the workspace sees them; a subscription lives in the process that opened it.
/// </summary>
public sealed partial class LocalStreamService
{
    public const int MaxConsumersPerStream = EnhancedFanOut.MaxConsumersPerStream;

    /// <summary>At most five consumers of an account may be CREATING at once.</summary>
    public const int MaxConsumersCreating = 5;

    /// <summary>What a subscription may push per shard per second of the clock, for each consumer on its own.</summary>
    public const long ConsumerReadBytesPerSecond = EnhancedFanOut.ConsumerReadBytesPerSecond;

    /// <summary>How long a new consumer stays CREATING, and a deregistered one DELETING, on the kit's clock.</summary>
    public static readonly TimeSpan ConsumerStatusChangeDuration = EnhancedFanOut.StatusChangeTime;

    public static readonly TimeSpan SubscriptionLifetime = EnhancedFanOut.SubscriptionLifetime;

    /// <summary>A second SubscribeToShard for the same consumer and shard is refused this soon after the first; later it takes over.</summary>
    public static readonly TimeSpan SubscriptionTakeOverAfter = TimeSpan.FromSeconds(5);

    private readonly Dictionary<(string ConsumerArn, int Shard), Subscription> subscriptions = new();

    public Task CreateOnDemandStreamAsync(string streamName, int retentionPeriodHours = 24, CancellationToken cancellationToken = default) =>
        Create(streamName, StreamModes.OnDemandInitialShards, retentionPeriodHours, StreamModes.OnDemand);

    public Task UpdateStreamModeAsync(string streamArn, string streamMode, CancellationToken cancellationToken = default)
    {
        var streamName = StreamNameOf(streamArn);
        if (!StreamModes.IsKnown(streamMode))
            throw new ValidationException("kinesis", $"1 validation error detected: Value '{streamMode}' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [{StreamModes.Provisioned}, {StreamModes.OnDemand}]");
        Reshard(streamName, shardOperation: null, (stream, _, now) =>
        {
            var current = stream.Metadata.StreamMode ?? StreamModes.Provisioned;
            if (current == streamMode)
                throw new InvalidArgumentException("kinesis", $"Stream {streamName} under account {accountId} is already in {streamMode} mode; nothing to change.");
            var recent = (stream.Metadata.ModeSwitchTimes ?? []).Where(t => now - t < TimeSpan.FromHours(24)).ToList();
            if (recent.Count >= StreamModes.SwitchesPerDay)
                throw new LimitExceededException("kinesis", $"Stream {streamName} has changed capacity mode {recent.Count} times in the last 24 hours, the most allowed; wait until {AmzTime(recent.Min() + TimeSpan.FromHours(24))}.");
            // The shards stay as they are: switching to PROVISIONED keeps the open shards on-demand had.
            return stream.Metadata with { StreamMode = streamMode, ModeSwitchTimes = [.. recent, now] };
        });
        return Task.CompletedTask;
    }

    private void RefuseOnDemand(OpenStream stream, string operation)
    {
        if (stream.Metadata.StreamMode == StreamModes.OnDemand)
            throw new ValidationException("kinesis",
                $"{operation} is not supported for stream {stream.Metadata.StreamName}: it is in ON_DEMAND capacity mode, where Kinesis manages the shards. Switch it to PROVISIONED (UpdateStreamMode) first.");
    }

    public Task<StreamConsumer> RegisterStreamConsumerAsync(string streamArn, string consumerName, CancellationToken cancellationToken = default)
    {
        var streamName = StreamNameOf(streamArn);
        if (consumerName is null || !StreamNamePattern().IsMatch(consumerName))
            throw new ValidationException("kinesis", $"1 validation error detected: Value '{consumerName}' at 'consumerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and 128");
        var stream = Open(streamName);
        using (AcquireAppendLock(stream.Folder))
        {
            var now = clock.GetUtcNow();
            var consumers = LoadConsumers(stream.Folder).Where(c => StatusOf(c, now) is not null).ToList();
            if (consumers.FirstOrDefault(c => c.Name == consumerName) is { } existing)
                throw new ResourceInUseException("kinesis", $"Consumer {ConsumerArn(streamName, existing)} under stream {streamArn} already exists ({StatusOf(existing, now)}); pick another name.");
            if (consumers.Count >= MaxConsumersPerStream)
                throw new LimitExceededException("kinesis", $"Stream {streamArn} already has {consumers.Count} registered consumers, the most a stream may have; deregister one first.");
            if (consumers.Count(c => StatusOf(c, now) == "CREATING") >= MaxConsumersCreating)
                throw new LimitExceededException("kinesis", $"{MaxConsumersCreating} consumers of stream {streamArn} are CREATING already; wait until one is ACTIVE ({ConsumerStatusChangeDuration.TotalSeconds:0} s of the clock).");
            var created = new ConsumerState(consumerName, now, null);
            consumers.Add(created);
            SaveConsumers(stream.Folder, consumers);
            return Task.FromResult(Describe(streamName, created, now));
        }
    }

    public Task<StreamConsumer> DescribeStreamConsumerAsync(ConsumerReference consumer, CancellationToken cancellationToken = default)
    {
        var (streamName, state) = FindConsumer(consumer);
        return Task.FromResult(Describe(streamName, state, clock.GetUtcNow()));
    }

    public Task<IReadOnlyList<StreamConsumer>> ListStreamConsumersAsync(string streamArn, CancellationToken cancellationToken = default)
    {
        var streamName = StreamNameOf(streamArn);
        var stream = Open(streamName);
        var now = clock.GetUtcNow();
        IReadOnlyList<StreamConsumer> consumers = LoadConsumers(stream.Folder).Where(c => StatusOf(c, now) is not null)
            .Select(c => Describe(streamName, c, now)).ToArray();
        return Task.FromResult(consumers);
    }

    public Task DeregisterStreamConsumerAsync(ConsumerReference consumer, CancellationToken cancellationToken = default)
    {
        var (streamName, state) = FindConsumer(consumer);
        var stream = Open(streamName);
        using (AcquireAppendLock(stream.Folder))
        {
            var now = clock.GetUtcNow();
            if (StatusOf(state, now) == "DELETING")
                throw new ResourceInUseException("kinesis", $"Consumer {ConsumerArn(streamName, state)} is already DELETING.");
            var consumers = LoadConsumers(stream.Folder).Where(c => StatusOf(c, now) is not null)
                .Select(c => c == state ? c with { DeregisteredAt = now } : c).ToList();
            SaveConsumers(stream.Folder, consumers);
        }
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<SubscribeToShardEvent> SubscribeToShardAsync(string consumerArn, string shardId, StartingPosition startingPosition,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (streamName, consumer) = FindConsumer(ConsumerReference.ByArn(consumerArn));
        var startedAt = clock.GetUtcNow();
        if (StatusOf(consumer, startedAt) is var status && status != "ACTIVE")
            throw new ResourceInUseException("kinesis",
                $"Consumer {consumerArn} is {status}, not ACTIVE. A new consumer is CREATING for {ConsumerStatusChangeDuration.TotalSeconds:0} s of the clock; subscribe once DescribeStreamConsumer shows ACTIVE.");
        if (startingPosition is null)
            throw new InvalidArgumentException("kinesis", "SubscribeToShard needs a StartingPosition: TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER or AT_TIMESTAMP.");
        var iterator = await GetShardIteratorAsync(streamName, shardId, startingPosition.Type, startingPosition.SequenceNumber, startingPosition.Timestamp, cancellationToken);
        var (_, shard, position, _) = DecodeIterator(iterator);
        var subscription = Claim(consumerArn, shard, startedAt);
        try
        {
            // The consumer's own allowance, a second's worth to start with; GetRecords' shared allowance is not touched.
            double credit = ConsumerReadBytesPerSecond;
            var creditAt = startedAt;
            DateTimeOffset? lastEventAt = null;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var now = clock.GetUtcNow();
                if (subscription.TakenOver)
                    throw new ResourceInUseException("kinesis", $"Another SubscribeToShard for consumer {consumerArn} on {ShardId(shard)} took over this subscription.");
                if (now - startedAt >= SubscriptionLifetime) yield break;
                if (StatusOf(FindConsumer(ConsumerReference.ByArn(consumerArn)).State, now) != "ACTIVE")
                    throw new ResourceNotFoundException("kinesis", $"Consumer {consumerArn} was deregistered; its subscriptions ended.");
                credit += Math.Max(0, (now - creditAt).TotalSeconds) * ConsumerReadBytesPerSecond;
                creditAt = now;

                var stream = Open(streamName);
                var log = stream.Shards[shard];
                log.CatchUp(cutTornTail: false);
                position = Math.Max(position, TrimHorizon(stream, log));
                var stored = credit > 0 ? log.Read(position, MaxGetRecordsLimit, (long)Math.Min(credit, ConsumerReadBytesPerSecond)) : [];
                credit -= stored.Sum(r => (long)r.Data.Length);
                position += stored.Count;
                var endOfClosedShard = stream.Layout[shard].LastNumber is { } last && position >= last;
                // A reader at the tip keeps no more than a second's allowance for later, as a token bucket does.
                if (position >= log.Count) credit = Math.Min(credit, ConsumerReadBytesPerSecond);

                if (stored.Count == 0 && !endOfClosedShard && lastEventAt is { } previous && now - previous < TimeSpan.FromSeconds(1))
                {
                    // Nothing to push until the clock moves (or a writer adds records): wait for either.
                    var count = log.Count;
                    while (clock.GetUtcNow() == now && !subscription.TakenOver)
                    {
                        await Task.Delay(20, cancellationToken);
                        log.CatchUp(cutTornTail: false);
                        if (log.Count != count && credit > 0) break;
                    }
                    continue;
                }

                var records = stored.Select(r => new StreamRecord(ShardId(shard), SequenceNumber(shard, r.Number),
                    new DateTimeOffset(r.ArrivalTicks, TimeSpan.Zero), r.PartitionKey, r.Data)).ToArray();
                var behind = position >= log.Count ? 0 : (long)Math.Max(0, (now - new DateTimeOffset(log.ArrivalTicks(position), TimeSpan.Zero)).TotalMilliseconds);
                lastEventAt = now;
                if (endOfClosedShard)
                {
                    yield return new SubscribeToShardEvent(records, null, behind, ChildrenOf(stream, shard));
                    yield break;
                }
                yield return new SubscribeToShardEvent(records, SequenceNumber(shard, position), behind, []);
            }
        }
        finally
        {
            lock (subscriptions)
            {
                subscription.Ended = true;
                if (subscriptions.TryGetValue((consumerArn, shard), out var current) && current == subscription) subscriptions.Remove((consumerArn, shard));
            }
        }
    }

    private Subscription Claim(string consumerArn, int shard, DateTimeOffset now)
    {
        lock (subscriptions)
        {
            if (subscriptions.TryGetValue((consumerArn, shard), out var existing) && !existing.Ended)
            {
                if (now - existing.StartedAt < SubscriptionTakeOverAfter)
                    throw new ResourceInUseException("kinesis",
                        $"Consumer {consumerArn} already has a subscription to {ShardId(shard)}, started at {AmzTime(existing.StartedAt)}; one subscription per consumer per shard. A new one may take over {SubscriptionTakeOverAfter.TotalSeconds:0} s after it started.");
                existing.TakenOver = true;
            }
            var subscription = new Subscription(now);
            subscriptions[(consumerArn, shard)] = subscription;
            return subscription;
        }
    }

    private (string StreamName, ConsumerState State) FindConsumer(ConsumerReference? reference)
    {
        string streamName, consumerName;
        long? epoch = null;
        if (reference?.ConsumerArn is { } arn)
        {
            var match = ConsumerArnPattern().Match(arn);
            if (!match.Success)
                throw new ValidationException("kinesis", $"1 validation error detected: Value '{arn}' at 'consumerARN' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(arn):aws.*:kinesis:.*:\\d{{12}}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+");
            streamName = StreamNameOf(match.Groups["stream"].Value);
            consumerName = match.Groups["consumer"].Value;
            epoch = long.Parse(match.Groups["epoch"].Value, CultureInfo.InvariantCulture);
        }
        else if (reference?.StreamArn is { } streamArn && reference.ConsumerName is { } name)
        {
            streamName = StreamNameOf(streamArn);
            consumerName = name;
            if (!StreamNamePattern().IsMatch(consumerName))
                throw new ValidationException("kinesis", $"1 validation error detected: Value '{consumerName}' at 'consumerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and 128");
        }
        else
            throw new InvalidArgumentException("kinesis", "Name the consumer by its ConsumerARN, or by StreamARN and ConsumerName together.");
        var stream = Open(streamName);
        var now = clock.GetUtcNow();
        var state = LoadConsumers(stream.Folder).FirstOrDefault(c => c.Name == consumerName && StatusOf(c, now) is not null
            && (epoch is null || c.CreatedAt.ToUnixTimeSeconds() == epoch));
        return state is null
            ? throw new ResourceNotFoundException("kinesis", $"Consumer {reference.ConsumerArn ?? consumerName} under stream {StreamArn(streamName)} not found; ListStreamConsumers lists the registered ones.")
            : (streamName, state);
    }

    /// <summary>The stream's name from its ARN; an ARN of another account or region names a stream this one does not have.</summary>
    private string StreamNameOf(string streamArn)
    {
        var match = StreamArnPattern().Match(streamArn ?? "");
        if (!match.Success)
            throw new ValidationException("kinesis", $"1 validation error detected: Value '{streamArn}' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{{12}}:stream/\\S+");
        var name = match.Groups["stream"].Value;
        if (match.Groups["region"].Value != region || match.Groups["account"].Value != accountId)
            throw new ResourceNotFoundException("kinesis", $"Stream {name} under account {match.Groups["account"].Value} in {match.Groups["region"].Value} not found; this stream service is account {accountId} in {region}.");
        return name;
    }

    private string? StatusOf(ConsumerState consumer, DateTimeOffset now) => consumer switch
    {
        { DeregisteredAt: { } at } => now - at < ConsumerStatusChangeDuration ? "DELETING" : null,
        _ => now - consumer.CreatedAt < ConsumerStatusChangeDuration ? "CREATING" : "ACTIVE",
    };

    private StreamConsumer Describe(string streamName, ConsumerState consumer, DateTimeOffset now) =>
        new(consumer.Name, ConsumerArn(streamName, consumer), StatusOf(consumer, now) ?? "DELETING", consumer.CreatedAt, StreamArn(streamName));

    private string ConsumerArn(string streamName, ConsumerState consumer) =>
        $"{StreamArn(streamName)}/consumer/{consumer.Name}:{consumer.CreatedAt.ToUnixTimeSeconds()}";

    private static List<ConsumerState> LoadConsumers(string folder)
    {
        var path = Path.Combine(folder, "consumers.json");
        return File.Exists(path) ? JsonSerializer.Deserialize<List<ConsumerState>>(File.ReadAllBytes(path)) ?? [] : [];
    }

    private void SaveConsumers(string folder, List<ConsumerState> consumers) =>
        workspace.WriteAtomically(Path.Combine(folder, "consumers.json"), JsonSerializer.SerializeToUtf8Bytes(consumers));

    private sealed record ConsumerState(string Name, DateTimeOffset CreatedAt, DateTimeOffset? DeregisteredAt);

    private sealed class Subscription(DateTimeOffset startedAt)
    {
        public DateTimeOffset StartedAt { get; } = startedAt;
        public bool TakenOver { get; set; }
        public bool Ended { get; set; }
    }

    [GeneratedRegex("^arn:aws[a-z-]*:kinesis:(?<region>[a-z0-9-]+):(?<account>\\d{12}):stream/(?<stream>[a-zA-Z0-9_.-]{1,128})$")]
    private static partial Regex StreamArnPattern();

    [GeneratedRegex("^(?<stream>arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\\d{12}:stream/[a-zA-Z0-9_.-]{1,128})/consumer/(?<consumer>[a-zA-Z0-9_.-]{1,128}):(?<epoch>\\d{1,19})$")]
    private static partial Regex ConsumerArnPattern();
}
