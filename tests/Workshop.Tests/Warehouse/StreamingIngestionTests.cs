using System.Text;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Warehouse;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Warehouse;

/// <summary>Streaming ingestion: a Kinesis external schema, materialized views over a stream, incremental and automatic refresh.</summary>
public sealed class StreamingIngestionTests : LocalSessionTest
{
    private const string Role = "arn:aws:iam::123456789012:role/warehouse-streaming";
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private const string ViewSelect = """
        SELECT approximate_arrival_timestamp, partition_key, shard_id, sequence_number, refresh_time, JSON_PARSE(kinesis_data) AS payload
        FROM kds."weather-readings" WHERE CAN_JSON_PARSE(kinesis_data)
        """;

    private LocalWarehouse NewWarehouse(params string[] roles)
    {
        var local = Session.Local!;
        if (local.Clock.IsUnset) local.Clock.SetStart(Start);
        return new LocalWarehouse(local.Workspace, local.Clock, local.Lake, local.Catalog, local.Stream, new WarehouseCluster("test-cluster", "dev", "awsuser", roles, DefaultIamRole: roles.FirstOrDefault()));
    }

    private LocalStreamService Stream => Session.Local!.Stream;

    private void Advance(TimeSpan span) => Session.Local!.Clock.Advance(span);

    private Task Put(string text, string key, string? hashKey = null) =>
        Stream.PutRecordAsync("weather-readings", Encoding.UTF8.GetBytes(text), key, hashKey);

    // Sequence numbers spelled out: "49", the shard index in ten digits, the record number in twenty.
    private static string Sequence(int shard, int number) => "49" + shard.ToString("D10") + number.ToString("D20");

    private static object?[][] Rows(LocalWarehouse warehouse, string sql) => warehouse.Execute(sql).Rows.ToArray();

    [Fact]
    public async Task A_view_reads_what_the_stream_holds_and_each_refresh_appends_only_the_records_after_its_checkpoint()
    {
        var warehouse = NewWarehouse(Role);
        await Stream.CreateStreamAsync("weather-readings", 1);
        await Put("""{"city":"Oslo","t":-3}""", "Oslo");
        await Put("""{"city":"Paris","t":4.5}""", "Paris");

        warehouse.Execute($"CREATE EXTERNAL SCHEMA kds FROM KINESIS IAM_ROLE '{Role}'");
        warehouse.Execute($"CREATE MATERIALIZED VIEW Readings_View BACKUP NO AUTO REFRESH NO AS {ViewSelect}");
        Advance(TimeSpan.FromMinutes(1));
        await Put("not json", "Rome");
        await Put("""{"city":"Lima","t":21}""", "Lima");
        Advance(TimeSpan.FromMinutes(4));
        warehouse.Execute("REFRESH MATERIALIZED VIEW readings_view");
        warehouse.Execute("REFRESH MATERIALIZED VIEW readings_view");

        var view = warehouse.Execute("SELECT * FROM readings_view ORDER BY sequence_number");
        // The payload's type name is the translation's to give (SUPER); the stream's own columns are checked here.
        Assert.Equal(["approximate_arrival_timestamp:timestamp", "partition_key:varchar", "shard_id:varchar", "sequence_number:varchar", "refresh_time:timestamp", "payload"],
            view.Columns.Select(c => c.Name == "payload" ? c.Name : $"{c.Name}:{c.TypeName}"));
        Assert.Equal(new object?[][]
        {
            ["2026-03-01 12:00:00", "Oslo", "shardId-000000000000", Sequence(0, 1), "2026-03-01 12:00:00", """{"city":"Oslo","t":-3}"""],
            ["2026-03-01 12:00:00", "Paris", "shardId-000000000000", Sequence(0, 2), "2026-03-01 12:00:00", """{"city":"Paris","t":4.5}"""],
            ["2026-03-01 12:01:00", "Lima", "shardId-000000000000", Sequence(0, 4), "2026-03-01 12:05:00", """{"city":"Lima","t":21}"""],
        }, view.Rows);
        Assert.Equal(new object?[][]
        {
            ["readings_view", "Manual", "Refresh successfully updated MV incrementally", "2026-03-01 12:05:00"],
            ["readings_view", "Manual", "MV was already updated", "2026-03-01 12:05:00"],
        }, Rows(warehouse, "SELECT mv_name, refresh_type, status, start_time FROM SYS_MV_REFRESH_HISTORY ORDER BY transaction_id"));
        Assert.Equal(new object?[][] { ["shardId-000000000000", Sequence(0, 2), 2L], ["shardId-000000000000", Sequence(0, 4), 2L] },
            Rows(warehouse, "SELECT partition_id, latest_position, scanned_rows FROM sys_stream_scan_states ORDER BY query_id"));
        Assert.Equal(new object?[][] { [9L, "kds", "{\"IAM_ROLE\":\"" + Role + "\"}"] },
            Rows(warehouse, "SELECT eskind, schemaname, esoptions FROM svv_external_schemas WHERE eskind = 9"));
    }

