using System.Text;
using StreamingWorkshop;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Display;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Query;

namespace Workshop.Tests.Display;

/// <summary>The displays notebooks and the CLI show: HTML escapes data, text stays aligned, empty states explain themselves.</summary>
public class ViewTests
{
    private static readonly DateTimeOffset At = new(2025, 1, 14, 9, 30, 5, TimeSpan.Zero);

    [Fact]
    public void A_record_batch_shows_shard_sequence_key_arrival_and_decoded_data_escaped()
    {
        var view = new RecordBatchView([new StreamRecord("shardId-000000000000", "49000000000000000000000000000007", At, "London", Encoding.UTF8.GetBytes("{\"city\":\"<London>\"}"))]);

        var html = view.ToHtml();
        var text = view.ToString();

        Assert.Contains("shardId-000000000000", html);
        Assert.Contains("49000000000000000000000000000007", html);
        Assert.Contains("2025-01-14 09:30:05.000 UTC", html);
        Assert.Contains("&lt;London&gt;", html);
        Assert.DoesNotContain("<London>", html);
        Assert.Contains("{\"city\":\"<London>\"}", text);
    }

    [Fact]
    public void Recent_queries_show_a_query_of_many_lines_on_one_line_and_cut_a_long_one()
    {
        QueryExecution Ran(string sql) => new("q-1", sql, "DML", "db", "primary", "s3://results/", "SUCCEEDED", null, null, At, At, null);
        var view = new QueryHistoryView([
            Ran("SELECT location,\n       COUNT(*) AS readings\n  FROM raw_weather_data\n GROUP BY location"),
            Ran("SELECT " + string.Join(", ", Enumerable.Range(1, 30).Select(i => $"c{i}")) + " FROM t")]);

        var html = view.ToHtml();

        Assert.Contains(">SELECT location, COUNT(*) AS readings FROM raw_weather_data GROUP BY location<", html);
        Assert.Contains(">SELECT c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c…<", html);
        Assert.DoesNotContain("c19", html);
    }

    [Fact]
    public void Ids_names_and_times_keep_to_one_line_beside_a_long_column_and_prose_still_wraps()
    {
        var html = HtmlTable.Render(["Alarm", "Shard", "Log group", "State since", "Reason"],
            [["reader-behind", "shardId-000000000000", "/aws-glue/jobs/output", "2026-12-06 00:00:00 UTC",
              "Threshold Crossed: 5 out of the last 5 datapoints were greater than or equal to the threshold (1000)."]]);
        var cells = System.Text.RegularExpressions.Regex.Matches(html, "<td style=\"([^\"]*)\">([^<]*)</td>")
            .ToDictionary(m => m.Groups[2].Value, m => m.Groups[1].Value);

        foreach (var whole in new[] { "reader-behind", "shardId-000000000000", "/aws-glue/jobs/output", "2026-12-06 00:00:00 UTC" })
            Assert.Contains("white-space:nowrap", cells[whole]);
        Assert.DoesNotContain("white-space", cells.Single(c => c.Key.StartsWith("Threshold", StringComparison.Ordinal)).Value);
        // A style the caller gives is kept, and nowrap is not added twice.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(HtmlTable.DataCell("09:30", "white-space:nowrap"), "white-space"));
    }

    [Fact]
    public void A_replay_that_delivered_more_records_than_it_put_says_why_and_one_that_did_not_says_nothing_more()
    {
        StreamingWorkshop.Simulation.SimulationReport Report(long put, long delivered) =>
            new(At, At.AddMinutes(30), Resumed: false, AlreadyComplete: false, Invocations: 30, RecordsPut: put, FailedPuts: 0,
                RecordsDelivered: delivered, ErrorRecords: 0, ObjectsWritten: 30, Elapsed: TimeSpan.FromSeconds(1));

        var more = Report(put: 84, delivered: 89);
        var same = Report(put: 90, delivered: 90);

        Assert.Contains("89 (5 more than put: copies of retried puts, or records put before this run)", more.ToString());
        Assert.Contains("89 (5 more than put: copies of retried puts, or records put before this run)", more.ToHtml());
        Assert.Matches(@"Records delivered to the lake\s+90\s*\n", same.ToString());
        Assert.DoesNotContain("more than put", same.ToHtml());
    }

