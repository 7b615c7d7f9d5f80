using DuckDB.NET.Data;

namespace StreamingWorkshop.Warehouse;

// COPY from the lake, UNLOAD to it, and external schemas over the Glue catalog (Spectrum).
public sealed partial class LocalWarehouse
{
    private WarehouseOutcome RunCopy(DuckDBConnection connection, string sql, CancellationToken cancellationToken) =>
        throw RedshiftSqlException.NotSupported("COPY", "Load rows with INSERT for now.");

    private WarehouseOutcome RunUnload(DuckDBConnection connection, string sql, CancellationToken cancellationToken) =>
        throw RedshiftSqlException.NotSupported("UNLOAD", "Query the rows with SELECT for now.");

    private WarehouseOutcome CreateCatalogSchema(DuckDBConnection connection, string sql) =>
        throw RedshiftSqlException.NotSupported("CREATE EXTERNAL SCHEMA ... FROM DATA CATALOG", "Query the lake with Athena for now.");

    /// <summary>Makes the external tables <paramref name="sql"/> names readable: a view over the lake's files for each.</summary>
    private void PrepareExternalTables(DuckDBConnection connection, string sql) { }
}
