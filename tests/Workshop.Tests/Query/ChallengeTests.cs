using StreamingWorkshop;
using Workshop.Tests.Query.Challenges;

namespace Workshop.Tests.Query;

/// <summary>The challenge checks accept a right answer however it is written, and turn down a wrong one without revealing the answer.</summary>
public sealed class ChallengeTests(Task3Fixture day) : IClassFixture<Task3Fixture>
{
    [Theory]
    [InlineData("SELECT city, stddev_samp(temperature) AS s FROM (SELECT DISTINCT city, measurement_time, temperature FROM raw_weather_data) GROUP BY city ORDER BY s DESC")]
    [InlineData("SELECT STDDEV(temperature) AS spread, city, 'extra' AS note FROM (SELECT DISTINCT city, measurement_time, temperature FROM raw_weather_data) GROUP BY city ORDER BY spread DESC LIMIT 1")]
    public async Task Challenge_1_accepts_the_most_variable_city_written_either_way(string sql)
    {
        var verdict = await day.Session.CheckAsync(1, sql);
        Assert.True(verdict.Correct, verdict.Message);
    }

    [Fact]
    public async Task Challenge_1_rejects_the_least_variable_city_without_naming_the_right_one()
    {
        var verdict = await day.Session.CheckAsync(1, "SELECT city, STDDEV(temperature) AS s FROM raw_weather_data GROUP BY city ORDER BY s ASC LIMIT 1");
        var right = new ChallengeOracle(day.Raw).MostVariableCity;

        Assert.False(verdict.Correct);
        Assert.DoesNotContain(right, verdict.Message);
    }

    [Theory]
    [InlineData("SELECT hour(measurement_time) AS h, AVG(temperature) AS t FROM raw_weather_data GROUP BY 1 ORDER BY 2 DESC")]
    [InlineData("SELECT EXTRACT(hour FROM measurement_time) AS warmest, AVG(temperature) AS mean FROM (SELECT DISTINCT city, measurement_time, temperature FROM raw_weather_data) GROUP BY EXTRACT(hour FROM measurement_time) ORDER BY AVG(temperature) DESC LIMIT 1")]
    public async Task Challenge_2_accepts_the_warmest_hour_written_either_way(string sql)
    {
        var verdict = await day.Session.CheckAsync(2, sql);
        Assert.True(verdict.Correct, verdict.Message);
    }

    [Fact]
    public async Task Challenge_2_rejects_the_coldest_hour()
    {
        Assert.False((await day.Session.CheckAsync(2, "SELECT hour(measurement_time) AS h, AVG(temperature) FROM raw_weather_data GROUP BY 1 ORDER BY AVG(temperature) ASC")).Correct);
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
        var verdict = await day.Session.CheckAsync(3, sql);
        Assert.True(verdict.Correct, verdict.Message);
    }

    [Fact]
    public async Task Challenge_3_rejects_a_plain_hourly_average()
    {
        var verdict = await day.Session.CheckAsync(3, "SELECT city, date_trunc('hour', measurement_time) AS hour_start, AVG(temperature) AS mean_temp FROM raw_weather_data GROUP BY 1, 2");
        Assert.False(verdict.Correct);
        Assert.Contains("rolling average", verdict.Message);
    }

    [Fact]
    public async Task A_query_that_fails_is_reported_not_thrown()
    {
        var verdict = await day.Session.CheckAsync(1, "SELECT nonsense FROM raw_weather_data");
        Assert.False(verdict.Correct);
        Assert.Contains("COLUMN_NOT_FOUND", verdict.Message);
    }
}
