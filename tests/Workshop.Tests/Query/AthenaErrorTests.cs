using StreamingWorkshop.Query;

namespace Workshop.Tests.Query;

/// <summary>Failed queries fail alone, with Athena's error names and the line:column of the problem in the query as written.</summary>
public sealed class AthenaErrorTests(Task3Fixture day) : IClassFixture<Task3Fixture>
{
    private async Task<AthenaQueryException> Fails(string sql)
    {
        var error = await Assert.ThrowsAsync<AthenaQueryException>(() => day.Session.QueryAsync(sql));
        // The engine stays usable: the next query runs.
        var next = await day.Session.QueryAsync("SELECT COUNT(*) AS n FROM raw_weather_data");
        Assert.Equal(4320L, Convert.ToInt64(next[0, "n"]));
        return error;
    }

    [Fact]
    public async Task Unknown_column_is_COLUMN_NOT_FOUND_at_its_line_and_column()
    {
        var error = await Fails("SELECT city,\n    tempreture\nFROM raw_weather_data");
        Assert.Equal("COLUMN_NOT_FOUND: line 2:5: Column 'tempreture' cannot be resolved", error.Message);
    }

    [Fact]
    public async Task Unknown_table_is_TABLE_NOT_FOUND_with_its_full_name()
    {
        var error = await Fails("SELECT *\nFROM weather_readings");
        Assert.Equal("TABLE_NOT_FOUND: line 2:6: Table 'awsdatacatalog.weather-analytics_dev_db.weather_readings' does not exist", error.Message);
    }

    [Fact]
    public async Task A_table_or_view_made_again_is_ALREADY_EXISTS_with_the_way_on()
    {
        var external = await Fails("CREATE EXTERNAL TABLE raw_weather_data (city string)\n" +
            "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://elsewhere/weather/'");
        var ctas = await Fails("CREATE TABLE raw_weather_data WITH (format = 'PARQUET') AS SELECT city FROM raw_weather_data");
        var view = await Fails("CREATE VIEW raw_weather_data AS SELECT city FROM raw_weather_data");

        Assert.Equal("ALREADY_EXISTS: line 1:1: Table 'awsdatacatalog.weather-analytics_dev_db.raw_weather_data' already exists. " +
            "Drop it first (DROP TABLE raw_weather_data) or give the new one another name.", external.Message);
        Assert.Equal(external.Message, ctas.Message);
        Assert.Equal("ALREADY_EXISTS: line 1:1: Table 'awsdatacatalog.weather-analytics_dev_db.raw_weather_data' already exists. " +
            "Give the view another name.", view.Message);
    }

    [Fact]
    public async Task A_view_made_again_without_OR_REPLACE_is_ALREADY_EXISTS_naming_the_statement_that_replaces_it()
    {
        await day.Session.QueryAsync("CREATE VIEW cities_made_twice AS SELECT DISTINCT city FROM raw_weather_data");
        var again = await Fails("CREATE VIEW cities_made_twice AS SELECT DISTINCT city FROM raw_weather_data");

        Assert.Equal("ALREADY_EXISTS: line 1:1: View 'awsdatacatalog.weather-analytics_dev_db.cities_made_twice' already exists. " +
            "Write CREATE OR REPLACE VIEW cities_made_twice to replace it.", again.Message);
    }

    [Fact]
    public async Task Bad_sql_is_SYNTAX_ERROR()
    {
        var error = await Fails("SELECT city FROM raw_weather_data WHERE");
        Assert.Equal("SYNTAX_ERROR", error.ErrorType);
        // Where Athena points: just past the last token, where the statement stopped short.
        Assert.Equal("SYNTAX_ERROR: line 1:40: mismatched input '<EOF>'. The statement ends before its last clause is complete: " +
            "finish it (a WHERE needs a condition, a GROUP BY its columns).", error.Message);
        var twoLines = await Fails("SELECT city\nFROM raw_weather_data GROUP  \n");
        Assert.StartsWith("SYNTAX_ERROR: line 2:28: mismatched input '<EOF>'", twoLines.Message);

        var deep = await Fails("SELECT " + string.Join(" + ", Enumerable.Repeat("1", 20_000)));
        Assert.EndsWith("the expression is nested more than 1000 levels deep; split it into smaller parts, for example with a WITH clause.", deep.Message);
        Assert.DoesNotContain("SET", deep.Message);

        var misspelt = await Fails("SELCT city FROM raw_weather_data");
        Assert.StartsWith("SYNTAX_ERROR: line 1:1: mismatched input 'SELCT'", misspelt.Message);
    }

