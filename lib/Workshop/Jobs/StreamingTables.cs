namespace StreamingWorkshop.Jobs;

/// <summary>The streaming job's two tables, as the catalog registers them.</summary>
internal static class StreamingTables
{
    /// <summary>weather_5min_by_city's columns: one row per city and 5-minute window of collection time.</summary>
    public static readonly IReadOnlyList<(string Name, string HiveType)> WindowColumns =
    [
        ("window_start", "timestamp"), ("window_end", "timestamp"), ("city", "string"), ("readings", "int"),
        ("avg_temperature_c", "double"), ("min_temperature_c", "double"), ("max_temperature_c", "double"),
    ];

    /// <summary>curated_weather_live: the curated readings, partitioned as curated_weather is.</summary>
    public static CuratedTableSpec Live(StreamingJobSettings settings) =>
        new(settings.Database, settings.LakeBucket, ReadingsCuration.LiveTable, ReadingsCuration.LivePrefix, ReadingsCuration.CuratedColumns, ReadingsCuration.PartitionColumns);

    /// <summary>weather_5min_by_city, one Parquet object per batch that closed windows, not partitioned.</summary>
    public static CuratedTableSpec Windows(StreamingJobSettings settings) =>
        new(settings.Database, settings.LakeBucket, ReadingsCuration.WindowTable, ReadingsCuration.WindowPrefix, WindowColumns, []);
}
