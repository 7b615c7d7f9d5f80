using System.Text.Json;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using StreamingWorkshop.Query;

namespace StreamingWorkshop.Warehouse;

// Spectrum: an external schema over a Glue database; its tables read the lake's files as Athena reads them.
public sealed partial class LocalWarehouse
{
    private const string ExternalSchemas = StreamingCatalog.CatalogSchemas;

    private WarehouseOutcome CreateCatalogSchema(DuckDBConnection connection, string sql)
    {
        var tokens = new LoadTokens(sql);
        tokens.Expect("CREATE");
        tokens.Expect("EXTERNAL");
        tokens.Expect("SCHEMA");
        var ifNotExists = tokens.Accept("IF") && Expect(tokens, "NOT") && Expect(tokens, "EXISTS");
        var nameToken = tokens.Take("the schema's name");
        if (!LoadTokens.IsIdentifier(nameToken)) throw new RedshiftSqlException($"syntax error at or near \"{nameToken}\": a schema name is expected", "42601");
        var name = LoadTokens.Identifier(nameToken);
        tokens.Expect("FROM");
        if (tokens.Accept("DATA")) tokens.Expect("CATALOG");
        else if (tokens.Peek.ToUpperInvariant() is "HIVE" or "POSTGRES" or "MYSQL" or "REDSHIFT" or "MSK" or "KAFKA")
            throw RedshiftSqlException.NotSupported($"CREATE EXTERNAL SCHEMA ... FROM {tokens.Peek.ToUpperInvariant()}", "Use FROM DATA CATALOG with the lake's Glue database, or FROM KINESIS for the stream.");
        string? database = null, role = null, region = null;
        var createDatabase = false;
        while (!tokens.AtEnd)
        {
            var word = tokens.Take("an option").ToUpperInvariant();
            switch (word)
            {
                case "DATABASE": database = tokens.QuotedString("the Glue database's name"); break;
                case "IAM_ROLE": role = tokens.Accept("default") ? "default" : tokens.QuotedString("IAM_ROLE's ARN"); break;
                case "REGION": region = tokens.QuotedString("REGION's value"); break;
                case "CATALOG_ROLE": if (!tokens.Accept("default")) tokens.QuotedString("CATALOG_ROLE's ARN"); break;
                case "CREATE":
                    tokens.Expect("EXTERNAL"); tokens.Expect("DATABASE"); tokens.Expect("IF"); tokens.Expect("NOT"); tokens.Expect("EXISTS");
                    createDatabase = true;
                    break;
                default: throw new RedshiftSqlException($"syntax error at or near \"{word}\"", "42601");
            }
        }
        if (database is null) throw new RedshiftSqlException("CREATE EXTERNAL SCHEMA ... FROM DATA CATALOG needs DATABASE 'glue_database': name the Glue database the schema shows.", "42601");
        var arn = RequireRole(role, region, "CREATE EXTERNAL SCHEMA");
        if (SchemaExists(connection, name))
        {
            if (ifNotExists) return WarehouseOutcome.Done;
            throw new RedshiftSqlException($"Schema \"{name}\" already exists", "42P06");
        }
        var glueDatabase = database.ToLowerInvariant();
        if (!catalog.DatabaseExists(glueDatabase))
        {
            if (!createDatabase)
                throw new RedshiftSqlException($"External database \"{glueDatabase}\" does not exist in the data catalog. Run the crawler that makes it, or end the statement with CREATE EXTERNAL DATABASE IF NOT EXISTS.");
            catalog.CreateDatabase(glueDatabase);
        }
        var options = JsonSerializer.Serialize(new Dictionary<string, string> { ["IAM_ROLE"] = arn, ["REGION"] = region ?? "" }.Where(kv => kv.Value.Length > 0).ToDictionary());
        Run(connection, $"CREATE SCHEMA {QuoteIdentifier(Cluster.Database)}.{QuoteIdentifier(name)}");
        Run(connection, $"INSERT INTO {ExternalSchemas} SELECT coalesce(max(esoid), 100000) + 1, 1, {Literal(name)}, 100, {Literal(glueDatabase)}, {Literal(options)} FROM {ExternalSchemas}");
        return WarehouseOutcome.Done;
    }

    private static bool Expect(LoadTokens tokens, string word)
    {
        tokens.Expect(word);
        return true;
    }

    /// <summary>Whether a schema of that name exists: the database's own, or an external one over the catalog or over Kinesis.</summary>
    private bool SchemaExists(DuckDBConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM duckdb_schemas() WHERE database_name = $1 AND schema_name = $2";
        command.Parameters.Add(new DuckDBParameter(Cluster.Database));
        command.Parameters.Add(new DuckDBParameter(name));
        return Convert.ToInt64(command.ExecuteScalar()) > 0 || KinesisSchemaNames(connection).Contains(name) || ExternalSchemaMap(connection).ContainsKey(name);
    }

