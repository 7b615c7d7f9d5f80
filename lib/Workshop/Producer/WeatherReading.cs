using System.Buffers;
using System.Globalization;
using System.Text.Json;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Producer;

/// <summary>
/// One reading as the producer puts it on the stream: a single JSON object with the field names the
/// workshop's queries use. measurement_time is the weather API's own "yyyy-MM-ddTHH:mm" (UTC);
/// collection_time is when the producer asked, ISO 8601 in UTC with milliseconds and a Z.
/// </summary>
public sealed record WeatherReading(
    string City,
    double Temperature,
    string MeasurementTime,
    DateTimeOffset CollectionTime,
    string Source,
    double? WindSpeed = null,
    int? WeatherCode = null,
    double? Humidity = null)
{
    public const string CollectionTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public byte[] ToJson()
    {
        // Almost every reading holds only plain ASCII text and finite numbers: those are written byte by byte, a quarter
        // of the time Utf8JsonWriter takes, with the bytes it would write. Anything else goes through the writer, which
        // escapes text as JavaScriptEncoder.Default does and refuses numbers JSON cannot hold.
        if (!IsPlain(City) || !IsPlain(MeasurementTime) || !IsPlain(Source) || !double.IsFinite(Temperature)
            || WindSpeed is { } wind && !double.IsFinite(wind) || Humidity is { } humidity && !double.IsFinite(humidity))
            return ToJsonThroughWriter();
        var size = PlainJsonFixedSize + City.Length + MeasurementTime.Length + Source.Length;
        var buffer = plainBuffer is { } kept && kept.Length >= size ? kept : plainBuffer = new byte[Math.Max(size, 512)];
        var json = new PlainJson(buffer);
        json.Raw("{\"city\":\""u8);
        json.Text(City);
        json.Raw("\",\"temperature\":"u8);
        json.Number(Temperature);
        json.Raw(",\"measurement_time\":\""u8);
        json.Text(MeasurementTime);
        json.Raw("\",\"collection_time\":\""u8);
        json.Raw(CollectedText(CollectionTime.UtcDateTime));
        json.Raw("\",\"source\":\""u8);
        json.Text(Source);
        json.Raw("\""u8);
        if (WindSpeed is { } windSpeed)
        {
            json.Raw(",\"wind_speed\":"u8);
            json.Number(windSpeed);
        }
        if (WeatherCode is { } code)
        {
            json.Raw(",\"weather_code\":"u8);
            json.Integer(code);
        }
        if (Humidity is { } relative)
        {
            json.Raw(",\"humidity\":"u8);
            json.Number(relative);
        }
        json.Raw("}"u8);
        return buffer.AsSpan(0, json.Length).ToArray();
    }

    /// <summary>The field names, quotes and separators, a collection time and the three numbers at their longest.</summary>
    private const int PlainJsonFixedSize = 160 + 32 + 3 * 32 + 11;

    /// <summary>
    /// Text JavaScriptEncoder.Default writes as it is: letters, digits, spaces and a few marks that are never escaped.
    /// (The encoder also escapes HTML-sensitive marks and anything outside ASCII.)
    /// </summary>
    private static bool IsPlain(string text)
    {
        foreach (var c in text)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is ' ' or '-' or '.' or ':' or '_' or ',' or '(' or ')' or '/') continue;
            return false;
        }
        return true;
    }

    /// <summary>Appends UTF-8 to a buffer sized for the reading beforehand.</summary>
    private ref struct PlainJson(byte[] buffer)
    {
        private readonly Span<byte> output = buffer;
        public int Length { get; private set; }

        public void Raw(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(output[Length..]);
            Length += bytes.Length;
        }

        /// <summary>Plain ASCII text (<see cref="IsPlain"/>), one byte a character.</summary>
        public void Text(string text) => Length += System.Text.Encoding.ASCII.GetBytes(text, output[Length..]);

        /// <summary>The shortest text that reads back as the same double, as Utf8JsonWriter writes it.</summary>
        public void Number(double value)
        {
            // A reading's numbers are rounded to tenths. The nearest double to k / 10 reads back from k's digits with a
            // point before the last, and no shorter text does, so that is the shortest text, at a third of the cost of
            // the general formatter. Negative zero and very large numbers take the formatter.
            var tenths = Math.Round(value * 10);
            if (Math.Abs(tenths) < 1e15 && tenths / 10 == value && !(value == 0 && double.IsNegative(value)))
            {
                var whole = (long)Math.Abs(tenths);
                if (tenths < 0) output[Length++] = (byte)'-';
                Integer(whole / 10);
                if (whole % 10 != 0)
                {
                    output[Length++] = (byte)'.';
                    output[Length++] = (byte)('0' + whole % 10);
                }
                return;
            }
            if (!System.Buffers.Text.Utf8Formatter.TryFormat(value, output[Length..], out var written))
                throw new InvalidOperationException($"The number {value} is longer than a reading allows for.");
            Length += written;
        }

        public void Integer(long value)
        {
            if (!System.Buffers.Text.Utf8Formatter.TryFormat(value, output[Length..], out var written))
                throw new InvalidOperationException($"The number {value} is longer than a reading allows for.");
            Length += written;
        }
    }

    private byte[] ToJsonThroughWriter()
    {
        // One writer and buffer per thread, reset for each reading.
        var buffer = jsonBuffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = jsonWriter ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteString("city", City);
        writer.WriteNumber("temperature", Temperature);
        writer.WriteString("measurement_time", MeasurementTime);
        writer.WriteString("collection_time", CollectedText(CollectionTime.UtcDateTime));
        writer.WriteString("source", Source);
        if (WindSpeed is { } wind) writer.WriteNumber("wind_speed", wind);
        if (WeatherCode is { } code) writer.WriteNumber("weather_code", code);
        if (Humidity is { } humidity) writer.WriteNumber("humidity", humidity);
        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The collection time in <see cref="CollectionTimeFormat"/>, as UTF-8. An invocation collects every city at the same
    /// time, so the last time formatted on this thread is kept and handed out again.
    /// </summary>
    private static ReadOnlySpan<byte> CollectedText(DateTime collected)
    {
        var text = collectedText ??= new byte[32];
        if (collected.Ticks != collectedTicks || collectedLength == 0)
        {
            if (!collected.TryFormat(text, out collectedLength, CollectionTimeFormat, CultureInfo.InvariantCulture))
                throw new InvalidOperationException("A collection time is longer than its format allows.");
            collectedTicks = collected.Ticks;
        }
        return text.AsSpan(0, collectedLength);
    }

    [ThreadStatic] private static byte[]? collectedText;
    [ThreadStatic] private static long collectedTicks;
    [ThreadStatic] private static int collectedLength;
    [ThreadStatic] private static byte[]? plainBuffer;
    [ThreadStatic] private static ArrayBufferWriter<byte>? jsonBuffer;
    [ThreadStatic] private static Utf8JsonWriter? jsonWriter;
}

