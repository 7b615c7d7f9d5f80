using System.Text;
using System.Text.Json;
using StreamingWorkshop;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Delivery;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Delivery;

/// <summary>The delivery stream between a real local stream and a real local lake: buffering, partitioning, errors, restarts.</summary>
public sealed class DeliveryStreamTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 1, 14, 23, 58, 30, TimeSpan.Zero);
    private const string Bucket = "lake-bucket";
    private readonly TempWorkspace temp = new();
    private readonly VirtualClock clock = new(Start);
    private readonly LocalStreamService stream;
    private readonly LocalObjectStore lake;

    public DeliveryStreamTests()
    {
        stream = new LocalStreamService(temp.Workspace, clock);
        lake = new LocalObjectStore(temp.Workspace, clock);
        stream.CreateStreamAsync("source", 2).GetAwaiter().GetResult();
        lake.CreateBucketAsync(Bucket).GetAwaiter().GetResult();
    }

    // The workshop template's own delivery settings, so these tests exercise what the stack deploys.
    private static DeliveryStreamConfig Config(bool newLine = true, int interval = 60) =>
        WorkshopSession.WorkshopDeliveryConfig("delivery", "source", Bucket) with { AppendNewLineDelimiter = newLine, BufferingIntervalSeconds = interval };

    private LocalDeliveryStream Open(DeliveryStreamConfig? config = null) => new(config ?? Config(), stream, lake, temp.Workspace, clock);

    private Task Put(string text, string key = "k") => stream.PutRecordAsync("source", Encoding.UTF8.GetBytes(text), key);

    private List<(string Key, string Line)> Lake(string prefix = "") => LakeFiles.Lines(temp.Root, Bucket, prefix).ToList();

    [Fact]
    public async Task Nothing_is_delivered_before_the_buffer_interval_and_everything_after_it()
    {
        using var delivery = Open();
        Assert.Null(delivery.NextDeadline);
        await Put("""{"city":"London","t":1}""");
        await delivery.PollAsync();
        Assert.Equal(Start.AddSeconds(60), delivery.NextDeadline);
        clock.Advance(TimeSpan.FromSeconds(59));
        await delivery.PollAsync();
        Assert.Empty(Lake());
        Assert.Equal(Start.AddSeconds(60), delivery.NextDeadline);

        clock.Advance(TimeSpan.FromSeconds(1));
        await delivery.PollAsync();

        Assert.Equal(["""{"city":"London","t":1}"""], Lake().Select(l => l.Line));
        Assert.Null(delivery.NextDeadline); // nothing is buffered any more
    }

    [Fact]
    public async Task Records_go_to_their_city_partition_and_the_utc_date_of_the_oldest_record()
    {
        using var delivery = Open();
        await Put("""{"city":"London"}""");
        await Put("""{"city":"Leeds"}""");
        await delivery.PollAsync();
        await delivery.FlushAllAsync();

        var keys = Lake().Select(l => l.Key).ToList();
        Assert.Contains(keys, k => k.StartsWith("weather-data/location=London/year=2025/month=01/day=14/delivery-1-2025-01-14-23-58-30-", StringComparison.Ordinal) && k.EndsWith(".gz", StringComparison.Ordinal));
        Assert.Contains(keys, k => k.StartsWith("weather-data/location=Leeds/year=2025/month=01/day=14/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_records_go_to_the_error_prefix_with_the_original_data_and_the_rest_are_delivered()
    {
        using var delivery = Open();
        await Put("""{"city":"London"}""");
        await Put("not json");
        await Put("""{"temperature":3}""");
        await Put("""{"city":"Leeds"}""");
        await delivery.PollAsync();
        await delivery.FlushAllAsync();

        Assert.Equal(2, Lake("weather-data/").Count);
        var errors = Lake("errors/");
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.StartsWith("errors/partitioning-failed/2025/01/14/", e.Key));
        var documents = errors.Select(e => JsonDocument.Parse(e.Line).RootElement).ToList();
        Assert.All(documents, d => Assert.Equal("DynamicPartitioning.MetadataExtractionFailed", d.GetProperty("errorCode").GetString()));
        Assert.Equal(["not json", """{"temperature":3}"""],
            documents.Select(d => Encoding.UTF8.GetString(Convert.FromBase64String(d.GetProperty("rawData").GetString()!))).Order());
        Assert.Contains(documents, d => d.GetProperty("errorMessage").GetString() == "Non JSON record provided");
        Assert.Equal(Start.ToUnixTimeMilliseconds(), documents[0].GetProperty("arrivalTimestamp").GetInt64());
    }

    [Theory]
    [InlineData("a/../../b", "weather-data/location=a/../../b/year=2025/month=01/day=14/", "it has a '.' or '..' segment")]
    [InlineData("a//b", "weather-data/location=a//b/year=2025/month=01/day=14/", "it has an empty segment ('//')")]
    [InlineData("x/.", "weather-data/location=x/./year=2025/month=01/day=14/", "it has a '.' or '..' segment")]
    [InlineData("a\\\\b", "weather-data/location=a\\b/year=2025/month=01/day=14/", "it contains a backslash")]
    public async Task A_city_that_makes_a_prefix_the_lake_cannot_hold_goes_to_the_error_prefix_and_the_rest_are_delivered(string city, string rendered, string problem)
    {
        using var delivery = Open();
        await Put($$$"""{"city":"{{{city}}}"}""");
        await Put("""{"city":"London"}""");
        await delivery.PollAsync();

        await delivery.FlushAllAsync();

        Assert.Null(delivery.NextDeadline); // nothing held back to retry for ever
        Assert.Equal(["""{"city":"London"}"""], Lake("weather-data/").Select(l => l.Line));
        var error = JsonDocument.Parse(Assert.Single(Lake("errors/")).Line).RootElement;
        Assert.Equal($"The partition keys make the S3 prefix '{rendered}', which the local lake cannot hold: {problem}",
            error.GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task A_city_too_long_for_a_folder_name_goes_to_the_error_prefix_and_the_rest_are_delivered()
    {
        using var delivery = Open();
        var city = new string('x', 250); // "location=" and 250 characters: 259 bytes
        await Put($$$"""{"city":"{{{city}}}"}""");
        await Put("""{"city":"London"}""");
        await delivery.PollAsync();

        await delivery.FlushAllAsync();

        Assert.Null(delivery.NextDeadline);
        Assert.Equal(["""{"city":"London"}"""], Lake("weather-data/").Select(l => l.Line));
        var error = JsonDocument.Parse(Assert.Single(Lake("errors/")).Line).RootElement;
        Assert.Equal($"The partition keys make the S3 prefix 'weather-data/location={city}/year=2025/month=01/day=14/', which the local lake cannot hold: " +
            "a segment between slashes is longer than 255 bytes, the longest file or folder name the local lake's disk can hold",
            error.GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task A_city_named_dot_makes_the_folder_location_dot_and_is_delivered()
    {
        using var delivery = Open();
        await Put("""{"city":"."}""");
        await delivery.PollAsync();

        await delivery.FlushAllAsync();

        Assert.StartsWith("weather-data/location=./year=2025/", Assert.Single(Lake("weather-data/")).Key);
        Assert.Empty(Lake("errors/"));
    }

    [Fact]
    public async Task Without_the_new_line_delimiter_records_are_glued_onto_one_line()
    {
        using var delivery = Open(Config(newLine: false));
        await Put("""{"city":"London","n":1}""");
        await Put("""{"city":"London","n":2}""");
        await delivery.PollAsync();
        await delivery.FlushAllAsync();

        Assert.Equal(["""{"city":"London","n":1}{"city":"London","n":2}"""], Lake().Select(l => l.Line));
    }

    [Fact]
    public async Task A_full_buffer_is_delivered_before_its_interval()
    {
        using var delivery = Open(Config(interval: 900));
        var big = "{\"city\":\"London\",\"pad\":\"" + new string('x', 900 * 1024) + "\"}";
        // 72 records of 900 KiB stay under the 64 MiB buffer and the 73rd takes it over; one a second keeps within
        // a shard's 1 MiB/s, so the buffer is full 73 s in, long before its 900 s interval.
        for (var i = 0; i < 73; i++)
        {
            if (i == 72)
            {
                Assert.Empty(Lake());
                Assert.Equal(72, delivery.BufferedRecords);
            }
            await Put(big, $"k{i}");
            clock.Advance(TimeSpan.FromSeconds(1));
            await delivery.PollAsync();
        }

        Assert.Single(Lake().Select(l => l.Key).Distinct());
        Assert.Equal(73, Lake().Count);
        Assert.Equal(0, delivery.BufferedRecords);
    }

    [Fact]
    public async Task A_restart_resumes_from_the_checkpoint_without_repeating_delivered_records()
    {
        using (var first = Open())
        {
            await Put("""{"city":"London","n":1}""");
            await first.PollAsync();
            clock.Advance(TimeSpan.FromSeconds(30));
            await Put("""{"city":"Leeds","n":2}""");
            await first.PollAsync();
            clock.Advance(TimeSpan.FromSeconds(30));
            await first.PollAsync(); // London is due and delivered; Leeds is still buffering
        }
        Assert.Single(Lake());

        using (var second = Open())
        {
            await Put("""{"city":"London","n":3}""");
            await second.PollAsync();
            await second.FlushAllAsync();
        }

        var lines = Lake().Select(l => l.Line).Order().ToList();
        Assert.Equal(["""{"city":"Leeds","n":2}""", """{"city":"London","n":1}""", """{"city":"London","n":3}"""], lines);
    }

    [Fact]
    public async Task Records_delivered_ahead_of_an_older_partition_are_not_delivered_again_after_a_restart()
    {
        using (var first = Open())
        {
            await Put("""{"city":"London","n":1}""", "same");
            await first.PollAsync();                       // London's buffer opens now
            clock.Advance(TimeSpan.FromSeconds(30));
            await Put("""{"city":"Leeds","n":2}""", "same");  // Leeds's buffer opens 30 s later
            await Put("""{"city":"London","n":3}""", "same");
            await first.PollAsync();
            clock.Advance(TimeSpan.FromSeconds(30));
            await first.PollAsync();                       // London (n1, n3) is due; Leeds (n2, older than n3) is not
            Assert.Equal(1, first.BufferedRecords);
        }                                                  // the process ends with Leeds still buffered

        using (var second = Open())
        {
            await second.PollAsync();
            await second.FlushAllAsync();
            Assert.Equal(1, second.Metrics.SkippedAlreadyDelivered);
        }

        var lines = Lake().Select(l => l.Line).Order().ToList();
        Assert.Equal(["""{"city":"Leeds","n":2}""", """{"city":"London","n":1}""", """{"city":"London","n":3}"""], lines);
    }

    [Fact]
    public async Task Only_one_process_runs_a_delivery_stream_at_a_time()
    {
        using var first = Open();
        var error = Assert.Throws<ResourceInUseException>(() => Open());
        Assert.Contains("delivery", error.Message);
    }

    [Fact]
    public async Task A_missing_bucket_keeps_the_data_buffered_until_the_bucket_exists()
    {
        using var delivery = Open(Config() with { BucketName = "not-yet-made" });
        await Put("""{"city":"London"}""");
        await delivery.PollAsync();
        await delivery.FlushAllAsync();
        Assert.Equal(1, delivery.BufferedRecords);
        Assert.Contains("NoSuchBucket", delivery.Metrics.LastDeliveryError);

        await lake.CreateBucketAsync("not-yet-made");
        await delivery.FlushAllAsync();

        Assert.Equal(0, delivery.BufferedRecords);
        Assert.Single(LakeFiles.Lines(temp.Root, "not-yet-made"));
    }

    public void Dispose()
    {
        stream.Dispose();
        temp.Dispose();
    }
}