    [Fact]
    public async Task Bad_schemas_views_and_names_are_refused_with_Redshifts_messages()
    {
        var warehouse = NewWarehouse(Role);
        var noRoles = NewWarehouse();
        await Stream.CreateStreamAsync("weather-readings", 1);
        string Refused(LocalWarehouse target, string sql) => Assert.Throws<RedshiftSqlException>(() => target.Execute(sql)).Message;

        Assert.Equal("User arn:aws:redshift:us-east-1:123456789012:dbuser:test-cluster/awsuser is not authorized to assume IAM Role arn:aws:iam::123456789012:role/other. " +
            $"Use a role attached to the cluster: {Role}.",
            Refused(warehouse, "CREATE EXTERNAL SCHEMA kds FROM KINESIS IAM_ROLE 'arn:aws:iam::123456789012:role/other'"));
        Assert.Equal("Default IAM role is not set for cluster test-cluster. Name an attached role instead: IAM_ROLE 'arn:aws:iam::ACCOUNT:role/NAME'.",
            Refused(noRoles, "CREATE EXTERNAL SCHEMA kds FROM KINESIS IAM_ROLE default"));
        Assert.Equal("CREATE EXTERNAL SCHEMA kds FROM KINESIS needs IAM_ROLE: name a role attached to the cluster ('arn:aws:iam::...:role/...') or write IAM_ROLE default.",
            Refused(warehouse, "CREATE EXTERNAL SCHEMA KDS FROM KINESIS"));
        warehouse.Execute("CREATE EXTERNAL SCHEMA kds FROM KINESIS IAM_ROLE default");
        Assert.Equal("Schema \"kds\" already exists", Refused(warehouse, $"CREATE EXTERNAL SCHEMA kds FROM KINESIS IAM_ROLE '{Role}'"));
        warehouse.Execute($"CREATE EXTERNAL SCHEMA IF NOT EXISTS kds FROM KINESIS IAM_ROLE '{Role}'");

        Assert.Equal("Stream \"Weather-Readings\" does not exist in Kinesis (external schema kds). Check the name with ListStreams: stream names are case sensitive, so quote them.",
            Refused(warehouse, "CREATE MATERIALIZED VIEW v AS SELECT kinesis_data FROM kds.\"Weather-Readings\""));
        Assert.Equal("Stream \"weather\" does not exist in Kinesis (external schema kds). Check the name with ListStreams: stream names are case sensitive, so quote them.",
            Refused(warehouse, "CREATE MATERIALIZED VIEW v AS SELECT kinesis_data FROM KDS.Weather"));
        warehouse.Execute("CREATE TABLE readings (city VARCHAR(40))");
        Assert.Equal("Not supported by the local warehouse: CREATE MATERIALIZED VIEW over tables. The local warehouse makes materialized views over a Kinesis external schema (FROM schema.\"stream-name\"); for tables, use CREATE TABLE AS.",
            Refused(warehouse, "CREATE MATERIALIZED VIEW v AS SELECT city FROM public.readings"));
        Assert.Equal("relation \"readings\" already exists", Refused(warehouse, $"CREATE MATERIALIZED VIEW readings AS {ViewSelect}"));
        Assert.Equal("relation \"missing\" does not exist", Refused(warehouse, "REFRESH MATERIALIZED VIEW missing"));
        Assert.Equal("\"readings\" is not a materialized view", Refused(warehouse, "REFRESH MATERIALIZED VIEW readings"));
        Assert.Equal("relation \"missing\" does not exist", Refused(warehouse, "DROP MATERIALIZED VIEW missing"));
        warehouse.Execute("DROP MATERIALIZED VIEW IF EXISTS missing");
        Assert.Equal("Not supported by the local warehouse: this form of ALTER MATERIALIZED VIEW. Write ALTER MATERIALIZED VIEW name AUTO REFRESH YES|NO, or drop the view and create it again.",
            Refused(warehouse, "ALTER MATERIALIZED VIEW readings RENAME TO r"));
        warehouse.Execute($"CREATE MATERIALIZED VIEW orphan AS {ViewSelect}");
        await Stream.DeleteStreamAsync("weather-readings");
        Assert.Equal("Stream \"weather-readings\" of materialized view orphan no longer exists in Kinesis. Drop the view, or create the stream again.",
            Refused(warehouse, "REFRESH MATERIALIZED VIEW orphan"));
        Assert.Equal(["orphan", "t"], Rows(warehouse, "SELECT name, is_stale FROM svv_mv_info").Single());
    }

