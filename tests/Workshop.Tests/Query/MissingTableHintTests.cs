using StreamingWorkshop.Query;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Query;

/// <summary>
/// A query on the crawler's table before it exists says what leads on, in a notebook's words: fill the lake while it is
/// empty (crawling it would make nothing), crawl once it holds readings.
/// </summary>
public sealed class MissingTableHintTests : LocalSessionTest
{
    [Fact]
    public async Task On_an_empty_lake_the_message_says_to_fill_it_and_once_filled_to_crawl()
    {
        await Session.DeployAsync();

        var empty = await Assert.ThrowsAsync<AthenaQueryException>(() => Session.QueryAsync("SELECT city FROM raw_weather_data"));
        Assert.True(empty.LakeIsEmpty);
        Assert.EndsWith("The crawler makes the lake's tables from its readings, and the lake holds none yet: fill it first "
            + "(locally await workshop.CatchUpAsync(3) replays a day; on AWS the producer adds a batch a minute), then run await workshop.CrawlAsync() and query again.", empty.Message);

        await Session.SimulateAsync(TimeSpan.FromMinutes(10));
        var filled = await Assert.ThrowsAsync<AthenaQueryException>(() => Session.QueryAsync("SELECT city FROM raw_weather_data"));
        Assert.False(filled.LakeIsEmpty);
        Assert.EndsWith("does not exist. The crawler makes the lake's tables and has made none yet: run await workshop.CrawlAsync() first, then query again.", filled.Message);
    }
}
