using System.Globalization;
using System.Text.RegularExpressions;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// README says a notebook can be run again. 06 loads the lake into weather_readings with COPY, which appends: run again
/// on the same workspace, the table must hold what the lake holds, once, or every comparison after it is wrong.
/// </summary>
public sealed partial class WarehouseRerunTests : IDisposable
{
    private const string Notebook = "notebooks/06-going-further-warehouse.ipynb";
    private readonly string workspace = Directory.CreateTempSubdirectory("workshop-rerun-06-ws-").FullName;
    private readonly string firstOut = Directory.CreateTempSubdirectory("workshop-rerun-06-1-").FullName;
    private readonly string secondOut = Directory.CreateTempSubdirectory("workshop-rerun-06-2-").FullName;

    [Fact]
    public void The_warehouse_notebook_run_again_holds_each_reading_of_the_lake_once()
    {
        var environment = new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = workspace };
        Assert.True(Cli.RunIn(WorkshopRun.RepositoryRoot, environment, out var firstLog, "run", Notebook, "--out", firstOut) == 0, firstLog);
        Assert.True(Cli.RunIn(WorkshopRun.RepositoryRoot, environment, out var secondLog, "run", Notebook, "--out", secondOut) == 0, secondLog);

        foreach (var output in new[] { firstOut, secondOut })
        {
            var load = ExecutedNotebook.OutputOf(ExecutedNotebook.CodeCells(output, Path.GetFileName(Notebook)), "COPY weather_readings");
            var copied = long.Parse(RowsChanged().Match(load).Groups["rows"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            var held = long.Parse(TableRows().Match(load).Groups["rows"].Value, CultureInfo.InvariantCulture);
            var perCity = CityReadings().Matches(load).Sum(m => long.Parse(m.Groups["readings"].Value, CultureInfo.InvariantCulture));
            Assert.True(copied > 4000, load);
            Assert.Equal(copied, held);
            Assert.Equal(copied, perCity);
        }
    }

    [GeneratedRegex(@"· (?<rows>[0-9,]+) rows changed")]
    private static partial Regex RowsChanged();

    [GeneratedRegex(@"weather_readings\s+KEY\(city\)\s+measurement_time\s+Y\s+(?<rows>[0-9]+)\s")]
    private static partial Regex TableRows();

    [GeneratedRegex(@"^(?:Edinburgh|London|Manchester)\s+(?<readings>[0-9]+)\s+20", RegexOptions.Multiline)]
    private static partial Regex CityReadings();

    public void Dispose()
    {
        foreach (var folder in new[] { workspace, firstOut, secondOut })
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
