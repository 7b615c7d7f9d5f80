using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Display;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Faults;
using StreamingWorkshop.Metrics;

namespace StreamingWorkshop.Producer;

public sealed record ProducerOptions
{
    public required string StreamName { get; init; }
    public IReadOnlyList<City> Cities { get; init; } = City.WorkshopDefaults;
    public string FunctionName { get; init; } = "weather-producer";
}

public sealed record ProducedRecord(string City, string ShardId, string SequenceNumber);

/// <summary>What one invocation did, as the function returns it.</summary>
/// <param name="StoredTwice">Readings the stream stored twice: their put's answer was lost, so the producer sent them again.</param>
public sealed record ProducerSummary(string RequestId, int Processed, IReadOnlyList<string> FailedCities, DateTimeOffset Time, IReadOnlyList<ProducedRecord> Records,
    int StoredTwice = 0) : IHtmlDisplay
{
    /// <summary>One invocation's result, as the function's response and log report it.</summary>
    private PropertiesView View => new("Producer invocation",
    [
        ("Request ID", RequestId),
        ("Time", Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)),
        ("Records put", Processed.ToString(CultureInfo.InvariantCulture)),
        ("Failed cities", FailedCities.Count == 0 ? "none" : string.Join(", ", FailedCities)),
    ]);

    public string ToHtml() => View.ToHtml();

    public override string ToString() => View.ToString();
}

/// <summary>
/// The workshop's producer function: for each city, fetch the current weather and put one record on the
/// stream with the city as partition key. A city that fails (no reading, or a put refused) is logged and
/// listed, and the others still go. Each invocation logs START, one line per city, END and REPORT, as Lambda does.
/// </summary>
/// <param name="metrics">Where to record the function's CloudWatch metrics (AWS/Lambda); none when null.</param>
public sealed class WeatherProducer(IWeatherSource source, IStreamService stream, ProducerLog log, TimeProvider clock, ProducerOptions options, IMetricsRecorder? metrics = null) : IHtmlDisplay
{
    /// <summary>In a notebook, the producer and its calls rather than an object tree.</summary>
    public string ToHtml() => OwnCalls.ToHtml();

    public override string ToString() => OwnCalls.ToString();

    private static readonly CallsView OwnCalls = new("workshop.Local.Producer: the kit's C# producer, the body of the producer's Lambda function (local backend only)", [
        ("InvokeAsync()", "PutRecord, one per city, as one invocation of the function does"),
        ("InvokeBatchedAsync()", "PutRecords: every city's reading, 500 to a call"),
        ("Options", "none: the stream, the cities and the function's name it runs with"),
        ("Scenario", "none: the outage and field change a replay asks for"),
        ("BacklogCount", "none: readings taken during an outage, waiting to be sent"),
        ("Faults", "none: the faults it applies, as workshop.Local.Faults"),
    ], "workshop.Producer.InvokeAsync() runs it as the stack's function, under the deployed stack's names.");

    public ProducerOptions Options { get; } = options;

    private long invocations;

    /// <summary>The outage and field change a replay asks for; <see cref="ProducerScenario.None"/> otherwise.</summary>
    public ProducerScenario Scenario { get; set; } = ProducerScenario.None;

    /// <summary>Readings taken during an outage, oldest first, waiting to be sent.</summary>
    private readonly List<WeatherReading> backlog = [];

    public int BacklogCount => backlog.Count;

    /// <summary>The faults the learner switched on (failed invocations, throttling, duplicate puts); none when null.</summary>
    public FaultInjector? Faults { get; set; }

    /// <summary>One invocation, one PutRecord per city (what the workshop's Lambda does).</summary>
    public Task<ProducerSummary> InvokeAsync(CancellationToken cancellationToken = default) => Measured(InvokeOnceAsync, cancellationToken);

