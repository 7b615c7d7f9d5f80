using StreamingWorkshop.Query;

namespace Workshop.Tests.Query;

/// <summary>
/// Athena's information_schema describes the Glue catalog: the crawled table with its columns in order and its partition
/// keys last, a view with its SQL, the databases; the engine's own catalog never shows through it.
/// </summary>
public sealed class InformationSchemaTests(SandboxFixture day) : IClassFixture<SandboxFixture>
{
    private async Task<string[]> Rows(string sql)
    {
        var result = await day.Session.QueryAsync(sql);
        return result.Rows.Select(row => string.Join(" | ", row.Select(v => v?.ToString() ?? "NULL"))).ToArray();
    }

    [Fact]
    public async Task Its_tables_columns_schemata_and_views_are_the_Glue_catalogs()
    {
        await day.Session.QueryAsync("CREATE OR REPLACE VIEW hot_readings AS SELECT city, temperature FROM raw_weather_data WHERE temperature > 20");
        var database = day.Session.Names.Database;

        Assert.Equal(
        [
            "awsdatacatalog | information_schema | columns | BASE TABLE",
            "awsdatacatalog | information_schema | schemata | BASE TABLE",
            "awsdatacatalog | information_schema | tables | BASE TABLE",
            "awsdatacatalog | information_schema | views | BASE TABLE",
            $"awsdatacatalog | {database} | hot_readings | VIEW",
            $"awsdatacatalog | {database} | raw_weather_data | BASE TABLE",
        ], await Rows("SELECT * FROM information_schema.tables ORDER BY table_schema, table_name"));
        Assert.Equal(
        [
            "city | 1 | varchar | NULL", "temperature | 2 | double | NULL", "measurement_time | 3 | varchar | NULL",
            "collection_time | 4 | varchar | NULL", "source | 5 | varchar | NULL", "wind_speed | 6 | double | NULL",
            "weather_code | 7 | integer | NULL", "location | 8 | varchar | partition key", "year | 9 | varchar | partition key",
            "month | 10 | varchar | partition key", "day | 11 | varchar | partition key",
        ], await Rows("SELECT column_name, ordinal_position, data_type, extra_info FROM awsdatacatalog.information_schema.columns WHERE table_name = 'raw_weather_data' ORDER BY ordinal_position"));
        Assert.Equal(["awsdatacatalog | information_schema", $"awsdatacatalog | {database}"],
            await Rows("SELECT catalog_name, schema_name FROM information_schema.schemata ORDER BY schema_name"));
        Assert.Equal(["hot_readings | SELECT city, temperature FROM raw_weather_data WHERE temperature > 20"],
            await Rows("SELECT v.table_name, v.view_definition FROM information_schema.views v"));
        // A join of the two, as a learner checks which tables have which partition keys.
        Assert.Equal(["raw_weather_data | 4"], await Rows("""
            SELECT t.table_name, COUNT(c.column_name) FROM information_schema.tables t
            JOIN information_schema.columns c ON c.table_schema = t.table_schema AND c.table_name = t.table_name
            WHERE c.extra_info = 'partition key' GROUP BY t.table_name
            """));
    }

    [Fact]
    public async Task A_view_it_does_not_hold_is_named_with_those_it_does()
    {
        var error = await Assert.ThrowsAsync<AthenaQueryException>(() => day.Session.QueryAsync("SELECT * FROM information_schema.table_privileges"));

        Assert.Equal("TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.information_schema.table_privileges' does not exist. " +
            "The local engine's information_schema holds columns, schemata, tables and views", error.Message);
    }
}
