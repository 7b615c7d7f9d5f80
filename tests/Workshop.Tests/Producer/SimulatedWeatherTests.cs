using CsCheck;
using StreamingWorkshop.Producer;
using Workshop.Tests.Properties;

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
    public void Readings_are_the_same_weather_as_ever_for_a_seed_a_city_and_a_time()
    {
        // Pinned readings: a change to how readings are drawn or written would change every lake and answer of the day.
        string Json(int seed, City city, DateTimeOffset time) =>
            System.Text.Encoding.UTF8.GetString(new SimulatedWeatherSource(seed).Read(city, time).ToJson());

        Assert.Equal("""{"city":"London","temperature":3.2,"measurement_time":"2025-01-14T10:15","collection_time":"2025-01-14T10:16:00.000Z","source":"simulated","wind_speed":27.4,"weather_code":80}""",
            Json(1, London, new DateTimeOffset(2025, 1, 14, 10, 16, 0, TimeSpan.Zero)));
        Assert.Equal("""{"city":"Edinburgh","temperature":8.8,"measurement_time":"2025-07-01T23:45","collection_time":"2025-07-01T23:59:30.250Z","source":"simulated","wind_speed":16.1,"weather_code":71}""",
            Json(1, City.WorkshopDefaults[2], new DateTimeOffset(2025, 7, 1, 23, 59, 30, 250, TimeSpan.Zero)));
        Assert.Equal("""{"city":"Manchester","temperature":3.2,"measurement_time":"2026-12-07T00:00","collection_time":"2026-12-07T00:00:00.000Z","source":"simulated","wind_speed":27.8,"weather_code":80}""",
            Json(7, City.WorkshopDefaults[1], new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal("""{"city":"Oxford","temperature":8.9,"measurement_time":"2024-02-29T14:30","collection_time":"2024-02-29T14:44:59.999Z","source":"simulated","wind_speed":18.9,"weather_code":3}""",
            Json(-3, new City("Oxford", 51.752, -1.2577), new DateTimeOffset(2024, 2, 29, 14, 44, 59, 999, TimeSpan.Zero)));
    }

    [Fact]
    public void A_reading_does_not_depend_on_the_readings_taken_before_it()
    {
        // The source keeps a city's day and a slot's shape between readings: hopping between seeds, cities, days and
        // back must give what a fresh source gives.
        var visits = new (int Seed, City City, DateTimeOffset Time)[]
        {
            (1, London, Day.AddHours(10)), (2, London, Day.AddHours(10)), (1, London, Day.AddDays(1).AddHours(10)),
            (1, London, Day.AddHours(10)), (1, London with { Latitude = 60 }, Day.AddHours(10)),
            (1, City.WorkshopDefaults[1], Day.AddHours(10)), (1, London, Day.AddHours(10).AddMinutes(15)),
        };
        var sources = new Dictionary<int, SimulatedWeatherSource> { [1] = new(1), [2] = new(2) };
        var taken = visits.Select(v => sources[v.Seed].Read(v.City, v.Time)).ToList();
        var fresh = visits.Select(v => new SimulatedWeatherSource(v.Seed).Read(new City(v.City.Name, v.City.Latitude, v.City.Longitude), v.Time)).ToList();

        Assert.Equal(fresh, taken);
        Assert.NotEqual(taken[0].Temperature, taken[4].Temperature); // the latitude moves a city's offset
    }

    [Fact]
    public void A_reading_is_written_with_the_bytes_a_json_writer_gives_it()
    {
        // The reference: the same object written field by field with System.Text.Json's writer and its default encoder.
        static string Reference(WeatherReading reading)
        {
            using var buffer = new MemoryStream();
            using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("city", reading.City);
                writer.WriteNumber("temperature", reading.Temperature);
                writer.WriteString("measurement_time", reading.MeasurementTime);
                writer.WriteString("collection_time", reading.CollectionTime.UtcDateTime.ToString(WeatherReading.CollectionTimeFormat, System.Globalization.CultureInfo.InvariantCulture));
                writer.WriteString("source", reading.Source);
                if (reading.WindSpeed is { } wind) writer.WriteNumber("wind_speed", wind);
                if (reading.WeatherCode is { } code) writer.WriteNumber("weather_code", code);
                if (reading.Humidity is { } humidity) writer.WriteNumber("humidity", humidity);
                writer.WriteEndObject();
            }
            return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }

        var text = Gen.Frequency((4, Gen.String[Gen.Char["abcXYZ019 -.:_,()/"], 0, 20]), (1, Gen.String[0, 20]),
            (1, Gen.String[Gen.Char["aé\"\\<>&'+`\u2603\n"], 0, 8]));
        var tenths = Gen.Long[-100_000_000_000_000, 100_000_000_000_000].Select(k => k / 10.0);
        var number = Gen.Frequency((4, tenths), (2, Gen.Double), (1, Gen.OneOf(0.0, -0.0, 1e15, -1e16, 1e-7, 0.05, 5e-324)));
        var optionalNumber = Gen.Select(Gen.Bool, number, (present, value) => present ? value : (double?)null);
        var optionalCode = Gen.Select(Gen.Bool, Gen.Int, (present, value) => present ? value : (int?)null);
        var reading = Gen.Select(Gen.Select(text, number, text, Gen.Long[0, DateTime.MaxValue.Ticks], text),
                Gen.Select(optionalNumber, optionalCode, optionalNumber))
            .Select(pair => new WeatherReading(pair.Item1.Item1, pair.Item1.Item2, pair.Item1.Item3,
                new DateTimeOffset(pair.Item1.Item4, TimeSpan.Zero), pair.Item1.Item5, pair.Item2.Item1, pair.Item2.Item2, pair.Item2.Item3));

        reading.SampleFixed(r =>
        {
            if (!double.IsFinite(r.Temperature) || r.WindSpeed is { } w && !double.IsFinite(w) || r.Humidity is { } h && !double.IsFinite(h))
                Assert.Throws<ArgumentException>(() => { r.ToJson(); });
            else
                Assert.Equal(Reference(r), System.Text.Encoding.UTF8.GetString(r.ToJson()));
        }, iter: 20_000);
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
