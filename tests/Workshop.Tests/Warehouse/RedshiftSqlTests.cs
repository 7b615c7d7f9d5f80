using StreamingWorkshop.Warehouse;

namespace Workshop.Tests.Warehouse;

/// <summary>Redshift's SQL on the local cluster: its DDL with physical design, its functions, SUPER and VARBYTE, and its error texts.</summary>
public sealed class RedshiftSqlTests(WarehouseFixture warehouse) : IClassFixture<WarehouseFixture>
{
    [Fact]
    public void Create_table_accepts_the_physical_design_and_the_system_views_show_it()
    {
        warehouse.Engine.Execute("""
            CREATE TABLE IF NOT EXISTS design_readings (
                reading_id BIGINT IDENTITY(1, 1),
                city VARCHAR(40) NOT NULL ENCODE lzo,
                temperature DOUBLE PRECISION ENCODE raw,
                pressure REAL,
                code SMALLINT ENCODE az64,
                amount NUMERIC(10,2),
                windy BOOLEAN DEFAULT false,
                measured_at TIMESTAMP ENCODE az64,
                payload SUPER,
                raw_bytes VARBYTE(100),
                PRIMARY KEY (reading_id)
            )
            DISTSTYLE KEY DISTKEY(city) COMPOUND SORTKEY(measured_at, city) BACKUP NO
            """);
        warehouse.Engine.Execute("CREATE TABLE design_even (id INT) DISTSTYLE EVEN INTERLEAVED SORTKEY(id)");
        warehouse.Engine.Execute("CREATE TABLE design_auto (id INT4, note TEXT)");
        warehouse.Engine.Execute("INSERT INTO design_readings (city, temperature, measured_at) VALUES ('Oslo', -3.5, '2024-01-05 10:00:00'), ('Paris', 4.0, '2024-01-05 11:00:00')");
        warehouse.Engine.Execute("INSERT INTO design_even VALUES (1)");
        warehouse.Engine.Execute("INSERT INTO design_auto VALUES (1, 'a')");

        Assert.Equal(
        [
            "weather | public | design_auto | Y, AUTO(ENCODE) | AUTO(ALL) | AUTO(SORTKEY) | 0 | 1",
            "weather | public | design_even | Y, AUTO(ENCODE) | EVEN | INTERLEAVED | 1 | 1",
            "weather | public | design_readings | Y | KEY(city) | measured_at | 2 | 2",
        ], warehouse.Rows("""SELECT database, schema, "table", encoded, diststyle, sortkey1, sortkey_num, tbl_rows FROM svv_table_info WHERE "table" LIKE 'design%' ORDER BY "table" """));
        Assert.Equal(
        [
            "reading_id | bigint | az64 | false | 0 | false",
            "city | character varying(40) | lzo | true | 2 | true",
            "temperature | double precision | none | false | 0 | false",
            "pressure | real | none | false | 0 | false",
            "code | smallint | az64 | false | 0 | false",
            "amount | numeric(10,2) | az64 | false | 0 | false",
            "windy | boolean | none | false | 0 | false",
            "measured_at | timestamp without time zone | az64 | false | 1 | false",
            "payload | super | zstd | false | 0 | false",
            "raw_bytes | varbyte(100) | zstd | false | 0 | false",
        ], warehouse.Rows("""SELECT "column", type, encoding, distkey, sortkey, "notnull" FROM pg_table_def WHERE tablename = 'design_readings'"""));
        Assert.Equal(["1 | Oslo | false", "2 | Paris | false"], warehouse.Rows("SELECT reading_id, city, windy FROM design_readings ORDER BY reading_id"));
        Assert.Equal(["-1 | interleaved"], warehouse.Rows("SELECT sortkey, 'interleaved' FROM pg_table_def WHERE tablename = 'design_even'"));
    }

    [Fact]
    public void Result_columns_are_named_as_Redshift_names_them()
    {
        warehouse.Engine.Execute("CREATE TABLE named_columns (city VARCHAR(10), weather_code INT)");
        warehouse.Engine.Execute("INSERT INTO named_columns VALUES ('Oslo', 3)");

        var result = warehouse.Engine.Execute("""
            SELECT COUNT(*), SUM(weather_code), MAX(city), weather_code + 1, City, city AS Town,
                   CAST(weather_code AS BIGINT), COUNT(*) AS "Readings Counted", current_database()
            FROM named_columns GROUP BY weather_code, city
            """);

        // Lower case throughout; a call is named after its function, any other expression ?column?.
        Assert.Equal(["count", "sum", "max", "?column?", "city", "town", "weather_code", "readings counted", "current_database"],
            result.Columns.Select(c => c.Name));
    }

