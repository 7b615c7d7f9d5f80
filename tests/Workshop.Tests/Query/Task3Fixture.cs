using System.Globalization;
using System.Text.Json;
using StreamingWorkshop;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Query;

/// <summary>A simulated day, crawled, with the two time columns edited to timestamp, and the raw lines read independently.</summary>
public sealed class Task3Fixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);
    public string Workspace { get; } = Directory.CreateTempSubdirectory("workshop-task3-").FullName;
    public WorkshopSession Session { get; private set; } = null!;
    public IReadOnlyList<RawReading> Raw { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = Workspace, Seed = 1 });
        await Session.SimulateAsync(TimeSpan.FromHours(24), Start);
        await Session.CrawlAsync();
        Session.AlterColumnTypeAsync("raw_weather_data", "measurement_time", "timestamp").GetAwaiter().GetResult();
        Session.AlterColumnTypeAsync("raw_weather_data", "collection_time", "timestamp").GetAwaiter().GetResult();
        Raw = LakeFiles.Lines(Workspace, Session.Names.LakeBucket, "weather-data/").Select(l => RawReading.Parse(l.Key, l.Line)).ToList();
    }

    public async Task DisposeAsync()
    {
        await Session.DisposeAsync();
        Directory.Delete(Workspace, recursive: true);
    }
}

/// <summary>One lake line, parsed with JsonDocument and the partition values read from its key.</summary>
public sealed record RawReading(string City, double Temperature, DateTime MeasurementTime, DateTime CollectionTime, string Location, string Year, string Month, string Day)
{
    public static RawReading Parse(string key, string line)
    {
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        string Part(string name) => key.Split('/').Single(p => p.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];
        return new RawReading(
            root.GetProperty("city").GetString()!,
            root.GetProperty("temperature").GetDouble(),
            DateTime.ParseExact(root.GetProperty("measurement_time").GetString()!, "yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture),
            DateTime.Parse(root.GetProperty("collection_time").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal),
            Part("location"), Part("year"), Part("month"), Part("day"));
    }
}
