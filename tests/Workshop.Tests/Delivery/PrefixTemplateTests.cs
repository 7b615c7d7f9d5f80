using StreamingWorkshop;
using StreamingWorkshop.Delivery;
using StreamingWorkshop.Errors;

namespace Workshop.Tests.Delivery;

public class PrefixTemplateTests
{
    // The prefixes as the workshop's template sets them.
    private static readonly DeliveryStreamConfig WorkshopSettings = WorkshopSession.WorkshopDeliveryConfig("delivery", "source", "bucket");
    private static readonly string WorkshopPrefix = WorkshopSettings.Prefix;
    private static readonly string WorkshopErrorPrefix = WorkshopSettings.ErrorOutputPrefix!;

    [Fact]
    public void Workshop_prefix_renders_partition_key_and_zero_padded_utc_date_of_the_oldest_record()
    {
        var template = PrefixTemplate.Parse(WorkshopPrefix);
        // 23:30 at UTC-5 on 13 January is 04:30 UTC on 14 January: the prefix uses UTC.
        var arrival = new DateTimeOffset(2025, 1, 13, 23, 30, 0, TimeSpan.FromHours(-5));

        var rendered = template.Render(new Dictionary<string, string> { ["location"] = "London" }, arrival);

        Assert.Equal("weather-data/location=London/year=2025/month=01/day=14/", rendered);
    }

    [Fact]
    public void Error_prefix_renders_the_error_output_type()
    {
        var template = PrefixTemplate.Parse(WorkshopErrorPrefix, "ErrorOutputPrefix");

        var rendered = template.Render(new Dictionary<string, string>(), new DateTimeOffset(2025, 3, 9, 0, 0, 0, TimeSpan.Zero), "partitioning-failed");

        Assert.Equal("errors/partitioning-failed/2025/03/09/", rendered);
    }

    [Fact]
    public void Timestamp_expression_with_separators_renders_in_one_piece()
    {
        var template = PrefixTemplate.Parse("raw/!{timestamp:yyyy/MM/dd/HH}/");

        Assert.Equal("raw/2024/12/31/07/", template.Render(new Dictionary<string, string>(), new DateTimeOffset(2024, 12, 31, 7, 59, 59, TimeSpan.Zero)));
    }

    [Fact]
    public void Random_string_is_substituted()
    {
        var template = PrefixTemplate.Parse("x/!{firehose:random-string}/");

        Assert.Equal("x/abcdefghijk/", template.Render(new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, randomString: "abcdefghijk"));
    }

    [Theory]
    [InlineData("data/!{unknown:x}/", "'unknown' is not a namespace")]
    [InlineData("data/!{firehose:bogus}/", "firehose namespace has error-output-type and random-string")]
    [InlineData("data/!{timestamp:}/", "needs a pattern")]
    [InlineData("data/!{timestamp:yyyyQ}/", "'Q' is not supported")]
    [InlineData("data/!{partitionKeyFromQuery:}/", "needs a key name")]
    [InlineData("data/!{partitionKeyFromLambda:city}/", "partitionKeyFromLambda")]
    [InlineData("data/!{timestamp:yyyy/", "not closed")]
    public void Malformed_expressions_are_refused_naming_the_prefix_and_the_problem(string prefix, string reason)
    {
        var error = Assert.Throws<InvalidArgumentException>(() => PrefixTemplate.Parse(prefix));

        Assert.Equal("InvalidArgumentException", error.ErrorCode);
        Assert.Contains(prefix, error.Message);
        Assert.Contains(reason, error.Message);
    }
}