    [Fact]
    public void Names_that_only_the_engine_keeps_as_keywords_are_plain_names_as_on_Redshift()
    {
        // AT, MAP and ASOF are no keywords of Redshift's (its list of reserved words leaves them out).
        warehouse.Engine.Execute("CREATE TABLE keyword_names (city VARCHAR(10), at TIMESTAMP, map INT, asof INT) DISTSTYLE KEY DISTKEY(city) SORTKEY(at)");
        warehouse.Engine.Execute("INSERT INTO keyword_names (city, at, map, asof) VALUES ('Oslo', '2025-01-01 10:00:00', 3, 4)");

        var result = warehouse.Engine.Execute("SELECT at, k.map, asof, at AT TIME ZONE 'UTC' AS utc FROM keyword_names k WHERE at > '2024-12-31'");

        Assert.Equal(["at", "map", "asof", "utc"], result.Columns.Select(c => c.Name));
        Assert.Equal(["2025-01-01 10:00:00 | 3 | 4"], warehouse.Rows("SELECT at, map, asof FROM keyword_names"));
    }

    [Fact]
    public void Listagg_and_approximate_count_are_named_as_Redshift_names_them()
    {
        warehouse.Engine.Execute("CREATE TABLE aggregate_names (city VARCHAR(10), code INT)");
        warehouse.Engine.Execute("INSERT INTO aggregate_names VALUES ('Oslo', 3), ('Bergen', 5)");

        var result = warehouse.Engine.Execute("SELECT LISTAGG(city, ',') WITHIN GROUP (ORDER BY city), APPROXIMATE COUNT(DISTINCT city), MEDIAN(code) FROM aggregate_names");

        Assert.Equal(["listagg", "count", "median"], result.Columns.Select(c => c.Name));
        Assert.Equal(["Bergen,Oslo | 2 | 4"], warehouse.Rows("SELECT LISTAGG(city, ',') WITHIN GROUP (ORDER BY city), APPROXIMATE COUNT(DISTINCT city), MEDIAN(code) FROM aggregate_names"));
    }

    [Fact]
    public void A_table_made_from_a_query_takes_the_names_the_query_shows()
    {
        warehouse.Engine.Execute("CREATE TABLE ctas_source_rows (city VARCHAR(10), weather_code INT)");
        warehouse.Engine.Execute("INSERT INTO ctas_source_rows VALUES ('Oslo', 3), ('Oslo', 5)");

        warehouse.Engine.Execute("CREATE TABLE ctas_named AS SELECT City, COUNT(*), MAX(weather_code) FROM ctas_source_rows GROUP BY city");

        Assert.Equal(["city", "count", "max"], warehouse.Rows("SELECT \"column\" FROM pg_table_def WHERE tablename = 'ctas_named'"));
        Assert.Equal(["Oslo | 2 | 5"], warehouse.Rows("SELECT city, count, max FROM ctas_named"));
        var twice = warehouse.Fails("CREATE TABLE ctas_twice AS SELECT COUNT(*), COUNT(city) FROM ctas_source_rows");
        Assert.Equal(("column \"count\" specified more than once", "42701"), (twice.Message, twice.SqlState));
    }

