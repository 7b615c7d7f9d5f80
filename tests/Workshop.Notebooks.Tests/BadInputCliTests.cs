using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// Bad input on the command line ends as a learner can act on it: one line on stderr naming the value and what
/// to do, no stack frames, a non-zero exit. --verbose adds the trace.
/// </summary>
public sealed class BadInputCliTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-bad-input-").FullName;

    private string Workspace => Path.Combine(folder, "ws");

    private (int Exit, string Stdout, string Stderr) Workshop(params string[] arguments) =>
        Cli.Capture(folder, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = Workspace }, arguments);

    private string File(string name, string content)
    {
        var path = Path.Combine(folder, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    /// <summary>The failure is one stderr line holding every expected fragment, with no stack frame.</summary>
    private static void AssertOneClearLine((int Exit, string Stdout, string Stderr) result, params string[] fragments)
    {
        Assert.NotEqual(0, result.Exit);
        Assert.NotEqual(134, result.Exit);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.DoesNotContain("Unhandled exception", result.Stderr);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        foreach (var fragment in fragments) Assert.Contains(fragment, line);
    }

    [Theory]
    [InlineData("simulate|--duration|100000d", "--duration: '100000d' is longer than 366d, the most it can be")]
    [InlineData("simulate|--duration|99999999h", "--duration: '99999999h' is longer than 366d")]
    [InlineData("simulate|--duration|9999999999999999d", "'9999999999999999d' is longer than any run can last")]
    [InlineData("simulate|--duration|-1h", "--duration: '-1h' is below zero; give a length of time above zero")]
    [InlineData("metrics|get|AWS/Kinesis|IncomingRecords|--last|-3h", "--last: '-3h' is below zero")]
    [InlineData("simulate|--duration|3", "'3' has no unit; write 3h, 3m, 3d or 3s.")]
    [InlineData("simulate|--duration|0", "'0' is no time at all; give a length of time above zero such as 24h, 90m or 7d.")]
    [InlineData("metrics|get|AWS/Kinesis|IncomingRecords|--last|90", "'90' has no unit; write 90h, 90m, 90d or 90s.")]
    [InlineData("simulate|--duration|1m|--start|yesterday", "--start: 'yesterday' is not a date and time; write it in ISO 8601, for example 2025-01-14T00:00:00Z.")]
    [InlineData("stream|peek|--from|at-timestamp|--timestamp|notatime", "--timestamp: 'notatime' is not a date and time")]
    [InlineData("simulate|--duration|1m|--cities|Oxford:99:0", "City 'Oxford:99:0': latitude 99 is out of range; give one from -90 to 90")]
    [InlineData("simulate|--duration|1m|--cities|Oxford:51:200", "City 'Oxford:51:200': longitude 200 is out of range; give one from -180 to 180")]
    [InlineData("stream|put|--data|hi|--count|99999999999", "--count: '99999999999' is too large a whole number; give a smaller one.")]
    [InlineData("stream|peek|--limit|0", "--limit: '0' is out of range; give a whole number from 1 to 10,000")]
    [InlineData("metrics|get|AWS/Nope|X", "namespace 'AWS/Nope' is not one the kit records; give one of AWS/Kinesis, AWS/Firehose, AWS/Lambda.")]
    public void Values_out_of_range_are_named_with_what_to_give_instead(string arguments, string expected)
    {
        var result = Workshop(arguments.Split('|'));
        AssertOneClearLine(result, expected);
        Assert.Equal("", result.Stdout);
    }

    [Theory]
    [InlineData("pause")]
    [InlineData("resume")]
    public void Schedule_on_the_local_backend_says_what_runs_the_producer_there(string verb)
    {
        var result = Workshop("schedule", verb);
        AssertOneClearLine(result, "Locally there is no schedule to pause or resume: the producer runs only while a replay or a live run does ('workshop simulate', SimulateAsync or StartLive in a notebook)");
    }

    [Fact]
    public void A_bench_json_path_that_cannot_be_written_is_refused_before_the_bench_runs()
    {
        var notAFolder = File("plain.txt", "x");
        AssertOneClearLine(Workshop("bench", "simulate", "--days", "0.01", "--json", Path.Combine(notAFolder, "b.json")), $"--json '{Path.Combine(notAFolder, "b.json")}': '{notAFolder}' is a file, not a folder.");
        var result = Workshop("bench", "simulate", "--days", "0.01", "--json", "/proc/bench.json");
        AssertOneClearLine(result, "--json '/proc/bench.json': no file can be written in '/proc'.");
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void A_workspace_that_is_a_file_or_cannot_be_made_is_named()
    {
        var notAFolder = File("plain.txt", "x");
        AssertOneClearLine(Workshop("--workspace", notAFolder, "doctor"), $"The workspace '{notAFolder}' is a file; give a folder");
        AssertOneClearLine(Workshop("--workspace", "/proc/no-such-workspace", "doctor"), "The workspace '/proc/no-such-workspace' cannot be made or written", "give a folder you can write to.");
    }

    [Fact]
    public void Query_file_that_is_missing_or_a_folder_is_named()
    {
        var missing = Path.Combine(folder, "missing.sql");
        AssertOneClearLine(Workshop("query", "--file", missing), $"--file '{missing}' does not exist");
        AssertOneClearLine(Workshop("query", "--file", folder), $"--file '{folder}' is a folder, not a file");
    }

    [Fact]
    public void Bench_warehouse_out_of_range_values_are_named()
    {
        AssertOneClearLine(Workshop("bench", "warehouse", "--days", "0"), "Error: --days 0 is out of range: give 1 to 366.");
        AssertOneClearLine(Workshop("bench", "warehouse", "--stream-records", "-5"), "Error: --stream-records -5 is out of range: give 1 to 10,000,000.");
    }

    [Fact]
    public void Bench_faults_with_too_few_kills_for_every_phase_is_named() =>
        AssertOneClearLine(Workshop("bench", "faults", "--kills", "4"), "Error: --kills 4 is too few: use 5 or more, so every phase is killed at least once.");

    [Fact]
    public void Resetting_a_streaming_jobs_bookmark_is_refused_on_stderr_with_the_way_on()
    {
        Assert.Equal(0, Workshop("deploy").Exit);
        var result = Workshop("job", "reset-bookmark", "weather-analytics-curate-stream-dev");
        AssertOneClearLine(result, "weather-analytics-curate-stream-dev is a streaming job", "so nothing was reset.", "workshop.Jobs.RunAsync(name, arguments: ...)");
        Assert.Equal("", result.Stdout);
    }

    [Theory]
    [InlineData("workflow")]
    [InlineData("job")]
    [InlineData("warehouse")]
    [InlineData("freshness")]
    [InlineData("faults")]
    [InlineData("serve")]
    [InlineData("query")]
    [InlineData("pipeline")]
    [InlineData("simulate")]
    [InlineData("day")]
    [InlineData("notebook")]
    [InlineData("kernel")]
    public void Bench_json_file_in_a_missing_folder_is_named_before_anything_is_measured(string bench)
    {
        var missing = Path.Combine(folder, "reports", "bench.json");
        var result = Workshop("bench", bench, "--json", missing);
        AssertOneClearLine(result, $"Error: --json '{missing}': the folder '{Path.Combine(folder, "reports")}' does not exist.");
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void Deploy_template_that_is_missing_or_a_folder_is_named()
    {
        var missing = Path.Combine(folder, "missing.yaml");
        AssertOneClearLine(Workshop("deploy", "--template", missing), $"--template '{missing}' does not exist");
        AssertOneClearLine(Workshop("deploy", "--template", folder), $"--template '{folder}' is a folder, not a file");
    }

    [Fact]
    public void Deploy_of_an_alias_bomb_is_refused_in_one_line()
    {
        var bomb = File("bomb.yaml", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\nResources:\n  L: { Type: AWS::Logs::LogGroup, Properties: { Tags: [*d, *d, *d, *d, *d, *d, *d, *d, *d] } }\n");
        AssertOneClearLine(Workshop("deploy", "--template", bomb), "ValidationError", "YAML aliases are not allowed");
    }

    [Fact]
    public void Stream_peek_on_a_shard_number_beyond_any_integer_says_the_shard_does_not_exist()
    {
        Assert.Equal(0, Workshop("deploy").Exit);
        AssertOneClearLine(Workshop("stream", "peek", "--shard", "shardId-999999999999"), "ResourceNotFoundException", "Shard shardId-999999999999", "does not exist");
    }

    [Fact]
    public void Something_not_found_is_told_with_the_verb_that_lists_what_there_is()
    {
        Assert.Equal(0, Workshop("deploy").Exit);
        AssertOneClearLine(Workshop("stream", "peek", "--shard", "shardId-000000000009"),
            "does not exist. 'workshop stream describe' lists the stream's shards.");
        AssertOneClearLine(Workshop("stream", "describe", "--stream", "nope"),
            "ResourceNotFoundException: Stream nope under account 123456789012 not found. 'workshop stack resources' names the stack's stream; 'workshop stream create' makes another.");
        AssertOneClearLine(Workshop("stream", "peek", "--from", "at-sequence-number", "--sequence-number", "12"),
            "InvalidArgumentException: StartingSequenceNumber 12 used in GetShardIterator on shard shardId-000000000000",
            " is invalid. 'workshop stream peek' shows each record's sequence number on that shard: give one of those.");
        AssertOneClearLine(Workshop("catalog", "describe", "nope"), "EntityNotFoundException: Table nope not found in database weather-analytics_dev_db. "
            + "A crawler or a CREATE TABLE makes a table. 'workshop catalog tables' lists the database's tables.");
        AssertOneClearLine(Workshop("workflow", "history", "nope"), "ExecutionDoesNotExist",
            "Execution Does Not Exist: 'arn:aws:states:us-east-1:123456789012:execution:weather-analytics-daily-pipeline-dev:nope'. 'workshop workflow executions weather-analytics-daily-pipeline-dev' lists its executions.");
        AssertOneClearLine(Workshop("crawl", "--name", "nosuch"),
            "EntityNotFoundException: Crawler entry with name nosuch does not exist. Create it first (workshop crawl creates the workshop's).");
        Assert.DoesNotContain("catalog tables", Workshop("crawl", "--name", "nosuch").Stderr);
        AssertOneClearLine(Workshop("catalog", "tables", "--database", "nosuch"),
            "EntityNotFoundException: Database nosuch not found", ". 'workshop query \"SHOW DATABASES\"' lists the databases.");
        AssertOneClearLine(Workshop("stream", "merge", "--shard", "shardId-000000000000", "--adjacent", "shardId-000000000000"),
            "Pick neighbours from 'workshop stream describe'.");
        AssertOneClearLine(Workshop("warehouse", "query", "SELECT * FROM nope"),
            "ERROR: relation \"nope\" does not exist. 'workshop warehouse tables' lists the warehouse's tables.");
    }

    [Theory]
    [InlineData("at-sequence-number")]
    [InlineData("after-sequence-number")]
    public void Stream_peek_from_a_sequence_number_without_one_asks_for_it(string from)
    {
        AssertOneClearLine(Workshop("stream", "peek", "--from", from), $"--from {from} needs --sequence-number");
    }

    [Fact]
    public void Kernel_connection_file_that_is_missing_not_json_or_without_ports_is_named()
    {
        var missing = Path.Combine(folder, "missing.json");
        AssertOneClearLine(Workshop("kernel", "--connection-file", missing), $"--connection-file '{missing}' does not exist");
        var garbage = File("garbage.json", "zz");
        AssertOneClearLine(Workshop("kernel", "--connection-file", garbage), $"The connection file {garbage} is not valid JSON");
        var noPorts = File("no-ports.json", """{"ip": "127.0.0.1", "key": "k"}""");
        AssertOneClearLine(Workshop("kernel", "--connection-file", noPorts), $"The connection file {noPorts} has no \"shell_port\"");
    }

    public static TheoryData<string, string, string> BrokenNotebooks => new()
    {
        { "invalid.ipynb", "{bad", "is not valid JSON (line 1, byte 2)" },
        { "empty.ipynb", "", "the file is empty" },
        { "binary.ipynb", "\u007fELF\u0002\u0001\u0001\0\0\0", "is not a text notebook: it holds NUL bytes" },
        { "deep.ipynb", new string('[', 100_000) + new string(']', 100_000), "maximum configured depth of 64" },
        { "bad-meta.dib", "#!meta\n\n{not json\n\n#!csharp\n\n1 + 1\n", "its #!meta part is not valid JSON" },
        { "unknown-type.ipynb", """{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "weird", "metadata": {}, "source": "File.Delete(\"x\")"}]}""", "cell 1 has cell_type \"weird\"; nbformat allows code, markdown and raw" },
        { "no-cells.ipynb", """{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}""", "it has no 'cells' list" },
        { "null-cells.ipynb", """{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": null}""", "'cells' must be a list of cells, not null" },
        { "number-source.ipynb", """{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "markdown", "metadata": {}, "source": 12}]}""", "cell 1 has a 'source' that is neither text nor a list of text" },
    };

    [Theory]
    [MemberData(nameof(BrokenNotebooks))]
    public void Run_refuses_a_broken_notebook_naming_the_file_and_the_problem(string name, string content, string problem)
    {
        var path = File(name, content);
        var result = Workshop("run", path, "--out", Path.Combine(folder, "out"));
        AssertOneClearLine(result, $"'{path}' is not a valid notebook", problem);
        Assert.False(Directory.Exists(Path.Combine(folder, "out")), "nothing is run or written for a broken notebook");
    }

    [Fact]
    public void Verbose_adds_the_stack_trace_after_the_line()
    {
        var path = File("invalid.ipynb", "{bad");
        var (exit, _, stderr) = Workshop("run", path, "--verbose");
        Assert.Equal(1, exit);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith($"Error: '{path}' is not a valid notebook", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("   at StreamingWorkshop.Notebooks.NotebookFile.Read", StringComparison.Ordinal));
    }

    [Fact]
    public void Verbose_adds_the_stack_trace_of_a_service_error_too()
    {
        var (exit, _, stderr) = Workshop("lake", "cat", "weather-data/no-such-object.gz", "--verbose");
        Assert.Equal(1, exit);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // After the notice that the first verb deploys the stack: the one line, then the details.
        var said = Array.FindIndex(lines, l => l.StartsWith("NoSuchKey: The specified key does not exist: 'weather-data/no-such-object.gz'", StringComparison.Ordinal));
        Assert.True(said >= 0, stderr);
        Assert.Matches(@"^StreamingWorkshop\.[\w.]+Exception: The specified key does not exist", lines[said + 1]);
        Assert.Contains(lines, l => l.StartsWith("   at StreamingWorkshop.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("state/clock.json", "garbage")]
    [InlineData("state/clock.json", "")]
    [InlineData("catalog/weather-analytics_dev_db/tables/raw_weather_data.json", "{\"Versions\": [")]
    public void A_damaged_workspace_file_is_named_with_the_way_out(string file, string content)
    {
        Assert.Equal(0, Workshop("simulate", "--duration", "10m").Exit);
        Assert.Equal(0, Workshop("crawl").Exit);
        var path = Path.Combine(Workspace, file);
        Assert.True(System.IO.File.Exists(path), path);
        System.IO.File.WriteAllText(path, content);

        AssertOneClearLine(Workshop("query", "SELECT COUNT(*) FROM raw_weather_data"),
            $"Error: '{path}' is damaged: it does not hold the JSON the kit wrote (",
            "Put back a good copy of it, or start afresh with 'workshop reset' (it deletes the whole workspace).");
    }

    [Fact]
    public void Stream_put_with_a_count_numbers_the_partition_keys_and_leaves_the_data_as_given()
    {
        var put = Workshop("stream", "put", "--data", """{"city":"Leeds"}""", "--count", "3", "--partition-key", "key");
        Assert.Equal(0, put.Exit);
        Assert.Contains("Put 3 record(s); 0 failed.", put.Stdout);

        var peek = Cli.Capture(folder, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = Workspace, ["COLUMNS"] = "250" }, "stream", "peek");
        var rows = peek.Stdout.Split('\n').Where(l => l.StartsWith("shardId-", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, rows.Count);
        for (var i = 0; i < 3; i++)
        {
            var cells = rows[i].Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal($"key{i}", cells[2]);
            Assert.Equal("""{"city":"Leeds"}""", cells[^1]);
        }
    }

    private static string CodeCell(string source) =>
        new JsonObject { ["cell_type"] = "code", ["execution_count"] = null, ["metadata"] = new JsonObject(), ["outputs"] = new JsonArray(), ["source"] = source }.ToJsonString();

    private string LoopingNotebook() => File("loop.ipynb",
        $$"""{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{{CodeCell("Console.WriteLine(\"before the loop\");")}}, {{CodeCell("System.IO.File.WriteAllText(\"loop-started\", \"\");\nwhile (true) { }")}}, {{CodeCell("Console.WriteLine(\"after the loop\");")}}]}""");

    /// <summary>The executed notebook's cells as (execution count, first output's text or error name).</summary>
    private static List<(int? Count, string? Output)> Executed(string path) =>
        JsonNode.Parse(System.IO.File.ReadAllText(path))!["cells"]!.AsArray()
            .Select(c => (c!["execution_count"]?.GetValue<int?>(), c["outputs"]!.AsArray().FirstOrDefault() is { } o ? (o["ename"] ?? o["text"]) switch { System.Text.Json.Nodes.JsonArray lines => string.Concat(lines.Select(l => l!.GetValue<string>())), var text => text?.GetValue<string>() } : null))
            .ToList();

    [Fact]
    public void Cell_timeout_stops_an_endless_loop_and_saves_the_outputs_so_far()
    {
        var notebook = LoopingNotebook();
        var output = Path.Combine(folder, "out");

        var (exit, _, stderr) = Workshop("run", notebook, "--out", output, "--cell-timeout", "8");

        Assert.Equal(1, exit);
        Assert.Contains("loop.ipynb, cell 2: CellTimeLimitExceeded: The cell did not finish within 8 s", stderr);
        Assert.Equal([(1, "before the loop\n"), (2, "CellTimeLimitExceeded"), (null, null)], Executed(Path.Combine(output, "loop.ipynb")));
        Assert.Contains("The cell did not finish within 8 s", System.IO.File.ReadAllText(Path.Combine(output, "loop.html")));
    }

    [Fact]
    public void Serve_port_out_of_range_or_not_a_number_and_a_host_that_is_not_an_address_are_named()
    {
        AssertOneClearLine(Workshop("serve", "--port", "70000"), "--port", "'70000' is out of range", "from 0 to 65,535");
        AssertOneClearLine(Workshop("serve", "--port", "abc"), "--port", "'abc'", "whole number");
        AssertOneClearLine(Workshop("serve", "--host", "nowhere"), "--host 'nowhere' is not an IP address", "127.0.0.1");
        // An address from the documentation range (TEST-NET-1), which no interface of a test machine has.
        var elsewhere = Workshop("serve", "--host", "192.0.2.1", "--port", "0");
        AssertOneClearLine(elsewhere, "Error: Cannot listen on --host 192.0.2.1: no network interface of this machine has that address.");
        Assert.Equal(1, elsewhere.Exit);
    }

    [Fact]
    public void Serve_on_a_port_already_taken_is_named_with_what_to_do()
    {
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        AssertOneClearLine(Workshop("serve", "--port", port), $"Cannot listen on 127.0.0.1:{port}", "address already in use", "Choose another --port.");
    }

    [Fact]
    public async Task Sigterm_stops_a_run_in_an_endless_loop_and_saves_the_outputs_so_far()
    {
        var notebook = LoopingNotebook();
        var output = Path.Combine(folder, "out");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        info.Environment["WORKSHOP_WORKSPACE"] = Workspace;
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "workshop.dll"), "run", notebook, "--out", output, "--cell-timeout", "600" }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderrLines = new List<string>();
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) lock (stderrLines) stderrLines.Add(line); };
        process.BeginErrorReadLine();
        // The loop cell leaves a marker as it starts; the signal goes only once the run is inside the loop.
        var marker = Path.Combine(folder, "loop-started");
        while (!System.IO.File.Exists(marker) && !process.HasExited) await Task.Delay(50);

        Assert.False(process.HasExited, "the run is still in the loop");
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        await process.WaitForExitAsync();
        await stdout;

        Assert.Equal(130, process.ExitCode);
        Assert.Contains(stderrLines, l => l.StartsWith("Stopped by a signal; the outputs so far are saved in", StringComparison.Ordinal));
        var cells = Executed(Path.Combine(output, "loop.ipynb"));
        Assert.Equal((2, "Interrupted"), cells[1]);
        Assert.Equal((null, null), cells[2]);
        Assert.True(System.IO.File.Exists(Path.Combine(output, "loop.html")));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
