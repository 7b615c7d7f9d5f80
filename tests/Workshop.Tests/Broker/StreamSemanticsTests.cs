using System.Text;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Storage;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Broker;

/// <summary>Iterators, GetRecords, retention and the service's limits with their exact error names.</summary>
public sealed class StreamSemanticsTests() : LocalStreamTest()
{
    private Task<PutRecordResult> Put(string text, string key = "London") => Service.PutRecordAsync("weather", Encoding.UTF8.GetBytes(text), key);

    private async Task<List<string>> ReadAll(string iterator)
    {
        var result = await Service.GetRecordsAsync(iterator);
        return result.Records.Select(r => Encoding.UTF8.GetString(r.Data.Span)).ToList();
    }

    private Task<string> Iterator(ShardIteratorType type, string? sequence = null, DateTimeOffset? at = null) =>
        Service.GetShardIteratorAsync("weather", "shardId-000000000000", type, sequence, at);

    [Fact]
    public async Task Sequence_numbers_are_decimal_strings_increasing_within_a_shard()
    {
        var first = await Put("a");
        var second = await Put("b");

        Assert.Matches("^[0-9]+$", first.SequenceNumber);
        Assert.True(System.Numerics.BigInteger.Parse(second.SequenceNumber) > System.Numerics.BigInteger.Parse(first.SequenceNumber));
    }

    [Fact]
    public async Task TRIM_HORIZON_reads_from_the_oldest_retained_record()
    {
        await Put("a");
        await Put("b");

        Assert.Equal(["a", "b"], await ReadAll(await Iterator(ShardIteratorType.TRIM_HORIZON)));
    }

    [Fact]
    public async Task LATEST_starts_after_the_newest_record_so_it_is_empty_until_something_arrives()
    {
        await Put("before");
        var iterator = await Iterator(ShardIteratorType.LATEST);

        var first = await Service.GetRecordsAsync(iterator);
        Assert.Empty(first.Records);
        await Put("after");
        var second = await Service.GetRecordsAsync(first.NextShardIterator!);

        Assert.Equal("after", Encoding.UTF8.GetString(second.Records.Single().Data.Span));
    }

    [Fact]
    public async Task AT_and_AFTER_SEQUENCE_NUMBER_start_at_and_just_after_the_given_record()
    {
        await Put("a");
        var b = await Put("b");
        await Put("c");

        Assert.Equal(["b", "c"], await ReadAll(await Iterator(ShardIteratorType.AT_SEQUENCE_NUMBER, b.SequenceNumber)));
        Assert.Equal(["c"], await ReadAll(await Iterator(ShardIteratorType.AFTER_SEQUENCE_NUMBER, b.SequenceNumber)));
    }

    [Fact]
    public async Task AT_TIMESTAMP_starts_at_the_first_record_that_arrived_at_or_after_the_time()
    {
        await Put("09:00");
        Clock.Advance(TimeSpan.FromMinutes(10));
        await Put("09:10");
        Clock.Advance(TimeSpan.FromMinutes(10));
        await Put("09:20");

        Assert.Equal(["09:10", "09:20"], await ReadAll(await Iterator(ShardIteratorType.AT_TIMESTAMP, at: Start.AddMinutes(5))));
    }

    [Fact]
    public async Task Records_carry_their_arrival_time_partition_key_and_shard()
    {
        Clock.Advance(TimeSpan.FromSeconds(42));
        await Put("x", "Edinburgh");

        var record = (await Service.GetRecordsAsync(await Iterator(ShardIteratorType.TRIM_HORIZON))).Records.Single();

        Assert.Equal(Start.AddSeconds(42), record.ApproximateArrivalTimestamp);
        Assert.Equal("Edinburgh", record.PartitionKey);
        Assert.Equal("shardId-000000000000", record.ShardId);
    }

    [Fact]
    public async Task Limit_caps_a_batch_and_NextShardIterator_continues_with_MillisBehindLatest_falling_to_zero()
    {
        for (var i = 0; i < 5; i++) await Put($"r{i}");
        Clock.Advance(TimeSpan.FromSeconds(3));

        var first = await Service.GetRecordsAsync(await Iterator(ShardIteratorType.TRIM_HORIZON), limit: 2);
        var second = await Service.GetRecordsAsync(first.NextShardIterator!, limit: 10);

        Assert.Equal(2, first.Records.Count);
        Assert.Equal(3000, first.MillisBehindLatest);
        Assert.Equal(3, second.Records.Count);
        Assert.Equal(0, second.MillisBehindLatest);
        Assert.NotNull(second.NextShardIterator);
    }

    [Fact]
    public async Task Iterators_expire_five_minutes_after_they_are_made()
    {
        var iterator = await Iterator(ShardIteratorType.TRIM_HORIZON);
        Clock.Advance(TimeSpan.FromMinutes(5));
        await Service.GetRecordsAsync(iterator); // exactly five minutes: still valid
        Clock.Advance(TimeSpan.FromMilliseconds(1));

        var error = await Assert.ThrowsAsync<ExpiredIteratorException>(() => Service.GetRecordsAsync(iterator));

        Assert.Equal("ExpiredIteratorException", error.ErrorCode);
        Assert.Contains("tolerated delay of 300000 milliseconds", error.Message);
        Assert.EndsWith("Get a new iterator (GetShardIterator), or read on with the NextShardIterator of a GetRecords answer within 5 minutes of it.", error.Message);
    }

