using StreamingWorkshop.Warehouse;

namespace Workshop.Tests.Warehouse;

/// <summary>COPY loads a table from every object under a lake prefix, and records the records it could not load.</summary>
public sealed class CopyTests(LoadLakeFixture lake) : IClassFixture<LoadLakeFixture>
{
    private const string Role = LoadLakeFixture.Role;

    [Fact]
    public async Task Json_auto_loads_every_gzipped_object_under_the_prefix_and_converts_to_the_columns_types()
    {
        await lake.PutAsync("copy-json/day=01/a.gz", """
            {"city":"Oslo","temperature":-3.5,"collection_time":"2026-03-01T10:00:00.000Z","weather_code":3}
            {"city":"Paris","temperature":4.25,"collection_time":"2026-03-01T10:15:00.000Z"}
            """, gzip: true);
        await lake.PutAsync("copy-json/day=02/b.gz", """{"city":"Rome","temperature":12,"collection_time":"2026-03-02T08:00:00.000Z","weather_code":61}""" + "\n", gzip: true);
        await lake.PutAsync("copy-jsonx/c.gz", """{"city":"Elsewhere","temperature":0}""" + "\n", gzip: true);
        lake.Warehouse.Execute("CREATE TABLE json_readings (city VARCHAR(20), temperature FLOAT8, collection_time TIMESTAMP, weather_code INTEGER)");

        var outcome = lake.Warehouse.Execute($"COPY json_readings FROM 's3://{LoadLakeFixture.Bucket}/copy-json/' IAM_ROLE '{Role}' FORMAT AS JSON 'auto' GZIP TIMEFORMAT 'auto'");

        Assert.Equal(3L, outcome.RowsAffected);
        Assert.Equal(
            [["Oslo", -3.5, "2026-03-01 10:00:00", 3L], ["Paris", 4.25, "2026-03-01 10:15:00", null], ["Rome", 12.0, "2026-03-02 08:00:00", 61L]],
            lake.Rows("SELECT city, temperature, collection_time, weather_code FROM json_readings ORDER BY city"));
        Assert.Equal(
            [[$"s3://{LoadLakeFixture.Bucket}/copy-json/day=01/a.gz", 2L], [$"s3://{LoadLakeFixture.Bucket}/copy-json/day=02/b.gz", 1L]],
            lake.Rows("SELECT filename, lines_scanned FROM stl_load_commits WHERE name = 'json_readings' ORDER BY filename"));
    }

    [Fact]
    public async Task Auto_ignorecase_matches_keys_in_any_case_and_a_jsonpaths_file_maps_paths_to_columns_in_order()
    {
        await lake.PutAsync("copy-case/a.json", """{"City":"Oslo","TEMPERATURE":1.5}""" + "\n");
        await lake.PutAsync("copy-paths/a.json", """{"reading":{"place":"Bergen","value":7.5},"source":"api"}""" + "\n");
        await lake.PutAsync("config/jsonpaths.json", """{"jsonpaths": ["$.reading.value", "$.reading.place"]}""");
        lake.Warehouse.Execute("CREATE TABLE case_readings (city VARCHAR, temperature FLOAT8)");
        lake.Warehouse.Execute("CREATE TABLE path_readings (temperature FLOAT8, city VARCHAR)");

        lake.Warehouse.Execute($"COPY case_readings FROM 's3://{LoadLakeFixture.Bucket}/copy-case/' IAM_ROLE '{Role}' FORMAT JSON 'auto ignorecase'");
        lake.Warehouse.Execute($"COPY path_readings FROM 's3://{LoadLakeFixture.Bucket}/copy-paths/' IAM_ROLE default JSON 's3://{LoadLakeFixture.Bucket}/config/jsonpaths.json'");

        Assert.Equal([["Oslo", 1.5]], lake.Rows("SELECT city, temperature FROM case_readings"));
        Assert.Equal([["Bergen", 7.5]], lake.Rows("SELECT city, temperature FROM path_readings"));
        var error = Assert.Throws<RedshiftSqlException>(() => lake.Warehouse.Execute(
            $"COPY path_readings (temperature) FROM 's3://{LoadLakeFixture.Bucket}/copy-paths/' IAM_ROLE default JSON 's3://{LoadLakeFixture.Bucket}/config/jsonpaths.json'"));
        Assert.Equal("Number of jsonpaths and the number of columns should match. JSONPath size: 2, Number of columns in table or column list: 1", error.Message);
    }

