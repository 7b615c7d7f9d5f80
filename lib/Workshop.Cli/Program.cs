using System.CommandLine;
using System.Runtime.InteropServices;
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
WarehouseCommands.AddTo(root);
JobCommands.AddTo(root);
WorkflowCommands.AddTo(root);
QueryBench.AddTo(root);
ServeBench.AddTo(root);
WarehouseBench.AddTo(root);
FreshnessBench.AddTo(root);
JobBench.AddTo(root);
WorkflowBench.AddTo(root);
MetricsCommands.AddTo(root);
ChaosCommands.AddTo(root);
NotebookCommands.AddTo(root);
DayBench.AddTo(root);
StackCommands.AddTo(root);
DiagramCommand.AddTo(root);
KernelCommands.AddTo(root);
DoctorCommand.AddTo(root);
ScheduleCommand.AddTo(root);
ServeCommand.AddTo(root);
// Help wraps where the kit's tables do (COLUMNS, else the window, else 80 when piped), not at the window alone.
foreach (var help in root.Options.OfType<System.CommandLine.Help.HelpOption>())
    help.Action = new System.CommandLine.Help.HelpAction { MaxWidth = Terminal.Width };

HelpNames.ShortenValueLists(root);

var parse = root.Parse(args);
if (parse.Errors.Count > 0 || CommandLineMistakes.UnknownOptionTakenAsArgument(parse) is not null) return CommandLineMistakes.Report(parse);
var verbose = parse.GetValue(CliSession.VerboseOption);

// Ctrl+C and SIGTERM ask the verb to stop (a notebook run saves what it has); a second one ends the process at once.
using var stop = new CancellationTokenSource();
void AskToStop(PosixSignalContext context)
{
    if (stop.IsCancellationRequested) return;
    context.Cancel = true;
    Terminal.Tell($"Stopping ({context.Signal}); a second signal ends the process at once.");
    stop.Cancel();
}
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, AskToStop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, AskToStop);

try
{
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, stop.Token);
}
catch (Exception error)
{
    return Failure.Report(error, verbose);
}

/// <summary>How a verb's failure ends: one line on stderr saying what went wrong and what to do, and an exit code.</summary>
internal static partial class Failure
{
    public static int Report(Exception error, bool verbose)
    {
        if (error is AggregateException { InnerExceptions.Count: 1 } single) error = single.InnerException!;
        var (line, code) = error switch
        {
            AthenaQueryException athena => (QueryCommands.Explain(athena), 1),
            StreamingWorkshop.Warehouse.RedshiftSqlException redshift => (redshift.DataApiError, 1),
            ServiceException service => (Sentence(WithNextStep($"{service.ErrorCode}: {service.Message}", error)), 1),
            OperationCanceledException => ("Stopped.", 130),
            // Mistakes a learner can fix: the message says what and how.
            ArgumentException or InvalidOperationException or FormatException or NotSupportedException => ($"Error: {error.Message}", 1),
            FileNotFoundException or DirectoryNotFoundException => ($"Error: {error.Message} Check the path.", 1),
            UnauthorizedAccessException => ($"Error: {error.Message} Check the path and its permissions.", 1),
            IOException => ($"Error: {error.Message}", 1),
            StreamingWorkshop.Storage.WorkspaceFileDamagedException => ($"Error: {error.Message}", 1),
            System.Text.Json.JsonException => ($"Error: the JSON is not valid: {error.Message}", 1),
            YamlDotNet.Core.YamlException yaml => ($"Error: the YAML is not valid (line {yaml.Start.Line}): {yaml.Message}", 1),
            OverflowException => ($"Error: a number is too large: {error.Message}", 1),
            OutOfMemoryException => ("Error: the input is too large to work on in memory.", 1),
            _ => ($"Error: {error.GetType().Name}: {error.Message}", 70),
        };
        Terminal.Tell(OneLine(line) + (code == 70 && !verbose ? " (--verbose shows the details)" : ""));
        if (verbose) Console.Error.Write(Details(error));
        return code;
    }

