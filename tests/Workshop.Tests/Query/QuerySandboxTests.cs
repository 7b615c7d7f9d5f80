using DuckDB.NET.Data;
using StreamingWorkshop.Query;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Query;

/// <summary>
/// The query engine reaches the lake's tables and nothing else: files, URLs, extensions, settings and other
/// databases are refused with Athena's errors, whether named plainly, quoted, qualified or as a path.
/// </summary>
public sealed class QuerySandboxTests(SandboxFixture day) : IClassFixture<SandboxFixture>
{
    public static TheoryData<string, string> Escapes => new()
    {
        { "SELECT * FROM \"read_csv\"('{canary}/secret.csv')", "FUNCTION_NOT_FOUND" },
        { "SELECT * FROM \"main\".\"read_csv\"('{canary}/secret.csv')", "FUNCTION_NOT_FOUND" },
        { "SELECT main.read_text('{canary}/secret.csv')", "FUNCTION_NOT_FOUND" },
        { "SELECT * FROM main.read_text('{canary}/secret.csv')", "FUNCTION_NOT_FOUND" },
        { "SELECT * FROM '{canary}/secret.csv'", "SYNTAX_ERROR" },
        { "SELECT * FROM raw_weather_data JOIN '{canary}/secret.csv' ON true", "SYNTAX_ERROR" },
        { "SELECT * FROM \"glob\"('{canary}/*')", "FUNCTION_NOT_FOUND" },
        { "SELECT * FROM glob('{canary}/*')", "FUNCTION_NOT_FOUND" },
        { "SELECT * FROM read_parquet('{canary}/secret.parquet')", "FUNCTION_NOT_FOUND" },
        { "SELECT * FROM read_json_auto('{canary}/secret.json')", "FUNCTION_NOT_FOUND" },
        { "SELECT * FROM read_csv('https://example.com/data.csv')", "FUNCTION_NOT_FOUND" },
        { "SELECT getenv('HOME')", "FUNCTION_NOT_FOUND" },
        { "SELECT \"getenv\"('HOME')", "FUNCTION_NOT_FOUND" },
        { "SELECT current_setting('enable_external_access')", "FUNCTION_NOT_FOUND" },
        { "COPY (SELECT 1) TO '{canary}/out.csv'", "SYNTAX_ERROR" },
        { "ATTACH '{canary}/other.duckdb' AS other", "SYNTAX_ERROR" },
        { "EXPORT DATABASE '{canary}/export'", "SYNTAX_ERROR" },
        { "IMPORT DATABASE '{canary}'", "SYNTAX_ERROR" },
        { "INSTALL httpfs", "SYNTAX_ERROR" },
        { "LOAD httpfs", "SYNTAX_ERROR" },
        { "SET enable_external_access = true", "SYNTAX_ERROR" },
        { "PRAGMA enable_profiling", "SYNTAX_ERROR" },
        { "CALL enable_logging('FileSystem')", "SYNTAX_ERROR" },
        // A string later in a FROM list is refused like one right after FROM.
        { "SELECT * FROM raw_weather_data, '{canary}/secret.csv' LIMIT 5", "SYNTAX_ERROR" },
        // A quoted name that looks like a file is a table name to the translator: only the engine's own sandbox stands in the way.
        { "SELECT * FROM raw_weather_data, \"{canary}/secret.csv\" LIMIT 5", "ACCESS_DENIED" },
        { "SELECT 1 AS one; SELECT * FROM read_csv('{canary}/secret.csv')", "SYNTAX_ERROR" },
        { "SELECT 1 AS one; COPY (SELECT 1) TO '{canary}/out.csv'", "SYNTAX_ERROR" },
        { "SELECT 1 AS one;\n-- then\nATTACH '{canary}/other.duckdb' AS other;", "SYNTAX_ERROR" },
        // The engine's own catalog: its settings name the workspace's folders, its views list its functions and databases.
        { "SELECT name, setting FROM pg_catalog.pg_settings", "SCHEMA_NOT_FOUND" },
        { "SELECT name, setting FROM pg_settings", "TABLE_NOT_FOUND" },
        { "SELECT * FROM raw_weather_data r, \"PG_CATALOG\" . \"pg_proc\" LIMIT 1", "SCHEMA_NOT_FOUND" },
        { "SELECT * FROM raw_weather_data r JOIN sqlite_master m ON true", "TABLE_NOT_FOUND" },
        { "SELECT (SELECT count(*) FROM duckdb_tables) AS n", "TABLE_NOT_FOUND" },
        { "SELECT * FROM pragma_database_list", "TABLE_NOT_FOUND" },
        { "SELECT * FROM duckdb_logs", "TABLE_NOT_FOUND" },
        { "SELECT * FROM system.main.duckdb_settings", "SCHEMA_NOT_FOUND" },
        { "SELECT * FROM memory.main.readings", "SCHEMA_NOT_FOUND" },
        { "SELECT * FROM information_schema.roles", "TABLE_NOT_FOUND" },
        { "SELECT * FROM system.information_schema.tables", "SCHEMA_NOT_FOUND" },
    };

