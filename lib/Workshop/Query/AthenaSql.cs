using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace StreamingWorkshop.Query;

/// <summary>
/// Turns Athena's SQL (Trino's dialect) into SQL DuckDB runs, token by token so line numbers never move:
/// Trino functions DuckDB spells differently or lacks are renamed to the kit's macros (see <see cref="TrinoFunctions"/>),
/// functions outside the documented list are refused with FUNCTION_NOT_FOUND, and current_date /
/// current_timestamp / now() read the kit's clock.
/// </summary>
public static class AthenaSql
{
    public enum TokenKind { Word, QuotedIdentifier, String, Number, Symbol, Comment, Space }

    public readonly record struct Token(TokenKind Kind, string Text, int Offset)
    {
        public string Lower => Text.ToLowerInvariant();

        /// <summary>The name a word or quoted name stands for, in lower case: quotes taken off, a doubled quote made single.</summary>
        public string Name => (Kind == TokenKind.QuotedIdentifier ? Text[1..^1].Replace(Text[..1] + Text[..1], Text[..1]) : Text).ToLowerInvariant();
    }

    /// <summary>The tokens that carry meaning: <see cref="Tokenize"/> without white space and comments.</summary>
    public static List<Token> SignificantTokens(string sql) => Tokenize(sql).Where(t => t.Kind is not (TokenKind.Space or TokenKind.Comment)).ToList();

    /// <summary>The names the SQL gives with AS (aliases of columns and tables), in lower case.</summary>
    public static HashSet<string> NamesGivenWithAs(List<Token> significant) =>
        significant.Where((t, k) => k > 0 && significant[k - 1].Lower == "as" && t.Kind is TokenKind.Word or TokenKind.QuotedIdentifier)
            .Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

