using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Query;

/// <summary>
/// A finished query's columns (with Athena type names), rows and statistics; for an INSERT INTO, no columns and the
/// number of rows it inserted (<see cref="UpdateCount"/>).
/// </summary>
public sealed class QueryResult(QueryExecution execution, IReadOnlyList<ResultColumn> columns, IReadOnlyList<object?[]> rows, long? updateCount = null) : IHtmlDisplay
{
    /// <summary>The rows an INSERT INTO wrote, as GetQueryResults' UpdateCount gives them; null for other statements.</summary>
    public long? UpdateCount { get; } = updateCount;

    public QueryExecution Execution { get; } = execution;
    public IReadOnlyList<ResultColumn> Columns { get; } = columns;
    public IReadOnlyList<object?[]> Rows { get; } = rows;
    public QueryStatistics Statistics => Execution.Statistics!;

    public object? this[int row, string column] => Rows[row][IndexOf(column)];

    public int IndexOf(string column)
    {
        for (var i = 0; i < Columns.Count; i++)
            if (string.Equals(Columns[i].Name, column, StringComparison.OrdinalIgnoreCase)) return i;
        throw new ArgumentException($"The result has no column '{column}'; its columns are {string.Join(", ", Columns.Select(c => c.Name))}.");
    }

    /// <summary>The values of one column, converted to <typeparamref name="T"/>.</summary>
    public IReadOnlyList<T> Column<T>(string column)
    {
        var index = IndexOf(column);
        return Rows.Select(r => ConvertTo<T>(r[index], Columns[index].Name)).ToArray();
    }

    /// <summary>The rows, each read by column name: <c>row.Get&lt;string&gt;("city")</c> instead of <c>(string)row[0]</c>.</summary>
    public IReadOnlyList<ResultRow> NamedRows => Rows.Select(r => new ResultRow(this, r)).ToArray();

    /// <summary>
    /// A value of <paramref name="column"/> as <typeparamref name="T"/>. A number with a fraction asked for as a whole
    /// number is refused, naming both: the conversion would round it (-0.4 read as 0), and the learner would not know.
    /// </summary>
    internal static T ConvertTo<T>(object? value, string column)
    {
        if (value is null) return default!;
        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        if (Type.GetTypeCode(target) is >= TypeCode.SByte and <= TypeCode.UInt64
            && value is double or float or decimal && Convert.ToDecimal(value, CultureInfo.InvariantCulture) % 1 != 0)
            throw new InvalidCastException($"Column '{column}' holds {AthenaConsole.Format(value)}, which has a fraction, and Get<{typeof(T).Name}> would round it: " +
                $"read it as Get<double>(\"{column}\"), or round it in the query (ROUND, CAST).");
        return (T)Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
    }

    public DataFrame ToDataFrame()
    {
        var frame = new DataFrame();
        for (var c = 0; c < Columns.Count; c++)
        {
            var index = c;
            DataFrameColumn column = Columns[c].Type switch
            {
                "double" or "real" or "float" => new DoubleDataFrameColumn(Columns[c].Name, Rows.Select(r => r[index] is null ? (double?)null : Convert.ToDouble(r[index], CultureInfo.InvariantCulture))),
                "bigint" or "integer" or "smallint" or "tinyint" => new Int64DataFrameColumn(Columns[c].Name, Rows.Select(r => r[index] is null ? (long?)null : Convert.ToInt64(r[index], CultureInfo.InvariantCulture))),
                "boolean" => new BooleanDataFrameColumn(Columns[c].Name, Rows.Select(r => r[index] as bool?)),
                "timestamp" or "date" => new DateTimeDataFrameColumn(Columns[c].Name, Rows.Select(r => r[index] switch { DateTime d => d, DateOnly d => d.ToDateTime(TimeOnly.MinValue), _ => (DateTime?)null })),
                _ => new StringDataFrameColumn(Columns[c].Name, Rows.Select(r => AthenaCsv.Format(r[index]))),
            };
            frame.Columns.Add(column);
        }
        return frame;
    }

