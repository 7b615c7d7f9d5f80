using System.Text.RegularExpressions;

namespace StreamingWorkshop.Query;

/// <summary>
/// Turns DuckDB's error messages into Athena's (Trino's) error names and wording, with the line and column of the
/// offending name in the query as the learner wrote it.
/// </summary>
internal static partial class AthenaErrors
{
    /// <param name="lakeFolder">The lake's folder, whose files are named by their s3:// addresses in the messages.</param>
    public static AthenaQueryException From(string message, string original, string translated, AthenaSettings settings, string? lakeFolder = null)
    {
        string Where(string? name, bool function = false)
        {
            var offset = CaretOffset(message, translated) is { } caret ? MapBack(caret, original, translated) : null;
            offset ??= name is null ? null : AthenaSql.FindName(original, name, function);
            var (line, column) = AthenaSql.Position(original, offset ?? 0);
            return $"line {line}:{column}";
        }

        // The engine's own sandbox refused a file, a URL, an extension, another database or a setting.
        if (message.StartsWith("Permission Error", StringComparison.Ordinal) || message.Contains("the configuration has been locked", StringComparison.Ordinal))
            return new("ACCESS_DENIED", $"{Where(null)}: Access denied. A query reads the tables of the data catalog only; it cannot open files, URLs, extensions or other databases, or change settings.");
        if (ColumnNotFound().Match(message) is { Success: true } column)
        {
            var name = column.Groups["name"].Value;
            return new("COLUMN_NOT_FOUND", $"{Where(name)}: Column '{name.ToLowerInvariant()}' cannot be resolved");
        }
        if (TableNotFound().Match(message) is { Success: true } table)
        {
            var name = table.Groups["name"].Value.ToLowerInvariant();
            var qualified = name.Contains('.') ? $"awsdatacatalog.{name}" : $"awsdatacatalog.{settings.DefaultDatabase}.{name}";
            return new("TABLE_NOT_FOUND", $"{Where(name.Split('.')[^1])}: Table '{qualified}' does not exist");
        }
        if (FunctionNotFound().Match(message) is { Success: true } function)
        {
            var name = function.Groups["name"].Value.ToLowerInvariant();
            return new("FUNCTION_NOT_FOUND", $"{Where(name, function: true)}: Function '{name}' not registered");
        }
        if (NoMatchingFunction().Match(message) is { Success: true } mismatch)
        {
            var name = mismatch.Groups["name"].Value;
            var athenaName = TrinoFunctions.Renamed.FirstOrDefault(r => r.Value == name).Key ?? name;
            var arguments = string.Join(", ", mismatch.Groups["args"].Value.Split(',').Select(a => TrinoTypeName(a.Trim())));
            var expected = athenaName == "date_trunc"
                ? " Expected: date_trunc(varchar(x), date), date_trunc(varchar(x), time(p)), date_trunc(varchar(x), timestamp(p)), date_trunc(varchar(x), timestamp(p) with time zone)"
                : "";
            return new("FUNCTION_NOT_FOUND", $"{Where(athenaName, function: true)}: Unexpected parameters ({arguments}) for function {athenaName}.{expected}");
        }
        if (OperatorMismatch().Match(message) is { Success: true } op)
        {
            var arguments = op.Groups["args"].Value.Split(',').Select(a => TrinoTypeName(a.Trim())).ToArray();
            return new("TYPE_MISMATCH", $"{Where(null)}: Cannot apply operator: {string.Join($" {op.Groups["op"].Value} ", arguments)}");
        }
        if (message.Contains("Conversion Error", StringComparison.Ordinal))
            return new("TYPE_MISMATCH", $"{Where(null)}: {FirstLine(message).Replace("Conversion Error: ", "")}");
        if (SyntaxError().Match(message) is { Success: true } syntax)
        {
            var near = syntax.Groups["near"].Value;
            return new("SYNTAX_ERROR", $"{Where(near)}: mismatched input '{near}'");
        }
        if (message.Contains("syntax error at end of input", StringComparison.Ordinal))
        {
            // Trino points just past the last token, where the statement stopped short.
            var (endLine, endColumn) = AthenaSql.Position(original, original.TrimEnd().Length);
            return new("SYNTAX_ERROR", $"line {endLine}:{endColumn}: mismatched input '<EOF>'. The statement ends before its last clause is complete: finish it (a WHERE needs a condition, a GROUP BY its columns).");
        }
        if (ExpressionTooDeep().Match(message) is { Success: true } deep)
            // DuckDB's own advice is a SET, which Athena has not and the kit's locked engine refuses.
            return new("SYNTAX_ERROR", $"{Where(null)}: the expression is nested more than {deep.Groups["limit"].Value} levels deep; split it into smaller parts, for example with a WITH clause.");
        if (message.StartsWith("Parser Error", StringComparison.Ordinal))
            return new("SYNTAX_ERROR", $"{Where(null)}: {FirstLine(message).Replace("Parser Error: ", "")}");
        if (NotAggregate().Match(message) is { Success: true } notAggregate)
        {
            var name = notAggregate.Groups["name"].Value;
            return new("EXPRESSION_NOT_AGGREGATE", $"{Where(name)}: '{name}' must be an aggregate expression or appear in GROUP BY clause");
        }
        if (message.StartsWith("Binder Error", StringComparison.Ordinal))
            return new("SEMANTIC_ERROR", $"{Where(null)}: {FirstLine(message).Replace("Binder Error: ", "")}");
        if (UnparsableString().Match(message) is { Success: true } unparsable)
        {
            // DuckDB's last line says what is wrong with the value ("Error: Month out of range, ...").
            var reason = message.Split('\n')[^1].Replace("Error: ", "").TrimEnd('.');
            // Raised while the query runs, on a value, so Athena gives no line and column.
            return new("INVALID_FUNCTION_ARGUMENT", $"Invalid format: \"{unparsable.Groups["value"].Value}\": {char.ToLowerInvariant(reason[0])}{reason[1..]}.");
        }
        if (BadJsonValue().Match(message) is { Success: true } bad)
        {
            var reason = bad.Groups["reason"].Value.TrimEnd('.');
            return new("HIVE_BAD_DATA", $"Error parsing field value in {S3Address(bad.Groups["file"].Value, lakeFolder)}, line {bad.Groups["line"].Value}: " +
                $"{char.ToLowerInvariant(reason[0])}{reason[1..]}. A column's type in the catalog does not fit this value: check the table's column types.");
        }
        if (message.StartsWith("Invalid Input Error", StringComparison.Ordinal) || message.StartsWith("IO Error", StringComparison.Ordinal))
            return new("HIVE_BAD_DATA", $"{FirstLine(message)} Check the table's objects: a line that is not one JSON object, or a value that does not fit its column type.");
        return new("GENERIC_INTERNAL_ERROR", FirstLine(message));
    }