    [Fact]
    public void Table_statements_change_rows_and_columns_as_in_Redshift()
    {
        warehouse.Engine.Execute("CREATE TABLE change_rows (city VARCHAR(10), temperature FLOAT, loaded_at TIMESTAMP DEFAULT GETDATE())");
        Assert.Equal(3, warehouse.Engine.Execute("INSERT INTO change_rows (city, temperature) VALUES ('Oslo', 1.5), ('Paris', 2.5), ('Rome', 3.5)").RowsAffected);
        Assert.Equal([$"{warehouse.Session.Clock.GetUtcNow().UtcDateTime:yyyy-MM-dd HH:mm:ss}"], warehouse.Rows("SELECT DISTINCT loaded_at FROM change_rows"));
        Assert.Equal(1, warehouse.Engine.Execute("UPDATE change_rows SET temperature = 9 WHERE city = 'Rome'").RowsAffected);
        Assert.Equal(1, warehouse.Engine.Execute("DELETE FROM change_rows WHERE city = 'Oslo'").RowsAffected);
        warehouse.Engine.Execute("ALTER TABLE change_rows ADD COLUMN note VARCHAR(20) ENCODE zstd");
        warehouse.Engine.Execute("CREATE TABLE change_copy DISTKEY(city) SORTKEY(city) AS SELECT city, temperature FROM change_rows");
        warehouse.Engine.Execute("CREATE VIEW change_view AS SELECT city FROM change_copy WHERE temperature > 5");
        Assert.Equal(["Rome"], warehouse.Rows("SELECT city FROM change_view"));
        Assert.Equal(["Paris | 2.5 | NULL", "Rome | 9 | NULL"], warehouse.Rows("SELECT city, temperature, note FROM change_rows ORDER BY city"));
        Assert.Equal(["note | character varying(20) | zstd"], warehouse.Rows("""SELECT "column", type, encoding FROM pg_table_def WHERE tablename = 'change_rows' AND "column" = 'note'"""));
        Assert.Equal(["KEY(city) | city"], warehouse.Rows("""SELECT diststyle, sortkey1 FROM svv_table_info WHERE "table" = 'change_copy'"""));
        warehouse.Engine.Execute("TRUNCATE change_copy");
        Assert.Equal(["0"], warehouse.Rows("SELECT count(*) FROM change_copy"));
        warehouse.Engine.Execute("DROP VIEW change_view");
        warehouse.Engine.Execute("DROP TABLE change_copy");
        Assert.Empty(warehouse.Rows("SELECT * FROM pg_table_def WHERE tablename = 'change_copy'"));
        Assert.Equal("relation \"change_copy\" does not exist", warehouse.Fails("SELECT * FROM change_copy").Message);
    }

    [Fact]
    public void A_missing_table_named_with_its_schema_is_named_once_in_quotes()
    {
        // DuckDB quotes a qualified name itself; Redshift's words put the name in quotes once.
        Assert.Equal("relation \"nosuch.readings\" does not exist", warehouse.Fails("SELECT * FROM nosuch.readings").Message);
        Assert.Equal("42P01", warehouse.Fails("SELECT * FROM nosuch.readings").SqlState);
    }

    [Fact]
    public void Date_functions_count_and_read_the_warehouses_clock()
    {
        var now = warehouse.Session.Clock.GetUtcNow().UtcDateTime;
        Assert.Equal([$"{now:yyyy-MM-dd HH:mm:ss}"], warehouse.Rows("SELECT GETDATE()"));
        Assert.Equal([$"{now:yyyy-MM-dd}"], warehouse.Rows("SELECT CAST(SYSDATE AS DATE)"));
        Assert.Equal(
        [
            "2024-02-29 10:00:00 | 2024-01-31 12:30:00 | 2023-12-31 10:00:00 | 1 | 2 | 0 | 2024-01-31 00:00:00 | 1 | 10",
        ], warehouse.Rows("""
            SELECT DATEADD(month, 1, '2024-01-31 10:00:00'::TIMESTAMP) AS a,
                   DATEADD(minute, 150, '2024-01-31 10:00') AS b,
                   DATEADD(d, -31, '2024-01-31 10:00') AS c,
                   DATEDIFF(day, '2024-01-31 23:59:59', '2024-02-01 00:00:01') AS d,
                   DATEDIFF(hour, '2024-01-31 10:59', '2024-01-31 12:00') AS e,
                   DATEDIFF(year, '2024-01-01', '2024-12-31') AS f,
                   DATE_TRUNC('day', '2024-01-31 10:20:30'::TIMESTAMP) AS g,
                   DATE_PART(dow, '2024-01-01'::DATE)::INT AS h,
                   EXTRACT(hour FROM '2024-01-31 10:20:30'::TIMESTAMP) AS i
            """));
        Assert.Equal(["2024-01-31 09:20:30+00"], warehouse.Rows("SELECT '2024-01-31 10:20:30+01'::TIMESTAMPTZ"));
        Assert.Equal(["2024-01-31 10:20 Wed | 2024-01-31 11:20:30"],
            warehouse.Rows("SELECT TO_CHAR('2024-01-31 10:20:30'::TIMESTAMP, 'YYYY-MM-DD HH24:MI Dy'), CONVERT_TIMEZONE('UTC', 'Europe/Paris', '2024-01-31 10:20:30'::TIMESTAMP)"));
    }

