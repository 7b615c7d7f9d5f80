using System.Text.RegularExpressions;
using DuckDB.NET.Data;

namespace StreamingWorkshop.Warehouse;

// Tables as Redshift declares them: CREATE TABLE's physical design kept in pg_internal, shown by SVV_TABLE_INFO and PG_TABLE_DEF.
public sealed partial class LocalWarehouse
{
    private string Db => QuoteIdentifier(Cluster.Database);

    private string DbLiteral => "'" + Cluster.Database.Replace("'", "''") + "'";

    /// <summary>The temporary views <see cref="SystemViewStatements"/> makes on each engine.</summary>
    private static readonly string[] SystemViews = ["svv_table_info", "pg_table_def"];

    /// <summary>The bookkeeping tables CREATE TABLE writes to, made in the cluster's file on first use.</summary>
    private IEnumerable<string> DesignTables()
    {
        var design = $"{Db}.{SystemSchema}";
        yield return $"CREATE TABLE IF NOT EXISTS {design}.table_design (schema_name VARCHAR, table_name VARCHAR, table_id BIGINT, diststyle VARCHAR, sortkey1 VARCHAR, sortkey_num INTEGER, encoded VARCHAR, max_varchar INTEGER, backup BOOLEAN, created_at TIMESTAMP)";
        yield return $"CREATE TABLE IF NOT EXISTS {design}.column_design (schema_name VARCHAR, table_name VARCHAR, column_name VARCHAR, ordinal INTEGER, type_name VARCHAR, encoding VARCHAR, is_distkey BOOLEAN, sortkey INTEGER, not_null BOOLEAN)";
    }

    /// <summary>
    /// Redshift's two views of the bookkeeping tables, made once per engine (with the file attached, since a view is
    /// checked when it is made) so they always read the way this version of the kit shows them. DuckDB binds a view
    /// by name each time it is read, so they hold across the file's attaches.
    /// </summary>
    private IEnumerable<string> SystemViewStatements()
    {
        var design = $"{Db}.{SystemSchema}";
        yield return $"""
            CREATE OR REPLACE TEMP VIEW svv_table_info AS
            SELECT t.database_name::VARCHAR AS database, t.schema_name::VARCHAR AS schema, coalesce(d.table_id, 100000 + t.table_oid)::BIGINT AS table_id,
                   t.table_name::VARCHAR AS "table", coalesce(d.encoded, 'Y, AUTO(ENCODE)') AS encoded, coalesce(d.diststyle, 'AUTO(ALL)') AS diststyle,
                   CASE WHEN d.table_name IS NULL THEN 'AUTO(SORTKEY)' ELSE d.sortkey1 END AS sortkey1, d.max_varchar AS max_varchar,
                   coalesce(d.sortkey_num, 0) AS sortkey_num, (t.column_count + 3)::BIGINT AS size, t.estimated_size::BIGINT AS tbl_rows,
                   t.estimated_size::BIGINT AS estimated_visible_rows, d.created_at AS create_time
            FROM duckdb_tables() t LEFT JOIN {design}.table_design d ON d.schema_name = t.schema_name AND d.table_name = t.table_name
            WHERE t.database_name = {DbLiteral} AND t.schema_name <> '{SystemSchema}' AND NOT t.temporary AND t.estimated_size > 0
            """;
        yield return $"""
            CREATE OR REPLACE TEMP VIEW pg_table_def AS
            SELECT c.table_schema::VARCHAR AS schemaname, c.table_name::VARCHAR AS tablename, c.column_name::VARCHAR AS "column",
                   coalesce(cd.type_name, CASE c.data_type WHEN 'VARCHAR' THEN 'character varying(256)' WHEN 'INTEGER' THEN 'integer' WHEN 'BIGINT' THEN 'bigint'
                       WHEN 'SMALLINT' THEN 'smallint' WHEN 'DOUBLE' THEN 'double precision' WHEN 'FLOAT' THEN 'real' WHEN 'BOOLEAN' THEN 'boolean'
                       WHEN 'DATE' THEN 'date' WHEN 'TIMESTAMP' THEN 'timestamp without time zone' WHEN 'TIMESTAMP WITH TIME ZONE' THEN 'timestamp with time zone'
                       WHEN 'JSON' THEN 'super' WHEN 'BLOB' THEN 'varbyte(64000)' ELSE lower(replace(c.data_type, 'DECIMAL', 'numeric')) END) AS type,
                   coalesce(cd.encoding, CASE WHEN coalesce(cd.sortkey, 0) <> 0 THEN 'none'
                       WHEN c.data_type IN ('VARCHAR') THEN 'lzo' WHEN c.data_type IN ('BOOLEAN', 'DOUBLE', 'FLOAT') THEN 'none'
                       WHEN c.data_type IN ('JSON', 'BLOB') THEN 'zstd' ELSE 'az64' END) AS encoding,
                   coalesce(cd.is_distkey, false) AS distkey, coalesce(cd.sortkey, 0) AS sortkey, coalesce(cd.not_null, c.is_nullable = 'NO') AS notnull
            FROM information_schema.columns c
            LEFT JOIN {design}.column_design cd ON cd.schema_name = c.table_schema AND cd.table_name = c.table_name AND cd.column_name = c.column_name
            WHERE c.table_catalog = {DbLiteral} AND c.table_schema = 'public'
            ORDER BY c.table_name, c.ordinal_position
            """;
    }

