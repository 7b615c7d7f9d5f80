using StreamingWorkshop;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Query.Challenges;

/// <summary>
/// A lake with two hours missing (the producer ran 00:00 to 03:00 and 05:00 to 08:00), where "the two hours before it"
/// reads two ways: the two hours before with data (a ROWS frame) or the two clock hours (a RANGE frame over an INTERVAL).
/// Challenge 3 accepts either, and still turns down a window of the wrong length.
/// </summary>
public sealed class GappedRollingAverageTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);
    private readonly string workspace = Directory.CreateTempSubdirectory("workshop-gapped-").FullName;
    private WorkshopSession session = null!;
    private ChallengeOracle oracle = null!;

    private const string PerHour = """
        WITH per_hour AS (SELECT city, date_trunc('hour', measurement_time) AS hour_start, AVG(temperature) AS mean_temp
                          FROM clean_weather_data GROUP BY 1, 2)
        """;

    private static string Rolling(string frame) =>
        $"{PerHour}\nSELECT city, hour_start, AVG(mean_temp) OVER (PARTITION BY city ORDER BY hour_start {frame}) AS rolling FROM per_hour";

    public async Task InitializeAsync()
    {
        session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = workspace, Seed = 1 });
        await session.SimulateAsync(TimeSpan.FromHours(3), Start);
        await session.SimulateAsync(TimeSpan.FromHours(3), Start.AddHours(5));
        await session.CrawlAsync();
        await session.AlterColumnTypeAsync("raw_weather_data", "measurement_time", "timestamp");
        await session.AlterColumnTypeAsync("raw_weather_data", "collection_time", "timestamp");
        await session.QueryAsync(ChallengeDays.CleanView);
        oracle = new ChallengeOracle(LakeFiles.Lines(workspace, session.Names.LakeBucket, "weather-data/").Select(l => RawReading.Parse(l.Key, l.Line)).ToList());
    }

    public async Task DisposeAsync()
    {
        await session.DisposeAsync();
        Directory.Delete(workspace, recursive: true);
    }

    private async Task<Dictionary<(string, DateTime), double>> Answer(string sql) =>
        (await session.QueryAsync(sql)).Rows.ToDictionary(r => ((string)r[0]!, (DateTime)r[1]!), r => Convert.ToDouble(r[2]));

    [Fact]
    public async Task Both_readings_of_the_window_are_correct_and_differ_after_the_gap()
    {
        var overRows = await Answer(Rolling("ROWS BETWEEN 2 PRECEDING AND CURRENT ROW"));
        var overClock = await Answer(Rolling("RANGE BETWEEN INTERVAL '2' HOUR PRECEDING AND CURRENT ROW"));

        // Hours 03 and 04 are missing: three cities by six hours of data.
        Assert.Equal(18, oracle.Rolling.Count);
        Assert.DoesNotContain(oracle.Rolling.Keys, key => key.Hour.Hour is 3 or 4);
        // The oracle counts clock hours; the ROWS frame differs from it just after the gap.
        Assert.All(oracle.Rolling, expected => Assert.InRange(overClock[expected.Key], expected.Value - 0.0006, expected.Value + 0.0006));
        Assert.Contains(oracle.Rolling, expected => Math.Abs(overRows[expected.Key] - expected.Value) > 0.01);

        foreach (var frame in new[] { "ROWS BETWEEN 2 PRECEDING AND CURRENT ROW", "RANGE BETWEEN INTERVAL '2' HOUR PRECEDING AND CURRENT ROW" })
        {
            var verdict = await session.CheckAsync(3, Rolling(frame));
            Assert.True(verdict.Correct, $"{frame}: {verdict}");
        }
    }

    [Theory]
    [InlineData("ROWS BETWEEN 1 PRECEDING AND CURRENT ROW")]
    [InlineData("RANGE BETWEEN INTERVAL '3' HOUR PRECEDING AND CURRENT ROW")]
    public async Task A_window_of_the_wrong_length_is_not_yet(string frame)
    {
        var verdict = await session.CheckAsync(3, Rolling(frame));
        Assert.False(verdict.Correct, verdict.ToString());
        Assert.Contains("ROWS BETWEEN 2 PRECEDING AND CURRENT ROW", verdict.Message);
    }
}
