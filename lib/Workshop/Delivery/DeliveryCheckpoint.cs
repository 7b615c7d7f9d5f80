using System.Text.Json;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Delivery;

/// <summary>
/// Where a delivery stream has got to in each shard, kept in the workspace so a restart resumes there.
/// <see cref="ShardCheckpoint.Committed"/> is the last sequence number up to which every record is in the lake;
/// <see cref="ShardCheckpoint.DeliveredAfter"/> lists records past it that are already in the lake too (they
/// were in a partition that flushed before an older partition did), so a restart does not deliver them twice.
/// </summary>
internal sealed class DeliveryCheckpointStore(WorkspaceDirectory workspace, string deliveryStreamName)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private string FilePath => workspace.Resolve("delivery", deliveryStreamName, "checkpoints.json");

    public Dictionary<string, ShardCheckpoint> Load()
    {
        if (!File.Exists(FilePath)) return new(StringComparer.Ordinal);
        var loaded = JsonSerializer.Deserialize<Dictionary<string, ShardCheckpoint>>(File.ReadAllBytes(FilePath), JsonOptions);
        return new(loaded ?? new(), StringComparer.Ordinal);
    }

    public void Save(IReadOnlyDictionary<string, ShardCheckpoint> checkpoints) =>
        workspace.WriteAtomically(FilePath, JsonSerializer.SerializeToUtf8Bytes(checkpoints, JsonOptions));
}

internal sealed record ShardCheckpoint(string? Committed, IReadOnlyList<string> DeliveredAfter);