    private async Task<ProducerSummary> InvokeOnceAsync(CancellationToken cancellationToken)
    {
        var (requestId, events, started, stopwatch) = Begin();
        if (Faults?.InvocationFailure(started) is { } failure) return Failed(requestId, events, failure);
        Faults?.BeforePuts(Options.StreamName, started);
        var records = new List<ProducedRecord>();
        var failed = new List<string>();
        var unanswered = new List<WeatherReading>();
        var storedTwice = 0;
        foreach (var city in Options.Cities)
        {
            try
            {
                var reading = WithScenarioFields(await source.FetchAsync(city, clock.GetUtcNow(), cancellationToken));
                if (Scenario.Outage is { } outage && outage.Covers(clock.GetUtcNow()))
                {
                    backlog.Add(reading);
                    events.Add(log.Event($"Stream unreachable; kept the reading of {reading.City} collected at {reading.CollectionTime:yyyy-MM-ddTHH:mm} to send later ({backlog.Count} waiting)"));
                    continue;
                }
                var json = reading.ToJson();
                var put = await stream.PutRecordAsync(Options.StreamName, json, reading.City, cancellationToken: cancellationToken);
                events.Add(log.Event($"Sent {Encoding.UTF8.GetString(json)} to {put.ShardId} as {put.SequenceNumber}"));
                if (Faults?.TakeDuplicatePut(reading.City, reading.CollectionTime) == true)
                {
                    // The stream stored the record but its answer never came back, so the client sent it again.
                    put = await stream.PutRecordAsync(Options.StreamName, json, reading.City, cancellationToken: cancellationToken);
                    storedTwice++;
                    events.Add(log.Event($"No answer to the put of {reading.City} collected at {reading.CollectionTime:yyyy-MM-ddTHH:mm}; retried: stored again to {put.ShardId} as {put.SequenceNumber}"));
                }
                records.Add(new ProducedRecord(reading.City, put.ShardId, put.SequenceNumber));
                if (AnswerLostBeforeOutage())
                {
                    unanswered.Add(reading);
                    events.Add(log.Event($"No answer from the stream for the reading of {reading.City} collected at {reading.CollectionTime:yyyy-MM-ddTHH:mm}; kept it to send again"));
                }
            }
            catch (Exception error) when (error is WeatherSourceException or ServiceException)
            {
                failed.Add(city.Name);
                events.Add(log.Event($"Failed {city.Name}: {error.Message}"));
            }
        }
        await SendBacklogAsync(events, records, cancellationToken);
        // Joined after this minute's backfill, so they are sent again once the outage is over.
        backlog.AddRange(unanswered);
        return End(requestId, events, started, stopwatch, records, failed, storedTwice);
    }

    // The last invocation before the outage: the next one, a minute later, falls inside it.
    private bool AnswerLostBeforeOutage() =>
        Scenario is { ResendLastBeforeOutage: true, Outage: { } outage } && clock.GetUtcNow() < outage.From && outage.From - clock.GetUtcNow() <= TimeSpan.FromMinutes(1);

    /// <summary>
    /// Once the stream answers again, the kept readings follow this minute's: the stream receives them after newer
    /// ones, so they arrive late and out of order by measurement_time.
    /// </summary>
    private async Task SendBacklogAsync(List<LogEvent> events, List<ProducedRecord> records, CancellationToken cancellationToken)
    {
        if (backlog.Count == 0 || Scenario.Outage is { } outage && outage.Covers(clock.GetUtcNow())) return;
        var sent = 0;
        while (backlog.Count > 0)
        {
            var reading = backlog[0];
            try
            {
                var put = await stream.PutRecordAsync(Options.StreamName, reading.ToJson(), reading.City, cancellationToken: cancellationToken);
                records.Add(new ProducedRecord(reading.City, put.ShardId, put.SequenceNumber));
            }
            catch (ServiceException error)
            {
                events.Add(log.Event($"Backfill stopped with {backlog.Count} reading(s) waiting: {error.Message}"));
                break;
            }
            backlog.RemoveAt(0);
            sent++;
        }
        if (sent > 0) events.Add(log.Event($"Backfilled {sent} reading(s) held back by the outage"));
    }

    /// <summary>The humidity field of the producer version the scenario switches to, when it is in force.</summary>
    private WeatherReading WithScenarioFields(WeatherReading reading) =>
        Scenario.HumidityFrom is { } from && reading.CollectionTime >= from && reading.Humidity is null
            ? reading with { Humidity = SimulatedHumidity(reading.Temperature) }
            : reading;

    /// <summary>Relative humidity falling as the air warms: 95 % at 0 °C, 2 points less per degree, kept within 30..100.</summary>
    public static double SimulatedHumidity(double temperature) => Math.Round(Math.Clamp(95 - 2 * temperature, 30, 100), 1);

    /// <summary>One invocation putting every city's reading with PutRecords, 500 at a time (for many cities).</summary>
    public Task<ProducerSummary> InvokeBatchedAsync(CancellationToken cancellationToken = default) => Measured(InvokeBatchedOnceAsync, cancellationToken);

    private async Task<ProducerSummary> InvokeBatchedOnceAsync(CancellationToken cancellationToken)
    {
        var (requestId, events, started, stopwatch) = Begin();
        var records = new List<ProducedRecord>();
        var failed = new List<string>();
        var now = clock.GetUtcNow();
        foreach (var chunk in Options.Cities.Chunk(LocalStreamService.MaxRecordsPerPutRecords))
        {
            var readings = new List<WeatherReading>(chunk.Length);
            foreach (var city in chunk)
            {
                try { readings.Add(await source.FetchAsync(city, now, cancellationToken)); }
                catch (WeatherSourceException error)
                {
                    failed.Add(city.Name);
                    events.Add(log.Event($"Failed {city.Name}: {error.Message}"));
                }
            }
            if (readings.Count == 0) continue;
            var result = await stream.PutRecordsAsync(Options.StreamName, readings.Select(r => new PutRecordsEntry(r.ToJson(), r.City)).ToArray(), cancellationToken);
            for (var i = 0; i < readings.Count; i++)
            {
                var entry = result.Records[i];
                if (entry.Succeeded) records.Add(new ProducedRecord(readings[i].City, entry.ShardId!, entry.SequenceNumber!));
                else
                {
                    failed.Add(readings[i].City);
                    events.Add(log.Event($"Failed {readings[i].City}: {entry.ErrorCode}: {entry.ErrorMessage}"));
                }
            }
        }
        events.Add(log.Event($"Put {records.Count} record(s) with PutRecords"));
        return End(requestId, events, started, stopwatch, records, failed);
    }

