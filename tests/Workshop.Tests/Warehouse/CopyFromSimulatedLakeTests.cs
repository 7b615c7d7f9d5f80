using StreamingWorkshop;
using StreamingWorkshop.Warehouse;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Warehouse;

/// <summary>Two simulated hours of the pipeline leave gzipped JSON lines in the lake, which COPY loads as they are.</summary>
public sealed class CopyFromSimulatedLakeTests(SimulatedWindowFixture window) : IClassFixture<SimulatedWindowFixture>
{
    [Fact]
    public void Copy_loads_every_reading_the_delivery_wrote_with_its_city_temperature_and_collection_time()
    {
        var session = window.Session;
        var local = session.Local!;
        var warehouse = new LocalWarehouse(local.Workspace, local.Clock, local.Lake, local.Catalog, local.Stream,
            new WarehouseCluster("window-cluster", "weather", "awsuser", [LoadLakeFixture.Role], DefaultIamRole: LoadLakeFixture.Role));
        var lines = LakeFiles.Lines(window.Temp.Root, session.Names.LakeBucket, "weather-data/").Select(l => LakeFiles.Parse(l.Line)).ToList();
        warehouse.Execute("CREATE TABLE weather_readings (city VARCHAR(40), temperature FLOAT8, measurement_time TIMESTAMP, collection_time TIMESTAMP, source VARCHAR(40))");

        var outcome = warehouse.Execute($"COPY weather_readings FROM 's3://{session.Names.LakeBucket}/weather-data/' IAM_ROLE default FORMAT AS JSON 'auto' GZIP TIMEFORMAT 'auto'");

        Assert.Equal(3 * 120, lines.Count);
        Assert.Equal(lines.Count, outcome.RowsAffected);
        var expected = lines.GroupBy(l => l.GetProperty("city").GetString()!).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new object?[] { g.Key, (long)g.Count(), Math.Round(g.Sum(r => r.GetProperty("temperature").GetDouble()), 6) }).ToList();
        Assert.Equal(expected, warehouse.Execute("SELECT city, count(*), round(sum(temperature), 6) FROM weather_readings GROUP BY city ORDER BY city").Rows);
        Assert.Equal([["2025-01-14 00:00:00", "2025-01-14 01:59:00"]],
            warehouse.Execute("SELECT date_trunc('minute', min(collection_time)), date_trunc('minute', max(collection_time)) FROM weather_readings").Rows);
        Assert.Equal([[0L]], warehouse.Execute("SELECT count(*) FROM weather_readings WHERE measurement_time IS NULL").Rows);
    }
}

public sealed class SimulatedWindowFixture : IAsyncLifetime
{
    public TempWorkspace Temp { get; } = new();
    public WorkshopSession Session { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = Temp.Root, Seed = 1 });
        await Session.SimulateAsync(TimeSpan.FromHours(2), new DateTimeOffset(2025, 1, 14, 0, 0, 0, TimeSpan.Zero));
    }

    public async Task DisposeAsync()
    {
        await Session.DisposeAsync();
        Temp.Dispose();
    }
}
