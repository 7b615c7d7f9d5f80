using System.CommandLine;
using System.Globalization;
using StreamingWorkshop.Faults;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>chaos: faults for the next replay, kept in the workspace, and the burst and ordering demonstrations.</summary>
internal static class ChaosCommands
{
    public static void AddTo(RootCommand root) => root.Subcommands.Add(new Command("chaos",
        "Switch on faults for the next 'workshop simulate' (kept in the workspace, seen by notebooks too), or run the burst and ordering demonstrations.")
    {
        List(), Clear(), DuplicatePut(), Redelivery(), Throttle(), FailedInvocation("failed-invocation", timeout: false),
        FailedInvocation("timeout", timeout: true), StopConsumer(), Burst(), Ordering(),
    });

    private static Option<string> AtOption() => new("--at") { Description = "UTC time of day the fault starts, HH:mm (placed on the replay's day).", Required = true };

    private static Option<int> CountOption(string description, int defaultValue) =>
        new Option<int>("--count") { Description = description, DefaultValueFactory = _ => defaultValue }.WithRange(1, MaxCount);

    /// <summary>The most a chaos verb's --count takes (docs/security.md, Sizes).</summary>
    private const int MaxCount = 100_000;

    private static TimeOnly ParseAt(string text) =>
        TimeOnly.TryParseExact(text.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time
            : throw new ArgumentException($"--at '{text}' is not a UTC time of day; write it as HH:mm, for example 10:00.");

    private static TimeSpan ParseLength(string text)
    {
        var span = CliSession.ParseDuration(text, "--for");
        if (span < TimeSpan.FromMinutes(1) || span > TimeSpan.FromDays(7))
            throw new ArgumentException($"--for '{text}' is out of range; give from 1m to 7d, for example 1h.");
        return span;
    }

    /// <summary>A verb that changes the plan, then shows the whole plan.</summary>
    private static Command PlanVerb(string name, string description, IEnumerable<Option> options, Func<ParseResult, FaultsFacade, FaultPlanView> change)
    {
        var command = new Command(name, description);
        foreach (var option in options) command.Options.Add(option);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(change(parse, session.Faults));
            return 0;
        });
        return command;
    }

    private static Command List() => PlanVerb("list", "Show the faults switched on.", [], (_, faults) => faults.Plan);

    private static Command Clear() => PlanVerb("clear", "Switch every fault off.", [], (_, faults) => faults.Clear());

    private static Command DuplicatePut()
    {
        var count = new Option<int?>("--count") { Description = "The next N puts are sent twice." }.WithRange(1, MaxCount);
        var rate = new Option<double?>("--rate") { Description = "Each put is sent twice with this probability (above 0, at most 1)." };
        return PlanVerb("duplicate-put", "The producer's put is answered, the answer is lost, and it puts the same reading again (new sequence number).", [count, rate], (parse, faults) =>
            (parse.GetValue(count), parse.GetValue(rate)) switch
            {
                ({ } n, null) => faults.DuplicatePuts(n),
                (null, { } r) => double.IsFinite(r) && r > 0 && r <= 1 ? faults.DuplicatePutRate(r) : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--rate '{r}' is out of range; give a probability above 0 and at most 1, for example 0.05.")),
                _ => throw new ArgumentException("duplicate-put needs exactly one of --count N or --rate R, for example --count 5."),
            });
    }

    private static Command Redelivery()
    {
        var count = CountOption("How many delivered objects to deliver a second time.", 1);
        return PlanVerb("redelivery", "The delivery stream writes a batch it already delivered again, as a second object (a retry after a timeout).", [count],
            (parse, faults) => faults.Redeliver(parse.GetValue(count)));
    }

    private static Command Throttle()
    {
        var at = AtOption();
        var length = new Option<string>("--for") { Description = "How long: 5m, 1h, ...", DefaultValueFactory = _ => "5m" };
        return PlanVerb("throttle", "Another writer's burst spends the shard's write allowance: the producer's puts fail with ProvisionedThroughputExceededException.", [at, length],
            (parse, faults) => faults.Throttle(ParseAt(parse.GetValue(at)!), ParseLength(parse.GetValue(length)!)));
    }

    private static Command FailedInvocation(string name, bool timeout)
    {
        var at = AtOption();
        var count = CountOption("How many invocations in a row, one a minute.", 1);
        return PlanVerb(name, timeout
                ? "The producer's invocations run past the function's 30 s timeout: 'Task timed out', Errors +1, no readings that minute."
                : "The producer's invocations fail with an error: Errors +1, no readings that minute.",
            [at, count], (parse, faults) => faults.FailInvocations(ParseAt(parse.GetValue(at)!), parse.GetValue(count), timeout));
    }

    private static Command StopConsumer()
    {
        var at = AtOption();
        var length = new Option<string>("--for") { Description = "How long the delivery stream stops reading, for example 1h (over the stream's 24 h retention, records expire).", Required = true };
        return PlanVerb("stop-consumer", "The delivery stream stops reading for a stretch, then catches up from its checkpoint.", [at, length],
            (parse, faults) => faults.StopConsumer(ParseAt(parse.GetValue(at)!), ParseLength(parse.GetValue(length)!)));
    }

    private static Command Burst()
    {
        var records = new Option<int>("--records") { Description = "How many records to put within one second.", DefaultValueFactory = _ => 2_500 }.WithRange(1, 20_000);
        var command = new Command("burst", "Put a burst over a shard's 1,000 records/s on a demo stream: once without retry, then retrying the failed entries with backoff.") { records };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.Faults.BurstAsync(parse.GetValue(records), cancellationToken));
            return 0;
        });
        return command;
    }

    private static Command Ordering()
    {
        var perKey = new Option<int>("--per-key") { Description = "Records per partition key.", DefaultValueFactory = _ => 4 }.WithRange(1, 100);
        var command = new Command("ordering", "Put two partition keys alternately on a two-shard demo stream and read them back as a consumer does.") { perKey };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.Faults.OrderingAsync(parse.GetValue(perKey), cancellationToken));
            return 0;
        });
        return command;
    }
}
