using System.Globalization;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using StreamingWorkshop.Broker;

namespace StreamingWorkshop.Jobs;

/// <summary>A stream record that is a usable reading, with the fields the transformation and the windows need.</summary>
internal sealed record ParsedReading(string City, double Temperature, string MeasurementTime, string CollectionTime, DateTimeOffset Collected,
    double? WindSpeed, int? WeatherCode);

/// <summary>What one micro-batch wrote.</summary>
internal sealed record BatchOutcome(int RecordsIn, int RecordsOut, int RecordsError, int LateRecords, int WindowsWritten);

/// <summary>
/// Does one micro-batch's work: reads its offsets' records, writes the new curated readings per partition, the 5-minute
/// windows that closed, and the malformed records, each to a file named by the batch, so running it again replaces them.
/// </summary>
internal sealed class StreamingMicroBatch(LocalJobService jobs, StreamingJobSettings settings, StreamingCheckpoint checkpoint)
{
    /// <summary>How long after a window ends it is written: readings collected in it may still arrive until then.</summary>
    public static readonly TimeSpan Watermark = TimeSpan.FromMinutes(1);

    /// <summary>The records of <paramref name="offsets"/>, in shard order then sequence order.</summary>
    public IReadOnlyList<StreamRecord> Records(BatchOffsets offsets)
    {
        var after = offsets.Shards.ToDictionary(s => s.ShardId, s => s.After, StringComparer.Ordinal);
        var through = offsets.Shards.ToDictionary(s => s.ShardId, s => s.Through, StringComparer.Ordinal);
        return jobs.Stream.ReadAfter(settings.StreamName, after)
            .Where(shard => through.ContainsKey(shard.ShardId))
            .SelectMany(shard => shard.Records.Where(r => RecordNumber(r.SequenceNumber) <= through[shard.ShardId]))
            .ToList();
    }

    /// <summary>A record's number in its shard: the last twenty digits of the local stream's sequence numbers.</summary>
    public static long RecordNumber(string sequenceNumber) => long.Parse(sequenceNumber.AsSpan(sequenceNumber.Length - 20), CultureInfo.InvariantCulture);

