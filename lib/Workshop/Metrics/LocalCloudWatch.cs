using System.Globalization;
using System.Text.Json;
using StreamingWorkshop.Display;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Metrics;

/// <summary>
/// CloudWatch on the local backend: statistics of the datapoints the local services record (<see cref="MetricsLog"/>),
/// and alarms on them kept in metrics/alarms.json, each evaluated on the virtual clock whenever it is described.
/// Periods are whole minutes (60 s and multiples), the resolution of the services' own metrics; a period with no
/// datapoint gives no datapoint, as CloudWatch leaves missing data out.
/// </summary>
public sealed class LocalCloudWatch(WorkspaceDirectory workspace, TimeProvider clock, MetricsLog log) : IMetricsService, IHtmlDisplay
{
    /// <summary>In a notebook, the metrics stage's calls rather than an object tree: the stage's, then the local engine's own.</summary>
    public string ToHtml() => StageCalls.Metrics.ToHtml() + OwnCalls.ToHtml();

    public override string ToString() => StageCalls.Metrics + "\n" + OwnCalls;

    private static readonly CallsView OwnCalls = new("workshop.Local.CloudWatch: the local CloudWatch's own member (local backend only)", [
        ("Log", "none: where the local services record their datapoints, as workshop.Local.MetricsLog"),
    ]);

    public const int MaxDatapointsPerCall = 1_440;
    public const int MaxEvaluationSeconds = 7 * 24 * 3600;
    private const string Service = "monitoring";

    public MetricsLog Log { get; } = log;