    /// <summary>
    /// For a "not found", the verb that lists what there is: the service's words say what AWS says, and the command line
    /// adds where to look next.
    /// </summary>
    private static string NextStep(Exception error) => error switch
    {
        // The command line has no Clock.Advance: a short replay is what moves the workspace's clock on.
        ServiceException { Service: "kinesis", ErrorCode: "ResourceInUseException" } updating when updating.Message.Contains(" instead in state UPDATING until ", StringComparison.Ordinal) =>
            " On the command line, 'workshop simulate --duration 1m' moves the clock past it.",
        ServiceException { Service: "kinesis" } onDemand when OnDemandStream().Match(onDemand.Message) is { Success: true } mode =>
            $" 'workshop stream mode provisioned --stream {mode.Groups["stream"].Value}' switches it.",
        ServiceException { Service: "kinesis", ErrorCode: "ResourceNotFoundException" } consumer when consumer.Message.StartsWith("Consumer ", StringComparison.Ordinal) =>
            " On the command line, 'workshop stream consumers list' does.",
        ServiceException { Service: "kinesis", ErrorCode: "ResourceNotFoundException" } shard when shard.Message.StartsWith("Shard ", StringComparison.Ordinal) =>
            " 'workshop stream describe' lists the stream's shards.",
        ServiceException { Service: "kinesis", ErrorCode: "ResourceNotFoundException" } stream when stream.Message.StartsWith("Stream ", StringComparison.Ordinal) =>
            " 'workshop stack resources' names the stack's stream; 'workshop stream create' makes another.",
        ServiceException { Service: "kinesis", ErrorCode: "InvalidArgumentException" } sequence
            when sequence.Message.StartsWith("StartingSequenceNumber ", StringComparison.Ordinal) && sequence.Message.EndsWith(" is invalid.", StringComparison.Ordinal) =>
            " 'workshop stream peek' shows each record's sequence number on that shard: give one of those.",
        // A missing column's message already lists the table's columns; the list of tables would lead away from it.
        ServiceException { ErrorCode: "EntityNotFoundException" } column when column.Message.StartsWith("Column ", StringComparison.Ordinal) => "",
        // A missing crawler's message already says how to make the workshop's.
        ServiceException { ErrorCode: "EntityNotFoundException" } crawler when crawler.Message.StartsWith("Crawler ", StringComparison.Ordinal) => "",
        ServiceException { ErrorCode: "EntityNotFoundException" } database when database.Message.StartsWith("Database ", StringComparison.Ordinal) =>
            " 'workshop query \"SHOW DATABASES\"' lists the databases.",
        ServiceException { ErrorCode: "EntityNotFoundException" } => " 'workshop catalog tables' lists the database's tables.",
        ServiceException { ErrorCode: "ExecutionDoesNotExist" } execution when ExecutionOf().Match(execution.Message) is { Success: true } arn =>
            $" 'workshop workflow executions {arn.Groups["machine"].Value}' lists its executions.",
        StreamingWorkshop.Warehouse.WarehouseStatementException failed when failed.Message.StartsWith("ERROR: relation ", StringComparison.Ordinal)
            && failed.Message.EndsWith(" does not exist", StringComparison.Ordinal) => " 'workshop warehouse tables' lists the warehouse's tables.",
        _ => "",
    };

    /// <summary><paramref name="line"/> as it is, or, when the command line knows where to look next, ended as a sentence with that.</summary>
    public static string WithNextStep(string line, Exception error)
    {
        // The API's way to see the shards, for a notebook; the command line has its own verb.
        line = line.Replace("Pick neighbours from ListShards.", "Pick neighbours from 'workshop stream describe'.", StringComparison.Ordinal);
        if (NextStep(error) is not { Length: > 0 } next) return line;
        // The command line's next step names the verb that lists the executions, which says it better.
        if (error is ServiceException { ErrorCode: "ExecutionDoesNotExist" })
            line = line.Replace(" List the state machine's executions to find its name.", "", StringComparison.Ordinal);
        // A missing table's message names SQL's way to list the tables, for a notebook; the command line gives its own verb.
        if (error is ServiceException { ErrorCode: "EntityNotFoundException" })
            line = line.Replace(StreamingWorkshop.Catalog.LocalGlueCatalog.SqlTableListing, ".", StringComparison.Ordinal);
        return Sentence(line) + next;
    }

    /// <summary>The text ended as a sentence (Kinesis's own messages end without a full stop), so a next step can follow.</summary>
    private static string Sentence(string text) => text.Length == 0 || text[^1] is '.' or '!' or '?' ? text : text + ".";

    [System.Text.RegularExpressions.GeneratedRegex(@":execution:(?<machine>[^:']+):")]
    private static partial System.Text.RegularExpressions.Regex ExecutionOf();

    [System.Text.RegularExpressions.GeneratedRegex(@"for stream (?<stream>[a-zA-Z0-9_.-]+): it is in ON_DEMAND capacity mode")]
    private static partial System.Text.RegularExpressions.Regex OnDemandStream();

    /// <summary>
    /// Each exception's type, message and stack, the inner ones after it. Not error.ToString(): a service error overrides
    /// that with its one-line form, which is what a notebook shows.
    /// </summary>
    private static string Details(Exception error)
    {
        var text = new System.Text.StringBuilder();
        for (var current = error; current is not null; current = current.InnerException)
            text.Append(current == error ? "" : "---> ").Append(current.GetType().FullName).Append(": ").AppendLine(current.Message).AppendLine(current.StackTrace);
        return text.ToString();
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
