using System.Globalization;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Display;

using StreamingWorkshop.Query;

namespace StreamingWorkshop;

/// <summary>Whether a learner's answer to a challenge is right, said without giving the answer away.</summary>
public sealed record ChallengeVerdict(int Challenge, bool Correct, string Message, string? Name = null) : IHtmlDisplay
{
    public string Verdict => Correct ? "Correct" : "Not yet";

    /// <summary>How the verdict names its challenge: "Challenge 2", or a going-further notebook's own name.</summary>
    public string Label => Name ?? $"Challenge {Challenge}";

    public string ToHtml() =>
        $"<div style=\"padding:8px 12px;border-radius:6px;background:{(Correct ? HtmlTable.GreenTint : HtmlTable.AmberTint)};border:1px solid {(Correct ? "#2da44e" : "#d4a72c")}\">" +
        $"{HtmlTable.Encode(Label)} · <b>{Verdict}:</b> {HtmlTable.Encode(Message)}</div>";

    public override string ToString() => $"{Label} · {Verdict}: {Message}";
}

/// <summary>
/// The three Task 3 challenges. Each check runs the learner's SQL, works out the right answer itself from the
/// de-duplicated readings, and compares: the learner may write the query any way they like (any function
/// spelling, any column names, extra columns). The rules the checks apply are stated in <see cref="Rules"/>.
/// </summary>
public static class Challenges
{
    public static readonly IReadOnlyList<string> Questions =
    [
        "Which city's temperature varies the most? Put that city and its standard deviation of temperature in the first row.",
        "At which hour of the day (UTC, 0 to 23, across all days) are temperatures highest on average? Put that hour and its average temperature in the first row.",
        "For each city, what is the rolling average temperature over the current hour and the two before it (fewer in a city's first hours)? One row per city and hour of data, with the city, the hour (a timestamp) and the rolling average.",
    ];

    /// <summary>How every answer is judged, shown to the learner beside the questions.</summary>
    public const string Rules =
        "Each measurement (a city at a measurement_time) counts once: the raw table repeats measurements, and the clean_weather_data view keeps one row for each. " +
        "Numbers are compared to three decimal places: keep at least three decimals. " +
        "If two cities or two hours tie for first place, either one is accepted.";

    // Numbers rounded to three decimals are off by at most 0.0005; the extra margin absorbs binary rounding.
    private const double Tolerance = 0.0006;

    // Values this close count as a tie: equal up to floating-point summation order.
    private const double TieMargin = 1e-9;

    // Each reading once: one row per city and measurement time.
    private const string Readings = "(SELECT DISTINCT city, measurement_time, temperature FROM raw_weather_data)";

    public static async Task<ChallengeVerdict> CheckAsync(this WorkshopSession session, int challenge, string sql, CancellationToken cancellationToken = default)
    {
        if (challenge is < 1 or > 3)
            throw new ArgumentOutOfRangeException(nameof(challenge), challenge, challenge == 4
                ? "CheckAsync takes the SQL challenges, 1 to 3. Challenge 4 is a partition key: check it with workshop.CheckPartitionKeys((city, minute) => ...)."
                : "CheckAsync takes the SQL challenges, numbered 1 to 3 (challenge 4 has CheckPartitionKeys).");
        QueryResult mine;
        try
        {
            mine = await session.QueryAsync(sql, cancellationToken: cancellationToken);
        }
        catch (AthenaQueryException error)
        {
            return NotYet(challenge, $"The query did not run: {error.Message}");
        }
        if (mine.Rows.Count == 0) return NotYet(challenge, "The query returned no rows.");
        return challenge switch
        {
            1 => await MostVariableCity(session, mine, cancellationToken),
            2 => await WarmestHour(session, mine, cancellationToken),
            _ => await RollingAverage(session, mine, cancellationToken),
        };
    }

    /// <summary>The stream challenge: partition keys that keep every shard of a four-shard stream busy.</summary>
    public const string StreamQuestion =
        "Choose a partition key for each reading (from its city and the minute of the hour, 0 to 59) so that the three cities keep all four shards of a four-shard stream busy, and no key is shared by two cities.";

    /// <summary>Shards of the stream the stream challenge is judged on, split evenly as UpdateShardCount would.</summary>
    public const int StreamChallengeShards = 4;

