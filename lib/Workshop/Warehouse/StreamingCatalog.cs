namespace StreamingWorkshop.Warehouse;

/// <summary>
/// The cluster file's tables for streaming ingestion, in pg_internal: the Kinesis external schemas, each streaming view's
/// definition and per-shard checkpoints, and Redshift's system tables and views about them (SVV_MV_INFO, STV_MV_INFO,
/// SYS_MV_REFRESH_HISTORY, SYS_STREAM_SCAN_STATES, SYS_STREAM_SCAN_ERRORS).
/// </summary>
internal static class StreamingCatalog
{
    private const string Schema = LocalWarehouse.SystemSchema;

    /// <summary>The Kinesis external schemas: name, the role they read the stream with, when they were made.</summary>
    public const string KinesisSchemas = Schema + ".kinesis_schemas";

    /// <summary>One row per streaming materialized view: its stream, its SELECT as written, auto refresh, last refresh.</summary>
    public const string Views = Schema + ".streaming_views";

    /// <summary>Per view and shard, the number of the last record the view read (sequence numbers end in it).</summary>
    public const string Checkpoints = Schema + ".streaming_checkpoints";

    /// <summary>
    /// The Kinesis schemas in SVV_EXTERNAL_SCHEMAS' columns (esoid, eskind: 9 for a Kinesis stream, schemaname, esowner, databasename, esoptions),
    /// to be unioned with the catalog's external schemas into SVV_EXTERNAL_SCHEMAS.
    /// </summary>
    public const string ExternalSchemasView = Schema + ".kinesis_external_schemas";

    /// <summary>External schemas over the Glue catalog (Spectrum); SVV_EXTERNAL_SCHEMAS shows them with the Kinesis ones.</summary>
    public const string CatalogSchemas = Schema + ".catalog_external_schemas";

    /// <summary>A table or view every statement can count on, made last, so its presence means all of them exist.</summary>
    private const string LastMade = "stv_mv_info";

    public static string ExistsQuery(string database) =>
        $"SELECT count(*) FROM duckdb_views() WHERE database_name = '{database.Replace("'", "''")}' AND schema_name = '{Schema}' AND view_name = '{LastMade}'";

    public static IReadOnlyList<string> Create(string masterUser) =>
    [
        $"CREATE TABLE IF NOT EXISTS {KinesisSchemas} (schema_name VARCHAR PRIMARY KEY, iam_role VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL)",
        $"""
        CREATE TABLE IF NOT EXISTS {Views} (mv_id BIGINT PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, external_schema VARCHAR NOT NULL,
            stream_name VARCHAR NOT NULL, definition VARCHAR NOT NULL, auto_refresh BOOLEAN NOT NULL, backup BOOLEAN NOT NULL,
            created_at TIMESTAMP NOT NULL, last_refresh_at TIMESTAMP NOT NULL, is_stale BOOLEAN NOT NULL)
        """,
        $"CREATE TABLE IF NOT EXISTS {Checkpoints} (mv_name VARCHAR NOT NULL, shard_id VARCHAR NOT NULL, last_number BIGINT NOT NULL, PRIMARY KEY (mv_name, shard_id))",
        $"""
        CREATE TABLE IF NOT EXISTS {Schema}.sys_mv_refresh_history (user_id INTEGER, session_id INTEGER, transaction_id BIGINT,
            database_name VARCHAR, schema_name VARCHAR, mv_id BIGINT, mv_name VARCHAR, refresh_type VARCHAR, status VARCHAR,
            start_time TIMESTAMP, end_time TIMESTAMP, duration BIGINT)
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {Schema}.sys_stream_scan_states (external_schema_name VARCHAR, stream_name VARCHAR, mv_name VARCHAR,
            transaction_id BIGINT, query_id BIGINT, record_time TIMESTAMP, partition_id VARCHAR, latest_position VARCHAR,
            scanned_rows BIGINT, skipped_rows BIGINT, scanned_bytes BIGINT, stream_record_time_min TIMESTAMP, stream_record_time_max TIMESTAMP)
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {Schema}.sys_stream_scan_errors (external_schema_name VARCHAR, stream_name VARCHAR, mv_name VARCHAR,
            transaction_id BIGINT, query_id BIGINT, stream_timestamp_type VARCHAR, stream_timestamp TIMESTAMP, record_time TIMESTAMP,
            partition_id VARCHAR, position VARCHAR, error_code INTEGER, error_reason VARCHAR)
        """,
        $"""
        CREATE VIEW IF NOT EXISTS {ExternalSchemasView} AS
            SELECT CAST(200000 + row_number() OVER (ORDER BY created_at, schema_name) AS INTEGER) AS esoid, CAST(9 AS SMALLINT) AS eskind,
                schema_name AS schemaname, 100 AS esowner, '' AS databasename,
                CAST(json_object('IAM_ROLE', iam_role) AS VARCHAR) AS esoptions
            FROM {KinesisSchemas}
        """,
        $"CREATE TABLE IF NOT EXISTS {CatalogSchemas} (esoid INTEGER, eskind INTEGER, schemaname VARCHAR, esowner INTEGER, databasename VARCHAR, esoptions VARCHAR)",
        $"CREATE VIEW IF NOT EXISTS {Schema}.svv_external_schemas AS SELECT * FROM {CatalogSchemas} UNION ALL SELECT * FROM {ExternalSchemasView}",
        // Redshift shows 't'/'f' in these char(1) columns; state 1 is "incremental", as a streaming view always is.
        $"""
        CREATE VIEW IF NOT EXISTS {Schema}.svv_mv_info AS
            SELECT current_database() AS database_name, 'public' AS schema_name, '{masterUser.Replace("'", "''")}' AS user_name, name,
                CASE WHEN is_stale THEN 't' ELSE 'f' END AS is_stale, 1 AS state,
                CASE WHEN auto_refresh THEN 't' ELSE 'f' END AS autorefresh, 'f' AS autorewrite
            FROM {Views}
        """,
        $"""
        CREATE VIEW IF NOT EXISTS {Schema}.{LastMade} AS
            SELECT current_database() AS db_name, 'public' AS schema, name, mv_id AS updated_upto_xid,
                CASE WHEN is_stale THEN 't' ELSE 'f' END AS is_stale, '{masterUser.Replace("'", "''")}' AS owner_user_name, 1 AS state,
                CASE WHEN auto_refresh THEN 't' ELSE 'f' END AS autorefresh, 'f' AS autorewrite
            FROM {Views}
        """,
    ];
}
