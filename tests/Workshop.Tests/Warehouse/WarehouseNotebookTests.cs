using System.Globalization;
using StreamingWorkshop;
using StreamingWorkshop.Warehouse;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Warehouse;

/// <summary>Three simulated hours, crawled and typed as Task 3 leaves them, with the lake loaded into weather_readings as notebook 06 loads it.</summary>
public sealed class WarehouseNotebookFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2025, 1, 14, 0, 0, 0, TimeSpan.Zero);
    public string Workspace { get; } = Directory.CreateTempSubdirectory("workshop-warehouse-notebook-").FullName;
    public WorkshopSession Session { get; private set; } = null!;
    public string Role { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = Workspace, Seed = 1 });
        await Session.SimulateAsync(TimeSpan.FromHours(3), Start);
        await Session.CrawlAsync();
        await Session.AlterColumnTypeAsync("raw_weather_data", "measurement_time", "timestamp");
        await Session.AlterColumnTypeAsync("raw_weather_data", "collection_time", "timestamp");
        Role = await Session.Warehouse.RoleArnAsync();
        await Session.Warehouse.QueryAsync("CREATE TABLE weather_readings (city VARCHAR(40), temperature FLOAT8, measurement_time TIMESTAMP, collection_time TIMESTAMP)");
        await Session.Warehouse.QueryAsync($"COPY weather_readings FROM 's3://{Session.Names.LakeBucket}/weather-data/' IAM_ROLE '{Role}' FORMAT AS JSON 'auto' GZIP TIMEFORMAT 'auto'");
    }

    public async Task DisposeAsync()
    {
        await Session.DisposeAsync();
        Directory.Delete(Workspace, recursive: true);
    }
}

/// <summary>What notebook 06 relies on beyond the statements themselves: the stack's role, load errors that outlive a failed COPY, the challenge's check.</summary>
public sealed class WarehouseNotebookTests(WarehouseNotebookFixture day) : IClassFixture<WarehouseNotebookFixture>
{
    [Fact]
    public void The_role_to_name_is_the_one_the_stack_attached_and_default_is_refused_as_on_a_stack_made_cluster()
    {
        Assert.Equal("arn:aws:iam::123456789012:role/weather-analytics-warehouse-role-dev", day.Role);
    }

    [Fact]
    public async Task A_failed_copy_through_the_data_api_loads_nothing_and_records_the_error_that_stopped_it_while_maxerror_records_them_all()
    {
        var warehouse = day.Session.Warehouse;
        await warehouse.QueryAsync("CREATE TABLE six_letters (city VARCHAR(6), temperature FLOAT8)");
        var edinburgh = $"s3://{day.Session.Names.LakeBucket}/weather-data/location=Edinburgh/";
        var failure = await Assert.ThrowsAsync<WarehouseStatementException>(() => warehouse.QueryAsync(
            $"COPY six_letters FROM '{edinburgh}' IAM_ROLE '{day.Role}' FORMAT AS JSON 'auto' GZIP"));
        Assert.Equal("ERROR: Load into table 'six_letters' failed. Check 'stl_load_errors' system table for details.", failure.Message);
        Assert.Equal(0L, (await warehouse.QueryAsync("SELECT COUNT(*) AS n FROM six_letters"))[0, "n"]);

        const string LastLoadsErrors = """
            SELECT TRIM(colname) AS colname, err_code, TRIM(raw_field_value) AS value, COUNT(*) AS records, MIN(line_number) AS first_line
            FROM stl_load_errors WHERE query = (SELECT MAX(query) FROM stl_load_errors)
            GROUP BY 1, 2, 3
            """;
        // With MAXERROR 0 the load stops at its first rejected record, the first line of the first object.
        Assert.Equal([["city", 1204L, "Edinburgh", 1L, 1L]], (await warehouse.QueryAsync(LastLoadsErrors)).Rows.Select(r => r.ToArray()));

        // With room for every error the load goes on to the end: three hours of one city, a reading a minute, each rejected
        // for its city's length.
        await warehouse.QueryAsync($"COPY six_letters FROM '{edinburgh}' IAM_ROLE '{day.Role}' FORMAT AS JSON 'auto' GZIP MAXERROR 1000");
        Assert.Equal([["city", 1204L, "Edinburgh", 180L, 1L]], (await warehouse.QueryAsync(LastLoadsErrors)).Rows.Select(r => r.ToArray()));

        var refused = await Assert.ThrowsAsync<WarehouseStatementException>(() => warehouse.QueryAsync(
            $"COPY six_letters FROM 's3://{day.Session.Names.LakeBucket}/weather-data/' IAM_ROLE default FORMAT AS JSON 'auto' GZIP"));
        Assert.Equal("ERROR: Default IAM role is not set for cluster weather-analytics-warehouse-dev. Name an attached role instead: " +
            $"IAM_ROLE '{day.Role}'.", refused.Message);
    }

