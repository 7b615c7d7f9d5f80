using System.Text.Json;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Delivery;

/// <summary>
/// Where a delivery stream has got to in each shard, kept in the workspace so a restart resumes there.
/// <see cref="ShardCheckpoint.Committed"/> is the last sequence number up to which every record is in the lake;
/// <see cref="ShardCheckpoint.DeliveredAfter"/> lists records past it that are already in the lake too (they
/// were in a partition that flushed before an older partition did), so a restart does not deliver them twice.
/// Saved after every flush round, so through a <see cref="JournaledFile"/>: checkpoints.json and its journal.
/// </summary>
internal sealed class DeliveryCheckpointStore(WorkspaceDirectory workspace, string deliveryStreamName) : IDisposable
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private JournaledFile? file;

    private string FilePath => workspace.Resolve("delivery", deliveryStreamName, "checkpoints.json");

    public Dictionary<string, ShardCheckpoint> Load()
    {
        if (JournaledFile.Read(workspace, FilePath) is not { } bytes) return new(StringComparer.Ordinal);
        var loaded = JsonSerializer.Deserialize<Dictionary<string, ShardCheckpoint>>(bytes, JsonOptions);
        return new(loaded ?? new(), StringComparer.Ordinal);
    }

    public void Save(IReadOnlyDictionary<string, ShardCheckpoint> checkpoints) =>
        (file ??= new JournaledFile(workspace, FilePath)).Save(JsonSerializer.SerializeToUtf8Bytes(checkpoints, JsonOptions));

    public void Dispose() => file?.Dispose();
}

internal sealed record ShardCheckpoint(string? Committed, IReadOnlyList<string> DeliveredAfter);
