using Workshop.Tests.BadInput;

namespace Workshop.Tests.Pipeline;

/// <summary>
/// `workshop simulate`'s options: a value that is wrong, or an option the chosen mode (replay or --live) has no use for,
/// is refused on one line before anything runs; the options a live run can use are applied to it.
/// </summary>
public sealed class SimulateOptionsCliTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-simulate-options-").FullName;

    private string Workspace => Path.Combine(folder, "ws");

    // A process of its own: an in-process run would move this whole test process into the folder.
    private CliRun Simulate(params string[] arguments) => WorkshopCli.Child(folder, ["simulate", .. arguments, "--workspace", Workspace]);

    private const string KnownCities = "London, Manchester, Edinburgh, Birmingham, Leeds, Glasgow, Liverpool, Bristol, Cardiff, Belfast, Newcastle, Sheffield, Nottingham, Southampton, Aberdeen, Inverness, Plymouth, Norwich";

    [Theory]
    [InlineData("--speed|60",
        "Error: --speed 60 is for a live run only: a replay runs as fast as it can. Add --live to follow the wall clock at that speed, or leave out --speed.")]
    [InlineData("--live|--speed|3600|--duration|1m|--start|2030-01-01T00:00:00Z|--cities|Atlantis|--outage|99",
        "Error: City 'Atlantis' is not one the kit knows. Use one of " + KnownCities + ", or give coordinates as Name:latitude:longitude (for example Oxford:51.752:-1.2577).")]
    [InlineData("--live|--speed|3600|--duration|1m|--outage|99",
        "Error: --outage '99' is not a UTC time window such as 10:00-11:00 (or 23:30-00:30 across midnight).")]
    [InlineData("--live|--duration|1m|--humidity-from|noon",
        "Error: --humidity-from 'noon' is not a UTC time of day such as 12:00.")]
    [InlineData("--live|--speed|3600|--duration|1m|--outage|10:00-11:00",
        "Error: --outage is for a replay only: the producer keeps an outage's readings until it ends, and a live run stopped before then would lose them. Leave out --live to replay the day with the outage, or leave out --outage.")]
    [InlineData("--live|--speed|1e9",
        "--speed: '1e9' is out of range; give a number above 0 and at most 100,000 (1 is real time, 60 runs a minute each second). Run 'workshop simulate --help' to see what 'workshop simulate' takes.")]
    [InlineData("--duration|1m|--outage|10:00-10:00",
        "Error: --outage '10:00-10:00' is an empty window: it ends where it starts. Give an end after the start, such as 10:00-11:00.")]
    [InlineData("--duration|1m|--cities|",
        "Error: --cities names no city; give one or more of " + KnownCities + " (or Name:latitude:longitude), or leave out --cities for London, Manchester, Edinburgh.")]
    public void A_wrong_value_or_an_option_the_mode_has_no_use_for_is_refused_on_one_line_before_anything_runs(string arguments, string expected)
    {
        var run = Simulate(arguments.Split('|'));

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(expected, run.Stderr.TrimEnd('\n'));
        Assert.Equal("", run.Stdout);
        Assert.False(Directory.Exists(Workspace), "The refused command made a workspace.");
    }

    [Fact]
    public void A_replay_that_ends_before_its_outage_does_is_refused_on_one_line_naming_the_length_that_would_do()
    {
        // From 00:00 for 24 h, the outage 23:30-00:30 is still on when the replay ends: its kept readings would be lost.
        var run = Simulate("--duration", "24h", "--start", "2025-01-14T00:00:00Z", "--outage", "23:30-00:30");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Error: The outage from 2025-01-14 23:30 to 2025-01-15 00:30 UTC does not end before the replay does "
            + "(2025-01-14 00:00 to 2025-01-15 00:00 UTC), so the readings the producer kept would never be sent. "
            + "Replay for at least 24h31m from 2025-01-14 00:00 UTC, or end the outage sooner.", run.Stderr.TrimEnd('\n'));
        Assert.Equal("", run.Stdout);
        Assert.False(File.Exists(Path.Combine(Workspace, "state", "simulation.json")), "The refused replay saved a simulation.");
    }

    [Fact]
    public void An_outage_outside_the_replay_is_said_rather_than_quietly_left_out()
    {
        var run = Simulate("--duration", "1h", "--start", "2025-01-14T01:00:00Z", "--outage", "10:00-10:30");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("Note: the outage from 2025-01-14 10:00 to 2025-01-14 10:30 UTC falls outside this replay (2025-01-14 01:00 to 2025-01-14 02:00 UTC), "
            + "so the producer holds nothing back; give --start on the outage's day to replay it.", run.Stderr);
        Assert.DoesNotContain("Note: the outage", Simulate("--duration", "2h", "--outage", "02:30-02:45").Stderr);
    }

    [Fact]
    public void A_replay_that_runs_a_minute_past_its_outage_sends_every_kept_reading()
    {
        var run = Simulate("--duration", "24h31m", "--start", "2025-01-14T00:00:00Z", "--outage", "23:30-00:30");

        Assert.True(run.ExitCode == 0, run.Stderr);
        // 1,471 invocations of 3 cities: the 60 minutes of the outage reach the stream in the backfill at 00:30.
        Assert.Contains(run.Stdout.Split('\n'), l => l.Contains("Readings put on the stream", StringComparison.Ordinal) && l.Contains("4,413", StringComparison.Ordinal));
        var log = WorkshopCli.Child(folder, "logs", "producer", "--workspace", Workspace).Stdout;
        Assert.Contains("Backfilled 180 reading(s) held back by the outage", log);
    }

    [Fact]
    public void The_replays_summary_gives_its_virtual_time_on_one_line_of_an_80_column_table()
    {
        var run = Simulate("--duration", "10m", "--start", "2025-01-14T00:00:00Z");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var lines = run.Stdout.Split('\n');
        var at = Array.FindIndex(lines, l => l.Contains("Virtual time", StringComparison.Ordinal));
        Assert.Contains("2025-01-14 00:00 → 2025-01-14 00:10 UTC", lines[at]);
        Assert.Contains("Producer invocations", lines[at + 1]);
        // The summary's table; the lake's tree after it keeps each object's whole key on its line.
        Assert.All(lines.TakeWhile(l => l.Length > 0), l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
    }

    [Fact]
    public void Help_states_the_fastest_live_speed()
    {
        var run = WorkshopCli.Child(folder, "simulate", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("With --live: how many times faster than real time, above 0 and at most 100,000.", string.Join(' ', run.Stdout.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void A_live_run_starts_at_start_and_polls_the_cities_it_is_given_with_their_new_field()
    {
        var run = Simulate("--live", "--speed", "3600", "--duration", "2m", "--start", "2030-01-01T00:00:00Z", "--cities", "Leeds", "--seed", "7", "--humidity-from", "00:00");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Live from 2030-01-01 00:00:00Z at 3600x real time for 00:02:00. Ctrl+C stops.", lines[0]);
        // The producer polls at the start's own minute, as a replay from the same start does, then a minute later.
        Assert.Equal("00:00:00 producer put 1 reading(s)", lines[1]);
        Assert.Equal("00:01:00 producer put 1 reading(s)", lines[2]);
        Assert.StartsWith("Stopped at 2030-01-01 00:02:00Z: 2 invocation(s), 2 reading(s) put, ", lines[^1]);
        var log = WorkshopCli.Child(folder, "logs", "producer", "--workspace", Workspace).Stdout;
        Assert.Equal(2, log.Split('\n').Count(l => l.Contains(" Sent ", StringComparison.Ordinal)));
        Assert.Contains("Sent {\"city\":\"Leeds\",", log);
        Assert.Contains("\"humidity\":", log);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