    [Fact]
    public async Task Records_that_do_not_load_become_stl_load_errors_rows_and_the_rest_load_within_maxerror()
    {
        await lake.PutAsync("copy-bad/a.json", """
            {"city":"Oslo","temperature":1.5,"weather_code":3}
            {"city":"Paris","temperature":2.5,"weather_code":"3x"}
            not json at all
            {"city":"Rome","temperature":"warm","weather_code":1}
            {"city":"Bergen","temperature":3.5,"weather_code":2}
            """);
        lake.Warehouse.Execute("CREATE TABLE bad_readings (city VARCHAR, temperature FLOAT8, weather_code INTEGER)");
        lake.Warehouse.Execute("CREATE TABLE strict_readings (city VARCHAR, temperature FLOAT8, weather_code INTEGER)");

        var loaded = lake.Warehouse.Execute($"COPY bad_readings FROM 's3://{LoadLakeFixture.Bucket}/copy-bad/' IAM_ROLE '{Role}' FORMAT JSON 'auto' MAXERROR 3");
        var failed = Assert.Throws<RedshiftSqlException>(() => lake.Warehouse.Execute($"COPY strict_readings FROM 's3://{LoadLakeFixture.Bucket}/copy-bad/' IAM_ROLE '{Role}' FORMAT JSON 'auto' MAXERROR 2"));

        Assert.Equal(2L, loaded.RowsAffected);
        Assert.Equal([["Bergen"], ["Oslo"]], lake.Rows("SELECT city FROM bad_readings ORDER BY city"));
        Assert.Equal("Load into table 'strict_readings' failed. Check 'stl_load_errors' system table for details.", failed.Message);
        Assert.Equal([[0L]], lake.Rows("SELECT count(*) FROM strict_readings"));
        Assert.Equal(
        [
            [2L, "weather_code", "int4", "3x", 1207L, "Invalid digit, Value 'x', Pos 1, Type: Integer"],
            [3L, "", "", "", 1216L, "Invalid JSON object: the line is not one JSON object"],
            [4L, "temperature", "float8", "warm", 1207L, "Invalid digit, Value 'w', Pos 0, Type: Double"],
        ], lake.Rows($"SELECT line_number, colname, type, raw_field_value, err_code, err_reason FROM stl_load_errors WHERE filename = 's3://{LoadLakeFixture.Bucket}/copy-bad/a.json' AND query = (SELECT min(query) FROM stl_load_errors WHERE filename LIKE '%copy-bad%') ORDER BY line_number"));
        Assert.Equal([["not json at all"]], lake.Rows("SELECT DISTINCT raw_line FROM stl_load_errors WHERE err_code = 1216 AND filename LIKE '%copy-bad/%'"));
    }

    [Fact]
    public async Task Json_lines_keep_their_numbers_in_the_object_across_blank_lines_byte_order_marks_crlf_and_joined_gzip_members()
    {
        static byte[] Zip(string text)
        {
            using var buffer = new MemoryStream();
            using (var zip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest)) zip.Write(System.Text.Encoding.UTF8.GetBytes(text));
            return buffer.ToArray();
        }
        await lake.PutAsync("copy-lines/a.gz", "\n  \n{\"city\":\"Oslo\",\"n\":1}\n \t \n{\"city\":\"Rome\",\"n\":\"two\"}", gzip: true);
        await lake.PutAsync("copy-lines/b.gz", "\uFEFF{\"city\":\"Bergen\",\"n\":3}\r\n{\"city\":\"Paris\",\"n\":4}\r\n", gzip: true);
        await lake.PutBytesAsync("copy-lines/c.gz", [.. Zip("{\"city\":\"Lima\",\"n\":5}\n"), .. Zip("{\"city\":\"Quito\",\"n\":6}\n")]);
        await lake.PutAsync("copy-lines/d.gz", "{\"city\":\"Nul\u0000\",\"n\":7}\n{\"city\":\"Oslo\",\"n\":8}\u0000\n", gzip: true);
        lake.Warehouse.Execute("CREATE TABLE line_readings (city VARCHAR, n INTEGER)");

