using StreamingWorkshop;
using StreamingWorkshop.Delivery;
using StreamingWorkshop.Errors;

namespace Workshop.Tests.Delivery;

public class DeliveryStreamConfigTests
{
    private static DeliveryStreamConfig Workshop() =>
        WorkshopSession.WorkshopDeliveryConfig("weather-analytics-firehose-dev", "weather-analytics-stream-dev", "weather-analytics-data-lake-dev-123456789012");

    [Fact]
    public void The_workshop_configuration_keeps_every_rule_and_is_accepted()
    {
        var config = Workshop();

        // The template's settings, read back: each is what one of the rules below asks of a dynamically partitioned stream.
        Assert.True(config.DynamicPartitioningEnabled);
        Assert.Equal(64, config.BufferingSizeMiB);       // 1 to 128, and at least 64 with dynamic partitioning
        Assert.Equal(60, config.BufferingIntervalSeconds); // 0 to 900
        Assert.Equal("weather-data/location=!{partitionKeyFromQuery:location}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/", config.Prefix);
        Assert.Equal(["location"], MetadataExtractionQuery.Parse(config.MetadataExtractionQuery!).KeyNames); // the one key the prefix uses
        Assert.Equal("errors/!{firehose:error-output-type}/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/", config.ErrorOutputPrefix);
        Assert.True(config.AppendNewLineDelimiter);
        Assert.Equal(CompressionFormat.GZIP, config.Compression);

        Assert.Null(Record.Exception(config.Validate));
        // The same settings one step past a limit are refused, so the acceptance above is the rules' doing.
        Assert.Throws<InvalidArgumentException>(() => (config with { BufferingSizeMiB = 63 }).Validate());
        Assert.Throws<ValidationException>(() => (config with { BufferingIntervalSeconds = 901 }).Validate());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(129)]
    public void Buffer_size_must_be_1_to_128_MiB(int mebibytes)
    {
        var plain = new DeliveryStreamConfig { DeliveryStreamName = "d", SourceStreamName = "s", BucketName = "b", Prefix = "raw/", BufferingSizeMiB = mebibytes };

        var error = Assert.Throws<ValidationException>(plain.Validate);

        Assert.Equal($"BufferingHints.SizeInMBs {mebibytes} is out of range: use 1 to 128 MiB.", error.Message);
    }

    [Fact]
    public void Buffer_sizes_at_the_ends_of_the_range_are_accepted()
    {
        var plain = new DeliveryStreamConfig { DeliveryStreamName = "d", SourceStreamName = "s", BucketName = "b", Prefix = "raw/", BufferingSizeMiB = 1 };

        Assert.Null(Record.Exception(plain.Validate));
        Assert.Null(Record.Exception((Workshop() with { BufferingSizeMiB = 128 }).Validate));
    }

    [Fact]
    public void Dynamic_partitioning_needs_a_buffer_of_at_least_64_MiB()
    {
        var error = Assert.Throws<InvalidArgumentException>(() => (Workshop() with { BufferingSizeMiB = 32 }).Validate());
        Assert.Contains("at least 64 MiB", error.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(901)]
    public void Buffer_interval_must_be_0_to_900_seconds(int seconds)
    {
        var error = Assert.Throws<ValidationException>(() => (Workshop() with { BufferingIntervalSeconds = seconds }).Validate());
        Assert.Contains(seconds.ToString(), error.Message);
    }

    [Fact]
    public void Prefix_may_not_use_the_error_output_type()
    {
        var config = Workshop() with { Prefix = "x/!{partitionKeyFromQuery:city}/!{firehose:error-output-type}/" };
        Assert.Throws<InvalidArgumentException>(config.Validate);
    }

    [Fact]
    public void Error_prefix_must_group_by_error_output_type_under_dynamic_partitioning()
    {
        var error = Assert.Throws<InvalidArgumentException>(() => (Workshop() with { ErrorOutputPrefix = "errors/" }).Validate());
        Assert.Contains("error-output-type", error.Message);
    }

    [Fact]
    public void A_prefix_key_the_query_does_not_define_is_refused()
    {
        var config = Workshop() with { Prefix = "weather-data/location=!{partitionKeyFromQuery:town}/" };
        var error = Assert.Throws<InvalidArgumentException>(config.Validate);
        Assert.Contains("town", error.Message);
    }

    [Fact]
    public void Partition_keys_without_dynamic_partitioning_are_refused()
    {
        var config = Workshop() with { DynamicPartitioningEnabled = false };
        Assert.Throws<InvalidArgumentException>(config.Validate);
    }

    [Fact]
    public void Without_a_timestamp_or_dynamic_partitioning_the_default_hourly_prefix_is_appended()
    {
        var config = new DeliveryStreamConfig { DeliveryStreamName = "d", SourceStreamName = "s", BucketName = "b", Prefix = "raw/" };
        Assert.Equal("raw/!{timestamp:yyyy/MM/dd/HH/}", config.EffectivePrefix);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a/b")]
    public void Delivery_stream_names_follow_the_service_pattern(string name)
    {
        var error = Assert.Throws<ValidationException>(() => (Workshop() with { DeliveryStreamName = name }).Validate());
        Assert.Contains("deliveryStreamName", error.Message);
    }
}
