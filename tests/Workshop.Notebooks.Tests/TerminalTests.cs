using System.Text.RegularExpressions;

namespace Workshop.Notebooks.Tests;

/// <summary>What a learner sees in a terminal: data on stdout, errors on stderr, tables that fit, hints that lead on.</summary>
public sealed class TerminalTests : IDisposable
{
    private readonly string workspace = Directory.CreateTempSubdirectory("workshop-terminal-ws-").FullName;

    private (int Exit, string Stdout, string Stderr) Workshop(params string[] arguments) => Workshop(250, arguments);

    private (int Exit, string Stdout, string Stderr) Workshop(int columns, params string[] arguments) =>
        Cli.Capture(workspace, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = workspace, ["COLUMNS"] = columns.ToString() }, arguments);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Deploy_at_80_columns_lists_one_event_a_line_so_the_outputs_follow_within_a_screenful_or_two()
    {
        var (exit, stdout, _) = Workshop(80, "deploy");

        Assert.Equal(0, exit);
        var lines = stdout.Split('\n');
        Assert.Matches(@"^Events of \d{4}-\d\d-\d\d, times in UTC:$", lines[0]);
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^\d\d:\d\d:\d\d  CREATE_COMPLETE     WeatherStream \(AWS::Kinesis::Stream\)$"));
        // A type too long for its line goes on under the resource, never under the time.
        var firehose = Array.FindIndex(lines, l => l.Contains("CREATE_COMPLETE     WeatherDeliveryStream", StringComparison.Ordinal));
        Assert.StartsWith(new string(' ', 30) + "DeliveryStream)", lines[firehose + 1]);
        var outputs = Array.FindIndex(lines, l => l.StartsWith("Key ", StringComparison.Ordinal));
        Assert.InRange(outputs, 1, 80);
        Assert.All(lines.Take(outputs), l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
    }

    [Fact]
    public void A_failing_csv_query_on_an_empty_lake_leaves_stdout_empty_and_says_on_one_stderr_line_to_fill_the_lake_then_crawl()
    {
        Assert.Equal(0, Workshop("deploy").Exit);

        var (exit, stdout, stderr) = Workshop("query", "SELECT city FROM raw_weather_data", "--format", "csv");

        Assert.NotEqual(0, exit);
        Assert.Equal("", stdout);
        var line = Assert.Single(Lines(stderr));
        Assert.StartsWith("TABLE_NOT_FOUND: line 1:18: Table 'awsdatacatalog.weather-analytics_dev_db.raw_weather_data' does not exist", line);
        Assert.EndsWith("the lake holds none yet: run 'workshop simulate --duration 24h', then 'workshop crawl', then query again.", line.TrimEnd());

        // Crawling the empty lake makes no table, and says what to do instead of leaving the learner to loop.
        var crawl = Workshop("crawl");
        Assert.Equal(0, crawl.Exit);
        Assert.Contains("no table was made. Fill the lake first (offline: workshop simulate --duration 24h", crawl.Stdout.Replace("\n", " "));
        var again = Assert.Single(Lines(Workshop("query", "SELECT city FROM raw_weather_data").Stderr)).TrimEnd();
        Assert.EndsWith("run 'workshop simulate --duration 24h', then 'workshop crawl', then query again.", again);
    }

    [Fact]
    public void A_query_before_the_crawl_says_to_crawl_and_a_misspelled_table_after_it_says_where_the_tables_are_listed()
    {
        Assert.Equal(0, Workshop("simulate", "--duration", "10m", "--start", "2025-01-14T00:00:00Z").Exit);

        var before = Workshop("query", "SELECT city FROM raw_weather_data");
        Assert.NotEqual(0, before.Exit);
        Assert.EndsWith("The crawler makes the lake's tables and has made none yet: run 'workshop crawl' first, then query again.", Assert.Single(Lines(before.Stderr)).TrimEnd());

        Assert.Equal(0, Workshop("crawl").Exit);
        var misspelled = Workshop("query", "SELECT city FROM raw_wether_data");
        Assert.NotEqual(0, misspelled.Exit);
        var line = Assert.Single(Lines(misspelled.Stderr)).TrimEnd();
        Assert.StartsWith("TABLE_NOT_FOUND: line 1:18: Table 'awsdatacatalog.weather-analytics_dev_db.raw_wether_data' does not exist", line);
        Assert.EndsWith("does not exist. 'workshop catalog tables' lists the database's tables.", line);

        var column = Workshop("query", "SELECT cty FROM raw_weather_data");
        Assert.NotEqual(0, column.Exit);
        Assert.Equal("COLUMN_NOT_FOUND: line 1:8: Column 'cty' cannot be resolved. 'workshop catalog describe <table>' lists a table's columns.",
            Assert.Single(Lines(column.Stderr)).TrimEnd());
    }

    [Fact]
    public void A_missing_table_that_is_not_the_crawlers_gets_no_crawler_hint_once_the_catalog_has_tables()
    {
        Assert.Equal(0, Workshop("simulate", "--duration", "10m", "--start", "2025-01-14T00:00:00Z").Exit);
        Assert.Equal(0, Workshop("crawl").Exit);

        var (exit, stdout, stderr) = Workshop("query", "SELECT * FROM weather_summary", "--format", "csv");

        Assert.NotEqual(0, exit);
        Assert.Equal("", stdout);
        var line = Assert.Single(Lines(stderr));
        Assert.StartsWith("TABLE_NOT_FOUND: ", line);
        Assert.DoesNotContain("crawl", line);
    }

    [Fact]
    public void Deploying_after_destroy_names_the_kept_lake_bucket_and_a_way_out_that_works_instead_of_destroying_again()
    {
        Assert.Equal(0, Workshop("deploy").Exit);
        var destroy = Workshop("destroy", "--empty-buckets");
        Assert.Equal(0, destroy.Exit);
        Assert.Contains("Kept: DataLakeBucket (weather-analytics-data-lake-dev-123456789012) and its objects. A new deployment cannot create it while it exists: " +
            "locally, 'workshop reset' starts afresh; on AWS, delete it when you no longer need it.", destroy.Stdout.Replace("\n", " "));

        var again = Workshop("deploy");
        Assert.Equal(1, again.Exit);
        var line = Assert.Single(Lines(again.Stderr)).TrimEnd();
        Assert.StartsWith("Stack stream ended ROLLBACK_COMPLETE: DataLakeBucket: Your previous request to create the named bucket succeeded and you already own it", line);
        Assert.EndsWith("Locally, start afresh with 'workshop reset' (it deletes the workspace, the lake with it), then deploy; " +
            "on AWS, delete this failed stack and empty and delete the bucket ('aws s3 rb s3://weather-analytics-data-lake-dev-123456789012 --force') first.", line);
        Assert.DoesNotContain("workshop destroy", line);
        // Every later verb gives the same way out, and the way out works.
        Assert.Contains("'workshop reset'", Assert.Single(Lines(Workshop("lake", "ls").Stderr)));
        Assert.Equal(0, Workshop("reset").Exit);
        // The test's workspace is also the command's working folder, which reset took with it.
        Directory.CreateDirectory(workspace);
        Assert.Equal(0, Workshop("deploy").Exit);
    }

    [Fact]
    public void A_folder_with_other_files_is_refused_as_a_workspace_and_left_as_it_was()
    {
        var project = Directory.CreateTempSubdirectory("workshop-not-a-workspace-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(project, "notes.txt"), "mine");

            var (exit, stdout, stderr) = Workshop("--workspace", project, "lake", "ls");

            Assert.NotEqual(0, exit);
            Assert.Equal("", stdout);
            Assert.Equal($"Error: The folder '{project}' holds other files and is not a workshop workspace (it has no WORKSPACE file), so the kit left it alone. " +
                "Give a new or empty folder, or one the kit made.", Assert.Single(Lines(stderr)).TrimEnd());
            Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(project).Select(Path.GetFileName));

            // What a file manager leaves in a folder it showed does not make the folder anyone's: it becomes a workspace.
            File.Delete(Path.Combine(project, "notes.txt"));
            File.WriteAllText(Path.Combine(project, ".DS_Store"), "");
            Assert.Equal(0, Workshop("--workspace", project, "lake", "ls").Exit);
            Assert.True(File.Exists(Path.Combine(project, "WORKSPACE")));
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }

    [Fact]
    public void The_first_verb_on_an_empty_workspace_says_it_deploys_the_stack_and_an_empty_stream_names_TRIM_HORIZON()
    {
        var first = Workshop("stream", "peek");
        var second = Workshop("stream", "peek");

        Assert.Equal(0, first.Exit);
        Assert.Equal("No stack deployed in this workspace: deploying the workshop template as stack 'stream' ...", Lines(first.Stderr).Single().TrimEnd());
        Assert.Contains("No records on shardId-000000000000 from TRIM_HORIZON", first.Stdout);
        Assert.Contains("Run the producer (offline: workshop simulate --duration 1h, or a notebook's await workshop.SimulateAsync(TimeSpan.FromHours(1)))",
            string.Join(' ', first.Stdout.Split('\n', StringSplitOptions.TrimEntries)));
        Assert.DoesNotContain("LATEST", first.Stdout);
        Assert.Equal("", second.Stderr);
    }

    [Fact]
    public void Stack_outputs_fit_80_columns_with_every_key_and_whole_value_readable()
    {
        Assert.Equal(0, Workshop("deploy").Exit);

        var (exit, stdout, _) = Workshop(80, "stack", "outputs");

        Assert.Equal(0, exit);
        var lines = stdout.Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} characters: {l}"));
        // Too many long values for four columns in 80: each output is a block of Key, Value, Description and Locally.
        var values = BlockValues(lines);
        string[] keys =
        [
            "DataLakeBucketURL", "DataLakeBucketName", "AthenaResultsBucketURL", "AthenaResultsBucketName", "LambdaFunctionURL",
            "ProducerFunctionName", "ProducerFunctionArn", "ScheduleRuleName", "KinesisStreamURL", "KinesisStreamName", "KinesisStreamArn",
            "KinesisFirehoseURL", "DeliveryStreamName", "DeliveryStreamArn", "GlueDatabaseURL", "GlueDatabaseName", "GlueRoleName",
            "RedshiftClusterURL", "WarehouseClusterIdentifier", "WarehouseDatabase", "WarehouseUser", "WarehouseRoleArn", "WarehouseEndpoint",
            "WarehouseConnectionString", "ScriptsBucketName", "BatchJobName", "StreamingJobName", "JobRoleArn",
            "StateMachineArn", "StateMachineName", "DailyScheduleRuleName",
        ];
        Assert.Equal(keys.Order(), values.Keys.Order());
        Assert.Equal("weather-analytics-data-lake-dev-123456789012", values["DataLakeBucketName"]);
        Assert.Equal("https://s3.console.aws.amazon.com/s3/buckets/weather-analytics-data-lake-dev-123456789012?region=us-east-1", values["DataLakeBucketURL"]);
        Assert.Equal("arn:aws:kinesis:us-east-1:123456789012:stream/weather-analytics-stream-dev", values["KinesisStreamArn"]);
        // The local cluster is its database file in the workspace.
        var clusterFile = Path.Combine(workspace, "warehouse", "weather-analytics-warehouse-dev.duckdb");
        Assert.Equal($"{clusterFile}:5439", values["WarehouseEndpoint"]);
        Assert.Equal($"DataSource={clusterFile};ACCESS_MODE=READ_ONLY", values["WarehouseConnectionString"]);
        Assert.Equal("arn:aws:iam::123456789012:role/weather-analytics-warehouse-role-dev", values["WarehouseRoleArn"]);
        Assert.Equal(("weather-analytics-warehouse-dev", "weather", "workshopadmin"), (values["WarehouseClusterIdentifier"], values["WarehouseDatabase"], values["WarehouseUser"]));
    }

    /// <summary>Each block's key and value, the value's wrapped lines joined again (the values hold no spaces).</summary>
    private static Dictionary<string, string> BlockValues(string[] lines)
    {
        Assert.StartsWith("Key ", lines[0]);
        var valueStart = lines[0].Length - lines[0][3..].TrimStart().Length;
        var values = new Dictionary<string, string>();
        string? key = null, field = null;
        foreach (var line in lines.Where(l => l.Length > 0))
        {
            var label = line[..Math.Min(valueStart, line.Length)].Trim();
            var content = line.Length > valueStart ? line[valueStart..].Trim() : "";
            if (label.Length > 0) field = label;
            if (label == "Key") values[key = content] = "";
            else if (field == "Value") values[key!] += content;
        }
        return values;
    }

    [Fact]
    public void A_query_too_wide_for_80_columns_shows_each_row_as_a_block_and_a_narrow_one_stays_a_table()
    {
        Assert.Equal(0, Workshop("simulate", "--duration", "10m", "--start", "2025-01-14T00:00:00Z").Exit);
        Assert.Equal(0, Workshop("crawl").Exit);

        var (exit, stdout, _) = Workshop(80, "query", "SELECT * FROM raw_weather_data WHERE city = 'London' ORDER BY collection_time LIMIT 2");

        Assert.Equal(0, exit);
        var lines = stdout.Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} characters: {l}"));
        Assert.Equal("city              London", lines[0]);
        Assert.Equal("collection_time   2025-01-14T00:00:00.000Z", lines[3]);
        Assert.Contains("collection_time   2025-01-14T00:01:00.000Z", lines);
        Assert.DoesNotContain("…", stdout);
        // The footer breaks between its facts, never inside one.
        Assert.Contains(lines, l => l.StartsWith("Run time: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"(^| · )Athena scan charge: \$0\.\d+( · |$)"));
        // The S3 GETs' line is a sentence, wrapped at its spaces within the 80 columns.
        Assert.Contains(lines, l => l.StartsWith("S3 GETs, estimated at S3 Standard's", StringComparison.Ordinal));

        var (narrowExit, narrow, _) = Workshop(80, "query", "SELECT city, COUNT(*) AS readings FROM raw_weather_data GROUP BY city ORDER BY city");
        Assert.Equal(0, narrowExit);
        Assert.Contains("│ London     │ 10       │", narrow);
    }

    [Fact]
    public void The_crawl_summary_starts_with_the_crawlers_name()
    {
        Assert.Equal(0, Workshop("deploy").Exit);

        var (exit, stdout, _) = Workshop("crawl");

        Assert.Equal(0, exit);
        var lines = Lines(stdout);
        Assert.Matches(@"^Property\s+Value$", lines[0]);
        Assert.Matches(@"^Crawler\s+weather-data-crawler$", lines[2]);
    }

    [Fact]
    public void At_80_columns_prose_keeps_a_number_with_its_unit()
    {
        Assert.Equal(0, Workshop("simulate", "--duration", "1m", "--start", "2025-01-14T00:00:00Z").Exit);

        var (exit, stdout, _) = Workshop(80, "stream", "describe");

        Assert.Equal(0, exit);
        // The note on the shards' limits names 1 MiB/s once and 2 MiB/s twice; none is parted from its number.
        Assert.Equal(3, Regex.Matches(stdout, @"\d MiB/s").Count);
        Assert.All(Lines(stdout), line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
    }

    [Fact]
    public void At_80_columns_the_lake_trees_count_and_size_go_under_its_uri_rather_than_break_a_number()
    {
        Assert.Equal(0, Workshop("simulate", "--duration", "10m", "--start", "2025-01-14T00:00:00Z").Exit);

        var lines = Workshop(80, "lake", "ls", "weather-data/").Stdout.Split('\n');

        Assert.Equal("s3://weather-analytics-data-lake-dev-123456789012/weather-data/", lines[0]);
        Assert.Equal("  (15 objects, 2.7 KiB)", lines[1]);
        Assert.StartsWith("├── location=Edinburgh/", lines[2]);
    }

    [Fact]
    public void A_key_that_lake_ls_prints_works_verbatim_with_lake_cat()
    {
        Assert.Equal(0, Workshop("simulate", "--duration", "10m", "--start", "2025-01-14T00:00:00Z").Exit);

        var tree = Workshop("lake", "ls");
        var keys = Workshop("lake", "ls", "--keys", "weather-data/location=London/");
        // Ten minutes make more objects per folder than the tree lists: stderr says how to see every key.
        Assert.Equal("Each folder lists its first 3 objects; 'workshop lake ls --keys' prints every key.", Assert.Single(Lines(tree.Stderr)).TrimEnd());
        Assert.Equal("", keys.Stderr);

        // An object's line: its time, size and storage class, then its key, as `aws s3 ls` prints them.
        var fromTree = Regex.Match(tree.Stdout, @"── \d{4}-\d\d-\d\d \d\d:\d\d:\d\d  +\d+ B  STANDARD  (?<key>\S+\.gz)\r?$", RegexOptions.Multiline).Groups["key"].Value;
        Assert.StartsWith("weather-data/location=", fromTree);
        var fromKeys = Lines(keys.Stdout)[0];
        Assert.StartsWith("weather-data/location=London/", fromKeys);
        foreach (var key in new[] { fromTree, fromKeys })
        {
            var (exit, stdout, stderr) = Workshop("lake", "cat", key);
            Assert.True(exit == 0, stderr);
            Assert.Contains("\"temperature\"", stdout);
        }

        // The tree's first line names the listing as an s3:// URI; given back, it lists the same tree, and a key under
        // it reads the same object.
        var uri = Regex.Match(tree.Stdout, @"^(?<uri>s3://[^/\s]+/)\S*\s", RegexOptions.Multiline).Groups["uri"].Value;
        Assert.StartsWith("s3://weather-analytics-data-lake-", uri);
        var again = Workshop("lake", "ls", uri);
        Assert.True(again.Exit == 0, again.Stderr);
        Assert.Equal(tree.Stdout, again.Stdout);
        var byUri = Workshop("lake", "cat", uri + fromKeys);
        Assert.True(byUri.Exit == 0, byUri.Stderr);
        Assert.Equal(Workshop("lake", "cat", fromKeys).Stdout, byUri.Stdout);
        var clash = Workshop("lake", "cat", uri + fromKeys, "--bucket", "another-bucket");
        Assert.NotEqual(0, clash.Exit);
        Assert.Equal($"Error: '{uri + fromKeys}' is in bucket '{uri[5..^1]}', but the bucket given is 'another-bucket'; give one of them.",
            Assert.Single(Lines(clash.Stderr)));
    }

    [Fact]
    public void Lake_cat_of_a_parquet_file_prints_no_binary_and_names_the_table_to_query_instead()
    {
        Assert.Equal(0, Workshop("simulate", "--duration", "10m", "--start", "2025-01-14T00:00:00Z").Exit);
        Assert.Equal(0, Workshop("crawl").Exit);
        var made = Workshop("query", "CREATE TABLE city_temps WITH (format = 'PARQUET', "
            + "external_location = 's3://weather-analytics-data-lake-dev-123456789012/city-temps/') AS SELECT city, temperature FROM raw_weather_data");
        Assert.True(made.Exit == 0, made.Stderr);
        var key = Lines(Workshop("lake", "ls", "--keys", "city-temps/").Stdout)[0];

        var (exit, stdout, stderr) = Workshop("lake", "cat", key);

        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Equal($"Error: '{key}' is a Parquet file: columns in binary, not lines of text. Query it through its table instead, "
            + "for example: workshop query \"SELECT * FROM city_temps LIMIT 10\"", Assert.Single(Lines(stderr)).TrimEnd());
    }

    [Theory]
    [InlineData(new[] { "qurey" }, "'qurey' is not a workshop command. Did you mean 'query'? Run 'workshop --help' for the list.")]
    [InlineData(new[] { "stack", "outptus" }, "'outptus' is not a 'workshop stack' command. Did you mean 'outputs'? Run 'workshop stack --help' for the list.")]
    [InlineData(new[] { "stream", "peak", "--limit", "3" }, "'peak' is not a 'workshop stream' command. Did you mean 'peek'? Run 'workshop stream --help' for the list.")]
    [InlineData(new[] { "chaos", "duplicat-put", "--count", "5" }, "'duplicat-put' is not a 'workshop chaos' command. Did you mean 'duplicate-put'? Run 'workshop chaos --help' for the list.")]
    [InlineData(new[] { "query", "SELECT", "city", "FROM", "raw_weather_data" }, "'workshop query' takes the SQL as one argument, but 'city' came after it: put the whole statement in quotes, for example workshop query \"SELECT 1 AS one\".")]
    [InlineData(new[] { "warehouse", "query", "SELECT", "1" }, "'workshop warehouse query' takes the SQL as one argument, but '1' came after it: put the whole statement in quotes, for example workshop warehouse query \"SELECT 1 AS one\".")]
    [InlineData(new[] { "metrics", "get", "AWS/Kinesis", "IncomingRecords", "--statistic", "Max" }, "--statistic: 'Max' is not one of 'SampleCount', 'Sum', "
        + "'Average', 'Minimum', 'Maximum'. Did you mean 'Maximum'? Run 'workshop metrics get --help' to see what 'workshop metrics get' takes.")]
    [InlineData(new[] { "--workspace" }, "'--workspace' needs a value after it. Run 'workshop --help' to see what it takes.")]
    [InlineData(new[] { "stream", "peek", "--limit" }, "'--limit' needs a value after it. Run 'workshop stream peek --help' to see what it takes.")]
    [InlineData(new[] { "run", "--cell-timeout", "--help" }, "'--cell-timeout' needs a value before '--help'. Run 'workshop run --help' to see its options.")]
    [InlineData(new[] { "run", "--cell-timeout", "--hepl" }, "'--hepl' is not an option of 'workshop run'. Did you mean '--help'? Run 'workshop run --help' to see its options.")]
    public void A_mistyped_command_or_an_option_missing_its_value_is_told_on_one_line(string[] arguments, string expected)
    {
        var (exit, stdout, stderr) = Workshop(arguments);

        Assert.NotEqual(0, exit);
        Assert.Equal("", stdout);
        Assert.Equal(expected, Assert.Single(Lines(stderr)).TrimEnd());
    }

    [Theory]
    [InlineData("lake", "--help")]
    [InlineData("serve", "--help")]
    [InlineData("--help")]
    public void Help_wraps_its_descriptions_at_the_terminals_width(params string[] arguments)
    {
        var (exit, stdout, _) = Workshop(80, arguments);

        Assert.Equal(0, exit);
        Assert.Contains("Options:", stdout);
        Assert.All(Lines(stdout), line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
    }

    [Fact]
    public void At_80_columns_the_run_summary_leaves_out_the_pages_rather_than_break_a_name()
    {
        var folder = Directory.CreateDirectory(Path.Combine(workspace, "notes")).FullName;
        const string name = "03-task3-lake-exploration-and-more.dib";
        File.WriteAllText(Path.Combine(folder, name), "#!csharp\n\n1 + 1\n");

        var (narrowExit, narrow, _) = Workshop(80, "run", Path.Combine(folder, name), "--out", Path.Combine(folder, "out"));
        var (wideExit, wide, _) = Workshop(200, "run", Path.Combine(folder, name), "--out", Path.Combine(folder, "out"));

        Assert.Equal(0, narrowExit);
        Assert.Matches(@"│ 03-task3-lake-exploration-and-more\.dib\s*│ 1 of 1\s*│ [0-9.]+ s\s*│ 0\s*│\n", narrow);
        Assert.DoesNotContain("Pages", narrow);
        Assert.All(Lines(narrow).Where(line => line.Length > 0 && "┌│├└".Contains(line[0])), line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
        Assert.Equal(0, wideExit);
        Assert.Matches(@"│ 03-task3-lake-exploration-and-more\.dib\s*│ 1 of 1\s*│ [0-9.]+ s\s*│ 0\s*│ \S*03-task3-lake-exploration-and-more\.html\s*│", wide);
    }

    [Fact]
    public void The_run_summary_counts_code_cells_and_prints_no_benchmark_figure()
    {
        var folder = Directory.CreateDirectory(Path.Combine(workspace, "notes")).FullName;
        File.WriteAllText(Path.Combine(folder, "two-cells.dib"),
            "#!markdown\n\n# Two code cells\n\n#!csharp\n\nvar x = 1;\n\n#!markdown\n\nBetween.\n\n#!csharp\n\nx + 1\n");

        var (exit, stdout, _) = Workshop("run", Path.Combine(folder, "two-cells.dib"), "--out", Path.Combine(folder, "out"));

        Assert.Equal(0, exit);
        Assert.Contains("Code cells run", stdout);
        Assert.Matches(@"two-cells\.dib\s*│\s*2 of 2\s*│", stdout);
        Assert.DoesNotContain("first-cell-ms", stdout);
    }

    /// <summary>
    /// In a real terminal 80 columns wide (tmux, with no COLUMNS set), the error line is broken at its spaces by the kit,
    /// not cut at the edge by the terminal; into a pipe it stays one line (the other tests here).
    /// </summary>
    [Fact]
    public void In_a_terminal_of_80_columns_an_error_line_breaks_between_words()
    {
        var socket = $"workshop-tests-{Environment.ProcessId}";
        var session = "error-line";
        string Tmux(params string[] arguments)
        {
            var info = new System.Diagnostics.ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in (string[])["-L", socket, .. arguments]) info.ArgumentList.Add(argument);
            var (exit, stdout, stderr) = Cli.RunToEnd(info);
            Assert.True(exit == 0, $"tmux {string.Join(' ', arguments)}: {stderr}");
            return stdout;
        }
        // The shell signals when the command has ended, then holds the pane open so its screen can be read.
        var command = $"env -u COLUMNS dotnet '{Path.Combine(AppContext.BaseDirectory, "workshop.dll")}' --workspace '{workspace}' simulate --start yesterday; " +
                      $"tmux -L {socket} wait-for -S ended; sleep 120";
        Tmux("new-session", "-d", "-x", "80", "-y", "24", "-s", session, command);
        try
        {
            var waited = Cli.RunToEnd(new System.Diagnostics.ProcessStartInfo("timeout", ["60", "tmux", "-L", socket, "wait-for", "ended"]) { RedirectStandardOutput = true, RedirectStandardError = true });
            Assert.True(waited.Exit == 0, $"the command did not end within 60 s: {waited.Stderr}");
            var screen = Tmux("capture-pane", "-p", "-t", session).Split('\n').Select(line => line.TrimEnd()).Where(line => line.Length > 0).ToList();

            Assert.Equal(
            [
                "Error: --start: 'yesterday' is not a date and time; write it in ISO 8601, for",
                "example 2025-01-14T00:00:00Z.",
            ], screen);
        }
        finally
        {
            Tmux("kill-server");
        }
    }

    [Fact]
    public void A_command_after_destroy_does_not_deploy_the_stack_again_and_says_how_to_on_its_one_error_line()
    {
        Assert.Equal(0, Workshop("deploy").Exit);
        Assert.Equal(0, Workshop("destroy", "--empty-buckets").Exit);

        // The lake bucket outlives the stack, so a deployment now would fail on it: a command that only reads says so instead.
        var (exit, stdout, stderr) = Workshop("lake", "ls");

        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        var error = Assert.Single(Lines(stderr), line => line.StartsWith("Error:", StringComparison.Ordinal));
        Assert.Matches(@"^Error: The stack 'stream' was deleted at \d{4}-\d\d-\d\d \d\d:\d\d UTC \(workshop destroy\), so it is not deployed again by itself: " +
            @"deploy it with 'workshop deploy', after 'workshop reset' where the lake bucket it kept is still there, since a new stack cannot create a bucket that exists; " +
            @"or name the bucket \(--bucket NAME\)\.$", error);
        var query = Workshop("query", "SELECT 1");
        Assert.Equal(1, query.Exit);
        Assert.EndsWith("; or name the database (--database NAME).", Assert.Single(Lines(query.Stderr), line => line.StartsWith("Error: The stack 'stream' was deleted at", StringComparison.Ordinal)));
        // Nothing was deployed on the way: there is still no stack, so no rolled-back one to clear up.
        var outputs = Workshop("stack", "outputs");
        Assert.NotEqual(0, outputs.Exit);
        Assert.DoesNotContain("ROLLBACK", outputs.Stdout + outputs.Stderr);

        // Deployed by hand, it rolls back on the kept bucket; its outputs and resources then say why, not empty tables.
        Assert.Equal(1, Workshop("deploy").Exit);
        foreach (var verb in new[] { "outputs", "resources" })
        {
            var failed = Workshop("stack", verb);
            Assert.Equal(1, failed.Exit);
            var line = Assert.Single(Lines(failed.Stderr));
            Assert.StartsWith("Stack stream is ROLLBACK_COMPLETE: DataLakeBucket: ", line);
            Assert.EndsWith("first.", line);
            Assert.Contains("start afresh with 'workshop reset'", line);
        }
    }

    [Fact]
    public void Reset_of_a_workspace_that_is_not_there_says_nothing_was_removed_and_makes_no_folder()
    {
        var missing = Path.Combine(workspace, "no-such-workspace");

        var (exit, stdout, stderr) = Workshop("--workspace", missing, "reset");

        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Equal($"There is no workspace at {missing}; nothing was removed.", Assert.Single(Lines(stdout)).TrimEnd());
        Assert.False(Directory.Exists(missing));
    }

    [Theory]
    [InlineData("TRIM_HORIZON")]
    [InlineData("trim-horizon")]
    public void Stream_peek_takes_the_iterator_type_as_kinesis_writes_it_too(string from)
    {
        Assert.Equal(0, Workshop("stream", "put", "--data", "hello", "--partition-key", "k").Exit);

        var (exit, stdout, stderr) = Workshop("stream", "peek", "--from", from, "--limit", "1");

        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Contains("hello", stdout);
    }

    [Fact]
    public void A_starting_position_peek_does_not_know_is_named_on_one_line_with_the_five_it_takes()
    {
        var (exit, stdout, stderr) = Workshop("stream", "peek", "--from", "trim");

        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.StartsWith("--from: 'trim' is not a starting position; give one of trim-horizon, latest, at-timestamp, at-sequence-number, after-sequence-number.",
            Assert.Single(Lines(stderr)));
    }

    [Theory]
    [InlineData("alarms", "put")]
    [InlineData("metrics", "get")]
    [InlineData("stream", "peek")]
    [InlineData("stream", "subscribe")]
    public void Help_at_80_columns_keeps_every_option_name_and_value_whole(string verb, string subverb)
    {
        var (exit, stdout, _) = Workshop(80, verb, subverb, "--help");

        Assert.Equal(0, exit);
        // A value list too long for the name column was broken mid-word there (<Average|...|S, then um>).
        Assert.All(Lines(stdout), line => Assert.True(line.IndexOf('<') < 0 || line.IndexOf('>', line.IndexOf('<')) > 0, $"broken: {line}"));
        Assert.All(Lines(stdout), line => Assert.DoesNotMatch(@"^\s+[A-Za-z-]*[a-z]>", line));
        var words = string.Join(' ', Lines(stdout)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var values = verb == "stream"
            ? new[] { "trim-horizon,", "latest,", "at-timestamp,", "at-sequence-number", "after-sequence-number;" }
            : verb == "metrics" ? new[] { "SampleCount,", "Sum,", "Average,", "Minimum", "Maximum." }
            : new[] { "GreaterThanOrEqualToThreshold,", "LessThanOrEqualToThreshold.", "notBreaching,", "AWS/Lambda." };
        foreach (var value in values) Assert.Contains(value, words);
    }

    [Fact]
    public void A_misspelt_column_in_alter_column_lists_the_table_s_columns_and_does_not_send_the_learner_to_the_list_of_tables()
    {
        Assert.Equal(0, Workshop("simulate", "--duration", "1h").Exit);
        Assert.Equal(0, Workshop("crawl").Exit);

        var (exit, _, stderr) = Workshop("catalog", "alter-column", "raw_weather_data", "measurement_tim", "timestamp");

        Assert.Equal(1, exit);
        var line = Assert.Single(Lines(stderr)).TrimEnd();
        Assert.Equal("EntityNotFoundException: Column measurement_tim not found in table raw_weather_data. Its columns are: "
            + "city, temperature, measurement_time, collection_time, source, wind_speed, weather_code.", line);
    }

    [Fact]
    public void Destroy_of_a_stack_that_is_not_there_names_the_stacks_there_are_instead_of_saying_to_deploy_it()
    {
        Assert.Equal(0, Workshop("deploy").Exit);

        var (exit, stdout, stderr) = Workshop("destroy", "--stack-name", "weather-analytics");

        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Equal("ValidationError: Stack with id weather-analytics does not exist, so there is nothing to delete. "
            + "The stacks deployed here: stream; give one with --stack-name.", Assert.Single(Lines(stderr)).TrimEnd());

        Assert.Equal(0, Workshop("destroy", "--empty-buckets").Exit);
        Assert.EndsWith("nothing to delete. No stack is deployed in this workspace.", Assert.Single(Lines(Workshop("destroy").Stderr)).TrimEnd());
    }

    [Fact]
    public void A_second_capacity_change_while_the_stream_is_updating_says_how_the_command_line_moves_the_clock()
    {
        Assert.Equal(0, Workshop("stream", "mode", "on-demand").Exit);

        var (exit, _, stderr) = Workshop("stream", "mode", "provisioned");

        Assert.Equal(1, exit);
        var line = Assert.Single(Lines(stderr)).TrimEnd();
        Assert.StartsWith("ResourceInUseException: Stream weather-analytics-stream-dev under account 123456789012 not ACTIVE, instead in state UPDATING until ", line);
        Assert.EndsWith("then try again. On the command line, 'workshop simulate --duration 1m' moves the clock past it.", line);
        Assert.DoesNotContain("reshard", line);
    }

    public void Dispose() => Directory.Delete(workspace, recursive: true);
}
