using System.Globalization;
using System.Text;
using System.Text.Json;
using StreamingWorkshop.Lake;

namespace StreamingWorkshop.Jobs;

/// <summary>The range of one shard a micro-batch reads: record numbers after <see cref="After"/> up to <see cref="Through"/>.</summary>
internal sealed record ShardOffsets(string ShardId, long After, long Through, string? FirstSequenceNumber, string? LastSequenceNumber, int Records);

/// <summary>What a micro-batch will read, written before it reads (offsets/N).</summary>
internal sealed record BatchOffsets(long BatchId, string RunId, DateTimeOffset TriggerTime, IReadOnlyList<ShardOffsets> Shards, long LostRecords);

/// <summary>An open 5-minute window's running sums for one city.</summary>
internal sealed record OpenWindow(string City, DateTimeOffset Start, int Readings, double Sum, double Min, double Max);

/// <summary>
/// The state carried from batch to batch (state/N): the windows still open and the time up to which windows were
/// written (the trigger time of the batch that wrote state/N).
/// </summary>
internal sealed record WindowState(DateTimeOffset? WrittenThrough, IReadOnlyList<OpenWindow> Open)
{
    public static readonly WindowState Empty = new(null, []);
}

/// <summary>
/// A streaming job's checkpoint, laid out as Spark's: offsets/N before batch N reads, state/N with its aggregation state,
/// commits/N once its output is written. A batch with offsets but no commit was interrupted and is run again with the
/// same offsets; its output files have the same names, so the re-run replaces them.
/// </summary>
internal sealed class StreamingCheckpoint(LocalObjectStore lake, string bucket, string prefix)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    public string Location => $"s3://{bucket}/{prefix}";

    public BatchOffsets? LatestOffsets() => Latest("offsets") is { } id ? Read<BatchOffsets>("offsets", id) : null;

    public bool IsCommitted(long batchId) => File.Exists(lake.GetLocalPath(bucket, Key("commits", batchId)));

    public WindowState State(long batchId) =>
        batchId >= 0 && File.Exists(lake.GetLocalPath(bucket, Key("state", batchId))) ? Read<WindowState>("state", batchId) : WindowState.Empty;

    public IReadOnlyList<StreamingBatch> Commits() =>
        Ids("commits").Select(id => Read<StreamingBatch>("commits", id)).ToList();

    /// <summary>The newest batch this run committed or began, if any.</summary>
    public BatchOffsets? LatestOfRun(string runId) =>
        Enumerable.Reverse(Ids("offsets")).Select(id => Read<BatchOffsets>("offsets", id)).FirstOrDefault(o => o.RunId == runId);

    public void WriteOffsets(BatchOffsets offsets) => Write("offsets", offsets.BatchId, offsets);

    public void WriteState(long batchId, WindowState state) => Write("state", batchId, state);

    public void WriteCommit(StreamingBatch batch) => Write("commits", batch.BatchId, batch);

    private long? Latest(string folder) => Ids(folder) is { Count: > 0 } ids ? ids[^1] : null;

    private List<long> Ids(string folder)
    {
        var path = lake.GetLocalFolder(bucket, prefix + folder + "/");
        if (!Directory.Exists(path)) return [];
        return Directory.EnumerateFiles(path)
            .Select(Path.GetFileName)
            .Select(name => long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1)
            .Where(id => id >= 0).Order().ToList();
    }

    private string Key(string folder, long batchId) => $"{prefix}{folder}/{batchId.ToString(CultureInfo.InvariantCulture)}";

    private T Read<T>(string folder, long batchId) =>
        JsonSerializer.Deserialize<T>(File.ReadAllBytes(lake.GetLocalPath(bucket, Key(folder, batchId))), Json)
        ?? throw new InvalidDataException($"The checkpoint file {Location}{folder}/{batchId} is empty; delete the checkpoint folder to start the job afresh.");

    private void Write<T>(string folder, long batchId, T value) =>
        lake.PutObjectAsync(bucket, Key(folder, batchId), Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value, Json))).GetAwaiter().GetResult();
}
