using System.Text;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Storage;

namespace Workshop.Tests.TestSupport;

/// <summary>Every record a workspace's stream holds, read from TRIM_HORIZON on each shard.</summary>
public static class StreamContents
{
    public static async Task<List<string>> ReadAllAsync(string workspace, string streamName)
    {
        // Read as of the simulated days' start, so the 24-hour retention hides none of the run's records.
        using var stream = new LocalStreamService(new WorkspaceDirectory(workspace), new VirtualClock(new DateTimeOffset(2025, 1, 14, 0, 0, 0, TimeSpan.Zero)));
        var records = new List<string>();
        foreach (var shard in await stream.ListShardsAsync(streamName))
        {
            var iterator = await stream.GetShardIteratorAsync(streamName, shard.ShardId, ShardIteratorType.TRIM_HORIZON);
            while (true)
            {
                var batch = await stream.GetRecordsAsync(iterator, 10_000);
                records.AddRange(batch.Records.Select(r => Encoding.UTF8.GetString(r.Data.Span)));
                if (batch.Records.Count == 0 || batch.NextShardIterator is null) break;
                iterator = batch.NextShardIterator;
            }
        }
        return records;
    }
}
