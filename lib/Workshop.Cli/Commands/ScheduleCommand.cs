using System.CommandLine;
using Spectre.Console;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>`workshop schedule pause|resume`: stops or restarts the producer's schedule on AWS.</summary>
internal static class ScheduleCommand
{
    public static void AddTo(RootCommand root)
    {
        var schedule = new Command("schedule", "Pause or resume the producer's EventBridge schedule (AWS backend).");
        foreach (var (name, enabled, description) in new[] { ("pause", false, "Stop invoking the producer until resumed."), ("resume", true, "Invoke the producer on its schedule again.") })
        {
            var command = new Command(name, description);
            command.SetAction(async (parse, cancellationToken) =>
            {
                await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
                AnsiConsole.WriteLine(await session.SetProducerScheduleAsync(enabled, cancellationToken));
                return 0;
            });
            schedule.Subcommands.Add(command);
        }
        root.Subcommands.Add(schedule);
    }
}
