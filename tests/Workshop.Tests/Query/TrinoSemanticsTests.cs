using StreamingWorkshop;
using StreamingWorkshop.Query;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Query;

/// <summary>
/// Where DuckDB and Athena (Trino) answer the same SQL differently, the local Athena answers as Athena: integer division,
/// and the errors for a value a function cannot read and for a lake value that does not fit its catalog column.
/// </summary>
public sealed class TrinoSemanticsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);
    private readonly TempWorkspace temp = new();
    private WorkshopSession session = null!;

    public async Task InitializeAsync()
    {
        session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
        await session.SimulateAsync(TimeSpan.FromHours(1), Start);
        await session.CrawlAsync();
    }

    public async Task DisposeAsync()
    {
        await session.DisposeAsync();
        temp.Dispose();
    }

    [Fact]
    public async Task Dividing_an_integer_by_an_integer_truncates_towards_zero_as_in_Athena()
    {
        var result = await session.QueryAsync("SELECT 7 / 2 AS a, -7 / 2 AS b, 7.0 / 2 AS c, CAST(7 AS DOUBLE) / 2 AS d, COUNT(*) / COUNT(*) AS e FROM raw_weather_data");

        Assert.Equal(3L, Convert.ToInt64(result[0, "a"]));
        Assert.Equal(-3L, Convert.ToInt64(result[0, "b"]));
        Assert.Equal(3.5, Convert.ToDouble(result[0, "c"]));
        Assert.Equal(3.5, Convert.ToDouble(result[0, "d"]));
        Assert.Equal("bigint", result.Columns[4].Type);
    }

    [Fact]
    public async Task A_string_a_date_function_cannot_read_is_INVALID_FUNCTION_ARGUMENT_with_the_reason()
    {
        var error = await Assert.ThrowsAsync<AthenaQueryException>(() => session.QueryAsync("SELECT date_parse('2025-13-01', '%Y-%m-%d') AS d"));

        Assert.Equal("INVALID_FUNCTION_ARGUMENT", error.ErrorType);
        Assert.Equal("INVALID_FUNCTION_ARGUMENT: Invalid format: \"2025-13-01\": month out of range, expected a value between 1 and 12.", error.Message);
    }

    [Fact]
    public async Task A_lake_value_that_does_not_fit_its_column_names_the_object_by_its_s3_address()
    {
        await session.AlterColumnTypeAsync("raw_weather_data", "city", "int");

        var error = await Assert.ThrowsAsync<AthenaQueryException>(() => session.QueryAsync("SELECT city FROM raw_weather_data"));

        Assert.Equal("HIVE_BAD_DATA", error.ErrorType);
        Assert.Matches("^HIVE_BAD_DATA: Error parsing field value in s3://weather-analytics-data-lake-dev-123456789012/weather-data/location=[A-Za-z]+/year=2025/month=01/day=14/[^ ]+\\.gz, line 1: " +
            "failed to cast value to numerical: \"[A-Za-z]+\"\\. A column's type in the catalog does not fit this value: check the table's column types\\.$", error.Message);
        Assert.DoesNotContain(temp.Root, error.Message);
    }
}