    /// <summary>A lake file's s3:// address (bucket, then key), or the path as it is when it is not under the lake's folder.</summary>
    private static string S3Address(string path, string? lakeFolder)
    {
        if (lakeFolder is null) return path;
        var relative = Path.GetRelativePath(lakeFolder, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : "s3://" + relative.Replace(Path.DirectorySeparatorChar, '/');
    }

    [GeneratedRegex("Max expression depth limit of (?<limit>\\d+) exceeded")]
    private static partial Regex ExpressionTooDeep();

    [GeneratedRegex("^Invalid Input Error: Could not parse string \"(?<value>[^\"]*)\"")]
    private static partial Regex UnparsableString();

    [GeneratedRegex("^Invalid Input Error: JSON transform error in file \"(?<file>[^\"]+)\", in line (?<line>\\d+): (?<reason>[^\n]+)")]
    private static partial Regex BadJsonValue();

    /// <summary>DuckDB marks the error with a caret under "LINE n: ..." (text of the translated SQL); returns its offset there.</summary>
    private static int? CaretOffset(string message, string translated)
    {
        var lines = message.Split('\n');
        for (var i = 0; i < lines.Length - 1; i++)
        {
            var match = LineMarker().Match(lines[i]);
            if (!match.Success) continue;
            var caret = lines[i + 1].IndexOf('^');
            if (caret < 0) return null;
            var snippet = lines[i][match.Length..];
            if (snippet.StartsWith("...", StringComparison.Ordinal)) return null;
            var lineNumber = int.Parse(match.Groups["line"].Value);
            var translatedLines = translated.Split('\n');
            if (lineNumber > translatedLines.Length) return null;
            var lineStart = translatedLines.Take(lineNumber - 1).Sum(l => l.Length + 1);
            return lineStart + caret - match.Length;
        }
        return null;
    }

    /// <summary>
    /// Maps an offset in the translated SQL back to the original. Translation only renames words in place, so
    /// walking both token lists side by side finds the matching token.
    /// </summary>
    private static int? MapBack(int offset, string original, string translated)
    {
        var a = AthenaSql.Tokenize(original);
        var b = AthenaSql.Tokenize(translated);
        if (a.Count != b.Count) return offset < original.Length ? offset : null;
        for (var i = 0; i < b.Count; i++)
        {
            if (offset >= b[i].Offset && offset < b[i].Offset + b[i].Text.Length)
                return a[i].Offset + Math.Min(offset - b[i].Offset, Math.Max(0, a[i].Text.Length - 1));
        }
        return null;
    }

    private static string TrinoTypeName(string duck) => duck.ToUpperInvariant() switch
    {
        "STRING_LITERAL" => "varchar",
        "VARCHAR" => "varchar",
        "INTEGER_LITERAL" or "INTEGER" => "integer",
        "BIGINT" => "bigint",
        "DOUBLE" or "DECIMAL_LITERAL" => "double",
        "TIMESTAMP" => "timestamp(3)",
        "DATE" => "date",
        "BOOLEAN" => "boolean",
        var other => other.ToLowerInvariant(),
    };

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    [GeneratedRegex("Referenced column \"(?<name>[^\"]+)\" not found")]
    private static partial Regex ColumnNotFound();

    [GeneratedRegex("column \"(?<name>[^\"]+)\" must appear in the GROUP BY clause or must be part of an aggregate function")]
    private static partial Regex NotAggregate();

    [GeneratedRegex("Table with name (?<name>[^ ]+) does not exist")]
    private static partial Regex TableNotFound();

    [GeneratedRegex("(?:Scalar|Aggregate|Table) Function with name (?<name>[^ ]+) does not exist")]
    private static partial Regex FunctionNotFound();

    [GeneratedRegex(@"No function matches the given name and argument types '(?<name>[A-Za-z_0-9]+)\((?<args>[^)]*)\)'")]
    private static partial Regex NoMatchingFunction();

    // An operator as DuckDB names it: 'function call "+(DOUBLE, VARCHAR)"' in older versions, "No function matches the
    // given name and argument types '+(DOUBLE, VARCHAR)'" in newer ones.
    [GeneratedRegex(@"(?:function call ""|argument types ')(?<op>[^A-Za-z_0-9('""]+)\((?<args>[^)]*)\)[""']")]
    private static partial Regex OperatorMismatch();

    [GeneratedRegex(@"syntax error at or near ""(?<near>[^""]*)""")]
    private static partial Regex SyntaxError();

    [GeneratedRegex(@"^LINE (?<line>\d+): ")]
    private static partial Regex LineMarker();
}
