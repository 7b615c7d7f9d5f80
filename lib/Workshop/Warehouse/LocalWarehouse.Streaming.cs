using DuckDB.NET.Data;

namespace StreamingWorkshop.Warehouse;

// Streaming ingestion: an external schema over Kinesis, and materialized views that read the stream's shards.
public sealed partial class LocalWarehouse
{
    private WarehouseOutcome CreateKinesisSchema(DuckDBConnection connection, string sql) =>
        throw RedshiftSqlException.NotSupported("CREATE EXTERNAL SCHEMA ... FROM KINESIS", "Load the stream's data from the lake with COPY for now.");

    private WarehouseOutcome CreateMaterializedView(DuckDBConnection connection, string sql, CancellationToken cancellationToken) =>
        throw RedshiftSqlException.NotSupported("CREATE MATERIALIZED VIEW", "Create a table with CREATE TABLE AS for now.");

    private WarehouseOutcome RefreshMaterializedView(DuckDBConnection connection, string sql, CancellationToken cancellationToken) =>
        throw RedshiftSqlException.NotSupported("REFRESH MATERIALIZED VIEW", "Create a table with CREATE TABLE AS for now.");

    /// <summary>Refreshes the views made with AUTO REFRESH YES whose turn has come on the clock, before a statement reads them.</summary>
    private void AutoRefresh(DuckDBConnection connection, CancellationToken cancellationToken) { }
}
