using System.Globalization;
using StreamingWorkshop.Query;

namespace StreamingWorkshop.Jobs;

/// <summary>
/// The jobs notebook's challenge: each city's warmest hour of the day on average, in °F, from the curated table. The check
/// answers the same question from the raw readings (each reading once, by Task 3's rule), so the batch job's output must
/// agree with the lake it came from, and says what is wrong without giving the numbers away.
/// </summary>
public static class EtlChallenge
{
    public const string Name = "ETL challenge";

    public const string Question =
        "For each city, the hour of the day (0 to 23) whose readings have the highest average temperature in °F, and that average rounded to one decimal.";

    // An average rounded to one decimal is off by at most 0.05; averaging °C before converting moves it by less than 0.05 more.
    private const double Tolerance = 0.1;

    /// <summary>The answer from the raw lake, over the readings measured up to {0} (what both the raw table and the curated one hold).</summary>
    private const string RawAnswer = """
        WITH readings AS (
                 SELECT DISTINCT city, measurement_time, temperature FROM raw_weather_data
                 WHERE measurement_time <= TIMESTAMP '{0}'),
             hourly AS (
                 SELECT city, hour(measurement_time) AS hour_of_day, AVG(ROUND(temperature * 9 / 5 + 32, 1)) AS avg_f
                 FROM readings GROUP BY city, hour(measurement_time))
        SELECT city, hour_of_day, avg_f FROM hourly
        """;

    // Hours less than 0.1 °F below the warmest can round to the same one decimal: a learner who ranks rounded averages
    // may pick any of them.
    private const double SameToOneDecimal = 0.1;

    /// <summary>Runs the learner's <paramref name="sql"/> on Athena and judges its rows against the raw lake's answer.</summary>
    public static async Task<ChallengeVerdict> CheckAsync(WorkshopSession session, string sql, CancellationToken cancellationToken = default)
    {
        QueryResult mine;
        try
        {
            mine = await session.QueryAsync(sql, cancellationToken: cancellationToken);
        }
        catch (AthenaQueryException error)
        {
            return NotYet($"The query did not run: {error.Message}");
        }
        if (mine.Rows.Count == 0) return NotYet("The query returned no rows.");
        // Judged on the readings both tables hold: the lake may have grown since the batch job last ran.
        var bounds = await session.QueryAsync("""
            SELECT (SELECT MAX(measurement_time) FROM curated_weather) AS curated_up_to,
                   (SELECT MAX(measurement_time) FROM raw_weather_data) AS raw_up_to
            """, cancellationToken: cancellationToken);
        if (bounds.Rows is not [[DateTime curatedUpTo, DateTime rawUpTo]])
            return NotYet("curated_weather is empty: run the batch job first (workshop.Jobs.RunAsync(workshop.Names.BatchJob, wait: true)).");
        var upTo = curatedUpTo < rawUpTo ? curatedUpTo : rawUpTo;
        var expected = (await session.QueryAsync(string.Format(CultureInfo.InvariantCulture, RawAnswer,
                upTo.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)), cancellationToken: cancellationToken)).Rows
            .Select(r => (City: (string)r[0]!, Hour: Convert.ToInt64(r[1], CultureInfo.InvariantCulture), Average: Convert.ToDouble(r[2], CultureInfo.InvariantCulture)))
            .GroupBy(r => r.City)
            .ToDictionary(g => g.Key, g =>
            {
                var warmest = g.Max(r => r.Average);
                return (Hours: g.Where(r => warmest - r.Average < SameToOneDecimal).Select(r => r.Hour).ToHashSet(), Average: warmest);
            });
        var byCity = new Dictionary<string, object?[]>();
        foreach (var row in mine.Rows)
        {
            if (row.OfType<string>().FirstOrDefault(expected.ContainsKey) is not { } city)
                return NotYet($"A row names no city of the lake ({string.Join(", ", expected.Keys.Order())}); put the city in a column of its own.");
            if (!byCity.TryAdd(city, row)) return NotYet($"{city} has more than one row; keep one row per city.");
        }
        if (expected.Keys.FirstOrDefault(c => !byCity.ContainsKey(c)) is { } missing) return NotYet($"{missing} has no row.");
        foreach (var (city, row) in byCity)
        {
            var (hours, average) = expected[city];
            var numbers = row.Select(Number).OfType<double>().ToList();
            if (!numbers.Any(n => Math.Abs(n - average) <= Tolerance))
                return NotYet($"{city}'s average is not its warmest hour's. Average temperature_f per city and hour of the day, then keep each city's highest.");
            if (!numbers.Any(n => n == Math.Floor(n) && hours.Contains((long)n)))
                return NotYet($"{city}'s average is right, but not its hour. Give the hour column (0 to 23) the average belongs to.");
        }
        return new ChallengeVerdict(1, true, $"Every city's warmest hour and its average agree with the raw readings in the lake ({byCity.Count} cities).", Name);
    }

    private static ChallengeVerdict NotYet(string message) => new(1, false, message, Name);

    private static double? Number(object? value) => value switch
    {
        double or float or decimal or long or int or short or byte => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        _ => null,
    };
}
