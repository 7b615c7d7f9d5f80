using StreamingWorkshop;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Query.Challenges;

/// <summary>Three simulated days, each with its own seed and start, crawled and prepared as Task 3 leaves them.</summary>
public sealed class ChallengeDays : IAsyncLifetime
{
    public static readonly (int Seed, DateTimeOffset Start)[] Plans =
    [
        (1, new DateTimeOffset(2025, 1, 14, 0, 0, 0, TimeSpan.Zero)),
        (7, new DateTimeOffset(2025, 7, 2, 6, 0, 0, TimeSpan.Zero)),
        // On this day hours 15 and 16 (UTC) tie for the warmest average, so the tie rule is exercised.
        (3, new DateTimeOffset(2025, 1, 14, 0, 0, 0, TimeSpan.Zero)),
    ];

    public const string CleanView = """
        CREATE OR REPLACE VIEW clean_weather_data AS
        SELECT location, year, month, day, city, measurement_time, temperature,
               MIN(collection_time) AS first_collected, COUNT(*) AS times_collected
        FROM raw_weather_data
        GROUP BY location, year, month, day, city, measurement_time, temperature
        """;

    private readonly List<string> workspaces = [];

    public List<ChallengeDay> Days { get; } = [];

    public async Task InitializeAsync()
    {
        foreach (var (seed, start) in Plans)
        {
            var workspace = Directory.CreateTempSubdirectory("workshop-challenges-").FullName;
            workspaces.Add(workspace);
            var session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = workspace, Seed = seed });
            await session.SimulateAsync(TimeSpan.FromHours(24), start);
            await session.CrawlAsync();
            session.AlterColumnTypeAsync("raw_weather_data", "measurement_time", "timestamp").GetAwaiter().GetResult();
            session.AlterColumnTypeAsync("raw_weather_data", "collection_time", "timestamp").GetAwaiter().GetResult();
            await session.QueryAsync(CleanView);
            var raw = LakeFiles.Lines(workspace, session.Names.LakeBucket, "weather-data/").Select(l => RawReading.Parse(l.Key, l.Line)).ToList();
            Days.Add(new ChallengeDay($"seed {seed} from {start:yyyy-MM-dd HH:mm}", session, new ChallengeOracle(raw)));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var day in Days) await day.Session.DisposeAsync();
        foreach (var workspace in workspaces) Directory.Delete(workspace, recursive: true);
    }
}

public sealed record ChallengeDay(string Name, WorkshopSession Session, ChallengeOracle Oracle);
