namespace StreamingWorkshop.Warehouse;

public enum CopyFormat { Text, Csv, Json, Parquet }

/// <summary>
/// A COPY statement read into its parts: the table and its column list, the lake location, the role, and the options
/// that say how to read the objects (format, compression, time formats) and how many bad records to forgive.
/// </summary>
public sealed record CopyCommand
{
    public required string Schema { get; init; }
    public required string Table { get; init; }
    public IReadOnlyList<string>? Columns { get; init; }
    public required string Source { get; init; }
    public string? IamRole { get; init; }
    public CopyFormat Format { get; init; } = CopyFormat.Text;
    /// <summary>For JSON: 'auto', 'auto ignorecase' or the s3:// location of a JSONPaths file.</summary>
    public string JsonOption { get; init; } = "auto";
    public bool Gzip { get; init; }
    public int IgnoreHeader { get; init; }
    public string? Delimiter { get; init; }
    public string? TimeFormat { get; init; }
    public string? DateFormat { get; init; }
    public long MaxError { get; init; }
    public string? Region { get; init; }
    public bool TruncateColumns { get; init; }
    public bool BlanksAsNull { get; init; }
    public bool EmptyAsNull { get; init; }

    public static CopyCommand Parse(string sql)
    {
        var tokens = new LoadTokens(sql);
        tokens.Expect("COPY");
        var (schema, table) = QualifiedName(tokens);
        List<string>? columns = null;
        if (tokens.Accept("("))
        {
            columns = [];
            do columns.Add(LoadTokens.Identifier(tokens.Take("a column name")));
            while (tokens.Accept(","));
            tokens.Expect(")");
        }
        tokens.Expect("FROM");
        var command = new CopyCommand { Schema = schema, Table = table, Columns = columns, Source = tokens.QuotedString("the s3:// location") };
        while (!tokens.AtEnd)
        {
            var word = tokens.Take("an option").ToUpperInvariant();
            command = word switch
            {
                "IAM_ROLE" => command with { IamRole = tokens.Accept("default") ? "default" : tokens.QuotedString("IAM_ROLE's ARN") },
                "FORMAT" => ReadFormat(tokens, command, afterFormat: true),
                "JSON" or "CSV" or "PARQUET" => ReadFormat(tokens, command with { }, afterFormat: false, word),
                "GZIP" => command with { Gzip = true },
                "IGNOREHEADER" => command with { IgnoreHeader = (int)Math.Min(int.MaxValue, AsNumber(tokens, "IGNOREHEADER")) },
                "DELIMITER" => command with { Delimiter = AsString(tokens, "DELIMITER") },
                "TIMEFORMAT" => command with { TimeFormat = AsString(tokens, "TIMEFORMAT") },
                "DATEFORMAT" => command with { DateFormat = AsString(tokens, "DATEFORMAT") },
                "MAXERROR" => command with { MaxError = AsNumber(tokens, "MAXERROR") },
                "REGION" => command with { Region = AsString(tokens, "REGION") },
                "TRUNCATECOLUMNS" => command with { TruncateColumns = true },
                "BLANKSASNULL" => command with { BlanksAsNull = true },
                "EMPTYASNULL" => command with { EmptyAsNull = true },
                // Accepted and without effect here: they tune Redshift's statistics and compression, not what loads.
                "COMPUPDATE" or "STATUPDATE" => SkipSwitch(tokens, command),
                "ACCEPTINVCHARS" => command,
                "CREDENTIALS" or "ACCESS_KEY_ID" or "SECRET_ACCESS_KEY" or "SESSION_TOKEN" => throw RedshiftSqlException.NotSupported(word, "Authorize COPY with IAM_ROLE and the cluster's role."),
                "MANIFEST" or "BZIP2" or "LZOP" or "ZSTD" or "AVRO" or "ORC" or "FIXEDWIDTH" or "SHAPEFILE" or "NOLOAD" or "EXPLICIT_IDS" or "ENCRYPTED" =>
                    throw RedshiftSqlException.NotSupported($"COPY's {word} option", "Load JSON, CSV, pipe-delimited text or Parquet objects, optionally GZIP-compressed, from a prefix."),
                _ => throw new RedshiftSqlException($"syntax error at or near \"{word}\": not a COPY option the local warehouse knows (IAM_ROLE, FORMAT, GZIP, IGNOREHEADER, DELIMITER, TIMEFORMAT, DATEFORMAT, MAXERROR, REGION, TRUNCATECOLUMNS, BLANKSASNULL, EMPTYASNULL)", "42601"),
            };
        }
        return command;
    }

    internal static (string Schema, string Table) QualifiedName(LoadTokens tokens)
    {
        var first = tokens.Take("a table name");
        if (!LoadTokens.IsIdentifier(first)) throw new RedshiftSqlException($"syntax error at or near \"{first}\": a table name is expected", "42601");
        if (!tokens.Accept(".")) return ("public", LoadTokens.Identifier(first));
        var second = tokens.Take("a table name");
        if (!LoadTokens.IsIdentifier(second)) throw new RedshiftSqlException($"syntax error at or near \"{second}\": a table name is expected", "42601");
        return (LoadTokens.Identifier(first), LoadTokens.Identifier(second));
    }

    private static CopyCommand ReadFormat(LoadTokens tokens, CopyCommand command, bool afterFormat, string? word = null)
    {
        if (afterFormat)
        {
            tokens.Accept("AS");
            word = tokens.Take("a format").ToUpperInvariant();
        }
        return word switch
        {
            "JSON" => command with { Format = CopyFormat.Json, JsonOption = tokens.Peek.StartsWith('\'') ? tokens.QuotedString("JSON's option") : "auto" },
            "CSV" => command with { Format = CopyFormat.Csv },
            "PARQUET" when afterFormat => command with { Format = CopyFormat.Parquet },
            _ => throw RedshiftSqlException.NotSupported($"FORMAT {word}", "Use FORMAT JSON, FORMAT CSV or FORMAT PARQUET."),
        };
    }

    private static CopyCommand SkipSwitch(LoadTokens tokens, CopyCommand command)
    {
        if (tokens.Peek.ToUpperInvariant() is "ON" or "OFF" or "TRUE" or "FALSE" or "PRESET") tokens.Take("a switch");
        return command;
    }

    private static string AsString(LoadTokens tokens, string option)
    {
        tokens.Accept("AS");
        return tokens.QuotedString(option + "'s value");
    }

    private static long AsNumber(LoadTokens tokens, string option)
    {
        tokens.Accept("AS");
        return tokens.Number(option + "'s value");
    }
}
