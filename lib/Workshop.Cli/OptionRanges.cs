using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace StreamingWorkshop.Cli;

/// <summary>
/// Ranges for numeric options, checked while the command line is read, so a value out of range is named on one
/// line with the range it must fall in before the verb starts any work.
/// </summary>
internal static class OptionRanges
{
    /// <summary>Accepts whole numbers from <paramref name="minimum"/> up to <paramref name="maximum"/> (no upper end when null).</summary>
    public static Option<int> WithRange(this Option<int> option, int minimum, int? maximum = null, string unit = "")
    {
        AddRange(option, minimum, maximum, unit);
        return option;
    }

    /// <summary>The same range for an option that may be left out (null when it is).</summary>
    public static Option<int?> WithRange(this Option<int?> option, int minimum, int? maximum = null, string unit = "")
    {
        AddRange(option, minimum, maximum, unit);
        return option;
    }

    private static void AddRange(Option option, int minimum, int? maximum, string unit)
    {
        option.Validators.Add(result =>
        {
            // Text that is not a whole number is the parser's to report.
            if (LastToken(result) is not { } text || !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) return;
            if (value < minimum || value > maximum)
            {
                var range = maximum is { } top ? $"a whole number from {minimum:N0} to {top:N0}" : $"a whole number of {minimum:N0} or more";
                result.AddError($"'{text}' is out of range; give {range}{unit}");
            }
        });
    }

    /// <summary>Accepts finite numbers above zero, and no more than <paramref name="maximum"/> when given.</summary>
    public static Option<double> AboveZero(this Option<double> option, string hint = "", double? maximum = null)
    {
        option.Validators.Add(result =>
        {
            if (LastToken(result) is not { } text || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return;
            if (!double.IsFinite(value) || value <= 0 || value > maximum)
                result.AddError($"'{text}' is out of range; give a number above 0{(maximum is { } top ? $" and at most {top.ToString("N0", CultureInfo.InvariantCulture)}" : "")}{hint}");
        });
        return option;
    }

    /// <summary>
    /// Accepts a length of time (24h, 90m, 1h30m) above zero, and no longer than <paramref name="longest"/> (such as 366d)
    /// when given, <paramref name="why"/> saying why; text that is no length of time is left to the verb to report.
    /// </summary>
    public static Option<string> LongerThanZero(this Option<string> option, string? longest = null, string why = "")
    {
        var limit = longest is null ? TimeSpan.MaxValue : Commands.CliSession.ParseDuration(longest);
        option.Validators.Add(result =>
        {
            if (LastToken(result) is not { } text) return;
            // "-1h" is a length of time with a sign: say it is below zero, not that it is no length of time.
            var negative = text.TrimStart().StartsWith('-');
            TimeSpan span;
            try { span = Commands.CliSession.ParseDuration(negative ? text.TrimStart()[1..] : text); }
            catch (Exception error) when (error is ArgumentException or FormatException or OverflowException) { return; }
            if (negative && span > TimeSpan.Zero)
                result.AddError($"'{text}' is below zero; give a length of time above zero such as 24h, 90m or 7d");
            else if (span <= TimeSpan.Zero)
                result.AddError($"'{text}' is no time at all; give a length of time above zero such as 24h, 90m or 7d");
            else if (span > limit)
                result.AddError($"'{text}' is longer than {longest}, the most it can be{why}");
        });
        return option;
    }

    private static string? LastToken(OptionResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;
}
