using StreamingWorkshop.Display;

namespace StreamingWorkshop;

/// <summary>One option as a session uses it: its value, where that value came from, and what the option does.</summary>
public sealed record OptionInEffect(string Name, string Value, string From, string WhatItDoes);

/// <summary>
/// <c>workshop.Options</c>: every option of <see cref="WorkshopOptions"/> with the value the session uses, where that
/// value came from (the options given, an environment variable, the deployed stack, the default), and what it does.
/// The values are the ones the session resolved when it connected, not worked out again.
/// </summary>
public sealed class OptionsInEffect(WorkshopOptions given, IReadOnlyList<OptionInEffect> options) : IHtmlDisplay
{
    /// <summary>Where a value came from when the learner gave it in <see cref="WorkshopOptions"/> (or the CLI did, from its flags).</summary>
    public const string FromOptions = "WorkshopOptions";

    public const string FromDefault = "default";

    /// <summary>Where an option with a default came from: an option given its default value reads as the default.</summary>
    internal static string FromOptionsOrDefault(bool isDefault) => isDefault ? FromDefault : FromOptions;

    /// <summary>The options as given to <see cref="Workshop.ConnectAsync"/>, unset ones null: pass them on with <c>with { ... }</c>.</summary>
    public WorkshopOptions Given { get; } = given;

    public IReadOnlyList<OptionInEffect> Options { get; } = options;

    /// <summary>The option of that name (as in <see cref="WorkshopOptions"/>).</summary>
    public OptionInEffect this[string name] => Options.FirstOrDefault(o => o.Name == name)
        ?? throw new KeyNotFoundException($"There is no option '{name}'; the options are {string.Join(", ", Options.Select(o => o.Name))}.");

    private const string Title = "workshop.Options: the options this session runs with";

    private const string Note = "Give others to Workshop.ConnectAsync(new WorkshopOptions { ... }); workshop.Options.Given holds the ones given.";

    public string ToHtml() =>
        HtmlTable.Render(["Option", "In effect", "From", "What it does"], Options.Select(o => (IReadOnlyList<string>)[o.Name, o.Value, o.From, o.WhatItDoes]), Title)
        + HtmlTable.Note(Note);

    /// <summary>
    /// Three columns, with where a value came from after it: four would leave each too narrow on an 80-column terminal,
    /// where a workspace's path alone may take half the width.
    /// </summary>
    public override string ToString() =>
        TextTable.WrapToWidth(Title) + "\n"
        + TextTable.RenderToFit(["Option", "In effect", "What it does"], Options.Select(o => (IReadOnlyList<string>)[o.Name, $"{o.Value} ({FromPhrase(o.From)})", o.WhatItDoes]).ToList(), TextTable.Width)
        + TextTable.WrapToWidth(Note) + "\n";

    private static string FromPhrase(string from) => from.StartsWith(FromDefault, StringComparison.Ordinal) ? from : "from " + from;
}
