using System.CommandLine;
using StreamingWorkshop.Jobs;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>job list, run, runs, stop and reset-bookmark: the stack's Glue jobs from the command line.</summary>
internal static class JobCommands
{
    public static void AddTo(RootCommand root) =>
        root.Subcommands.Add(new Command("job", "Run and watch the stack's Glue ETL jobs (batch and streaming) through the Glue API's job calls.")
        {
            List(), Run(), Runs(), Stop(), ResetBookmark(),
        });

    private static Argument<string> JobName() => new("name") { Description = "The job's name, as workshop job list shows it." };

    private static Command List()
    {
        var command = new Command("list", "List the stack's Glue jobs with their type, workers, Glue version, DPUs and cost per hour.");
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.Jobs.ListAsync(cancellationToken));
            return 0;
        });
        return command;
    }

    private static Command Run()
    {
        var name = JobName();
        var wait = new Option<bool>("--wait") { Description = "Return once the run has ended (a streaming job: once it is running). Locally the virtual clock moves to the run's end." };
        var command = new Command("run", "Start a run of a job (StartJobRun) and show it; exit code 1 when it ends FAILED, TIMEOUT, ERROR or STOPPED.") { name, wait };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            var run = await session.Jobs.RunAsync(parse.GetValue(name)!, parse.GetValue(wait), cancellationToken: cancellationToken);
            Terminal.Show(run);
            if (run.Run.JobRunState is not (JobRunStates.Failed or JobRunStates.Timeout or JobRunStates.Error or JobRunStates.Stopped)) return 0;
            Terminal.Tell(EndedBadly(run.Run));
            return 1;
        });
        return command;
    }

    /// <summary>
    /// The one line a run that did not succeed leaves on stderr, as 'workflow run' leaves one: how it ended and the run's
    /// own error message, which says what to mend; a run stopped with no message says how to start another.
    /// </summary>
    internal static string EndedBadly(JobRun run) => run.ErrorMessage is { Length: > 0 } error
        ? $"Run {run.Id} ended {run.JobRunState}: {error.TrimEnd('.', ' ')}."
        : $"Run {run.Id} ended {run.JobRunState}. Start another with 'workshop job run {run.JobName} --wait'.";

    private static Command Runs()
    {
        var name = JobName();
        var command = new Command("runs", "List a job's runs, newest first (GetJobRuns), with their state, time and cost.") { name };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.Jobs.RunsAsync(parse.GetValue(name)!, cancellationToken));
            return 0;
        });
        return command;
    }

    private static Command Stop()
    {
        var name = JobName();
        var command = new Command("stop", "Stop a job's active runs (BatchStopJobRun).") { name };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.Jobs.StopAsync(parse.GetValue(name)!, cancellationToken));
            return 0;
        });
        return command;
    }

    private static Command ResetBookmark()
    {
        var name = JobName();
        var command = new Command("reset-bookmark", "Reset a job's bookmark (ResetJobBookmark), so its next run reads every raw object again.") { name };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            var reset = await session.Jobs.ResetBookmarkAsync(parse.GetValue(name)!, cancellationToken);
            // A reset that could not be done (a streaming job has no bookmark) is a mistake to mend, told on stderr.
            if (reset.NothingDone)
            {
                Terminal.Tell(reset.Message);
                return 1;
            }
            Terminal.Show(reset);
            return 0;
        });
        return command;
    }
}
