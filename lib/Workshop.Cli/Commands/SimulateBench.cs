using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using StreamingWorkshop.Simulation;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>
/// `bench simulate`: a replay of N days for the workshop's three cities in a fresh temporary workspace, against its
/// floor (the same objects written as plain gzip files by one loop), with the process's memory sampled at every tenth
/// of the run, so a replay whose memory stays flat shows it as a flat row of figures.
/// </summary>
internal static class SimulateBench
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void AddTo(RootCommand root)
    {
        var days = new Option<double>("--days") { Description = "Days of virtual time to replay (a year is 365).", DefaultValueFactory = _ => 365 }
            .AboveZero(" (1 is a day, 0.25 six hours)");
        var json = BenchReport.JsonOption();
        var command = new Command("simulate", "Replay N days in a temporary workspace: time, objects, the gzip-files floor and memory at every tenth of the run.") { days, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var jsonPath = BenchReport.CheckJsonPath(parse.GetValue(json));
            var folder = Directory.CreateTempSubdirectory("workshop-bench-").FullName;
            try
            {
                await RunAsync(folder, parse.GetValue(days), jsonPath, cancellationToken);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
            return 0;
        });
        BenchCommand.GetOrAdd(root).Subcommands.Add(command);
    }

    private static async Task RunAsync(string folder, double days, string? jsonPath, CancellationToken cancellationToken)
    {
        var report = new BenchReport("simulate");
        var duration = TimeSpan.FromMinutes(Math.Max(1, Math.Round(days * 24 * 60)));
        var memory = new MemorySampler();
        SimulationReport simulated;
        string lakeFolder;
        await using (var session = await Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = Path.Combine(folder, "workspace"), Backend = "local" }, cancellationToken))
        {
            memory.Sample(0);
            simulated = await session.SimulateAsync(duration, Start, memory, cancellationToken);
            memory.Sample(1);
            lakeFolder = session.Local!.Lake.GetBucketRoot(session.Names.LakeBucket);
        }
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;

        var floor = GzipFloor.Measure(lakeFolder, Path.Combine(folder, "floor"));
        var ratio = simulated.Elapsed / floor.Elapsed;

        var run = report.Table($"simulate {duration.TotalDays:0.##} days, three cities, against the floor", "Run", "Wall time", "Objects", "Objects/s", "Readings");
        run.AddRow("simulate", BenchValue.Seconds(simulated.Elapsed), Count(simulated.ObjectsWritten),
            Count(simulated.ObjectsWritten / simulated.Elapsed.TotalSeconds), Count(simulated.RecordsDelivered));
        run.AddRow("floor: gzip files", BenchValue.Seconds(floor.Elapsed), Count(floor.Objects),
            Count(floor.Objects / floor.Elapsed.TotalSeconds), "");
        run.AddRow("simulate / floor", BenchValue.Ratio(ratio), "", "", "");
        report.Print(run);

        var samples = report.Table("Memory at each tenth of the run (MiB)", "Run", "Working set", "GC heap", "Allocated");
        foreach (var sample in memory.Samples)
            samples.AddRow(string.Create(CultureInfo.InvariantCulture, $"{sample.Fraction * 100:0}%"), Mebibytes(sample.WorkingSet), Mebibytes(sample.HeapBytes), Mebibytes(sample.AllocatedBytes));
        samples.AddRow("peak", Mebibytes(peak), "", "");
        report.Print(samples);

        var settled = memory.Samples.Where(s => s.Fraction >= 0.1).ToArray();
        var growth = settled.Length >= 2 ? (settled[^1].WorkingSet - settled[0].WorkingSet) / (double)(1 << 20) : 0;
        report.Figure("simulateSeconds", simulated.Elapsed.TotalSeconds, "s");
        report.Figure("readings", simulated.RecordsDelivered, "records");
        report.Figure("objects", simulated.ObjectsWritten, "objects");
        report.Figure("floorSeconds", floor.Elapsed.TotalSeconds, "s");
        report.Figure("simulateFloorRatio", ratio, "x");
        report.Figure("peakWorkingSetMiB", peak / (double)(1 << 20), "MiB");
        report.Figure("workingSetGrowthMiB", growth, "MiB", goal: "flat: from 10% of the run to its end");
        Terminal.Tell(string.Create(CultureInfo.InvariantCulture,
            $"{simulated.RecordsDelivered:N0} readings in {simulated.ObjectsWritten:N0} objects; simulate takes {ratio:0.0}x the floor; working set {growth:+0.0;-0.0} MiB from 10% to the end, peak {peak / (double)(1 << 20):N0} MiB."));
        report.WriteJson(jsonPath);
    }

    private static BenchValue Count(double value) => BenchValue.Of(value, "N0");

    private static BenchValue Mebibytes(long bytes) => BenchValue.Of(bytes / (double)(1 << 20), "N1");

    /// <summary>Memory at each tenth of the run, taken on the replay's own thread as it reports its progress.</summary>
    private sealed class MemorySampler : IProgress<SimulationProgress>
    {
        private readonly List<MemorySample> samples = [];
        private int nextTenth = 1;

        public IReadOnlyList<MemorySample> Samples => samples;

        public void Report(SimulationProgress value)
        {
            while (nextTenth < 10 && value.Fraction >= nextTenth / 10.0)
            {
                Sample(nextTenth / 10.0);
                nextTenth++;
            }
        }

        public void Sample(double fraction)
        {
            if (fraction >= 1) nextTenth = 10;
            using var process = Process.GetCurrentProcess();
            samples.Add(new MemorySample(fraction, process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: false), GC.GetTotalAllocatedBytes()));
        }
    }

    private readonly record struct MemorySample(double Fraction, long WorkingSet, long HeapBytes, long AllocatedBytes);
}
