using System.Text.Json;
using System.Text.RegularExpressions;
using PuppeteerSharp;

namespace Workshop.Notebooks.Tests.Browser;

/// <summary>What a page shows once the browser has laid it out: code cells with their visible tables, the text a
/// reader sees outside the code, object-tree markup, links and charts.</summary>
internal sealed record PageReading(IReadOnlyList<CellReading> Cells, string ShownText, int TreeMarkup, IReadOnlyList<string> Links, IReadOnlyList<string> Downloads, IReadOnlyList<ChartReading> Charts, IReadOnlyList<ImageReading> Images, IReadOnlyList<string> Errors, int PageWidth = 0);

/// <summary>A code cell's source and the header texts of each table visible in its outputs.</summary>
internal sealed record CellReading(string Source, IReadOnlyList<IReadOnlyList<string>> Tables);

internal sealed record ChartReading(string Id, bool Drawn);

/// <summary>An image and whether the browser could show it (a broken image shows its alt text instead).</summary>
internal sealed record ImageReading(string Source, string Alt, bool Shown);

/// <summary>Where cells, their code and their outputs are in each frontend's page.</summary>
internal sealed record Frontend(string CellsScript, string ShownTextScript, string ErrorsScript)
{
    /// <summary>The kit's exported pages: a cell is a `.cell` holding an `.input` (its code) and `.output`s.</summary>
    public static readonly Frontend ExportedPage = new(
        """[...document.querySelectorAll('.cell')].filter(c => c.querySelector('.input')).map(c => ({ source: c.querySelector('.input').innerText, outputs: [...c.querySelectorAll('.output')] }))""",
        """(() => { let text = document.body.innerText; for (const input of document.querySelectorAll('.input')) text = text.replace(input.innerText, ''); return text; })()""",
        """[...document.querySelectorAll('.error')].map(e => e.innerText)""");

    /// <summary>Jupyter Notebook's page: the code comes from its notebook model (CodeMirror draws only the lines in view).</summary>
    public static readonly Frontend JupyterNotebook = new(
        """Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code').map(c => ({ source: c.get_text(), outputs: [...c.element[0].querySelectorAll('.output_area')] }))""",
        """[...document.querySelectorAll('.output_area, .text_cell_render')].map(e => e.innerText).join('\n')""",
        """[...document.querySelectorAll('.output_error')].map(e => e.innerText)""");
}

internal static partial class PageReader
{
    /// <summary>The ids of the elements Plotly is asked to draw into, found in the page's scripts.</summary>
    private const string ChartIds = """
        (() => {
            const ids = new Set();
            for (const script of document.scripts)
                for (const match of script.textContent.matchAll(/Plotly\.(?:newPlot|react)\(\s*['"]([^'"]+)['"]/g)) ids.add(match[1]);
            return [...ids];
        })()
        """;

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>Waits up to <paramref name="chartWait"/> for every chart to draw its SVG, then reads the page.</summary>
    public static async Task<PageReading> ReadAsync(IPage page, Frontend frontend, TimeSpan chartWait)
    {
        try
        {
            await page.WaitForFunctionAsync($"() => {ChartIds}.every(id => document.getElementById(id)?.querySelector('.main-svg'))",
                new WaitForFunctionOptions { Timeout = (int)chartWait.TotalMilliseconds, PollingInterval = 200 });
        }
        catch (WaitTaskTimeoutException)
        {
            // The charts that did not draw are named by the reading below.
        }
        var json = await page.EvaluateExpressionAsync<string>($$"""
            (() => {
                const visible = e => e.getClientRects().length > 0;
                const headers = t => [...(t.tHead ?? t.rows[0] ?? document.createElement('tr')).querySelectorAll('th')].map(h => h.innerText.trim());
                return JSON.stringify({
                    cells: {{frontend.CellsScript}}.map(c => ({ source: c.source, tables: c.outputs.flatMap(o => [...o.querySelectorAll('table')]).filter(visible).map(headers) })),
                    shownText: {{frontend.ShownTextScript}},
                    treeMarkup: document.querySelectorAll('.dni-treeview, .dni-code-hint').length,
                    links: [...document.querySelectorAll('a[href]:not([download])')].map(a => a.getAttribute('href')),
                    downloads: [...document.querySelectorAll('a[href][download]')].map(a => a.getAttribute('href')),
                    charts: {{ChartIds}}.map(id => ({ id, drawn: !!document.getElementById(id)?.querySelector('.main-svg') })),
                    images: [...document.images].map(i => ({ source: i.getAttribute('src') ?? '', alt: i.alt, shown: i.complete && i.naturalWidth > 0 })),
                    errors: {{frontend.ErrorsScript}},
                    pageWidth: document.documentElement.scrollWidth,
                });
            })()
            """);
        return JsonSerializer.Deserialize<PageReading>(json, Json)!;
    }

