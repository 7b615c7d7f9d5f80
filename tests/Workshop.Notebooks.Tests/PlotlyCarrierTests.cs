using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// plotly.js travels in one chart's output of a notebook, so a saved notebook draws its charts offline. A frontend names
/// each cell it runs; when the cell whose output held plotly.js runs again, that output is replaced, so its new chart (or
/// the next chart, if it shows none) carries plotly.js again. Other charts never do.
/// </summary>
public sealed class PlotlyCarrierTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("plotly-carrier-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private const string ChartCode = "Plotly.NET.CSharp.Chart.Line<int, int, string>(x: new[] { 1, 2, 3 }, y: new[] { 2, 5, 3 })";

    private static NotebookCell Cell(string id, string code)
    {
        var cell = NotebookCell.Code(code);
        cell.Id = id;
        return cell;
    }

    private static bool CarriesPlotly(CellResult result) => result.Outputs.Any(o => o["data"]?["text/html"]?.GetValue<string>().Contains("streaming-workshop: plotly.js", StringComparison.Ordinal) == true);

    [Fact]
    public async Task The_cell_that_carried_plotly_js_run_again_carries_it_again_and_no_other_chart_does()
    {
        await using var session = new NotebookSession(folder);

        var first = await session.ExecuteAsync(Cell("first-chart", ChartCode));
        var second = await session.ExecuteAsync(Cell("second-chart", ChartCode));
        var secondAgain = await session.ExecuteAsync(Cell("second-chart", ChartCode));
        var firstAgain = await session.ExecuteAsync(Cell("first-chart", ChartCode));
        var secondOnceMore = await session.ExecuteAsync(Cell("second-chart", ChartCode));

        Assert.All(new[] { first, second, secondAgain, firstAgain, secondOnceMore }, r => Assert.False(r.Failed, r.ErrorMessage));
        Assert.Equal([true, false, false, true, false], new[] { first, second, secondAgain, firstAgain, secondOnceMore }.Select(CarriesPlotly));
    }

    [Fact]
    public async Task Run_again_without_a_chart_the_carrier_leaves_plotly_js_to_the_next_chart()
    {
        await using var session = new NotebookSession(folder);

        var first = await session.ExecuteAsync(Cell("chart", ChartCode));
        var emptied = await session.ExecuteAsync(Cell("chart", "var none = 0;"));
        var other = await session.ExecuteAsync(Cell("other", ChartCode));
        var unnamed = await session.ExecuteAsync(NotebookCell.Code(ChartCode));

        Assert.Equal([true, false, true, false], new[] { first, emptied, other, unnamed }.Select(CarriesPlotly));
    }
}
