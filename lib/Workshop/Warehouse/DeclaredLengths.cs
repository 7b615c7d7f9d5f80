using System.Globalization;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;

namespace StreamingWorkshop.Warehouse;

/// <summary>
/// The byte lengths CREATE TABLE declared for a table's character columns (VARCHAR(40), CHAR(2); 256 without a length), read
/// from the table's design in pg_internal, because DuckDB keeps no length: COPY needs them to refuse a value too long, or to
/// cut it with TRUNCATECOLUMNS, as Redshift does.
/// </summary>
internal static partial class DeclaredLengths
{
    public static Dictionary<string, int> Of(DuckDBConnection connection, string schema, string table)
    {
        var lengths = new Dictionary<string, int>(StringComparer.Ordinal);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT column_name, type_name FROM {LocalWarehouse.SystemSchema}.column_design WHERE schema_name = $1 AND table_name = $2";
        command.Parameters.Add(new DuckDBParameter(schema));
        command.Parameters.Add(new DuckDBParameter(table));
        using var reader = command.ExecuteReader();
        while (reader.Read())
            if (CharacterType().Match(reader.GetString(1)) is { Success: true } declared)
                lengths[reader.GetString(0)] = int.Parse(declared.Groups["length"].Value, CultureInfo.InvariantCulture);
        return lengths;
    }

    [GeneratedRegex(@"^character(?: varying)?\((?<length>\d+)\)$")]
    private static partial Regex CharacterType();
}