    [Fact]
    public void A_replay_that_stored_readings_twice_names_them_and_they_explain_the_extra_records_only_when_they_account_for_all()
    {
        StreamingWorkshop.Simulation.SimulationReport Report(long delivered, long storedTwice) =>
            new(At, At.AddMinutes(30), Resumed: false, AlreadyComplete: false, Invocations: 30, RecordsPut: 84, FailedPuts: 6,
                RecordsDelivered: delivered, ErrorRecords: 0, ObjectsWritten: 30, Elapsed: TimeSpan.FromSeconds(1), StoredTwice: storedTwice);

        var all = Report(delivered: 89, storedTwice: 5);
        var some = Report(delivered: 89, storedTwice: 2);

        // The stream holds a record for every reading put and one more for each stored twice: 84 + 5 = 89.
        Assert.Matches(@"Readings put on the stream\s+84 \(stored as 89 records: 5 twice after a lost answer; 6 readings the producer could not put\)\n", all.ToString());
        Assert.DoesNotContain("Records put", all.ToHtml());
        Assert.Contains("89 (5 more than put: the copies of the readings stored twice)", all.ToHtml());
        // Two stored twice cannot explain five more: records put before the run may be among them.
        Assert.Contains("89 (5 more than put: copies of retried puts, or records put before this run)", some.ToString());
    }

    [Fact]
    public void A_replay_whose_producer_could_not_put_some_readings_counts_readings_not_cities()
    {
        var report = new StreamingWorkshop.Simulation.SimulationReport(At, At.AddMinutes(30), Resumed: false, AlreadyComplete: false, Invocations: 30,
            RecordsPut: 84, FailedPuts: 6, RecordsDelivered: 84, ErrorRecords: 0, ObjectsWritten: 30, Elapsed: TimeSpan.FromSeconds(1));

        Assert.Matches(@"Readings put on the stream\s+84 \(6 readings the producer could not put\)\n", report.ToString());
    }

    [Fact]
    public void Query_values_read_as_the_athena_console_prints_them()
    {
        Assert.Equal("0.225", StreamingWorkshop.Query.AthenaConsole.Format(0.22499999999999998));
        Assert.Equal("0.3", StreamingWorkshop.Query.AthenaConsole.Format(0.1 + 0.2));
        Assert.Equal("18.0", StreamingWorkshop.Query.AthenaConsole.Format(18.0));
        Assert.Equal("-0.57", StreamingWorkshop.Query.AthenaConsole.Format(-0.57));
        Assert.Equal("0.0", StreamingWorkshop.Query.AthenaConsole.Format(Math.Round(-0.004, 2)));
        Assert.Equal("0.0", StreamingWorkshop.Query.AthenaConsole.Format(-0.0f));
        Assert.Equal("NaN", StreamingWorkshop.Query.AthenaConsole.Format(double.NaN));
        Assert.Equal("2025-01-14 10:15:00.000", StreamingWorkshop.Query.AthenaConsole.Format(new DateTime(2025, 1, 14, 10, 15, 0)));
        Assert.Equal("[1.5, 2.0]", StreamingWorkshop.Query.AthenaConsole.Format(new[] { 1.5, 2.0 }));
        Assert.Equal("42", StreamingWorkshop.Query.AthenaConsole.Format(42L));
        // Result files keep every digit, as Athena writes them.
        Assert.Equal("0.30000000000000004", StreamingWorkshop.Query.AthenaCsv.Format(0.1 + 0.2));
    }

    [Fact]
    public void An_empty_batch_explains_why_LATEST_is_empty()
    {
        Assert.Contains("LATEST", new RecordBatchView([]).ToString());
    }

    [Fact]
    public void An_empty_batch_names_the_iterator_type_it_was_read_with_and_what_to_do()
    {
        var fromOldest = new RecordBatchView([], new RecordBatchView.Reading("shardId-000000000000", ShardIteratorType.TRIM_HORIZON)).ToString();
        var fromNewest = new RecordBatchView([], new RecordBatchView.Reading("shardId-000000000000", ShardIteratorType.LATEST)).ToString();
        var fromTime = new RecordBatchView([], new RecordBatchView.Reading("shardId-000000000000", ShardIteratorType.AT_TIMESTAMP, At)).ToString();

        Assert.StartsWith("No records on shardId-000000000000 from TRIM_HORIZON", fromOldest);
        Assert.Contains("put a record, then read again", fromOldest);
        Assert.DoesNotContain("LATEST", fromOldest);
        Assert.StartsWith("No records on shardId-000000000000 from LATEST", fromNewest);
        Assert.Contains("Read from TRIM_HORIZON", fromNewest);
        Assert.StartsWith("No records on shardId-000000000000 from AT_TIMESTAMP 2025-01-14 09:30:05 UTC", fromTime);
    }

