using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingWorkshop.Workflows;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>workflow list, run and history: the stack's Step Functions state machines from the command line.</summary>
internal static class WorkflowCommands
{
    public static void AddTo(RootCommand root) =>
        root.Subcommands.Add(new Command("workflow", "Run and follow the stack's Step Functions state machines (the daily pipeline) through the Step Functions API.")
        {
            List(), Run(), Executions(), History(),
        });

    private static Command List()
    {
        var command = new Command("list", "List the state machines with their type and their latest execution's status and start.");
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.Workflows.ListAsync(cancellationToken));
            return 0;
        });
        return command;
    }

    private static Command Run()
    {
        var name = new Argument<string>("name") { Description = "The state machine's name, as workshop workflow list shows it." };
        var input = new Option<string>("--input") { Description = "The execution's input, a JSON text such as '{\"day\": \"2026-03-01\"}' (default {})." };
        input.Validators.Add(result =>
        {
            if (result.Tokens.LastOrDefault()?.Value is not { } text) return;
            try
            {
                JsonNode.Parse(text);
            }
            catch (JsonException error)
            {
                // The parser's reason without its position details, which name a line 0 the learner never typed.
                var reason = error.Message.Split([" Path:", " LineNumber:"], 2, StringSplitOptions.None)[0].TrimEnd('.', ' ');
                result.AddError($"'{text}' is not JSON ({reason}); give a JSON text such as '{{\"day\": \"2026-03-01\"}}'");
            }
        });
        var wait = new Option<bool>("--wait") { Description = "Return once the execution has ended. Locally the virtual clock moves to each of its next changes." };
        var command = new Command("run", "Start an execution (StartExecution) and show it; exit code 1 when it ends FAILED, TIMED_OUT or ABORTED.") { name, input, wait };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            var execution = await session.Workflows.RunAsync(parse.GetValue(name), parse.GetValue(input), parse.GetValue(wait), cancellationToken: cancellationToken);
            Terminal.Show(execution);
            if (execution.Status is not (ExecutionStatuses.Failed or ExecutionStatuses.TimedOut or ExecutionStatuses.Aborted)) return 0;
            Terminal.Tell(EndedBadly(execution));
            return 1;
        });
        return command;
    }

    /// <summary>
    /// The one line a failed run leaves on stderr: how it ended, its error and the reason inside the cause, and where to
    /// look next. A daily pipeline that found no raw table says how to give the crawler readings to make it from.
    /// </summary>
    private static string EndedBadly(ExecutionView execution)
    {
        var described = execution.Execution;
        var why = execution.Why;
        var line = $"Execution {described.Name} ended {described.Status}" + (described.Error is { } error ? $": {error}" : "") + (why is null ? "" : $": {why}");
        line = line.TrimEnd('.', ' ') + ".";
        if (why is not null && why.StartsWith("TABLE_NOT_FOUND", StringComparison.Ordinal) && why.Contains($".{WorkshopSession.CrawlerTablePrefix}", StringComparison.Ordinal))
            return line + $" The crawler makes that table from the lake's readings: fill the lake (workshop simulate --duration 24h), then run 'workshop workflow run {execution.Machine} --wait' again.";
        return line + $" 'workshop workflow history {described.Name}' lists its events.";
    }

    private static Command Executions()
    {
        var name = new Argument<string?>("name") { Description = "The state machine's name (default: the daily pipeline).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("executions", "List a state machine's executions, newest first (ListExecutions), with their names for workflow history.") { name };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.Workflows.ExecutionsAsync(parse.GetValue(name), cancellationToken));
            return 0;
        });
        return command;
    }

    private static Command History()
    {
        var execution = new Argument<string>("execution") { Description = "The execution's ARN, or its name among the daily pipeline's executions." };
        var command = new Command("history", "List an execution's events (GetExecutionHistory) as the console's Events table does.") { execution };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.Workflows.HistoryAsync(parse.GetValue(execution)!, cancellationToken));
            return 0;
        });
        return command;
    }
}
