using System.CommandLine;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>`workshop doctor`: what the kit would connect to, and whether it can, without printing any secret.</summary>
internal static class DoctorCommand
{
    public static void AddTo(RootCommand root)
    {
        var command = new Command("doctor", "Show the backend, region, profile, identity and endpoint overrides the kit would use (never secrets).");
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            var (text, healthy) = await session.DoctorAsync(cancellationToken);
            Console.Out.WriteLine(Terminal.FitProse(text));
            return healthy ? 0 : 1;
        });
        root.Subcommands.Add(command);
    }
}
