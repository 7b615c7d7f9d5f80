using StreamingWorkshop;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Lake;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Catalog;

/// <summary>
/// The crawler's DeleteBehavior when objects it catalogued are gone, as AWS::Glue::Crawler SchemaChangePolicy describes it:
/// LOG keeps the table or partition and only says so; DELETE_FROM_DATABASE deletes it; DEPRECATE_IN_DATABASE (the default)
/// adds a DEPRECATED property with the time to a table whose objects are gone. Two hours each side of midnight give
/// 3 cities x 2 days = 6 partitions; the 14th's 3 are emptied, or every object.
/// </summary>
public sealed class CrawlerDeleteBehaviorTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2025, 1, 14, 22, 0, 0, TimeSpan.Zero);
    private readonly TempWorkspace temp = new();
    private WorkshopSession session = null!;

    public async Task InitializeAsync()
    {
        session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = temp.Root });
        await session.SimulateAsync(TimeSpan.FromHours(4), Start);
        await session.CrawlAsync();
    }

    public async Task DisposeAsync()
    {
        await session.DisposeAsync();
        temp.Dispose();
    }

    private async Task DeleteObjectsAsync(Func<string, bool> which)
    {
        var keys = new List<string>();
        await foreach (var item in session.Lake.ListAllAsync(session.Names.LakeBucket)) if (which(item.Key)) keys.Add(item.Key);
        foreach (var key in keys) await session.Lake.DeleteObjectAsync(session.Names.LakeBucket, key);
    }

    private Task EmptyTheFourteenthAsync() => DeleteObjectsAsync(key => key.Contains("/day=14/", StringComparison.Ordinal));

    private async Task<string> CrawlAsync(string deleteBehavior) =>
        string.Join("\n", (await session.Catalog.CrawlAsync(new SchemaChangePolicy(DeleteBehavior: deleteBehavior))).Crawler.LastCrawl!.Notes);

    private async Task<List<string>> PartitionDaysAsync() =>
        (await session.Catalog.PartitionsAsync("raw_weather_data")).Select(p => $"{p.Values[0]}/{p.Values[3]}").Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task LOG_keeps_the_emptied_partitions_and_names_them()
    {
        await EmptyTheFourteenthAsync();

        var notes = await CrawlAsync(SchemaChangePolicy.Log);

        Assert.Contains("3 partition(s) of raw_weather_data no longer hold any object (Edinburgh/2025/01/14, London/2025/01/14, Manchester/2025/01/14); they were left in the table (DeleteBehavior LOG).", notes);
        Assert.Equal(6, (await PartitionDaysAsync()).Count);
    }

    [Fact]
    public async Task DELETE_FROM_DATABASE_removes_the_emptied_partitions_and_keeps_the_others()
    {
        await EmptyTheFourteenthAsync();

        var notes = await CrawlAsync(SchemaChangePolicy.DeleteFromDatabase);

        Assert.Contains("they were deleted (DeleteBehavior DELETE_FROM_DATABASE).", notes);
        Assert.Equal(["Edinburgh/15", "London/15", "Manchester/15"], await PartitionDaysAsync());
        Assert.Equal(360L, Convert.ToInt64((await session.QueryAsync("SELECT COUNT(*) AS n FROM raw_weather_data"))[0, "n"]));
    }

    [Fact]
    public async Task DEPRECATE_IN_DATABASE_keeps_emptied_partitions_since_it_marks_tables_only()
    {
        await EmptyTheFourteenthAsync();

        var notes = await CrawlAsync(SchemaChangePolicy.DeprecateInDatabase);

        Assert.Contains("they were left in the table (DeleteBehavior DEPRECATE_IN_DATABASE).", notes);
        Assert.Equal(6, (await PartitionDaysAsync()).Count);
        Assert.DoesNotContain("DEPRECATED", (await session.DescribeTableAsync("raw_weather_data")).Table.Parameters.Keys);
    }

    [Fact]
    public async Task A_table_whose_objects_are_all_gone_is_marked_DEPRECATED_with_the_time_by_default()
    {
        await DeleteObjectsAsync(_ => true);
        session.Clock.Advance(TimeSpan.FromMinutes(5));

        var notes = await CrawlAsync(SchemaChangePolicy.DeprecateInDatabase);

        // The replay ended at 02:00 on the 15th; five minutes later.
        Assert.Equal("2025-01-15T02:05:00Z", (await session.DescribeTableAsync("raw_weather_data")).Table.Parameters["DEPRECATED"]);
        Assert.Contains("the table was marked DEPRECATED at 2025-01-15T02:05:00Z (DeleteBehavior DEPRECATE_IN_DATABASE).", notes);
    }

    [Fact]
    public async Task A_table_whose_objects_are_all_gone_is_deleted_under_DELETE_FROM_DATABASE_and_kept_under_LOG()
    {
        await DeleteObjectsAsync(_ => true);

        var logged = await CrawlAsync(SchemaChangePolicy.Log);
        var keptTable = (await session.DescribeTableAsync("raw_weather_data")).Table;
        var deleted = await CrawlAsync(SchemaChangePolicy.DeleteFromDatabase);

        Assert.Contains("the table was left as it is (DeleteBehavior LOG).", logged);
        Assert.DoesNotContain("DEPRECATED", keptTable.Parameters.Keys);
        Assert.Contains("the table was deleted (DeleteBehavior DELETE_FROM_DATABASE).", deleted);
        Assert.DoesNotContain((await session.DescribeDatabaseAsync()).Tables, t => t.Name == "raw_weather_data");
    }
}