    [Fact]
    public async Task Auto_refresh_brings_the_view_up_to_date_once_the_clock_moves_and_stops_when_turned_off()
    {
        var warehouse = NewWarehouse(Role);
        await Stream.CreateStreamAsync("weather-readings", 1);
        warehouse.Execute("CREATE EXTERNAL SCHEMA kds FROM KINESIS IAM_ROLE default");
        warehouse.Execute($"CREATE MATERIALIZED VIEW live AUTO REFRESH YES AS {ViewSelect}");
        await Put("""{"city":"Oslo"}""", "Oslo");

        var beforeTheClockMoves = Rows(warehouse, "SELECT count(*) FROM live");
        var staleInfo = Rows(warehouse, "SELECT name, is_stale, state, autorefresh FROM svv_mv_info");
        Advance(TimeSpan.FromMinutes(1));
        var aMinuteLater = Rows(warehouse, "SELECT partition_key, refresh_time FROM live");
        var freshInfo = Rows(warehouse, "SELECT name, is_stale, autorefresh FROM stv_mv_info");
        warehouse.Execute("ALTER MATERIALIZED VIEW live AUTO REFRESH NO");
        await Put("""{"city":"Rome"}""", "Rome");
        Advance(TimeSpan.FromMinutes(1));
        var afterTurningItOff = Rows(warehouse, "SELECT count(*) FROM live");
        var offInfo = Rows(warehouse, "SELECT is_stale, autorefresh FROM svv_mv_info");
        var history = Rows(warehouse, "SELECT refresh_type, start_time FROM sys_mv_refresh_history");
        warehouse.Execute("DROP MATERIALIZED VIEW live");

        Assert.Equal(0L, beforeTheClockMoves.Single()[0]);
        Assert.Equal(["live", "t", 1L, "t"], staleInfo.Single());
        // Refreshing on its own, the view would have read the record at its first refresh after it arrived.
        Assert.Equal(new object?[][] { ["Oslo", "2026-03-01 12:00:10"] }, aMinuteLater);
        Assert.Equal(["live", "f", "t"], freshInfo.Single());
        Assert.Equal(1L, afterTurningItOff.Single()[0]);
        Assert.Equal(["t", "f"], offInfo.Single());
        Assert.Equal(new object?[][] { ["Auto", "2026-03-01 12:01:00"] }, history);
        Assert.Empty(Rows(warehouse, "SELECT name FROM svv_mv_info"));
        Assert.Equal("relation \"live\" does not exist", Assert.Throws<RedshiftSqlException>(() => warehouse.Execute("REFRESH MATERIALIZED VIEW live")).Message);
    }