    /// <summary>
    /// Challenge 4: routes the key <paramref name="partitionKey"/> gives each city's reading of every minute as Kinesis does
    /// (MD5 of the key, over four equal hash-key ranges) and says whether every shard gets some, without naming the keys that would.
    /// </summary>
    public static ChallengeVerdict CheckPartitionKeys(this WorkshopSession session, Func<string, int, string> partitionKey)
    {
        var starts = HashKeys.SplitEvenly(StreamChallengeShards).Select(r => r.Start).ToArray();
        var cityOfKey = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var city in session.Cities.Select(c => c.Name))
            for (var minute = 0; minute < 60; minute++)
            {
                var key = partitionKey(city, minute);
                if (string.IsNullOrEmpty(key) || key.Length > 256)
                    return NotYet(4, $"The key for {city} at minute {minute} is {(string.IsNullOrEmpty(key) ? "empty" : "longer than 256 characters")}: a partition key has 1 to 256 characters.");
                if (!cityOfKey.TryGetValue(key, out var cities)) cityOfKey[key] = cities = new HashSet<string>(StringComparer.Ordinal);
                cities.Add(city);
            }
        if (cityOfKey.FirstOrDefault(k => k.Value.Count > 1) is { Key: { } shared })
            return NotYet(4, $"The key '{shared}' is used by more than one city: keep each key to one city, so a reader can put each city back in order.");
        var busy = cityOfKey.Keys.Select(k => HashKeys.ShardIndexFor(HashKeys.FromPartitionKey(k), starts)).Distinct().Count();
        if (busy < StreamChallengeShards)
            return NotYet(4, $"Your {cityOfKey.Count} key(s) keep {busy} of {StreamChallengeShards} shards busy. Keys spread by their MD5 hash, not evenly: try more keys per city.");
        return new ChallengeVerdict(4, true, $"Your {cityOfKey.Count} keys keep all {StreamChallengeShards} shards busy, and each key belongs to one city.");
    }

    private static ChallengeVerdict NotYet(int challenge, string hint) => new(challenge, false, hint);

    private static bool Near(double expected, double actual) => Math.Abs(expected - actual) <= Tolerance;

    private static double? AsNumber(object? value) => value switch
    {
        double or float or decimal or int or long or short or byte => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        _ => null,
    };

    private static async Task<ChallengeVerdict> MostVariableCity(WorkshopSession session, QueryResult mine, CancellationToken cancellationToken)
    {
        var reference = await session.QueryAsync($"SELECT city, stddev_samp(temperature) FROM {Readings} GROUP BY city", cancellationToken: cancellationToken);
        var spread = reference.Rows.ToDictionary(r => (string)r[0]!, r => Convert.ToDouble(r[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        var highest = spread.Values.Max();

        var row = mine.Rows[0];
        var cities = row.OfType<string>().Where(spread.ContainsKey).ToList();
        var numbers = row.Select(AsNumber).OfType<double>().ToList();
        // Shape first: these hints do not depend on which row happens to come first.
        if (cities.Count == 0 || numbers.Count == 0)
            return NotYet(1, "Put a city and its standard deviation of temperature in your first row.");
        if (!cities.Any(c => spread[c] >= highest - TieMargin))
            return NotYet(1, "Your first row's city is not the one whose temperature varies the most. Order by the standard deviation of temperature, highest first.");
        if (!cities.Any(c => numbers.Any(n => Near(spread[c], n))))
            return NotYet(1, "Your first row names the right city, but the number beside it is not its standard deviation of temperature. " +
                "Use STDDEV over each reading counted once (the clean_weather_data view), and keep at least three decimals.");
        return new ChallengeVerdict(1, true, "Your first row names the city whose temperature varies the most, with its standard deviation.");
    }

    private static async Task<ChallengeVerdict> WarmestHour(WorkshopSession session, QueryResult mine, CancellationToken cancellationToken)
    {
        var reference = await session.QueryAsync($"SELECT hour(measurement_time), avg(temperature) FROM {Readings} GROUP BY hour(measurement_time)", cancellationToken: cancellationToken);
        var average = reference.Rows.ToDictionary(r => Convert.ToInt32(r[0], CultureInfo.InvariantCulture), r => Convert.ToDouble(r[1], CultureInfo.InvariantCulture));
        var highest = average.Values.Max();

        var row = mine.Rows[0];
        var hours = row.Select((value, column) => (Column: column, Hour: value switch
        {
            DateTime time => time.Hour,
            TimeOnly time => time.Hour,
            int or long or short or byte => Convert.ToInt32(value, CultureInfo.InvariantCulture),
            decimal m when m == decimal.Floor(m) && m is >= 0 and < 24 => (int)m,
            double d when d == Math.Floor(d) && d is >= 0 and < 24 => (int)d,
            _ => -1,
        })).Where(h => average.ContainsKey(h.Hour)).ToList();
        var numbers = row.Select((value, column) => (Column: column, Value: AsNumber(value))).Where(n => n.Value is not null).ToList();
        // Shape first: these hints do not depend on which row happens to come first.
        if (hours.Count == 0 || !hours.Any(h => numbers.Any(n => n.Column != h.Column)))
            return NotYet(2, "Put an hour of the day (a number from 0 to 23) and its average temperature in your first row.");
        var warmest = hours.Where(h => average[h.Hour] >= highest - TieMargin).ToList();
        if (warmest.Count == 0)
            return NotYet(2, "Your first row's hour is not the warmest on average. Group by the hour of the day across all days, and order by the average temperature, highest first.");
        if (warmest.Any(h => numbers.Any(n => n.Column != h.Column && Near(average[h.Hour], n.Value!.Value))))
            return new ChallengeVerdict(2, true, "Your first row has the hour of the day with the highest average temperature, with that average.");
        return NotYet(2, "Your first row has the right hour, but the number beside it is not its average temperature. " +
            "Use AVG over every reading in that hour of the day, and keep at least three decimals.");
    }

    private static async Task<ChallengeVerdict> RollingAverage(WorkshopSession session, QueryResult mine, CancellationToken cancellationToken)
    {
        var reference = await session.QueryAsync($"SELECT city, date_trunc('hour', measurement_time), avg(temperature) FROM {Readings} GROUP BY 1, 2", cancellationToken: cancellationToken);
        // Where an hour has no data, "the two before it" reads two ways, and both are accepted: the two hours before it
        // that have data (a ROWS frame) or the two clock hours before it (a RANGE frame over an INTERVAL).
        var overHoursWithData = new Dictionary<(string City, DateTime Hour), double>();
        var overClockHours = new Dictionary<(string City, DateTime Hour), double>();
        foreach (var city in reference.Rows.GroupBy(r => (string)r[0]!))
        {
            var hourly = city.Select(r => (Hour: (DateTime)r[1]!, Mean: Convert.ToDouble(r[2], CultureInfo.InvariantCulture))).OrderBy(h => h.Hour).ToList();
            for (var i = 0; i < hourly.Count; i++)
            {
                var key = (city.Key, hourly[i].Hour);
                overHoursWithData[key] = hourly.Skip(Math.Max(0, i - 2)).Take(Math.Min(3, i + 1)).Average(h => h.Mean);
                overClockHours[key] = hourly.Take(i + 1).Where(h => h.Hour > hourly[i].Hour.AddHours(-3)).Average(h => h.Mean);
            }
        }
        var cities = overHoursWithData.Keys.Select(k => k.City).ToHashSet(StringComparer.Ordinal);

        var cityColumn = Enumerable.Range(0, mine.Columns.Count).FirstOrDefault(i => mine.Rows.All(r => r[i] is string s && cities.Contains(s)), -1);
        var timeColumns = Enumerable.Range(0, mine.Columns.Count).Where(i => mine.Rows.All(r => r[i] is DateTime)).ToList();
        var valueColumns = Enumerable.Range(0, mine.Columns.Count).Where(i => i != cityColumn && !timeColumns.Contains(i) && mine.Rows.All(r => AsNumber(r[i]) is not null)).ToList();
        if (cityColumn < 0 || timeColumns.Count == 0 || valueColumns.Count == 0)
            return NotYet(3, "Return the city, the hour (a timestamp) and the rolling average in each row.");
        List<(string, DateTime)> KeysIn(int timeColumn) => mine.Rows.Select(r => ((string)r[cityColumn]!, (DateTime)r[timeColumn]!)).ToList();
        bool OnePerCityAndHour(List<(string, DateTime)> keys) =>
            keys.Count == overHoursWithData.Count && keys.Distinct().Count() == keys.Count && keys.All(overHoursWithData.ContainsKey);
        // The hour is whichever timestamp column holds one row per city and hour; a learner may keep other times beside it.
        var hourColumn = timeColumns.FirstOrDefault(column => OnePerCityAndHour(KeysIn(column)), -1);
        if (hourColumn < 0)
            return NotYet(3, $"Your query returns {mine.Rows.Count:N0} rows; there should be exactly one per city and hour of data, with the hour as a timestamp (date_trunc('hour', ...)).");
        var hours = KeysIn(hourColumn);
        // The rolling average is whichever number column matches; the learner may also keep the hourly average beside it.
        bool Matches(Dictionary<(string City, DateTime Hour), double> expected) =>
            valueColumns.Any(column => mine.Rows.Zip(hours).All(pair => Near(expected[pair.Second], AsNumber(pair.First[column])!.Value)));
        if (Matches(overHoursWithData) || Matches(overClockHours))
            return new ChallengeVerdict(3, true, "Every city's rolling three-hour average matches.");
        return NotYet(3, "The numbers do not match a rolling average over the current hour and the two before it. " +
            "Average each hour first, then use a window frame of ROWS BETWEEN 2 PRECEDING AND CURRENT ROW, per city, in hour order.");
    }
}
