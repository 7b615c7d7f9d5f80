using System.Text;

namespace StreamingWorkshop.Warehouse;

public enum UnloadFormat { Text, Csv, Parquet, Json }

/// <summary>An UNLOAD statement read into its parts: the query, the lake prefix it writes to, and how the objects are written.</summary>
public sealed record UnloadCommand
{
    public required string Query { get; init; }
    public required string Target { get; init; }
    public string? IamRole { get; init; }
    public UnloadFormat Format { get; init; } = UnloadFormat.Text;
    public IReadOnlyList<string> PartitionBy { get; init; } = [];
    public bool IncludePartitionColumns { get; init; }
    public bool AllowOverwrite { get; init; }
    public bool CleanPath { get; init; }
    public bool Header { get; init; }
    public bool Parallel { get; init; } = true;
    public bool Gzip { get; init; }
    public string? Delimiter { get; init; }
    public string? Extension { get; init; }
    public string? Region { get; init; }

    public static UnloadCommand Parse(string sql)
    {
        var (query, rest) = QueryText(sql);
        var tokens = new LoadTokens(rest);
        tokens.Expect("TO");
        var command = new UnloadCommand { Query = query, Target = tokens.QuotedString("the s3:// prefix") };
        while (!tokens.AtEnd)
        {
            var word = tokens.Take("an option").ToUpperInvariant();
            command = word switch
            {
                "IAM_ROLE" => command with { IamRole = tokens.Accept("default") ? "default" : tokens.QuotedString("IAM_ROLE's ARN") },
                "FORMAT" => ReadFormat(tokens, command),
                "CSV" => command with { Format = UnloadFormat.Csv },
                "PARTITION" => ReadPartition(tokens, command),
                "ALLOWOVERWRITE" => command with { AllowOverwrite = true },
                "CLEANPATH" => command with { CleanPath = true },
                "HEADER" => command with { Header = true },
                "GZIP" => command with { Gzip = true },
                "PARALLEL" => command with { Parallel = ReadSwitch(tokens) },
                "DELIMITER" => command with { Delimiter = AsString(tokens, "DELIMITER") },
                "EXTENSION" => command with { Extension = AsString(tokens, "EXTENSION") },
                "REGION" => command with { Region = AsString(tokens, "REGION") },
                // One object per slice is far below any size limit here, so the limit changes nothing.
                "MAXFILESIZE" => SkipSize(tokens, command),
                "CREDENTIALS" or "ACCESS_KEY_ID" or "SECRET_ACCESS_KEY" or "SESSION_TOKEN" => throw RedshiftSqlException.NotSupported(word, "Authorize UNLOAD with IAM_ROLE and the cluster's role."),
                "MANIFEST" or "ENCRYPTED" or "KMS_KEY_ID" or "BZIP2" or "ZSTD" or "FIXEDWIDTH" or "ADDQUOTES" or "ESCAPE" or "NULL" or "ROWGROUPSIZE" =>
                    throw RedshiftSqlException.NotSupported($"UNLOAD's {word} option", "Unload as text, CSV, JSON or Parquet, optionally with PARTITION BY, HEADER, GZIP, ALLOWOVERWRITE or CLEANPATH."),
                _ => throw new RedshiftSqlException($"syntax error at or near \"{word}\": not an UNLOAD option the local warehouse knows (IAM_ROLE, FORMAT, PARTITION BY, ALLOWOVERWRITE, CLEANPATH, HEADER, GZIP, PARALLEL, DELIMITER, EXTENSION, MAXFILESIZE, REGION)", "42601"),
            };
        }
        if (command.AllowOverwrite && command.CleanPath)
            throw new RedshiftSqlException("CLEANPATH and ALLOWOVERWRITE cannot be used together. Keep one of them.", "42601");
        if (command.Header && command.Format == UnloadFormat.Parquet)
            throw new RedshiftSqlException("HEADER is not supported with FORMAT PARQUET: a Parquet file names its columns itself. Remove HEADER.", "42601");
        return command;
    }

    /// <summary>The quoted query after UNLOAD, with \' and '' read as a quote, and the text after its closing bracket.</summary>
    private static (string Query, string After) QueryText(string sql)
    {
        var open = sql.IndexOf('(');
        var i = open + 1;
        while (i < sql.Length && char.IsWhiteSpace(sql[i])) i++;
        if (open < 0 || i >= sql.Length || sql[i] != '\'')
            throw new RedshiftSqlException("syntax error at or near \"UNLOAD\": write UNLOAD ('select ...') TO 's3://bucket/prefix' IAM_ROLE ...", "42601");
        var query = new StringBuilder();
        for (i++; ; i++)
        {
            if (i >= sql.Length) throw new RedshiftSqlException("unterminated quoted string in UNLOAD's query: escape a quote inside it as \\' or ''", "42601");
            if (sql[i] == '\\' && i + 1 < sql.Length && sql[i + 1] == '\'') { query.Append('\''); i++; }
            else if (sql[i] == '\'' && i + 1 < sql.Length && sql[i + 1] == '\'') { query.Append('\''); i++; }
            else if (sql[i] == '\'') break;
            else query.Append(sql[i]);
        }
        var close = sql.IndexOf(')', i);
        if (close < 0 || sql[(i + 1)..close].Trim().Length > 0) throw new RedshiftSqlException("syntax error in UNLOAD: the query's closing bracket is missing", "42601");
        return (query.ToString(), sql[(close + 1)..]);
    }

    private static UnloadCommand ReadFormat(LoadTokens tokens, UnloadCommand command)
    {
        tokens.Accept("AS");
        var word = tokens.Take("a format").ToUpperInvariant();
        return word switch
        {
            "PARQUET" => command with { Format = UnloadFormat.Parquet },
            "CSV" => command with { Format = UnloadFormat.Csv },
            "JSON" => command with { Format = UnloadFormat.Json },
            _ => throw RedshiftSqlException.NotSupported($"FORMAT {word}", "Use FORMAT PARQUET, FORMAT CSV or FORMAT JSON."),
        };
    }

    private static UnloadCommand ReadPartition(LoadTokens tokens, UnloadCommand command)
    {
        tokens.Expect("BY");
        tokens.Expect("(");
        var columns = new List<string>();
        do columns.Add(LoadTokens.Identifier(tokens.Take("a column name")));
        while (tokens.Accept(","));
        tokens.Expect(")");
        return command with { PartitionBy = columns, IncludePartitionColumns = tokens.Accept("INCLUDE") };
    }

    /// <summary>PARALLEL's value: ON or TRUE (the default when none is given), OFF or FALSE.</summary>
    private static bool ReadSwitch(LoadTokens tokens)
    {
        if (tokens.Accept("OFF") || tokens.Accept("FALSE")) return false;
        if (!tokens.Accept("ON")) tokens.Accept("TRUE");
        return true;
    }

    private static UnloadCommand SkipSize(LoadTokens tokens, UnloadCommand command)
    {
        tokens.Accept("AS");
        tokens.Take("MAXFILESIZE's value");
        // A size such as 6.2 arrives as three tokens.
        if (tokens.Accept(".")) tokens.Take("MAXFILESIZE's value");
        if (tokens.Peek.ToUpperInvariant() is "MB" or "GB") tokens.Take("a unit");
        return command;
    }

    private static string AsString(LoadTokens tokens, string option)
    {
        tokens.Accept("AS");
        return tokens.QuotedString(option + "'s value");
    }
}
