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
        "CREATE OR REPLACE TEMP MACRO from_varbyte(bytes, format) AS CASE lower(format) WHEN 'hex' THEN lower(hex(bytes)) ELSE decode(bytes) END",
        "CREATE OR REPLACE TEMP MACRO rs_to_varbyte(text, format) AS CASE lower(format) WHEN 'hex' THEN unhex(text) ELSE encode(text) END",
        "CREATE OR REPLACE TEMP MACRO json_serialize(value) AS CAST(value AS VARCHAR)",
        "CREATE OR REPLACE TEMP MACRO is_valid_json(text) AS coalesce(json_valid(text), false) AND json_type(text) = 'OBJECT'",
        "CREATE OR REPLACE TEMP MACRO is_valid_json_array(text) AS coalesce(json_valid(text), false) AND json_type(text) = 'ARRAY'",
        // Redshift gives an empty string for a path that is not in the document.
        "CREATE OR REPLACE TEMP MACRO rs_json_path_text(document, path) AS CASE WHEN document IS NULL THEN NULL ELSE coalesce(json_extract_string(document, path), '') END",
        // DuckDB gives NULL for x / 0; Redshift stops the statement.
        "CREATE OR REPLACE TEMP MACRO rs_divisor(value) AS CASE WHEN value = 0 THEN error('division by zero') ELSE value END",
    ];

    /// <summary>GETDATE() and SYSDATE on the warehouse's clock (the workspace's virtual clock): GETDATE to the second, SYSDATE to the microsecond.</summary>
    public static IReadOnlyList<string> ClockMacros(DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        var seconds = utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerSecond));
        var micro = utc.AddTicks(-(utc.Ticks % 10));
        return
        [
            $"CREATE OR REPLACE TEMP MACRO getdate() AS TIMESTAMP '{seconds:yyyy-MM-dd HH:mm:ss}'",
            $"CREATE OR REPLACE TEMP MACRO sysdate() AS TIMESTAMP '{micro:yyyy-MM-dd HH:mm:ss.ffffff}'",
        ];
    }

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
    public static string Translate(string sql) => Translate(sql, RedshiftContext.Empty);

    /// <summary>The statement in DuckDB's dialect, navigating the SUPER columns <paramref name="context"/> names.</summary>
    public static string Translate(string sql, RedshiftContext context) => RedshiftTranslator.Translate(sql, context);

    /// <summary>
    /// Redshift's name for a result column DuckDB named <paramref name="engineName"/>. Redshift folds names to lower case;
    /// an expression left unaliased is named after its function (<c>count</c>, <c>max</c>), or <c>?column?</c> when it
    /// is not a call. DuckDB names it by its own text (<c>count_star()</c>, or the translation of a Redshift function),
    /// which would show the engine beneath. A name the statement itself quotes is an alias, whatever its shape.
    /// </summary>
    public static string ColumnName(string engineName, string statement)
    {
        if (SimpleColumnName().IsMatch(engineName) || statement.Contains('"' + engineName.Replace("\"", "\"\"") + '"', StringComparison.Ordinal))
            return engineName.ToLowerInvariant();
        if (CallColumnName().Match(engineName) is { Success: true } call)
        {
            var function = call.Groups["function"].Value.ToLowerInvariant();
            return function switch
            {
                "count_star" => "count",
                // The engine's names for LISTAGG and APPROXIMATE COUNT(DISTINCT ...), named as Redshift names them.
                "string_agg" => "listagg",
                "approx_count_distinct" => "count",
                "cast" or "try_cast" => CastOfColumn().Match(engineName) is { Success: true } cast ? cast.Groups["column"].Value.ToLowerInvariant() : "?column?",
                _ => function,
            };
        }
        return "?column?";
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_$]*$")]
    private static partial Regex SimpleColumnName();

    [GeneratedRegex(@"^(?<function>[A-Za-z_][A-Za-z0-9_]*)\(.*\)$", RegexOptions.Singleline)]
    private static partial Regex CallColumnName();

    [GeneratedRegex(@"^(?:try_)?cast\((?<column>[A-Za-z_][A-Za-z0-9_]*) AS ", RegexOptions.IgnoreCase)]
    private static partial Regex CastOfColumn();

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
        // TIMESTAMPTZ as Redshift prints it: in UTC, with the offset +00.
        DateTimeOffset zoned => zoned.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", System.Globalization.CultureInfo.InvariantCulture).TrimEnd('.') + "+00",
        DateOnly date => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        Stream bytes => ReadAll(bytes),
        _ => value,
    };

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Whether the statement changes rows (INSERT, UPDATE, DELETE), so its result is a count.</summary>
    public static bool ChangesRows(string sql) => ChangingStatement().IsMatch(sql);

    /// <summary>DuckDB's error as Redshift would word it.</summary>
    public static RedshiftSqlException ErrorFrom(string duckMessage, string original) => RedshiftErrors.From(duckMessage, original);

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

