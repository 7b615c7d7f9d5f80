using System.Globalization;

namespace StreamingWorkshop.Clock;

/// <summary>The six fields of an EventBridge cron expression, parsed, and the search for the next firing time.</summary>
internal sealed class CronSchedule
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    private readonly bool[] minutes, hours, months, years;
    private readonly DayOfMonthRule? dayOfMonth;
    private readonly DayOfWeekRule? dayOfWeek;

    private CronSchedule(bool[] minutes, bool[] hours, DayOfMonthRule? dayOfMonth, bool[] months, DayOfWeekRule? dayOfWeek, bool[] years)
    {
        this.minutes = minutes;
        this.hours = hours;
        this.dayOfMonth = dayOfMonth;
        this.months = months;
        this.dayOfWeek = dayOfWeek;
        this.years = years;
    }

    public static CronSchedule Parse(string expression, string[] fields)
    {
        var (minuteText, hourText, domText, monthText, dowText, yearText) = (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);
        if ((domText == "?") == (dowText == "?"))
            throw ScheduleExpression.Invalid(expression,
                "exactly one of day-of-month (3rd field) and day-of-week (5th field) must be '?': give a value or * in one and ? in the other",
                "cron(0 8 * * ? *) or cron(0 8 ? * MON-FRI *)");
        return new CronSchedule(
            ParseSet(expression, "minutes", minuteText, 0, 59, null),
            ParseSet(expression, "hours", hourText, 0, 23, null),
            domText == "?" ? null : DayOfMonthRule.Parse(expression, domText),
            ParseSet(expression, "month", monthText, 1, 12, MonthNames),
            dowText == "?" ? null : DayOfWeekRule.Parse(expression, dowText),
            ParseSet(expression, "year", yearText, 1970, 2199, null));
    }

    /// <summary>A field of values with , - * and / (e.g. 0,30 or 9-17 or */15 or 5/10), optionally using names.</summary>
    internal static bool[] ParseSet(string expression, string field, string text, int min, int max, string[]? names)
    {
        var set = new bool[max + 1];
        foreach (var part in text.Split(','))
        {
            var step = 1;
            var range = part;
            var slash = part.IndexOf('/');
            if (slash >= 0)
            {
                if (!int.TryParse(part[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1)
                    throw ScheduleExpression.Invalid(expression, $"in the {field} field, '{part}' needs a whole-number step after '/'", "cron(0/15 * * * ? *)");
                range = part[..slash];
            }
            int low, high;
            if (range == "*") (low, high) = (min, max);
            else if (range.Contains('-'))
            {
                var ends = range.Split('-');
                if (ends.Length != 2) throw ScheduleExpression.Invalid(expression, $"in the {field} field, '{part}' is not a range such as 9-17", "cron(0 9-17 * * ? *)");
                (low, high) = (Value(expression, field, ends[0], min, max, names), Value(expression, field, ends[1], min, max, names));
                if (high < low) throw ScheduleExpression.Invalid(expression, $"in the {field} field, the range '{range}' runs backwards", "cron(0 9-17 * * ? *)");
            }
            else
            {
                low = Value(expression, field, range, min, max, names);
                high = slash >= 0 ? max : low;
            }
            for (var v = low; v <= high; v += step) set[v] = true;
        }
        return set;
    }

    internal static int Value(string expression, string field, string text, int min, int max, string[]? names)
    {
        if (names is not null)
        {
            var index = Array.IndexOf(names, text.ToUpperInvariant());
            if (index >= 0) return index + 1;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        var allowed = names is null ? $"{min} to {max}" : $"{min} to {max} or {names[0]}-{names[^1]}";
        throw ScheduleExpression.Invalid(expression, $"in the {field} field, '{text}' is not allowed; use {allowed}", "cron(0 12 * * ? *)");
    }

    public DateTimeOffset? NextAfter(DateTimeOffset after)
    {
        var start = new DateTime(after.UtcTicks - after.UtcTicks % TimeSpan.TicksPerMinute, DateTimeKind.Utc).AddMinutes(1);
        for (var day = start.Date; day.Year <= 2199; day = day.AddDays(1))
        {
            if (!years[day.Year] || !months[day.Month] || !DayMatches(day)) continue;
            var firstMinute = day == start.Date ? start.Hour * 60 + start.Minute : 0;
            for (var minuteOfDay = firstMinute; minuteOfDay < 24 * 60; minuteOfDay++)
            {
                if (hours[minuteOfDay / 60] && minutes[minuteOfDay % 60])
                    return new DateTimeOffset(day.AddMinutes(minuteOfDay), TimeSpan.Zero);
            }
        }
        return null;
    }

    private bool DayMatches(DateTime day) => dayOfMonth?.Matches(day) ?? dayOfWeek!.Matches(day);

    /// <summary>Day of month: a set, L (last day), or nW (the weekday nearest day n, within the month).</summary>
    private sealed class DayOfMonthRule(bool[]? days, bool last, int nearestWeekdayTo)
    {
        public static DayOfMonthRule Parse(string expression, string text)
        {
            if (text == "L") return new(null, true, 0);
            if (text.EndsWith('W'))
            {
                var day = Value(expression, "day-of-month", text[..^1], 1, 31, null);
                return new(null, false, day);
            }
            return new(ParseSet(expression, "day-of-month", text, 1, 31, null), false, 0);
        }

        public bool Matches(DateTime day)
        {
            var daysInMonth = DateTime.DaysInMonth(day.Year, day.Month);
            if (last) return day.Day == daysInMonth;
            if (nearestWeekdayTo > 0)
            {
                var target = new DateTime(day.Year, day.Month, Math.Min(nearestWeekdayTo, daysInMonth));
                if (target.DayOfWeek == DayOfWeek.Saturday) target = target.Day == 1 ? target.AddDays(2) : target.AddDays(-1);
                else if (target.DayOfWeek == DayOfWeek.Sunday) target = target.Day == daysInMonth ? target.AddDays(-2) : target.AddDays(1);
                return day.Day == target.Day;
            }
            return days![day.Day];
        }
    }

    /// <summary>Day of week (1 = SUN ... 7 = SAT): a set, nL (the last such day of the month), or n#k (the k-th such day).</summary>
    private sealed class DayOfWeekRule(bool[]? days, int lastOf, int weekday, int nth)
    {
        public static DayOfWeekRule Parse(string expression, string text)
        {
            if (text == "L") return new(null, 7, 0, 0);
            if (text.EndsWith('L')) return new(null, Value(expression, "day-of-week", text[..^1], 1, 7, DayNames), 0, 0);
            var hash = text.IndexOf('#');
            if (hash >= 0)
            {
                var n = Value(expression, "day-of-week", text[(hash + 1)..], 1, 5, null);
                return new(null, 0, Value(expression, "day-of-week", text[..hash], 1, 7, DayNames), n);
            }
            return new(ParseSet(expression, "day-of-week", text, 1, 7, DayNames), 0, 0, 0);
        }

        public bool Matches(DateTime day)
        {
            var number = (int)day.DayOfWeek + 1;
            if (lastOf > 0) return number == lastOf && day.AddDays(7).Month != day.Month;
            if (nth > 0) return number == weekday && (day.Day - 1) / 7 + 1 == nth;
            return days![number];
        }
    }
}