    [Fact]
    public void Conditional_and_aggregate_functions_answer_as_in_Redshift()
    {
        warehouse.Engine.Execute("CREATE TABLE agg_readings (city VARCHAR(20), hour INT, temperature FLOAT8)");
        warehouse.Engine.Execute("INSERT INTO agg_readings VALUES ('Oslo', 1, -2), ('Oslo', 2, -4), ('Oslo', 3, NULL), ('Paris', 1, 5), ('Paris', 2, 7)");
        Assert.Equal(["Oslo | 3 | -3 | -3 | 1,2,3 | 2", "Paris | 2 | 6 | 6 | 1,2 | 2"], warehouse.Rows("""
            SELECT city, COUNT(*), MEDIAN(temperature), PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY temperature),
                   LISTAGG(hour, ',') WITHIN GROUP (ORDER BY hour), APPROXIMATE COUNT(DISTINCT temperature >= -100)::INT + 1
            FROM agg_readings GROUP BY city ORDER BY city
            """));
        Assert.Equal(["Oslo | 1 | -2 | -2 | cold | yes", "Oslo | 2 | -4 | -3 | cold | yes", "Oslo | 3 | 0 | -3 | unknown | no",
                      "Paris | 1 | 5 | 5 | mild | yes", "Paris | 2 | 7 | 6 | mild | yes"], warehouse.Rows("""
            SELECT city, hour, NVL(temperature, 0),
                   AVG(temperature) OVER (PARTITION BY city ORDER BY hour ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
                   DECODE(city, 'Oslo', NVL2(temperature, 'cold', 'unknown'), 'mild'), NVL2(temperature, 'yes', 'no')
            FROM agg_readings ORDER BY city, hour
            """));
        Assert.Equal(["OsloParis"], warehouse.Rows("SELECT LISTAGG(DISTINCT city) WITHIN GROUP (ORDER BY city) FROM agg_readings"));
        Assert.Equal(["Paris | 1 | 5 | NULL | 1", "Paris | 2 | 12 | 5 | 2"], warehouse.Rows("""
            SELECT city, hour, SUM(temperature) OVER (PARTITION BY city ORDER BY hour RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
                   LAG(temperature) OVER (PARTITION BY city ORDER BY hour), ROW_NUMBER() OVER (PARTITION BY city ORDER BY hour)
            FROM agg_readings WHERE city = 'Paris' ORDER BY hour
            """));
        Assert.Equal(["Paris | 7", "Paris | 5"], warehouse.Rows("SELECT TOP 2 city, temperature FROM agg_readings ORDER BY temperature DESC NULLS LAST;"));
    }

    [Fact]
    public void Super_values_parse_and_navigate_by_dot_and_by_key()
    {
        warehouse.Engine.Execute("CREATE TABLE super_events (id INT, payload SUPER)");
        warehouse.Engine.Execute("""INSERT INTO super_events VALUES (1, JSON_PARSE('{"city":"Oslo","temp":-3.5,"location":{"lat":59.9}}')), (2, JSON_PARSE('{"city":"Paris","temp":4}'))""");
        Assert.Equal(["1 | \"Oslo\" | Oslo | 59.9 | -3.5 | {\"lat\":59.9}"], warehouse.Rows("""
            SELECT e.id, payload.city, payload.city::VARCHAR, payload.location.lat, e.payload['temp']::FLOAT, payload.location
            FROM super_events e WHERE payload.city = 'Oslo' AND payload.temp < 0
            """));
        Assert.Equal(["2 | true | false | true | Paris | "], warehouse.Rows("""
            SELECT id, CAN_JSON_PARSE('[1]'), IS_VALID_JSON('[1]'), IS_VALID_JSON('{"a":1}'), JSON_EXTRACT_PATH_TEXT(JSON_SERIALIZE(payload), 'city'), JSON_EXTRACT_PATH_TEXT(JSON_SERIALIZE(payload), 'missing')
            FROM super_events WHERE payload.temp > 0
            """));
        Assert.Equal(["{\"city\":\"Paris\",\"temp\":4}"], warehouse.Rows("SELECT JSON_SERIALIZE(payload) FROM super_events WHERE id = 2"));
        var named = warehouse.Engine.Execute("SELECT payload.city, payload.location.lat, payload['temp'], payload.city AS town FROM super_events WHERE id = 1");
        Assert.Equal(["city:super", "lat:super", "temp:super", "town:super"], named.Columns.Select(c => $"{c.Name}:{c.TypeName}"));
    }

    [Fact]
    public void Varbyte_values_convert_to_and_from_text()
    {
        Assert.Equal(["4f736c6f | Oslo | \\x4f736c6f | Oslo | \\x6869"],
            warehouse.Rows("SELECT FROM_VARBYTE('Oslo'::VARBYTE, 'hex'), FROM_VARBYTE(TO_VARBYTE('4f736c6f', 'hex'), 'utf8'), TO_VARBYTE('Oslo', 'utf8'), FROM_VARBYTE('Oslo'::VARBYTE, 'utf8'), 'hi'::VARBYTE"));
    }