    [Fact]
    public async Task A_record_JSON_PARSE_cannot_read_fails_every_refresh_and_an_automatic_one_is_recorded_as_failed()
    {
        var warehouse = NewWarehouse(Role);
        await Stream.CreateStreamAsync("weather-readings", 1);
        warehouse.Execute("CREATE EXTERNAL SCHEMA kds FROM KINESIS IAM_ROLE default");
        warehouse.Execute("CREATE MATERIALIZED VIEW strict AUTO REFRESH YES AS SELECT partition_key, JSON_PARSE(kinesis_data) AS payload FROM kds.\"weather-readings\"");
        await Put("""{"city":"Oslo"}""", "Oslo");
        await Put("not json", "Rome");

        Assert.Throws<RedshiftSqlException>(() => warehouse.Execute("REFRESH MATERIALIZED VIEW strict"));
        Advance(TimeSpan.FromMinutes(1));
        var rows = Rows(warehouse, "SELECT count(*) FROM strict");
        var history = Rows(warehouse, "SELECT refresh_type, start_time, status FROM sys_mv_refresh_history");

        Assert.Equal(0L, rows.Single()[0]);
        Assert.Equal(["Auto", "2026-03-01 12:01:00"], history.Single()[..2]);
        Assert.StartsWith("Refresh failed: ", (string)history.Single()[2]!);
    }

    [Fact]
    public async Task Records_that_leave_the_retention_before_a_refresh_are_lost_and_reported_in_SYS_STREAM_SCAN_ERRORS()
    {
        var warehouse = NewWarehouse(Role);
        await Stream.CreateStreamAsync("weather-readings", 1, retentionPeriodHours: 24);
        await Put("""{"n":1}""", "a");
        warehouse.Execute("CREATE EXTERNAL SCHEMA kds FROM KINESIS IAM_ROLE default");
        warehouse.Execute($"CREATE MATERIALIZED VIEW daily AS ({ViewSelect})");
        Advance(TimeSpan.FromHours(1));
        await Put("""{"n":2}""", "a");
        await Put("""{"n":3}""", "a");
        Advance(TimeSpan.FromHours(25));
        await Put("""{"n":4}""", "a");

        warehouse.Execute("REFRESH MATERIALIZED VIEW daily");

        Assert.Equal(new object?[][] { [Sequence(0, 1), """{"n":1}"""], [Sequence(0, 4), """{"n":4}"""] },
            Rows(warehouse, "SELECT sequence_number, payload FROM daily ORDER BY sequence_number"));
        Assert.Equal(new object?[][]
        {
            ["kds", "weather-readings", "daily", "2026-03-02 14:00:00", "2026-03-02 14:00:00", "shardId-000000000000", Sequence(0, 4), 1L,
                "2 records left the stream's 24-hour retention before a refresh read them"],
        }, Rows(warehouse, "SELECT external_schema_name, stream_name, mv_name, stream_timestamp, record_time, partition_id, position, error_code, error_reason FROM sys_stream_scan_errors"));
    }

    [Fact]
    public async Task After_a_split_a_refresh_reads_the_rest_of_the_closed_parent_and_then_both_children()
    {
        const string Half = "170141183460469231731687303715884105728";
        var warehouse = NewWarehouse(Role);
        await Stream.CreateStreamAsync("weather-readings", 1);
        await Put("""{"n":1}""", "a");
        warehouse.Execute("CREATE EXTERNAL SCHEMA kds FROM KINESIS IAM_ROLE default");
        warehouse.Execute($"CREATE MATERIALIZED VIEW resharded AS {ViewSelect}");
        await Put("""{"n":2}""", "a");
        await Stream.SplitShardAsync("weather-readings", "shardId-000000000000", Half);
        await Put("""{"n":3}""", "low", hashKey: "1");
        await Put("""{"n":4}""", "high", hashKey: Half);

        warehouse.Execute("REFRESH MATERIALIZED VIEW resharded");

        Assert.Equal(new object?[][]
        {
            ["shardId-000000000000", Sequence(0, 1), "a"],
            ["shardId-000000000000", Sequence(0, 2), "a"],
            ["shardId-000000000001", Sequence(1, 1), "low"],
            ["shardId-000000000002", Sequence(2, 1), "high"],
        }, Rows(warehouse, "SELECT shard_id, sequence_number, partition_key FROM resharded ORDER BY shard_id, sequence_number"));
    }
}