    public static List<Token> Tokenize(string sql)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < sql.Length)
        {
            var start = i;
            var c = sql[i];
            TokenKind kind;
            if (char.IsWhiteSpace(c)) { while (i < sql.Length && char.IsWhiteSpace(sql[i])) i++; kind = TokenKind.Space; }
            else if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-') { while (i < sql.Length && sql[i] != '\n') i++; kind = TokenKind.Comment; }
            else if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
                kind = TokenKind.Comment;
            }
            else if (c == '\'') { i = Quoted(sql, i, '\''); kind = TokenKind.String; }
            else if (c == '"' || c == '`') { i = Quoted(sql, i, c); kind = TokenKind.QuotedIdentifier; }
            else if (char.IsLetter(c) || c == '_') { while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] == '_')) i++; kind = TokenKind.Word; }
            else if (char.IsDigit(c) || (c == '.' && i + 1 < sql.Length && char.IsDigit(sql[i + 1])))
            {
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] == '.')) i++;
                kind = TokenKind.Number;
            }
            else { i++; kind = TokenKind.Symbol; }
            tokens.Add(new Token(kind, sql[start..i], start));
        }
        return tokens;
    }

    /// <summary>Whether a quoted token ends with its own closing quote (a doubled quote inside does not close it).</summary>
    private static bool IsClosed(string quoted)
    {
        var quote = quoted[0];
        for (var i = 1; i < quoted.Length; i++)
        {
            if (quoted[i] != quote) continue;
            if (i + 1 < quoted.Length && quoted[i + 1] == quote) { i++; continue; }
            return i == quoted.Length - 1;
        }
        return false;
    }

    private static int Quoted(string sql, int i, char quote)
    {
        i++;
        while (i < sql.Length)
        {
            if (sql[i] == quote)
            {
                if (i + 1 < sql.Length && sql[i + 1] == quote) { i += 2; continue; }
                return i + 1;
            }
            i++;
        }
        return i;
    }

    /// <summary>
    /// Refuses a query that holds more than one statement, as Athena does: the engine would otherwise run them all.
    /// Semicolons at the very end are allowed.
    /// </summary>
    public static void RequireSingleStatement(string sql)
    {
        if (SecondStatementOffset(sql) is not { } offset) return;
        var (line, column) = Position(sql, offset);
        throw new AthenaQueryException("SYNTAX_ERROR",
            $"line {line}:{column}: Only one sql statement is allowed. Got a second statement after the ';'; run each statement as its own query.");
    }

    /// <summary>
    /// Where a second statement starts, after a semicolon outside strings and comments, or null when the text holds one
    /// statement (semicolons at the very end included). Athena and the warehouse both refuse such text.
    /// </summary>
    public static int? SecondStatementOffset(string sql)
    {
        var tokens = Tokenize(sql);
        var separator = tokens.FindIndex(t => t.Kind == TokenKind.Symbol && t.Text == ";");
        if (separator < 0) return null;
        var more = tokens.FindIndex(separator + 1, t => t.Kind is not (TokenKind.Space or TokenKind.Comment) && t.Text != ";");
        return more < 0 ? null : tokens[more].Offset;
    }

    /// <summary>The statement with comments and a trailing semicolon removed, for recognising its kind.</summary>
    public static string Significant(string sql) =>
        string.Concat(Tokenize(sql).Where(t => t.Kind != TokenKind.Comment).Select(t => t.Text)).Trim().TrimEnd(';').Trim();

    /// <summary>Line and column (both from 1) of a character offset, as Athena reports positions.</summary>
    public static (int Line, int Column) Position(string sql, int offset)
    {
        offset = Math.Clamp(offset, 0, sql.Length);
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (sql[i] == '\n') { line++; lineStart = i + 1; }
        }
        return (line, offset - lineStart + 1);
    }

    /// <summary>Where a name first appears in the SQL as a word or quoted identifier (not inside a string).</summary>
    public static int? FindName(string sql, string name, bool asFunction = false)
    {
        var tokens = Tokenize(sql);
        for (var k = 0; k < tokens.Count; k++)
        {
            var t = tokens[k];
            var text = t.Kind == TokenKind.QuotedIdentifier ? (IsClosed(t.Text) ? t.Text[1..^1] : t.Text[1..]) : t.Text;
            if (t.Kind is not (TokenKind.Word or TokenKind.QuotedIdentifier) || !string.Equals(text, name, StringComparison.OrdinalIgnoreCase)) continue;
            if (asFunction && NextSignificant(tokens, k)?.Text != "(") continue;
            return t.Offset;
        }
        return null;
    }

    private static Token? NextSignificant(List<Token> tokens, int index)
    {
        for (var k = index + 1; k < tokens.Count; k++)
            if (tokens[k].Kind is not (TokenKind.Space or TokenKind.Comment)) return tokens[k];
        return null;
    }

    private static Token? PreviousSignificant(List<Token> tokens, int index)
    {
        for (var k = index - 1; k >= 0; k--)
            if (tokens[k].Kind is not (TokenKind.Space or TokenKind.Comment)) return tokens[k];
        return null;
    }

    /// <summary>
    /// Rewrites a query for DuckDB. Throws <see cref="AthenaQueryException"/> (FUNCTION_NOT_FOUND) for a function
    /// outside the supported list, naming it with its line and column.
    /// </summary>
    public static string Translate(string sql, DateTimeOffset now)
    {
        var tokens = Tokenize(sql);
        var output = new StringBuilder(sql.Length + 64);
        var formats = new Dictionary<int, Func<string, string>>();
        for (var k = 0; k < tokens.Count; k++)
        {
            var token = tokens[k];
            if (token.Kind is TokenKind.String or TokenKind.QuotedIdentifier && !IsClosed(token.Text))
            {
                var (atLine, atColumn) = Position(sql, token.Offset);
                throw new AthenaQueryException("SYNTAX_ERROR", $"line {atLine}:{atColumn}: token recognition error at: '{token.Text[..1]}'. Close the quote, or double it ({token.Text[..1]}{token.Text[..1]}) to write it inside");
            }
            if (formats.TryGetValue(k, out var convert)) { output.Append('\'').Append(convert(token.Text[1..^1]).Replace("'", "''")).Append('\''); continue; }
            var next = NextSignificant(tokens, k);
            var previous = PreviousSignificant(tokens, k);
            if (OtherDialect(sql, tokens, k, previous, next) is { } refused) throw refused;
            // MySQL's LIMIT m, n and a LIMIT before its OFFSET: the engine takes both, Athena neither (OFFSET m LIMIT n).
            if (previous is { Kind: TokenKind.Number } count && PreviousSignificant(tokens, tokens.IndexOf(count)) is { Lower: "limit" }
                && (token.Text == "," || token.Lower == "offset"))
            {
                var (atLine, atColumn) = Position(sql, token.Offset);
                throw new AthenaQueryException("SYNTAX_ERROR", $"line {atLine}:{atColumn}: mismatched input '{(token.Text == "," ? "," : token.Text.ToUpperInvariant())}'. Expecting: <EOF>. " +
                    "Athena skips rows with OFFSET before LIMIT: OFFSET m LIMIT n");
            }
            // A string where a table belongs would make the engine open it as a file; Athena reads tables only.
            if (token.Kind == TokenKind.String && (previous?.Lower is "from" or "join" || (previous?.Text == "," && InFromList(tokens, k))))
            {
                var (atLine, atColumn) = Position(sql, token.Offset);
                throw new AthenaQueryException("SYNTAX_ERROR", $"line {atLine}:{atColumn}: mismatched input {token.Text}. Expecting: a table name (a string literal cannot be read as a table)");
            }
            if (token.Kind is TokenKind.Word or TokenKind.QuotedIdentifier && previous?.Text != "."
                && (previous?.Lower is "from" or "join" || (previous?.Text == "," && InFromList(tokens, k)))
                && CatalogReference(sql, tokens, k) is { } informationSchema)
            {
                output.Append(InformationSchema.EngineName(informationSchema.View));
                k = informationSchema.Last;
                continue;
            }
            if (token.Kind is not (TokenKind.Word or TokenKind.QuotedIdentifier)) { output.Append(token.Text); continue; }
            var isQuoted = token.Kind == TokenKind.QuotedIdentifier;
            var lower = token.Name;
            // schema.function(...) and "function"(...) reach the same functions as a bare name, so they pass the same list.
            if (next?.Text == "(" && previous?.Text == ".")
            {
                var (atLine, atColumn) = Position(sql, token.Offset);
                throw new AthenaQueryException("FUNCTION_NOT_FOUND", $"line {atLine}:{atColumn}: Function '{lower}' not registered. Call functions by their plain name; the kit supports the functions listed in docs/query.md.");
            }
            // AS t(a, b) names a relation's columns; the word before the parenthesis is an alias, not a call.
            var isCall = next?.Text == "(" && previous?.Lower != "as";
            if (isQuoted && !isCall) { output.Append(token.Text); continue; }
            if (!isCall)
            {
                output.Append(lower switch
                {
                    "current_timestamp" or "localtimestamp" => Literal(now),
                    "current_date" => $"DATE '{now.UtcDateTime:yyyy-MM-dd}'",
                    _ => token.Text,
                });
                continue;
            }
            if (!isQuoted && (TrinoFunctions.NotFunctions.Contains(lower) || IsTypeConstructor(tokens, k, previous))) { output.Append(token.Text); continue; }
            if (lower is "now" or "localtimestamp") { output.Append($"({Literal(now)})"); k = SkipEmptyCall(tokens, k); continue; }
            if (TrinoFunctions.Renamed.TryGetValue(lower, out var renamed))
            {
                // DuckDB needs a constant format, so a literal pattern is translated here rather than in the macro.
                if (TrinoFunctions.FormatArguments.TryGetValue(lower, out var converter) && SecondArgumentLiteral(tokens, k) is { } literal)
                    formats[literal] = converter;
                output.Append(renamed);
                continue;
            }
            if (TrinoFunctions.PassThrough.Contains(lower)) { output.Append(token.Text); continue; }
            var (line, column) = Position(sql, token.Offset);
            throw new AthenaQueryException("FUNCTION_NOT_FOUND",
                $"line {line}:{column}: Function '{lower}' not registered. The kit supports the functions listed in docs/query.md.");
        }
        return output.ToString();
    }

    /// <summary>
    /// What another SQL dialect writes and the engine would take, but Athena's parser refuses: PostgreSQL's <c>x::type</c>
    /// and ILIKE, <c>==</c>, MySQL's unquoted <c>INTERVAL 1 DAY</c>, and a reserved word as an alias (<c>AS end</c>).
    /// SYNTAX_ERROR at the token, with the way Athena writes it; null for anything else.
    /// </summary>
    private static AthenaQueryException? OtherDialect(string sql, List<Token> tokens, int k, Token? previous, Token? next)
    {
        var token = tokens[k];
        string? problem = null, input = null;
        if (token.Text == ":" && k + 1 < tokens.Count && tokens[k + 1].Text == ":")
            (input, problem) = ("::", "Athena casts with CAST(x AS type)");
        else if (token.Text == "=" && k + 1 < tokens.Count && tokens[k + 1].Text == "=" && (k == 0 || tokens[k - 1].Text is not ("<" or ">" or "!" or "=")))
            (input, problem) = ("=", "Athena compares with a single =");
        else if (token.Kind == TokenKind.Word && token.Lower == "ilike" && previous?.Text != "." && next?.Text != "(")
            (input, problem) = ("ILIKE", "Athena has no ILIKE: compare lower(x) LIKE 'pattern'");
        else if (token.Kind == TokenKind.Number && previous?.Lower == "interval")
            (input, problem) = (token.Text, $"Athena writes the amount as text: INTERVAL '{token.Text}' {next?.Text.ToUpperInvariant() ?? "DAY"}");
        // AS SELECT, AS WITH, AS VALUES and AS TABLE begin a CREATE TABLE's or a view's query, not an alias.
        else if (token.Kind == TokenKind.Word && previous?.Lower == "as" && ReservedWords.Contains(token.Lower) && token.Lower is not ("select" or "with" or "values" or "table"))
            (input, problem) = (token.Text, $"'{token.Lower}' is a reserved word in Athena: quote it (\"{token.Lower}\") or choose another name");
        if (problem is null) return null;
        var (line, column) = Position(sql, token.Offset);
        return new AthenaQueryException("SYNTAX_ERROR", $"line {line}:{column}: mismatched input '{input}'. {problem}");
    }

    /// <summary>Trino's reserved words (its SQL keywords that cannot name anything unquoted), as Athena's engine version 3 takes them.</summary>
    private static readonly FrozenSet<string> ReservedWords = new[]
    {
        "alter", "and", "as", "between", "by", "case", "cast", "constraint", "create", "cross", "cube", "current_catalog", "current_date",
        "current_path", "current_role", "current_schema", "current_time", "current_timestamp", "current_user", "deallocate", "delete",
        "describe", "distinct", "drop", "else", "end", "escape", "except", "execute", "exists", "extract", "false", "for", "from", "full",
        "group", "grouping", "having", "in", "inner", "insert", "intersect", "into", "is", "join", "left", "like", "listagg", "localtime",
        "localtimestamp", "natural", "normalize", "not", "null", "on", "or", "order", "outer", "prepare", "recursive", "right", "rollup",
        "select", "skip", "table", "then", "trim", "true", "uescape", "union", "unnest", "using", "values", "when", "where", "with",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// The engine's own catalog: its settings, its functions, the files it may read. None of it is a table of the Glue
    /// catalog, and pg_settings would show the workspace's paths, so a query never reaches it. Each view DuckDB has
    /// (<c>duckdb_views() WHERE internal</c>), by the name a query can give it without its schema.
    /// </summary>
    internal static readonly FrozenSet<string> EngineViews = new[]
    {
        "duckdb_columns", "duckdb_constraints", "duckdb_databases", "duckdb_indexes", "duckdb_logs", "duckdb_schemas",
        "duckdb_tables", "duckdb_types", "duckdb_views", "pragma_database_list", "sqlite_master", "sqlite_schema",
        "sqlite_temp_master", "sqlite_temp_schema", "pg_am", "pg_attrdef", "pg_attribute", "pg_class", "pg_collation",
        "pg_constraint", "pg_database", "pg_depend", "pg_description", "pg_enum", "pg_index", "pg_indexes", "pg_namespace",
        "pg_prepared_statements", "pg_proc", "pg_sequence", "pg_sequences", "pg_settings", "pg_tables", "pg_tablespace",
        "pg_type", "pg_views",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The engine's schemas and catalogs (memory: the empty database it starts in), which hold its own views rather than the Glue catalog's tables.</summary>
    private static readonly FrozenSet<string> EngineSchemas = new[] { "pg_catalog", "information_schema", "system", "memory" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// A table name in the catalog's own schemas. Athena's information_schema (its tables, columns, schemata and views,
    /// over the Glue catalog) comes back as the view asked for and the index of the name's last token, to be read from
    /// the tables <see cref="InformationSchema"/> fills. A name that reaches the engine's own catalog (<c>FROM
    /// pg_catalog.pg_settings</c>, <c>FROM duckdb_tables</c>) is refused in Athena's words. Null for any other name.
    /// </summary>
    private static (string View, int Last)? CatalogReference(string sql, List<Token> tokens, int first)
    {
        var parts = new List<string>();
        var last = first;
        for (var k = first; k < tokens.Count; )
        {
            var token = tokens[k];
            if (token.Kind is not (TokenKind.Word or TokenKind.QuotedIdentifier)) break;
            parts.Add(token.Name);
            last = k;
            var dot = tokens.FindIndex(k + 1, t => t.Kind is not (TokenKind.Space or TokenKind.Comment));
            if (dot < 0 || tokens[dot].Text != ".") break;
            k = tokens.FindIndex(dot + 1, t => t.Kind is not (TokenKind.Space or TokenKind.Comment));
            if (k < 0) break;
        }
        if (parts.Count == 0) return null;
        var (line, column) = Position(sql, tokens[first].Offset);
        if (parts is ["information_schema", _] or [LocalAthena.EngineCatalog, "information_schema", _])
        {
            var view = parts[^1];
            if (InformationSchema.Views.Contains(view)) return (view, last);
            throw new AthenaQueryException("TABLE_NOT_FOUND", $"line {line}:{column}: Table '{LocalAthena.EngineCatalog}.information_schema.{view}' does not exist. " +
                $"The local engine's information_schema holds {string.Join(", ", InformationSchema.Views.SkipLast(1))} and {InformationSchema.Views[^1]}")
            {
                NamesEngineCatalog = true,
            };
        }
        if (parts[..^1].FirstOrDefault(EngineSchemas.Contains) is { } schema)
            throw new AthenaQueryException("SCHEMA_NOT_FOUND", $"line {line}:{column}: Schema '{schema}' does not exist. The Glue catalog's databases are listed by SHOW DATABASES, their tables by SHOW TABLES.");
        if (parts.Count == 1 && EngineViews.Contains(parts[0]))
            throw new AthenaQueryException("TABLE_NOT_FOUND", $"line {line}:{column}: Table '{parts[0]}' does not exist")
            {
                NamesEngineCatalog = true,
            };
        return null;
    }

    // Clauses that end a FROM list at the same depth; reaching one first means the comma separates other things.
    private static readonly HashSet<string> ClauseKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "select", "where", "group", "having", "order", "limit", "offset", "qualify", "window", "values", "set",
        "union", "except", "intersect", "with", "by", "returning", "into", "table",
    };

    /// <summary>
    /// True when the token at <paramref name="index"/> follows a comma of a FROM list (<c>FROM a, 'file'</c>), found by
    /// walking back at the same bracket depth to the clause keyword that owns the comma.
    /// </summary>
    private static bool InFromList(List<Token> tokens, int index)
    {
        var depth = 0;
        for (var k = index - 1; k >= 0; k--)
        {
            var token = tokens[k];
            if (token.Text == ")") depth++;
            else if (token.Text == "(") { if (depth-- == 0) return false; }
            else if (depth == 0 && token.Kind == TokenKind.Word)
            {
                if (token.Lower is "from" or "join") return true;
                if (ClauseKeywords.Contains(token.Lower)) return false;
            }
        }
        return false;
    }

    /// <summary>The index of the call's second argument when it is a lone string literal.</summary>
    private static int? SecondArgumentLiteral(List<Token> tokens, int call)
    {
        var depth = 0;
        for (var k = call + 1; k < tokens.Count; k++)
        {
            var text = tokens[k].Text;
            if (text == "(") depth++;
            else if (text == ")") { if (--depth == 0) return null; }
            else if (text == "," && depth == 1)
            {
                var literal = tokens.FindIndex(k + 1, t => t.Kind is not (TokenKind.Space or TokenKind.Comment));
                if (literal < 0 || tokens[literal].Kind != TokenKind.String) return null;
                var after = tokens.FindIndex(literal + 1, t => t.Kind is not (TokenKind.Space or TokenKind.Comment));
                return after >= 0 && tokens[after].Text == ")" ? literal : null;
            }
        }
        return null;
    }

    // CAST(x AS varchar(10)), decimal(10,2) and similar: a type name followed by '(' is not a call.
    private static bool IsTypeConstructor(List<Token> tokens, int k, Token? previous) =>
        previous?.Lower is "as" && tokens[k].Lower is "varchar" or "char" or "decimal" or "timestamp" or "time" or "row" or "array" or "map";

    private static int SkipEmptyCall(List<Token> tokens, int k)
    {
        var open = tokens.FindIndex(k + 1, t => t.Text == "(");
        var close = tokens.FindIndex(open + 1, t => t.Text == ")");
        return close < 0 ? k : close;
    }

    private static string Literal(DateTimeOffset now) =>
        $"TIMESTAMP '{now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)}'";
}

/// <summary>The Trino functions the kit supports, and how each reaches DuckDB.</summary>
public static class TrinoFunctions
{
    /// <summary>Same name and meaning in DuckDB.</summary>
    public static readonly HashSet<string> PassThrough =
    [
        // aggregates
        "count", "sum", "avg", "min", "max", "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop",
        "count_if", "max_by", "min_by", "array_agg", "bool_and", "bool_or", "corr", "covar_samp", "covar_pop", "listagg",
        // window
        "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value", "last_value", "nth_value",
        // numbers
        "abs", "ceil", "ceiling", "floor", "round", "sqrt", "power", "pow", "exp", "ln", "log10", "log2", "mod", "sign", "greatest", "least",
        // conditionals
        "coalesce", "nullif", "if",
        // strings
        "concat", "length", "lower", "upper", "trim", "ltrim", "rtrim", "substr", "substring", "replace", "split_part",
        "strpos", "reverse", "lpad", "rpad", "regexp_extract", "starts_with",
        // dates and times
        "date_trunc", "date_diff", "hour", "minute", "second", "day", "week", "month", "quarter", "year", "extract",
        // casts and types
        "cast", "try_cast", "typeof",
    ];

    /// <summary>Trino name → the kit's DuckDB macro, where DuckDB spells it differently, lacks it or means something else.</summary>
    public static readonly Dictionary<string, string> Renamed = new()
    {
        ["date_add"] = "athena_date_add",
        ["date_format"] = "athena_date_format",
        ["date_parse"] = "athena_date_parse",
        ["format_datetime"] = "athena_format_datetime",
        ["from_iso8601_timestamp"] = "athena_from_iso8601_timestamp",
        ["from_iso8601_date"] = "athena_from_iso8601_date",
        ["from_unixtime"] = "athena_from_unixtime",
        ["to_unixtime"] = "athena_to_unixtime",
        ["day_of_week"] = "athena_day_of_week",
        ["dow"] = "athena_day_of_week",
        ["day_of_year"] = "athena_day_of_year",
        ["doy"] = "athena_day_of_year",
        ["day_of_month"] = "day",
        ["date"] = "athena_date",
        ["approx_distinct"] = "athena_approx_distinct",
        ["approx_percentile"] = "athena_approx_percentile",
        ["arbitrary"] = "athena_arbitrary",
        ["regexp_like"] = "athena_regexp_like",
        ["regexp_replace"] = "athena_regexp_replace",
        ["element_at"] = "athena_element_at",
        ["cardinality"] = "athena_cardinality",
        ["contains"] = "athena_contains",
        ["array_join"] = "athena_array_join",
        ["split"] = "athena_split",
        ["truncate"] = "athena_truncate",
        ["json_extract_scalar"] = "athena_json_extract_scalar",
    };

    /// <summary>Functions whose second argument is a date pattern: MySQL-style (%Y-%m-%d %H:%i:%s) or Joda-style (yyyy-MM-dd HH:mm).</summary>
    public static readonly Dictionary<string, Func<string, string>> FormatArguments = new()
    {
        ["date_format"] = MySqlToStrftime,
        ["date_parse"] = MySqlToStrftime,
        ["format_datetime"] = JodaToStrftime,
    };

    public static string MySqlToStrftime(string pattern)
    {
        var output = new StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] != '%' || i + 1 == pattern.Length) { output.Append(pattern[i]); continue; }
            output.Append(pattern[++i] switch
            {
                'i' => "%M", 's' => "%S", 'M' => "%B", 'c' => "%-m", 'e' => "%-d", 'W' => "%A", 'T' => "%H:%M:%S",
                'r' => "%I:%M:%S %p", 'h' => "%I", 'k' => "%-H", 'l' => "%-I", 'f' => "%f", 'v' => "%V", 'x' => "%G",
                var other => "%" + other,
            });
        }
        return output.ToString();
    }

    public static string JodaToStrftime(string pattern)
    {
        (string Joda, string Strftime)[] map =
        [
            ("yyyy", "%Y"), ("yy", "%y"), ("MMMM", "%B"), ("MMM", "%b"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("hh", "%I"),
            ("mm", "%M"), ("ss", "%S"), ("SSS", "%g"), ("EEEE", "%A"), ("EEE", "%a"), ("a", "%p"), ("M", "%-m"), ("d", "%-d"), ("H", "%-H"),
        ];
        var output = new StringBuilder();
        for (var i = 0; i < pattern.Length;)
        {
            if (pattern[i] == '\'')
            {
                var close = pattern.IndexOf('\'', i + 1);
                output.Append(close < 0 ? pattern[(i + 1)..] : pattern[(i + 1)..close]);
                i = close < 0 ? pattern.Length : close + 1;
                continue;
            }
            var hit = map.FirstOrDefault(m => string.CompareOrdinal(pattern, i, m.Joda, 0, m.Joda.Length) == 0);
            if (hit.Joda is null) { output.Append(pattern[i]); i++; continue; }
            output.Append(hit.Strftime);
            i += hit.Joda.Length;
        }
        return output.ToString();
    }

    /// <summary>Words followed by '(' that are syntax, not function calls.</summary>
    public static readonly HashSet<string> NotFunctions =
    [
        "in", "as", "over", "values", "exists", "from", "join", "using", "on", "and", "or", "not", "select", "where",
        "with", "filter", "within", "partition", "by", "into", "table", "view", "unnest", "lateral", "array", "row",
        "interval", "case", "when", "then", "else", "is", "any", "all", "some", "union", "intersect", "except", "rows", "range",
        "grouping", "sets", "cube", "rollup", "tablesample", "map", "between", "like", "by",
    ];

    /// <summary>
    /// What each engine runs once when it opens: its one Trino setting, `/` between two integers being integer division
    /// (7 / 2 is 3, -7 / 2 is -3, as in Athena, where DuckDB would answer 3.5), then the macros.
    /// </summary>
    public static readonly string[] EngineSetup =
    [
        "SET integer_division = true",
        "CREATE OR REPLACE MACRO athena_date_format(ts, f) AS strftime(CAST(ts AS TIMESTAMP), f)",
        "CREATE OR REPLACE MACRO athena_date_parse(s, f) AS strptime(s, f)",
        "CREATE OR REPLACE MACRO athena_format_datetime(ts, f) AS strftime(CAST(ts AS TIMESTAMP), f)",
        "CREATE OR REPLACE MACRO athena_from_iso8601_timestamp(s) AS CAST(CAST(s AS TIMESTAMPTZ) AS TIMESTAMP)",
        "CREATE OR REPLACE MACRO athena_from_iso8601_date(s) AS CAST(s AS DATE)",
        "CREATE OR REPLACE MACRO athena_from_unixtime(x) AS CAST(to_timestamp(x) AS TIMESTAMP)",
        "CREATE OR REPLACE MACRO athena_to_unixtime(ts) AS epoch(CAST(ts AS TIMESTAMP))",
        "CREATE OR REPLACE MACRO athena_date_add(unit, n, ts) AS ts + to_microseconds(0) + CASE lower(unit) WHEN 'millisecond' THEN to_milliseconds(n) WHEN 'second' THEN to_seconds(n) WHEN 'minute' THEN to_minutes(n) WHEN 'hour' THEN to_hours(n) WHEN 'day' THEN to_days(n) WHEN 'week' THEN to_weeks(n) WHEN 'month' THEN to_months(n) WHEN 'quarter' THEN to_months(3 * n) WHEN 'year' THEN to_years(n) END",
        "CREATE OR REPLACE MACRO athena_day_of_week(x) AS isodow(x)",
        "CREATE OR REPLACE MACRO athena_day_of_year(x) AS dayofyear(x)",
        "CREATE OR REPLACE MACRO athena_date(x) AS CAST(x AS DATE)",
        "CREATE OR REPLACE MACRO athena_approx_distinct(x) AS approx_count_distinct(x)",
        "CREATE OR REPLACE MACRO athena_approx_percentile(x, p) AS approx_quantile(x, p)",
        "CREATE OR REPLACE MACRO athena_arbitrary(x) AS any_value(x)",
        "CREATE OR REPLACE MACRO athena_regexp_like(s, p) AS regexp_matches(s, p)",
        "CREATE OR REPLACE MACRO athena_regexp_replace(s, p, r) AS regexp_replace(s, p, r, 'g')",
        "CREATE OR REPLACE MACRO athena_element_at(c, i) AS c[i]",
        "CREATE OR REPLACE MACRO athena_cardinality(c) AS len(c)",
        "CREATE OR REPLACE MACRO athena_contains(c, x) AS list_contains(c, x)",
        "CREATE OR REPLACE MACRO athena_array_join(c, sep) AS array_to_string(c, sep)",
        "CREATE OR REPLACE MACRO athena_split(s, sep) AS string_split(s, sep)",
        "CREATE OR REPLACE MACRO athena_truncate(x) AS trunc(x)",
        "CREATE OR REPLACE MACRO athena_json_extract_scalar(j, p) AS json_extract_string(j, p)",
    ];
}