    [Fact]
    public void Errors_come_in_Redshifts_words()
    {
        warehouse.Engine.Execute("CREATE TABLE error_readings (city VARCHAR(5) NOT NULL, temperature INT)");
        Assert.Equal(("relation \"no_such_table\" does not exist", "42P01"), Both(warehouse.Fails("SELECT * FROM no_such_table")));
        Assert.Equal(("column \"humidity\" does not exist", "42703"), Both(warehouse.Fails("SELECT humidity FROM error_readings")));
        Assert.Equal(("syntax error at or near \"SELEC\"", "42601"), Both(warehouse.Fails("SELEC city FROM error_readings")));
        Assert.Equal(("function no_such_function(integer, unknown) does not exist", "42883"), Both(warehouse.Fails("SELECT no_such_function(1, 'a')")));
        Assert.Equal(("value too long for type character varying(5)", "22001"), Both(warehouse.Fails("INSERT INTO error_readings VALUES ('Edinburgh', 1)")));
        Assert.Equal(("Cannot insert a NULL value into column city", "23502"), Both(warehouse.Fails("INSERT INTO error_readings VALUES (NULL, 1)")));
        Assert.Equal(["3 | 3.5 | 2.5"], warehouse.Rows("SELECT 7 / 2, 7.0::FLOAT8 / 2, 5 / 2.0::FLOAT8"));
        Assert.Equal(("division by zero", "22012"), Both(warehouse.Fails("SELECT 10 / (temperature - 1) FROM (SELECT 1 AS temperature)")));
        Assert.Equal(("invalid input syntax for integer: \"warm\"", "22P02"), Both(warehouse.Fails("SELECT 'warm'::INTEGER")));
        Assert.Equal(("invalid input syntax for type double precision: \"warm\"", "22P02"), Both(warehouse.Fails("SELECT 'warm'::FLOAT8")));
        Assert.Equal(("relation \"error_readings\" already exists", "42P07"), Both(warehouse.Fails("CREATE TABLE error_readings (id INT)")));
        Assert.Equal("ERROR: relation \"no_such_table\" does not exist", warehouse.Fails("SELECT * FROM no_such_table").DataApiError);
    }

    [Theory]
    [InlineData("CREATE PROCEDURE load_day() AS $$ BEGIN END; $$ LANGUAGE plpgsql", "Not supported by the local warehouse: Stored procedures (CREATE PROCEDURE, CALL).")]
    [InlineData("CREATE LIBRARY lib LANGUAGE plpythonu FROM 's3://b/lib.zip'", "Not supported by the local warehouse: CREATE LIBRARY.")]
    [InlineData("CREATE FUNCTION f_double(float) RETURNS float IMMUTABLE AS $$ return args[0] * 2 $$ LANGUAGE plpythonu", "Not supported by the local warehouse: User-defined functions (CREATE FUNCTION, Python and Lambda UDFs).")]
    [InlineData("CREATE TEMP MACRO twice(x) AS x * 2", "Not supported by the local warehouse: Macros (CREATE MACRO is DuckDB's, not Redshift's).")]
    [InlineData("GRANT SELECT ON ALL TABLES IN SCHEMA public TO GROUP analysts", "Not supported by the local warehouse: GRANT and REVOKE.")]
    [InlineData("CREATE DATASHARE weather_share", "Not supported by the local warehouse: Data sharing (CREATE DATASHARE).")]
    [InlineData("CREATE TABLE shapes (g GEOMETRY)", "Not supported by the local warehouse: the GEOMETRY type.")]
    public void What_the_local_warehouse_lacks_fails_by_name(string sql, string start)
    {
        var error = warehouse.Fails(sql);
        Assert.StartsWith(start, error.Message);
        Assert.Equal("0A000", error.SqlState);
    }

    [Fact]
    public void Two_statements_in_one_call_fail_whole_and_the_second_is_not_run()
    {
        var error = warehouse.Fails("SELECT 1; CREATE TABLE second_statement (a INT); INSERT INTO second_statement VALUES (5)");

        Assert.Equal(("cannot insert multiple commands into a prepared statement. A call runs one statement: run each on its own, or send them together as a batch (BatchExecuteStatement).", "42601"), Both(error));
        Assert.Equal("relation \"second_statement\" does not exist", warehouse.Fails("SELECT * FROM second_statement").Message);
        Assert.Equal(["1"], warehouse.Rows("SELECT 1;  -- one statement, its semicolon and a comment\n;"));
    }

    private static (string, string) Both(RedshiftSqlException error) => (error.Message, error.SqlState);
}
