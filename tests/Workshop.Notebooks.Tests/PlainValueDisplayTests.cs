using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// What a learner sees when a cell ends with a plain C# value: a sequence of objects is one table with a column per
/// property, a single object or tuple a table of its members, a dictionary its keys and values, numbers and strings one
/// column; a long or endless sequence its first 20 rows and a caption that says so; the text/plain form the same table
/// as aligned text for a terminal. Never the formatting package's tree of collapsed rows.
/// </summary>
public sealed partial class PlainValueDisplayTests(PlainValueDisplayTests.PlainValuesNotebook notebook) : IClassFixture<PlainValueDisplayTests.PlainValuesNotebook>
{
    /// <summary>One notebook of plain values, run once by the kit's runner as `workshop run` runs it.</summary>
    public sealed class PlainValuesNotebook : IAsyncLifetime
    {
        private readonly string folder = Directory.CreateTempSubdirectory("plain-values-").FullName;

        public static readonly string[] Cells =
        [
            "record Reading(string City, DateTime At, double? Temp);\n" +
            "IEnumerable<int> Forever() { var i = 0; while (true) yield return i++; }\n" +
            "var prices = new StreamingWorkshop.Display.PropertiesView(\"Assumed prices\", new[] { (\"Athena\", \"$5 per TB\") });",
            "new[] { new { City = \"Leeds\", Temp = 12.5 }, new { City = \"York\", Temp = 11.0 } }",
            "(City: \"Leeds\", Temp: 12.5)",
            "new List<(string City, double Temp)> { (\"Leeds\", 12.5), (\"York\", 11.0) }",
            "new Dictionary<string, int> { [\"a\"] = 1, [\"b\"] = 2 }",
            "new { City = \"Leeds\", Temp = 12.5 }",
            "new[] { new Reading(\"Leeds\", new DateTime(2025, 1, 14, 10, 15, 0), 12.5), new Reading(\"York\", new DateTime(2025, 1, 14, 10, 30, 0), null) }",
            "Enumerable.Range(0, 1000).Select(i => new { Id = i, Square = i * i })",
            "Forever().Select(i => new { N = i })",
            "new[] { 1, 2, 3 }",
            "new List<string> { \"London\", \"Leeds\" }",
            "new[] { new { City = \"Leeds\", Tags = new[] { \"north\", \"rainy\" }, At = (53.8, -1.5), Station = new { Name = \"Leeds\", Height = 80 } } }",
            "new[] { new { Stage = \"query\", Shown = prices } }",
            "prices",
        ];

        public NotebookDocument Executed { get; private set; } = null!;

        public string Page { get; private set; } = "";

        public async Task InitializeAsync()
        {
            var document = new NotebookDocument { Metadata = NotebookDocument.DefaultMetadata() };
            foreach (var cell in Cells) document.Cells.Add(NotebookCell.Code(cell));
            var path = Path.Combine(folder, "plain.ipynb");
            NotebookFile.Write(document, path);
            var report = await NotebookRunner.RunAsync(path, new RunOptions { OutputDirectory = Path.Combine(folder, "out") });
            Assert.True(report.Succeeded, report.FailedError);
            Executed = NotebookFile.Read(report.ExecutedPath);
            Page = File.ReadAllText(report.HtmlPath);
        }

        public Task DisposeAsync()
        {
            Directory.Delete(folder, recursive: true);
            return Task.CompletedTask;
        }
    }

    private JsonObject Result(string source)
    {
        var cell = notebook.Executed.Cells.Single(c => c.Source == source);
        var output = Assert.Single(cell.Outputs);
        Assert.Equal("execute_result", output["output_type"]!.GetValue<string>());
        return output;
    }

    private string Html(int cell) => Result(PlainValuesNotebook.Cells[cell])["data"]!["text/html"]!.GetValue<string>();

    private string Text(int cell) => Result(PlainValuesNotebook.Cells[cell])["data"]!["text/plain"]!.GetValue<string>();

    /// <summary>A table as a person reads it: the line above it, its headers, and each row's cells.</summary>
    private sealed record ShownTable(string? Caption, string[] Headers, string[][] Rows);

    private static ShownTable Read(string html)
    {
        Assert.DoesNotContain("dni-treeview", html);
        var caption = Caption().Match(html);
        var headers = HeaderCell().Matches(html).Select(m => Shown(m.Groups["text"].Value)).ToArray();
        var start = html.IndexOf("<tbody>", StringComparison.Ordinal);
        Assert.True(start >= 0, "no table in " + html);
        var body = html[start..];
        var rows = Row().Matches(body).Select(row => DataCell().Matches(row.Groups["cells"].Value).Select(c => Shown(c.Groups["text"].Value)).ToArray()).ToArray();
        return new ShownTable(caption.Success ? Shown(caption.Groups["text"].Value) : null, headers, rows);
    }

