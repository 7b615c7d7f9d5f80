using System.Globalization;

namespace Workshop.Notebooks.Tests;

/// <summary>One short run of `workshop bench serve`, shared by the checks on its table.</summary>
public sealed class ServeBenchRun
{
    public ServeBenchRun()
    {
        // One shard takes 1,000 records a second on workshop serve: the PutRecords run spends it, so the bench meets
        // refused puts on both operations and must put them again rather than stop.
        (Exit, Stdout, Stderr) = Cli.Capture(AppContext.BaseDirectory, new Dictionary<string, string>(), "bench", "serve", "--seconds", "0.2", "--shards", "1");
        // The table's rows: cells between the box-drawing bars, the header row first.
        Rows = Stdout.Split('\n')
            .Where(line => line.TrimStart().StartsWith('│'))
            .Select(line => line.Trim().Trim('│').Split('│').Select(cell => cell.Trim()).ToArray())
            .ToList();
    }

    public int Exit { get; }
    public string Stdout { get; }
    public string Stderr { get; }
    public List<string[]> Rows { get; }

    /// <summary>Fails with what the bench printed when it did not end well or printed no table, so a failed check says why.</summary>
    public void RequireTable() =>
        Assert.True(Exit == 0 && Rows.Count > 1, $"bench serve exited {Exit} with {Rows.Count} table row(s).\nstderr:\n{Stderr}\nstdout:\n{Stdout}");
}

/// <summary>
/// `workshop bench serve` starts kinesalite, s3rver and `workshop serve` itself and prints, per operation, the
/// peer's figure, the endpoint's and their ratio, taken in the same run. Only the table's shape and content are
/// checked, never a speed.
/// </summary>
public sealed class ServeBenchCliTests(ServeBenchRun run) : IClassFixture<ServeBenchRun>
{
    [Fact]
    public void The_table_has_one_row_per_operation_with_both_endpoints_named()
    {
        run.RequireTable();
        Assert.Equal(["Operation", "Peer", "Peer, per second", "workshop serve, per second", "Ratio serve / peer", "Retried (peer / serve)"], run.Rows[0]);
        Assert.Equal(["PutRecords (500 a call)", "PutRecord", "PutObject (1 KB)", "GetObject (1 KB)"], run.Rows.Skip(1).Select(r => r[0]));
        Assert.Equal(["kinesalite", "kinesalite", "s3rver", "s3rver"], run.Rows.Skip(1).Select(r => r[1]));
        Assert.Contains("kinesalite at http://127.0.0.1:", run.Stdout);
        Assert.Contains("s3rver at http://127.0.0.1:", run.Stdout);
        Assert.Contains("workshop serve at http://127.0.0.1:", run.Stdout);
        Assert.Contains("streams of 1 shard.", run.Stdout);
    }

    [Theory]
    [InlineData("PutRecords (500 a call)", "records")]
    [InlineData("PutRecord", "records")]
    public void Kinesis_rows_give_both_figures_and_their_ratio(string operation, string unit)
    {
        AssertFiguresAndRatio(operation, unit);
        // kinesalite throttles nothing; workshop serve's count is whatever the shard refused.
        Assert.Matches(@"^0 / [0-9,]+$", Assert.Single(run.Rows, r => r[0] == operation)[5]);
    }

    [Theory]
    [InlineData("PutObject (1 KB)", "objects")]
    [InlineData("GetObject (1 KB)", "objects")]
    public void S3_rows_give_both_figures_and_their_ratio(string operation, string unit)
    {
        AssertFiguresAndRatio(operation, unit);
        Assert.True(run.Exit == 0, run.Stderr);
    }

    private void AssertFiguresAndRatio(string operation, string unit)
    {
        run.RequireTable();
        var row = Assert.Single(run.Rows, r => r[0] == operation);
        var peer = PerSecond(row[2], unit);
        var served = PerSecond(row[3], unit);
        Assert.True(peer > 0, string.Join(" | ", row));
        Assert.True(served > 0, string.Join(" | ", row));
        var ratio = double.Parse(row[4], CultureInfo.InvariantCulture);
        Assert.True(ratio > 0, string.Join(" | ", row));
        // The ratio is the two figures' own, up to their rounding to whole calls.
        Assert.InRange(ratio, served / peer * 0.95 - 0.01, served / peer * 1.05 + 0.01);
    }

    private static double PerSecond(string cell, string unit)
    {
        Assert.EndsWith($" {unit}", cell);
        return double.Parse(cell[..^(unit.Length + 1)], NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
    }
}
