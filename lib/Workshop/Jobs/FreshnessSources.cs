using System.IO.Compression;
using System.Text;
using System.Text.Json;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Lake;

namespace StreamingWorkshop.Jobs;

/// <summary>
/// Reads what freshness needs from the local backend: the readings on the stream, the objects Firehose landed, the
/// partitions the crawler made, and the streaming job's objects. Nothing is measured on the wall clock.
/// </summary>
public sealed class FreshnessSources(WorkshopSession session)
{
    private LocalBackend Local => session.Local ?? throw new InvalidOperationException("Freshness is measured on the local backend; this session is connected to AWS.");

    /// <summary>Every reading on the stream produced in [<paramref name="from"/>, <paramref name="to"/>), with its average record size.</summary>
    public (IReadOnlyList<TrackedReading> Readings, double AverageBytes) Readings(DateTimeOffset from, DateTimeOffset to)
    {
        var readings = new List<TrackedReading>();
        long bytes = 0;
        foreach (var shard in Local.Stream.ReadAfter(session.Names.StreamName, new Dictionary<string, long>()))
            foreach (var record in shard.Records)
            {
                if (ReadingKey(record.Data.Span) is not { } reading) continue;
                if (reading.Produced < from || reading.Produced >= to) continue;
                readings.Add(new TrackedReading(record.ShardId, record.SequenceNumber, reading.Key, reading.Produced, record.ApproximateArrivalTimestamp));
                bytes += record.Data.Length;
            }
        return (readings, readings.Count == 0 ? 0 : (double)bytes / readings.Count);
    }

    /// <summary>
    /// The objects under <paramref name="prefix"/> of the lake bucket, each with the readings in it (JSON lines, gzipped or
    /// not); only those landed at or after <paramref name="landedSince"/> when given (older ones hold no newer reading).
    /// </summary>
    public async Task<IReadOnlyList<(ObjectInfo Info, LakeLanding Landing)>> LandingsAsync(string prefix, CancellationToken cancellationToken,
        DateTimeOffset? landedSince = null)
    {
        var bucket = session.Names.LakeBucket;
        var landings = new List<(ObjectInfo, LakeLanding)>();
        foreach (var info in await ListAsync(bucket, prefix, cancellationToken))
        {
            if (info.LastModified < landedSince) continue;
            var stored = await session.Lake.GetObjectAsync(bucket, info.Key, cancellationToken);
            var keys = new List<string>();
            foreach (var line in Text(stored.Content).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                if (ReadingKey(Encoding.UTF8.GetBytes(line)) is { } reading) keys.Add(reading.Key);
            landings.Add((info, new LakeLanding(Folder(bucket, info.Key), info.LastModified, keys)));
        }
        return landings;
    }

    /// <summary>Each partition's folder in the workshop's database, with when the crawler first made it.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> PartitionsCreated()
    {
        var created = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var catalog = Local.Catalog;
        if (!catalog.DatabaseExists(session.Names.Database)) return created;
        foreach (var table in catalog.GetTables(session.Names.Database))
            foreach (var partition in catalog.GetPartitions(session.Names.Database, table.Name))
            {
                var folder = partition.Location.EndsWith('/') ? partition.Location : partition.Location + "/";
                if (!created.TryGetValue(folder, out var first) || partition.CreateTime < first) created[folder] = partition.CreateTime;
            }
        return created;
    }

    /// <summary>Every object under <paramref name="prefix"/> of <paramref name="bucket"/>, all pages.</summary>
    public async Task<IReadOnlyList<ObjectInfo>> ListAsync(string bucket, string prefix, CancellationToken cancellationToken)
    {
        var all = new List<ObjectInfo>();
        string? token = null;
        do
        {
            var page = await session.Lake.ListObjectsV2Async(new ListObjectsRequest(bucket, Prefix: prefix, ContinuationToken: token), cancellationToken);
            all.AddRange(page.Contents);
            token = page.IsTruncated ? page.NextContinuationToken : null;
        }
        while (token is not null);
        return all;
    }

    private static string Folder(string bucket, string key) => $"s3://{bucket}/{key[..(key.LastIndexOf('/') + 1)]}";

    private static string Text(ReadOnlyMemory<byte> content)
    {
        var bytes = content.ToArray();
        if (bytes.Length < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b) return Encoding.UTF8.GetString(bytes);
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>A reading's identity and production time from its JSON; null for anything that is not a reading.</summary>
    private static (string Key, DateTimeOffset Produced)? ReadingKey(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("city", out var city) || city.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("collection_time", out var collected) || collected.ValueKind != JsonValueKind.String
                || !DateTimeOffset.TryParse(collected.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var produced))
                return null;
            return (TrackedReading.KeyOf(city.GetString()!, collected.GetString()!), produced);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
