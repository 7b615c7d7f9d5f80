using DuckDB.NET.Data;
using StreamingWorkshop.Catalog;

namespace StreamingWorkshop.Query;

/// <summary>
/// Athena's information_schema over the Glue catalog: its databases (schemata), tables and views (tables, views) and
/// their columns, partition keys last (columns). The engine's own information_schema describes its tables, not the
/// lake's, so the translator names these instead, and the local engine fills them from the catalog before a query reads them.
/// </summary>
internal static class InformationSchema
{
    public static readonly IReadOnlyList<string> Views = ["columns", "schemata", "tables", "views"];

    private const string EngineSchema = "$information_schema";

    /// <summary>The engine's name for one of Athena's information_schema views, in the kit's catalog.</summary>
    public static string EngineName(string view) => $"\"{EngineSchema}\".\"{view}\"";

    public static bool IsNamedIn(string translated) => translated.Contains($"\"{EngineSchema}\".", StringComparison.Ordinal);

    /// <summary>Makes the four tables afresh from the catalog as it is now.</summary>
    public static void Fill(DuckDBConnection engine, LocalGlueCatalog catalog)
    {
        const string at = $"{LocalAthena.EngineCatalog}.\"{EngineSchema}\"";
        var catalogName = LocalAthena.EngineCatalog;
        var databases = catalog.GetDatabases().Select(d => d.Name).Order(StringComparer.Ordinal).ToList();
        var tables = databases.SelectMany(d => catalog.GetTables(d).OrderBy(t => t.Name, StringComparer.Ordinal)).ToList();
        Execute(engine, $"CREATE SCHEMA IF NOT EXISTS {at}");
        Execute(engine, $"CREATE OR REPLACE TABLE {at}.schemata (catalog_name VARCHAR, schema_name VARCHAR)");
        Execute(engine, $"CREATE OR REPLACE TABLE {at}.tables (table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, table_type VARCHAR)");
        Execute(engine, $"CREATE OR REPLACE TABLE {at}.views (table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, view_definition VARCHAR)");
        Execute(engine, $"""
            CREATE OR REPLACE TABLE {at}.columns (table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, column_name VARCHAR,
                ordinal_position BIGINT, column_default VARCHAR, is_nullable VARCHAR, data_type VARCHAR, comment VARCHAR, extra_info VARCHAR)
            """);
        // Athena lists information_schema among the databases and its views among the tables.
        foreach (var database in databases.Append("information_schema").Order(StringComparer.Ordinal))
            Insert(engine, $"{at}.schemata", catalogName, database);
        foreach (var view in Views) Insert(engine, $"{at}.tables", catalogName, "information_schema", view, "BASE TABLE");
        foreach (var table in tables)
        {
            Insert(engine, $"{at}.tables", catalogName, table.DatabaseName, table.Name, table.IsView ? "VIEW" : "BASE TABLE");
            if (table.IsView) Insert(engine, $"{at}.views", catalogName, table.DatabaseName, table.Name, table.ViewOriginalText);
            var position = 0L;
            foreach (var (column, partitionKey) in table.Columns.Select(c => (c, false)).Concat(table.PartitionKeys.Select(c => (c, true))))
                Insert(engine, $"{at}.columns", catalogName, table.DatabaseName, table.Name, column.Name, ++position, null, "YES",
                    HiveTypes.ToAthena(column.Type), column.Comment, partitionKey ? "partition key" : null);
        }
    }

    private static void Execute(DuckDBConnection engine, string sql)
    {
        using var command = engine.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void Insert(DuckDBConnection engine, string table, params object?[] values)
    {
        using var command = engine.CreateCommand();
        command.CommandText = $"INSERT INTO {table} VALUES ({string.Join(", ", values.Select((_, i) => $"${i + 1}"))})";
        foreach (var value in values) command.Parameters.Add(new DuckDBParameter(value ?? DBNull.Value));
        command.ExecuteNonQuery();
    }
}