    [Fact]
    public async Task The_challenge_accepts_each_citys_biggest_rise_and_when_it_ended_and_says_what_is_wrong_otherwise()
    {
        // The answer, worked out here from the lake's lines: each reading once, in time order per city.
        var readings = LakeFiles.Lines(day.Workspace, day.Session.Names.LakeBucket, "weather-data/")
            .Select(l => LakeFiles.Parse(l.Line))
            .Select(j => (City: j.GetProperty("city").GetString()!, Time: DateTime.Parse(j.GetProperty("measurement_time").GetString()!, CultureInfo.InvariantCulture), Temperature: j.GetProperty("temperature").GetDouble()))
            .Distinct().ToList();
        var biggest = readings.GroupBy(r => r.City).ToDictionary(g => g.Key, g =>
        {
            var ordered = g.OrderBy(r => r.Time).ToList();
            return ordered.Skip(1).Select((r, i) => (Rise: r.Temperature - ordered[i].Temperature, r.Time)).MaxBy(s => s.Rise);
        });
        var values = string.Join(" UNION ALL ", biggest.Select(b =>
            $"SELECT '{b.Key}' AS city, {b.Value.Rise.ToString("0.000", CultureInfo.InvariantCulture)} AS rise, '{b.Value.Time:yyyy-MM-dd HH:mm:ss}'::TIMESTAMP AS ended_at"));

        var right = await day.Session.Warehouse.CheckChallengeAsync(values);
        Assert.True(right.Correct, right.Message);
        Assert.Equal("Warehouse challenge · Correct: Every city's biggest rise and when it ended agree with Athena's answer over the lake (3 cities).", right.ToString());

        var starter = await day.Session.Warehouse.CheckChallengeAsync("SELECT city, 0.0 AS rise, MAX(measurement_time) AS ended_at FROM weather_readings GROUP BY city");
        Assert.False(starter.Correct);
        Assert.Matches("^Warehouse challenge · Not yet: (Edinburgh|London|Manchester)'s rise is not the biggest step between two consecutive readings", starter.ToString());

        var wrongTime = await day.Session.Warehouse.CheckChallengeAsync(values.Replace(":00'::TIMESTAMP", ":00'::TIMESTAMP - INTERVAL '15 minutes'"));
        Assert.Contains("'s rise is right, but the time is not when it ended", wrongTime.Message);
        var broken = await day.Session.Warehouse.CheckChallengeAsync("SELECT city FROM nowhere");
        Assert.Equal("The query did not run: ERROR: relation \"nowhere\" does not exist", broken.Message);
    }

    [Fact]
    public async Task The_month_catch_up_writes_the_days_before_the_simulated_one_once_and_copy_loads_every_reading()
    {
        var warehouse = day.Session.Warehouse;
        var prefix = await warehouse.WriteMonthToLakeAsync(days: 2);
        Assert.Equal($"s3://{day.Session.Names.LakeBucket}/warehouse-month/", prefix);
        Assert.Equal(prefix, await warehouse.WriteMonthToLakeAsync(days: 2));
        await warehouse.QueryAsync("CREATE TABLE two_days (city VARCHAR(40), temperature FLOAT8, measurement_time TIMESTAMP)");
        var loaded = await warehouse.QueryAsync($"COPY two_days FROM '{prefix}' IAM_ROLE '{day.Role}' FORMAT AS JSON 'auto' GZIP TIMEFORMAT 'auto'");

        // Two days of three cities, a reading a minute, written once although asked for twice.
        Assert.Equal(2L * 3 * 1440, loaded.Description.ResultRows);
        var span = await warehouse.QueryAsync("SELECT city, COUNT(*) AS n, MIN(measurement_time) AS first, MAX(measurement_time) AS last FROM two_days GROUP BY city ORDER BY city");
        Assert.Equal(
        [
            ["Edinburgh", 2880L, "2025-01-12 00:00:00", "2025-01-13 23:45:00"],
            ["London", 2880L, "2025-01-12 00:00:00", "2025-01-13 23:45:00"],
            ["Manchester", 2880L, "2025-01-12 00:00:00", "2025-01-13 23:45:00"],
        ], span.Rows.Select(r => r.ToArray()));
    }
}
