using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Storage;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Faults;

/// <summary>
/// `workshop bench faults` with ten kills spread over simulate, delivery, crawl and CTAS, then the workspace it
/// leaves read independently: every record on the stream is in the lake, duplicates stay within docs/pipeline.md's
/// bounds (per pipeline kill: one invocation's records, one object per city), and no part file is left in tmp/.
/// </summary>
public sealed class FaultsBenchTests(Xunit.Abstractions.ITestOutputHelper log) : IDisposable
{
    private const string Bucket = "weather-analytics-data-lake-dev-123456789012";
    private const string StreamName = "weather-analytics-stream-dev";
    private readonly string parent = Directory.CreateTempSubdirectory("workshop-faults-test-").FullName;

    [Fact]
    public async Task Ten_kills_lose_no_acknowledged_record_and_leave_no_part_file()
    {
        var workspace = Path.Combine(parent, "workspace");
        var figuresPath = Path.Combine(parent, "faults.json");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "workshop.dll"), "bench", "faults", "--kills", "10", "--seed", "7", "--workspace", workspace, "--json", figuresPath })
            info.ArgumentList.Add(a);
        using var bench = Process.Start(info)!;
        var reading = bench.StandardOutput.ReadToEndAsync();
        var readingErrors = bench.StandardError.ReadToEndAsync();
        await bench.WaitForExitAsync();
        var output = await reading;
        var errors = await readingErrors;
        log.WriteLine(output + errors);
        Assert.True(bench.ExitCode == 0, $"The bench failed ({bench.ExitCode}):\n{output}\n{errors}");

        var figures = JsonNode.Parse(File.ReadAllText(figuresPath))!["figures"]!;
        int Figure(string name) => (int)figures[name]!["value"]!.GetValue<double>();
        Assert.Equal(10, Figure("killsSurvived"));
        Assert.All(new[] { "Simulate", "Delivery", "Crawl", "Ctas" }, phase => Assert.True(Figure($"kills{phase}") >= 1, $"No {phase} kill: {figures}"));
        var pipelineKills = Figure("killsSimulate") + Figure("killsDelivery");

        var onStream = await StreamContents.ReadAllAsync(workspace, StreamName);
        var inLake = LakeFiles.Lines(workspace, Bucket, "weather-data/").ToList();
        var lakeCounts = inLake.GroupBy(l => l.Line).ToDictionary(g => g.Key, g => g.Count());
        Assert.NotEmpty(onStream);
        var lost = onStream.Distinct().Where(record => !lakeCounts.ContainsKey(record)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged record(s) are not in the lake, for example {lost.FirstOrDefault()}");
        var largestObject = inLake.GroupBy(l => l.Key).Max(g => g.Count());
        Assert.InRange(onStream.Count - onStream.Distinct().Count(), 0, pipelineKills * 3);
        Assert.InRange(inLake.Count - onStream.Count, 0, pipelineKills * 3 * largestObject);
        Assert.Empty(Directory.Exists(Path.Combine(workspace, "tmp")) ? Directory.GetFiles(Path.Combine(workspace, "tmp"), "*.part") : []);
        // The CTAS statements ran: their kills interrupted a write into the lake, not a statement refused before it wrote.
        Assert.True(Directory.Exists(Path.Combine(workspace, "lake", Bucket, "ctas")), "No CTAS wrote into the lake.");
        // The bench's own table says the same as the workspace read here.
        Assert.Equal(0, Figure("recordsLost"));
        Assert.Equal(0, Figure("corruptFrames"));
        Assert.Equal(1, Figure("guaranteesHeld"));
        Assert.Matches(@"│ Acknowledged records lost\s+│ 0 of [\d,]+\s+│ 0\s+│ yes\s+│", output);
    }

    public void Dispose() => Directory.Delete(parent, recursive: true);
}
