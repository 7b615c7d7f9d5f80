using System.Text.RegularExpressions;

namespace StreamingWorkshop.Warehouse;

/// <summary>What kind of statement the warehouse was given: the ones it runs itself, and the rest it translates.</summary>
public enum RedshiftStatementKind
{
    Translated,
    Copy,
    Unload,
    CreateCatalogSchema,
    CreateKinesisSchema,
    CreateMaterializedView,
    RefreshMaterializedView,
    DropMaterializedView,
    AlterMaterializedView,
}

public sealed record RedshiftStatement(RedshiftStatementKind Kind, string Text);

/// <summary>
/// Redshift's dialect on DuckDB: which statements the warehouse runs itself, the translation of the rest, Redshift's
/// type names for result columns, and DuckDB's errors in Redshift's words.
/// </summary>
public static partial class RedshiftSql
{
    /// <summary>Macros made in every connection before the sandbox locks, for the Redshift functions DuckDB lacks.</summary>
    public static IReadOnlyList<string> Macros { get; } =
    [
        // SUPER holds JSON: JSON_PARSE fails on text that is not JSON, as Redshift does; CAN_JSON_PARSE asks first.
        "CREATE OR REPLACE TEMP MACRO json_parse(text) AS json(text)",
        "CREATE OR REPLACE TEMP MACRO can_json_parse(text) AS coalesce(json_valid(text), false)",
        // VARBYTE is a BLOB; the stream's kinesis_data arrives as one. Only UTF-8 text is decoded.
        "CREATE OR REPLACE TEMP MACRO from_varbyte(bytes, format) AS decode(bytes)",
    ];

    public static RedshiftStatement Classify(string sql)
    {
        var text = sql.Trim().TrimEnd(';').Trim();
        if (text.Length == 0) throw new RedshiftSqlException("syntax error at end of input", "42601");
        var kind = text switch
        {
            _ when CopyStatement().IsMatch(text) => RedshiftStatementKind.Copy,
            _ when UnloadStatement().IsMatch(text) => RedshiftStatementKind.Unload,
            _ when KinesisSchema().IsMatch(text) => RedshiftStatementKind.CreateKinesisSchema,
            _ when ExternalSchema().IsMatch(text) => RedshiftStatementKind.CreateCatalogSchema,
            _ when MaterializedView().IsMatch(text) => RedshiftStatementKind.CreateMaterializedView,
            _ when RefreshView().IsMatch(text) => RedshiftStatementKind.RefreshMaterializedView,
            _ when DropView().IsMatch(text) => RedshiftStatementKind.DropMaterializedView,
            _ when AlterView().IsMatch(text) => RedshiftStatementKind.AlterMaterializedView,
            _ => RedshiftStatementKind.Translated,
        };
        return new RedshiftStatement(kind, text);
    }

    /// <summary>The statement in DuckDB's dialect.</summary>
    public static string Translate(string sql) => sql;

    /// <summary>Redshift's name for a DuckDB column type, as ColumnMetadata's typeName gives it.</summary>
    public static string RedshiftTypeName(string duckType) => duckType.ToUpperInvariant() switch
    {
        "BIGINT" => "int8",
        "INTEGER" => "int4",
        "SMALLINT" => "int2",
        "DOUBLE" => "float8",
        "FLOAT" => "float4",
        "BOOLEAN" => "bool",
        "VARCHAR" => "varchar",
        "DATE" => "date",
        "TIMESTAMP" => "timestamp",
        "TIMESTAMP WITH TIME ZONE" => "timestamptz",
        "BLOB" => "varbyte",
        "JSON" => "super",
        var other when other.StartsWith("DECIMAL", StringComparison.Ordinal) => "numeric",
        var other => other.ToLowerInvariant(),
    };

    /// <summary>A value as the Data API carries it: whole numbers as long, fractions as double, the rest as text, bool or bytes.</summary>
    public static object? Normalise(object value) => value switch
    {
        System.Numerics.BigInteger big => (long)big,
        int or short or sbyte or byte or ushort or uint => Convert.ToInt64(value),
        ulong unsigned => (long)unsigned,
        float single => (double)single,
        decimal number => number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        DateTime time => time.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", System.Globalization.CultureInfo.InvariantCulture).TrimEnd('.'),
        DateOnly date => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        _ => value,
    };

    /// <summary>Whether the statement changes rows (INSERT, UPDATE, DELETE), so its result is a count.</summary>
    public static bool ChangesRows(string sql) => ChangingStatement().IsMatch(sql);

    /// <summary>DuckDB's error as Redshift would word it.</summary>
    public static RedshiftSqlException ErrorFrom(string duckMessage, string original) => new(duckMessage);

    [GeneratedRegex(@"^COPY\s", RegexOptions.IgnoreCase)]
    private static partial Regex CopyStatement();

    [GeneratedRegex(@"^UNLOAD\s*\(", RegexOptions.IgnoreCase)]
    private static partial Regex UnloadStatement();

    [GeneratedRegex(@"^CREATE\s+EXTERNAL\s+SCHEMA\s.*\sFROM\s+KINESIS\b", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex KinesisSchema();

    [GeneratedRegex(@"^CREATE\s+EXTERNAL\s+SCHEMA\s", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalSchema();

    [GeneratedRegex(@"^CREATE\s+MATERIALIZED\s+VIEW\s", RegexOptions.IgnoreCase)]
    private static partial Regex MaterializedView();

    [GeneratedRegex(@"^REFRESH\s+MATERIALIZED\s+VIEW\s", RegexOptions.IgnoreCase)]
    private static partial Regex RefreshView();

    [GeneratedRegex(@"^DROP\s+MATERIALIZED\s+VIEW\s", RegexOptions.IgnoreCase)]
    private static partial Regex DropView();

    [GeneratedRegex(@"^ALTER\s+MATERIALIZED\s+VIEW\s", RegexOptions.IgnoreCase)]
    private static partial Regex AlterView();

    [GeneratedRegex(@"^\s*(INSERT|UPDATE|DELETE)\s", RegexOptions.IgnoreCase)]
    private static partial Regex ChangingStatement();
}