    /// <summary>
    /// What the kit shows under a result: the Athena console's line (run time, data scanned) with Athena's charge for the
    /// scan, then, on a line of its own, what S3 bills for the GETs of the objects the query read (see <see cref="SummaryLines"/>).
    /// </summary>
    public string Summary => string.Join('\n', SummaryLines);

    /// <summary>
    /// The summary's lines. The first: run time, data scanned (with the objects read, where known) and Athena's scan
    /// charge. The second, for a statement that read objects: their S3 GETs, one an object at S3 Standard's us-east-1
    /// price, said to be an estimate; where the number of objects is unknown (Athena does not report it), a line that says
    /// so and gives no figure.
    /// </summary>
    public IReadOnlyList<string> SummaryLines
    {
        get
        {
            var invariant = CultureInfo.InvariantCulture;
            var first = (UpdateCount is { } inserted ? string.Create(invariant, $"{inserted:N0} row{(inserted == 1 ? "" : "s")} inserted · ") : "") +
                        string.Create(invariant, $"Run time: {Statistics.EngineExecutionTimeInMillis / 1000.0:0.000} sec · Data scanned: {Scanned(Statistics.DataScannedInBytes)} ") +
                        (Statistics.FilesScanned is { } files ? string.Create(invariant, $"({files:N0} object{(files == 1 ? "" : "s")}) ") : "") +
                        string.Create(invariant, $"· Athena scan charge: ${Statistics.EstimatedCostUsd:0.000000}");
            return RequestsLine(Statistics) is { } requests ? [first, requests] : [first];
        }
    }

    /// <summary>
    /// The S3 GETs of a statement's reads, estimated (one an object, at S3 Standard's us-east-1 price); null when it read
    /// nothing. With no count of objects (AWS), it says that the GETs are billed but not counted, and gives no figure.
    /// </summary>
    public static string? RequestsLine(QueryStatistics statistics) => statistics switch
    {
        { FilesScanned: null, DataScannedInBytes: > 0 } =>
            "S3 GETs: not counted, as Athena does not report how many objects it read (S3 bills a GET for each)",
        { FilesScanned: > 0 and var objects } => string.Create(CultureInfo.InvariantCulture,
            $"S3 GETs, estimated at S3 Standard's us-east-1 price: {objects:N0} × ${S3RequestPricing.GetUsdPerThousand} per 1,000 = ${statistics.EstimatedS3GetCostUsd:0.000000}"),
        _ => null,
    };

    public static string Scanned(long bytes) => bytes switch
    {
        < 1000 => $"{bytes} B",
        < 1_000_000 => $"{bytes / 1000.0:0.00} KB",
        < 1_000_000_000 => $"{bytes / 1e6:0.00} MB",
        _ => $"{bytes / 1e9:0.00} GB",
    };

    public const int RowsShown = 50;

    /// <summary>The result as the Athena console shows it: column names with their types, values, and the run-time line.</summary>
    public string ToHtml() => ToHtml(RowsShown);

    public string ToHtml(int maxRows)
    {
        if (Columns.Count == 0) return SummaryHtml;
        var rows = Rows.Take(maxRows).Select(r => (IReadOnlyList<string>)r.Select(AthenaConsole.Format).ToArray());
        var caption = Rows.Count > maxRows ? $"{Rows.Count:N0} rows (first {maxRows} shown)" : $"{Rows.Count:N0} row{(Rows.Count == 1 ? "" : "s")}";
        return HtmlTable.Render(Columns.Select(c => c.Name).ToArray(), rows, caption, Columns.Select(c => c.Type).ToArray()) +
               SummaryHtml;
    }

    /// <summary>The summary as a note, each of its lines on a line of its own.</summary>
    private string SummaryHtml => HtmlTable.Note(SummaryLines);