    /// <summary>Every view DuckDB keeps of itself, by the name a query can give without its schema, is refused by name.</summary>
    [Fact]
    public async Task Every_view_of_the_engine_itself_is_refused()
    {
        using var plain = new DuckDBConnection("DataSource=:memory:");
        plain.Open();
        using var command = plain.CreateCommand();
        command.CommandText = "SELECT DISTINCT view_name FROM duckdb_views() WHERE internal AND schema_name <> 'information_schema' ORDER BY 1";
        var views = new List<string>();
        using (var reader = command.ExecuteReader()) while (reader.Read()) views.Add(reader.GetString(0));
        Assert.Contains("pg_settings", views);
        foreach (var view in views)
        {
            var error = await Assert.ThrowsAsync<AthenaQueryException>(() => day.Session.QueryAsync($"SELECT * FROM {view}"));
            Assert.Equal($"TABLE_NOT_FOUND: line 1:15: Table '{view}' does not exist", error.Message);
        }
    }

    [Fact]
    public void The_engine_may_reach_only_its_own_folders_and_spills_inside_the_workspace()
    {
        var allowed = Path.Combine(day.Parent, "workspace", "lake");
        var spill = Path.Combine(day.Parent, "workspace", "query", "spill");
        using var engine = LocalAthena.OpenSandboxedEngine([allowed], spill, []);
        using var command = engine.CreateCommand();
        command.CommandText = "SELECT current_setting('allowed_directories')::VARCHAR, current_setting('temp_directory')";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        // DuckDB allows its spill folder besides those it is given; by default that is .tmp/ in the process's folder.
        Assert.Equal($"[{allowed}/, {spill}/]", reader.GetString(0));
        Assert.Equal(spill, reader.GetString(1));
    }

    [Theory]
    [MemberData(nameof(Escapes))]
    public async Task An_attempt_to_leave_the_catalog_fails_with_an_Athena_error_and_touches_nothing(string template, string errorType)
    {
        var sql = template.Replace("{canary}", day.Canary);

        var error = await Assert.ThrowsAsync<AthenaQueryException>(() => day.Session.QueryAsync(sql));

        Assert.Equal(errorType, error.ErrorType);
        Assert.StartsWith($"{errorType}: line ", error.Message);
        Assert.DoesNotContain(SandboxFixture.Secret, error.Message);
        Assert.Equal(SandboxFixture.CanaryOnly, day.EntriesOutsideWorkspace());
    }

    [Fact]
    public async Task Several_statements_are_refused_as_one_query_and_none_of_them_runs()
    {
        var error = await Assert.ThrowsAsync<AthenaQueryException>(() => day.Session.QueryAsync("CREATE VIEW first_only AS SELECT 1 AS a; SELECT 2 AS b"));

        Assert.Equal("SYNTAX_ERROR: line 1:42: Only one sql statement is allowed. Got a second statement after the ';'; run each statement as its own query.", error.Message);
        Assert.False(day.Session.Local!.Catalog.TableExists(day.Session.Names.Database, "first_only"));
    }

    [Fact]
    public async Task A_single_trailing_semicolon_is_fine()
    {
        var result = await day.Session.QueryAsync("SELECT 41 + 1 AS answer;");

        Assert.Equal(42, Convert.ToInt32(result[0, "answer"]));
    }

    [Fact]
    public async Task The_engine_still_reports_the_objects_a_query_scans()
    {
        var lake = LakeFiles.BucketFolder(day.Workspace, day.Session.Names.LakeBucket);
        var objects = Directory.GetFiles(Path.Combine(lake, "weather-data"), "*", SearchOption.AllDirectories);

        var result = await day.Session.QueryAsync("SELECT COUNT(*) AS n FROM raw_weather_data");

        Assert.Equal(objects.Length, result.Statistics.FilesScanned);
        Assert.Equal(objects.Sum(f => new FileInfo(f).Length), result.Statistics.DataScannedInBytes);
        Assert.Equal((long)LakeFiles.Lines(day.Workspace, day.Session.Names.LakeBucket, "weather-data/").Count(), Convert.ToInt64(result[0, "n"]));
    }

    [Fact]
    public void The_engine_itself_refuses_files_outside_its_folders_and_any_change_of_settings()
    {
        var allowed = Path.Combine(day.Parent, "workspace", "lake");
        var inside = Path.Combine(allowed, "inside.csv");
        File.WriteAllText(inside, "a\nvisible\n");
        try
        {
            using var engine = LocalAthena.OpenSandboxedEngine([allowed], Path.Combine(day.Parent, "workspace", "query", "spill"), []);
            string? Scalar(string sql)
            {
                using var command = engine.CreateCommand();
                command.CommandText = sql;
                return command.ExecuteScalar()?.ToString();
            }

            Assert.Equal("visible", Scalar($"SELECT a FROM read_csv('{inside}')"));
            var outside = Assert.ThrowsAny<DuckDBException>(() => Scalar($"SELECT string_agg(value, ',') FROM read_csv('{day.Canary}/secret.csv')"));
            Assert.StartsWith("Permission Error", outside.Message);
            var dotted = Assert.ThrowsAny<DuckDBException>(() => Scalar($"SELECT content FROM read_text('{allowed}/../../canary/secret.csv')"));
            Assert.StartsWith("Permission Error", dotted.Message);
            var setting = Assert.ThrowsAny<DuckDBException>(() => Scalar("SET enable_external_access = true"));
            Assert.Contains("the configuration has been locked", setting.Message);
            var extension = Assert.ThrowsAny<DuckDBException>(() => Scalar("LOAD httpfs"));
            Assert.StartsWith("Permission Error", extension.Message);
            var attach = Assert.ThrowsAny<DuckDBException>(() => Scalar($"ATTACH '{day.Canary}/other.duckdb' AS other"));
            Assert.StartsWith("Permission Error", attach.Message);
            Assert.Equal(SandboxFixture.CanaryOnly, day.EntriesOutsideWorkspace());
        }
        finally
        {
            File.Delete(inside);
        }
    }
}