        var loaded = lake.Warehouse.Execute($"COPY line_readings FROM 's3://{LoadLakeFixture.Bucket}/copy-lines/' IAM_ROLE '{Role}' JSON 'auto' GZIP MAXERROR 10");

        Assert.Equal(5L, loaded.RowsAffected);
        Assert.Equal([["Bergen", 3L], ["Lima", 5L], ["Oslo", 1L], ["Paris", 4L], ["Quito", 6L]], lake.Rows("SELECT city, n FROM line_readings ORDER BY city"));
        // Line numbers count every line of the object, blank ones too; a line of spaces is no record, one with a tab is a bad one.
        Assert.Equal(
        [
            [$"s3://{LoadLakeFixture.Bucket}/copy-lines/a.gz", 4L, 1216L, " \t "],
            [$"s3://{LoadLakeFixture.Bucket}/copy-lines/a.gz", 5L, 1207L, "{\"city\":\"Rome\",\"n\":\"two\"}"],
            [$"s3://{LoadLakeFixture.Bucket}/copy-lines/d.gz", 1L, 1216L, "{\"city\":\"Nul"],
            [$"s3://{LoadLakeFixture.Bucket}/copy-lines/d.gz", 2L, 1216L, "{\"city\":\"Oslo\",\"n\":8}"],
        ], lake.Rows("SELECT filename, line_number, err_code, raw_line FROM stl_load_errors WHERE filename LIKE '%copy-lines/%' ORDER BY filename, line_number"));
    }

    [Fact]
    public async Task Json_records_land_in_the_order_of_the_objects_keys_and_their_lines_whether_or_not_an_object_holds_a_nul()
    {
        // Keys out of alphabetical order by city, so a table sorted by anything but key and line would show it.
        await lake.PutAsync("copy-order/a.json", "{\"city\":\"Zurich\",\"n\":1}\n{\"city\":\"Oslo\",\"n\":\"x\"}\n{\"city\":\"Athens\",\"n\":2}\n");
        await lake.PutAsync("copy-order/b.json", "{\"city\":\"Madrid\",\"n\":3}\n{\"city\":\"Berlin\",\"n\":4}\n");
        await lake.PutAsync("copy-order/c.json", "{\"city\":\"Cairo\",\"n\":5}\n");
        // The same records, with a NUL on a line of the first object: that object's lines are read one by one.
        await lake.PutAsync("copy-order-nul/a.json", "{\"city\":\"Zurich\",\"n\":1}\n{\"city\":\"Oslo\u0000\",\"n\":0}\n{\"city\":\"Athens\",\"n\":2}\n");
        await lake.PutAsync("copy-order-nul/b.json", "{\"city\":\"Madrid\",\"n\":3}\n{\"city\":\"Berlin\",\"n\":4}\n");
        await lake.PutAsync("copy-order-nul/c.json", "{\"city\":\"Cairo\",\"n\":5}\n");
        lake.Warehouse.Execute("CREATE TABLE ordered_readings (city VARCHAR, n INTEGER)");
        lake.Warehouse.Execute("CREATE TABLE ordered_nul_readings (city VARCHAR, n INTEGER)");

        lake.Warehouse.Execute($"COPY ordered_readings FROM 's3://{LoadLakeFixture.Bucket}/copy-order/' IAM_ROLE '{Role}' JSON 'auto' MAXERROR 1");
        lake.Warehouse.Execute($"COPY ordered_nul_readings FROM 's3://{LoadLakeFixture.Bucket}/copy-order-nul/' IAM_ROLE '{Role}' JSON 'auto' MAXERROR 1");

        object?[][] inLoadOrder = [["Zurich", 1L], ["Athens", 2L], ["Madrid", 3L], ["Berlin", 4L], ["Cairo", 5L]];
        Assert.Equal(inLoadOrder, lake.Rows("SELECT city, n FROM ordered_readings"));
        Assert.Equal(inLoadOrder, lake.Rows("SELECT city, n FROM ordered_nul_readings"));
        Assert.Equal(
        [
            ["copy-order-nul/a.json", 2L, "", "{\"city\":\"Oslo", "", 1216L],
            ["copy-order/a.json", 2L, "n", "{\"city\":\"Oslo\",\"n\":\"x\"}", "x", 1207L],
        ], lake.Rows($"SELECT replace(filename, 's3://{LoadLakeFixture.Bucket}/', ''), line_number, TRIM(colname), raw_line, raw_field_value, err_code FROM stl_load_errors WHERE filename LIKE '%copy-order%' ORDER BY filename"));
    }

    [Fact]
    public async Task Json_lines_that_parse_but_are_not_objects_are_load_errors_like_lines_that_do_not_parse()
    {
        await lake.PutAsync("copy-shapes/a.json", "[1, 2]\n{\"city\":\"Oslo\",\"n\":1}\n\"Oslo\"\n42\nnull\n{\"city\":\n{\"city\":\"Rome\",\"n\":2}");
        lake.Warehouse.Execute("CREATE TABLE shaped_readings (city VARCHAR, n INTEGER)");

        var loaded = lake.Warehouse.Execute($"COPY shaped_readings FROM 's3://{LoadLakeFixture.Bucket}/copy-shapes/' IAM_ROLE '{Role}' JSON 'auto' MAXERROR 10");

        Assert.Equal(2L, loaded.RowsAffected);
        Assert.Equal([["Oslo", 1L], ["Rome", 2L]], lake.Rows("SELECT city, n FROM shaped_readings ORDER BY city"));
        Assert.Equal(
        [
            [1L, 1216L, "[1, 2]"],
            [3L, 1216L, "\"Oslo\""],
            [4L, 1216L, "42"],
            [5L, 1216L, "null"],
            [6L, 1216L, "{\"city\":"],
        ], lake.Rows("SELECT line_number, err_code, raw_line FROM stl_load_errors WHERE filename LIKE '%copy-shapes/%' ORDER BY line_number"));
    }

    [Fact]
    public async Task Json_objects_that_are_not_utf8_or_not_whole_gzip_fail_the_copy_naming_the_object()
    {
        await lake.PutBytesAsync("copy-latin1/a.json", [(byte)'{', (byte)'"', (byte)'c', (byte)'"', (byte)':', (byte)'"', 0xC5, (byte)'"', (byte)'}', (byte)'\n']);
        await lake.PutBytesAsync("copy-cut/a.gz", [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xab, 0x56]);
        lake.Warehouse.Execute("CREATE TABLE unread_readings (c VARCHAR)");

        var latin1 = Assert.Throws<RedshiftSqlException>(() => lake.Warehouse.Execute($"COPY unread_readings FROM 's3://{LoadLakeFixture.Bucket}/copy-latin1/' IAM_ROLE '{Role}' JSON 'auto'"));
        var cut = Assert.Throws<RedshiftSqlException>(() => lake.Warehouse.Execute($"COPY unread_readings FROM 's3://{LoadLakeFixture.Bucket}/copy-cut/' IAM_ROLE '{Role}' JSON 'auto' GZIP"));

        Assert.Equal($"COPY could not read the objects under s3://{LoadLakeFixture.Bucket}/copy-latin1/: object copy-latin1/a.json is not UTF-8 text. Redshift loads UTF-8: write the object as UTF-8, or narrow the prefix to leave it out.", latin1.Message);
        Assert.StartsWith($"COPY could not read the objects under s3://{LoadLakeFixture.Bucket}/copy-cut/: object copy-cut/a.gz is not a whole gzip file (", cut.Message);
        Assert.EndsWith("). Put the object again, or narrow the prefix to the objects that unzip.", cut.Message);
        Assert.Equal([[0L]], lake.Rows("SELECT count(*) FROM unread_readings"));
    }

    [Fact]
    public async Task Csv_with_a_header_a_delimiter_and_time_and_date_formats_loads_as_written()
    {
        await lake.PutAsync("copy-csv/a.csv", "city;day;measured;epoch\n\"Oslo; Norway\";01/03/2026;2026-03-01 10:30:00;1772361000\nBergen;02/03/2026;2026-03-02 11:00:00;1772449200\n");
        lake.Warehouse.Execute("CREATE TABLE csv_readings (city VARCHAR, day DATE, measured TIMESTAMP, epoch_text VARCHAR)");
        lake.Warehouse.Execute("CREATE TABLE epoch_readings (measured TIMESTAMP)");
        await lake.PutAsync("copy-epoch/a.txt", "1772361000\n");

        var outcome = lake.Warehouse.Execute($"COPY csv_readings FROM 's3://{LoadLakeFixture.Bucket}/copy-csv/' IAM_ROLE '{Role}' CSV IGNOREHEADER 1 DELIMITER ';' DATEFORMAT 'DD/MM/YYYY' TIMEFORMAT 'YYYY-MM-DD HH:MI:SS'");
        lake.Warehouse.Execute($"COPY epoch_readings FROM 's3://{LoadLakeFixture.Bucket}/copy-epoch/' IAM_ROLE '{Role}' TIMEFORMAT 'epochsecs'");

        Assert.Equal(2L, outcome.RowsAffected);
        Assert.Equal([["Bergen", "2026-03-02", "2026-03-02 11:00:00"], ["Oslo; Norway", "2026-03-01", "2026-03-01 10:30:00"]],
            lake.Rows("SELECT city, day, measured FROM csv_readings ORDER BY city"));
        Assert.Equal([["2026-03-01 10:30:00"]], lake.Rows("SELECT measured FROM epoch_readings"));
    }

    [Fact]
    public async Task Blanksasnull_and_emptyasnull_load_blank_and_empty_fields_as_null()
    {
        await lake.PutAsync("copy-blank/a.txt", "Oslo|1\n   |2\n");
        await lake.PutAsync("copy-empty/a.json", """{"city":"","n":3}""" + "\n");
        lake.Warehouse.Execute("CREATE TABLE blank_names (city VARCHAR, n INTEGER)");

        lake.Warehouse.Execute($"COPY blank_names FROM 's3://{LoadLakeFixture.Bucket}/copy-blank/' IAM_ROLE '{Role}' BLANKSASNULL");
        lake.Warehouse.Execute($"COPY blank_names FROM 's3://{LoadLakeFixture.Bucket}/copy-empty/' IAM_ROLE '{Role}' JSON 'auto' EMPTYASNULL");

        Assert.Equal([["Oslo", 1L], [null, 2L], [null, 3L]], lake.Rows("SELECT city, n FROM blank_names ORDER BY n"));
    }

    [Fact]
    public async Task A_timestamp_that_does_not_match_timeformat_and_a_missing_not_null_value_are_load_errors_and_super_keeps_json()
    {
        await lake.PutAsync("copy-kinds/a.json", """
            {"city":"Oslo","measured_at":"2026-03-01 10:00:00","payload":{"wind":3.5}}
            {"city":"Rome","measured_at":"yesterday","payload":[1,2]}
            {"measured_at":"2026-03-01 11:00:00","payload":"text"}
            """);
        lake.Warehouse.Execute("CREATE TABLE kinds (city VARCHAR NOT NULL, measured_at TIMESTAMP, payload SUPER)");

        lake.Warehouse.Execute($"COPY kinds FROM 's3://{LoadLakeFixture.Bucket}/copy-kinds/' IAM_ROLE '{Role}' JSON 'auto' TIMEFORMAT 'YYYY-MM-DD HH:MI:SS' MAXERROR 5");

        Assert.Equal([["Oslo", "2026-03-01 10:00:00", "{\"wind\":3.5}"]], lake.Rows("SELECT city, measured_at, payload FROM kinds"));
        Assert.Equal(
        [
            [2L, "measured_at", "yesterday", 1206L, "Invalid timestamp format or value [YYYY-MM-DD HH:MI:SS]"],
            [3L, "city", null, 1213L, "Missing data for not-null field"],
        ], lake.Rows("SELECT line_number, colname, raw_field_value, err_code, err_reason FROM stl_load_errors WHERE filename LIKE '%copy-kinds%' ORDER BY line_number"));
    }

    [Fact]
    public async Task A_value_longer_than_its_varchar_fails_unless_truncatecolumns_and_varchar_without_a_length_holds_256_bytes()
    {
        await lake.PutAsync("copy-long/a.csv", "Edinburgh,1\nOslo,2\n");
        await lake.PutAsync("copy-longer/a.csv", new string('x', 257) + "\n");
        lake.Warehouse.Execute("CREATE TABLE short_names (city VARCHAR(4), n INTEGER)");
        lake.Warehouse.Execute("CREATE TABLE default_names (city VARCHAR)");

        var refused = Assert.Throws<RedshiftSqlException>(() => lake.Warehouse.Execute($"COPY short_names FROM 's3://{LoadLakeFixture.Bucket}/copy-long/' IAM_ROLE '{Role}' CSV"));
        var error = lake.Rows("SELECT line_number, colname, col_length, raw_field_value, err_code, err_reason FROM stl_load_errors WHERE filename LIKE '%copy-long/%'");
        lake.Warehouse.Execute($"COPY short_names FROM 's3://{LoadLakeFixture.Bucket}/copy-long/' IAM_ROLE '{Role}' CSV TRUNCATECOLUMNS");
        Assert.Throws<RedshiftSqlException>(() => lake.Warehouse.Execute($"COPY default_names FROM 's3://{LoadLakeFixture.Bucket}/copy-longer/' IAM_ROLE '{Role}'"));

        Assert.Equal("Load into table 'short_names' failed. Check 'stl_load_errors' system table for details.", refused.Message);
        Assert.Equal([[1L, "city", "4", "Edinburgh", 1204L, "String length exceeds DDL length"]], error);
        Assert.Equal([["Edin", 1L], ["Oslo", 2L]], lake.Rows("SELECT city, n FROM short_names ORDER BY n"));
        Assert.Equal([["256", 1204L]], lake.Rows("SELECT col_length, err_code FROM stl_load_errors WHERE filename LIKE '%copy-longer/%'"));
    }

    [Fact]
    public async Task An_object_gzip_does_not_describe_fails_the_copy_before_an_unreadable_object_or_a_missing_jsonpaths_file()
    {
        // More objects than one batch of reads: the unreadable object is in the first, the zipped one in the second.
        await lake.PutBytesAsync("copy-mixed/obj-00.json", [(byte)'{', (byte)'"', (byte)'c', (byte)'"', (byte)':', (byte)'"', 0xC5, (byte)'"', (byte)'}', (byte)'\n']);
        for (var i = 1; i < 39; i++) await lake.PutAsync($"copy-mixed/obj-{i:D2}.json", "{\"c\":\"Oslo\"}\n");
        await lake.PutAsync("copy-mixed/obj-39.gz", "{\"c\":\"Rome\"}\n", gzip: true);
        lake.Warehouse.Execute("CREATE TABLE mixed_readings (c VARCHAR)");
        var bucket = LoadLakeFixture.Bucket;
        string Error(string sql) => Assert.Throws<RedshiftSqlException>(() => lake.Warehouse.Execute(sql)).Message;

        var unreadable = Error($"COPY mixed_readings FROM 's3://{bucket}/copy-mixed/' IAM_ROLE '{Role}' JSON 'auto'");
        var noPaths = Error($"COPY mixed_readings FROM 's3://{bucket}/copy-mixed/' IAM_ROLE '{Role}' JSON 's3://{bucket}/config/no-such-paths.json'");

        const string zipped = "Object copy-mixed/obj-39.gz is gzip-compressed and COPY was not told so: add GZIP to the COPY.";
        Assert.Equal(zipped, unreadable);
        Assert.Equal(zipped, noPaths);
        Assert.Equal([[0L]], lake.Rows("SELECT count(*) FROM mixed_readings"));
    }

    [Fact]
    public async Task Copy_refuses_a_role_the_cluster_lacks_a_prefix_with_no_object_a_missing_bucket_and_a_missing_table()
    {
        await lake.PutAsync("copy-refused/a.json", "{}\n");
        lake.Warehouse.Execute("CREATE TABLE refused (city VARCHAR)");
        var bucket = LoadLakeFixture.Bucket;
        string Error(LocalWarehouse warehouse, string sql) => Assert.Throws<RedshiftSqlException>(() => warehouse.Execute(sql)).Message;

        Assert.Equal("User arn:aws:redshift:us-east-1:123456789012:dbuser:load-test-cluster/awsuser is not authorized to assume IAM Role arn:aws:iam::123456789012:role/other. Use a role attached to the cluster: " + Role + ".",
            Error(lake.Warehouse, $"COPY refused FROM 's3://{bucket}/copy-refused/' IAM_ROLE 'arn:aws:iam::123456789012:role/other' JSON 'auto'"));
        Assert.Equal("Default IAM role is not set for cluster bare-cluster. Name an attached role instead: IAM_ROLE 'arn:aws:iam::ACCOUNT:role/NAME'.",
            Error(lake.ClusterWith([], "bare-cluster"), $"COPY refused FROM 's3://{bucket}/copy-refused/' IAM_ROLE default JSON 'auto'"));
        Assert.Equal($"The specified S3 prefix 'nothing-here/' does not exist in bucket {bucket}. List the bucket to find the objects' prefix.",
            Error(lake.Warehouse, $"COPY refused FROM 's3://{bucket}/nothing-here/' IAM_ROLE '{Role}' JSON 'auto'"));
        Assert.Equal("S3ServiceException:The specified bucket does not exist,Status 404,Error NoSuchBucket: no-such-bucket. Check the bucket's name (workshop lake ls).",
            Error(lake.Warehouse, $"COPY refused FROM 's3://no-such-bucket/x/' IAM_ROLE '{Role}' JSON 'auto'"));
        Assert.Equal("relation \"missing_table\" does not exist", Error(lake.Warehouse, $"COPY missing_table FROM 's3://{bucket}/copy-refused/' IAM_ROLE '{Role}' JSON 'auto'"));
        await lake.PutAsync("copy-zipped/a.gz", "{\"city\":\"Oslo\"}\n", gzip: true);
        Assert.Equal("Object copy-zipped/a.gz is gzip-compressed and COPY was not told so: add GZIP to the COPY.",
            Error(lake.Warehouse, $"COPY refused FROM 's3://{bucket}/copy-zipped/' IAM_ROLE '{Role}' JSON 'auto'"));
        Assert.Equal("Object copy-refused/a.json is not gzip-compressed, yet COPY says GZIP: remove GZIP, or narrow the prefix to the compressed objects.",
            Error(lake.Warehouse, $"COPY refused FROM 's3://{bucket}/copy-refused/' IAM_ROLE '{Role}' JSON 'auto' GZIP"));
        Assert.Equal("syntax error at or near \"NOPE\": not a COPY option the local warehouse knows (IAM_ROLE, FORMAT, GZIP, IGNOREHEADER, DELIMITER, TIMEFORMAT, DATEFORMAT, MAXERROR, REGION, TRUNCATECOLUMNS, BLANKSASNULL, EMPTYASNULL)",
            Error(lake.Warehouse, $"COPY refused FROM 's3://{bucket}/copy-refused/' IAM_ROLE '{Role}' NOPE"));
    }
}
