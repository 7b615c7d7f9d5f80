using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Jobs;

/// <summary>
/// Runs the batch job (glueetl) on the local backend, on the virtual clock:
/// STARTING for <see cref="StartupTime"/>; then RUNNING, when the job lists the raw objects its bookmark has not seen;
/// the run lasts <see cref="MinimumProcessingTime"/> or, for more data, <see cref="TimePerObject"/> per object plus
/// its bytes at <see cref="BytesPerDpuSecond"/> per DPU; the work (read, curate, write, register) happens when the
/// run is settled past that end, and the run SUCCEEDS or FAILS then. A run still going when its timeout falls due
/// ends in TIMEOUT with nothing written; a stopped run is STOPPING for <see cref="StoppingTime"/>, then STOPPED with
/// nothing written. ExecutionTime counts from RUNNING to the end; billing rounds it up to a minute.
/// </summary>
internal sealed class BatchJobRuntime(LocalJobService jobs) : IJobRuntime
{
    /// <summary>How long a run is STARTING (Glue 2.0 and later start Spark in seconds).</summary>
    public static readonly TimeSpan StartupTime = TimeSpan.FromSeconds(10);

    /// <summary>The shortest RUNNING time: Spark's own start, the listing and the catalog update, even with no data.</summary>
    public static readonly TimeSpan MinimumProcessingTime = TimeSpan.FromSeconds(30);

    /// <summary>What each raw object adds: opening many small objects is what slows a Spark job on a streaming lake.</summary>
    public static readonly TimeSpan TimePerObject = TimeSpan.FromMilliseconds(100);

    /// <summary>The raw (compressed) bytes one DPU reads and curates in a second.</summary>
    public const long BytesPerDpuSecond = 1_000_000;

    /// <summary>How long a run is STOPPING after BatchStopJobRun.</summary>
    public static readonly TimeSpan StoppingTime = TimeSpan.FromSeconds(5);

    /// <summary>How long a run whose arguments are wrong runs before its script fails on them.</summary>
    public static readonly TimeSpan ArgumentFailureTime = TimeSpan.FromSeconds(15);

    public const string BookmarkOption = "--job-bookmark-option";
    public const string BookmarkEnable = "job-bookmark-enable";
    public const string BookmarkDisable = "job-bookmark-disable";
    public const string BookmarkPause = "job-bookmark-pause";

    /// <summary>The arguments the batch job's script reads, as the stack's template sets them.</summary>
    public static readonly IReadOnlyList<string> RequiredArguments = ["--database", "--lake_bucket", "--raw_prefix", "--curated_prefix", "--curated_table"];

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public JobRun Start(GlueJob job, JobRun run)
    {
        SavePlan(job.Name, run.Id, new RunPlan());
        jobs.Log(JobLogGroups.Output, run.Id, new LogEvent(run.StartedOn,
            $"Job run {run.Id} of {job.Name} accepted: {job.NumberOfWorkers} × {job.WorkerType} workers, Glue {job.GlueVersion}, timeout {run.TimeoutMinutes} min."));
        return run;
    }

    public JobRun Settle(GlueJob job, JobRun run)
    {
        var now = jobs.Clock.GetUtcNow();
        while (!JobRunStates.HasEnded(run.JobRunState))
        {
            var plan = LoadPlan(job.Name, run.Id);
            var deadline = run.StartedOn.AddMinutes(run.TimeoutMinutes);
            switch (run.JobRunState)
            {
                case JobRunStates.Starting:
                {
                    var runningAt = run.StartedOn + StartupTime;
                    if (deadline <= runningAt && now >= deadline) return TimedOut(job, run, plan, deadline);
                    if (now < runningAt) return run;
                    SavePlan(job.Name, run.Id, Plan(job, run, runningAt));
                    run = run with { JobRunState = JobRunStates.Running, LastModifiedOn = runningAt };
                    break;
                }
                case JobRunStates.Running:
                {
                    var endsAt = plan.EndsAt!.Value;
                    if (deadline < endsAt) return now >= deadline ? TimedOut(job, run, plan, deadline) : run;
                    if (now < endsAt) return run;
                    return Finish(job, run, plan, endsAt);
                }
                case JobRunStates.Stopping:
                {
                    var stoppedAt = plan.StopRequestedAt!.Value + StoppingTime;
                    if (now < stoppedAt) return run;
                    jobs.Log(JobLogGroups.Output, run.Id, new LogEvent(stoppedAt, "Job run stopped: nothing was written and the bookmark did not move."));
                    return Ended(run, plan, JobRunStates.Stopped, stoppedAt, null);
                }
                default:
                    return run;
            }
        }
        return run;
    }

