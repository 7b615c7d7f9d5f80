using System.CommandLine;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>The `bench` parent command; each area adds its own benchmark under it.</summary>
internal static class BenchCommand
{
    public static Command GetOrAdd(RootCommand root)
    {
        var existing = root.Subcommands.FirstOrDefault(c => c.Name == "bench");
        if (existing is not null) return existing;
        var bench = new Command("bench", "Measure the kit's speed on this machine; figures and ratios come from one run.");
        root.Subcommands.Add(bench);
        return bench;
    }
}