    [Theory]
    [InlineData("SHOW TBLPROPERTIES raw_weather_data", "This SHOW statement is not one the local engine runs. It runs SHOW DATABASES, SHOW TABLES [IN db] ['pattern'], SHOW VIEWS [IN db] [LIKE 'pattern'], SHOW PARTITIONS table, SHOW COLUMNS IN table and SHOW CREATE TABLE|VIEW name.")]
    [InlineData("ALTER TABLE raw_weather_data ADD COLUMNS (humidity int)", "This ALTER statement is not one the local engine runs. It runs ALTER TABLE table ADD [IF NOT EXISTS] PARTITION")]
    [InlineData("DROP DATABASE weather", "This DROP statement is not one the local engine runs. It runs DROP TABLE [IF EXISTS] table and DROP VIEW [IF EXISTS] view.")]
    [InlineData("CREATE TABLE readings (city string)", "This CREATE statement is not one the local engine runs. It runs CREATE EXTERNAL TABLE")]
    [InlineData("explain SELECT COUNT(*) FROM raw_weather_data WHERE location = 'London'", "EXPLAIN prints the plan of Athena's engine, which the local backend does not have. Run the query itself: its summary line says how many objects and bytes it read")]
    [InlineData("UNLOAD (SELECT city FROM raw_weather_data) TO 's3://somewhere/' WITH (format = 'PARQUET')", "The local engine does not run UNLOAD. To write a query's result to the lake, make a table of it: CREATE TABLE name WITH (format = 'PARQUET', external_location")]
    [InlineData("DELETE FROM raw_weather_data WHERE city = 'London'", "The lake's tables are Hive tables, whose rows Athena does not change in place (DELETE works on Iceberg tables only).")]
    [InlineData("EXECUTE cities USING 'London'", "The local engine does not run prepared statements. Write the values into the statement itself.")]
    public async Task A_statement_of_Athenas_the_local_engine_does_not_run_is_NOT_SUPPORTED_with_what_it_does_run(string sql, string start)
    {
        var error = await Fails(sql);

        Assert.Equal("NOT_SUPPORTED", error.ErrorType);
        Assert.StartsWith("NOT_SUPPORTED: line 1:1: " + start, error.Message);
        // Never the syntax error that named the statement's own first word as both wrong and expected.
        Assert.DoesNotContain("mismatched input", error.Message);
    }

    [Fact]
    public async Task SHOW_VIEWS_lists_the_views_and_not_the_tables_filtered_by_a_LIKE_pattern()
    {
        await day.Session.QueryAsync("CREATE OR REPLACE VIEW london_readings AS SELECT * FROM raw_weather_data WHERE city = 'London'");
        await day.Session.QueryAsync("CREATE OR REPLACE VIEW leeds_readings AS SELECT * FROM raw_weather_data WHERE city = 'Leeds'");

        var all = (await day.Session.QueryAsync("SHOW VIEWS")).Column<string>("views");
        var londonOrNone = (await day.Session.QueryAsync("SHOW VIEWS IN \"weather-analytics_dev_db\" LIKE 'lon*|none'")).Column<string>("views");

        Assert.Contains("london_readings", all);
        Assert.Contains("leeds_readings", all);
        Assert.DoesNotContain("raw_weather_data", all);
        Assert.Equal(["london_readings"], londonOrNone);
    }

    [Fact]
    public async Task A_string_column_used_as_a_timestamp_fails_as_Athena_does()
    {
        // collection_time is a timestamp after the edit, but source is still a string.
        var error = await Fails("SELECT\n  date_trunc('hour', source) AS hour\nFROM raw_weather_data");
        Assert.Equal("FUNCTION_NOT_FOUND", error.ErrorType);
        Assert.StartsWith("FUNCTION_NOT_FOUND: line 2:3: Unexpected parameters (varchar, varchar) for function date_trunc. Expected: date_trunc(varchar(x), date)", error.Message);
    }

    [Fact]
    public async Task Unsupported_function_is_FUNCTION_NOT_FOUND_naming_it()
    {
        var error = await Fails("SELECT city, list_sort(array_agg(temperature))\nFROM raw_weather_data GROUP BY city");
        Assert.StartsWith("FUNCTION_NOT_FOUND: line 1:14: Function 'list_sort' not registered", error.Message);
    }

    [Fact]
    public async Task Comparing_a_number_with_text_is_TYPE_MISMATCH()
    {
        var error = await Fails("SELECT * FROM raw_weather_data WHERE temperature + 'warm' > 3");
        Assert.Equal("TYPE_MISMATCH", error.ErrorType);

        var columns = await Fails("SELECT temperature + city FROM raw_weather_data");
        Assert.Equal("TYPE_MISMATCH: line 1:20: Cannot apply operator: double + varchar", columns.Message); // at the operator, as Trino places it
    }

