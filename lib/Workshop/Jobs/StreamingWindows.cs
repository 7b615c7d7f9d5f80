namespace StreamingWorkshop.Jobs;

/// <summary>
/// The streaming job's per-city tumbling 5-minute windows on the readings' collection_time. A window is written once,
/// by the first batch whose trigger time is at least its end plus the watermark; a reading whose window was already
/// written is late and only counted.
/// </summary>
internal static class StreamingWindows
{
    public static (WindowState State, IReadOnlyList<OpenWindow> Closed, int Late) Advance(WindowState previous, IEnumerable<ParsedReading> readings, DateTimeOffset trigger)
    {
        var open = previous.Open.ToDictionary(w => (w.City, w.Start));
        var late = 0;
        foreach (var reading in readings)
        {
            var start = StartOf(reading.Collected);
            if (previous.WrittenThrough is { } written && start + ReadingsCuration.Window + StreamingMicroBatch.Watermark <= written)
            {
                late++;
                continue;
            }
            var t = reading.Temperature;
            open[(reading.City, start)] = open.TryGetValue((reading.City, start), out var w)
                ? w with { Readings = w.Readings + 1, Sum = w.Sum + t, Min = Math.Min(w.Min, t), Max = Math.Max(w.Max, t) }
                : new OpenWindow(reading.City, start, 1, t, t, t);
        }
        var ordered = open.Values.OrderBy(w => w.Start).ThenBy(w => w.City, StringComparer.Ordinal).ToList();
        var closed = ordered.Where(w => w.Start + ReadingsCuration.Window + StreamingMicroBatch.Watermark <= trigger).ToList();
        var stillOpen = ordered.Where(w => w.Start + ReadingsCuration.Window + StreamingMicroBatch.Watermark > trigger).ToList();
        return (new WindowState(trigger, stillOpen), closed, late);
    }

    /// <summary>The start of the 5-minute window holding <paramref name="time"/> (windows start at :00, :05, ...).</summary>
    public static DateTimeOffset StartOf(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.UtcTicks - utc.UtcTicks % ReadingsCuration.Window.Ticks, TimeSpan.Zero);
    }

    /// <summary>A window's average temperature, to two decimals as the table shows it.</summary>
    public static double Average(OpenWindow window) => Math.Round(window.Sum / window.Readings, 2, MidpointRounding.AwayFromZero);
}
