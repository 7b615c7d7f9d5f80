using StreamingWorkshop.Producer;

namespace Workshop.Tests.Producer;

public class SimulatedWeatherTests
{
    private static readonly City London = City.WorkshopDefaults[0];
    private static readonly DateTimeOffset Day = new(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_same_seed_city_and_time_give_the_same_reading_and_another_seed_differs()
    {
        var a = new SimulatedWeatherSource(1).Read(London, Day.AddHours(10));
        var b = new SimulatedWeatherSource(1).Read(London, Day.AddHours(10));
        var other = Enumerable.Range(0, 96).Select(i => new SimulatedWeatherSource(2).Read(London, Day.AddMinutes(15 * i)).Temperature);
        var mine = Enumerable.Range(0, 96).Select(i => new SimulatedWeatherSource(1).Read(London, Day.AddMinutes(15 * i)).Temperature);

        Assert.Equal(a, b);
        Assert.NotEqual(mine, other);
    }

    [Fact]
    public void Polling_every_minute_repeats_each_15_minute_measurement_15_times()
    {
        var source = new SimulatedWeatherSource(1);
        var readings = Enumerable.Range(0, 1440).Select(m => source.Read(London, Day.AddMinutes(m))).ToList();

        var groups = readings.GroupBy(r => r.MeasurementTime).ToList();

        Assert.Equal(96, groups.Count);
        Assert.All(groups, g => Assert.Equal(15, g.Count()));
        Assert.All(groups, g => Assert.Single(g.Select(r => (r.Temperature, r.WindSpeed, r.WeatherCode)).Distinct()));
        Assert.Equal("2025-01-14T00:15", readings[16].MeasurementTime);
    }

    [Fact]
    public void Afternoons_are_warmer_than_the_hours_before_dawn_over_a_month()
    {
        var source = new SimulatedWeatherSource(7);
        double Mean(int hour) => Enumerable.Range(0, 30).Average(d => source.Read(London, Day.AddDays(d).AddHours(hour)).Temperature);

        Assert.True(Mean(15) > Mean(5) + 2, $"15:00 mean {Mean(15):F1} vs 05:00 mean {Mean(5):F1}");
    }

    [Fact]
    public void July_is_warmer_than_January()
    {
        var source = new SimulatedWeatherSource(3);
        double Mean(DateTimeOffset month) => Enumerable.Range(0, 28 * 24).Average(h => source.Read(London, month.AddHours(h)).Temperature);

        Assert.True(Mean(new DateTimeOffset(2025, 7, 1, 0, 0, 0, TimeSpan.Zero)) > Mean(Day) + 8);
    }

    [Fact]
    public void Readings_serialise_to_one_json_object_with_the_workshop_field_names()
    {
        var reading = new WeatherReading("London", 4.5, "2025-01-14T10:15", Day.AddHours(10).AddMinutes(16), "simulated", 12.5, 3);

        Assert.Equal("""{"city":"London","temperature":4.5,"measurement_time":"2025-01-14T10:15","collection_time":"2025-01-14T10:16:00.000Z","source":"simulated","wind_speed":12.5,"weather_code":3}""",
            System.Text.Encoding.UTF8.GetString(reading.ToJson()));
    }

    [Fact]
    public void Readings_taken_back_and_forth_between_two_times_each_carry_their_own_times()
    {
        var source = new SimulatedWeatherSource(1);
        DateTimeOffset[] times = [Day.AddHours(10).AddMinutes(16), Day.AddHours(10).AddMinutes(31).AddSeconds(30).AddMilliseconds(250), Day.AddHours(10).AddMinutes(16), Day];

        var stamps = times.Select(t => System.Text.Json.JsonDocument.Parse(source.Read(London, t).ToJson()).RootElement)
            .Select(json => (json.GetProperty("measurement_time").GetString(), json.GetProperty("collection_time").GetString())).ToList();

        Assert.Equal(
        [
            ("2025-01-14T10:15", "2025-01-14T10:16:00.000Z"),
            ("2025-01-14T10:30", "2025-01-14T10:31:30.250Z"),
            ("2025-01-14T10:15", "2025-01-14T10:16:00.000Z"),
            ("2025-01-14T00:00", "2025-01-14T00:00:00.000Z"),
        ], stamps);
    }

    [Fact]
    public void Optional_fields_are_left_out_when_absent()
    {
        var json = System.Text.Encoding.UTF8.GetString(new WeatherReading("Leeds", -1, "2025-01-14T10:15", Day, "open-meteo").ToJson());

        Assert.DoesNotContain("wind_speed", json);
        Assert.DoesNotContain("weather_code", json);
    }

    [Theory]
    [InlineData("london", "London")]
    [InlineData("Oxford:51.752:-1.2577", "Oxford")]
    public void Cities_resolve_by_name_or_coordinates(string entry, string name)
    {
        Assert.Equal(name, City.Parse(entry).Name);
    }

    [Fact]
    public void An_unknown_city_is_refused_listing_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => City.Parse("Atlantis"));
        Assert.Contains("Atlantis", error.Message);
        Assert.Contains("Edinburgh", error.Message);
        Assert.Contains("Name:latitude:longitude", error.Message);
    }
}
