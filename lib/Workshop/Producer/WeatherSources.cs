using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.IO.Hashing;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Producer;

/// <summary>Where readings come from: the simulated weather (offline) or the Open-Meteo API.</summary>
public interface IWeatherSource
{
    string Name { get; }

    /// <summary>The current reading for a city; throws <see cref="WeatherSourceException"/> when it cannot be had.</summary>
    Task<WeatherReading> FetchAsync(City city, DateTimeOffset collectionTime, CancellationToken cancellationToken = default);
}

public sealed class WeatherSourceException(string city, string reason, Exception? inner = null)
    : Exception($"No reading for {city}: {reason}", inner)
{
    public string City { get; } = city;
}

/// <summary>
/// Deterministic weather for a seed: a seasonal cycle (about 4 °C in January to 16 °C in July), a daily cycle
/// (coolest around 05:00, warmest around 15:00 UTC), a fixed offset per city, slow day-to-day swings and small
/// noise. Like the real API, a value changes only on 15-minute boundaries, so polling every minute returns
/// each measurement about 15 times.
/// </summary>
public sealed class SimulatedWeatherSource(int seed) : IWeatherSource, IHtmlDisplay
{
    /// <summary>In a notebook, what this source is and its calls rather than an object tree.</summary>
    public string ToHtml() => Calls.ToHtml();

    public override string ToString() => Calls.ToString();

    private CallsView Calls => new($"workshop.WeatherSource: simulated weather, seed {Seed}, offline: the same seed and time give the same reading", [
        ("FetchAsync(city, collectionTime)", "a reading made up from the seed, the city and the time"),
        ("Name", SourceName),
    ], "The cities are workshop.Cities; WorkshopOptions.Seed sets the seed, and WorkshopOptions { WeatherSource = \"open-meteo\" } reads the real weather instead.",
        secondHeader: "What it does");

    public const string SourceName = "simulated";
    private static readonly int[] WeatherCodes = [0, 1, 2, 3, 45, 51, 53, 61, 63, 71, 80, 95];

    public int Seed { get; } = seed;
    public string Name => SourceName;

    public Task<WeatherReading> FetchAsync(City city, DateTimeOffset collectionTime, CancellationToken cancellationToken = default) =>
        Task.FromResult(Read(city, collectionTime));

    public WeatherReading Read(City city, DateTimeOffset collectionTime)
    {
        var slot = SlotOf(collectionTime.UtcDateTime);
        var day = DayOf(city, slot.DayIndex);
        var cityHash = day.CityHash;
        var swing = Lerp(day.Swing, day.NextSwing, slot.DayFraction) * 6 - 3;
        var noise = (Unit(cityHash, SlotKey, slot.Index) - 0.5) * 0.8;
        var temperature = Math.Round(slot.Seasonal + slot.DailyAmplitude * slot.DailyShape + day.CityOffset + swing + noise, 1);

        var wind = Math.Round(6 + 22 * Lerp(day.Wind, day.NextWind, slot.DayFraction) + 4 * Unit(cityHash, GustKey, slot.Index), 1);
        var code = WeatherCodes[(int)(Unit(cityHash, CodeKey, slot.Index / 8) * WeatherCodes.Length)];
        return new WeatherReading(city.Name, temperature, slot.MeasurementTime, collectionTime, SourceName, wind, code);
    }

    /// <summary>What every city's reading shares in one 15-minute slot: its time, and the season's and the day's shape.</summary>
    private sealed record Slot(long Ticks, long Index, long DayIndex, double DayFraction, double Seasonal, double DailyAmplitude,
        double DailyShape, string MeasurementTime);

