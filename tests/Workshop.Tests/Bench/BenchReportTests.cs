using System.Text.Json.Nodes;
using StreamingWorkshop.Cli.Commands;

namespace Workshop.Tests.Bench;

/// <summary>What `--json F` writes for a bench: its tables as rows of named cells, its headline figures, its machine.</summary>
public sealed class BenchReportTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-bench-report-").FullName;

    [Fact]
    public void Cells_keep_their_unrounded_value_and_unit_and_empty_cells_are_null()
    {
        var report = new BenchReport("query");
        report.Table("Queries and their floor", "Query", "Kit", "Floor", "Ratio")
            .AddRow("pruned", BenchValue.Of(12.3456, "N1", " ms"), BenchValue.Of(10, "N1", " ms"), BenchValue.Of(1.23456, "0.00", "x"))
            .AddRow("full scan", "", "n/a", BenchValue.Of(double.NaN, "0.00", "x"));
        report.Figure("prunedRatio", 1.23456, "x", goal: "<= 1.5");
        var path = Path.Combine(folder, "query.json");
        report.WriteJson(path);

        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("query", json["bench"]!.GetValue<string>());
        Assert.Equal(Environment.ProcessorCount, json["machine"]!["cores"]!.GetValue<int>());
        Assert.Equal(1.23456, json["figures"]!["prunedRatio"]!["value"]!.GetValue<double>());
        Assert.Equal("<= 1.5", json["figures"]!["prunedRatio"]!["goal"]!.GetValue<string>());
        var table = json["tables"]![0]!;
        Assert.Equal("Queries and their floor", table["title"]!.GetValue<string>());
        var pruned = table["rows"]![0]!;
        Assert.Equal("pruned", pruned["Query"]!.GetValue<string>());
        Assert.Equal(12.3456, pruned["Kit"]!["value"]!.GetValue<double>());
        Assert.Equal("ms", pruned["Kit"]!["unit"]!.GetValue<string>());
        Assert.Equal("12.3 ms", pruned["Kit"]!["text"]!.GetValue<string>());
        Assert.Equal("1.23x", pruned["Ratio"]!["text"]!.GetValue<string>());
        var full = table["rows"]![1]!.AsObject();
        Assert.Null(full["Kit"]);
        Assert.Equal("n/a", full["Floor"]!.GetValue<string>());
        // A figure that could not be measured is its text, never a NaN that JSON cannot hold.
        Assert.Equal("NaNx", full["Ratio"]!.GetValue<string>());
        Assert.Contains("+00:00", File.ReadAllText(path));
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_cells_is_refused_by_name()
    {
        var table = new BenchReport("job").Table("Jobs", "Measured", "Wall time");
        var error = Assert.Throws<ArgumentException>(() => table.AddRow("only one"));
        Assert.Equal("Bench table 'Jobs' has 2 columns; a row gave 1 values.", error.Message);
    }

    [Fact]
    public void A_json_path_in_a_missing_folder_or_naming_a_folder_is_refused_before_measuring()
    {
        var missing = Path.Combine(folder, "nowhere", "bench.json");
        var error = Assert.Throws<ArgumentException>(() => BenchReport.CheckJsonPath(missing));
        Assert.Equal($"--json '{missing}': the folder '{Path.Combine(folder, "nowhere")}' does not exist. Create it, or give a path in an existing folder.", error.Message);
        error = Assert.Throws<ArgumentException>(() => BenchReport.CheckJsonPath(folder));
        Assert.Equal($"--json '{folder}' is not a file path: give a file name such as bench.json.", error.Message);
        Assert.Null(BenchReport.CheckJsonPath(null));
        Assert.Equal(Path.Combine(folder, "b.json"), BenchReport.CheckJsonPath(Path.Combine(folder, "b.json")));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