    /// <summary>When the run next changes state on its own: the end of STARTING, RUNNING (or its timeout) or STOPPING.</summary>
    public DateTimeOffset? NextChangeAt(GlueJob job, JobRun run)
    {
        var plan = LoadPlan(job.Name, run.Id);
        var deadline = run.StartedOn.AddMinutes(run.TimeoutMinutes);
        DateTimeOffset? next = run.JobRunState switch
        {
            JobRunStates.Starting => run.StartedOn + StartupTime,
            JobRunStates.Running => plan.EndsAt,
            JobRunStates.Stopping => plan.StopRequestedAt + StoppingTime,
            _ => null,
        };
        return next is { } time && run.JobRunState != JobRunStates.Stopping && deadline < time ? deadline : next;
    }

    public JobRun Stop(GlueJob job, JobRun run)
    {
        var now = jobs.Clock.GetUtcNow();
        SavePlan(job.Name, run.Id, LoadPlan(job.Name, run.Id) with { StopRequestedAt = now });
        jobs.Log(JobLogGroups.Output, run.Id, new LogEvent(now, "Stop requested (BatchStopJobRun): the driver stops its Spark work."));
        return run with { JobRunState = JobRunStates.Stopping, LastModifiedOn = now };
    }

    /// <summary>What the run will read, decided as it starts RUNNING: the raw objects there then that its bookmark has not seen.</summary>
    private RunPlan Plan(GlueJob job, JobRun run, DateTimeOffset runningAt)
    {
        var arguments = LocalJobService.EffectiveArguments(job, run);
        var option = arguments.GetValueOrDefault(BookmarkOption, BookmarkDisable);
        if (ArgumentProblem(arguments, option) is { } problem)
        {
            jobs.Log(JobLogGroups.Output, run.Id, new LogEvent(runningAt, "Running the script."));
            return new RunPlan(runningAt, runningAt + ArgumentFailureTime, [], option, problem);
        }
        var bucket = arguments["--lake_bucket"];
        var prefix = arguments["--raw_prefix"];
        var everything = jobs.Lake.ListAllAsync(bucket, prefix).ToBlockingEnumerable().ToArray();
        if (everything.Length == 0)
        {
            jobs.Log(JobLogGroups.Output, run.Id, new LogEvent(runningAt, $"Listing s3://{bucket}/{prefix}."));
            return new RunPlan(runningAt, runningAt + ArgumentFailureTime, [], option,
                $"Path does not exist: s3://{bucket}/{prefix} has no objects. Check --raw_prefix (the raw readings are under weather-data/; list the lake with workshop lake ls).");
        }
        var seen = option == BookmarkDisable ? new Dictionary<string, DateTimeOffset>() : LoadBookmark(job.Name).Objects;
        var there = everything.Where(o => o.LastModified <= runningAt).ToArray();
        var inputs = there.Where(o => !seen.TryGetValue(o.Key, out var modified) || modified != o.LastModified)
            .Select(o => new PlannedObject(o.Key, o.LastModified, o.Size)).ToArray();
        var bytes = inputs.Sum(o => o.Size);
        var working = TimePerObject * inputs.Length + TimeSpan.FromSeconds(Math.Ceiling(bytes / (BytesPerDpuSecond * GlueBilling.Dpus(job))));
        var processing = working > MinimumProcessingTime ? TimeSpan.FromSeconds(Math.Ceiling(working.TotalSeconds)) : MinimumProcessingTime;
        jobs.Log(JobLogGroups.Output, run.Id, new LogEvent(runningAt,
            $"Reading s3://{bucket}/{prefix} with {option}: {inputs.Length} of {there.Length} raw objects to read ({Bytes(bytes)})."));
        return new RunPlan(runningAt, runningAt + processing, inputs, option, null);
    }