    /// <summary>
    /// One invocation as Lambda counts it: Invocations 1, and Errors 1 when the function itself fails (a city that
    /// fails is logged and the invocation still succeeds). The local function is never throttled.
    /// </summary>
    private async Task<ProducerSummary> Measured(Func<CancellationToken, Task<ProducerSummary>> invocation, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        // The invocation's datapoints, and those of the puts it makes, are written together as it returns.
        using var metricsBatch = metrics?.BeginBatch();
        try
        {
            return await invocation(cancellationToken);
        }
        catch (Exception) when (metrics is not null)
        {
            RecordInvocation(error: true, stopwatch.Elapsed.TotalMilliseconds);
            throw;
        }
    }

    private void RecordInvocation(bool error, double durationMilliseconds)
    {
        if (metrics is null) return;
        var function = new MetricDimension(MetricNames.FunctionName, Options.FunctionName);
        metrics.Record(MetricNames.Lambda, "Invocations", function, 1, MetricNames.Count);
        metrics.Record(MetricNames.Lambda, "Errors", function, error ? 1 : 0, MetricNames.Count);
        metrics.Record(MetricNames.Lambda, "Throttles", function, 0, MetricNames.Count);
        metrics.Record(MetricNames.Lambda, "Duration", function, durationMilliseconds, MetricNames.Milliseconds);
    }

    /// <summary>
    /// The memory fields of a REPORT line, as Lambda prints them: the function's 128 MB and the most it used. The
    /// simulated function measures no memory, so it reports a fixed figure, what a small Python function with boto3
    /// loaded typically uses.
    /// </summary>
    internal const string ReportMemory = "Memory Size: 128 MB\tMax Memory Used: 81 MB";

    private (string RequestId, List<LogEvent> Events, DateTimeOffset Started, Stopwatch Stopwatch) Begin()
    {
        var started = clock.GetUtcNow();
        // Deterministic for a replayed run, and different for two invocations at the same virtual instant.
        var requestId = new Guid(MD5.HashData(Encoding.UTF8.GetBytes($"{Options.FunctionName}|{started.UtcTicks}|{Interlocked.Increment(ref invocations)}"))).ToString();
        return (requestId, [log.Event($"START RequestId: {requestId} Version: $LATEST")], started, Stopwatch.StartNew());
    }

    /// <summary>
    /// An invocation that fails before putting anything, logged as Lambda logs it: an error line, or "Task timed out after
    /// 30.00 seconds" with a REPORT line at the timeout. Lambda counts it in Errors; every city's reading is missing.
    /// </summary>
    private ProducerSummary Failed(string requestId, List<LogEvent> events, InvocationFault failure)
    {
        var started = clock.GetUtcNow();
        var duration = failure.TimedOut ? InvocationFault.FunctionTimeoutSeconds * 1000 : 1.5;
        var at = started.AddMilliseconds(duration).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        events.Add(log.Event(failure.TimedOut
            ? string.Create(CultureInfo.InvariantCulture, $"{at} {requestId} Task timed out after {InvocationFault.FunctionTimeoutSeconds:F2} seconds")
            : $"{at} {requestId} ERROR Invoke Error {{\"errorType\":\"HttpRequestException\",\"errorMessage\":\"The weather service closed the connection before answering\"}}"));
        events.Add(log.Event($"END RequestId: {requestId}"));
        events.Add(log.Event(string.Create(CultureInfo.InvariantCulture,
            $"REPORT RequestId: {requestId}\tDuration: {duration:F2} ms\tBilled Duration: {Math.Ceiling(duration):F0} ms\t{ReportMemory}")));
        RecordInvocation(error: true, duration);
        log.Append(Options.FunctionName, events);
        return new ProducerSummary(requestId, 0, Options.Cities.Select(c => c.Name).ToArray(), started, []);
    }

    private ProducerSummary End(string requestId, List<LogEvent> events, DateTimeOffset started, Stopwatch stopwatch, List<ProducedRecord> records, List<string> failed,
        int storedTwice = 0)
    {
        var summary = new ProducerSummary(requestId, records.Count, failed, started, records, storedTwice);
        events.Add(log.Event($"Processed {records.Count} of {records.Count + failed.Count} cities" + (failed.Count > 0 ? $"; failed: {string.Join(", ", failed)}" : "")));
        events.Add(log.Event($"END RequestId: {requestId}"));
        // Kept to the hundredth of a millisecond the REPORT line shows, so the Duration metric and the log agree.
        var duration = Math.Round(stopwatch.Elapsed.TotalMilliseconds, 2);
        events.Add(log.Event(string.Create(CultureInfo.InvariantCulture,
            $"REPORT RequestId: {requestId}\tDuration: {duration:F2} ms\tBilled Duration: {Math.Ceiling(duration):F0} ms\t{ReportMemory}")));
        RecordInvocation(error: false, duration);
        log.Append(Options.FunctionName, events);
        return summary;
    }
}
