using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// `bench day` and `bench notebook` print their tables and write the same figures to `--json F`. Only the tables'
/// content and the JSON's shape are checked, never a speed.
/// </summary>
public sealed class BenchCliTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-bench-cli-").FullName;

    private (int Exit, string Stdout, string Stderr) Workshop(params string[] arguments) =>
        Cli.Capture(folder, new Dictionary<string, string> { ["COLUMNS"] = "80" }, arguments);

    private static JsonNode Figures(string path) => JsonNode.Parse(File.ReadAllText(path))!["figures"]!;

    [Fact]
    public void Bench_day_runs_a_small_day_cold_and_names_its_notebooks_and_slowest_cells()
    {
        var root = Path.Combine(folder, "day");
        Directory.CreateDirectory(Path.Combine(root, "notebooks"));
        File.WriteAllText(Path.Combine(root, "workshop.dib"), "#!csharp\n\nvar start = 40;\n");
        File.WriteAllText(Path.Combine(root, "notebooks", "01-sum.dib"), "#!csharp\n\nvar sum = Enumerable.Range(1, 10).Sum();\nsum\n");
        var figuresPath = Path.Combine(folder, "day.json");

        var bench = Workshop("bench", "day", "--root", root, "--json", figuresPath);

        Assert.True(bench.Exit == 0, $"bench day exited {bench.Exit}: {bench.Stderr}");
        Assert.Contains("Time per notebook", bench.Stdout);
        // Notebooks are named as the day's index page names them, without their extension.
        Assert.Matches(@"│ workshop\s+│ \d+\.\d s\s+│", bench.Stdout);
        Assert.Matches(@"│ 01-sum\s+│ \d+\.\d s\s+│", bench.Stdout);
        Assert.Matches(@"│ Whole day, process start to end\s+│ \d+\.\d s\s+│ <= 15 s\s+│", bench.Stdout);
        Assert.Contains("The ten slowest cells", bench.Stdout);
        Assert.Matches(@"│ 01-sum\s+│ 1\s+│ var sum = Enumerable\.Rang…\s+│", bench.Stdout);
        Assert.All(bench.Stdout.Split('\n'), l => Assert.True(l.TrimEnd('\r').Length <= 80, $"{l.Length} columns: {l}"));

        var figures = Figures(figuresPath);
        Assert.True(figures["daySeconds"]!["value"]!.GetValue<double>() > 0);
        Assert.Equal("<= 15", figures["daySeconds"]!["goal"]!.GetValue<string>());
        Assert.True(figures["firstCellMilliseconds"]!["value"]!.GetValue<double>() > 0);
    }

    [Fact]
    public void Bench_day_refuses_a_root_without_the_day_and_a_missing_baseline_on_one_line()
    {
        var day = Workshop("bench", "day", "--root", folder);
        Assert.Equal(1, day.Exit);
        Assert.Equal($"Error: --root '{folder}' has no workshop.dib and notebooks/ folder. Give the repository's root folder.", day.Stderr.Trim());

        var root = Path.Combine(folder, "day");
        Directory.CreateDirectory(Path.Combine(root, "notebooks"));
        File.WriteAllText(Path.Combine(root, "workshop.dib"), "#!csharp\n\n1\n");
        var missing = Path.Combine(folder, "old", "workshop.dll");
        var baseline = Workshop("bench", "day", "--root", root, "--baseline", missing);
        Assert.Equal(1, baseline.Exit);
        Assert.Equal($"Error: --baseline '{missing}' does not exist. Give the path of another build's workshop.dll.", baseline.Stderr.Trim());
    }

    [Fact]
    public void Bench_notebook_prints_cold_and_warm_rows_and_writes_them_to_json()
    {
        var figuresPath = Path.Combine(folder, "notebook.json");
        var bench = Workshop("bench", "notebook", "--repeats", "5", "--json", figuresPath);

        Assert.True(bench.Exit == 0, $"bench notebook exited {bench.Exit}: {bench.Stderr}");
        Assert.Matches(@"│ Cold: process start to first cell\s+│ [\d,.]+ ms\s+│ <= 1,000 ms\s+│", bench.Stdout);
        Assert.Matches(@"│ Cold, in a new workspace\s+│ [\d,.]+ ms\s+│ <= 1,000 ms\s+│", bench.Stdout);
        Assert.Matches(@"│ Warm: trivial cell, median of 5\s+│ [\d,.]+ ms\s+│ < 50 ms\s+│", bench.Stdout);
        var figures = Figures(figuresPath);
        Assert.True(figures["firstCellMilliseconds"]!["value"]!.GetValue<double>() > 0);
        Assert.Equal("<= 1000", figures["firstCellMilliseconds"]!["goal"]!.GetValue<string>());
        Assert.True(figures["firstCellInWorkspaceMilliseconds"]!["value"]!.GetValue<double>() > 0);
        Assert.Equal("<= 1000", figures["firstCellInWorkspaceMilliseconds"]!["goal"]!.GetValue<string>());
        Assert.True(figures["warmCellMedianMilliseconds"]!["value"]!.GetValue<double>() > 0);
    }

    [Fact]
    public void Bench_pipeline_times_the_readings_alone_and_says_how_far_that_caps_the_ratio()
    {
        var figuresPath = Path.Combine(folder, "pipeline.json");

        var bench = Workshop("bench", "pipeline", "--records", "2000", "--shards", "4", "--cities", "20", "--json", figuresPath);

        Assert.True(bench.Exit == 0, $"bench pipeline exited {bench.Exit}: {bench.Stderr}");
        Assert.Matches(@"│ readings alone \(no stream, no lake\)\s+│ [\d,]+\s+│", bench.Stdout);
        Assert.Matches(@"│ producer -> lake / floor\s+│ at most, free stream, in turn\s+│ 0\.\d\dx\s+│", bench.Stdout);
        Assert.Matches(@"│ producer -> lake / floor\s+│ at most, free stream, 2 cores\s+│ [01]\.\d\dx\s+│", bench.Stdout);
        Assert.All(bench.Stdout.Split('\n'), l => Assert.True(l.TrimEnd('\r').Length <= 80, $"{l.Length} columns: {l}"));
        Assert.Matches(@"Making and serializing the readings alone takes \d+\.\d times the unpaced run's floor\. A path that makes them and writes the floor's objects, over a stream that cost nothing, could not pass 0\.\d\d doing one after the other, as the unpaced run does, nor [01]\.\d\d doing both at once\.", bench.Stderr);

        var figures = Figures(figuresPath);
        // Times per record, from the rates the same records went through: the readings' and the floor's.
        var readings = 1 / figures["readingsAloneRecordsPerSecond"]!["value"]!.GetValue<double>();
        var floor = 1 / figures["unpacedFloorRecordsPerSecond"]!["value"]!.GetValue<double>();
        Assert.Equal(floor / (readings + floor), figures["pipelineFloorRatioCeilingInTurn"]!["value"]!.GetValue<double>(), 6);
        Assert.Equal(floor / Math.Max(readings, floor), figures["pipelineFloorRatioCeilingOnTwoCores"]!["value"]!.GetValue<double>(), 6);
        Assert.True(figures["pipelineFloorRatioCeilingInTurn"]!["value"]!.GetValue<double>() < 1);
        Assert.True(figures["pipelineFloorRatio"]!["value"]!.GetValue<double>() > 0);
    }

    [Fact]
    public void Bench_pipeline_splits_the_unpaced_run_into_producer_polls_and_last_flush_against_the_floor()
    {
        var figuresPath = Path.Combine(folder, "pipeline-parts.json");

        var bench = Workshop("bench", "pipeline", "--records", "2000", "--shards", "4", "--cities", "20", "--json", figuresPath);

        Assert.True(bench.Exit == 0, $"bench pipeline exited {bench.Exit}: {bench.Stderr}");
        Assert.Contains("Where the unpaced run's time went", bench.Stdout);
        foreach (var part in new[] { "producer: readings and PutRecords", "delivery polls: GetRecords, partitioning", "last flush: gzip and write the objects" })
            Assert.Matches(@"│ " + Regex.Escape(part) + @"\s+│ [\d,.]+ ms\s+│ [\d,.]+x\s+│", bench.Stdout);

        var figures = Figures(figuresPath);
        var producer = figures["unpacedProducerMilliseconds"]!["value"]!.GetValue<double>();
        var polls = figures["unpacedPollsMilliseconds"]!["value"]!.GetValue<double>();
        var flush = figures["unpacedFlushMilliseconds"]!["value"]!.GetValue<double>();
        Assert.All(new[] { producer, polls, flush }, part => Assert.True(part > 0));
        // The three parts are timed inside the unpaced run, so together they cannot take longer than the run itself.
        var unpacedMilliseconds = 2000 / figures["pipelineRecordsPerSecond"]!["value"]!.GetValue<double>() * 1000;
        Assert.True(producer + polls + flush <= unpacedMilliseconds * 1.001, $"{producer} + {polls} + {flush} ms against {unpacedMilliseconds} ms");
    }

    [Fact]
    public void Bench_pipeline_sets_each_run_against_a_floor_of_its_own_objects()
    {
        // Two cities, 1,000 invocations: the unpaced run's clock passes the 900-second buffering interval and flushes
        // each city twice, while the paced run, a second or so of wall clock, flushes each city once.
        var bench = Workshop("bench", "pipeline", "--records", "2000", "--shards", "4", "--cities", "2");

        Assert.True(bench.Exit == 0, $"bench pipeline exited {bench.Exit}: {bench.Stderr}");
        Assert.Matches(@"│ producer -> lake\s+│ objects written\s+│ 2\s+│", bench.Stdout);
        Assert.Matches(@"│ unpaced\s+│ objects written\s+│ 4\s+│", bench.Stdout);
        Assert.Matches(@"│ floor, paced run\s+│ objects written\s+│ 2\s+│", bench.Stdout);
        Assert.Matches(@"│ floor, unpaced run\s+│ objects written\s+│ 4\s+│", bench.Stdout);
        Assert.Contains("each floor wrote its run's objects (4 unpaced, 2 paced)", bench.Stderr);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