    public Task<MetricStatistics> GetMetricStatisticsAsync(MetricStatisticsRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Statistics.Count == 0)
            throw new ServiceException(Service, "MissingParameter", "The parameter Statistics is required: give one or more of SampleCount, Sum, Average, Minimum, Maximum.");
        foreach (var statistic in request.Statistics) CheckStatistic(statistic, "Statistics");
        var periods = Periods(request.StartTime, request.EndTime, request.Period);
        var datapoints = new List<MetricDatapoint>();
        foreach (var (start, values, unit) in Aggregate(request.Metric, periods.Start, periods.Count, request.Period, request.Unit))
        {
            double? Pick(string statistic) => request.Statistics.Contains(statistic) ? Compute(statistic, values) : null;
            datapoints.Add(new MetricDatapoint(start, unit, Pick("SampleCount"), Pick("Sum"), Pick("Average"), Pick("Minimum"), Pick("Maximum")));
        }
        return Task.FromResult(new MetricStatistics(request.Metric.MetricName, datapoints));
    }

    public Task<IReadOnlyList<MetricDataResult>> GetMetricDataAsync(IReadOnlyList<MetricDataQuery> queries, DateTimeOffset startTime, DateTimeOffset endTime, CancellationToken cancellationToken = default)
    {
        if (queries.Count is 0 or > 500)
            throw new ValidationException(Service, $"MetricDataQueries must hold 1 to 500 queries; it holds {queries.Count}.");
        var results = new List<MetricDataResult>();
        foreach (var query in queries)
        {
            if (string.IsNullOrEmpty(query.Id) || !char.IsLower(query.Id[0]) || !query.Id.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                throw new ServiceException(Service, "InvalidParameterValue", $"The Id '{query.Id}' is not valid: an Id starts with a lowercase letter and holds only letters, digits and underscores.");
            CheckStatistic(query.MetricStat.Stat, "Stat");
            var periods = Periods(startTime, endTime, query.MetricStat.Period);
            if (!query.ReturnData) continue;
            var points = Aggregate(query.MetricStat.Metric, periods.Start, periods.Count, query.MetricStat.Period, query.MetricStat.Unit)
                .Select(p => (p.Start, Value: Compute(query.MetricStat.Stat, p.Values)))
                .OrderByDescending(p => p.Start).ToArray();
            results.Add(new MetricDataResult(query.Id, query.Label ?? query.MetricStat.Metric.MetricName, points.Select(p => p.Start).ToArray(), points.Select(p => p.Value).ToArray()));
        }
        return Task.FromResult<IReadOnlyList<MetricDataResult>>(results);
    }

    private static void CheckStatistic(string statistic, string member)
    {
        if (!MetricNames.Statistics.Contains(statistic))
            throw new ServiceException(Service, "InvalidParameterValue", $"The value {statistic} for parameter {member} is not valid: use SampleCount, Sum, Average, Minimum or Maximum.");
    }

    private static void CheckPeriod(int period)
    {
        if (period < 60 || period % 60 != 0)
            throw new ServiceException(Service, "InvalidParameterValue", $"The parameter Period {period} is not valid: the services' metrics are kept per minute, so use 60 seconds or a multiple of 60.");
    }

    /// <summary>The periods from the start (taken down to its minute) to the end, as CloudWatch lays them out from StartTime.</summary>
    private static (DateTimeOffset Start, int Count) Periods(DateTimeOffset startTime, DateTimeOffset endTime, int period)
    {
        CheckPeriod(period);
        var start = new DateTimeOffset(startTime.UtcTicks - startTime.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        if (endTime <= start)
            throw new ServiceException(Service, "InvalidParameterValue", $"The parameter StartTime ({startTime:u}) must be earlier than EndTime ({endTime:u}).");
        var count = (int)Math.Ceiling((endTime - start).TotalSeconds / period);
        if (count > MaxDatapointsPerCall)
            throw new ServiceException(Service, "InvalidParameterCombination",
                $"You have requested up to {count:N0} datapoints, which exceeds the limit of {MaxDatapointsPerCall:N0}. Use a longer period or a shorter time range.");
        return (start, count);
    }

    /// <summary>The raw values of each period that has any, with their unit; empty periods are left out.</summary>
    private IEnumerable<(DateTimeOffset Start, List<double> Values, string Unit)> Aggregate(MetricId metric, DateTimeOffset start, int count, int period, string? unit)
    {
        if (metric.Dimensions.Count != 1) yield break;
        var end = start.AddSeconds((double)period * count);
        var buckets = new SortedDictionary<long, (List<double> Values, string Unit)>();
        var periodTicks = period * TimeSpan.TicksPerSecond;
        foreach (var point in Log.ReadAll())
        {
            if (point.Ticks < start.UtcTicks || point.Ticks >= end.UtcTicks) continue;
            if (!metric.Matches(point.Namespace, point.MetricName, point.Dimension)) continue;
            if (unit is not null && unit != point.Unit) continue;
            var index = (point.Ticks - start.UtcTicks) / periodTicks;
            if (!buckets.TryGetValue(index, out var bucket)) buckets[index] = bucket = ([], point.Unit);
            bucket.Values.Add(point.Value);
        }
        foreach (var (index, bucket) in buckets)
            yield return (new DateTimeOffset(start.UtcTicks + index * periodTicks, TimeSpan.Zero), bucket.Values, bucket.Unit);
    }

    private static double Compute(string statistic, List<double> values) => statistic switch
    {
        "SampleCount" => values.Count,
        "Sum" => values.Sum(),
        "Average" => values.Average(),
        "Minimum" => values.Min(),
        "Maximum" => values.Max(),
        _ => throw new ArgumentOutOfRangeException(nameof(statistic), statistic, "Not a statistic."),
    };

    // Alarms.

    private string AlarmsPath => workspace.Resolve("metrics", "alarms.json");

    public Task PutMetricAlarmAsync(MetricAlarmDefinition alarm, CancellationToken cancellationToken = default)
    {
        Validate(alarm);
        lock (AlarmsLock)
        {
            var alarms = LoadAlarms();
            // Updating an alarm replaces its whole configuration and leaves its state as it was, as CloudWatch does.
            var existing = alarms.FindIndex(a => a.Definition.AlarmName == alarm.AlarmName);
            if (existing >= 0) alarms[existing] = alarms[existing] with { Definition = alarm };
            else alarms.Add(new StoredAlarm(alarm, "INSUFFICIENT_DATA", "Unchecked: Initial alarm creation", clock.GetUtcNow()));
            SaveAlarms(alarms);
        }
        return Task.CompletedTask;
    }

    private static void Validate(MetricAlarmDefinition alarm)
    {
        if (string.IsNullOrWhiteSpace(alarm.AlarmName) || alarm.AlarmName.Length > 255)
            throw new ValidationException(Service, $"The alarm name '{alarm.AlarmName}' is not valid: give 1 to 255 characters.");
        if (alarm.Metric.Dimensions.Count != 1)
            throw new ServiceException(Service, "InvalidParameterValue", "The kit's metrics each have one dimension (StreamName, DeliveryStreamName or FunctionName); give exactly one.");
        CheckStatistic(alarm.Statistic, "Statistic");
        CheckPeriod(alarm.Period);
        if (alarm.EvaluationPeriods < 1)
            throw new ValidationException(Service, $"EvaluationPeriods {alarm.EvaluationPeriods} is not valid: use 1 or more.");
        if (alarm.EffectiveDatapointsToAlarm < 1 || alarm.EffectiveDatapointsToAlarm > alarm.EvaluationPeriods)
            throw new ServiceException(Service, "InvalidParameterValue", $"DatapointsToAlarm {alarm.EffectiveDatapointsToAlarm} is not valid: use 1 to EvaluationPeriods ({alarm.EvaluationPeriods}).");
        if ((long)alarm.Period * alarm.EvaluationPeriods > MaxEvaluationSeconds)
            throw new ValidationException(Service, $"Period x EvaluationPeriods is {(long)alarm.Period * alarm.EvaluationPeriods:N0} seconds: an alarm looks back at most {MaxEvaluationSeconds:N0} seconds (7 days).");
        if (!MetricNames.ComparisonOperators.Contains(alarm.ComparisonOperator))
            throw new ValidationException(Service, $"ComparisonOperator '{alarm.ComparisonOperator}' is not valid: use {string.Join(", ", MetricNames.ComparisonOperators)}.");
        if (!MetricNames.TreatMissingDataValues.Contains(alarm.TreatMissingData))
            throw new ValidationException(Service, $"TreatMissingData '{alarm.TreatMissingData}' is not valid: use {string.Join(", ", MetricNames.TreatMissingDataValues)}.");
        if (!double.IsFinite(alarm.Threshold))
            throw new ValidationException(Service, "Threshold must be a finite number.");
    }

    public Task<IReadOnlyList<MetricAlarm>> DescribeAlarmsAsync(IReadOnlyList<string>? alarmNames = null, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        lock (AlarmsLock)
        {
            var alarms = LoadAlarms();
            var changed = false;
            for (var i = 0; i < alarms.Count; i++)
            {
                var alarm = alarms[i];
                var (state, reason) = AlarmEvaluation.Evaluate(alarm.Definition, alarm.StateValue, now, PeriodValues(alarm.Definition, now));
                // The state (and its reason) changes only on a transition; the first evaluation replaces "Unchecked" in any case.
                // With ignore and no data at all there is nothing to judge: the alarm stays as it was, reason included.
                if (reason.Length == 0 || (state == alarm.StateValue && !alarm.StateReason.StartsWith("Unchecked", StringComparison.Ordinal))) continue;
                alarms[i] = alarm with { StateValue = state, StateReason = reason, StateUpdatedTimestamp = now };
                changed = true;
            }
            if (changed) SaveAlarms(alarms);
            IReadOnlyList<MetricAlarm> shown = alarms
                .Where(a => alarmNames is null || alarmNames.Count == 0 || alarmNames.Contains(a.Definition.AlarmName))
                .OrderBy(a => a.Definition.AlarmName, StringComparer.Ordinal)
                .Select(a => new MetricAlarm(a.Definition, a.StateValue, a.StateReason, a.StateUpdatedTimestamp)).ToArray();
            return Task.FromResult(shown);
        }
    }

    /// <summary>The alarm's statistic in each of its last EvaluationPeriods whole periods (null where no data), oldest first.</summary>
    private IReadOnlyList<(DateTimeOffset Start, double? Value)> PeriodValues(MetricAlarmDefinition alarm, DateTimeOffset now)
    {
        var periodTicks = alarm.Period * TimeSpan.TicksPerSecond;
        // Periods line up on the epoch, so a 5-minute alarm looks at :00-:05, :05-:10, ...; the one still running is not judged yet.
        var currentStart = now.UtcTicks - now.UtcTicks % periodTicks;
        var first = new DateTimeOffset(currentStart - alarm.EvaluationPeriods * periodTicks, TimeSpan.Zero);
        var found = Aggregate(alarm.Metric, first, alarm.EvaluationPeriods, alarm.Period, alarm.Unit)
            .ToDictionary(p => p.Start, p => Compute(alarm.Statistic, p.Values));
        return Enumerable.Range(0, alarm.EvaluationPeriods)
            .Select(i => first.AddSeconds((double)alarm.Period * i))
            .Select(start => (start, found.TryGetValue(start, out var value) ? value : (double?)null)).ToArray();
    }

    public Task DeleteAlarmsAsync(IReadOnlyList<string> alarmNames, CancellationToken cancellationToken = default)
    {
        lock (AlarmsLock)
        {
            var alarms = LoadAlarms();
            var missing = alarmNames.Where(n => alarms.All(a => a.Definition.AlarmName != n)).ToArray();
            if (missing.Length > 0)
                // DeleteAlarms's error is ResourceNotFound, not the ResourceNotFoundException most services use.
                throw new ServiceException(Service, "ResourceNotFound", $"No alarm named {string.Join(", ", missing)} exists. List the alarms with 'workshop alarms list' (in a notebook, await workshop.Metrics.AlarmsAsync()).");
            alarms.RemoveAll(a => alarmNames.Contains(a.Definition.AlarmName));
            SaveAlarms(alarms);
        }
        return Task.CompletedTask;
    }

    private static readonly object AlarmsLock = new();

    private List<StoredAlarm> LoadAlarms()
    {
        var path = AlarmsPath;
        return File.Exists(path) ? JsonSerializer.Deserialize<List<StoredAlarm>>(File.ReadAllBytes(path)) ?? [] : [];
    }

    private void SaveAlarms(List<StoredAlarm> alarms)
    {
        workspace.EnsureFolder("metrics");
        workspace.WriteAtomically(AlarmsPath, JsonSerializer.SerializeToUtf8Bytes(alarms));
    }

    private sealed record StoredAlarm(MetricAlarmDefinition Definition, string StateValue, string StateReason, DateTimeOffset StateUpdatedTimestamp);
}

/// <summary>
/// How CloudWatch judges an alarm: each of the last EvaluationPeriods periods is breaching, not breaching, or
/// missing; missing ones are treated as TreatMissingData says; DatapointsToAlarm breaching periods make ALARM.
/// </summary>
public static class AlarmEvaluation
{
    public static (string State, string Reason) Evaluate(MetricAlarmDefinition alarm, string currentState, DateTimeOffset now,
        IReadOnlyList<(DateTimeOffset Start, double? Value)> periods)
    {
        var present = periods.Where(p => p.Value is not null).ToArray();
        var needed = alarm.EffectiveDatapointsToAlarm;
        if (present.Length == 0)
        {
            switch (alarm.TreatMissingData)
            {
                case "missing":
                    return ("INSUFFICIENT_DATA", $"Insufficient Data: {periods.Count} datapoint{(periods.Count == 1 ? " was" : "s were")} unknown.");
                case "ignore":
                    return (currentState, "");
            }
        }
        var breaching = periods.Count(p => p.Value is { } value ? Breaches(alarm, value) : alarm.TreatMissingData == "breaching");
        var missing = periods.Count - present.Length;
        var state = breaching >= needed ? "ALARM" : "OK";
        var shown = string.Join(", ", present.Reverse().Select(p => string.Create(CultureInfo.InvariantCulture, $"{JavaNumber(p.Value!.Value)} ({p.Start.UtcDateTime:dd/MM/yy HH:mm:ss})")));
        var treated = missing == 0 || alarm.TreatMissingData is "missing" or "ignore" ? ""
            : $" ({missing} missing datapoint{(missing == 1 ? "" : "s")} treated as {(alarm.TreatMissingData == "breaching" ? "breaching" : "not breaching")})";
        if (present.Length == 0)
            return (state, $"No datapoints were received for {periods.Count} period{(periods.Count == 1 ? "" : "s")} and {missing} missing datapoint{(missing == 1 ? " was" : "s were")} treated as [{(alarm.TreatMissingData == "breaching" ? "Breaching" : "NonBreaching")}].");
        // As CloudWatch words it: the verb agrees with the count, and OK names the datapoints that end an ALARM.
        var counted = state == "ALARM" ? breaching : periods.Count - breaching;
        var verb = (counted == 1 ? "was" : "were") + (state == "ALARM" ? "" : " not");
        var minimum = state == "ALARM" ? needed : periods.Count - needed + 1;
        var transition = state == "ALARM" ? "OK -> ALARM" : "ALARM -> OK";
        var reason = $"Threshold Crossed: {counted} out of the last {periods.Count} datapoints [{shown}] {verb} {Words(alarm.ComparisonOperator)} the threshold " +
                     $"({JavaNumber(alarm.Threshold)}){treated} (minimum {minimum} datapoint{(minimum == 1 ? "" : "s")} for {transition} transition).";
        return (state, reason);
    }

    /// <summary>
    /// A number as CloudWatch's reasons print it (Java's Double.toString): 1000.0 and 0.25 between 0.001 and 10 million,
    /// 8.64E7 and 1.0E-4 outside, with the fewest digits that give the value back.
    /// </summary>
    public static string JavaNumber(double value)
    {
        if (value == 0) return "0.0";
        var sign = value < 0 ? "-" : "";
        var magnitude = Math.Abs(value);
        // .NET writes the shortest round-trip digits, in exponent form only below 1E-05 or from 1E+15.
        var text = magnitude.ToString("R", CultureInfo.InvariantCulture);
        if (magnitude is >= 1e-3 and < 1e7) return sign + (text.Contains('.') ? text : text + ".0");
        var exponent = 0;
        if (text.IndexOf('E') is var e and >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], CultureInfo.InvariantCulture);
            text = text[..e];
        }
        var point = text.IndexOf('.');
        var whole = point < 0 ? text : text[..point];
        var allDigits = whole + (point < 0 ? "" : text[(point + 1)..]);
        var significant = allDigits.TrimStart('0');
        exponent += whole.Length - 1 - (allDigits.Length - significant.Length);
        significant = significant.TrimEnd('0');
        return $"{sign}{significant[0]}.{(significant.Length > 1 ? significant[1..] : "0")}E{exponent}";
    }

    public static bool Breaches(MetricAlarmDefinition alarm, double value) => alarm.ComparisonOperator switch
    {
        "GreaterThanOrEqualToThreshold" => value >= alarm.Threshold,
        "GreaterThanThreshold" => value > alarm.Threshold,
        "LessThanThreshold" => value < alarm.Threshold,
        "LessThanOrEqualToThreshold" => value <= alarm.Threshold,
        _ => false,
    };

    private static string Words(string comparison) => comparison switch
    {
        "GreaterThanOrEqualToThreshold" => "greater than or equal to",
        "GreaterThanThreshold" => "greater than",
        "LessThanThreshold" => "less than",
        _ => "less than or equal to",
    };
}