    /// <summary>
    /// How many query results a cell shows. Parsing the SQL's select list is fragile (expressions, CTEs,
    /// interpolation), so the rule reads the C# around it instead: a query result is shown when a variable
    /// assigned from `await x.QueryAsync(...)` is passed to display(...), or when the cell's last statement
    /// (its value, with no closing semicolon) is `await x.QueryAsync(...)`. Cells that only print a query's
    /// summary or catch its error show no table. Only queries with a SELECT count (DDL alone returns no rows).
    /// </summary>
    public static int QueryResultsShown(string source)
    {
        source = source.ReplaceLineEndings("\n").TrimEnd();
        if (!source.Contains("QueryAsync(", StringComparison.Ordinal) || !SelectKeyword().IsMatch(source)) return 0;
        var queryVariables = QueryAssignment().Matches(source).Select(m => m.Groups[1].Value).ToHashSet();
        var shown = DisplayCall().Matches(source).Count(m => queryVariables.Contains(m.Groups[1].Value));
        if (!source.EndsWith(';') && !source.EndsWith('}'))
        {
            var lastStatement = source[(source.LastIndexOf(";\n", StringComparison.Ordinal) + 1)..].Trim();
            if (QueryExpression().IsMatch(lastStatement)) shown++;
        }
        return shown;
    }

    /// <summary>
    /// A table shows a query's result when it has header cells and each header that starts with a word starts
    /// with a name the cell's code spells out (a column or its alias): the header row a person reads names
    /// the columns they asked for, not a .NET property list.
    /// </summary>
    public static bool IsQueryResultTable(IReadOnlyList<string> headers, string source)
    {
        var words = headers.Select(h => LeadingWord().Match(h)).Where(m => m.Success).Select(m => m.Value).ToList();
        return words.Count > 0 && words.All(w => Regex.IsMatch(source, $@"\b{Regex.Escape(w)}\b", RegexOptions.IgnoreCase));
    }

    /// <summary>The cell's problems as a person would report them: a query result missing or not shown as a table.</summary>
    public static IEnumerable<string> QueryTableProblems(string pageName, IReadOnlyList<CellReading> cells)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            var cell = cells[i];
            var expected = QueryResultsShown(cell.Source);
            if (expected == 0) continue;
            var tables = cell.Tables.Count(t => IsQueryResultTable(t, cell.Source));
            if (tables < expected)
                yield return $"{pageName}, code cell {i + 1} ({FirstLine(cell.Source)}): shows {expected} query result(s) but {tables} visible table(s) whose header row names the query's columns; "
                    + $"headers of its visible tables: {HeaderSummary(cell.Tables)}";
        }
    }

    /// <summary>.NET type names (System.Xxx) and .NET Interactive's object-tree markup, which a learner should never see.</summary>
    public static IEnumerable<string> DotNetLeakProblems(string pageName, PageReading reading)
    {
        var names = TypeName().Matches(reading.ShownText).Select(m => m.Value).Distinct().ToList();
        if (names.Count > 0) yield return $"{pageName}: shows .NET type names outside its code: {string.Join(", ", names.Take(6))}{(names.Count > 6 ? $" and {names.Count - 6} more" : "")}";
        if (reading.TreeMarkup > 0) yield return $"{pageName}: holds {reading.TreeMarkup} object-tree element(s) (.dni-treeview/.dni-code-hint)";
    }

    public static IEnumerable<string> ChartProblems(string pageName, PageReading reading) =>
        reading.Charts.Where(c => !c.Drawn).Select(c => $"{pageName}: chart #{c.Id} drew no SVG (.main-svg)");

    public static IEnumerable<string> ImageProblems(string pageName, PageReading reading) =>
        reading.Images.Where(i => !i.Shown).Select(i => $"{pageName}: image {Shorten(i.Source)} does not load; the reader sees its alt text \"{Shorten(i.Alt)}\"");

    private static string Shorten(string text) => text.Length > 80 ? text[..80] + "…" : text;

    private static string HeaderSummary(IReadOnlyList<IReadOnlyList<string>> tables)
    {
        var headed = tables.Select(t => string.Join(", ", t)).Where(h => h.Length > 0).Distinct().ToList();
        return headed.Count == 0 ? "none" : "[" + string.Join("] [", headed.Take(5)) + "]" + (headed.Count > 5 ? $" and {headed.Count - 5} more" : "");
    }

    private static string FirstLine(string source)
    {
        var line = source.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
        return line.Length > 70 ? line[..70] + "…" : line;
    }

    [GeneratedRegex(@"\bSELECT\b", RegexOptions.IgnoreCase)]
    private static partial Regex SelectKeyword();

    [GeneratedRegex(@"\bvar\s+(\w+)\s*=\s*await\s+[\w.]+\.QueryAsync\(")]
    private static partial Regex QueryAssignment();

    [GeneratedRegex(@"\bdisplay\(\s*(\w+)\s*\)")]
    private static partial Regex DisplayCall();

    [GeneratedRegex(@"^await\s+[\w.]+\.QueryAsync\(")]
    private static partial Regex QueryExpression();

    [GeneratedRegex(@"^\w+")]
    private static partial Regex LeadingWord();

    [GeneratedRegex(@"\bSystem\.[A-Z][\w.`]*")]
    private static partial Regex TypeName();
}