    /// <summary>The cluster's external schemas over the data catalog: schema name to Glue database.</summary>
    private Dictionary<string, string> ExternalSchemaMap(DuckDBConnection connection)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        using var read = connection.CreateCommand();
        read.CommandText = $"SELECT schemaname, databasename FROM {ExternalSchemas}";
        using var reader = read.ExecuteReader();
        while (reader.Read()) map[reader.GetString(0)] = reader.GetString(1);
        return map;
    }

    /// <summary>
    /// Runs before every translated statement. Makes the external tables <paramref name="sql"/> names readable: a view over the lake's files for each, made
    /// afresh so it sees the objects and partitions of now. SVV_EXTERNAL_TABLES is filled from the catalog when named,
    /// and DROP SCHEMA of an external schema forgets it.
    /// </summary>
    private void PrepareExternalTables(DuckDBConnection connection, string sql)
    {
        var schemas = ExternalSchemaMap(connection);
        if (schemas.Count == 0) return;
        var drop = DropSchema().Match(sql);
        if (drop.Success && schemas.ContainsKey(LoadTokens.Identifier(drop.Groups["name"].Value)))
        {
            var name = LoadTokens.Identifier(drop.Groups["name"].Value);
            // The views go with the schema; the Glue database and the lake's objects stay, as in Redshift.
            Run(connection, $"DROP SCHEMA {QuoteIdentifier(Cluster.Database)}.{QuoteIdentifier(name)} CASCADE");
            Run(connection, $"CREATE SCHEMA {QuoteIdentifier(Cluster.Database)}.{QuoteIdentifier(name)}");
            Run(connection, $"DELETE FROM {ExternalSchemas} WHERE schemaname = {Literal(name)}");
            return;
        }
        if (sql.Contains("svv_external_tables", StringComparison.OrdinalIgnoreCase)) FillExternalTables(connection, schemas);
        var scans = new LakeTableScan(catalog, lake, clock);
        foreach (Match match in QualifiedName().Matches(sql))
        {
            var schema = LoadTokens.Identifier(match.Groups["schema"].Value);
            if (!schemas.TryGetValue(schema, out var database)) continue;
            var table = LoadTokens.Identifier(match.Groups["table"].Value);
            if (!catalog.DatabaseExists(database))
                throw new RedshiftSqlException($"External database \"{database}\" of schema \"{schema}\" does not exist in the data catalog. Run the crawler that makes it, or drop the schema.");
            if (!catalog.TableExists(database, table))
                throw new RedshiftSqlException($"relation \"{schema}.{table}\" does not exist", "42P01");
            var glue = catalog.GetTable(database, table);
            if (glue.IsView) throw RedshiftSqlException.NotSupported($"Reading the Glue view {database}.{table} through an external schema", "Query the view with Athena, or its underlying table here.");
            string scan;
            try
            {
                // Rows an Athena engine saved from exactly the objects there now give what the objects would, in the same
                // order, without opening each one; otherwise the objects are read, from the one listing made here.
                var objects = scans.PathPartitionedObjects(glue);
                scan = LakeRowCache.SavedRowsOf(workspace, workspace.Resolve(LakeRowCache.SavedFolder), database, table, glue, objects) is { } rows
                    ? $"SELECT {LakeTableScan.Projection(glue, null)} FROM read_parquet('{rows.Replace("'", "''")}')"
                    : objects is not null ? LakeTableScan.SqlOver(glue, objects) : scans.Sql(glue);
            }
            catch (AthenaQueryException error)
            {
                throw new RedshiftSqlException($"External table {schema}.{table} cannot be read: {error.Message}");
            }
            Run(connection, $"CREATE OR REPLACE VIEW {QuoteIdentifier(Cluster.Database)}.{QuoteIdentifier(schema)}.{QuoteIdentifier(table)} AS {scan}");
        }
    }

    private void FillExternalTables(DuckDBConnection connection, IReadOnlyDictionary<string, string> schemas)
    {
        Run(connection, $"""
            CREATE OR REPLACE TABLE {SystemSchema}.svv_external_tables (
                redshift_database_name VARCHAR, schemaname VARCHAR, tablename VARCHAR, location VARCHAR, input_format VARCHAR, output_format VARCHAR,
                serialization_lib VARCHAR, serde_parameters VARCHAR, compressed INTEGER, parameters VARCHAR, tabletype VARCHAR)
            """);
        foreach (var (schema, database) in schemas.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (!catalog.DatabaseExists(database)) continue;
            foreach (var table in catalog.GetTables(database).OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                var parameters = JsonSerializer.Serialize(table.Parameters);
                var compressed = table.Parameters.TryGetValue("compressionType", out var compression) && compression != "none" ? 1 : 0;
                Run(connection, $"""
                    INSERT INTO {SystemSchema}.svv_external_tables VALUES ({Literal(Cluster.Database)}, {Literal(schema)}, {Literal(table.Name)}, {Literal(table.Location ?? "")},
                        {Literal(table.InputFormat ?? "")}, {Literal(table.OutputFormat ?? "")}, {Literal(table.SerdeLibrary ?? "")}, {Literal("{}")}, {compressed}, {Literal(parameters)},
                        {Literal(table.IsView ? "VIEW" : "EXTERNAL TABLE")})
                    """);
            }
        }
    }

    [GeneratedRegex(@"^\s*DROP\s+SCHEMA\s+(IF\s+EXISTS\s+)?(?<name>""(?:[^""]|"""")+""|[A-Za-z_][A-Za-z0-9_$]*)", RegexOptions.IgnoreCase)]
    private static partial Regex DropSchema();

    [GeneratedRegex(@"(?<schema>""(?:[^""]|"""")+""|[A-Za-z_][A-Za-z0-9_$]*)\s*\.\s*(?<table>""(?:[^""]|"""")+""|[A-Za-z_][A-Za-z0-9_$]*)")]
    private static partial Regex QualifiedName();
}
