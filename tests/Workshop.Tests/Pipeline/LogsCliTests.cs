using System.Text.RegularExpressions;
using StreamingWorkshop.Cli;
using Workshop.Tests.BadInput;

namespace Workshop.Tests.Pipeline;

/// <summary>
/// `workshop logs producer`: into a pipe or a file each log event is one whole line, so grep finds a record's JSON or
/// sequence number; in a terminal a long event breaks between words and JSON members, never inside them.
/// </summary>
public sealed class LogsCliTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-logs-").FullName;

    [Fact]
    public void Into_a_pipe_every_event_is_one_whole_line()
    {
        var workspace = Path.Combine(folder, "ws");
        // Processes of their own, with stdout a pipe: an in-process run would move this whole test process into the folder.
        var simulate = WorkshopCli.Child(folder, "simulate", "--duration", "1m", "--start", "2025-01-14T00:00:00Z", "--workspace", workspace);
        Assert.True(simulate.ExitCode == 0, simulate.Stderr);

        var run = WorkshopCli.Child(folder, "logs", "producer", "--workspace", workspace);

        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.TrimEnd('\n').Split('\n');
        Assert.All(lines, line => Assert.Matches(@"^2025-01-14 00:00:00\.000  \S", line));
        Assert.Equal(3, lines.Count(line => Regex.IsMatch(line,
            @"  Sent \{""city"":""\w+"",""temperature"":[-\d.]+,""measurement_time"":""2025-01-14T00:00"",""collection_time"":""2025-01-14T00:00:00.000Z"",.*\} to shardId-000000000000 as \d{20,}$")));
        // As Lambda writes it to CloudWatch Logs: the memory the function has, and the most it used.
        Assert.Single(lines, line => Regex.IsMatch(line, @"  REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB$"));
    }

    [Fact]
    public void In_a_terminal_a_long_event_breaks_between_words_and_json_members_only()
    {
        const string Line = "2025-01-14 00:01:00.000  Sent {\"city\":\"London\",\"temperature\":2.8,\"measurement_time\":\"2025-01-14T00:00\",\"collection_time\":\"2025-01-14T00:01:00.000Z\",\"source\":\"simulated\"} to shardId-000000000000 as 49000000000000000000000000000019";

        var pieces = Terminal.WrapWhole(Line, 80).ToList();

        Assert.Equal(
        [
            "2025-01-14 00:01:00.000  Sent {\"city\":\"London\",\"temperature\":2.8,",
            "\"measurement_time\":\"2025-01-14T00:00\",",
            "\"collection_time\":\"2025-01-14T00:01:00.000Z\",\"source\":\"simulated\"} to",
            "shardId-000000000000 as 49000000000000000000000000000019",
        ], pieces);
        Assert.Equal(["aaaaaaaaaaaa", "b"], Terminal.WrapWhole("aaaaaaaaaaaa b", 5));
    }

    [Fact]
    public void In_a_terminal_the_report_lines_tabs_count_as_the_columns_they_take()
    {
        const string Report = "2025-01-14 00:01:00.000  REPORT RequestId: 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\tDuration: 0.07 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 81 MB";

        var expanded = StreamingWorkshop.Query.AthenaConsole.ExpandTabs(Report);
        Assert.Equal(174, expanded.Length);
        var pieces = Terminal.LogEventLines(Report, 80).ToList();

        // Tab stops every eight columns, as a terminal puts them: the line is 174 columns wide, not the 162 characters it holds.
        Assert.Equal("2025-01-14 00:01:00.000  REPORT RequestId: 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 Duration: 0.07 ms       Billed Duration: 1 ms   Memory Size: 128 MB     Max Memory Used: 81 MB", expanded);
        Assert.Equal(
        [
            "2025-01-14 00:01:00.000  REPORT RequestId: 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
            "Duration: 0.07 ms       Billed Duration: 1 ms   Memory Size: 128 MB     Max",
            "Memory Used: 81 MB",
        ], pieces);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
