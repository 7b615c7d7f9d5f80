using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>Options and helpers every command shares.</summary>
internal static partial class CliSession
{
    public static readonly Option<string?> WorkspaceOption = new("--workspace")
    {
        Description = "Workspace folder (default: WORKSHOP_WORKSPACE, else the .workshop/ of the nearest folder, here or above, that has one or a workshop.dib, else .workshop/ here).",
        Recursive = true,
    };

    public static readonly Option<string?> BackendOption = AcceptOnly(new Option<string?>("--backend")
    {
        Description = "local (default, offline) or aws (default: WORKSHOP_BACKEND, else local).",
        Recursive = true,
    }, "local", "aws");

    private static Option<string?> AcceptOnly(Option<string?> option, params string[] values)
    {
        option.AcceptOnlyFromAmong(values);
        return option;
    }

    public static readonly Option<string?> RegionOption = new("--region")
    {
        Description = "AWS backend: the region (default: AWS_REGION, AWS_DEFAULT_REGION, else the profile's).",
        Recursive = true,
    };

    public static readonly Option<string?> ProfileOption = new("--profile")
    {
        Description = "AWS backend: a named profile from ~/.aws (default: AWS_PROFILE, else the default credential chain).",
        Recursive = true,
    };

    public static readonly Option<bool> VerboseOption = new("--verbose")
    {
        Description = "When a command fails, print the full error with its stack trace after the one-line message.",
        Recursive = true,
    };

    public static IEnumerable<Option> GlobalOptions => [WorkspaceOption, BackendOption, RegionOption, ProfileOption, VerboseOption];

    /// <summary>Reads a file named on the command line, or says in one line why it cannot: missing, a folder, not readable.</summary>
    public static async Task<string> ReadInputFileAsync(string path, string option, string what, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path)) throw new ArgumentException($"{option} '{path}' is a folder, not a file. Give the {what} file itself.");
        if (!File.Exists(path)) throw new ArgumentException($"{option} '{path}' does not exist. Check the path of the {what} file.");
        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{option} '{path}' cannot be read ({error.Message}). Check the file's permissions.");
        }
    }

    public static WorkshopOptions Options(ParseResult parse) => new()
    {
        WorkspacePath = parse.GetValue(WorkspaceOption),
        Backend = parse.GetValue(BackendOption),
        Region = parse.GetValue(RegionOption),
        Profile = parse.GetValue(ProfileOption),
        Notice = Terminal.Tell,
        Progress = Terminal.Tell,
    };

    public static Task<WorkshopSession> ConnectAsync(ParseResult parse, CancellationToken cancellationToken, Func<WorkshopOptions, WorkshopOptions>? configure = null)
    {
        var options = Options(parse);
        return Workshop.ConnectAsync(configure is null ? options : configure(options), cancellationToken);
    }

    /// <summary>Reads durations written as 24h, 90m, 2d, 30s (or combinations such as 1h30m), or as a .NET TimeSpan with its colons (1:30:00).</summary>
    public static TimeSpan ParseDuration(string text, string? option = null)
    {
        var matches = DurationPart().Matches(text.Trim());
        if (matches.Count > 0 && string.Concat(matches.Select(m => m.Value)) == text.Trim())
        {
            var total = TimeSpan.Zero;
            try
            {
                foreach (Match match in matches)
                {
                    var amount = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
                    total += match.Groups["unit"].Value switch
                    {
                        "d" => TimeSpan.FromDays(amount),
                        "h" => TimeSpan.FromHours(amount),
                        "m" => TimeSpan.FromMinutes(amount),
                        _ => TimeSpan.FromSeconds(amount),
                    };
                }
            }
            catch (OverflowException)
            {
                throw new ArgumentException($"{Named(option)}'{text}' is longer than any run can last; give a length of time such as 24h, 90m or 7d.");
            }
            return total;
        }
        // A bare number has no unit: .NET would read "3" as three days, where the learner may well have meant hours.
        if (double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var bare))
            throw new ArgumentException(bare > 0
                ? $"{Named(option)}'{text.Trim()}' has no unit; write {text.Trim()}h, {text.Trim()}m, {text.Trim()}d or {text.Trim()}s."
                : $"{Named(option)}'{text.Trim()}' is no time at all; give a length of time above zero such as 24h, 90m or 7d.");
        if (text.Contains(':') && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span)) return span;
        throw new ArgumentException($"{Named(option)}'{text}' is not a duration; write it as 24h, 90m, 2d, 30s or 1h30m.");
    }

    /// <summary>"--duration: " before a message about that option's value, so the learner knows which one to fix.</summary>
    private static string Named(string? option) => option is null ? "" : option + ": ";

    public static DateTimeOffset ParseInstant(string text, string option)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
            return value;
        throw new ArgumentException($"{Named(option)}'{text}' is not a date and time; write it in ISO 8601, for example 2025-01-14T00:00:00Z.");
    }

    [GeneratedRegex(@"(?<n>\d+(\.\d+)?)(?<unit>[dhms])")]
    private static partial Regex DurationPart();
}
