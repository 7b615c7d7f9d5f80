using System.Diagnostics;
using System.Text;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Storage;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Pipeline;

/// <summary>
/// Acceptance: a simulate process killed at five fixed points of its two days (by its own saved progress) and
/// restarted loses no acknowledged record, and
/// the duplicates it leaves stay within the bounds docs/pipeline.md states: per crash, at most one flush round
/// (one object per city) from the delivery and at most one invocation's records (one per city) from a re-run producer invocation.
/// </summary>
public sealed class CrashRecoveryTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private const string Bucket = "weather-analytics-data-lake-dev-123456789012";
    private const string StreamName = "weather-analytics-stream-dev";
    private const int Days = 2; // long enough that every kill lands mid-run
    private readonly string workspace = Directory.CreateTempSubdirectory("workshop-crash-").FullName;

    [Fact]
    public async Task Killed_and_restarted_simulation_delivers_every_acknowledged_record()
    {
        // Kill points come from the run's own progress (the virtual minute it has reached), not from timers, so every
        // run of the test kills at the same phases of the day whatever the machine's speed.
        var runStart = DateTimeOffset.Parse("2025-01-14T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var killAt = new[] { 0.1, 0.25, 0.4, 0.55, 0.7 }.Select(f => runStart + TimeSpan.FromHours(Days * 24 * f)).ToArray();
        var kills = 0;
        foreach (var target in killAt)
        {
            using var child = StartSimulate();
            while (!child.HasExited && ReachedMinute() < target) await Task.Delay(2);
            if (child.HasExited)
                Assert.Fail($"simulate finished (exit {child.ExitCode}) before reaching {target:u}: {await child.StandardError.ReadToEndAsync()}");
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
            kills++;
        }
        Assert.Equal(killAt.Length, kills);

        using (var final = StartSimulate())
        {
            var output = await final.StandardOutput.ReadToEndAsync();
            var errors = await final.StandardError.ReadToEndAsync();
            await final.WaitForExitAsync();
            Assert.True(final.ExitCode == 0, $"The final run failed ({final.ExitCode}):\n{output}\n{errors}");
        }

        var onStream = await StreamContents.ReadAllAsync(workspace, StreamName);
        var inLake = LakeFiles.Lines(workspace, Bucket, "weather-data/").ToList();
        var lakeCounts = inLake.GroupBy(l => l.Line).ToDictionary(g => g.Key, g => g.Count());

        var missing = onStream.Distinct().Where(record => !lakeCounts.ContainsKey(record)).ToList();
        Assert.Empty(missing);
        Assert.Equal(Days * 3 * 1440, lakeCounts.Count);

        var producerDuplicates = onStream.Count - onStream.Distinct().Count();
        var deliveryDuplicates = inLake.Count - onStream.Count;
        var largestObject = inLake.GroupBy(l => l.Key).Max(g => g.Count());
        output.WriteLine($"{kills} kills; {onStream.Count:N0} records on the stream, {inLake.Count:N0} lines in the lake; duplicates: {producerDuplicates} from re-run invocations, {deliveryDuplicates} from re-delivered objects.");
        Assert.InRange(producerDuplicates, 0, kills * 3);
        Assert.InRange(deliveryDuplicates, 0, kills * 3 * largestObject);
    }

    /// <summary>The virtual minute the killed-and-restarted run has saved as done; the start of time before its first save.</summary>
    private DateTimeOffset ReachedMinute()
    {
        try
        {
            return SimulationStateFile() is { } state ? state : DateTimeOffset.MinValue;
        }
        catch (Exception error) when (error is IOException or System.Text.Json.JsonException)
        {
            return DateTimeOffset.MinValue; // caught between the write and the rename: read it again on the next poll
        }
    }

    private DateTimeOffset? SimulationStateFile() =>
        StreamingWorkshop.Simulation.SimulationState.Load(new WorkspaceDirectory(workspace))?.NextInvocation;

    private Process StartSimulate()
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "workshop.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { cli, "simulate", "--duration", $"{Days * 24}h", "--seed", "1", "--start", "2025-01-14T00:00:00Z", "--workspace", workspace })
            info.ArgumentList.Add(argument);
        return Process.Start(info)!;
    }


    public void Dispose() => Directory.Delete(workspace, recursive: true);
}