    /// <summary>
    /// The slot a collection time falls in. Readings come city after city for the same slot, so the last one worked out
    /// on this thread is kept and handed out again.
    /// </summary>
    private static Slot SlotOf(DateTime utc)
    {
        var measured = new DateTime(utc.Ticks - utc.Ticks % TimeSpan.FromMinutes(15).Ticks, DateTimeKind.Utc);
        if (lastSlot is { } last && last.Ticks == measured.Ticks) return last;
        var hour = measured.Hour + measured.Minute / 60.0;
        var seasonal = 10 - 6 * Math.Cos(2 * Math.PI * (measured.DayOfYear - 15) / 365.25);
        return lastSlot = new Slot(measured.Ticks, measured.Ticks / TimeSpan.FromMinutes(15).Ticks, measured.Ticks / TimeSpan.TicksPerDay,
            hour / 24, seasonal, 2.5 + 1.5 * (seasonal - 4) / 12, DailyShape(hour),
            measured.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture));
    }

    [ThreadStatic] private static Slot? lastSlot;

    /// <summary>What a city's readings share through one day: its offset and the day's swings of warmth and wind.</summary>
    private sealed record CityDay(long DayIndex, ulong CityHash, double CityOffset, double Swing, double NextSwing,
        double Wind, double NextWind);

    /// <summary>
    /// A city's numbers for a day, kept per city on this thread until the day changes: each reading needs them, and they
    /// take five of the nine hashes a reading draws.
    /// </summary>
    private CityDay DayOf(City city, long dayIndex)
    {
        var days = cityDays ??= new Dictionary<City, CityDay>(ReferenceEqualityComparer.Instance);
        if (days.TryGetValue(city, out var kept) && kept.DayIndex == dayIndex && seedOfCityDays == Seed) return kept;
        if (seedOfCityDays != Seed || days.Count >= CityDaysKept)
        {
            days.Clear();
            seedOfCityDays = Seed;
        }
        var cityHash = Hash(city.Name);
        return days[city] = new CityDay(dayIndex, cityHash,
            (Unit(cityHash, OffsetKey, 0) - 0.5) * 3 - (city.Latitude - 51.5) * 0.5,
            Unit(cityHash, DayKey, dayIndex), Unit(cityHash, DayKey, dayIndex + 1),
            Unit(cityHash, WindKey, dayIndex), Unit(cityHash, WindKey, dayIndex + 1));
    }

    private const int CityDaysKept = 16_384;
    [ThreadStatic] private static Dictionary<City, CityDay>? cityDays;
    [ThreadStatic] private static int seedOfCityDays;

    /// <summary>-1 at 05:00, +1 at 15:00: a rise over ten hours and a fall over fourteen.</summary>
    private static double DailyShape(double hour)
    {
        if (hour is >= 5 and <= 15) return -Math.Cos(Math.PI * (hour - 5) / 10);
        var sinceWarmest = (hour - 15 + 24) % 24;
        return Math.Cos(Math.PI * sinceWarmest / 14);
    }

    private static double Lerp(double a, double b, double t) => a + (b - a) * (3 * t * t - 2 * t * t * t);

    // The hash of each purpose's name, which goes into every number drawn for it.
    private static readonly ulong OffsetKey = Hash("offset"), DayKey = Hash("day"), SlotKey = Hash("slot"),
        WindKey = Hash("wind"), GustKey = Hash("gust"), CodeKey = Hash("code");

    private static ulong Hash(string text) => XxHash64.HashToUInt64(MemoryMarshal.AsBytes(text.AsSpan()));

    /// <summary>
    /// A number in [0, 1) fixed by the seed, the city and a purpose (given as the hashes of their names) and an index:
    /// the same inputs always give the same weather.
    /// </summary>
    private double Unit(ulong cityHash, ulong purposeHash, long index)
    {
        // Hashed from a small stack buffer rather than a formatted string: the benchmark calls this millions of times.
        Span<byte> key = stackalloc byte[28];
        BinaryPrimitives.WriteInt32LittleEndian(key, Seed);
        BinaryPrimitives.WriteUInt64LittleEndian(key[4..], cityHash);
        BinaryPrimitives.WriteUInt64LittleEndian(key[12..], purposeHash);
        BinaryPrimitives.WriteInt64LittleEndian(key[20..], index);
        return (XxHash64.HashToUInt64(key) >> 11) * (1.0 / (1UL << 53));
    }
}

/// <summary>
/// The Open-Meteo forecast API's current weather (no key needed). Timeouts, HTTP errors and responses of the
/// wrong shape become <see cref="WeatherSourceException"/>, which the producer records as a failed city.
/// </summary>
public sealed class OpenMeteoWeatherSource(HttpClient http, Uri? baseUrl = null, TimeSpan? timeout = null) : IWeatherSource, IHtmlDisplay
{
    /// <summary>In a notebook, what this source is and its call rather than an object tree.</summary>
    public string ToHtml() => Calls.ToHtml();

    public override string ToString() => Calls.ToString();

    private CallsView Calls => new($"workshop.WeatherSource: the real weather, from Open-Meteo's forecast API at {baseUrl} (needs the network)", [
        ("FetchAsync(city, collectionTime)", "GET v1/forecast with the city's latitude and longitude: its current weather"),
        ("Name", SourceName),
    ], "The cities are workshop.Cities. Readings change every 15 minutes, as the API's do.", secondHeader: "What it does");

    public const string SourceName = "open-meteo";
    public static readonly Uri DefaultBaseUrl = new("https://api.open-meteo.com/");

    private readonly Uri baseUrl = baseUrl ?? DefaultBaseUrl;
    private readonly TimeSpan timeout = timeout ?? TimeSpan.FromSeconds(10);

    public string Name => SourceName;

    public async Task<WeatherReading> FetchAsync(City city, DateTimeOffset collectionTime, CancellationToken cancellationToken = default)
    {
        var url = new Uri(baseUrl, string.Create(CultureInfo.InvariantCulture,
            $"v1/forecast?latitude={city.Latitude}&longitude={city.Longitude}&current_weather=true"));
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            using var response = await http.GetAsync(url, limit.Token);
            if (!response.IsSuccessStatusCode)
                throw new WeatherSourceException(city.Name, $"the API answered {(int)response.StatusCode} {response.ReasonPhrase}");
            var body = await response.Content.ReadFromJsonAsync<ForecastResponse>(limit.Token);
            var current = body?.CurrentWeather;
            if (current?.Time is null || current.Temperature is null)
                throw new WeatherSourceException(city.Name, "the response has no current_weather.time or current_weather.temperature");
            return new WeatherReading(city.Name, current.Temperature.Value, current.Time, collectionTime, SourceName, current.WindSpeed, current.WeatherCode);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WeatherSourceException(city.Name, $"no answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException error)
        {
            throw new WeatherSourceException(city.Name, $"the request failed ({error.Message})", error);
        }
        catch (JsonException error)
        {
            throw new WeatherSourceException(city.Name, $"the response is not the expected JSON ({error.Message})", error);
        }
    }

    private sealed record ForecastResponse([property: JsonPropertyName("current_weather")] CurrentWeather? CurrentWeather);

    private sealed record CurrentWeather(
        [property: JsonPropertyName("time")] string? Time,
        [property: JsonPropertyName("temperature")] double? Temperature,
        [property: JsonPropertyName("windspeed")] double? WindSpeed,
        [property: JsonPropertyName("weathercode")] int? WeatherCode);
}
