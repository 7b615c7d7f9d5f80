using System.Globalization;
using System.Text;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Jobs;

/// <summary>The latest reading of one city in curated_weather_live.</summary>
public sealed record LatestReading(string City, DateTime MeasurementTime, double TemperatureC, double TemperatureF);

/// <summary>One city's 5-minute window: written to weather_5min_by_city, or still open (its sums so far, from the checkpoint).</summary>
public sealed record WindowAverage(DateTime WindowStart, DateTime WindowEnd, string City, int Readings, double AverageC, double MinC, double MaxC, bool Open);

/// <summary>
/// What the streaming job has made queryable, as a real-time dashboard shows it: the latest reading per city and the
/// latest 5-minute averages per city (the open window's so far), with the batch that last landed and the clock.
/// </summary>
public sealed record DashboardView(string JobName, string RunState, StreamingBatch? LastBatch, DateTimeOffset Clock,
    IReadOnlyList<LatestReading> Latest, IReadOnlyList<WindowAverage> Windows) : IHtmlDisplay
{
    /// <summary>How many of each city's newest windows are shown.</summary>
    public const int WindowsPerCity = 3;

    public string Heading => $"Streaming job {JobName} ({RunState}) · " +
        (LastBatch is { } b ? $"batch {b.BatchId} landed {b.CommitTime.UtcDateTime:HH:mm:ss} ({b.RecordsIn} record(s) read)" : "no batch has landed yet") +
        $" · clock {Clock.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC";

    private static readonly string[] LatestHeaders = ["City", "Measured (UTC)", "°C", "°F"];
    private static readonly string[] WindowHeaders = ["Window (UTC)", "City", "Readings", "Avg °C", "Min °C", "Max °C", "State"];

    private IEnumerable<IReadOnlyList<string>> LatestRows => Latest.Select(r => (IReadOnlyList<string>)
        [r.City, r.MeasurementTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), Number(r.TemperatureC), Number(r.TemperatureF)]);

    private IEnumerable<IReadOnlyList<string>> WindowRows => Windows.Select(w => (IReadOnlyList<string>)
    [
        $"{w.WindowStart:HH:mm}-{w.WindowEnd:HH:mm}", w.City, w.Readings.ToString(CultureInfo.InvariantCulture),
        Number(w.AverageC), Number(w.MinC), Number(w.MaxC), w.Open ? "open, so far" : "written",
    ]);

    public string ToHtml()
    {
        var html = new StringBuilder($"<div style=\"{HtmlTable.Style};font-weight:bold;padding:4px 0\">{HtmlTable.Encode(Heading)}</div>");
        html.Append(Latest.Count == 0 ? $"<div style=\"{HtmlTable.Style}\">No curated readings yet.</div>" : HtmlTable.Render(LatestHeaders, LatestRows, "Latest reading per city"));
        if (Windows.Count > 0) html.Append(HtmlTable.Render(WindowHeaders, WindowRows, "5-minute averages per city"));
        return html.ToString();
    }

    public override string ToString()
    {
        var text = new StringBuilder(Heading).Append('\n');
        text.Append(Latest.Count == 0 ? "No curated readings yet.\n" : "Latest reading per city\n" + TextTable.Render(LatestHeaders, LatestRows, 80).TrimEnd('\n') + "\n");
        if (Windows.Count > 0) text.Append("5-minute averages per city\n").Append(TextTable.Render(WindowHeaders, WindowRows, 80).TrimEnd('\n'));
        return text.ToString().TrimEnd('\n');
    }

    private static string Number(double value) => value.ToString("0.0#", CultureInfo.InvariantCulture);
}

/// <summary>The dashboard of a streaming job on the local backend.</summary>
public static class StreamingDashboards
{
    /// <summary>The dashboard of <paramref name="jobName"/> (session.Jobs.Dashboard() gives the stack's streaming job's).</summary>
    public static StreamingDashboard Dashboard(this LocalJobService jobs, string jobName) => new(jobs, jobName);
}

/// <summary>
/// The streaming job's dashboard on the local backend. Shown while the clock runs live (session.StartLive), it updates
/// in place below its cell each time a batch lands, until the live run ends; otherwise it shows what is there now.
/// </summary>
public sealed class StreamingDashboard : IHtmlDisplay, IDisposable
{
    private static readonly TimeSpan LookEvery = TimeSpan.FromMilliseconds(500);
    private readonly LocalJobService jobs;
    private readonly string jobName;
    private readonly CancellationTokenSource stop = new();

    /// <param name="until">What to follow: shown and updated until this ends (a live run's Completion); without it the
    /// dashboard follows only a clock that is live as it is made.</param>
    internal StreamingDashboard(LocalJobService jobs, string jobName, Task? until = null)
    {
        this.jobs = jobs;
        this.jobName = jobName;
        this.until = until;
        var display = until is not null || jobs.Clock.IsLive ? LiveDisplay.Show(Snapshot()) : null;
        Following = display is null ? Task.CompletedTask : Task.Run(() => FollowAsync(display, stop.Token));
    }

