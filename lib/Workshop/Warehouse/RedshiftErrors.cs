using System.Text.RegularExpressions;

namespace StreamingWorkshop.Warehouse;

/// <summary>DuckDB's errors in the words (and SQLSTATE) Redshift gives for the same mistake.</summary>
internal static partial class RedshiftErrors
{
    public static RedshiftSqlException From(string duckMessage, string original)
    {
        var line = duckMessage.Split('\n')[0].Trim();
        if (MissingTable().Match(line) is { Success: true } table) return new($"relation \"{table.Groups[1].Value}\" does not exist", "42P01");
        if (ExistingTable().Match(line) is { Success: true } existing) return new($"relation \"{existing.Groups[1].Value}\" already exists", "42P07");
        if (MissingColumn().Match(line) is { Success: true } column) return new($"column \"{Unqualified(column.Groups[1].Value)}\" does not exist", "42703");
        if (MissingColumnOf().Match(line) is { Success: true } of) return new($"column \"{of.Groups[2].Value}\" of relation \"{of.Groups[1].Value}\" does not exist", "42703");
        if (Syntax().Match(line) is { Success: true } syntax) return new(syntax.Groups[1].Value, "42601");
        if (NoMatchingFunction().Match(line) is { Success: true } call)
            return new($"function {call.Groups[1].Value.ToLowerInvariant()}({string.Join(", ", SplitTypes(call.Groups[2].Value).Select(PostgresType))}) does not exist", "42883");
        if (MissingFunction().Match(line) is { Success: true } missing) return new($"function {missing.Groups[1].Value.ToLowerInvariant()}({string.Join(", ", LiteralTypes(original, missing.Groups[1].Value))}) does not exist", "42883");
        if (line.Contains("division by zero", StringComparison.Ordinal)) return new("division by zero", "22012");
        if (TooLong().Match(line) is { Success: true } tooLong) return new($"value too long for type character varying({tooLong.Groups[1].Value})", "22001");
        if (NotNull().Match(line) is { Success: true } notNull) return new($"Cannot insert a NULL value into column {notNull.Groups[1].Value}", "23502");
        if (Conversion().Match(line) is { Success: true } conversion)
        {
            // Redshift keeps PostgreSQL 8's wording, which names the integer type without "type".
            var type = PostgresType(conversion.Groups[2].Value);
            return new($"invalid input syntax for {(type == "integer" ? type : "type " + type)}: \"{conversion.Groups[1].Value}\"", "22P02");
        }
        if (MalformedJson().IsMatch(line)) return new("JSON parsing error: the text is not valid JSON; check it with CAN_JSON_PARSE first", "22P02");
        return new(Prefix().Replace(line, "").TrimEnd('!'));
    }

    private static string Unqualified(string name) => name.Contains('.') ? name[(name.LastIndexOf('.') + 1)..] : name;

    private static IEnumerable<string> SplitTypes(string types) => types.Length == 0 ? [] : types.Split(", ");

    /// <summary>The PostgreSQL type names Redshift's messages use, for DuckDB's.</summary>
    private static string PostgresType(string duckType) => duckType.Trim().ToUpperInvariant() switch
    {
        "VARCHAR" or "STRING_LITERAL" => "character varying",
        "INTEGER" or "INT32" or "INTEGER_LITERAL" => "integer",
        "BIGINT" or "INT64" => "bigint",
        "SMALLINT" or "INT16" => "smallint",
        "DOUBLE" => "double precision",
        "FLOAT" or "REAL" => "real",
        "BOOLEAN" or "BOOL" => "boolean",
        "DATE" => "date",
        "TIMESTAMP" => "timestamp without time zone",
        "TIMESTAMP WITH TIME ZONE" => "timestamp with time zone",
        "JSON" => "super",
        "BLOB" => "varbyte",
        var other when other.StartsWith("DECIMAL", StringComparison.Ordinal) => "numeric",
        var other => other.ToLowerInvariant(),
    };

    /// <summary>The argument types of the first call of <paramref name="function"/> in the statement, as Redshift names literals (unknown for a quoted string).</summary>
    private static IEnumerable<string> LiteralTypes(string sql, string function)
    {
        var tokens = RedshiftLexer.Tokens(sql).Where(t => t.Kind is not (RedshiftTokenKind.Space or RedshiftTokenKind.Comment)).ToList();
        var at = tokens.FindIndex(t => t.Kind == RedshiftTokenKind.Word && t.Text.Equals(function, StringComparison.OrdinalIgnoreCase));
        if (at < 0 || at + 1 >= tokens.Count || !tokens[at + 1].IsSymbol("(")) return [];
        var args = new List<List<RedshiftToken>> { new() };
        var depth = 0;
        for (var i = at + 1; i < tokens.Count; i++)
        {
            if (tokens[i].IsSymbol("(") && depth++ == 0) continue;
            if (tokens[i].IsSymbol(")") && --depth == 0) break;
            if (depth == 1 && tokens[i].IsSymbol(",")) args.Add([]);
            else args[^1].Add(tokens[i]);
        }
        if (args is [[]]) return [];
        return args.Select(a => a switch
        {
            [{ Kind: RedshiftTokenKind.Number } n] => n.Text.Contains('.') ? "numeric" : "integer",
            [{ Kind: RedshiftTokenKind.Text }] => "unknown",
            [.., { Kind: RedshiftTokenKind.Word } type] when a.Count >= 3 && a[^2].IsSymbol("::") => RedshiftTypes.Parse(type.Text, []).Redshift.Split('(')[0],
            _ => "unknown",
        });
    }

    [GeneratedRegex(@"Table with name ""?(.+?)""? does not exist")]
    private static partial Regex MissingTable();

    [GeneratedRegex(@"Table with name ""?(.+?)""? already exists")]
    private static partial Regex ExistingTable();

    [GeneratedRegex(@"Referenced column ""?(.+?)""? not found")]
    private static partial Regex MissingColumn();

    [GeneratedRegex(@"Table ""(.+?)"" does not have a column (?:named|with name) ""(.+?)""")]
    private static partial Regex MissingColumnOf();

    [GeneratedRegex(@"(syntax error at (?:or near "".*?""|end of input))")]
    private static partial Regex Syntax();

    [GeneratedRegex(@"No function matches the given name and argument types '(\w+)\((.*?)\)'")]
    private static partial Regex NoMatchingFunction();

    [GeneratedRegex(@"(?:Scalar|Aggregate|Table) Function with name (\w+) does not exist")]
    private static partial Regex MissingFunction();

    [GeneratedRegex(@"CHECK constraint failed.*strlen\(.*?\) <= (\d+)")]
    private static partial Regex TooLong();

    [GeneratedRegex(@"NOT NULL constraint failed: (?:[^.\s]+\.)*([^.\s]+)$")]
    private static partial Regex NotNull();

    [GeneratedRegex(@"Could not convert string '(.*)' to (\w+)")]
    private static partial Regex Conversion();

    [GeneratedRegex(@"Malformed JSON")]
    private static partial Regex MalformedJson();

    [GeneratedRegex(@"^[A-Z][A-Za-z ]* Error: ")]
    private static partial Regex Prefix();
}
