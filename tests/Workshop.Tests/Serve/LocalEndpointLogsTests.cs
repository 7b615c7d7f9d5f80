using System.Net;
using System.Text.Json.Nodes;
using StreamingWorkshop.Producer;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Serve;

/// <summary>The local endpoint as CloudWatch Logs, over HTTP: FilterLogEvents gives the events from startTime through endTime only.</summary>
public sealed class LocalEndpointLogsTests : LocalEndpointTest
{
    private const string Group = "/aws/lambda/weather-analytics-producer-dev";
    private static readonly DateTimeOffset Noon = new(2025, 1, 14, 12, 0, 0, TimeSpan.Zero);

    private Task<(HttpStatusCode Status, JsonObject Body)> FilterAsync(JsonObject input)
    {
        input["logGroupName"] = Group;
        return JsonTargetAsync("logs", "Logs_20140328.FilterLogEvents", input);
    }

    private async Task<IEnumerable<string>> MessagesAsync(JsonObject input)
    {
        var (status, body) = await FilterAsync(input);
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        return body["events"]!.AsArray().Select(e => (string)e!["message"]!);
    }

    [Fact]
    public async Task Filter_log_events_gives_the_events_from_start_time_through_end_time()
    {
        Session.Local!.Logs.AppendToStream(Group, "2025/01/14/[$LATEST]a", [new(Noon, "noon"), new(Noon.AddMinutes(1), "12:01"), new(Noon.AddMinutes(2), "12:02")]);
        var (noon, oneMinute) = (Noon.ToUnixTimeMilliseconds(), 60_000L);

        Assert.Empty(await MessagesAsync(new JsonObject { ["startTime"] = 0, ["endTime"] = 1 }));
        Assert.Equal(["12:01", "12:02"], await MessagesAsync(new JsonObject { ["startTime"] = noon + oneMinute, ["endTime"] = noon + 2 * oneMinute }));
        Assert.Equal(["noon", "12:01"], await MessagesAsync(new JsonObject { ["endTime"] = noon + oneMinute }));
        Assert.Equal(["12:02"], await MessagesAsync(new JsonObject { ["startTime"] = noon + oneMinute + 1 }));
        Assert.Equal(["noon", "12:01", "12:02"], await MessagesAsync(new JsonObject()));
    }

    [Fact]
    public async Task Describe_log_groups_takes_a_limit_of_1_to_50()
    {
        await Session.EnsurePipelineAsync();
        Task<(HttpStatusCode Status, JsonObject Body)> DescribeAsync(int limit) =>
            JsonTargetAsync("logs", "Logs_20140328.DescribeLogGroups", new JsonObject { ["limit"] = limit });

        var (status, groups) = await DescribeAsync(1);
        var (tooManyStatus, tooMany) = await DescribeAsync(51);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Single(groups["logGroups"]!.AsArray());
        Assert.Equal((HttpStatusCode.BadRequest, "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value between 1 and 50"),
            (tooManyStatus, (string?)tooMany["message"]));
    }

    [Fact]
    public async Task A_start_after_the_end_or_a_time_before_1970_is_InvalidParameterException_naming_it()
    {
        var (status, reversed) = await FilterAsync(new JsonObject { ["startTime"] = 2000, ["endTime"] = 1000 });
        var (negativeStatus, negative) = await FilterAsync(new JsonObject { ["startTime"] = -5 });

        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameterException"), (status, (string?)reversed["__type"]));
        Assert.Equal("startTime 2000 is after endTime 1000: give a startTime at or before the endTime (both in milliseconds since 1970-01-01 UTC).", (string?)reversed["message"]);
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameterException"), (negativeStatus, (string?)negative["__type"]));
        Assert.StartsWith("startTime -5 is out of range: give milliseconds since 1970-01-01 UTC, from 0 to ", (string?)negative["message"]);
    }
}