    private readonly Task? until;

    /// <summary>Whether there is still something to follow: the task given, or else a live clock.</summary>
    private bool Followed => until is { } task ? !task.IsCompleted : jobs.Clock.IsLive;

    /// <summary>Ends when what it follows ends (or <see cref="Dispose"/> is called): the display then shows its last state.</summary>
    public Task Following { get; }

    /// <summary>The dashboard now, with the job's run settled to the clock.</summary>
    public DashboardView Snapshot() => Read(jobs, jobName);

    private async Task FollowAsync(IUpdatableDisplay display, CancellationToken token)
    {
        long? shown = null;
        while (!token.IsCancellationRequested && Followed)
        {
            try
            {
                // Woken early when the task it follows ends, so the last state is shown without waiting out the interval.
                var look = Task.Delay(LookEvery, token);
                await (until is null ? look : Task.WhenAny(look, until));
            }
            catch (OperationCanceledException)
            {
                break;
            }
            if (token.IsCancellationRequested) break;
            var view = Snapshot();
            if (view.LastBatch?.BatchId == shown) continue;
            shown = view.LastBatch?.BatchId;
            display.Update(view);
        }
        display.Update(Snapshot());
    }

    /// <summary>Reads the dashboard from the lake and the checkpoint of the job's newest run.</summary>
    internal static DashboardView Read(LocalJobService jobs, string jobName)
    {
        var job = jobs.GetJobAsync(jobName).GetAwaiter().GetResult();
        var run = jobs.GetJobRunsAsync(jobName, 1).GetAwaiter().GetResult().FirstOrDefault();
        var settings = StreamingJobSettings.For(jobs, job, run);
        var checkpoint = new StreamingCheckpoint(jobs.Lake, settings.CheckpointBucket, settings.CheckpointPrefix);
        var commits = checkpoint.Commits();
        var last = commits.Count > 0 ? commits[^1] : null;
        var open = last is null ? [] : checkpoint.State(last.BatchId).Open;

        var latest = new List<LatestReading>();
        var windows = new List<WindowAverage>();
        var liveFiles = Files(jobs, settings.LakeBucket, ReadingsCuration.LivePrefix);
        var windowFiles = Files(jobs, settings.LakeBucket, ReadingsCuration.WindowPrefix);
        if (liveFiles.Count > 0 || windowFiles.Count > 0)
        {
            using var engine = jobs.CuratedTables.OpenEngine();
            if (liveFiles.Count > 0)
            {
                using var command = engine.CreateCommand();
                command.CommandText = $"""
                    SELECT city, measurement_time, temperature_c, temperature_f FROM read_parquet([{Sources(liveFiles)}], hive_partitioning = false)
                    QUALIFY ROW_NUMBER() OVER (PARTITION BY city ORDER BY measurement_time DESC, first_collected DESC) = 1
                    ORDER BY city
                    """;
                using var reader = command.ExecuteReader();
                while (reader.Read()) latest.Add(new LatestReading(reader.GetString(0), reader.GetDateTime(1), reader.GetDouble(2), reader.GetDouble(3)));
            }
            if (windowFiles.Count > 0)
            {
                using var command = engine.CreateCommand();
                command.CommandText = $"""
                    SELECT window_start, window_end, city, readings, avg_temperature_c, min_temperature_c, max_temperature_c
                    FROM read_parquet([{Sources(windowFiles)}], hive_partitioning = false)
                    """;
                using var reader = command.ExecuteReader();
                while (reader.Read())
                    windows.Add(new WindowAverage(reader.GetDateTime(0), reader.GetDateTime(1), reader.GetString(2), reader.GetInt32(3),
                        reader.GetDouble(4), reader.GetDouble(5), reader.GetDouble(6), Open: false));
            }
        }
        windows.AddRange(open.Select(w => new WindowAverage(w.Start.UtcDateTime, (w.Start + ReadingsCuration.Window).UtcDateTime, w.City, w.Readings,
            StreamingWindows.Average(w), w.Min, w.Max, Open: true)));
        var shown = windows.GroupBy(w => w.City)
            .SelectMany(city => city.OrderByDescending(w => w.WindowStart).Take(DashboardView.WindowsPerCity))
            .OrderByDescending(w => w.WindowStart).ThenBy(w => w.City, StringComparer.Ordinal).ToList();
        return new DashboardView(jobName, run?.JobRunState ?? "never run", last, jobs.Clock.GetUtcNow(), latest, shown);
    }

    private static List<string> Files(LocalJobService jobs, string bucket, string prefix)
    {
        var folder = jobs.Lake.GetLocalFolder(bucket, prefix);
        return Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList() : [];
    }

    private static string Sources(IEnumerable<string> files) => string.Join(", ", files.Select(f => $"'{f.Replace("'", "''")}'"));

    public string ToHtml() => Snapshot().ToHtml();

    public override string ToString() => Snapshot().ToString();

    public void Dispose()
    {
        stop.Cancel();
        stop.Dispose();
    }
}
