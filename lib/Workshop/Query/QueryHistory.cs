using System.Text.Json;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Query;

/// <summary>
/// The local Athena's query history: one line of JSON per execution, appended to <c>query/history.jsonl</c> in the
/// workspace, oldest first. Every process that shares the workspace (a notebook, the CLI, the local endpoint) appends
/// to the same file and reads what the others appended.
/// <para>
/// One file, not a file per query: a new file costs this kind of disk far more than a line appended to an open one
/// (from 0.1 ms to over 0.5 ms after a burst of new files, against some 10 µs), and every query already makes two
/// new objects, its result and the result's metadata. A line is written whole in one call, under the workspace lock
/// <c>query/history.lock</c>, so two processes never write into each other's line; a reader takes only lines that
/// end, so it never sees half of one. Workspaces made before kept a file per query in <c>query/history/</c>; those
/// are still read, as older than every line.
/// </para>
/// </summary>
internal sealed class QueryHistory(WorkspaceDirectory workspace)
{
    private readonly object sync = new();
    private readonly Dictionary<string, QueryExecution> byId = new(StringComparer.Ordinal);
    private readonly List<QueryExecution> inFileOrder = [];
    private long readUpTo;

    private string FilePath => workspace.Resolve("query", "history.jsonl");

    /// <summary>Appends an execution (its final state: the history never changes a line).</summary>
    public void Add(QueryExecution execution)
    {
        byte[] record = [.. JsonSerializer.SerializeToUtf8Bytes(execution), (byte)'\n'];
        lock (sync)
        {
            using (workspace.Lock("query", "history.lock"))
            using (var file = new FileStream(FilePath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0))
            {
                // Under the lock the end of the file is where the last writer stopped.
                file.Seek(0, SeekOrigin.End);
                file.Write(record);
            }
            byId[execution.QueryExecutionId] = execution;
        }
    }

    /// <summary>The execution with this id, or null when no process of this workspace ran it.</summary>
    public QueryExecution? Find(string id)
    {
        lock (sync)
        {
            if (byId.TryGetValue(id, out var known)) return known;
            ReadNewLines();
            if (byId.TryGetValue(id, out known)) return known;
        }
        var legacy = workspace.Resolve("query", "history", id + ".json");
        return File.Exists(legacy) ? WorkspaceJson.Read<QueryExecution>(legacy) : null;
    }

    /// <summary>The newest executions first, at most <paramref name="max"/>.</summary>
    public IReadOnlyList<QueryExecution> Newest(int max)
    {
        List<QueryExecution> newest;
        lock (sync)
        {
            ReadNewLines();
            newest = inFileOrder.AsEnumerable().Reverse().Take(max).ToList();
        }
        var legacyFolder = workspace.Resolve("query", "history");
        if (newest.Count < max && Directory.Exists(legacyFolder))
            newest.AddRange(new DirectoryInfo(legacyFolder).GetFiles("*.json").OrderByDescending(f => f.LastWriteTimeUtc).Take(max - newest.Count)
                .Select(f => WorkspaceJson.Read<QueryExecution>(f.FullName)!));
        return newest;
    }

    /// <summary>Reads the whole lines appended since the last look (by any process); the caller holds the lock.</summary>
    private void ReadNewLines()
    {
        byte[] appended;
        try
        {
            using var file = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            var length = file.Length;
            // The byte before the first new one ends the last line read; anything else means the file was made anew (the
            // workspace was reset) and is read from its start.
            if (length < readUpTo || (readUpTo > 0 && ByteAt(file, readUpTo - 1) != '\n'))
            {
                inFileOrder.Clear();
                byId.Clear();
                readUpTo = 0;
            }
            if (length == readUpTo) return;
            file.Seek(readUpTo, SeekOrigin.Begin);
            appended = new byte[length - readUpTo];
            appended = appended[..file.ReadAtLeast(appended, appended.Length, throwOnEndOfStream: false)];
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            return;
        }
        var consumed = 0;
        for (var end = Array.IndexOf(appended, (byte)'\n'); end >= 0; end = Array.IndexOf(appended, (byte)'\n', consumed))
        {
            var line = appended.AsSpan(consumed, end - consumed);
            consumed = end + 1;
            QueryExecution? execution;
            try
            {
                execution = JsonSerializer.Deserialize<QueryExecution>(line);
            }
            catch (JsonException)
            {
                continue; // a line changed by hand; the others stand
            }
            if (execution is null) continue;
            inFileOrder.Add(execution);
            byId[execution.QueryExecutionId] = execution;
        }
        readUpTo += consumed;
    }

    private static int ByteAt(FileStream file, long position)
    {
        file.Seek(position, SeekOrigin.Begin);
        return file.ReadByte();
    }
}
