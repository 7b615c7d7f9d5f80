namespace StreamingWorkshop.Jobs;

/// <summary>
/// The workshop's one transformation, raw readings to curated readings, written once as SQL that both DuckDB (the
/// local job runtime) and Spark SQL (the PySpark scripts on AWS, which carry this text) run unchanged.
/// Duplicates go by Task 3's rule: one row per city, measurement time and temperature, keeping when it was first
/// collected. Temperature is given in °C and °F; wind and weather code are kept when the reading has them.
/// Partitioned by location (the city, as the raw lake is), year, month and day of the measurement.
/// </summary>
public static class ReadingsCuration
{
    /// <summary>The catalog table of the batch job's output, as Glue's enableUpdateCatalog registers it.</summary>
    public const string CuratedTable = "curated_weather";

    /// <summary>Where the batch job writes its Parquet in the lake bucket.</summary>
    public const string CuratedPrefix = "curated/weather/";

    /// <summary>The streaming job's curated readings and its per-city 5-minute averages.</summary>
    public const string LiveTable = "curated_weather_live";
    public const string LivePrefix = "curated/weather-live/";
    public const string WindowTable = "weather_5min_by_city";
    public const string WindowPrefix = "curated/weather-5min/";

    /// <summary>Where the streaming job puts records it cannot parse (one JSON line each, with the reason).</summary>
    public const string ErrorPrefix = "curated/errors/";

    /// <summary>The length of the streaming job's tumbling windows.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    /// <summary>The raw columns the transformation reads, with their types, as the stream's JSON carries them.</summary>
    public static readonly IReadOnlyList<(string Name, string HiveType)> RawColumns =
    [
        ("city", "string"), ("temperature", "double"), ("measurement_time", "string"), ("collection_time", "string"),
        ("wind_speed", "double"), ("weather_code", "int"),
    ];

    /// <summary>The curated table's columns, in order, with Hive types (the partition columns are separate).</summary>
    public static readonly IReadOnlyList<(string Name, string HiveType)> CuratedColumns =
    [
        ("city", "string"), ("measurement_time", "timestamp"), ("hour", "int"), ("temperature_c", "double"),
        ("temperature_f", "double"), ("wind_speed", "double"), ("weather_code", "int"), ("first_collected", "timestamp"),
    ];

    public static readonly IReadOnlyList<string> PartitionColumns = ["location", "year", "month", "day"];

    /// <summary>The transformation over a relation named <paramref name="raw"/> that has <see cref="RawColumns"/>.</summary>
    public static string Sql(string raw = "raw_readings") => $"""
        SELECT city,
               measured AS measurement_time,
               HOUR(measured) AS hour,
               temperature AS temperature_c,
               ROUND(temperature * 9 / 5 + 32, 1) AS temperature_f,
               MAX(wind_speed) AS wind_speed,
               MAX(weather_code) AS weather_code,
               MIN(collected) AS first_collected,
               city AS location,
               CAST(YEAR(measured) AS STRING) AS year,
               LPAD(CAST(MONTH(measured) AS STRING), 2, '0') AS month,
               LPAD(CAST(DAY(measured) AS STRING), 2, '0') AS day
        FROM (SELECT city, temperature, wind_speed, weather_code,
                     CAST(measurement_time AS TIMESTAMP) AS measured,
                     CAST(SUBSTRING(collection_time, 1, 23) AS TIMESTAMP) AS collected
              FROM {raw}
              WHERE city IS NOT NULL AND temperature IS NOT NULL AND measurement_time IS NOT NULL) AS typed
        GROUP BY city, measured, temperature
        """;
}
