using System.CommandLine;
using System.CommandLine.Parsing;

namespace StreamingWorkshop.Cli;

/// <summary>
/// A command line the parser could not match, told on stderr in the learner's terms: which word is not a
/// command or option, the nearest one when there is one, and where to find what the command accepts, all on one line.
/// </summary>
internal static partial class CommandLineMistakes
{
    public static int Report(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var path = CommandPath(parse.CommandResult);
        var commands = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList();
        // A mistyped command followed by its options (workshop stream peak --limit 3): the command is the mistake, not the options after it.
        var mistypedCommand = commands.Count > 0 && parse.UnmatchedTokens.FirstOrDefault() is { } first && !first.StartsWith('-') ? first : null;
        // An unknown --option is taken as the command's argument when it has one (workshop query --formt csv): name it, not what follows.
        var unknownOption = mistypedCommand is not null ? null
            : UnknownOptionTakenAsArgument(parse) ?? parse.Tokens.FirstOrDefault(t => t.Type == TokenType.Argument && t.Value.StartsWith("--", StringComparison.Ordinal) && !t.Value.Any(char.IsWhiteSpace))?.Value;
        if ((mistypedCommand ?? unknownOption ?? parse.UnmatchedTokens.FirstOrDefault()) is { } word)
        {
            if (word.StartsWith('-'))
            {
                var options = command.Options.Concat(parse.RootCommandResult.Command.Options.Where(o => o.Recursive))
                    .Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Distinct().ToList();
                // A known option read as the value of the one before it (run --cell-timeout --help): that one lacks its value.
                var takenBy = options.Contains(word)
                    ? parse.CommandResult.Children.OfType<OptionResult>().FirstOrDefault(o => o.Tokens.Any(t => t.Value == word))?.Option.Name
                    : null;
                Terminal.Tell(takenBy is not null
                    ? $"'{takenBy}' needs a value before '{word}'. Run '{path} --help' to see its options."
                    : $"'{word}' is not an option of '{path}'.{Suggestion(word, options)} Run '{path} --help' to see its options.");
            }
            else if (commands.Count > 0)
            {
                var what = command is RootCommand ? "a workshop command" : $"a '{path}' command";
                Terminal.Tell($"'{word}' is not {what}.{Suggestion(word, commands)} Run '{path} --help' for the list.");
            }
            else if (command.Arguments.Any(a => a.Name == "sql"))
            {
                // SQL typed without quotes reaches the command as many words (workshop query SELECT city FROM t).
                Terminal.Tell($"'{path}' takes the SQL as one argument, but '{word}' came after it: put the whole statement in quotes, for example {path} \"SELECT 1 AS one\".");
            }
            else
            {
                Terminal.Tell($"'{path}' does not take '{word}'. Run '{path} --help' to see what it takes.");
            }
            return 1;
        }
        // An option given without its value (workshop --workspace): that is what to mend, before any command it lacks.
        if (parse.Errors.Where(e => e.Message.StartsWith("Required argument missing for option", StringComparison.Ordinal))
                .Select(e => OptionOf(e.SymbolResult)).FirstOrDefault(o => o is not null) is { } withoutValue)
        {
            Terminal.Tell($"'{withoutValue.Option.Name}' needs a value after it. Run '{path} --help' to see what it takes.");
            return 1;
        }
        if (commands.Count > 0 && command.Action is null)
        {
            Terminal.Tell($"'{path}' needs a command: {string.Join(", ", commands)}. Run '{path} --help' to see what each does.");
            return 1;
        }
        // Every problem on the one line: the options left out named together, after what is wrong with the values given.
        var missing = parse.Errors.Select(e => RequiredOption().Match(e.Message)).Where(m => m.Success).Select(m => m.Groups["name"].Value).Distinct().ToList();
        var problems = parse.Errors.Where(e => !RequiredOption().IsMatch(e.Message)).Select(Describe).Distinct().ToList();
        if (missing.Count > 0) problems.Add($"'{path}' needs {Listed(missing)}: give {(missing.Count == 1 ? "it" : "each")} with its value.");
        Terminal.Tell($"{string.Join(' ', problems)} Run '{path} --help' to see what '{path}' takes.");
        return 1;
    }

