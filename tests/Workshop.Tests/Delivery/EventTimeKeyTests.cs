using System.Text;
using StreamingWorkshop.Delivery;
using StreamingWorkshop.Errors;

namespace Workshop.Tests.Delivery;

/// <summary>The jq forms that take a partition key from a record's own time: a string slice, and strftime of epoch seconds.</summary>
public sealed class EventTimeKeyTests
{
    private static (bool Ok, Dictionary<string, string> Values, string? Failure) Evaluate(string query, string record)
    {
        var ok = MetadataExtractionQuery.Parse(query).TryEvaluate(Encoding.UTF8.GetBytes(record), out var values, out var failure);
        return (ok, values, failure);
    }

    private const string Reading = """{"city":"London","measurement_time":"2025-01-14T23:45","collected_at":1736898300}""";

    [Theory]
    [InlineData("{day: .measurement_time[0:10]}", "2025-01-14")]
    [InlineData("{day: .measurement_time[8:10]}", "14")]
    [InlineData("{day: .measurement_time[:4]}", "2025")]
    [InlineData("{day: .measurement_time[11:]}", "23:45")]
    [InlineData("{day: .measurement_time[-5:-3]}", "23")]
    [InlineData("{day: .measurement_time[5:100]}", "01-14T23:45")]
    // 1736898300 s after the epoch is 2025-01-14T23:45:00Z.
    [InlineData("{day: .collected_at | strftime(\"%Y-%m-%d\")}", "2025-01-14")]
    [InlineData("{day: .collected_at|strftime(\"%H:%M:%S\")}", "23:45:00")]
    public void A_day_key_comes_from_the_records_own_time(string query, string expected)
    {
        var (ok, values, failure) = Evaluate(query, Reading);

        Assert.True(ok, failure);
        Assert.Equal(expected, values["day"]);
    }

    [Fact]
    public void Several_keys_from_one_time_build_an_event_time_folder()
    {
        var (ok, values, _) = Evaluate("{location: .city, year: .measurement_time[0:4], month: .measurement_time[5:7], day: .measurement_time[8:10]}", Reading);

        Assert.True(ok);
        Assert.Equal(["London", "2025", "01", "14"], new[] { values["location"], values["year"], values["month"], values["day"] });
    }

    [Theory]
    // jq's own errors for these inputs; the delivery stream sends such a record to the error prefix.
    [InlineData("{day: .collected_at[0:4]}", "Cannot index number with object")]
    [InlineData("{day: .measurement_time | strftime(\"%Y\")}", "strftime/1 requires parsed datetime inputs")]
    [InlineData("{day: .missing[0:4]}", "must not be null or empty")]
    [InlineData("{day: .measurement_time[20:30]}", "must not be null or empty")]
    public void A_record_the_expression_cannot_read_fails_as_jq_fails(string query, string reason)
    {
        var (ok, _, failure) = Evaluate(query, Reading);

        Assert.False(ok);
        Assert.Contains(reason, failure);
    }

    [Theory]
    [InlineData("{day: .measurement_time[0]}")]
    [InlineData("{day: .measurement_time | strptime(\"%Y\")}")]
    [InlineData("{day: .collected_at | strftime(\"%A\")}")]
    [InlineData("{day: .measurement_time[0:10] | ascii_downcase}")]
    public void Other_forms_are_refused_when_the_stream_is_created(string query)
    {
        var error = Assert.Throws<InvalidArgumentException>(() => MetadataExtractionQuery.Parse(query));

        Assert.Contains(query, error.Message);
        Assert.Contains("{day: .time[0:10]}", error.Message);
    }
}
