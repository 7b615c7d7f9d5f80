using System.Collections.Concurrent;

namespace StreamingWorkshop;

/// <summary>
/// The environment variables the workshop command set from its own options before running notebooks in this process:
/// the notebooks connect with no options, so `workshop run --workspace DIR` reaches them as WORKSHOP_WORKSPACE. Where
/// such a value came from, as workshop.Options says it, is then the command line's option, not a variable the learner
/// never set.
/// </summary>
internal static class CommandLineEnvironment
{
    private static readonly ConcurrentDictionary<string, (string Value, string Option)> SetByOption = new(StringComparer.Ordinal);

    /// <summary>Sets <paramref name="variable"/> to <paramref name="value"/>, given on the command line as <paramref name="option"/>.</summary>
    public static void SetFromOption(string variable, string value, string option)
    {
        Environment.SetEnvironmentVariable(variable, value);
        SetByOption[variable] = (value, option);
    }

    /// <summary>
    /// Where <paramref name="variable"/>'s <paramref name="value"/> came from: the command line's option when it set that
    /// very value (a cell that sets the variable itself makes it the variable's again), else the variable.
    /// </summary>
    public static string From(string variable, string? value) =>
        SetByOption.TryGetValue(variable, out var set) && set.Value == value ? $"the command line's {set.Option}" : $"environment variable {variable}";
}