    /// <summary>
    /// Trino compares text with text and numbers with numbers only: the crawler's string partition keys, or a string column,
    /// against a number literal are TYPE_MISMATCH on Athena, where DuckDB would cast and answer. Quoted, or CAST, they run;
    /// a number column against a number, and a name the query gives its own value, are not judged.
    /// </summary>
    [Fact]
    public async Task A_string_column_compared_with_a_number_is_TYPE_MISMATCH_at_the_operator()
    {
        var year = await Fails("SELECT COUNT(*) AS n FROM raw_weather_data\nWHERE year = 2026 AND month = '01'");
        var reversed = await Fails("SELECT city FROM raw_weather_data WHERE 12 <= month");
        var city = await Fails("SELECT city FROM raw_weather_data r WHERE r.city != 5.5");

        Assert.Equal("TYPE_MISMATCH: line 2:12: Cannot apply operator: varchar = integer. 'year' is a string column and Athena does not turn text " +
            "into numbers to compare them: quote the value ('2026'), or CAST the column.", year.Message);
        Assert.StartsWith("TYPE_MISMATCH: line 1:44: Cannot apply operator: integer <= varchar. 'month' is a string column", reversed.Message);
        Assert.StartsWith("TYPE_MISMATCH: line 1:50: Cannot apply operator: varchar <> decimal(2,1). 'city' is a string column", city.Message);
        foreach (var runs in new[]
        {
            "SELECT COUNT(*) AS n FROM raw_weather_data WHERE year = '2026'",
            "SELECT COUNT(*) AS n FROM raw_weather_data WHERE CAST(year AS integer) > 2000",
            "SELECT COUNT(*) AS n FROM raw_weather_data WHERE temperature > 5",
            "SELECT COUNT(*) AS n, length(city) AS city FROM raw_weather_data GROUP BY length(city) HAVING COUNT(*) > 5",
            "SELECT COUNT(*) AS n FROM raw_weather_data WHERE city = 'London' AND year = '2025'",
        })
            await day.Session.QueryAsync(runs);
    }

    /// <summary>
    /// The other way round: a number column against quoted text, and Task 3's timestamp column against a date written as
    /// text, are TYPE_MISMATCH on Athena too (varchar(n) for a literal of n characters). A TIMESTAMP literal runs.
    /// </summary>
    [Fact]
    public async Task A_number_or_timestamp_column_compared_with_quoted_text_is_TYPE_MISMATCH_at_the_operator()
    {
        var warm = await Fails("SELECT city FROM raw_weather_data WHERE temperature > 'warm'");
        var time = await Fails("SELECT city FROM raw_weather_data WHERE '2025-01-14 12:00' < measurement_time");

        Assert.Equal("TYPE_MISMATCH: line 1:53: Cannot apply operator: double > varchar(4). 'temperature' is a double column and Athena does not " +
            "read text as a number: write the number without quotes, or CAST the column to varchar.", warm.Message);
        Assert.Equal("TYPE_MISMATCH: line 1:60: Cannot apply operator: varchar(16) < timestamp(3). 'measurement_time' is a timestamp column and Athena " +
            "does not read text as a timestamp: write a timestamp literal (TIMESTAMP '2025-01-14 12:00'), or CAST the column to varchar.", time.Message);
        await day.Session.QueryAsync("SELECT COUNT(*) AS n FROM raw_weather_data WHERE measurement_time > TIMESTAMP '2025-01-14 12:00:00'");
    }

    [Fact]
    public async Task A_column_neither_grouped_nor_aggregated_is_EXPRESSION_NOT_AGGREGATE_in_trinos_words()
    {
        var error = await Fails("SELECT city, location, AVG(temperature) AS t\nFROM raw_weather_data GROUP BY city");
        Assert.Equal("EXPRESSION_NOT_AGGREGATE: line 1:14: 'location' must be an aggregate expression or appear in GROUP BY clause", error.Message);
    }

    /// <summary>MySQL's LIMIT m, n and a LIMIT before its OFFSET run in the engine; Athena has OFFSET m LIMIT n only.</summary>
    [Fact]
    public async Task Limit_with_a_comma_or_before_offset_is_SYNTAX_ERROR_naming_athenas_order()
    {
        var comma = await Fails("SELECT city FROM raw_weather_data\nLIMIT 5, 10");
        var after = await Fails("SELECT city FROM raw_weather_data LIMIT 3 offset 2");
        var skipped = await day.Session.QueryAsync("SELECT city FROM raw_weather_data ORDER BY measurement_time, city OFFSET 2 LIMIT 3");

        Assert.Equal("SYNTAX_ERROR: line 2:8: mismatched input ','. Expecting: <EOF>. Athena skips rows with OFFSET before LIMIT: OFFSET m LIMIT n", comma.Message);
        Assert.Equal("SYNTAX_ERROR: line 1:43: mismatched input 'OFFSET'. Expecting: <EOF>. Athena skips rows with OFFSET before LIMIT: OFFSET m LIMIT n", after.Message);
        Assert.Equal(3, skipped.Rows.Count);
    }

