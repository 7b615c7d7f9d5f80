using System.Globalization;

namespace Workshop.Tests.Query.Challenges;

/// <summary>
/// The three challenges' answers worked out here, in C#, from the lake's own lines (never through the query engine):
/// each reading once, as the clean view keeps it.
/// </summary>
public sealed class ChallengeOracle
{
    public ChallengeOracle(IReadOnlyList<RawReading> raw)
    {
        var readings = raw.DistinctBy(r => (r.City, r.MeasurementTime, r.Temperature)).ToList();
        Spread = readings.GroupBy(r => r.City).ToDictionary(g => g.Key, g => SampleStdDev(g.Select(r => r.Temperature).ToList()), StringComparer.Ordinal);
        SpreadCountingRepeats = raw.GroupBy(r => r.City).ToDictionary(g => g.Key, g => SampleStdDev(g.Select(r => r.Temperature).ToList()), StringComparer.Ordinal);
        HourOfDayAverage = readings.GroupBy(r => r.MeasurementTime.Hour).ToDictionary(g => g.Key, g => g.Average(r => r.Temperature));
        var rolling = new Dictionary<(string, DateTime), double>();
        foreach (var city in readings.GroupBy(r => r.City))
        {
            var hourly = city.GroupBy(r => Hour(r.MeasurementTime)).OrderBy(g => g.Key).Select(g => (Hour: g.Key, Mean: g.Average(r => r.Temperature))).ToList();
            for (var i = 0; i < hourly.Count; i++)
            {
                var window = hourly.Where(h => h.Hour > hourly[i].Hour.AddHours(-3) && h.Hour <= hourly[i].Hour).ToList();
                rolling[(city.Key, hourly[i].Hour)] = window.Average(h => h.Mean);
            }
        }
        Rolling = rolling;
    }

    public IReadOnlyDictionary<string, double> Spread { get; }
    public IReadOnlyDictionary<string, double> SpreadCountingRepeats { get; }
    public IReadOnlyDictionary<int, double> HourOfDayAverage { get; }
    public IReadOnlyDictionary<(string City, DateTime Hour), double> Rolling { get; }

    public string MostVariableCity => Spread.MaxBy(s => s.Value).Key;
    public string SecondMostVariableCity => Spread.OrderByDescending(s => s.Value).Skip(1).First().Key;
    public int WarmestHour => HourOfDayAverage.MaxBy(h => h.Value).Key;
    public int ColdestHour => HourOfDayAverage.MinBy(h => h.Value).Key;

    /// <summary>A SQL literal with three decimals, as a learner who rounds to three decimals would give.</summary>
    public static string ThreeDecimals(double value) => Math.Round(value, 3).ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>The rolling averages as a query of literals, one SELECT per city and hour.</summary>
    public string RollingAsLiterals(Func<double, double>? change = null) => string.Join("\nUNION ALL ", Rolling.Select(r =>
        $"SELECT '{r.Key.City}' AS city, TIMESTAMP '{r.Key.Hour:yyyy-MM-dd HH:mm:ss}' AS hour_start, {ThreeDecimals((change ?? (v => v))(r.Value))} AS rolling"));

    private static DateTime Hour(DateTime time) => new(time.Year, time.Month, time.Day, time.Hour, 0, 0, time.Kind);

    private static double SampleStdDev(IReadOnlyCollection<double> values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
