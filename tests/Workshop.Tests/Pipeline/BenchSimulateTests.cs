using System.Text.Json.Nodes;
using Workshop.Tests.BadInput;

namespace Workshop.Tests.Pipeline;

/// <summary>`bench simulate` on a short replay: its figures and its memory table, as written to --json.</summary>
public sealed class BenchSimulateTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-bench-test-").FullName;

    [Fact]
    public void Writes_the_replay_the_floor_and_memory_at_every_tenth_to_json()
    {
        var path = Path.Combine(folder, "simulate.json");
        // 0.02 days: 29 virtual minutes of the three cities.
        // A process of its own: an in-process run would move this whole test process into the folder, and a test
        // starting a process meanwhile would start it in a folder this one deletes.
        var run = WorkshopCli.Child(folder, "bench", "simulate", "--days", "0.02", "--json", path);
        Assert.True(run.ExitCode == 0, run.Stderr);

        var document = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("simulate", document["bench"]!.GetValue<string>());
        var figures = document["figures"]!;
        Assert.Equal(29 * 3, figures["readings"]!["value"]!.GetValue<double>());
        Assert.True(figures["objects"]!["value"]!.GetValue<double>() > 0);
        Assert.True(figures["simulateFloorRatio"]!["value"]!.GetValue<double>() > 0);
        Assert.True(figures["peakWorkingSetMiB"]!["value"]!.GetValue<double>() > 0);
        Assert.Equal("flat: from 10% of the run to its end", figures["workingSetGrowthMiB"]!["goal"]!.GetValue<string>());

        var tables = document["tables"]!.AsArray();
        var objects = tables[0]!["rows"]!.AsArray();
        Assert.Equal(objects[0]!["Objects"]!["value"]!.GetValue<double>(), objects[1]!["Objects"]!["value"]!.GetValue<double>());
        var memory = tables[1]!["rows"]!.AsArray().Select(r => r!["Run"]!.GetValue<string>()).ToArray();
        Assert.Equal(["0%", "10%", "20%", "30%", "40%", "50%", "60%", "70%", "80%", "90%", "100%", "peak"], memory);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