    /// <summary>What PostgreSQL, MySQL or DuckDB write and the engine would run, but Athena's parser refuses, with Athena's way.</summary>
    [Theory]
    [InlineData("SELECT temperature::int AS t FROM raw_weather_data", "SYNTAX_ERROR: line 1:19: mismatched input '::'. Athena casts with CAST(x AS type)")]
    [InlineData("SELECT city FROM raw_weather_data WHERE city == 'London'", "SYNTAX_ERROR: line 1:46: mismatched input '='. Athena compares with a single =")]
    [InlineData("SELECT city FROM raw_weather_data\nWHERE city ILIKE 'london'", "SYNTAX_ERROR: line 2:12: mismatched input 'ILIKE'. Athena has no ILIKE: compare lower(x) LIKE 'pattern'")]
    [InlineData("SELECT city FROM raw_weather_data WHERE measurement_time > now() - INTERVAL 1 DAY", "SYNTAX_ERROR: line 1:77: mismatched input '1'. Athena writes the amount as text: INTERVAL '1' DAY")]
    [InlineData("SELECT MAX(measurement_time) AS end FROM raw_weather_data", "SYNTAX_ERROR: line 1:33: mismatched input 'end'. 'end' is a reserved word in Athena: quote it (\"end\") or choose another name")]
    public async Task Another_dialects_way_is_SYNTAX_ERROR_with_athenas(string sql, string message)
    {
        var error = await Fails(sql);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task Athenas_own_ways_of_writing_them_run()
    {
        foreach (var sql in new[]
        {
            "SELECT CAST(temperature AS integer) AS t FROM raw_weather_data LIMIT 1",
            "SELECT city FROM raw_weather_data WHERE lower(city) LIKE 'london' LIMIT 1",
            "SELECT COUNT(*) AS n FROM raw_weather_data WHERE measurement_time > now() - INTERVAL '1' DAY",
            "SELECT MAX(measurement_time) AS \"end\" FROM raw_weather_data",
        })
            await day.Session.QueryAsync(sql);
    }

    /// <summary>Trino's GROUP BY and HAVING see the tables' columns, not the select list's names; ORDER BY and positions may use them.</summary>
    [Fact]
    public async Task A_select_lists_name_in_GROUP_BY_or_HAVING_is_COLUMN_NOT_FOUND()
    {
        var grouped = await Fails("SELECT hour(measurement_time) AS h, COUNT(*) AS n\nFROM raw_weather_data GROUP BY h");
        var having = await Fails("SELECT city, AVG(temperature) AS mean FROM raw_weather_data GROUP BY city HAVING mean > 0");

        Assert.Equal("COLUMN_NOT_FOUND: line 2:32: Column 'h' cannot be resolved. 'h' is a name the select list gives, which Athena's GROUP BY does not see: " +
            "repeat its expression there, or give its position (GROUP BY 1)", grouped.Message);
        Assert.Equal("COLUMN_NOT_FOUND: line 1:82: Column 'mean' cannot be resolved. 'mean' is a name the select list gives, which Athena's HAVING does not see: " +
            "repeat its expression there", having.Message);
        foreach (var sql in new[]
        {
            "SELECT hour(measurement_time) AS h, COUNT(*) AS n FROM raw_weather_data GROUP BY 1 ORDER BY h",
            "SELECT lower(city) AS city, COUNT(*) AS n FROM raw_weather_data GROUP BY city ORDER BY n",
            "SELECT city, AVG(temperature) AS mean FROM raw_weather_data GROUP BY city HAVING AVG(temperature) > 0",
        })
            await day.Session.QueryAsync(sql);
    }

    [Fact]
    public async Task A_failed_query_is_recorded_as_FAILED_with_its_reason()
    {
        await Assert.ThrowsAsync<AthenaQueryException>(() => day.Session.QueryAsync("SELECT nope FROM raw_weather_data"));

        var failed = day.Session.Local!.Athena.ListQueryExecutions().First(e => e.Query.Contains("nope"));
        Assert.Equal(QueryStates.Failed, failed.State);
        Assert.Equal("COLUMN_NOT_FOUND", failed.ErrorType);
        Assert.Contains("Column 'nope' cannot be resolved", failed.StateChangeReason);
    }
}