    private string? ArgumentProblem(IReadOnlyDictionary<string, string> arguments, string option)
    {
        if (option is not (BookmarkEnable or BookmarkDisable or BookmarkPause))
            return $"{BookmarkOption} '{option}' is not a bookmark option; use {BookmarkEnable}, {BookmarkDisable} or {BookmarkPause}.";
        if (RequiredArguments.FirstOrDefault(a => string.IsNullOrWhiteSpace(arguments.GetValueOrDefault(a))) is { } missing)
            return $"The script needs argument {missing}, and the run has none: give it in the job's DefaultArguments or the run's arguments.";
        var bucket = arguments["--lake_bucket"];
        if (LocalObjectStore.BucketNameProblem(bucket) is not null || !jobs.Lake.BucketExistsAsync(bucket).GetAwaiter().GetResult())
            return $"--lake_bucket '{bucket}' is not a bucket in the lake; give the stack's lake bucket (workshop lake ls lists the buckets).";
        foreach (var name in new[] { "--raw_prefix", "--curated_prefix" })
        {
            var prefix = arguments[name];
            if (!prefix.EndsWith('/') || LocalObjectStore.KeyProblem(prefix, isPrefix: true) is not null)
                return $"{name} '{prefix}' is not a folder of the lake; give one such as weather-data/ (segments separated by '/', ending with '/').";
        }
        if (!jobs.Catalog.DatabaseExists(arguments["--database"]))
            return $"--database '{arguments["--database"]}' is not a database in the Glue Data Catalog; give the stack's database (deploy the stack first).";
        return null;
    }

    /// <summary>The work, at the run's end: reads the planned raw objects, curates them, rewrites the partitions they touch.</summary>
    private JobRun Finish(GlueJob job, JobRun run, RunPlan plan, DateTimeOffset endsAt)
    {
        if (plan.Problem is { } problem) return Failed(job, run, plan, endsAt, problem);
        var arguments = LocalJobService.EffectiveArguments(job, run);
        var bucket = arguments["--lake_bucket"];
        var spec = new CuratedTableSpec(arguments["--database"], bucket, arguments["--curated_table"], arguments["--curated_prefix"],
            ReadingsCuration.CuratedColumns, ReadingsCuration.PartitionColumns);
        var lines = new List<LogEvent>();
        try
        {
            var rows = new List<object?[]>();
            foreach (var input in plan.Inputs) rows.AddRange(ReadRaw(bucket, input.Key));
            lines.Add(new LogEvent(endsAt, $"Read {rows.Count} raw readings from {plan.Inputs.Count} objects."));
            if (rows.Count == 0)
                lines.Add(new LogEvent(endsAt, "No new raw readings since the last successful run (job bookmark); nothing to curate."));
            else
                lines.AddRange(Curate(spec, rows, FileName(run)).Select(m => new LogEvent(endsAt, m)));
        }
        catch (RawObjectException error)
        {
            jobs.Log(JobLogGroups.Output, run.Id, [.. lines]);
            return Failed(job, run, plan, endsAt, error.Message);
        }
        if (plan.BookmarkOption == BookmarkEnable)
        {
            var bookmark = LoadBookmark(job.Name);
            foreach (var input in plan.Inputs) bookmark.Objects[input.Key] = input.LastModified;
            SaveBookmark(job.Name, bookmark with { LastRunId = run.Id });
            lines.Add(new LogEvent(endsAt, $"Bookmark committed: {bookmark.Objects.Count} raw objects processed so far."));
        }
        else
        {
            lines.Add(new LogEvent(endsAt, $"Bookmark not moved ({plan.BookmarkOption})."));
        }
        var ended = Ended(run, plan, JobRunStates.Succeeded, endsAt, null);
        lines.Add(new LogEvent(endsAt, $"Job run succeeded after {ended.ExecutionTime} s: billed {Dpus(ended.DpuSeconds)} DPU-seconds (${GlueBilling.Cost(ended.DpuSeconds):0.0000})."));
        jobs.Log(JobLogGroups.Output, run.Id, [.. lines]);
        return ended;
    }

