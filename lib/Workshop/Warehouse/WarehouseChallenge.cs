using System.Globalization;

namespace StreamingWorkshop.Warehouse;

/// <summary>
/// The warehouse notebook's challenge: each city's biggest rise in temperature from one measurement to the next, and when it
/// ended. The learner answers on the warehouse; the check answers the same question on Athena over the lake, so the two
/// engines must agree, and says what is wrong without giving the numbers away.
/// </summary>
public static class WarehouseChallenge
{
    public const string Name = "Warehouse challenge";

    public const string Question =
        "For each city, the biggest rise in temperature from one measurement to the next (each reading once), and the measurement_time at which that rise ended.";

    // Numbers rounded to three decimals are off by at most 0.0005; the margin absorbs binary rounding.
    private const double Tolerance = 0.0006;

    /// <summary>The answer, worked out by Athena from the raw lake: each reading once, then the step from the one before.</summary>
    private const string AthenaAnswer = """
        WITH readings AS (SELECT DISTINCT city, measurement_time, temperature FROM raw_weather_data WHERE measurement_time <= TIMESTAMP '{0}'),
             steps AS (
                 SELECT city, measurement_time,
                        temperature - LAG(temperature) OVER (PARTITION BY city ORDER BY measurement_time) AS rise
                 FROM readings)
        SELECT city, rise, measurement_time FROM steps
        WHERE rise IS NOT NULL AND rise = (SELECT MAX(s.rise) FROM steps s WHERE s.city = steps.city)
        """;

    /// <summary>
    /// Judges <paramref name="rows"/>, the learner's result on the warehouse, against Athena's answer over the lake's readings up
    /// to <paramref name="loadedUpTo"/>, the last measurement the warehouse loaded (the lake may have grown since the COPY).
    /// </summary>
    public static async Task<ChallengeVerdict> CheckAsync(WorkshopSession session, IReadOnlyList<object?[]> rows, DateTime loadedUpTo, CancellationToken cancellationToken = default)
    {
        if (rows.Count == 0) return NotYet("The query returned no rows.");
        var sql = string.Format(CultureInfo.InvariantCulture, AthenaAnswer, loadedUpTo.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture));
        var expected = (await session.QueryAsync(sql, cancellationToken: cancellationToken)).Rows
            .GroupBy(r => (string)r[0]!)
            .ToDictionary(g => g.Key, g => (Rise: Convert.ToDouble(g.First()[1], CultureInfo.InvariantCulture), Ends: g.Select(r => AsTime(r[2])).ToHashSet()));
        var byCity = new Dictionary<string, object?[]>();
        foreach (var row in rows)
        {
            if (row.OfType<string>().FirstOrDefault(expected.ContainsKey) is not { } city)
                return NotYet($"A row names no city of the lake ({string.Join(", ", expected.Keys.Order())}); put the city in a column of its own.");
            if (!byCity.TryAdd(city, row)) return NotYet($"{city} has more than one row; keep one row per city.");
        }
        if (expected.Keys.FirstOrDefault(c => !byCity.ContainsKey(c)) is { } missing) return NotYet($"{missing} has no row.");
        foreach (var (city, row) in byCity)
        {
            var (rise, ends) = expected[city];
            if (!row.Any(v => Number(v) is { } number && Math.Abs(number - rise) <= Tolerance))
                return NotYet($"{city}'s rise is not the biggest step between two consecutive readings. Count each reading once, and order by measurement_time.");
            if (!row.Any(v => AsTime(v) is { } time && ends.Contains(time)))
                return NotYet($"{city}'s rise is right, but the time is not when it ended: give the measurement_time of the later reading.");
        }
        return new ChallengeVerdict(1, true, $"Every city's biggest rise and when it ended agree with Athena's answer over the lake ({byCity.Count} cities).", Name);
    }

    private static ChallengeVerdict NotYet(string message) => new(1, false, message, Name);

    /// <summary>A number from either engine: the Data API carries DECIMAL and NUMERIC values as text.</summary>
    private static double? Number(object? value) => value switch
    {
        double or float or decimal or long or int or short => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        string text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    /// <summary>A time from either engine, whether it came as a DateTime or as Redshift's text.</summary>
    internal static DateTime? AsTime(object? value) => value switch
    {
        DateTime time => time,
        DateTimeOffset offset => offset.UtcDateTime,
        string text when DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed) => parsed,
        _ => null,
    };
}