/// <summary>The cities the producer reads the weather of (<c>workshop.Cities</c>); in a notebook, a table of them.</summary>
public sealed class CityList(IReadOnlyList<City> cities) : IReadOnlyList<City>, IHtmlDisplay
{
    private static readonly string[] Headers = ["City", "Latitude", "Longitude"];

    public City this[int index] => cities[index];
    public int Count => cities.Count;
    public IEnumerator<City> GetEnumerator() => cities.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private string Title => $"The producer's cities ({Count}): one reading of each per run";

    private IReadOnlyList<IReadOnlyList<string>> Rows => cities.Select(c => (IReadOnlyList<string>)
        [c.Name, c.Latitude.ToString(CultureInfo.InvariantCulture), c.Longitude.ToString(CultureInfo.InvariantCulture)]).ToList();

    public string ToHtml() => HtmlTable.Render(Headers, Rows, Title);

    public override string ToString() => Title + "\n" + TextTable.RenderToFit(Headers, Rows, TextTable.Width);
}

/// <summary>A place the producer polls.</summary>
public sealed record City(string Name, double Latitude, double Longitude)
{
    public static readonly IReadOnlyList<City> WorkshopDefaults = new CityList(
    [
        new("London", 51.5072, -0.1276),
        new("Manchester", 53.4808, -2.2426),
        new("Edinburgh", 55.9533, -3.1883),
    ]);

    public static readonly IReadOnlyList<City> Known =
    [
        .. WorkshopDefaults,
        new("Birmingham", 52.4862, -1.8904),
        new("Leeds", 53.8008, -1.5491),
        new("Glasgow", 55.8642, -4.2518),
        new("Liverpool", 53.4084, -2.9916),
        new("Bristol", 51.4545, -2.5879),
        new("Cardiff", 51.4816, -3.1791),
        new("Belfast", 54.5973, -5.9301),
        new("Newcastle", 54.9783, -1.6178),
        new("Sheffield", 53.3811, -1.4701),
        new("Nottingham", 52.9548, -1.1581),
        new("Southampton", 50.9097, -1.4044),
        new("Aberdeen", 57.1497, -2.0943),
        new("Inverness", 57.4778, -4.2247),
        new("Plymouth", 50.3755, -4.1427),
        new("Norwich", 52.6309, 1.2974),
    ];

    /// <summary>Resolves names (case-insensitive) or "Name:latitude:longitude" entries; null or empty gives the workshop's three.</summary>
    public static IReadOnlyList<City> Resolve(IEnumerable<string>? entries)
    {
        var list = entries?.Where(e => !string.IsNullOrWhiteSpace(e)).ToList();
        if (list is null || list.Count == 0) return WorkshopDefaults;
        return new CityList(list.Select(Parse).ToArray());
    }

    public static City Parse(string entry)
    {
        var parts = entry.Trim().Split(':');
        if (parts.Length == 3 && parts[0].Length > 0
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var latitude)
            && double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var longitude))
        {
            // Numbers that are no place on Earth: say which one, not that the city is unknown.
            if (latitude is < -90 or > 90)
                throw new ArgumentException($"City '{entry}': latitude {parts[1]} is out of range; give one from -90 to 90 (for example Oxford:51.752:-1.2577).");
            if (longitude is < -180 or > 180)
                throw new ArgumentException($"City '{entry}': longitude {parts[2]} is out of range; give one from -180 to 180 (for example Oxford:51.752:-1.2577).");
            // The name becomes the lake's location=NAME folder: a slash would split it, and "." or ".." name no folder of its own.
            if (parts[0].IndexOfAny(['/', '\\']) >= 0 || parts[0].Trim() is "." or ".." or "")
                throw new ArgumentException($"City '{entry}': the name '{parts[0]}' cannot be a folder of the lake (location={parts[0]}/); give a name without '/' or '\\' that is not '.' or '..' (for example Oxford:51.752:-1.2577).");
            return new City(parts[0], latitude, longitude);
        }
        var known = Known.FirstOrDefault(c => string.Equals(c.Name, entry.Trim(), StringComparison.OrdinalIgnoreCase));
        return known ?? throw new ArgumentException(
            $"City '{entry}' is not one the kit knows. Use one of {string.Join(", ", Known.Select(c => c.Name))}, or give coordinates as Name:latitude:longitude (for example Oxford:51.752:-1.2577).");
    }
}
