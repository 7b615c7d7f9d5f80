using StreamingWorkshop.Clock;

namespace Workshop.Tests.Clock;

/// <summary>EventBridge schedule expressions: rate() units and cron()'s six fields, with next firing times worked out by hand.</summary>
public class ScheduleExpressionTests
{
    private static DateTimeOffset At(int y, int mo, int d, int h = 0, int mi = 0) => new(y, mo, d, h, mi, 0, TimeSpan.Zero);

    private static DateTimeOffset? Next(string expression, DateTimeOffset after) => ScheduleExpression.Parse(expression).NextAfter(after);

    [Fact]
    public void Rate_of_one_minute_fires_on_the_next_whole_minute()
    {
        Assert.Equal(At(2025, 1, 14, 9, 1), Next("rate(1 minute)", At(2025, 1, 14, 9, 0)));
        Assert.Equal(At(2025, 1, 14, 9, 1), Next("rate(1 minute)", At(2025, 1, 14, 9, 0).AddSeconds(30)));
        Assert.Equal("Fixed rate of 1 minute", ScheduleExpression.Parse("rate(1 minute)").Description);
    }

    [Theory]
    [InlineData("rate(5 minutes)", 5)]
    [InlineData("rate(2 hours)", 120)]
    [InlineData("rate(1 day)", 1440)]
    [InlineData("rate(3 days)", 4320)]
    public void Rates_accept_minutes_hours_and_days(string expression, int minutes)
    {
        Assert.Equal(TimeSpan.FromMinutes(minutes), ScheduleExpression.Parse(expression).Rate);
    }

    [Theory]
    [InlineData("rate(1 minutes)", "singular")]
    [InlineData("rate(5 minute)", "plural")]
    [InlineData("rate(0 minutes)", "1 or more")]
    [InlineData("rate(1.5 hours)", "whole number")]
    [InlineData("rate(1 week)", "neither rate")]
    [InlineData("every minute", "neither rate")]
    [InlineData("cron(0 12 * * *)", "6 fields")]
    [InlineData("cron(0 12 * * * *)", "exactly one of day-of-month")]
    [InlineData("cron(0 12 ? * ? *)", "exactly one of day-of-month")]
    [InlineData("cron(60 12 * * ? *)", "minutes field")]
    [InlineData("cron(0 24 * * ? *)", "hours field")]
    [InlineData("cron(0 12 ? * FUNDAY *)", "day-of-week field")]
    [InlineData("cron(0 12 * 13 ? *)", "month field")]
    [InlineData("cron(0 12 * * ? 1969)", "year field")]
    [InlineData("cron(0/0 12 * * ? *)", "step")]
    [InlineData("cron(0 17-9 * * ? *)", "backwards")]
    public void Malformed_expressions_are_refused_with_the_reason(string expression, string reason)
    {
        var error = Assert.Throws<FormatException>(() => ScheduleExpression.Parse(expression));

        Assert.Contains(expression, error.Message);
        Assert.Contains(reason, error.Message);
        Assert.False(ScheduleExpression.TryParse(expression, out _, out var message));
        Assert.Equal(error.Message, message);
    }

    [Fact]
    public void Cron_every_15_minutes_between_9_and_17_on_weekdays()
    {
        // Tuesday 14 January 2025.
        Assert.Equal(At(2025, 1, 14, 9, 15), Next("cron(0/15 9-17 ? * MON-FRI *)", At(2025, 1, 14, 9, 0)));
        Assert.Equal(At(2025, 1, 15, 9, 0), Next("cron(0/15 9-17 ? * MON-FRI *)", At(2025, 1, 14, 17, 45)));
        // Friday 17 January 17:45 -> Monday 20 January 09:00.
        Assert.Equal(At(2025, 1, 20, 9, 0), Next("cron(0/15 9-17 ? * MON-FRI *)", At(2025, 1, 17, 17, 45)));
    }

    [Fact]
    public void Cron_day_numbers_count_Sunday_as_1()
    {
        // 1 = SUN: the next Sunday after Tuesday 14 January 2025 is 19 January.
        Assert.Equal(At(2025, 1, 19, 6, 0), Next("cron(0 6 ? * 1 *)", At(2025, 1, 14)));
    }

    [Fact]
    public void Cron_L_in_day_of_month_is_the_last_day()
    {
        Assert.Equal(At(2025, 2, 28, 23, 0), Next("cron(0 23 L * ? *)", At(2025, 2, 1)));
        Assert.Equal(At(2024, 2, 29, 23, 0), Next("cron(0 23 L * ? *)", At(2024, 2, 1)));
    }

    [Fact]
    public void Cron_W_is_the_weekday_nearest_the_day()
    {
        // 15 March 2025 is a Saturday: the nearest weekday is Friday 14 March.
        Assert.Equal(At(2025, 3, 14, 8, 0), Next("cron(0 8 15W * ? *)", At(2025, 3, 1)));
        // 1 June 2025 is a Sunday: the nearest weekday in the month is Monday 2 June.
        Assert.Equal(At(2025, 6, 2, 8, 0), Next("cron(0 8 1W * ? *)", At(2025, 5, 31)));
    }

    [Fact]
    public void Cron_hash_is_the_nth_weekday_of_the_month()
    {
        // 3#2 = the second Tuesday: 11 February 2025.
        Assert.Equal(At(2025, 2, 11, 10, 0), Next("cron(0 10 ? * 3#2 *)", At(2025, 1, 31)));
    }

    [Fact]
    public void Cron_nL_in_day_of_week_is_the_last_such_day_of_the_month()
    {
        // 6L = the last Friday: 31 January 2025.
        Assert.Equal(At(2025, 1, 31, 18, 0), Next("cron(0 18 ? * 6L *)", At(2025, 1, 14)));
    }

    [Fact]
    public void Cron_months_by_name_and_years_by_number()
    {
        Assert.Equal(At(2026, 7, 1, 0, 0), Next("cron(0 0 1 JUL ? 2026)", At(2025, 1, 14)));
        Assert.Null(Next("cron(0 0 1 JUL ? 2024)", At(2025, 1, 14)));
    }

    [Fact]
    public void Cron_lists_of_values()
    {
        Assert.Equal(At(2025, 1, 14, 12, 30), Next("cron(0,30 8,12 * * ? *)", At(2025, 1, 14, 12, 0)));
    }
}
