using System.CommandLine;
using Spectre.Console;
using StreamingWorkshop.Cli.Commands;
using StreamingWorkshop.Errors;

var root = new RootCommand("Streaming Workshop Kit: a streaming pipeline on AWS, or offline on the local backend.");
foreach (var option in CliSession.GlobalOptions) root.Options.Add(option);
PipelineCommands.AddTo(root);
PipelineBench.AddTo(root);
QueryCommands.AddTo(root);
QueryBench.AddTo(root);
NotebookCommands.AddTo(root);
StackCommands.AddTo(root);
DiagramCommand.AddTo(root);
KernelCommands.AddTo(root);
DoctorCommand.AddTo(root);
ScheduleCommand.AddTo(root);

try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (ServiceException error)
{
    AnsiConsole.MarkupLineInterpolated($"[red]{error.ErrorCode}[/]: {error.Message}");
    return 1;
}
catch (Exception error) when (error is ArgumentException or InvalidOperationException or FormatException or NotSupportedException)
{
    // Mistakes a learner can fix: say what and how, without a stack trace.
    AnsiConsole.MarkupLineInterpolated($"[red]Error[/]: {error.Message}");
    return 1;
}
catch (OperationCanceledException)
{
    AnsiConsole.MarkupLine("[yellow]Stopped.[/]");
    return 130;
}