    /// <summary>The names of the SUPER columns of the cluster's tables and views, so <c>payload.city</c> navigates JSON.</summary>
    private RedshiftContext Context(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT DISTINCT lower(column_name) FROM information_schema.columns WHERE data_type = 'JSON'";
        using var reader = command.ExecuteReader();
        var names = new HashSet<string>();
        while (reader.Read()) names.Add(reader.GetString(0));
        return new RedshiftContext(names);
    }

    private bool TableExists(DuckDBConnection connection, string schema, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM duckdb_tables() WHERE database_name = {DbLiteral} AND schema_name = {Literal(schema)} AND table_name = {Literal(table)}";
        return Convert.ToInt64(command.ExecuteScalar()) > 0;
    }

    /// <summary>
    /// A CTAS's query with its columns named as Redshift names them (<see cref="RedshiftSql.ColumnName"/>), so the table's
    /// columns are those a SELECT of the same query shows: <c>count</c>, not DuckDB's <c>count_star()</c>. Two columns of
    /// one name are refused as Redshift refuses them. A query DuckDB cannot describe is left as it is, to fail in its run.
    /// </summary>
    private static string NamedAsRedshift(DuckDBConnection connection, string duckSelect, string redshiftSelect)
    {
        var names = new List<string>();
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "DESCRIBE " + duckSelect;
            using var reader = command.ExecuteReader();
            while (reader.Read()) names.Add(reader.GetString(0));
        }
        catch (System.Data.Common.DbException)
        {
            return duckSelect;
        }
        var renamed = names.Select(n => RedshiftSql.ColumnName(n, redshiftSelect)).ToList();
        if (renamed.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new RedshiftSqlException($"column \"{twice.Key}\" specified more than once", "42701");
        if (renamed.SequenceEqual(names, StringComparer.Ordinal)) return duckSelect;
        return $"SELECT {string.Join(", ", names.Zip(renamed, (from, to) => $"{QuoteIdentifier(from)} AS {QuoteIdentifier(to)}"))} FROM ({duckSelect}) AS ctas_source";
    }

    private WarehouseOutcome CreateTable(DuckDBConnection connection, TableDesign design, string sql)
    {
        var schema = design.Schema ?? "public";
        var name = design.Temporary ? QuoteIdentifier(design.Name) : $"{Db}.{QuoteIdentifier(schema)}.{QuoteIdentifier(design.Name)}";
        if (!design.Temporary && TableExists(connection, schema, design.Name))
        {
            if (design.IfNotExists) return WarehouseOutcome.Done;
            throw new RedshiftSqlException($"relation \"{design.Name}\" already exists", "42P07");
        }
        var create = design.Temporary ? "CREATE TEMP TABLE" : "CREATE TABLE";
        if (design.SelectSql is { } select)
        {
            Read(connection, $"{create} {name} AS {NamedAsRedshift(connection, RedshiftSql.Translate(select, Context(connection)), select)}", sql);
        }
        else
        {
            var definitions = design.Columns.Select(column =>
            {
                if (column.Identity is not { } identity) return RedshiftDdl.DuckColumn(column, null);
                var sequence = $"{Cluster.Database}.{SystemSchema}.identity_{schema}_{design.Name}_{column.Name}";
                Run(connection, $"CREATE OR REPLACE SEQUENCE {Db}.{SystemSchema}.{QuoteIdentifier($"identity_{schema}_{design.Name}_{column.Name}")} START WITH {identity.Seed} INCREMENT BY {identity.Step}");
                return RedshiftDdl.DuckColumn(column, sequence);
            });
            Read(connection, $"{create} {name} ({string.Join(", ", definitions)})", sql);
        }
        if (!design.Temporary) RecordDesign(connection, schema, design);
        return WarehouseOutcome.Done;
    }

