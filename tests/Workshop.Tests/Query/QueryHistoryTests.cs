using System.Text.Json;
using StreamingWorkshop.Query;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Query;

/// <summary>
/// The local query history is one file of JSON lines that every process sharing a workspace appends to: each reader
/// sees every whole line, from any writer, newest first, and nothing else.
/// </summary>
public sealed class QueryHistoryTests : IDisposable
{
    private readonly TempWorkspace temp = new();

    public void Dispose() => temp.Dispose();

    private string HistoryFile => Path.Combine(temp.Root, "query", "history.jsonl");

    private static QueryExecution Execution(int number, string state = QueryStates.Succeeded) => new(
        new Guid(number, 0, 0, new byte[8]).ToString(), $"SELECT {number}", "DML", "weather_db", "primary", "s3://results/",
        state, null, null, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(number), null,
        new QueryStatistics(10 * number, number, 0, number, 0m, number));

    [Fact]
    public void An_execution_one_process_adds_is_found_and_listed_by_another()
    {
        var notebook = new QueryHistory(temp.Workspace);
        var cli = new QueryHistory(temp.Workspace);
        for (var i = 1; i <= 3; i++) notebook.Add(Execution(i));

        Assert.Equal(Execution(2), cli.Find(Execution(2).QueryExecutionId));
        Assert.Equal(["SELECT 3", "SELECT 2", "SELECT 1"], cli.Newest(50).Select(e => e.Query));
        Assert.Equal(["SELECT 3", "SELECT 2"], cli.Newest(2).Select(e => e.Query));

        cli.Add(Execution(4));
        Assert.Equal(["SELECT 4", "SELECT 3"], notebook.Newest(2).Select(e => e.Query));
        Assert.Null(notebook.Find(Execution(5).QueryExecutionId));
        // One line per execution, each a whole JSON object: no file per query.
        Assert.Equal(4, File.ReadAllLines(HistoryFile).Length);
        Assert.False(Directory.Exists(Path.Combine(temp.Root, "query", "history")));
    }

    [Fact]
    public async Task Writers_appending_at_the_same_time_never_mix_their_lines()
    {
        var writers = Enumerable.Range(0, 4).Select(_ => new QueryHistory(temp.Workspace)).ToArray();
        await Task.WhenAll(writers.Select((writer, w) => Task.Run(() =>
        {
            for (var i = 0; i < 50; i++) writer.Add(Execution(1 + w * 50 + i));
        })));

        var lines = File.ReadAllLines(HistoryFile);
        Assert.Equal(200, lines.Length);
        Assert.All(lines, line => JsonSerializer.Deserialize<QueryExecution>(line));
        var reader = new QueryHistory(temp.Workspace);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => $"SELECT {i}").Order(), reader.Newest(500).Select(e => e.Query).Order());
    }

    [Fact]
    public void A_line_still_being_written_is_read_once_it_ends_and_a_line_changed_by_hand_is_skipped()
    {
        var history = new QueryHistory(temp.Workspace);
        history.Add(Execution(1));
        var second = JsonSerializer.Serialize(Execution(2));
        File.AppendAllText(HistoryFile, second[..20]);

        Assert.Equal(["SELECT 1"], history.Newest(50).Select(e => e.Query));

        File.AppendAllText(HistoryFile, second[20..] + "\n{not json\n");
        history.Add(Execution(3));
        Assert.Equal(["SELECT 3", "SELECT 2", "SELECT 1"], history.Newest(50).Select(e => e.Query));
        Assert.Equal(Execution(2), new QueryHistory(temp.Workspace).Find(Execution(2).QueryExecutionId));
    }

    [Fact]
    public void A_history_made_anew_after_a_reset_is_read_from_its_start()
    {
        var history = new QueryHistory(temp.Workspace);
        history.Add(Execution(1));
        history.Add(Execution(2));
        Assert.Equal(2, history.Newest(50).Count);

        // Another process resets the workspace, then runs three longer queries: the file is longer than before.
        File.Delete(HistoryFile);
        var other = new QueryHistory(temp.Workspace);
        for (var i = 7; i <= 9; i++) other.Add(Execution(i) with { Query = $"SELECT {i} AS a_longer_query" });

        Assert.Equal(["SELECT 9 AS a_longer_query", "SELECT 8 AS a_longer_query", "SELECT 7 AS a_longer_query"], history.Newest(50).Select(e => e.Query));
    }

    [Fact]
    public void Executions_kept_one_file_each_by_older_workspaces_are_found_and_listed_after_the_newer_ones()
    {
        var legacyFolder = Directory.CreateDirectory(Path.Combine(temp.Root, "query", "history")).FullName;
        foreach (var number in new[] { 1, 2 })
        {
            var path = Path.Combine(legacyFolder, Execution(number).QueryExecutionId + ".json");
            File.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(Execution(number)));
            File.SetLastWriteTimeUtc(path, new DateTime(2026, 1, 1, 0, 0, number, DateTimeKind.Utc));
        }
        var history = new QueryHistory(temp.Workspace);
        history.Add(Execution(3));

        Assert.Equal(["SELECT 3", "SELECT 2", "SELECT 1"], history.Newest(50).Select(e => e.Query));
        Assert.Equal(["SELECT 3", "SELECT 2"], history.Newest(2).Select(e => e.Query));
        Assert.Equal(Execution(1), history.Find(Execution(1).QueryExecutionId));
    }
}
