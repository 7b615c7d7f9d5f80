using System.Net;
using System.Text.Json.Nodes;
using StreamingWorkshop.Producer;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Serve;

/// <summary>
/// The endpoint's stand-in for Open-Meteo's current weather: the API's JSON shape, with the reading the kit's own
/// producer would take for that city at the workspace's time, and Open-Meteo's error shape for bad coordinates.
/// </summary>
public sealed class LocalEndpointWeatherTests : LocalEndpointTest
{
    [Fact]
    public async Task A_known_citys_coordinates_get_the_producers_reading_in_open_meteos_shape()
    {
        using var response = await Http.GetAsync(new Uri(Endpoint.Url, "/v1/forecast?latitude=53.4808&longitude=-2.2426&current_weather=true"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var forecast = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(53.4808, (double)forecast["latitude"]!);
        Assert.Equal(-2.2426, (double)forecast["longitude"]!);
        Assert.Equal("°C", (string?)forecast["current_weather_units"]!["temperature"]);

        var manchester = City.Known.Single(c => c.Name == "Manchester");
        var reading = await Session.WeatherSource.FetchAsync(manchester, Session.Clock.GetUtcNow());
        var current = forecast["current_weather"]!;
        Assert.Equal(reading.MeasurementTime, (string?)current["time"]);
        Assert.Equal(reading.Temperature, (double)current["temperature"]!);
        Assert.Equal(reading.WindSpeed, (double)current["windspeed"]!);
        Assert.Equal(reading.WeatherCode, (int)current["weathercode"]!);
        Assert.Equal(900, (int)current["interval"]!);
    }

    [Fact]
    public async Task Coordinates_that_are_not_numbers_in_range_get_open_meteos_error()
    {
        using var response = await Http.GetAsync(new Uri(Endpoint.Url, "/v1/forecast?latitude=95&longitude=-2.2426&current_weather=true"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True((bool)error["error"]!);
        Assert.Equal("latitude '95' and longitude '-2.2426' must be numbers within -90..90 and -180..180.", (string?)error["reason"]);
    }
}
