namespace Workshop.Notebooks.Tests;

/// <summary>workshop warehouse query and tables, run as a learner runs them, in an 80-column terminal.</summary>
public sealed class WarehouseCliTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-warehouse-cli-").FullName;

    private (int Exit, string Stdout, string Stderr) Workshop(params string[] arguments) =>
        Cli.Capture(folder, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = Path.Combine(folder, "ws"), ["COLUMNS"] = "80" }, arguments);

    [Fact]
    public void Query_shows_rows_as_a_table_csv_or_json_and_tables_lists_the_design()
    {
        Assert.Equal(0, Workshop("warehouse", "query", "CREATE TABLE readings (city VARCHAR(20), temperature FLOAT8, payload SUPER) DISTKEY(city) SORTKEY(city)").Exit);
        var insert = Workshop("warehouse", "query", """INSERT INTO readings VALUES ('Oslo', -3.5, JSON_PARSE('{"wind":3}')), ('Paris', 4, NULL)""");
        Assert.Matches(@"^Statement [0-9a-f-]{36} · \d+ ms · 2 rows changed\n", insert.Stdout);

        var table = Workshop("warehouse", "query", "SELECT city, temperature, payload, payload.wind FROM readings ORDER BY city");
        Assert.Equal(0, table.Exit);
        var lines = table.Stdout.Split('\n');
        Assert.Equal(
        [
            "city   temperature  payload     wind",
            "-----  -----------  ----------  ----",
            "Oslo   -3.5         {\"wind\":3}  3",
            "Paris  4            NULL        NULL",
        ], lines[..4]);
        Assert.Matches(@"^Statement [0-9a-f-]{36} · \d+ ms · 2 rows$", lines[4]);

        var sqlFile = Path.Combine(folder, "cities.sql");
        File.WriteAllText(sqlFile, "SELECT city, payload FROM readings ORDER BY city;");
        Assert.Equal("city,payload\nOslo,\"{\"\"wind\"\":3}\"\nParis,\n", Workshop("warehouse", "query", "--file", sqlFile, "--format", "csv").Stdout);
        Assert.Contains("\"rows\": [\n    {\n      \"city\": \"Oslo\"\n    }", Workshop("warehouse", "query", "SELECT city FROM readings WHERE temperature < 0", "--format", "json").Stdout.Replace("\r", ""));

        var tables = Workshop("warehouse", "tables").Stdout.Split('\n');
        Assert.Equal(
        [
            "schema  table     diststyle  sortkey1  encoded          tbl_rows  size",
            "------  --------  ---------  --------  ---------------  --------  ----",
            "public  readings  KEY(city)  city      Y, AUTO(ENCODE)  2         6",
        ], tables[..3]);
    }

    [Fact]
    public void A_failed_statement_prints_Redshifts_error_on_one_line_and_exits_non_zero()
    {
        var result = Workshop("warehouse", "query", "SELECT * FROM nowhere");
        Assert.Equal((1, "ERROR: relation \"nowhere\" does not exist. 'workshop warehouse tables' lists the warehouse's tables."),
            (result.Exit, result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]));
        Assert.Equal("", result.Stdout);
        var both = Workshop("warehouse", "query", "SELECT 1", "--file", "x.sql");
        Assert.Equal((1, "Error: Give the SQL either as an argument or with --file, not both.\n"), (both.Exit, both.Stderr));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
