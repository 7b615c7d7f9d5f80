using System.Text.Json;
using System.Text.RegularExpressions;
using StreamingWorkshop;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Pipeline;

/// <summary>
/// Acceptance: a simulated day with seed 1 from 2025-01-14T00:00Z leaves a partitioned, gzipped lake with
/// 3 x 1,440 JSON lines, and the 15-minute cadence of the weather API shows as repeated measurements.
/// </summary>
public sealed class SimulatedDayTests(SimulatedDayFixture day) : IClassFixture<SimulatedDayFixture>
{
    private static readonly DateTimeOffset Start = SimulatedDayFixture.Start;
    private readonly string workspace = day.Workspace;
    private readonly WorkshopSession session = day.Session;

    [Fact]
    public void Every_object_sits_in_a_city_and_date_partition_and_is_named_as_firehose_names_objects()
    {
        var keys = LakeFiles.Lines(workspace, session.Names.LakeBucket).Select(l => l.Key).Distinct().ToList();
        var pattern = new Regex(@"^weather-data/location=(London|Manchester|Edinburgh)/year=2025/month=01/day=14/weather-analytics-firehose-dev-1-2025-01-14-\d{2}-\d{2}-\d{2}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.gz$");

        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.Matches(pattern, key));
        Assert.Equal(3, keys.Select(k => k.Split('/')[1]).Distinct().Count());
    }

    [Fact]
    public void The_lake_holds_one_json_object_per_line_and_every_reading_of_the_day()
    {
        var lines = LakeFiles.Lines(workspace, session.Names.LakeBucket, "weather-data/").ToList();
        var readings = lines.Select(l => LakeFiles.Parse(l.Line)).ToList();

        Assert.Equal(3 * 1440, readings.Count);
        Assert.All(readings, r => Assert.Equal(JsonValueKind.Object, r.ValueKind));
        foreach (var (key, line) in lines)
        {
            var city = LakeFiles.Parse(line).GetProperty("city").GetString();
            Assert.Contains($"location={city}/", key);
        }
        Assert.Empty(LakeFiles.Lines(workspace, session.Names.LakeBucket, "errors/"));
    }

    [Fact]
    public void Each_city_has_96_measurement_times_each_polled_about_15_times()
    {
        var readings = LakeFiles.Lines(workspace, session.Names.LakeBucket, "weather-data/").Select(l => LakeFiles.Parse(l.Line)).ToList();

        foreach (var city in readings.GroupBy(r => r.GetProperty("city").GetString()))
        {
            var perMeasurement = city.GroupBy(r => r.GetProperty("measurement_time").GetString()).ToList();
            Assert.Equal(96, perMeasurement.Count);
            Assert.All(perMeasurement, group => Assert.InRange(group.Count(), 14, 16));
            // A repeated measurement repeats the same temperature: the value changes only every 15 minutes.
            Assert.All(perMeasurement, group => Assert.Single(group.Select(r => r.GetProperty("temperature").GetDouble()).Distinct()));
        }
    }

    [Fact]
    public void Readings_carry_the_fields_the_workshop_queries_use()
    {
        var reading = LakeFiles.Parse(LakeFiles.Lines(workspace, session.Names.LakeBucket, "weather-data/").First().Line);

        Assert.Equal(JsonValueKind.String, reading.GetProperty("city").ValueKind);
        Assert.Equal(JsonValueKind.Number, reading.GetProperty("temperature").ValueKind);
        Assert.Matches(@"^2025-01-14T\d{2}:(00|15|30|45)$", reading.GetProperty("measurement_time").GetString());
        Assert.True(DateTimeOffset.TryParse(reading.GetProperty("collection_time").GetString(), out var collected));
        Assert.Equal(TimeSpan.Zero, collected.Offset);
        Assert.False(string.IsNullOrEmpty(reading.GetProperty("source").GetString()));
    }

    [Fact]
    public async Task Running_the_same_simulation_again_changes_nothing()
    {
        var before = LakeFiles.Lines(workspace, session.Names.LakeBucket).Count();

        var report = await session.SimulateAsync(TimeSpan.FromHours(24), Start);

        Assert.True(report.AlreadyComplete);
        Assert.Equal(before, LakeFiles.Lines(workspace, session.Names.LakeBucket).Count());
    }
}

/// <summary>One simulated day shared by the tests that read it.</summary>
public sealed class SimulatedDayFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);

    public string Workspace { get; } = Directory.CreateTempSubdirectory("workshop-day-").FullName;
    public WorkshopSession Session { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = Workspace, Seed = 1 });
        await Session.SimulateAsync(TimeSpan.FromHours(24), Start);
    }

    public async Task DisposeAsync()
    {
        await Session.DisposeAsync();
        Directory.Delete(Workspace, recursive: true);
    }
}
