using StreamingWorkshop;
using Workshop.Tests.Query.Challenges;

namespace Workshop.Tests.Query;

/// <summary>
/// The challenge checks accept a right answer however it is written, and turn down a wrong one without revealing the answer.
/// Whether an answer is right is settled here by <see cref="ChallengeOracle"/>, from the lake's own lines, never by the query
/// engine the checks themselves use.
/// </summary>
public sealed class ChallengeTests(Task3Fixture day) : IClassFixture<Task3Fixture>
{
    // Three decimals, as the checks promise (see Challenges.Rules).
    private const double Tolerance = 0.0006;

    private ChallengeOracle Oracle { get; } = new(day.Raw);

    private static double? Number(object? value) => value is string or DateTime or null ? null : Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);

    private async Task<object?[]> FirstRow(string sql) => (await day.Session.QueryAsync(sql)).Rows[0].ToArray();

    /// <summary>The first row names a city tied for the highest spread and that city's spread, as the oracle works them out.</summary>
    private bool RightForChallenge1(object?[] row)
    {
        var highest = Oracle.Spread.Values.Max();
        var cities = row.OfType<string>().Where(c => Oracle.Spread.TryGetValue(c, out var spread) && spread >= highest - 1e-9).ToList();
        return cities.Any(c => row.Select(Number).OfType<double>().Any(n => Math.Abs(n - Oracle.Spread[c]) <= Tolerance));
    }

    /// <summary>The first row has an hour tied for the warmest average and that average.</summary>
    private bool RightForChallenge2(object?[] row)
    {
        var highest = Oracle.HourOfDayAverage.Values.Max();
        var numbers = row.Select(Number).OfType<double>().ToList();
        var hours = numbers.Where(n => n == Math.Floor(n) && Oracle.HourOfDayAverage.TryGetValue((int)n, out var mean) && mean >= highest - 1e-9);
        return hours.Any(h => numbers.Any(n => Math.Abs(n - Oracle.HourOfDayAverage[(int)h]) <= Tolerance));
    }
    [Theory]
    [InlineData("SELECT city, stddev_samp(temperature) AS s FROM (SELECT DISTINCT city, measurement_time, temperature FROM raw_weather_data) GROUP BY city ORDER BY s DESC")]
    [InlineData("SELECT STDDEV(temperature) AS spread, city, 'extra' AS note FROM (SELECT DISTINCT city, measurement_time, temperature FROM raw_weather_data) GROUP BY city ORDER BY spread DESC LIMIT 1")]
    public async Task Challenge_1_accepts_the_most_variable_city_written_either_way(string sql)
    {
        Assert.True(RightForChallenge1(await FirstRow(sql)), "the oracle disagrees with this answer");
        var verdict = await day.Session.CheckAsync(1, sql);
        Assert.True(verdict.Correct, verdict.Message);
    }

    [Fact]
    public async Task Challenge_1_rejects_the_least_variable_city_without_naming_the_right_one()
    {
        const string sql = "SELECT city, STDDEV(temperature) AS s FROM raw_weather_data GROUP BY city ORDER BY s ASC LIMIT 1";
        var verdict = await day.Session.CheckAsync(1, sql);
        var right = Oracle.MostVariableCity;

        Assert.False(RightForChallenge1(await FirstRow(sql)));
        Assert.False(verdict.Correct);
        Assert.DoesNotContain(right, verdict.Message);
    }

    [Theory]
    [InlineData("SELECT hour(measurement_time) AS h, AVG(temperature) AS t FROM raw_weather_data GROUP BY 1 ORDER BY 2 DESC")]
    [InlineData("SELECT EXTRACT(hour FROM measurement_time) AS warmest, AVG(temperature) AS mean FROM (SELECT DISTINCT city, measurement_time, temperature FROM raw_weather_data) GROUP BY EXTRACT(hour FROM measurement_time) ORDER BY AVG(temperature) DESC LIMIT 1")]
    public async Task Challenge_2_accepts_the_warmest_hour_written_either_way(string sql)
    {
        Assert.True(RightForChallenge2(await FirstRow(sql)), "the oracle disagrees with this answer");
        var verdict = await day.Session.CheckAsync(2, sql);
        Assert.True(verdict.Correct, verdict.Message);
    }

    [Fact]
    public async Task Challenge_2_rejects_the_coldest_hour()
    {
        const string sql = "SELECT hour(measurement_time) AS h, AVG(temperature) FROM raw_weather_data GROUP BY 1 ORDER BY AVG(temperature) ASC";
        Assert.False(RightForChallenge2(await FirstRow(sql)));
        Assert.False((await day.Session.CheckAsync(2, sql)).Correct);
    }

    [Theory]
    [InlineData("""
        WITH per_hour AS (SELECT city, date_trunc('hour', measurement_time) AS hour_start, AVG(temperature) AS mean_temp
                          FROM (SELECT DISTINCT city, measurement_time, temperature FROM raw_weather_data) GROUP BY 1, 2)
        SELECT city, hour_start, AVG(mean_temp) OVER (PARTITION BY city ORDER BY hour_start ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS rolling
        FROM per_hour
        """)]
    [InlineData("""
        SELECT h.city, h.hour_start, h.mean_temp,
               AVG(h.mean_temp) OVER (PARTITION BY h.city ORDER BY h.hour_start RANGE BETWEEN INTERVAL '2' HOUR PRECEDING AND CURRENT ROW) AS three_hour_mean
        FROM (SELECT city, date_trunc('hour', measurement_time) AS hour_start, AVG(temperature) AS mean_temp
              FROM (SELECT DISTINCT city, measurement_time, temperature FROM raw_weather_data) GROUP BY city, date_trunc('hour', measurement_time)) AS h
        ORDER BY h.city DESC, h.hour_start
        """)]
    public async Task Challenge_3_accepts_a_rolling_average_written_either_way(string sql)
    {
        // Each row's last column is its rolling average; every city and hour the oracle knows is there once, with its value.
        var rows = (await day.Session.QueryAsync(sql)).Rows;
        var answered = rows.ToDictionary(r => ((string)r[0]!, (DateTime)r[1]!), r => Convert.ToDouble(r[^1]));
        Assert.Equal(Oracle.Rolling.Count, rows.Count);
        Assert.All(Oracle.Rolling, expected => Assert.InRange(answered[expected.Key], expected.Value - Tolerance, expected.Value + Tolerance));
        var verdict = await day.Session.CheckAsync(3, sql);
        Assert.True(verdict.Correct, verdict.Message);
    }

    [Fact]
    public async Task Challenge_3_rejects_a_plain_hourly_average()
    {
        const string sql = "SELECT city, date_trunc('hour', measurement_time) AS hour_start, AVG(temperature) AS mean_temp FROM raw_weather_data GROUP BY 1, 2";
        var rows = (await day.Session.QueryAsync(sql)).Rows;
        Assert.Contains(rows, r => Math.Abs(Convert.ToDouble(r[2]) - Oracle.Rolling[((string)r[0]!, (DateTime)r[1]!)]) > Tolerance);

        var verdict = await day.Session.CheckAsync(3, sql);
        Assert.False(verdict.Correct);
        Assert.Contains("rolling average", verdict.Message);
    }

    [Fact]
    public async Task Challenge_3_finds_the_hour_among_other_timestamp_columns()
    {
        // The window's start comes first, so the hour is not the first timestamp column.
        const string sql = """
            WITH per_hour AS (SELECT city, date_trunc('hour', measurement_time) AS hour_start, AVG(temperature) AS mean_temp
                              FROM (SELECT DISTINCT city, measurement_time, temperature FROM raw_weather_data) GROUP BY 1, 2)
            SELECT city, hour_start - INTERVAL '2' HOUR AS window_start, hour_start,
                   AVG(mean_temp) OVER (PARTITION BY city ORDER BY hour_start ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS rolling
            FROM per_hour
            """;
        var rows = (await day.Session.QueryAsync(sql)).Rows;
        Assert.All(rows, r => Assert.InRange(Convert.ToDouble(r[3]), Oracle.Rolling[((string)r[0]!, (DateTime)r[2]!)] - Tolerance, Oracle.Rolling[((string)r[0]!, (DateTime)r[2]!)] + Tolerance));

        var verdict = await day.Session.CheckAsync(3, sql);
        Assert.True(verdict.Correct, verdict.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public async Task A_challenge_number_without_SQL_says_which_call_checks_it(int challenge)
    {
        var refused = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => day.Session.CheckAsync(challenge, "SELECT 1"));
        Assert.Contains("1 to 3", refused.Message);
        Assert.Contains("CheckPartitionKeys", refused.Message);
    }

    [Fact]
    public async Task A_query_that_fails_is_reported_not_thrown()
    {
        var verdict = await day.Session.CheckAsync(1, "SELECT nonsense FROM raw_weather_data");
        Assert.False(verdict.Correct);
        Assert.Contains("COLUMN_NOT_FOUND", verdict.Message);
    }
}
