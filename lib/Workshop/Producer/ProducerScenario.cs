using System.Globalization;

namespace StreamingWorkshop.Producer;

/// <summary>
/// What goes differently for the producer during a replay: an outage in which it cannot reach the stream (it keeps
/// the readings it took and sends them once the stream answers again, with their original measurement_time and
/// collection_time), and a new producer version that adds a humidity field from a given time on.
/// </summary>
public sealed record ProducerScenario
{
    public static readonly ProducerScenario None = new();

    /// <summary>Invocations at or after <see cref="ProducerOutage.From"/> and before <see cref="ProducerOutage.To"/> reach no stream.</summary>
    public ProducerOutage? Outage { get; init; }

    /// <summary>
    /// The stream stored the readings of the last invocation before <see cref="Outage"/>, but their answers were lost, so
    /// the producer keeps them as well and sends them again in the backfill: each of those readings reaches the stream twice.
    /// </summary>
    public bool ResendLastBeforeOutage { get; init; }

    /// <summary>From this time on, each reading carries a "humidity" field (relative humidity in percent).</summary>
    public DateTimeOffset? HumidityFrom { get; init; }

    /// <summary>
    /// Refuses a replay from <paramref name="start"/> to <paramref name="end"/> in which the outage begins but does not
    /// end: the producer sends what it kept at its first invocation after the outage, so without one the kept readings
    /// would never reach the stream, and would be gone with the process.
    /// </summary>
    public void CheckReplay(DateTimeOffset start, DateTimeOffset end)
    {
        if (Outage is not { } outage || outage.From >= end || outage.To < end) return;
        var needed = outage.To.AddMinutes(1) - start;
        var length = needed.Minutes == 0 ? $"{(int)needed.TotalHours}h" : $"{(int)needed.TotalHours}h{needed.Minutes}m";
        throw new ArgumentException(
            $"The outage from {outage} does not end before the replay does ({start.UtcDateTime:yyyy-MM-dd HH:mm} to {end.UtcDateTime:yyyy-MM-dd HH:mm} UTC), " +
            $"so the readings the producer kept would never be sent. Replay for at least {length} from {start.UtcDateTime:yyyy-MM-dd HH:mm} UTC, or end the outage sooner.");
    }
}

/// <summary>A time window in which the producer cannot put records on the stream.</summary>
public sealed record ProducerOutage(DateTimeOffset From, DateTimeOffset To)
{
    public bool Covers(DateTimeOffset time) => time >= From && time < To;

    /// <summary>
    /// Reads "HH:mm-HH:mm" (UTC) as a window on the day of <paramref name="day"/>; an end before the start is on the next
    /// day, so "23:30-00:30" crosses midnight. An end equal to the start is refused: the window would be empty.
    /// </summary>
    public static ProducerOutage Parse(string text, DateTimeOffset day, string what = "Outage")
    {
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || !TimeOnly.TryParseExact(parts[0], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
            || !TimeOnly.TryParseExact(parts[1], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to))
            throw new ArgumentException($"{what} '{text}' is not a UTC time window such as 10:00-11:00 (or 23:30-00:30 across midnight).");
        if (from == to)
            throw new ArgumentException($"{what} '{text}' is an empty window: it ends where it starts. Give an end after the start, such as {parts[0]}-{from.AddHours(1):HH:mm}.");
        var date = new DateTimeOffset(day.UtcDateTime.Date, TimeSpan.Zero);
        var start = date + from.ToTimeSpan();
        var end = date + to.ToTimeSpan();
        if (end <= start) end = end.AddDays(1);
        return new ProducerOutage(start, end);
    }

    /// <summary>Reads "HH:mm" (UTC) as that time on the day of <paramref name="day"/>.</summary>
    public static DateTimeOffset ParseTimeOfDay(string text, DateTimeOffset day, string what = "Time")
    {
        if (!TimeOnly.TryParseExact(text.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            throw new ArgumentException($"{what} '{text}' is not a UTC time of day such as 12:00.");
        return new DateTimeOffset(day.UtcDateTime.Date, TimeSpan.Zero) + time.ToTimeSpan();
    }

    public override string ToString() => $"{From.UtcDateTime:yyyy-MM-dd HH:mm} to {To.UtcDateTime:yyyy-MM-dd HH:mm} UTC";
}
