using System.CommandLine;
using Spectre.Console;
using StreamingWorkshop.Aws;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>`workshop doctor`: what the kit would connect to, and whether it can, without printing any secret.</summary>
internal static class DoctorCommand
{
    public static void AddTo(RootCommand root)
    {
        var command = new Command("doctor", "Show the backend, region, profile, identity and endpoint overrides the kit would use (never secrets).");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = CliSession.Options(parse);
            var backend = options.Backend ?? Environment.GetEnvironmentVariable("WORKSHOP_BACKEND") ?? "local";
            if (!backend.Equals("aws", StringComparison.OrdinalIgnoreCase))
            {
                await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
                AnsiConsole.WriteLine(session.ToString());
                AnsiConsole.WriteLine("Backend local: no AWS account or network is used. Check AWS with 'workshop doctor --backend aws'.");
                return 0;
            }
            var report = await AwsDoctor.ReportAsync(AwsSettings.Resolve(options.Region, options.Profile), cancellationToken: cancellationToken);
            AnsiConsole.Write(new Text(report.Text));
            return report.Healthy ? 0 : 1;
        });
        root.Subcommands.Add(command);
    }
}
