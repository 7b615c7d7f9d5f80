using StreamingWorkshop.Query;

namespace Workshop.Tests.Query;

/// <summary>A result's rows read by column name, as the notebooks read them, with the names' case ignored as in Athena.</summary>
public sealed class ResultRowTests
{
    private static readonly QueryResult Hourly = new(
        new QueryExecution("q1", "SELECT ...", "DML", "db", "primary", "s3://results/", "SUCCEEDED", null, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null),
        [new ResultColumn("city", "varchar"), new ResultColumn("hour_start", "timestamp"), new ResultColumn("readings", "bigint")],
        [["London", new DateTime(2025, 1, 14, 9, 0, 0), 4L], ["Leeds", new DateTime(2025, 1, 14, 10, 0, 0), null]]);

    [Fact]
    public void A_row_gives_each_value_by_its_column_name()
    {
        var first = Hourly.NamedRows[0];
        Assert.Equal("London", first.Get<string>("city"));
        Assert.Equal(new DateTime(2025, 1, 14, 9, 0, 0), first.Get<DateTime>("hour_start"));
        Assert.Equal(4.0, first.Get<double>("READINGS"));
        Assert.Equal(4L, first["readings"]);
    }

    [Fact]
    public void A_null_reads_as_null_or_the_default()
    {
        var second = Hourly.NamedRows[1];
        Assert.Null(second["readings"]);
        Assert.Null(second.Get<long?>("readings"));
    }

    [Fact]
    public void An_unknown_column_is_named_with_the_columns_there_are()
    {
        var error = Assert.Throws<ArgumentException>(() => Hourly.NamedRows[0]["temperature"]);
        Assert.Equal("The result has no column 'temperature'; its columns are city, hour_start, readings.", error.Message);
    }

    [Fact]
    public void A_number_with_a_fraction_asked_for_as_a_whole_number_is_refused_naming_the_column_and_the_way()
    {
        var temperatures = new QueryResult(Hourly.Execution,
            [new ResultColumn("city", "varchar"), new ResultColumn("temperature", "double")],
            [["London", -0.4], ["Leeds", 3.0]]);

        var error = Assert.Throws<InvalidCastException>(() => temperatures.NamedRows[0].Get<int>("temperature"));
        Assert.Equal("Column 'temperature' holds -0.4, which has a fraction, and Get<Int32> would round it: read it as Get<double>(\"temperature\"), " +
            "or round it in the query (ROUND, CAST).", error.Message);
        Assert.Throws<InvalidCastException>(() => temperatures.Column<long>("temperature"));
        // A whole value converts, as it always did.
        Assert.Equal(3, temperatures.NamedRows[1].Get<int>("temperature"));
        Assert.Equal(-0.4, temperatures.NamedRows[0].Get<double>("temperature"));
    }

    [Fact]
    public void A_row_prints_as_its_names_and_values()
    {
        Assert.Equal("city=London, hour_start=2025-01-14 09:00:00.000, readings=4", Hourly.NamedRows[0].ToString());
    }
}