    [Fact]
    public void The_crawler_summary_has_a_header_and_the_crawlers_name_in_its_first_row_in_text_and_html()
    {
        var view = new CrawlerView(new CrawlerInfo(new CrawlerDefinition("weather-data-crawler", "glue-role", "weather_db", "raw_", ["s3://lake/weather-data/"]), "READY", [], null));

        var lines = view.ToString().Split('\n');
        var html = view.ToHtml();

        Assert.Matches(@"^Property\s+Value$", lines[0]);
        Assert.Matches(@"^Crawler\s+weather-data-crawler$", lines[2]);
        Assert.Matches(@"<th[^>]*>Property</th><th[^>]*>Value</th>", html);
        Assert.Matches(@"<tbody><tr><td[^>]*>Crawler</td><td[^>]*>weather-data-crawler</td></tr>", html);
        Assert.DoesNotMatch(@"<th[^>]*></th>", html);
    }

    [Fact]
    public void A_table_fitted_to_a_width_wraps_its_prose_at_spaces_and_keeps_every_character()
    {
        var note = "The stream in the Kinesis console (its Data viewer shows records).";

        var text = TextTable.RenderToFit(["Key", "Value", "Description"], [["KinesisStreamName", "weather-analytics-stream-dev", note]], 70);

        var lines = text.TrimEnd('\n').Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= 70, l));
        Assert.Matches(@"^Key\s+Value\s+Description$", lines[0]);
        Assert.StartsWith("KinesisStreamName  weather-analytics-stream-dev  ", lines[2]);
        var descriptionColumn = lines[0].IndexOf("Description", StringComparison.Ordinal);
        Assert.True(lines.Length > 3, "the description should wrap onto a second line");
        Assert.Equal(note, string.Join(' ', lines.Skip(2).Select(l => l.Length > descriptionColumn ? l[descriptionColumn..].Trim() : "")));
    }

    [Fact]
    public void A_table_that_could_only_fit_by_breaking_words_shows_each_row_as_a_block_with_every_character()
    {
        var value = "https://us-east-1.console.aws.amazon.com/kinesis/home?region=us-east-1#/streams/details/weather-analytics-stream-dev/details";
        var note = "The stream in the Kinesis console (its Data viewer shows records).";

        var text = TextTable.RenderToFit(["Key", "Value", "Description"], [["KinesisStreamURL", value, note], ["KinesisStreamName", "weather-analytics-stream-dev", ""]], 50);

        var lines = text.TrimEnd('\n').Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= 50, l));
        Assert.Equal("Key          KinesisStreamURL", lines[0]);
        Assert.StartsWith("Value        https://", lines[1]);
        // Wrapped lines of a value sit under its first, beside no label; a blank line parts the rows.
        var valueLines = lines.Skip(1).TakeWhile(l => !l.StartsWith("Description", StringComparison.Ordinal)).Select(l => l[13..]);
        Assert.Equal(value, string.Concat(valueLines));
        var descriptionAt = Array.FindIndex(lines, l => l.StartsWith("Description", StringComparison.Ordinal));
        Assert.Equal(note, string.Join(' ', lines.Skip(descriptionAt).TakeWhile(l => l.Length > 0).Select(l => l[13..])));
        Assert.Contains("", lines);
        Assert.Equal(["Key          KinesisStreamName", "Value        weather-analytics-stream-dev", "Description"], lines[^3..]);
    }

    [Fact]
    public async Task A_bucket_tree_counts_objects_and_bytes_per_folder()
    {
        var store = new FakeListing(
            new ObjectInfo("weather-data/location=London/day=14/a.gz", 100, At, "", "STANDARD"),
            new ObjectInfo("weather-data/location=London/day=14/b.gz", 50, At, "", "STANDARD"),
            new ObjectInfo("weather-data/location=Leeds/day=14/c.gz", 10, At, "", "STANDARD_IA"));

        var view = await BucketTreeView.LoadAsync(store, "lake", "weather-data/");
        var text = view.ToString();

        Assert.Equal(3, view.ObjectCount);
        Assert.Equal(160, view.TotalBytes);
        Assert.Contains("location=London/  (2 objects, 150 B)", text);
        Assert.Contains("location=Leeds/  (1 object, 10 B)", text);
        // Time, size and storage class first, sizes lined up within a folder, then the full key.
        Assert.Contains("── 2025-01-14 09:30:05  10 B  STANDARD_IA  weather-data/location=Leeds/day=14/c.gz\n", text);
        Assert.Contains("── 2025-01-14 09:30:05  100 B  STANDARD  weather-data/location=London/day=14/a.gz\n", text);
        Assert.Contains("── 2025-01-14 09:30:05   50 B  STANDARD  weather-data/location=London/day=14/b.gz\n", text);
        Assert.Contains("<details", view.ToHtml());

        // A prefix no key begins with (a misspelt city, say) points one folder up, where the right name can be read.
        var misspelt = await BucketTreeView.LoadAsync(store, "lake", "weather-data/location=Londn/");
        Assert.Equal("s3://lake/weather-data/location=Londn/  (0 objects, 0 B)\n"
            + "  (no key begins with weather-data/location=Londn/; list weather-data/ to see what is there)\n", misspelt.ToString());
        Assert.Contains("<p>No key begins with weather-data/location=Londn/; list weather-data/ to see what is there.</p>", misspelt.ToHtml());
        var topLevel = await BucketTreeView.LoadAsync(store, "lake", "wether-data/");
        Assert.Contains("(no key begins with wether-data/; list the whole bucket to see what is there)", topLevel.ToString());
    }

    [Fact]
    public async Task A_folder_with_one_object_more_than_the_tree_lists_says_one_more_object()
    {
        var store = new FakeListing(Enumerable.Range(1, 4).Select(i => new ObjectInfo($"athena/{i}.csv", 10, At, "", "STANDARD")).ToArray());

        var view = await BucketTreeView.LoadAsync(store, "results", "");

        Assert.Contains("└── … and 1 more object\n", view.ToString());
        Assert.Contains("… and 1 more object</li>", view.ToHtml());
    }

    [Fact]
    public void Object_lines_are_numbered_with_the_total_count()
    {
        var content = StreamingWorkshop.Delivery.LocalDeliveryStream.Gzip(Encoding.UTF8.GetBytes("one\ntwo\nthree\n"));
        var view = new ObjectLinesView(new StoredObject(new ObjectInfo("x.gz", content.Length, At, "", "STANDARD"), content), maxLines: 2);

        Assert.Equal(3, view.TotalLines);
        Assert.Equal(["one", "two"], view.Lines);
        Assert.Contains("3 lines, first 2 shown", view.ToString());
    }

    [Fact]
    public void Log_events_mark_START_and_END_lines()
    {
        var view = new LogEventsView([new LogEvent(At, "START RequestId: r Version: $LATEST"), new LogEvent(At, "Sent {}"), new LogEvent(At, "END RequestId: r")]);

        Assert.Equal(2, view.ToHtml().Split("font-weight:bold").Length - 1);
        Assert.Contains("2025-01-14 09:30:05.000  START RequestId: r", view.ToString());
    }

    [Fact]
    public void Log_events_are_a_kit_table_whose_cells_carry_their_own_left_alignment_and_borders()
    {
        // Jupyter's stylesheet right-aligns an output's cells and drops their borders unless a cell's own style says otherwise.
        var view = new LogEventsView([new LogEvent(At, "START RequestId: r Version: $LATEST"), new LogEvent(At, "Sent {\"city\":\"London\"} to shardId-000000000000"), new LogEvent(At, "END RequestId: r")]);
        var table = HtmlTable.Render(["Timestamp (UTC)", "Message"], [["2025-01-14 09:30:05.000", "Sent {}"]]);

        var html = view.ToHtml();

        var cells = System.Text.RegularExpressions.Regex.Matches(html, "<t[hd] style=\"(?<style>[^\"]*)\"").Select(m => m.Groups["style"].Value).ToList();
        Assert.Equal(2 + 3 * 2, System.Text.RegularExpressions.Regex.Matches(html, "<t[hd][ >]").Count);
        Assert.Equal(8, cells.Count);
        Assert.All(cells, style => Assert.Contains("text-align:left", style));
        Assert.All(cells, style => Assert.Contains($"border:1px solid {HtmlTable.Border}", style));
        Assert.StartsWith(table[..table.IndexOf("</th>", StringComparison.Ordinal)], html); // the same table and header as every other
        Assert.Contains(table[table.IndexOf("<td", StringComparison.Ordinal)..table.IndexOf("\">", table.IndexOf("<td", StringComparison.Ordinal), StringComparison.Ordinal)], html);
    }

    private sealed class FakeListing(params ObjectInfo[] objects) : IObjectStore
    {
        public Task<ListObjectsResult> ListObjectsV2Async(ListObjectsRequest request, CancellationToken cancellationToken = default)
        {
            var matching = objects.Where(o => o.Key.StartsWith(request.Prefix ?? "", StringComparison.Ordinal)).ToArray();
            return Task.FromResult(new ListObjectsResult(matching, [], false, null, matching.Length));
        }

        public Task CreateBucketAsync(string bucket, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task DeleteBucketAsync(string bucket, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<ObjectInfo> PutObjectAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<StoredObject> GetObjectAsync(string bucket, string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task DeleteObjectAsync(string bucket, string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task PutBucketLifecycleAsync(string bucket, BucketLifecycle lifecycle, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<BucketLifecycle> GetBucketLifecycleAsync(string bucket, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
