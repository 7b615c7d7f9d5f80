using System.Text;
using StreamingWorkshop.Delivery;
using StreamingWorkshop.Errors;

namespace Workshop.Tests.Delivery;

public class MetadataExtractionQueryTests
{
    private static (bool Ok, Dictionary<string, string> Values, string? Failure) Evaluate(string query, string record)
    {
        var ok = MetadataExtractionQuery.Parse(query).TryEvaluate(Encoding.UTF8.GetBytes(record), out var values, out var failure);
        return (ok, values, failure);
    }

    [Fact]
    public void Object_form_extracts_a_top_level_field()
    {
        var (ok, values, _) = Evaluate("{city: .city}", """{"city":"Edinburgh","temperature":3.5}""");

        Assert.True(ok);
        Assert.Equal("Edinburgh", values["city"]);
    }

    [Fact]
    public void Nested_paths_and_several_keys_are_extracted()
    {
        var (ok, values, _) = Evaluate("{region: .place.region, code: .weather.code, \"the city\": .\"city name\"}",
            """{"place":{"region":"Scotland"},"weather":{"code":61},"city name":"Perth"}""");

        Assert.True(ok);
        Assert.Equal("Scotland", values["region"]);
        Assert.Equal("61", values["code"]);
        Assert.Equal("Perth", values["the city"]);
    }

    [Theory]
    [InlineData("true", "true")]
    [InlineData("false", "false")]
    public void Booleans_become_partition_keys(string value, string key)
    {
        var (ok, values, failure) = Evaluate("{raining: .raining}", $$"""{"city":"Leeds","raining":{{value}}}""");

        Assert.True(ok, failure);
        Assert.Equal(key, values["raining"]);
    }

    [Theory]
    [InlineData("not json at all", "Non JSON record provided")]
    [InlineData("[1,2,3]", "Non JSON record provided")]
    [InlineData("""{"city":"London"}{"city":"Leeds"}""", "Non JSON record provided")]
    [InlineData("""{"temperature":4}""", "must not be null or empty")]
    [InlineData("""{"city":null}""", "must not be null or empty")]
    [InlineData("""{"city":""}""", "must not be null or empty")]
    [InlineData("""{"city":{"name":"London"}}""", "must not be null or empty")]
    public void Records_that_cannot_be_partitioned_fail_with_the_reason(string record, string reason)
    {
        var (ok, _, failure) = Evaluate("{city: .city}", record);

        Assert.False(ok);
        Assert.Contains(reason, failure);
    }

    [Theory]
    [InlineData(".city")]
    [InlineData("{city: .city | ascii_downcase}")]
    [InlineData("{city: .items[0]}")]
    [InlineData("{}")]
    [InlineData("{city: .city, city: .town}")]
    public void Queries_outside_the_supported_subset_are_refused_listing_the_subset(string query)
    {
        var error = Assert.Throws<InvalidArgumentException>(() => MetadataExtractionQuery.Parse(query));

        Assert.Contains(query, error.Message);
        Assert.Contains(MetadataExtractionQuery.SupportedSubset, error.Message);
    }
}
