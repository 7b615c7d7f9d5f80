using System.CommandLine;
using System.CommandLine.Completions;

namespace StreamingWorkshop.Cli;

/// <summary>
/// Help lists an option's values in its name column (&lt;Average|Maximum|...&gt;); a long list leaves that column no room
/// at 80 columns and is broken mid-word there. Such an option is named by a short word instead, and its values are
/// written in its description, where help wraps between words.
/// </summary>
internal static class HelpNames
{
    /// <summary>The longest value list kept in the name column, as short as --backend's &lt;aws|local&gt;.</summary>
    private const int LongestListInNameColumn = 24;

    public static void ShortenValueLists(Command command)
    {
        foreach (var option in command.Options.Where(o => o.HelpName is null && o.ValueType != typeof(bool)))
        {
            var values = option.GetCompletions(CompletionContext.Empty).Select(c => c.Label).ToList();
            if (values.Count == 0 || string.Join('|', values).Length <= LongestListInNameColumn) continue;
            option.HelpName = option.Name.TrimStart('-');
            // Descriptions that already name every value keep their own words; the others gain the list.
            if (!values.All(value => option.Description?.Contains(value, StringComparison.Ordinal) == true))
                option.Description = $"{option.Description} One of: {string.Join(", ", values)}.".TrimStart();
        }
        foreach (var subcommand in command.Subcommands) ShortenValueLists(subcommand);
    }
}