    [Fact]
    public async Task Records_older_than_the_retention_period_are_not_returned()
    {
        await Put("old");
        Clock.Advance(TimeSpan.FromHours(23));
        await Put("recent");
        Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        Assert.Equal(["recent"], await ReadAll(await Iterator(ShardIteratorType.TRIM_HORIZON)));
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    public async Task A_stream_named_dot_or_dot_dot_is_refused_and_its_delete_leaves_the_workspace_whole(string name)
    {
        var error = await Assert.ThrowsAsync<ValidationException>(() => Service.CreateStreamAsync(name, 1));
        Assert.Contains($"'{name}' cannot name a stream here", error.Message);
        await Assert.ThrowsAsync<ValidationException>(() => Service.DeleteStreamAsync(name));

        Assert.False(File.Exists(Temp.Workspace.Resolve("stream.json")));
        Assert.True(File.Exists(Temp.Workspace.Resolve("streams", StreamName, "stream.json")));
    }

    [Fact]
    public void The_workspace_refuses_a_dot_or_dot_dot_name_that_would_land_in_another_folder_of_it()
    {
        Assert.Throws<WorkspaceEscapeException>(() => Temp.Workspace.Resolve("streams", ".."));
        Assert.Throws<WorkspaceEscapeException>(() => Temp.Workspace.Resolve("lake", "bucket/./key"));
        Assert.Throws<WorkspaceEscapeException>(() => Temp.Workspace.Resolve("catalog", "db\\..\\..", "t.json"));
        Assert.EndsWith(Path.Combine("streams", "..weather.", "stream.json"), Temp.Workspace.Resolve("streams", "..weather.", "stream.json"));
    }

    [Fact]
    public async Task A_garbled_iterator_is_an_InvalidArgumentException()
    {
        await Assert.ThrowsAsync<InvalidArgumentException>(() => Service.GetRecordsAsync("bm90IGFuIGl0ZXJhdG9y"));
    }

    [Theory]
    [InlineData(ShardIteratorType.AT_SEQUENCE_NUMBER)]
    [InlineData(ShardIteratorType.AFTER_SEQUENCE_NUMBER)]
    public async Task Sequence_iterator_types_need_a_sequence_number(ShardIteratorType type)
    {
        var error = await Assert.ThrowsAsync<InvalidArgumentException>(() => Iterator(type));
        Assert.Contains("StartingSequenceNumber", error.Message);
    }

    [Fact]
    public async Task TRIM_HORIZON_with_a_sequence_number_is_refused()
    {
        var a = await Put("a");
        await Assert.ThrowsAsync<InvalidArgumentException>(() => Iterator(ShardIteratorType.TRIM_HORIZON, a.SequenceNumber));
    }

    [Fact]
    public async Task AT_TIMESTAMP_needs_a_timestamp()
    {
        await Assert.ThrowsAsync<InvalidArgumentException>(() => Iterator(ShardIteratorType.AT_TIMESTAMP));
    }

    [Fact]
    public async Task A_sequence_number_from_another_shard_is_refused_naming_both_shards()
    {
        await Service.CreateStreamAsync("two", 2);
        var onShardOne = await Service.PutRecordAsync("two", new byte[] { 1 }, "k", explicitHashKey: "340282366920938463463374607431768211455");

        var error = await Assert.ThrowsAsync<InvalidArgumentException>(() =>
            Service.GetShardIteratorAsync("two", "shardId-000000000000", ShardIteratorType.AT_SEQUENCE_NUMBER, onShardOne.SequenceNumber));

        Assert.Contains("shardId-000000000001", error.Message);
        Assert.Contains("shardId-000000000000", error.Message);
    }

    [Fact]
    public async Task Unknown_stream_and_shard_are_ResourceNotFoundException()
    {
        var stream = await Assert.ThrowsAsync<ResourceNotFoundException>(() => Service.PutRecordAsync("nope", new byte[] { 1 }, "k"));
        Assert.Equal("Stream nope under account 123456789012 not found.", stream.Message);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => Service.GetShardIteratorAsync("weather", "shardId-000000000007", ShardIteratorType.LATEST));
    }