    public BatchOutcome Run(BatchOffsets offsets)
    {
        var records = Records(offsets);
        var readings = new List<ParsedReading>(records.Count);
        var errors = new StringBuilder();
        var errorCount = 0;
        foreach (var record in records)
        {
            var (reading, reason) = Parse(record.Data.Span);
            if (reading is not null)
            {
                readings.Add(reading);
                continue;
            }
            errorCount++;
            errors.Append(JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["reason"] = reason!,
                ["shard_id"] = record.ShardId,
                ["sequence_number"] = record.SequenceNumber,
                ["approximate_arrival_timestamp"] = record.ApproximateArrivalTimestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                ["data"] = Encoding.UTF8.GetString(record.Data.Span),
            })).Append('\n');
        }
        var batch = offsets.BatchId;
        if (errorCount > 0)
            Put(ReadingsCuration.ErrorPrefix + FileName(batch, ".json"), Encoding.UTF8.GetBytes(errors.ToString()));

        var previous = checkpoint.State(batch - 1);
        var (state, closed, late) = StreamingWindows.Advance(previous, readings, offsets.TriggerTime);
        var written = 0;
        if (readings.Count > 0 || closed.Count > 0)
        {
            var staging = jobs.Workspace.EnsureFolder("state", "jobs-scratch");
            using var engine = jobs.CuratedTables.OpenEngine();
            if (readings.Count > 0) written = WriteCurated(engine, staging, batch, readings);
            if (closed.Count > 0) WriteWindows(engine, staging, batch, closed);
        }
        checkpoint.WriteState(batch, state);
        return new BatchOutcome(records.Count, written, errorCount, late, closed.Count);
    }

    /// <summary>Why a record is not a usable reading, or the reading.</summary>
    public static (ParsedReading? Reading, string? Reason) Parse(ReadOnlySpan<byte> data)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(data.ToArray());
        }
        catch (JsonException)
        {
            return (null, "not JSON");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, "not a JSON object");
            if (!root.TryGetProperty("city", out var city) || city.ValueKind != JsonValueKind.String || city.GetString() is not { Length: > 0 } cityName)
                return (null, "missing city");
            if (!root.TryGetProperty("temperature", out var temperature) || temperature.ValueKind != JsonValueKind.Number)
                return (null, "missing temperature");
            if (!root.TryGetProperty("measurement_time", out var measured) || measured.ValueKind != JsonValueKind.String
                || !DateTime.TryParse(measured.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out _))
                return (null, "missing measurement_time");
            if (!root.TryGetProperty("collection_time", out var collected) || collected.ValueKind != JsonValueKind.String
                || collected.GetString() is not { Length: >= 19 } collectedText
                || !DateTimeOffset.TryParse(collectedText, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var collectedAt))
                return (null, "missing collection_time");
            double? wind = root.TryGetProperty("wind_speed", out var w) && w.ValueKind == JsonValueKind.Number ? w.GetDouble() : null;
            int? code = root.TryGetProperty("weather_code", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var codeValue) ? codeValue : null;
            return (new ParsedReading(cityName, temperature.GetDouble(), measured.GetString()!, collectedText, collectedAt, wind, code), null);
        }
    }

    private int WriteCurated(DuckDBConnection engine, string staging, long batch, IReadOnlyList<ParsedReading> readings)
    {
        Execute(engine, "CREATE TABLE raw_readings (city VARCHAR, temperature DOUBLE, measurement_time VARCHAR, collection_time VARCHAR, wind_speed DOUBLE, weather_code INTEGER)");
        using (var appender = engine.CreateAppender("raw_readings"))
        {
            foreach (var r in readings)
            {
                var row = appender.CreateRow().AppendValue(r.City).AppendValue(r.Temperature).AppendValue(r.MeasurementTime).AppendValue(r.CollectionTime);
                row = r.WindSpeed is { } wind ? row.AppendValue(wind) : row.AppendNullValue();
                row = r.WeatherCode is { } code ? row.AppendValue(code) : row.AppendNullValue();
                row.EndRow();
            }
        }
        Execute(engine, $"CREATE TABLE curated AS {ReadingsCuration.Sql()}");
        // Cast to the catalog's types, as the batch job's files have them (DuckDB's HOUR is a BIGINT; the table says int).
        var columns = string.Join(", ", ReadingsCuration.CuratedColumns.Select(c => $"CAST({c.Name} AS {CuratedTables.DuckType(c.HiveType)}) AS {c.Name}"));
        var written = 0;
        var partitions = new List<IReadOnlyList<string>>();
        foreach (var (location, year, month, day) in Partitions(engine))
        {
            var folder = $"{ReadingsCuration.LivePrefix}location={location}/year={year}/month={month}/day={day}/";
            var where = $"location = {Literal(location)} AND year = {Literal(year)} AND month = {Literal(month)} AND day = {Literal(day)}";
            // Readings an earlier batch already wrote are left out; this batch's own file is not looked at, so a re-run
            // of an interrupted batch writes exactly what the first attempt would have.
            var earlier = EarlierFiles(folder, batch);
            var unseen = earlier.Count == 0 ? "" : $"""
                 AND NOT EXISTS (SELECT 1 FROM read_parquet([{string.Join(", ", earlier.Select(Literal))}]) AS seen
                                 WHERE seen.city = curated.city AND seen.measurement_time = curated.measurement_time
                                   AND seen.temperature_c = curated.temperature_c)
                """;
            var count = Scalar(engine, $"SELECT COUNT(*) FROM curated WHERE {where}{unseen}");
            if (count == 0) continue;
            var file = Path.Combine(staging, $"{Guid.NewGuid():N}.parquet");
            try
            {
                Execute(engine, $"COPY (SELECT {columns} FROM curated WHERE {where}{unseen} ORDER BY measurement_time, city) TO {Literal(file)} (FORMAT parquet)");
                Put(folder + FileName(batch, ".parquet"), File.ReadAllBytes(file));
            }
            finally
            {
                File.Delete(file);
            }
            written += (int)count;
            partitions.Add([location, year, month, day]);
        }
        if (partitions.Count > 0) jobs.CuratedTables.RegisterPartitions(StreamingTables.Live(settings), partitions);
        return written;
    }

    private void WriteWindows(DuckDBConnection engine, string staging, long batch, IReadOnlyList<OpenWindow> closed)
    {
        Execute(engine, """
            CREATE TABLE windows (window_start TIMESTAMP, window_end TIMESTAMP, city VARCHAR, readings INTEGER,
                                  avg_temperature_c DOUBLE, min_temperature_c DOUBLE, max_temperature_c DOUBLE)
            """);
        using (var appender = engine.CreateAppender("windows"))
        {
            foreach (var w in closed)
                appender.CreateRow().AppendValue(w.Start.UtcDateTime).AppendValue((w.Start + ReadingsCuration.Window).UtcDateTime).AppendValue(w.City)
                    .AppendValue(w.Readings).AppendValue(StreamingWindows.Average(w)).AppendValue(w.Min).AppendValue(w.Max).EndRow();
        }
        var file = Path.Combine(staging, $"{Guid.NewGuid():N}.parquet");
        try
        {
            Execute(engine, $"COPY (SELECT * FROM windows ORDER BY window_start, city) TO {Literal(file)} (FORMAT parquet)");
            Put(ReadingsCuration.WindowPrefix + FileName(batch, ".parquet"), File.ReadAllBytes(file));
        }
        finally
        {
            File.Delete(file);
        }
        jobs.CuratedTables.Register(StreamingTables.Windows(settings));
    }

    /// <summary>The lake files of earlier batches in a partition folder (part-N with N below this batch's).</summary>
    private List<string> EarlierFiles(string folder, long batch)
    {
        var path = jobs.Lake.GetLocalFolder(settings.LakeBucket, folder);
        if (!Directory.Exists(path)) return [];
        return Directory.EnumerateFiles(path, "part-*.parquet")
            .Where(f => long.TryParse(Path.GetFileNameWithoutExtension(f).AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id < batch)
            .Order(StringComparer.Ordinal).ToList();
    }

    private static List<(string, string, string, string)> Partitions(DuckDBConnection engine)
    {
        using var command = engine.CreateCommand();
        command.CommandText = "SELECT DISTINCT location, year, month, day FROM curated ORDER BY ALL";
        using var reader = command.ExecuteReader();
        var partitions = new List<(string, string, string, string)>();
        while (reader.Read()) partitions.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        return partitions;
    }

    /// <summary>part-00042.parquet: one name per batch, so a batch run twice writes the same objects.</summary>
    public static string FileName(long batch, string extension) => $"part-{batch.ToString("D5", CultureInfo.InvariantCulture)}{extension}";

    private void Put(string key, byte[] content) => jobs.Lake.PutObjectAsync(settings.LakeBucket, key, content).GetAwaiter().GetResult();

    private static string Literal(string text) => $"'{text.Replace("'", "''")}'";

    private static void Execute(DuckDBConnection engine, string sql)
    {
        using var command = engine.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Scalar(DuckDBConnection engine, string sql)
    {
        using var command = engine.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