    /// <summary>Curates the new raw rows together with the rows already in the partitions they touch, and rewrites those partitions.</summary>
    private List<string> Curate(CuratedTableSpec spec, IReadOnlyList<object?[]> rows, string fileName)
    {
        var tables = jobs.CuratedTables;
        var messages = new List<string>();
        using var engine = tables.OpenEngine();
        CuratedTables.LoadRows(engine, "raw_readings", ReadingsCuration.RawColumns, rows);
        Execute(engine, $"CREATE TEMP TABLE new_curated AS {ReadingsCuration.Sql("raw_readings")}");
        var touched = CuratedTables.Rows(engine, "SELECT DISTINCT location, year, month, day FROM new_curated ORDER BY location, year, month, day")
            .Select(r => (IReadOnlyList<string>)r.Select(v => (string)v!).ToArray()).ToArray();
        var earlier = touched.Select(v => tables.PartitionSource(spec, v)).OfType<string>().ToArray();
        // Rows already curated go back through the one transformation as raw readings, so the duplicate rule runs once over old and new.
        var union = string.Concat(earlier.Select(source => $"""
             UNION ALL SELECT city, temperature_c, strftime(measurement_time, '%Y-%m-%dT%H:%M'),
                              strftime(first_collected, '%Y-%m-%dT%H:%M:%S.%g'), wind_speed, weather_code FROM {source}
            """));
        Execute(engine, $"CREATE TEMP TABLE all_raw AS SELECT city, temperature, measurement_time, collection_time, wind_speed, weather_code FROM raw_readings{union}");
        Execute(engine, $"CREATE TEMP TABLE curated AS {ReadingsCuration.Sql("all_raw")}");
        var columns = string.Join(", ", spec.Columns.Select(c => c.Name));
        var written = new List<string>();
        foreach (var values in touched)
        {
            var where = string.Join(" AND ", spec.PartitionColumns.Zip(values, (c, v) => $"{c} = '{v.Replace("'", "''")}'"));
            var count = Convert.ToInt64(CuratedTables.Rows(engine, $"SELECT COUNT(*) FROM curated WHERE {where}")[0][0], CultureInfo.InvariantCulture);
            var file = tables.WritePartition(engine, spec, values, $"SELECT {columns} FROM curated WHERE {where} ORDER BY measurement_time, city", fileName);
            written.Add($"{spec.PartitionPrefix(values)[spec.Prefix.Length..].TrimEnd('/')}: {count} rows, {Bytes(file.Size)}");
        }
        var registered = tables.RegisterPartitions(spec, touched);
        messages.Add($"Curated {rows.Count} raw readings into {spec.Table} at s3://{spec.Bucket}/{spec.Prefix}: {touched.Length} partitions rewritten.");
        messages.AddRange(written.Select(w => "  " + w));
        messages.Add($"Catalog: {spec.Database}.{spec.Table} has {registered} new partitions.");
        return messages;
    }

    /// <summary>A raw object's readings in <see cref="ReadingsCuration.RawColumns"/> order; a field of the wrong type reads as null, as Spark's JSON reader does.</summary>
    private IEnumerable<object?[]> ReadRaw(string bucket, string key)
    {
        StoredObject stored;
        try
        {
            stored = jobs.Lake.GetObjectAsync(bucket, key).GetAwaiter().GetResult();
        }
        catch (S3Exception error)
        {
            throw new RawObjectException($"Raw object s3://{bucket}/{key} could not be read: {error.Message}");
        }
        var rows = new List<object?[]>();
        var number = 0;
        try
        {
            foreach (var line in LocalObjectStore.ReadLines(stored))
            {
                number++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                using var document = JsonDocument.Parse(line);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    throw new RawObjectException($"Raw object s3://{bucket}/{key} is not JSON lines: line {number} is not a JSON object. Remove or fix the object, then run the job again.");
                var reading = document.RootElement;
                rows.Add([Text(reading, "city"), Number(reading, "temperature"), Text(reading, "measurement_time"), Text(reading, "collection_time"),
                    Number(reading, "wind_speed"), Number(reading, "weather_code") is { } code ? (int)code : null]);
            }
        }
        catch (InvalidDataException)
        {
            throw new RawObjectException($"Raw object s3://{bucket}/{key} is not valid gzip: its content cannot be decompressed. Remove or replace the object, then run the job again.");
        }
        catch (JsonException error)
        {
            throw new RawObjectException($"Raw object s3://{bucket}/{key} is not JSON lines: line {number} is not valid JSON ({error.Message.Split('.')[0]}). Remove or fix the object, then run the job again.");
        }
        return rows;
    }

    private static string? Text(JsonElement reading, string name) =>
        reading.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double? Number(JsonElement reading, string name)
    {
        if (!reading.TryGetProperty(name, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Number) return value.GetDouble();
        return value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
    }

    private JobRun Failed(GlueJob job, JobRun run, RunPlan plan, DateTimeOffset at, string message)
    {
        jobs.Log(JobLogGroups.Error, run.Id, new LogEvent(at, $"ERROR {message}"));
        var ended = Ended(run, plan, JobRunStates.Failed, at, message);
        jobs.Log(JobLogGroups.Output, run.Id, new LogEvent(at,
            $"Job run failed after {ended.ExecutionTime} s; nothing was written and the bookmark did not move. Billed {Dpus(ended.DpuSeconds)} DPU-seconds."));
        return ended;
    }

    private JobRun TimedOut(GlueJob job, JobRun run, RunPlan plan, DateTimeOffset deadline)
    {
        var message = $"Job run timed out: it was still running after the job's timeout of {run.TimeoutMinutes} minutes. Give the job a longer Timeout, or more workers.";
        jobs.Log(JobLogGroups.Error, run.Id, new LogEvent(deadline, $"ERROR {message}"));
        return Ended(run, plan, JobRunStates.Timeout, deadline, message);
    }

    private static JobRun Ended(JobRun run, RunPlan plan, string state, DateTimeOffset at, string? message)
    {
        var seconds = plan.RunningAt is { } runningAt && at > runningAt ? (int)Math.Ceiling((at - runningAt).TotalSeconds) : 0;
        return run with
        {
            JobRunState = state, LastModifiedOn = at, CompletedOn = at, ExecutionTime = seconds, ErrorMessage = message,
            DpuSeconds = GlueBilling.BilledDpuSeconds(run.WorkerType, run.NumberOfWorkers, seconds),
            LogGroupName = JobLogGroups.Output,
        };
    }

    /// <summary>The name each partition's Parquet object gets, as Spark names its part files, from the run that wrote it.</summary>
    private static string FileName(JobRun run) => $"part-00000-{run.Id[3..15]}.c000.snappy.parquet";

    private static void Execute(DuckDBConnection engine, string sql)
    {
        using var command = engine.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Dpus(double dpuSeconds) => dpuSeconds.ToString("0.##", CultureInfo.InvariantCulture);

    internal static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => (bytes / 1024.0 / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
    };

    private string PlanFile(string jobName, string runId) => jobs.Workspace.Resolve("state", "jobs", jobName, "batch", runId + ".json");

    private RunPlan LoadPlan(string jobName, string runId)
    {
        var path = PlanFile(jobName, runId);
        return File.Exists(path) ? WorkspaceJson.Read<RunPlan>(path, JsonOptions)! : new RunPlan();
    }

    private void SavePlan(string jobName, string runId, RunPlan plan) =>
        jobs.Workspace.WriteAtomically(PlanFile(jobName, runId), JsonSerializer.SerializeToUtf8Bytes(plan, JsonOptions));

    private string BookmarkFile(string jobName) => Path.Combine(jobs.BookmarkFolder(jobName), "raw_readings.json");

    private Bookmark LoadBookmark(string jobName)
    {
        var path = BookmarkFile(jobName);
        return File.Exists(path) ? WorkspaceJson.Read<Bookmark>(path, JsonOptions)! : new Bookmark(new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal), null);
    }

    private void SaveBookmark(string jobName, Bookmark bookmark) =>
        jobs.Workspace.WriteAtomically(BookmarkFile(jobName), JsonSerializer.SerializeToUtf8Bytes(bookmark, JsonOptions));

    /// <summary>A run's own state: when it started RUNNING and will end, what it reads, and a problem found in its arguments.</summary>
    private sealed record RunPlan(DateTimeOffset? RunningAt = null, DateTimeOffset? EndsAt = null, IReadOnlyList<PlannedObject>? PlannedInputs = null,
        string BookmarkOption = BookmarkDisable, string? Problem = null, DateTimeOffset? StopRequestedAt = null)
    {
        [System.Text.Json.Serialization.JsonIgnore]
        public IReadOnlyList<PlannedObject> Inputs => PlannedInputs ?? [];
    }

    private sealed record PlannedObject(string Key, DateTimeOffset LastModified, long Size);

    /// <summary>The job bookmark of the raw source (transformation_ctx raw_readings): each object read and its last-modified time then.</summary>
    private sealed record Bookmark(Dictionary<string, DateTimeOffset> Objects, string? LastRunId);

    private sealed class RawObjectException(string message) : Exception(message);
}
