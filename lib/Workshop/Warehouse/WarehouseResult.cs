using System.Globalization;
using System.Text;
using StreamingWorkshop.Display;

namespace StreamingWorkshop.Warehouse;

/// <summary>A finished warehouse statement: its description (id, duration, rows), its columns with Redshift's type names, and its rows.</summary>
public sealed class WarehouseResult(StatementDescription description, IReadOnlyList<WarehouseColumn> columns, IReadOnlyList<object?[]> rows) : IHtmlDisplay
{
    public StatementDescription Description { get; } = description;
    public IReadOnlyList<WarehouseColumn> Columns { get; } = columns;
    public IReadOnlyList<object?[]> Rows { get; } = rows;

    /// <summary>The statement's id (DescribeStatement's Id).</summary>
    public string StatementId => Description.Id;

    public TimeSpan Duration => TimeSpan.FromTicks(Description.DurationNanoseconds / 100);

    public object? this[int row, string column] => Rows[row][IndexOf(column)];

    public int IndexOf(string column)
    {
        for (var i = 0; i < Columns.Count; i++)
            if (string.Equals(Columns[i].Name, column, StringComparison.OrdinalIgnoreCase)) return i;
        throw new ArgumentException($"The result has no column '{column}'; its columns are {string.Join(", ", Columns.Select(c => c.Name).DefaultIfEmpty("(none: the statement returns no rows)"))}.");
    }

    /// <summary>The values of one column, converted to <typeparamref name="T"/>.</summary>
    public IReadOnlyList<T> Column<T>(string column)
    {
        var index = IndexOf(column);
        return Rows.Select(r => Query.QueryResult.ConvertTo<T>(r[index], Columns[index].Name)).ToArray();
    }

    /// <summary>The line under a result: the statement, its duration and its rows (returned, or changed).</summary>
    public string Summary =>
        $"Statement {StatementId} · {Duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms · " +
        (Description.HasResultSet ? $"{Rows.Count:N0} row{(Rows.Count == 1 ? "" : "s")}" : ChangesRows() ? $"{Description.ResultRows:N0} row{(Description.ResultRows == 1 ? "" : "s")} changed" : "done");

    private bool ChangesRows() => Description.ResultRows >= 0 &&
        System.Text.RegularExpressions.Regex.IsMatch(Description.QueryString, @"^\s*(INSERT|UPDATE|DELETE|COPY|MERGE)\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase);

    public const int RowsShown = 50;

    public string ToHtml()
    {
        if (Columns.Count == 0) return HtmlTable.Note(Summary);
        var shown = Rows.Take(RowsShown).Select(r => (IReadOnlyList<string>)r.Select(Format).ToArray());
        var caption = Rows.Count > RowsShown ? $"{Rows.Count:N0} rows (first {RowsShown} shown)" : $"{Rows.Count:N0} row{(Rows.Count == 1 ? "" : "s")}";
        return HtmlTable.Render(Columns.Select(c => c.Name).ToArray(), shown, caption, Columns.Select(c => c.TypeName).ToArray()) +
               HtmlTable.Note(Summary);
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        if (Columns.Count > 0)
        {
            text.Append(TextTable.Render(Columns.Select(c => c.Name).ToArray(), Rows.Take(100).Select(r => (IReadOnlyList<string>)r.Select(Format).ToArray())));
            if (Rows.Count > 100) text.Append($"… {Rows.Count - 100:N0} more rows\n");
        }
        return text.Append(Summary).Append('\n').ToString();
    }

    /// <summary>
    /// A value as Redshift's query editor prints it: NULL, true/false, numbers without binary noise, timestamps as
    /// 2024-01-05 10:00:00, a SUPER value as its JSON text, VARBYTE as hex.
    /// </summary>
    public static string Format(object? value) => value switch
    {
        null => "NULL",
        bool b => b ? "true" : "false",
        double d => d.ToString("G15", CultureInfo.InvariantCulture),
        byte[] bytes => Convert.ToHexString(bytes).ToLowerInvariant(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>The rows as CSV: a header of column names, values quoted where they hold a comma, quote or line break, NULL as empty.</summary>
    public string ToCsv()
    {
        static string Cell(object? value)
        {
            if (value is null) return "";
            var text = Format(value);
            return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
        }
        var csv = new StringBuilder();
        csv.AppendJoin(',', Columns.Select(c => Cell(c.Name))).Append('\n');
        foreach (var row in Rows) csv.AppendJoin(',', row.Select(Cell)).Append('\n');
        return csv.ToString();
    }
}