    private void RecordDesign(DuckDBConnection connection, string schema, TableDesign design)
    {
        var columns = design.Columns;
        if (design.SelectSql is not null)
        {
            // CREATE TABLE AS: the columns are the SELECT's, with the keys the statement named.
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT column_name, data_type, is_nullable = 'NO' FROM information_schema.columns WHERE table_catalog = {DbLiteral} AND table_schema = {Literal(schema)} AND table_name = {Literal(design.Name)} ORDER BY ordinal_position";
            using var reader = command.ExecuteReader();
            var made = new List<ColumnDesign>();
            while (reader.Read())
            {
                var column = reader.GetString(0);
                made.Add(new ColumnDesign(column, new RedshiftType(reader.GetString(1), RedshiftTypes.FromDuck(reader.GetString(1))), null, column == design.DistKey,
                    design.SortKeys.ToList().IndexOf(column) is var k and >= 0 ? (design.SortStyle == "INTERLEAVED" ? -(k + 1) : k + 1) : 0, reader.GetBoolean(2), null, null));
            }
            columns = made;
        }
        ForgetDesign(connection, schema, design.Name);
        var maxVarchar = columns.Where(c => c.Type is { MaxBytes: not null, FixedLength: false }).Select(c => c.Type.MaxBytes).Max();
        Run(connection, $"""
            INSERT INTO {Db}.{SystemSchema}.table_design
            SELECT {Literal(schema)}, {Literal(design.Name)}, coalesce((SELECT max(table_id) FROM {Db}.{SystemSchema}.table_design), 100100) + 1,
                   {Literal(design.DistStyleShown)}, {(design.SortKey1 is { } key ? Literal(key) : "NULL")}, {design.SortKeys.Count}, {Literal(design.Encoded)},
                   {(maxVarchar is { } max ? max.ToString() : "NULL")}, {design.Backup}, TIMESTAMP '{clock.GetUtcNow().UtcDateTime:yyyy-MM-dd HH:mm:ss.ffffff}'
            """);
        for (var i = 0; i < columns.Count; i++) RecordColumn(connection, schema, design.Name, columns[i], i + 1);
    }

    private void RecordColumn(DuckDBConnection connection, string schema, string table, ColumnDesign column, int ordinal) =>
        Run(connection, $"""
            INSERT INTO {Db}.{SystemSchema}.column_design VALUES ({Literal(schema)}, {Literal(table)}, {Literal(column.Name)}, {ordinal}, {Literal(column.Type.Redshift)},
                {(column.Encoding is { } encoding ? Literal(encoding == "raw" ? "none" : encoding) : "NULL")}, {column.DistKey}, {column.SortKey}, {column.NotNull})
            """);

    private void ForgetDesign(DuckDBConnection connection, string schema, string table)
    {
        Run(connection, $"DELETE FROM {Db}.{SystemSchema}.table_design WHERE schema_name = {Literal(schema)} AND table_name = {Literal(table)}");
        Run(connection, $"DELETE FROM {Db}.{SystemSchema}.column_design WHERE schema_name = {Literal(schema)} AND table_name = {Literal(table)}");
    }

    /// <summary>Keeps the design in step after DROP TABLE and ALTER TABLE ... ADD COLUMN.</summary>
    private void AfterDefinition(DuckDBConnection connection, string sql)
    {
        if (DropTable().Match(sql) is { Success: true } drop)
        {
            foreach (var name in drop.Groups["names"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = name.Split('.').Select(p => p.StartsWith('"') ? p.Trim('"') : p.ToLowerInvariant()).ToArray();
                ForgetDesign(connection, parts.Length > 1 ? parts[^2] : "public", parts[^1]);
            }
        }
    }

    /// <summary>ALTER TABLE ... ADD COLUMN with a Redshift column definition; other ALTER TABLE statements are translated.</summary>
    private WarehouseOutcome? AddColumn(DuckDBConnection connection, string sql)
    {
        if (AddColumnStatement().Match(sql) is not { Success: true } add) return null;
        var table = add.Groups["table"].Value;
        var parts = table.Split('.').Select(p => p.StartsWith('"') ? p.Trim('"') : p.ToLowerInvariant()).ToArray();
        var schema = parts.Length > 1 ? parts[^2] : "public";
        var column = RedshiftDdl.ParseColumn(add.Groups["definition"].Value);
        if (column.Identity is not null) throw RedshiftSqlException.NotSupported("ALTER TABLE ADD COLUMN ... IDENTITY", "Create the table again with the IDENTITY column.");
        var definition = RedshiftDdl.DuckColumn(column with { Type = column.Type with { MaxBytes = null } }, null);
        Read(connection, $"ALTER TABLE {Db}.{QuoteIdentifier(schema)}.{QuoteIdentifier(parts[^1])} ADD COLUMN {definition}", sql);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT count(*) FROM {Db}.{SystemSchema}.table_design WHERE schema_name = {Literal(schema)} AND table_name = {Literal(parts[^1])}";
            if (Convert.ToInt64(command.ExecuteScalar()) == 0) return WarehouseOutcome.Done;
        }
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT coalesce(max(ordinal), 0) + 1 FROM {Db}.{SystemSchema}.column_design WHERE schema_name = {Literal(schema)} AND table_name = {Literal(parts[^1])}";
            RecordColumn(connection, schema, parts[^1], column, Convert.ToInt32(command.ExecuteScalar()));
        }
        return WarehouseOutcome.Done;
    }

    [GeneratedRegex(@"^\s*DROP\s+TABLE\s+(IF\s+EXISTS\s+)?(?<names>[^;]+?)(\s+(CASCADE|RESTRICT))?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex DropTable();

    [GeneratedRegex(@"^\s*ALTER\s+TABLE\s+(?<table>(""[^""]+""|\w+)(\.(""[^""]+""|\w+))?)\s+ADD\s+(COLUMN\s+)?(?<definition>.+?)\s*$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex AddColumnStatement();
}
