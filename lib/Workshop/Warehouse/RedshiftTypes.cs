namespace StreamingWorkshop.Warehouse;

/// <summary>A Redshift column type: DuckDB's type that stores it, Redshift's own name for it (as PG_TABLE_DEF shows it), and the byte limit of a character type.</summary>
public sealed record RedshiftType(string Duck, string Redshift, int? MaxBytes = null, bool FixedLength = false)
{
    public bool IsSuper => Duck == "JSON";
}

/// <summary>Redshift's type names (and their aliases) and what they become on DuckDB.</summary>
public static class RedshiftTypes
{
    /// <summary>Words that continue a type name of several words (DOUBLE PRECISION, CHARACTER VARYING, TIMESTAMP WITH TIME ZONE).</summary>
    public static bool IsTypeWord(string word) => word.ToUpperInvariant() is "PRECISION" or "VARYING" or "WITH" or "WITHOUT" or "TIME" or "ZONE";

    public static RedshiftType Parse(string name, IReadOnlyList<string> arguments)
    {
        var words = string.Join(' ', name.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();
        int Length(int otherwise)
        {
            if (arguments.Count == 0) return otherwise;
            if (arguments[0].Equals("MAX", StringComparison.OrdinalIgnoreCase)) return 65535;
            return int.TryParse(arguments[0], out var n) && n > 0 ? n : throw new RedshiftSqlException($"invalid length for type {name.ToLowerInvariant()}: \"{arguments[0]}\"", "22023");
        }
        switch (words)
        {
            case "VARCHAR" or "CHARACTER VARYING" or "NVARCHAR" or "TEXT":
                var varying = words == "TEXT" ? 256 : Length(256);
                return new("VARCHAR", $"character varying({varying})", varying);
            case "CHAR" or "CHARACTER" or "NCHAR" or "BPCHAR":
                var fixedLength = Length(1);
                return new("VARCHAR", $"character({fixedLength})", fixedLength, FixedLength: true);
            case "SMALLINT" or "INT2":
                return new("SMALLINT", "smallint");
            case "INTEGER" or "INT" or "INT4":
                return new("INTEGER", "integer");
            case "BIGINT" or "INT8":
                return new("BIGINT", "bigint");
            case "REAL" or "FLOAT4":
                return new("REAL", "real");
            case "DOUBLE PRECISION" or "FLOAT8" or "FLOAT":
                return new("DOUBLE", "double precision");
            case "DECIMAL" or "NUMERIC":
                var precision = arguments.Count > 0 && int.TryParse(arguments[0], out var p) ? p : 18;
                var scale = arguments.Count > 1 && int.TryParse(arguments[1], out var s) ? s : 0;
                if (precision is < 1 or > 38) throw new RedshiftSqlException($"NUMERIC precision {precision} must be between 1 and 38", "22023");
                return new($"DECIMAL({precision},{scale})", $"numeric({precision},{scale})");
            case "BOOLEAN" or "BOOL":
                return new("BOOLEAN", "boolean");
            case "DATE":
                return new("DATE", "date");
            case "TIMESTAMP" or "TIMESTAMP WITHOUT TIME ZONE":
                return new("TIMESTAMP", "timestamp without time zone");
            case "TIMESTAMPTZ" or "TIMESTAMP WITH TIME ZONE":
                return new("TIMESTAMPTZ", "timestamp with time zone");
            case "TIME" or "TIME WITHOUT TIME ZONE":
                return new("TIME", "time without time zone");
            case "SUPER":
                return new("JSON", "super");
            case "VARBYTE" or "VARBINARY" or "BINARY VARYING" or "BLOB":
                return new("BLOB", $"varbyte({Length(64000)})");
            case "GEOMETRY" or "GEOGRAPHY" or "HLLSKETCH" or "TIMETZ" or "TIME WITH TIME ZONE" or "INTERVAL":
                throw RedshiftSqlException.NotSupported($"the {words} type", "Store the value as VARCHAR or SUPER instead.");
            default:
                throw new RedshiftSqlException($"type \"{name.ToLowerInvariant()}\" does not exist", "42704");
        }
    }

    /// <summary>Redshift's name for a column DuckDB made without a declaration (CREATE TABLE AS, a view's column).</summary>
    public static string FromDuck(string duckType) => duckType.ToUpperInvariant() switch
    {
        "VARCHAR" => "character varying(256)",
        "INTEGER" => "integer",
        "BIGINT" or "HUGEINT" => "bigint",
        "SMALLINT" or "TINYINT" => "smallint",
        "DOUBLE" => "double precision",
        "FLOAT" or "REAL" => "real",
        "BOOLEAN" => "boolean",
        "DATE" => "date",
        "TIMESTAMP" => "timestamp without time zone",
        "TIMESTAMP WITH TIME ZONE" => "timestamp with time zone",
        "JSON" => "super",
        "BLOB" => "varbyte(64000)",
        var other when other.StartsWith("DECIMAL", StringComparison.Ordinal) => "numeric" + other["DECIMAL".Length..],
        var other => other.ToLowerInvariant(),
    };
}
