using StreamingWorkshop.Delivery;
using StreamingWorkshop.Producer;

namespace StreamingWorkshop.Warehouse;

/// <summary>
/// Many days of minute-by-minute readings written straight into the lake in the delivery stream's layout and format
/// (gzipped JSON lines under location=/year=/month=/day=), one object per city and day, without replaying the pipeline:
/// enough data for COPY to show its speed in seconds.
/// </summary>
public static class MonthOfReadings
{
    /// <summary>Writes <paramref name="days"/> days from <paramref name="start"/> for <paramref name="cities"/> under <paramref name="prefix"/>; returns the readings written.</summary>
    public static async Task<long> WriteAsync(WorkshopSession session, string prefix, DateTimeOffset start, int days, IReadOnlyList<City> cities, int seed = 1,
        CancellationToken cancellationToken = default)
    {
        if (days is < 1 or > 366) throw new ArgumentOutOfRangeException(nameof(days), days, "Write 1 to 366 days.");
        if (!prefix.EndsWith('/')) throw new ArgumentException($"The prefix '{prefix}' must end with '/', as a folder of the lake does.", nameof(prefix));
        var weather = new SimulatedWeatherSource(seed);
        long written = 0;
        await Parallel.ForEachAsync(cities, cancellationToken, async (city, token) =>
        {
            for (var day = 0; day < days; day++)
            {
                var date = start.AddDays(day);
                // The readings' UTF-8 JSON lines, gathered as bytes: the object's content as it is written.
                var lines = new MemoryStream(1440 * 200);
                for (var minute = 0; minute < 1440; minute++)
                {
                    lines.Write(weather.Read(city, date.AddMinutes(minute)).ToJson());
                    lines.WriteByte((byte)'\n');
                }
                var key = $"{prefix}location={city.Name}/year={date:yyyy}/month={date:MM}/day={date:dd}/{session.Names.DeliveryStreamName}-1-{date:yyyy-MM-dd-HH-mm-ss}-{Guid.NewGuid()}.gz";
                await session.Lake.PutObjectAsync(session.Names.LakeBucket, key, LocalDeliveryStream.Gzip(lines.GetBuffer().AsMemory(0, (int)lines.Length)), token);
                Interlocked.Add(ref written, 1440);
            }
        });
        return written;
    }
}
