using System.Globalization;
using System.Text.Json.Nodes;
using StreamingWorkshop.Stack;
using Workshop.Tests.Query;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Workflows;

/// <summary>
/// The daily pipeline's Athena statements, as the template writes them, run on the local engine over a crawled
/// morning (2025-01-14, 00:00 to 02:00): the table is made with the day, a second curation of the same day adds
/// nothing, and the check counts the hours the day has readings in.
/// </summary>
public sealed class DailyPipelineSqlTests(SandboxFixture day) : IClassFixture<SandboxFixture>
{
    private const string GivenDay = "DATE '2025-01-14'";

    /// <summary>A task's query with its States.Format arguments filled in, as the interpreter fills them.</summary>
    private string Query(string state, string daySql)
    {
        var stack = day.Session.Local!.Stacks.DescribeStack(day.Session.Names.StackName);
        var definition = JsonNode.Parse(LocalProvisioners.StateMachineDefinitionFrom("DailyPipeline", stack.Resources.Single(r => r.LogicalResourceId == "DailyPipeline").Properties))!;
        var format = (string)definition["States"]![state]!["Parameters"]!["QueryString.$"]!;
        const string start = "States.Format('";
        var end = format.LastIndexOf("', $.run.day_sql", StringComparison.Ordinal);
        return format[start.Length..end].Replace("\\'", "'").Replace("{}", daySql);
    }

    /// <summary>The readings of 2025-01-14 in the lake, each counted once, straight from the raw files.</summary>
    private List<RawReading> DistinctReadingsOfTheDay() =>
        LakeFiles.Lines(day.Workspace, day.Session.Names.LakeBucket, "weather-data/").Select(l => RawReading.Parse(l.Key, l.Line))
            .Where(r => r.MeasurementTime.Date == new DateTime(2025, 1, 14))
            .DistinctBy(r => (r.City, r.MeasurementTime, r.Temperature)).ToList();

    [Fact]
    public async Task The_day_is_curated_once_and_its_check_counts_the_fewest_hours_any_city_has_readings_in()
    {
        var readings = DistinctReadingsOfTheDay();
        Assert.NotEmpty(readings);

        await day.Session.QueryAsync(Query("CreateDailyTable", GivenDay));
        var again = await day.Session.QueryAsync(Query("CurateDay", GivenDay));

        Assert.Equal(0, again.UpdateCount);
        var table = day.Session.Local!.Catalog.GetTable(day.Session.Names.Database, "daily_weather");
        Assert.Equal($"s3://{day.Session.Names.LakeBucket}/curated/daily/", table.Location);
        Assert.Equal(["city string", "measurement_time string", "temperature double", "first_collected string", "times_collected bigint"], table.Columns.Select(c => $"{c.Name} {c.Type}"));
        Assert.Equal(["day string"], table.PartitionKeys.Select(c => $"{c.Name} {c.Type}"));
        Assert.Equal(["2025-01-14"], day.Session.Local!.Catalog.GetPartitions(day.Session.Names.Database, "daily_weather").Select(p => p.Values.Single()));
        var count = await day.Session.QueryAsync("SELECT COUNT(*) AS n FROM daily_weather");
        Assert.Equal(readings.Count, Convert.ToInt32(count[0, "n"], CultureInfo.InvariantCulture));

        var check = await day.Session.QueryAsync(Query("CheckDay", GivenDay));

        var fewestHours = readings.GroupBy(r => r.City).Min(g => g.Select(r => r.MeasurementTime.Hour).Distinct().Count());
        Assert.Equal(["day", "hours"], check.Columns.Select(c => c.Name));
        Assert.Equal(("2025-01-14", (long)fewestHours), ((string)check[0, "day"]!, Convert.ToInt64(check[0, "hours"], CultureInfo.InvariantCulture)));

        // A city with no readings at all that day counts as none of its hours: here London's left out of the table.
        var withoutLondon = Query("CheckDay", GivenDay).Replace("FROM daily_weather WHERE", "FROM (SELECT * FROM daily_weather WHERE city <> 'London') AS daily_weather WHERE", StringComparison.Ordinal);
        Assert.Contains("city <> 'London'", withoutLondon);
        var quietCity = await day.Session.QueryAsync(withoutLondon);
        Assert.Equal(("2025-01-14", 0L), ((string)quietCity[0, "day"]!, Convert.ToInt64(quietCity[0, "hours"], CultureInfo.InvariantCulture)));

        // Without a day the pipeline takes yesterday, 2025-01-13 on the clock's 2025-01-14, which has no readings.
        var yesterday = await day.Session.QueryAsync(Query("CheckDay", "current_date - interval '1' day"));
        Assert.Equal(("2025-01-13", 0L), ((string)yesterday[0, "day"]!, Convert.ToInt64(yesterday[0, "hours"], CultureInfo.InvariantCulture)));
    }
}
