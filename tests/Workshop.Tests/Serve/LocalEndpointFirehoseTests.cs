using System.Net;
using System.Text.Json.Nodes;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Serve;

/// <summary>The local endpoint as Firehose, over HTTP: ListDeliveryStreams honours its type, its start name and its limit.</summary>
public sealed class LocalEndpointFirehoseTests : LocalEndpointTest
{
    private Task<(HttpStatusCode Status, JsonObject Body)> ListAsync(JsonObject input) =>
        JsonTargetAsync("firehose", "Firehose_20150804.ListDeliveryStreams", input);

    private async Task<string> ListedAsync(JsonObject input)
    {
        var (status, body) = await ListAsync(input);
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        return $"{string.Join(",", body["DeliveryStreamNames"]!.AsArray().Select(n => (string)n!))} more={(bool)body["HasMoreDeliveryStreams"]!}";
    }

    [Fact]
    public async Task List_delivery_streams_honours_type_start_name_and_limit()
    {
        await Session.DeployAsync();
        var firehose = Session.Local!.Firehose;
        firehose.CreateDeliveryStream(firehose.DescribeDeliveryStream("weather-analytics-firehose-dev") with { DeliveryStreamName = "archive-firehose-dev" });

        Assert.Equal("archive-firehose-dev,weather-analytics-firehose-dev more=False", await ListedAsync(new JsonObject()));
        Assert.Equal("archive-firehose-dev more=True", await ListedAsync(new JsonObject { ["Limit"] = 1 }));
        Assert.Equal("weather-analytics-firehose-dev more=False",
            await ListedAsync(new JsonObject { ["Limit"] = 1, ["ExclusiveStartDeliveryStreamName"] = "archive-firehose-dev" }));
        Assert.Equal(" more=False", await ListedAsync(new JsonObject { ["ExclusiveStartDeliveryStreamName"] = "weather-analytics-firehose-dev" }));
        Assert.Equal(" more=False", await ListedAsync(new JsonObject { ["DeliveryStreamType"] = "DirectPut" }));
        Assert.Equal("archive-firehose-dev,weather-analytics-firehose-dev more=False", await ListedAsync(new JsonObject { ["DeliveryStreamType"] = "KinesisStreamAsSource" }));
    }

    [Fact]
    public async Task A_limit_out_of_range_or_an_unknown_type_is_a_validation_exception_naming_it()
    {
        var (status, limit) = await ListAsync(new JsonObject { ["Limit"] = 10_001 });
        var (typeStatus, type) = await ListAsync(new JsonObject { ["DeliveryStreamType"] = "directput" });

        Assert.Equal((HttpStatusCode.BadRequest, "ValidationException"), (status, (string?)limit["__type"]));
        Assert.Equal("1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value between 1 and 10000", (string?)limit["message"]);
        Assert.Equal((HttpStatusCode.BadRequest, "ValidationException"), (typeStatus, (string?)type["__type"]));
        Assert.Equal("1 validation error detected: Value 'directput' at 'deliveryStreamType' failed to satisfy constraint: Member must satisfy enum value set: [DirectPut, KinesisStreamAsSource]",
            (string?)type["message"]);
    }
}
