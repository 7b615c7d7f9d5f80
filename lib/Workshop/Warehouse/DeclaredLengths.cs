using System.Globalization;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;

namespace StreamingWorkshop.Warehouse;

/// <summary>
/// The lengths CREATE TABLE declares for character columns (VARCHAR(40), CHAR(2), VARCHAR without a length meaning 256),
/// kept in pg_internal because DuckDB keeps no length: COPY needs them to refuse a value too long, or to cut it with
/// TRUNCATECOLUMNS, as Redshift does.
/// </summary>
internal static partial class DeclaredLengths
{
    public const string Table = LocalWarehouse.SystemSchema + ".column_lengths";

    /// <summary>Records the lengths a CREATE TABLE statement declares, before it runs, if the table does not exist yet; DROP TABLE forgets them.</summary>
    public static void Record(DuckDBConnection connection, string database, string sql)
    {
        var drop = DropTable().Match(sql);
        if (drop.Success)
        {
            var (dropSchema, dropTable) = Name(drop.Groups["name"].Value);
            if (Exists(connection, database, Table[(Table.IndexOf('.') + 1)..], LocalWarehouse.SystemSchema))
                Run(connection, $"DELETE FROM {Table} WHERE schema_name = {Literal(dropSchema)} AND table_name = {Literal(dropTable)}");
            return;
        }
        var create = CreateTable().Match(sql);
        if (!create.Success) return;
        var (schema, table) = Name(create.Groups["name"].Value);
        if (Exists(connection, database, table, schema)) return;
        var lengths = new List<(string Column, int Length)>();
        foreach (var definition in TopLevel(sql[(create.Index + create.Length)..]))
        {
            var column = ColumnDefinition().Match(definition);
            if (!column.Success) continue;
            var name = LoadTokens.Identifier(column.Groups["column"].Value);
            var type = column.Groups["type"].Value.ToUpperInvariant();
            var size = column.Groups["size"].Value.ToUpperInvariant();
            var length = size switch
            {
                "" => type.Contains("CHAR", StringComparison.Ordinal) && !type.Contains("VAR", StringComparison.Ordinal) && !type.Contains("VARYING", StringComparison.Ordinal) ? 1 : 256,
                "MAX" => 65535,
                _ => int.Parse(size, CultureInfo.InvariantCulture),
            };
            lengths.Add((name, length));
        }
        Run(connection, $"CREATE TABLE IF NOT EXISTS {Table} (schema_name VARCHAR, table_name VARCHAR, column_name VARCHAR, max_length INTEGER)");
        Run(connection, $"DELETE FROM {Table} WHERE schema_name = {Literal(schema)} AND table_name = {Literal(table)}");
        foreach (var (column, length) in lengths)
            Run(connection, $"INSERT INTO {Table} VALUES ({Literal(schema)}, {Literal(table)}, {Literal(column)}, {length})");
    }

    /// <summary>The declared length of each character column of a table, by column name.</summary>
    public static Dictionary<string, int> Of(DuckDBConnection connection, string database, string schema, string table)
    {
        var lengths = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!Exists(connection, database, "column_lengths", LocalWarehouse.SystemSchema)) return lengths;
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT column_name, max_length FROM {Table} WHERE schema_name = $1 AND table_name = $2";
        command.Parameters.Add(new DuckDBParameter(schema));
        command.Parameters.Add(new DuckDBParameter(table));
        using var reader = command.ExecuteReader();
        while (reader.Read()) lengths[reader.GetString(0)] = reader.GetInt32(1);
        return lengths;
    }

    private static (string Schema, string Table) Name(string text)
    {
        var parts = text.Split('.', 2);
        return parts.Length == 2 ? (LoadTokens.Identifier(parts[0].Trim()), LoadTokens.Identifier(parts[1].Trim())) : ("public", LoadTokens.Identifier(text.Trim()));
    }

    private static bool Exists(DuckDBConnection connection, string database, string table, string schema)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM duckdb_tables() WHERE database_name = $1 AND schema_name = $2 AND table_name = $3";
        command.Parameters.Add(new DuckDBParameter(database));
        command.Parameters.Add(new DuckDBParameter(schema));
        command.Parameters.Add(new DuckDBParameter(table));
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>The comma-separated parts of the column list, up to its closing bracket.</summary>
    private static IEnumerable<string> TopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '(') depth++;
            else if (text[i] == ')' && depth-- == 0) { yield return text[start..i]; yield break; }
            else if (text[i] == ',' && depth == 0) { yield return text[start..i]; start = i + 1; }
        }
    }

    private static void Run(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Literal(string text) => "'" + text.Replace("'", "''") + "'";

    private const string Identifier = @"""(?:[^""]|"""")+""|[A-Za-z_][A-Za-z0-9_$]*";

    [GeneratedRegex(@"^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?<name>(?:" + Identifier + @")(?:\s*\.\s*(?:" + Identifier + @"))?)\s*\(", RegexOptions.IgnoreCase)]
    private static partial Regex CreateTable();

    [GeneratedRegex(@"^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?<name>(?:" + Identifier + @")(?:\s*\.\s*(?:" + Identifier + @"))?)", RegexOptions.IgnoreCase)]
    private static partial Regex DropTable();

    [GeneratedRegex(@"^\s*(?<column>" + Identifier + @")\s+(?<type>CHARACTER\s+VARYING|NATIONAL\s+CHARACTER\s+VARYING|VARCHAR|NVARCHAR|TEXT|BPCHAR|CHARACTER|NCHAR|CHAR)\b\s*(?:\(\s*(?<size>\d+|MAX)\s*\))?", RegexOptions.IgnoreCase)]
    private static partial Regex ColumnDefinition();
}
