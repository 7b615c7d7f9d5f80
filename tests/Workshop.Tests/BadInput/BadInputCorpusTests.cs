using System.Text.RegularExpressions;

namespace Workshop.Tests.BadInput;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BadInputCollection
{
    // The CLI runs in this process with the console redirected, so nothing else may run beside it.
    public const string Name = "Bad input corpus";
}

/// <summary>
/// Every entry of the bad-input corpus, fed to the workshop command or to a running kernel: one clear line on
/// stderr naming the problem (as the entry expects), a non-zero exit or an error reply, no stack trace, the kernel
/// still alive, the canary's secret never printed, and nothing beside the workspace created, changed or deleted.
/// </summary>
[Collection(BadInputCollection.Name)]
public sealed class BadInputCorpusTests(KernelUnderTest kernel) : IClassFixture<KernelUnderTest>
{
    private static readonly Dictionary<string, BadInputCase> Cases = BadInputCase.Load().ToDictionary(c => c.Id);

    public static IEnumerable<object[]> CommandLines => Cases.Values.Where(c => c.Feed == "cli").Select(c => new object[] { c.Id });

    public static IEnumerable<object[]> KernelMessages => Cases.Values.Where(c => c.Feed == "kernel").Select(c => new object[] { c.Id });

    [Fact]
    public void The_corpus_covers_every_area_with_at_least_300_cases()
    {
        var byArea = Cases.Values.GroupBy(c => c.Area).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(["cli", "kernel", "key", "location", "notebook", "record", "sql", "template"], byArea.Keys.Order(StringComparer.Ordinal));
        Assert.True(Cases.Count >= 300, $"The corpus has {Cases.Count} cases.");
        Assert.All(byArea, area => Assert.True(area.Value >= 20, $"{area.Key} has only {area.Value} cases."));
    }

    [Theory]
    [MemberData(nameof(CommandLines))]
    public void A_bad_command_line_ends_in_one_clear_line_and_touches_nothing_outside_the_workspace(string id)
    {
        var badInput = Cases[id];
        using var folder = new CaseFolder(PreparedWorkspace.Path);
        folder.WriteFiles(badInput);
        var arguments = badInput.Arguments.Select(folder.Expand).ToList();
        if (!arguments.Contains("--workspace")) arguments.AddRange(["--workspace", folder.Workspace]);
        var before = folder.Outside();

        var run = badInput.Isolate ? WorkshopCli.Child(folder.Workspace, [.. arguments]) : WorkshopCli.InProcess(folder.Workspace, [.. arguments]);

        var shown = $"{badInput.Id}: exit {run.ExitCode}\n--- stderr ---\n{Shorten(run.Stderr)}\n--- stdout ---\n{Shorten(run.Stdout)}";
        Assert.True(run.Unhandled is null, $"Unhandled: {run.Unhandled}\n{shown}");
        Assert.DoesNotContain("   at ", run.Stderr + run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(folder.Secret, run.Stderr + run.Stdout, StringComparison.Ordinal);
        if (badInput.ExpectsSuccess)
        {
            Assert.True(run.ExitCode == 0, $"Expected the input to be accepted.\n{shown}");
            Assert.Matches(new Regex(badInput.Expect["stdout"]!.GetValue<string>(), RegexOptions.Multiline), run.Stdout);
        }
        else
        {
            Assert.True(run.ExitCode != 0, $"Expected a non-zero exit.\n{shown}");
            // One line (a notebook's failing cell adds its own line before the run's verdict), in the learner's terms.
            var allowed = badInput.Expect["lines"]?.GetValue<int>() ?? 1;
            var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.True(lines.Length >= 1 && lines.Length <= allowed, $"Expected {allowed} line(s) on stderr, got {lines.Length}.\n{shown}");
            var expected = badInput.Expect["stderr"]!.GetValue<string>();
            Assert.True(Regex.IsMatch(lines[^1], expected), $"Expected stderr to match /{expected}/.\n{shown}");
            var internals = InternalWording.Where(phrase => lines[^1].Contains(phrase, StringComparison.Ordinal)).ToList();
            Assert.True(internals.Count == 0, $"The error speaks of the kit's insides ({string.Join(", ", internals)}), not of the input.\n{shown}");
        }
        Assert.Equal(before, folder.Outside());
    }

    [Theory]
    [MemberData(nameof(KernelMessages))]
    public void A_bad_kernel_message_gets_an_error_reply_or_none_and_the_kernel_lives(string id)
    {
        var badInput = Cases[id];
        var before = kernel.Folder.Outside();
        var exchange = kernel.Exchange(badInput.Kernel!);
        var shown = $"{badInput.Id}: replies [{string.Join(", ", exchange.Replies.Select(r => $"{r.Type} {r.Status}"))}], alive {exchange.Alive}\n--- kernel stderr ---\n{Shorten(exchange.Log)}";

        Assert.True(exchange.Alive, $"The kernel did not answer kernel_info_request after the message.\n{shown}");
        switch (badInput.Expect["reply"]!.GetValue<string>())
        {
            case "error":
                Assert.True(exchange.Replies.Count == 1 && exchange.Replies[0].Status == "error", $"Expected one error reply.\n{shown}");
                break;
            case "none":
                Assert.True(exchange.Replies.Count == 0, $"Expected the message to be refused without a reply.\n{shown}");
                break;
            case "once":
                Assert.True(exchange.Replies.Count == 1, $"Expected the replayed message to be answered once only.\n{shown}");
                break;
        }
        Assert.DoesNotContain("   at ", exchange.Log, StringComparison.Ordinal);
        Assert.DoesNotContain(kernel.Folder.Secret, exchange.Log + string.Concat(exchange.Replies.Select(r => r.Content)), StringComparison.Ordinal);
        Assert.Equal(before, kernel.Folder.Outside());
    }

    /// <summary>Phrases of .NET's own exception messages: a line holding one is a crash reworded, not an explanation.</summary>
    private static readonly string[] InternalWording =
    [
        "The node must be of type", "cannot be converted to a 'System.", "Object reference not set", "Index was outside the bounds",
        "(Parameter '", "Value was either too large or too small", "Null character in path", "Specified argument was out of the range",
    ];

    private static string Shorten(string text) => text.Length <= 3000 ? text : text[..3000] + $"... ({text.Length:N0} characters)";
}
