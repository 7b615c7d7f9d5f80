using System.Globalization;
using StreamingWorkshop.Display;

using StreamingWorkshop.Query;

namespace StreamingWorkshop;

/// <summary>Whether a learner's answer to a challenge is right, said without giving the answer away.</summary>
public sealed record ChallengeVerdict(int Challenge, bool Correct, string Message) : IHtmlDisplay
{
    public string ToHtml() =>
        $"<div style=\"padding:8px 12px;border-radius:6px;background:{(Correct ? "#e8f7ec" : "#fff5e6")};border:1px solid {(Correct ? "#2da44e" : "#d4a72c")}\">" +
        $"<b>Challenge {Challenge}: {(Correct ? "correct" : "not yet")}</b> — {HtmlTable.Encode(Message)}</div>";

    public override string ToString() => $"Challenge {Challenge}: {(Correct ? "correct" : "not yet")} — {Message}";
}

/// <summary>
/// The three Task 3 challenges. Each check runs the learner's SQL, works out the right answer itself on the same
/// table, and compares: the learner may write the query any way they like (raw table or the clean view,
/// any function spelling, any column names).
/// </summary>
public static class Challenges
{
    public static readonly IReadOnlyList<string> Questions =
    [
        "Which city's temperature varies the most (the highest standard deviation)? Put that city in the first row.",
        "At which hour of the day (UTC) are temperatures highest on average? Put that hour in the first row.",
        "For each city, what is the rolling average temperature over the current hour and the two before it? One row per city and hour.",
    ];

    // Reference answers are computed from de-duplicated readings (one row per city and measurement time).
    private const string Readings = "(SELECT DISTINCT city, measurement_time, temperature FROM raw_weather_data)";

    public static async Task<ChallengeVerdict> CheckAsync(this WorkshopSession session, int challenge, string sql, CancellationToken cancellationToken = default)
    {
        QueryResult mine;
        try
        {
            mine = await session.QueryAsync(sql, cancellationToken: cancellationToken);
        }
        catch (AthenaQueryException error)
        {
            return new ChallengeVerdict(challenge, false, $"The query did not run: {error.Message}");
        }
        if (mine.Rows.Count == 0) return new ChallengeVerdict(challenge, false, "The query returned no rows.");
        return challenge switch
        {
            1 => await MostVariableCity(session, mine, cancellationToken),
            2 => await WarmestHour(session, mine, cancellationToken),
            3 => await RollingAverage(session, mine, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(challenge), challenge, "There are three challenges, numbered 1 to 3."),
        };
    }

    private static async Task<ChallengeVerdict> MostVariableCity(WorkshopSession session, QueryResult mine, CancellationToken cancellationToken)
    {
        var reference = await session.QueryAsync($"SELECT city FROM {Readings} GROUP BY city ORDER BY stddev_samp(temperature) DESC LIMIT 1", cancellationToken: cancellationToken);
        var expected = (string)reference.Rows[0][0]!;
        var named = mine.Rows[0].OfType<string>().ToList();
        if (named.Contains(expected)) return new ChallengeVerdict(1, true, "Your first row names the city whose temperature varies the most.");
        return new ChallengeVerdict(1, false, named.Count == 0
            ? "Your first row has no city name in it; select the city alongside its variability."
            : $"Your first row names {string.Join(", ", named)}, but another city varies more. Check that you order by the standard deviation of temperature, highest first.");
    }

    private static async Task<ChallengeVerdict> WarmestHour(WorkshopSession session, QueryResult mine, CancellationToken cancellationToken)
    {
        var reference = await session.QueryAsync($"SELECT hour(measurement_time) AS h FROM {Readings} GROUP BY hour(measurement_time) ORDER BY avg(temperature) DESC LIMIT 1", cancellationToken: cancellationToken);
        var expected = Convert.ToInt32(reference.Rows[0][0], CultureInfo.InvariantCulture);
        var hours = mine.Rows[0].Select(v => v switch
        {
            DateTime time => time.Hour,
            TimeOnly time => time.Hour,
            int or long or short or byte or decimal => Convert.ToInt32(v, CultureInfo.InvariantCulture),
            double d when d == Math.Floor(d) && d is >= 0 and < 24 => (int)d,
            _ => -1,
        }).Where(h => h is >= 0 and < 24).ToList();
        if (hours.Contains(expected)) return new ChallengeVerdict(2, true, "Your first row has the hour of the day with the highest average temperature.");
        return new ChallengeVerdict(2, false, hours.Count == 0
            ? "Your first row has no hour of the day in it (a number from 0 to 23, or a time)."
            : "Your first row's hour is not the warmest on average. Group by the hour of the day across all days, and order by the average temperature, highest first.");
    }

    private static async Task<ChallengeVerdict> RollingAverage(WorkshopSession session, QueryResult mine, CancellationToken cancellationToken)
    {
        var reference = await session.QueryAsync($"""
            SELECT city, date_trunc('hour', measurement_time) AS hour,
                   avg(avg_temp) OVER (PARTITION BY city ORDER BY date_trunc('hour', measurement_time) ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS rolling
            FROM (SELECT city, measurement_time, avg(temperature) AS avg_temp FROM (SELECT city, date_trunc('hour', measurement_time) AS measurement_time, temperature FROM {Readings}) GROUP BY city, measurement_time)
            """, cancellationToken: cancellationToken);
        var expected = reference.Rows.ToDictionary(r => ((string)r[0]!, (DateTime)r[1]!), r => Convert.ToDouble(r[2], CultureInfo.InvariantCulture));

        var cityColumn = Enumerable.Range(0, mine.Columns.Count).FirstOrDefault(i => mine.Columns[i].Type == "varchar", -1);
        var timeColumn = Enumerable.Range(0, mine.Columns.Count).FirstOrDefault(i => mine.Columns[i].Type.StartsWith("timestamp", StringComparison.Ordinal), -1);
        var valueColumns = Enumerable.Range(0, mine.Columns.Count).Where(i => mine.Columns[i].Type is "double" or "real" || mine.Columns[i].Type.StartsWith("decimal", StringComparison.Ordinal)).ToList();
        if (cityColumn < 0 || timeColumn < 0 || valueColumns.Count == 0)
            return new ChallengeVerdict(3, false, "Return the city, the hour (a timestamp) and the rolling average in each row.");
        if (mine.Rows.Count != expected.Count)
            return new ChallengeVerdict(3, false, $"Your query returns {mine.Rows.Count:N0} rows; there should be one per city and hour of data.");
        // The rolling average is whichever number column matches; the learner may also keep the hourly average beside it.
        foreach (var column in valueColumns)
        {
            var matches = mine.Rows.Count(r => r[cityColumn] is string city && r[timeColumn] is DateTime hour
                && expected.TryGetValue((city, hour), out var value) && r[column] is not null
                && Math.Abs(Convert.ToDouble(r[column], CultureInfo.InvariantCulture) - value) <= 0.051);
            if (matches == expected.Count) return new ChallengeVerdict(3, true, "Every city's rolling three-hour average matches.");
        }
        return new ChallengeVerdict(3, false, "The numbers do not match a rolling average over the current hour and the two before it. Average each hour first, then use a window frame of ROWS BETWEEN 2 PRECEDING AND CURRENT ROW, per city, in hour order.");
    }
}