    private static string Shown(string html) => WebUtility.HtmlDecode(Regex.Replace(html, "<[^>]*>", ""));

    [Fact]
    public void A_sequence_of_anonymous_objects_is_one_table_with_a_column_per_property()
    {
        var table = Read(Html(1));

        Assert.Equal("2 rows x 2 columns", table.Caption);
        Assert.Equal(["City", "Temp"], table.Headers);
        Assert.Equal([["Leeds", "12.5"], ["York", "11"]], table.Rows);
        Assert.Equal("2 rows x 2 columns\nCity   Temp\n-----  ----\nLeeds  12.5\nYork   11", Text(1));
    }

    [Fact]
    public void A_named_tuple_and_a_list_of_them_show_Item1_and_Item2_since_the_names_are_gone_at_run_time()
    {
        var single = Read(Html(2));
        Assert.Null(single.Caption);
        Assert.Equal(["Property", "Value"], single.Headers);
        Assert.Equal([["Item1", "Leeds"], ["Item2", "12.5"]], single.Rows);
        Assert.Equal("Property  Value\n--------  -----\nItem1     Leeds\nItem2     12.5", Text(2));

        var list = Read(Html(3));
        Assert.Equal("2 rows x 2 columns", list.Caption);
        Assert.Equal(["Item1", "Item2"], list.Headers);
        Assert.Equal([["Leeds", "12.5"], ["York", "11"]], list.Rows);
        Assert.Equal("2 rows x 2 columns\nItem1  Item2\n-----  -----\nLeeds  12.5\nYork   11", Text(3));
    }

    [Fact]
    public void A_dictionary_is_a_table_of_keys_and_values()
    {
        var table = Read(Html(4));

        Assert.Equal("2 entries", table.Caption);
        Assert.Equal(["Key", "Value"], table.Headers);
        Assert.Equal([["a", "1"], ["b", "2"]], table.Rows);
        Assert.Equal("2 entries\nKey  Value\n---  -----\na    1\nb    2", Text(4));
    }

    [Fact]
    public void A_single_anonymous_object_is_a_table_of_its_properties_and_values()
    {
        var table = Read(Html(5));

        Assert.Null(table.Caption);
        Assert.Equal(["Property", "Value"], table.Headers);
        Assert.Equal([["City", "Leeds"], ["Temp", "12.5"]], table.Rows);
        Assert.Equal("Property  Value\n--------  -----\nCity      Leeds\nTemp      12.5", Text(5));
    }

    [Fact]
    public void Records_show_dates_year_first_and_a_null_as_an_empty_cell()
    {
        var table = Read(Html(6));

        Assert.Equal("2 rows x 3 columns", table.Caption);
        Assert.Equal(["City", "At", "Temp"], table.Headers);
        Assert.Equal([["Leeds", "2025-01-14 10:15:00", "12.5"], ["York", "2025-01-14 10:30:00", ""]], table.Rows);
        Assert.Equal(
            "2 rows x 3 columns\nCity   At                   Temp\n-----  -------------------  ----\nLeeds  2025-01-14 10:15:00  12.5\nYork   2025-01-14 10:30:00",
            Text(6));
    }

    [Fact]
    public void A_long_sequence_shows_its_first_20_rows_and_says_how_many_there_are()
    {
        var table = Read(Html(7));

        Assert.Equal("1,000 rows x 2 columns (first 20 shown)", table.Caption);
        Assert.Equal(["Id", "Square"], table.Headers);
        Assert.Equal(20, table.Rows.Length);
        Assert.Equal(["0", "0"], table.Rows[0]);
        Assert.Equal(["19", "361"], table.Rows[^1]);
        var lines = Text(7).Split('\n');
        Assert.Equal(["1,000 rows x 2 columns (first 20 shown)", "Id  Square", "--  ------", "0   0"], lines[..4]);
        Assert.Equal("19  361", lines[^1]);
        Assert.Equal(23, lines.Length);
    }

