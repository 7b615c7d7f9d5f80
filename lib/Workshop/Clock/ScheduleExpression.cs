using System.Globalization;
using System.Text.RegularExpressions;

namespace StreamingWorkshop.Clock;

/// <summary>
/// EventBridge schedule expressions: <c>rate(1 minute)</c>, <c>rate(N minutes|hours|days)</c> and
/// <c>cron(minutes hours day-of-month month day-of-week year)</c> in UTC, with EventBridge's wildcards
/// (<c>, - * / ? L W #</c>), month names JAN-DEC and day names SUN-SAT (1 = Sunday).
/// The kit fires rate schedules on whole multiples of the rate (every minute on the minute) rather than
/// from the moment the rule was created, so runs are repeatable.
/// </summary>
public sealed partial class ScheduleExpression
{
    private readonly TimeSpan? rate;
    private readonly CronSchedule? cron;

    private ScheduleExpression(string text, TimeSpan? rate, CronSchedule? cron, string description)
    {
        Text = text;
        this.rate = rate;
        this.cron = cron;
        Description = description;
    }

    public string Text { get; }

    /// <summary>What the EventBridge console would say, e.g. "Fixed rate of 1 minute".</summary>
    public string Description { get; }

    public TimeSpan? Rate => rate;

    public static ScheduleExpression Parse(string expression)
    {
        var text = expression?.Trim() ?? "";
        var rateMatch = RatePattern().Match(text);
        if (rateMatch.Success) return ParseRate(text, rateMatch);
        var cronMatch = CronPattern().Match(text);
        if (cronMatch.Success)
        {
            var fields = cronMatch.Groups["fields"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 6)
                throw Invalid(text, $"cron() needs 6 fields (minutes hours day-of-month month day-of-week year) and this has {fields.Length}", "cron(0 12 * * ? *)");
            return new ScheduleExpression(text, null, CronSchedule.Parse(text, fields), $"Cron expression {cronMatch.Groups["fields"].Value.Trim()} (UTC)");
        }
        throw Invalid(text, "it is neither rate(...) nor cron(...)", "rate(1 minute)");
    }

    public static bool TryParse(string expression, out ScheduleExpression? schedule, out string? error)
    {
        try
        {
            schedule = Parse(expression);
            error = null;
            return true;
        }
        catch (FormatException e)
        {
            schedule = null;
            error = e.Message;
            return false;
        }
    }

    private static ScheduleExpression ParseRate(string text, Match match)
    {
        if (!int.TryParse(match.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
            throw Invalid(text, "the value must be a whole number of 1 or more", "rate(5 minutes)");
        var unit = match.Groups["unit"].Value;
        var singular = !unit.EndsWith('s');
        if (n == 1 && !singular) throw Invalid(text, $"a value of 1 takes the singular unit ('{unit.TrimEnd('s')}')", "rate(1 minute)");
        if (n > 1 && singular) throw Invalid(text, $"a value above 1 takes the plural unit ('{unit}s')", $"rate({n} {unit}s)");
        var span = unit.TrimEnd('s') switch
        {
            "minute" => TimeSpan.FromMinutes(n),
            "hour" => TimeSpan.FromHours(n),
            _ => TimeSpan.FromDays(n),
        };
        return new ScheduleExpression(text, span, null, $"Fixed rate of {n} {unit}");
    }

    /// <summary>The first time strictly after <paramref name="after"/> the schedule fires; null if never (e.g. a past year).</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after)
    {
        var utc = after.ToUniversalTime();
        if (rate is { } span)
        {
            var ticks = utc.UtcTicks - utc.UtcTicks % span.Ticks + span.Ticks;
            return new DateTimeOffset(ticks, TimeSpan.Zero);
        }
        return cron!.NextAfter(utc);
    }

    internal static FormatException Invalid(string expression, string reason, string example) =>
        new($"The schedule expression '{expression}' is not valid: {reason}. For example: {example}.");

    public override string ToString() => Text;

    [GeneratedRegex(@"^rate\(\s*(?<n>\S+)\s+(?<unit>minutes?|hours?|days?)\s*\)$")]
    private static partial Regex RatePattern();

    [GeneratedRegex(@"^cron\((?<fields>[^)]*)\)$")]
    private static partial Regex CronPattern();
}
