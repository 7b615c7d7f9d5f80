namespace Workshop.Notebooks.Tests;

/// <summary>
/// workshop chaos: a fault switched on in one process is in force for the next simulate in another, the effect shows in
/// the lake and in Athena, and every bad value is refused in one line naming it.
/// </summary>
public sealed class ChaosCliTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-chaos-cli-").FullName;

    private (int Exit, string Stdout, string Stderr) Workshop(params string[] arguments) =>
        Cli.Capture(folder, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = Path.Combine(folder, "ws") }, arguments);

    private static void AssertOneClearLine((int Exit, string Stdout, string Stderr) result, params string[] fragments)
    {
        Assert.Equal(1, result.Exit);
        Assert.DoesNotContain("   at ", result.Stderr);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        foreach (var fragment in fragments) Assert.Contains(fragment, line);
    }

    [Fact]
    public void A_duplicate_put_set_from_the_command_line_shows_in_the_next_simulate_and_in_athena()
    {
        var set = Workshop("chaos", "duplicate-put", "--count", "5");
        Assert.Equal(0, set.Exit);
        Assert.Contains("duplicate-put  the next 5 put(s) are sent twice", set.Stdout);
        Assert.Contains("duplicate-put", Workshop("chaos", "list").Stdout);

        var simulate = Workshop("simulate", "--duration", "20m", "--start", "2025-01-14T00:00:00Z");
        Assert.Equal(0, simulate.Exit);
        Assert.Contains("Faults on for this replay: duplicate-put ('workshop chaos list' says what each does", simulate.Stderr);
        Assert.Equal(0, Workshop("crawl").Exit);
        // 20 minutes x 3 cities = 60 readings, and the 5 puts sent twice.
        var count = Workshop("query", "SELECT COUNT(*) AS n FROM raw_weather_data", "--format", "csv");
        Assert.Equal("\"n\"\n\"65\"", count.Stdout.Trim().ReplaceLineEndings("\n"));
        // The count is used up; the plan says so.
        Assert.Contains("No faults are on", Workshop("chaos", "list").Stdout);
    }

    [Fact]
    public void Ordering_prints_each_keys_records_in_order_and_says_the_interleaving_is_not_the_put_order()
    {
        var result = Workshop("chaos", "ordering", "--per-key", "2");
        Assert.Equal(0, result.Exit);
        Assert.Contains("Put order:  London #1, ", result.Stdout);
        Assert.Contains("Across keys: the read order is not the put order", result.Stdout);
        Assert.Contains("London: read in put order, sequence numbers rising on shardId-", result.Stdout);
    }

    [Fact]
    public void Ordering_at_80_columns_keeps_every_sequence_number_whole()
    {
        var result = Cli.Capture(folder, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = Path.Combine(folder, "ws"), ["COLUMNS"] = "80" },
            "chaos", "ordering", "--per-key", "2");

        Assert.Equal(0, result.Exit);
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Matches(result.Stdout, @"\b49\d{30}\b").Count);
        Assert.All(result.Stdout.Split('\n'), l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        // One table, a record a row, so the put and read orders under it stay on the screen with it.
        Assert.Matches(@"(?m)^Read #\s+Put #\s+Key\s+Shard\s+Sequence number\s*$", result.Stdout);
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Matches(result.Stdout, @"(?m)^\d\s+\d\s+(London|Paris)\s+shardId-\d{12}\s+49\d{30}\s*$").Count);
    }

    [Fact]
    public void A_time_of_day_that_is_not_HH_mm_is_named()
    {
        AssertOneClearLine(Workshop("chaos", "stop-consumer", "--at", "25:00", "--for", "1h"), "--at '25:00' is not a UTC time of day", "HH:mm");
        AssertOneClearLine(Workshop("chaos", "throttle", "--at", "noon"), "--at 'noon' is not a UTC time of day");
    }

    [Fact]
    public void A_length_out_of_range_or_not_a_length_is_named()
    {
        AssertOneClearLine(Workshop("chaos", "stop-consumer", "--at", "10:00", "--for", "30s"), "--for '30s' is out of range", "1m to 7d");
        AssertOneClearLine(Workshop("chaos", "stop-consumer", "--at", "10:00", "--for", "soon"), "'soon' is not a duration");
    }

    [Fact]
    public void Duplicate_put_needs_one_of_count_or_rate_in_range()
    {
        AssertOneClearLine(Workshop("chaos", "duplicate-put"), "exactly one of --count N or --rate R");
        AssertOneClearLine(Workshop("chaos", "duplicate-put", "--count", "2", "--rate", "0.5"), "exactly one of --count N or --rate R");
        AssertOneClearLine(Workshop("chaos", "duplicate-put", "--rate", "1.5"), "--rate '1.5' is out of range");
        AssertOneClearLine(Workshop("chaos", "duplicate-put", "--count", "0"), "--count: '0' is out of range; give a whole number from 1 to 100,000");
        AssertOneClearLine(Workshop("chaos", "redelivery", "--count", "0"), "'0' is out of range");
    }

    [Fact]
    public void On_the_AWS_backend_a_fault_is_refused_in_one_line_saying_to_use_the_local_backend()
    {
        var environment = new Dictionary<string, string>
        {
            ["WORKSHOP_WORKSPACE"] = Path.Combine(folder, "ws"),
            ["AWS_ACCESS_KEY_ID"] = "AKIAEXAMPLEEXAMPLE",
            ["AWS_SECRET_ACCESS_KEY"] = "not-a-real-secret",
            ["AWS_REGION"] = "us-east-1",
        };
        foreach (var verb in new[] { new[] { "duplicate-put", "--count", "5" }, ["burst"], ["list"] })
            AssertOneClearLine(Cli.Capture(folder, environment, ["--backend", "aws", "chaos", .. verb]),
                "Fault injection runs on the local backend only", "--backend local");
    }

    [Fact]
    public void A_missing_required_option_is_named()
    {
        var result = Workshop("chaos", "stop-consumer", "--at", "10:00");
        Assert.NotEqual(0, result.Exit);
        Assert.Contains("--for", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
