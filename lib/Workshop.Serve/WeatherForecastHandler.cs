using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using StreamingWorkshop.Producer;

namespace StreamingWorkshop.Serve;

/// <summary>
/// Open-Meteo's current weather (GET /v1/forecast?latitude=..&amp;longitude=..&amp;current_weather=true) in the
/// API's own JSON shape, answered from the workspace's weather source at the workspace's time, so the stack's
/// Python producer runs against the endpoint with no network (WEATHER_API_URL=ENDPOINT/v1/forecast).
/// </summary>
internal sealed class WeatherForecastHandler(WorkshopSession session)
{
    public const string Path = "/v1/forecast";

    /// <summary>How close coordinates must be to a known city's to be read as that city.</summary>
    private const double SameCityDegrees = 0.01;

    public async Task HandleAsync(HttpContext context)
    {
        var query = context.Request.Query;
        if (!TryCoordinate(query["latitude"], -90, 90, out var latitude) || !TryCoordinate(query["longitude"], -180, 180, out var longitude))
        {
            // Open-Meteo's own error shape.
            await Wire.WriteAsync(context, 400, "application/json", new JsonObject
            {
                ["error"] = true,
                ["reason"] = $"latitude '{query["latitude"]}' and longitude '{query["longitude"]}' must be numbers within -90..90 and -180..180.",
            }.ToJsonString());
            return;
        }
        var city = City.Known.FirstOrDefault(c => Math.Abs(c.Latitude - latitude) < SameCityDegrees && Math.Abs(c.Longitude - longitude) < SameCityDegrees)
            ?? new City(string.Create(CultureInfo.InvariantCulture, $"{latitude},{longitude}"), latitude, longitude);
        var reading = await session.WeatherSource.FetchAsync(city, session.Clock.GetUtcNow(), context.RequestAborted);
        var current = new JsonObject { ["time"] = reading.MeasurementTime, ["interval"] = 900, ["temperature"] = reading.Temperature };
        if (reading.WindSpeed is { } wind) current["windspeed"] = wind;
        if (reading.WeatherCode is { } code) current["weathercode"] = code;
        await Wire.WriteAsync(context, 200, "application/json", new JsonObject
        {
            ["latitude"] = latitude,
            ["longitude"] = longitude,
            ["generationtime_ms"] = 0.1,
            ["utc_offset_seconds"] = 0,
            ["timezone"] = "GMT",
            ["timezone_abbreviation"] = "GMT",
            ["current_weather_units"] = new JsonObject { ["time"] = "iso8601", ["interval"] = "seconds", ["temperature"] = "°C", ["windspeed"] = "km/h", ["weathercode"] = "wmo code" },
            ["current_weather"] = current,
        }.ToJsonString());
    }

    private static bool TryCoordinate(string? text, double lowest, double highest, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value >= lowest && value <= highest;
}