public static partial class RedshiftSql
{
    /// <summary>
    /// Refuses text that holds a second statement after a semicolon, as the Data API does: ExecuteStatement runs one
    /// statement, and so does each statement of a batch. Semicolons at the very end are allowed.
    /// </summary>
    public static void RequireSingleStatement(string sql)
    {
        if (Query.AthenaSql.SecondStatementOffset(sql) is null) return;
        throw new RedshiftSqlException("cannot insert multiple commands into a prepared statement. A call runs one statement: run each on its own, or send them together as a batch (BatchExecuteStatement).", "42601");
    }

    /// <summary>Fails by name for what Redshift has and the local warehouse does not.</summary>
    public static void RefuseUnsupported(string sql)
    {
        var text = sql.TrimStart();
        (string Feature, string Instead)? refused = text switch
        {
            _ when Starts(text, @"CREATE\s+(OR\s+REPLACE\s+)?PROCEDURE\b") || Starts(text, @"CALL\b") => ("Stored procedures (CREATE PROCEDURE, CALL)", "Run the statements one by one, or as a batch (BatchExecuteStatement)."),
            _ when Starts(text, @"CREATE\s+(OR\s+REPLACE\s+)?LIBRARY\b") => ("CREATE LIBRARY", "Write the logic in SQL."),
            _ when Starts(text, @"CREATE\s+(OR\s+REPLACE\s+)?(EXTERNAL\s+)?FUNCTION\b") => ("User-defined functions (CREATE FUNCTION, Python and Lambda UDFs)", "Write the expression in the query itself."),
            // DuckDB's macros are no Redshift statement; the warehouse's engine keeps its own between statements.
            _ when Starts(text, @"CREATE\s+(OR\s+REPLACE\s+)?(TEMP(ORARY)?\s+)?MACRO\b") => ("Macros (CREATE MACRO is DuckDB's, not Redshift's)", "Write the expression in the query itself."),
            _ when Starts(text, @"CREATE\s+DATASHARE\b") || Starts(text, @"(ALTER|DROP)\s+DATASHARE\b") => ("Data sharing (CREATE DATASHARE)", "Query the tables of this cluster directly."),
            _ when Starts(text, @"(GRANT|REVOKE)\b") => ("GRANT and REVOKE", "The local warehouse has one user, the cluster's admin user, who may do everything."),
            _ when Starts(text, @"(CREATE|ALTER|DROP)\s+(USER|GROUP|ROLE)\b") => ("Users, groups and roles", "The local warehouse has one user, the cluster's admin user."),
            _ when Starts(text, @"CREATE\s+(OR\s+REPLACE\s+)?MODEL\b") => ("CREATE MODEL (Redshift ML)", "Train the model outside the warehouse."),
            _ => null,
        };
        if (refused is { } r) throw RedshiftSqlException.NotSupported(r.Feature, r.Instead);
    }

    /// <summary>VACUUM and ANALYZE tidy Redshift's storage and statistics; DuckDB keeps its own, so they do nothing here.</summary>
    public static bool IsMaintenance(string sql) => Starts(sql.TrimStart(), @"(VACUUM|ANALYZE)\b");

    private static bool Starts(string text, string pattern) => Regex.IsMatch(text, "^" + pattern, RegexOptions.IgnoreCase);
}
