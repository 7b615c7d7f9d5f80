using StreamingWorkshop.Catalog;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Catalog;

/// <summary>
/// GetTables' and GetPartitions' Expression on the local catalog: only the tables and partitions that match come back,
/// and an expression the catalog cannot read is an InvalidInputException that names it and says what it takes.
/// </summary>
public sealed class CatalogExpressionTests : IDisposable
{
    private readonly TempWorkspace temp = new();
    private readonly LocalGlueCatalog catalog;

    public CatalogExpressionTests()
    {
        catalog = new LocalGlueCatalog(temp.Workspace, TimeProvider.System);
        catalog.CreateDatabase("weather_db");
        foreach (var name in new[] { "raw_weather_data", "raw_air", "curated_weather", "daily_weather" })
            catalog.CreateTable(new GlueTable
            {
                Name = name, DatabaseName = "weather_db", Columns = [new GlueColumn("temperature", "double")],
                PartitionKeys = [new GlueColumn("location", "string"), new GlueColumn("day", "string"), new GlueColumn("hour", "int")],
                Location = $"s3://lake/{name}/",
            });
        catalog.BatchCreatePartition("weather_db", "raw_weather_data",
        [
            Partition("London", "14", "0"), Partition("London", "15", "9"), Partition("Edinburgh", "14", "10"),
            Partition("Manchester", "15", "23"), Partition("O'Hare", "16", "5"),
        ]);
    }

    public void Dispose() => temp.Dispose();

    private static GluePartition Partition(string location, string day, string hour) =>
        new([location, day, hour], $"s3://lake/raw_weather_data/location={location}/day={day}/hour={hour}/", DateTimeOffset.UnixEpoch);

    private IEnumerable<string> Matching(string expression) =>
        catalog.GetPartitions("weather_db", "raw_weather_data", expression).Select(p => string.Join('/', p.Values));

    [Fact]
    public void Each_operator_admits_only_the_partitions_it_describes()
    {
        Assert.Equal(["London/14/0", "London/15/9"], Matching("location='London'"));
        Assert.Equal(["London/14/0", "Edinburgh/14/10"], Matching("day = '14'"));
        Assert.Equal(["Edinburgh/14/10", "Manchester/15/23", "O'Hare/16/5"], Matching("location <> 'London'"));
        Assert.Equal(["Edinburgh/14/10", "Manchester/15/23", "O'Hare/16/5"], Matching("location != 'London'"));
        Assert.Equal(["Manchester/15/23", "O'Hare/16/5"], Matching("location > 'London'"));
        Assert.Equal(["London/14/0", "London/15/9", "Edinburgh/14/10"], Matching("location <= 'London'"));
        // hour is an int key: 9 < 10 as numbers, where '9' > '10' as text.
        Assert.Equal(["Edinburgh/14/10", "Manchester/15/23"], Matching("hour >= 10"));
        Assert.Equal(["London/14/0", "O'Hare/16/5"], Matching("hour < 9"));
        Assert.Equal(["London/15/9", "Manchester/15/23"], Matching("day = '15'"));
        Assert.Equal(["O'Hare/16/5"], Matching("location = 'O''Hare'"));
    }

    [Fact]
    public void In_between_like_not_and_or_and_parentheses_combine_as_in_sql()
    {
        Assert.Equal(["Edinburgh/14/10", "Manchester/15/23"], Matching("location IN ('Edinburgh', 'Manchester')"));
        Assert.Equal(["London/14/0", "London/15/9", "O'Hare/16/5"], Matching("location NOT IN ('Edinburgh', 'Manchester')"));
        Assert.Equal(["London/15/9", "Edinburgh/14/10"], Matching("hour BETWEEN 9 AND 10"));
        Assert.Equal(["London/14/0", "Manchester/15/23", "O'Hare/16/5"], Matching("hour NOT BETWEEN 9 AND 10"));
        Assert.Equal(["London/14/0", "London/15/9", "Manchester/15/23"], Matching("location LIKE 'L%' OR location LIKE '_anchester'"));
        Assert.Equal(["London/15/9"], Matching("location = 'London' AND NOT day = '14'"));
        Assert.Equal(["London/15/9", "Manchester/15/23"], Matching("(location = 'London' OR location = 'Manchester') AND day = '15'"));
        // AND binds before OR.
        Assert.Equal(["London/14/0", "Manchester/15/23"], Matching("location = 'London' AND day = '14' OR hour > 20"));
        Assert.Equal(["London/14/0", "London/15/9", "Edinburgh/14/10", "Manchester/15/23", "O'Hare/16/5"], Matching("location IS NOT NULL"));
        Assert.Empty(Matching("location IS NULL"));
        Assert.Equal(5, Matching("").Count());
    }

    [Theory]
    [InlineData("nonsense ===", "'nonsense' is not a partition key of raw_weather_data, whose keys are location, day, hour")]
    [InlineData("location ==", "'=' at character 11 is not a partition key, a 'quoted string' or a number")]
    [InlineData("location = 'London", "the string at character 12 has no closing quote")]
    [InlineData("(location = 'London'", "a ')' is missing at its end")]
    [InlineData("location = 'London' day = '14'", "'day' at character 21 is not expected there")]
    [InlineData("location LIKE 5", "LIKE takes a 'quoted pattern'")]
    [InlineData("location BETWEEN 'A' 'Z'", "AND was expected at character 22, not ''Z''")]
    public void An_expression_it_cannot_read_is_InvalidInputException_naming_it_and_what_is_taken(string expression, string reason)
    {
        var error = Assert.Throws<InvalidInputException>(() => Matching(expression).ToList());

        Assert.Equal($"Expression '{expression}' cannot be read: {reason}. {PartitionExpression.Supported}", error.Message);
    }

    [Fact]
    public void Parentheses_nested_past_64_levels_are_refused_rather_than_followed()
    {
        var deep = new string('(', 100_000) + "location = 'London'" + new string(')', 100_000);

        var error = Assert.Throws<InvalidInputException>(() => Matching(deep).ToList());

        Assert.Contains("cannot be read: it nests deeper than 64 levels.", error.Message);
        Assert.Equal(["London/14/0", "London/15/9"], Matching(new string('(', 60) + "location = 'London'" + new string(')', 60)));
    }

    [Fact]
    public void A_table_pattern_matches_whole_names_with_star_for_any_characters()
    {
        IEnumerable<string> Tables(string expression) => catalog.GetTables("weather_db", expression).Select(t => t.Name);

        Assert.Equal(["raw_air", "raw_weather_data"], Tables("raw*"));
        Assert.Equal(["curated_weather", "daily_weather", "raw_weather_data"], Tables("*weather*"));
        Assert.Equal(["curated_weather", "daily_weather", "raw_weather_data"], Tables(".*weather.*"));
        Assert.Equal(["curated_weather", "raw_air"], Tables("curated_weather|raw_air"));
        Assert.Equal(["daily_weather"], Tables("DAILY_WEATHER"));
        Assert.Empty(Tables("weather"));
        Assert.Equal(4, Tables("").Count());
    }

    [Fact]
    public void A_table_pattern_that_is_not_a_regular_expression_is_InvalidInputException_naming_it()
    {
        var error = Assert.Throws<InvalidInputException>(() => catalog.GetTables("weather_db", "raw(").ToList());

        Assert.StartsWith("Expression 'raw(' is not a pattern the local catalog can read (", error.Message);
        Assert.EndsWith("Write a regular expression of the whole table name, where * stands for any characters: raw* or .*weather.*", error.Message);
    }
}