    public override string ToString()
    {
        if (Columns.Count == 0) return Summary + "\n";
        var text = new StringBuilder(TextTable.Render(Columns.Select(c => c.Name).ToArray(), Rows.Take(100).Select(r => (IReadOnlyList<string>)r.Select(AthenaConsole.Format).ToArray())));
        if (Rows.Count > 100) text.Append($"… {Rows.Count - 100:N0} more rows\n");
        return text.Append(Summary).Append('\n').ToString();
    }
}

/// <summary>One row of a <see cref="QueryResult"/>, read by column name.</summary>
public sealed class ResultRow
{
    private readonly QueryResult result;
    private readonly object?[] values;

    internal ResultRow(QueryResult result, object?[] values) => (this.result, this.values) = (result, values);

    /// <summary>The value in the named column, as the query returned it (null for NULL).</summary>
    public object? this[string column] => values[result.IndexOf(column)];

    /// <summary>The value in the named column, converted to <typeparamref name="T"/>: a bigint read as double, for example.</summary>
    public T Get<T>(string column) => QueryResult.ConvertTo<T>(this[column], column);

    public override string ToString() => string.Join(", ", result.Columns.Select((c, i) => $"{c.Name}={AthenaConsole.Format(values[i])}"));
}

/// <summary>
/// Values as the Athena console prints them: like the result files, except that doubles drop the last digits of
/// binary noise (15 significant digits, so 0.22499999999999998 reads 0.225), keep a ".0" when whole and read negative
/// zero as 0.0, and tabs are laid out as a terminal lays them out (DESCRIBE's rows are names and types parted by tabs).
/// </summary>
public static class AthenaConsole
{
    public static string Format(object? value) => value switch
    {
        // A table measures a tab as one character (or none), so rows with tabs lost their alignment and their border.
        string text when text.Contains('\t') => ExpandTabs(text),
        // A rounded difference of nearly nothing is negative zero; "-0.0" reads as a drop, so the console shows 0.0.
        double d when d == 0 => "0.0",
        double d => Decimal(d.ToString("G15", CultureInfo.InvariantCulture)),
        float f when f == 0 => "0.0",
        float f => Decimal(f.ToString("G7", CultureInfo.InvariantCulture)),
        System.Collections.IEnumerable list and not string => "[" + string.Join(", ", list.Cast<object?>().Select(Format)) + "]",
        _ => AthenaCsv.Format(value),
    };

    /// <summary>Each tab as the spaces up to the next multiple of <see cref="TabWidth"/> columns of its line.</summary>
    public static string ExpandTabs(string text)
    {
        var expanded = new StringBuilder(text.Length + 16);
        var column = 0;
        foreach (var character in text)
        {
            if (character == '\t')
            {
                var spaces = TabWidth - column % TabWidth;
                expanded.Append(' ', spaces);
                column += spaces;
                continue;
            }
            expanded.Append(character);
            column = character == '\n' ? 0 : column + 1;
        }
        return expanded.ToString();
    }

    public const int TabWidth = 8;

    private static string Decimal(string number) =>
        number.Any(c => c is '.' or 'E' or 'N' or 'I' or 'n' or 'i' or '∞') ? number : number + ".0";
}

/// <summary>Values as Athena writes them in result files: timestamps yyyy-MM-dd HH:mm:ss.SSS, dates yyyy-MM-dd, NULL as empty.</summary>
public static class AthenaCsv
{
    public static string Format(object? value) => value switch
    {
        null or DBNull => "",
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) + " UTC",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable list and not string => "[" + string.Join(", ", list.Cast<object?>().Select(Format)) + "]",
        _ => value.ToString() ?? "",
    };

    /// <summary>A CSV file as Athena writes one: a header of column names, every value quoted, quotes doubled.</summary>
    public static string Write(IReadOnlyList<ResultColumn> columns, IEnumerable<object?[]> rows)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', columns.Select(c => Quote(c.Name))).Append('\n');
        foreach (var row in rows) text.AppendJoin(',', row.Select(v => v is null or DBNull ? "" : Quote(Format(v)))).Append('\n');
        return text.ToString();
    }

    private static string Quote(string value) => "\"" + value.Replace("\"", "\"\"") + "\"";
}