    /// <summary>The parser's word for a required option left out (Option '--namespace' is required.).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^Option '(?<name>[^']+)' is required\.?$")]
    private static partial System.Text.RegularExpressions.Regex RequiredOption();

    /// <summary>"--a", "--a and --b", "--a, --b and --c".</summary>
    private static string Listed(IReadOnlyList<string> names) =>
        names.Count == 1 ? names[0] : $"{string.Join(", ", names.Take(names.Count - 1))} and {names[^1]}";

    /// <summary>
    /// A word like --key that the parser took as the command's own argument (workshop lake ls --key) although it was
    /// meant as an option; values given to options are not looked at, so --data "--x" stays a value.
    /// </summary>
    public static string? UnknownOptionTakenAsArgument(ParseResult parse) =>
        parse.CommandResult.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens)
            .FirstOrDefault(t => t.Value.StartsWith("--", StringComparison.Ordinal) && t.Value.Length > 2 && !t.Value.Any(char.IsWhiteSpace))?.Value;

    /// <summary>The parser's message on one line, after the option it is about.</summary>
    private static string Describe(ParseError error)
    {
        var message = string.Join(' ', error.Message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        // The type the option reads, in plain words: an option that may be left out (int?, double?) reads the same numbers as one that may not.
        message = System.Text.RegularExpressions.Regex.Replace(message, @"as expected type '(?:System\.Nullable`1\[)?System\.(?<type>Int32|Int64|Double)\]?'",
            type => type.Groups["type"].Value == "Double" ? "as a number" : "as a whole number");
        // A whole number the parser cannot take is one too large for it, not one badly written.
        if (System.Text.RegularExpressions.Regex.Match(message, @"^Cannot parse argument '(?<value>-?\d+)' for option '[^']+' as a whole number\.?$") is { Success: true } tooLarge)
            message = $"'{tooLarge.Groups["value"].Value}' is too large a whole number; give a smaller one.";
        // A value outside an option's list (--statistic Max): the list in plain words, and the nearest value in it.
        if (System.Text.RegularExpressions.Regex.Match(message, @"^Argument '(?<value>[^']*)' not recognized\. Must be one of:(?<values>(?:\s*'[^']*')+)\.?$") is { Success: true } outside)
        {
            var allowed = System.Text.RegularExpressions.Regex.Matches(outside.Groups["values"].Value, "'([^']*)'").Select(m => m.Groups[1].Value).ToList();
            var value = outside.Groups["value"].Value;
            message = $"'{value}' is not one of {string.Join(", ", allowed.Select(a => $"'{a}'"))}.{Suggestion(value, allowed)}";
        }
        if (!message.EndsWith('.') && !message.EndsWith('?')) message += ".";
        return OptionOf(error.SymbolResult) is { Option: var option } ? $"{option.Name}: {message}" : message;
    }

    /// <summary>The option a parse result belongs to (its own, or its argument's), if any.</summary>
    private static OptionResult? OptionOf(SymbolResult? result)
    {
        for (var at = result; at is not null; at = at.Parent)
            if (at is OptionResult option) return option;
        return null;
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? at = result; at is not null; at = at.Parent)
            if (at is CommandResult { Command: var c }) names.Insert(0, c is RootCommand ? "workshop" : c.Name);
        return string.Join(' ', names);
    }

    /// <summary>" Did you mean 'query'?" when one name is close to what was typed (a typo, a swapped pair, a prefix), else nothing.</summary>
    internal static string Suggestion(string typed, IEnumerable<string> names)
    {
        var candidates = names.Select(n => (Name: n, Distance: NameDistance.Between(typed, n)))
            .Where(c => c.Distance <= (typed.TrimStart('-').Length <= 3 ? 1 : 2) || (typed.TrimStart('-').Length >= 3 && c.Name.StartsWith(typed, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal).ToList();
        return candidates.Count == 0 ? "" : $" Did you mean '{candidates[0].Name}'?";
    }
}
