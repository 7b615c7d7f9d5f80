using System.Net;
using System.Text;
using StreamingWorkshop.Producer;

namespace Workshop.Tests.Producer;

/// <summary>The Open-Meteo client against a loopback HTTP server that answers with the API's response shape.</summary>
public sealed class OpenMeteoTests : IDisposable
{
    private readonly HttpListener listener;
    private readonly Uri baseUrl;
    private readonly HttpClient http = new();
    private Func<HttpListenerContext, Task> respond = _ => Task.CompletedTask;
    private string? lastQuery;

    public OpenMeteoTests()
    {
        // A listener whose start failed is closed for good, so each port gets a listener of its own.
        for (var attempt = 1; ; attempt++)
        {
            var port = TestSupport.Loopback.FreePort();
            var candidate = new HttpListener();
            candidate.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                candidate.Start();
                listener = candidate;
                baseUrl = new Uri($"http://127.0.0.1:{port}/");
                break;
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                candidate.Close();
            }
        }
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await listener.GetContextAsync(); }
                catch (Exception) { return; }
                lastQuery = context.Request.Url?.PathAndQuery;
                try { await respond(context); } catch (Exception) { }
                try { context.Response.Close(); } catch (Exception) { }
            }
        });
    }

    private static async Task Json(HttpListenerContext context, string body, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var bytes = Encoding.UTF8.GetBytes(body);
        await context.Response.OutputStream.WriteAsync(bytes);
    }

    private const string ApiShape = """
        {"latitude":51.5,"longitude":-0.120000124,"generationtime_ms":0.05,"utc_offset_seconds":0,"timezone":"GMT","timezone_abbreviation":"GMT","elevation":23.0,
         "current_weather_units":{"time":"iso8601","interval":"seconds","temperature":"°C","windspeed":"km/h","winddirection":"°","is_day":"","weathercode":"wmo code"},
         "current_weather":{"time":"2025-01-14T10:15","interval":900,"temperature":4.3,"windspeed":11.2,"winddirection":250,"is_day":1,"weathercode":3}}
        """;

    [Fact]
    public async Task Reads_current_weather_from_the_API_shape()
    {
        respond = c => Json(c, ApiShape);
        var source = new OpenMeteoWeatherSource(http, baseUrl);
        var collected = new DateTimeOffset(2025, 1, 14, 10, 16, 0, TimeSpan.Zero);

        var reading = await source.FetchAsync(City.WorkshopDefaults[0], collected);

        Assert.Equal(new WeatherReading("London", 4.3, "2025-01-14T10:15", collected, "open-meteo", 11.2, 3), reading);
        Assert.Equal("/v1/forecast?latitude=51.5072&longitude=-0.1276&current_weather=true", lastQuery);
    }

    [Fact]
    public async Task A_slow_answer_is_a_failed_city_after_the_timeout()
    {
        respond = async c => { await Task.Delay(3000); await Json(c, ApiShape); };
        var source = new OpenMeteoWeatherSource(http, baseUrl, TimeSpan.FromMilliseconds(200));

        var error = await Assert.ThrowsAsync<WeatherSourceException>(() => source.FetchAsync(City.WorkshopDefaults[1], DateTimeOffset.UnixEpoch));

        Assert.Equal("Manchester", error.City);
        Assert.Contains("no answer within 0.2 s", error.Message);
    }

    [Fact]
    public async Task A_server_error_is_a_failed_city_naming_the_status()
    {
        respond = c => Json(c, """{"error":true,"reason":"overloaded"}""", 500);
        var error = await Assert.ThrowsAsync<WeatherSourceException>(() => new OpenMeteoWeatherSource(http, baseUrl).FetchAsync(City.WorkshopDefaults[2], DateTimeOffset.UnixEpoch));
        Assert.Contains("500", error.Message);
    }

    [Theory]
    [InlineData("this is not json")]
    [InlineData("""{"current_weather":{"interval":900}}""")]
    public async Task A_malformed_answer_is_a_failed_city(string body)
    {
        respond = c => Json(c, body);
        await Assert.ThrowsAsync<WeatherSourceException>(() => new OpenMeteoWeatherSource(http, baseUrl).FetchAsync(City.WorkshopDefaults[0], DateTimeOffset.UnixEpoch));
    }

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        http.Dispose();
    }
}
