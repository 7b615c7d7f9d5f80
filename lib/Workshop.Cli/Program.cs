using System.CommandLine;
using StreamingWorkshop.Cli;
using StreamingWorkshop.Cli.Commands;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Query;

Terminal.Configure();
var root = new RootCommand("Streaming Workshop Kit: a streaming pipeline on AWS, or offline on the local backend.");
foreach (var option in CliSession.GlobalOptions) root.Options.Add(option);
PipelineCommands.AddTo(root);
PipelineBench.AddTo(root);
FaultsBench.AddTo(root);
QueryCommands.AddTo(root);
QueryBench.AddTo(root);
NotebookCommands.AddTo(root);
StackCommands.AddTo(root);
DiagramCommand.AddTo(root);
KernelCommands.AddTo(root);
DoctorCommand.AddTo(root);
ScheduleCommand.AddTo(root);

var parse = root.Parse(args);
if (parse.Errors.Count > 0) return CommandLineMistakes.Report(parse);
try
{
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (AthenaQueryException error)
{
    Terminal.Tell(QueryCommands.Explain(error));
    return 1;
}
catch (ServiceException error)
{
    Terminal.Tell($"{error.ErrorCode}: {error.Message}");
    return 1;
}
catch (Exception error) when (error is ArgumentException or InvalidOperationException or FormatException or NotSupportedException or IOException or UnauthorizedAccessException)
{
    // Mistakes a learner can fix: say what and how, without a stack trace.
    Terminal.Tell($"Error: {error.Message}");
    return 1;
}
catch (OperationCanceledException)
{
    Terminal.Tell("Stopped.");
    return 130;
}
