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
        Assert.StartsWith("SYNTAX_ERROR: line 1:", error.Message);

        var misspelt = await Fails("SELCT city FROM raw_weather_data");
        Assert.StartsWith("SYNTAX_ERROR: line 1:1: mismatched input 'SELCT'", misspelt.Message);
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