    [Fact]
    public async Task Creating_a_stream_twice_is_ResourceInUseException()
    {
        await Assert.ThrowsAsync<ResourceInUseException>(() => Service.CreateStreamAsync("weather", 1));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/name")]
    public async Task Stream_names_follow_the_service_pattern(string name)
    {
        await Assert.ThrowsAsync<ValidationException>(() => Service.CreateStreamAsync(name, 1));
    }

    [Fact]
    public async Task Partition_keys_must_be_1_to_256_characters()
    {
        await Assert.ThrowsAsync<ValidationException>(() => Put("x", ""));
        await Assert.ThrowsAsync<ValidationException>(() => Put("x", new string('k', 257)));
        await Put("x", new string('k', 256));
    }

    [Fact]
    public async Task Data_and_partition_key_together_may_be_at_most_1_MiB()
    {
        var key = "London";
        await Service.PutRecordAsync("weather", new byte[1024 * 1024 - key.Length], key);
        var error = await Assert.ThrowsAsync<ValidationException>(() => Service.PutRecordAsync("weather", new byte[1024 * 1024 - key.Length + 1], key));
        Assert.Contains("1048576", error.Message);
    }

    [Fact]
    public async Task PutRecords_takes_at_most_500_records()
    {
        var records = Enumerable.Range(0, 501).Select(i => new PutRecordsEntry(new byte[] { 1 }, $"k{i}")).ToArray();
        var error = await Assert.ThrowsAsync<ValidationException>(() => Service.PutRecordsAsync("weather", records));
        Assert.Contains("less than or equal to 500", error.Message);
    }

    [Fact]
    public async Task PutRecords_takes_at_most_5_MiB_including_partition_keys()
    {
        await Service.CreateStreamAsync("wide", 10);
        var records = Enumerable.Range(0, 6).Select(i => new PutRecordsEntry(new byte[1000 * 1000], $"k{i}")).ToArray();
        var error = await Assert.ThrowsAsync<InvalidArgumentException>(() => Service.PutRecordsAsync("wide", records));
        Assert.Contains("5 MB", error.Message);
    }

    [Fact]
    public async Task GetRecords_Limit_must_be_1_to_10000()
    {
        var iterator = await Iterator(ShardIteratorType.TRIM_HORIZON);
        await Assert.ThrowsAsync<ValidationException>(() => Service.GetRecordsAsync(iterator, 0));
        await Assert.ThrowsAsync<ValidationException>(() => Service.GetRecordsAsync(iterator, 10_001));
    }

    [Fact]
    public async Task A_shard_takes_1000_records_per_second_and_PutRecords_fails_the_rest_one_by_one_in_order()
    {
        var batch = Enumerable.Range(0, 500).Select(i => new PutRecordsEntry(new byte[] { 1 }, "same")).ToArray();
        await Service.PutRecordsAsync("weather", batch);
        await Service.PutRecordsAsync("weather", batch[..499]);

        var third = await Service.PutRecordsAsync("weather", batch[..3]);

        Assert.Equal(2, third.FailedRecordCount);
        Assert.True(third.Records[0].Succeeded);
        Assert.All(third.Records.Skip(1), r =>
        {
            Assert.Equal("ProvisionedThroughputExceededException", r.ErrorCode);
            Assert.Equal("Rate exceeded for shard shardId-000000000000 in stream weather under account 123456789012.", r.ErrorMessage);
        });

        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, (await Service.PutRecordsAsync("weather", batch[..3])).FailedRecordCount);
    }

    [Fact]
    public async Task A_shard_takes_1_MiB_per_second_and_PutRecord_throws_when_over()
    {
        await Service.PutRecordAsync("weather", new byte[600 * 1024], "k");
        var error = await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => Service.PutRecordAsync("weather", new byte[500 * 1024], "k"));
        Assert.Equal("ProvisionedThroughputExceededException", error.ErrorCode);
    }

    [Fact]
    public async Task PutRecords_failures_are_per_record_while_the_rest_succeed()
    {
        await Service.CreateStreamAsync("two", 2);
        // Fill shard 0 for this second, then send a batch that mixes both shards.
        var fill = Enumerable.Range(0, 500).Select(_ => new PutRecordsEntry(new byte[] { 1 }, "k", "0")).ToArray();
        await Service.PutRecordsAsync("two", fill);
        await Service.PutRecordsAsync("two", fill);

        var mixed = await Service.PutRecordsAsync("two",
        [
            new PutRecordsEntry(new byte[] { 1 }, "a", "0"),
            new PutRecordsEntry(new byte[] { 2 }, "b", "340282366920938463463374607431768211455"),
            new PutRecordsEntry(new byte[] { 3 }, "c", "0"),
        ]);

        Assert.Equal(2, mixed.FailedRecordCount);
        Assert.Equal("ProvisionedThroughputExceededException", mixed.Records[0].ErrorCode);
        Assert.Equal("shardId-000000000001", mixed.Records[1].ShardId);
        Assert.Equal("ProvisionedThroughputExceededException", mixed.Records[2].ErrorCode);
    }

    [Fact]
    public async Task DescribeStreamSummary_reports_the_stream_as_created()
    {
        var summary = await Service.DescribeStreamSummaryAsync("weather");

        Assert.Equal("arn:aws:kinesis:us-east-1:123456789012:stream/weather", summary.StreamArn);
        Assert.Equal(("ACTIVE", 1, 24, Start), (summary.StreamStatus, summary.OpenShardCount, summary.RetentionPeriodHours, summary.StreamCreationTimestamp));
    }

}