    [Fact]
    public void An_endless_lazy_sequence_shows_its_first_20_rows_and_says_there_are_more()
    {
        var table = Read(Html(8));

        Assert.Equal("More than 20 rows x 1 column (first 20 shown)", table.Caption);
        Assert.Equal(["N"], table.Headers);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => new[] { i.ToString() }).ToArray(), table.Rows);
        var lines = Text(8).Split('\n');
        Assert.Equal(["More than 20 rows x 1 column (first 20 shown)", "N", "--", "0"], lines[..4]);
        Assert.Equal("19", lines[^1]);
        Assert.Equal(23, lines.Length);
    }

    [Fact]
    public void Numbers_and_strings_are_one_column_of_values()
    {
        var numbers = Read(Html(9));
        Assert.Equal("3 values", numbers.Caption);
        Assert.Equal(["Value"], numbers.Headers);
        Assert.Equal([["1"], ["2"], ["3"]], numbers.Rows);
        Assert.Equal("3 values\nValue\n-----\n1\n2\n3", Text(9));

        var names = Read(Html(10));
        Assert.Equal("2 values", names.Caption);
        Assert.Equal([["London"], ["Leeds"]], names.Rows);
        Assert.Equal("2 values\nValue\n------\nLondon\nLeeds", Text(10));
    }

    [Fact]
    public void A_sequence_or_object_inside_a_cell_is_one_line_of_text_not_a_tree()
    {
        var table = Read(Html(11));

        Assert.Equal(["City", "Tags", "At", "Station"], table.Headers);
        Assert.Equal([["Leeds", "[north, rainy]", "(53.8, -1.5)", "{ Name = Leeds, Height = 80 }"]], table.Rows);
        Assert.Equal("Leeds  [north, rainy]  (53.8, -1.5)  { Name = Leeds, Height = 80 }", Text(11).Split('\n')[^1]);
    }

    [Fact]
    public void A_kit_view_in_a_cell_is_its_title_and_on_its_own_keeps_its_designed_table()
    {
        var table = Read(Html(12));
        Assert.Equal(["Stage", "Shown"], table.Headers);
        Assert.Equal([["query", "Assumed prices"]], table.Rows);

        var alone = Read(Html(13));
        Assert.Equal("Assumed prices", alone.Caption);
        Assert.Equal(["Property", "Value"], alone.Headers);
        Assert.Equal([["Athena", "$5 per TB"]], alone.Rows);
        Assert.StartsWith("Assumed prices\nProperty  Value\n", Text(13));
    }

    [Fact]
    public void The_page_shows_the_same_tables_and_no_tree()
    {
        var body = notebook.Page[notebook.Page.IndexOf("<body>", StringComparison.Ordinal)..];

        Assert.DoesNotContain("dni-treeview", body);
        Assert.Contains("1,000 rows x 2 columns (first 20 shown)", body);
        Assert.Contains("More than 20 rows x 1 column (first 20 shown)", body);
        Assert.Matches("<th[^>]*>City</th><th[^>]*>Temp</th>", body);
        Assert.Matches("<td[^>]*>York</td><td[^>]*>2025-01-14 10:30:00</td><td[^>]*></td>", body);
    }

    [Fact]
    public void A_cell_too_long_for_80_columns_ends_in_an_ellipsis_in_the_text_and_stays_whole_in_the_html()
    {
        var long100 = new string('a', 100);
        var bundle = NotebookDisplay.Bundle(new[] { new { Text = long100, N = 1 } });

        var lines = bundle["text/plain"]!.GetValue<string>().Split('\n');
        Assert.Equal("1 row x 2 columns", lines[0]);
        Assert.All(lines, line => Assert.True(line.Length <= 80, line));
        Assert.Equal(new string('a', 76) + "…  1", lines[^1]);
        Assert.Equal([[long100, "1"]], Read(bundle["text/html"]!.GetValue<string>()).Rows);
    }

    /// <summary>A class with a text of its own, which the formatting package still draws as its tree.</summary>
    public sealed class Station
    {
        public string Name => "Leeds";
        public List<int> Heights { get; } = [80, 120];
        public StreamingWorkshop.Display.QueryHistoryView Queries { get; } = new([]);
        public override string ToString() => "Leeds station";
    }

    [Fact]
    public void Inside_the_packages_tree_a_list_is_a_plain_table_while_a_string_and_a_kit_view_keep_their_look()
    {
        var html = NotebookDisplay.Bundle(new Station())["text/html"]!.GetValue<string>();

        Assert.Contains("dni-treeview", html); // an object with its own text is still the package's
        Assert.Contains("<td>Name</td><td><div class=\"dni-plaintext\"><pre>Leeds</pre></div></td>", html);
        Assert.Contains("<td>Queries</td><td><div class=\"tex2jax_ignore mathjax_ignore\"><p>No queries yet.</p></div></td>", html);
        var heights = html[html.IndexOf("<td>Heights</td>", StringComparison.Ordinal)..html.IndexOf("<td>Queries</td>", StringComparison.Ordinal)];
        var table = Read(heights);
        Assert.Equal("2 values", table.Caption);
        Assert.Equal([["80"], ["120"]], table.Rows);
    }

    [GeneratedRegex("<div style=\"[^\"]*font-weight:bold[^\"]*\">(?<text>[^<]*)</div>")]
    private static partial Regex Caption();

    [GeneratedRegex("<th[^>]*>(?<text>.*?)</th>")]
    private static partial Regex HeaderCell();

    [GeneratedRegex("<tr[^>]*>(?<cells>.*?)</tr>")]
    private static partial Regex Row();

    [GeneratedRegex("<td[^>]*>(?<text>.*?)</td>")]
    private static partial Regex DataCell();
}
