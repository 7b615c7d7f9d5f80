using System.Formats.Cbor;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Serve;

/// <summary>
/// Kinesis over CBOR (application/x-amz-cbor-1.1), the Java SDK's default: requests built with System.Formats.Cbor
/// as the Kinesis API reference shapes them (Data a byte string, times CBOR tag 1 epoch milliseconds as the Java SDK
/// writes them, maps of indefinite length as its Jackson generator writes them), answers read back the same way.
/// </summary>
public sealed class LocalEndpointCborTests : LocalEndpointTest
{
    private const string Cbor = "application/x-amz-cbor-1.1";
    /// <summary>A request map; each value is a string, an int, bytes (a byte string) or a DateTimeOffset (tag 1, milliseconds).</summary>
    private static byte[] Request(params (string Key, object Value)[] members)
    {
        var writer = new CborWriter();
        writer.WriteStartMap(null);
        foreach (var (key, value) in members)
        {
            writer.WriteTextString(key);
            switch (value)
            {
                case string text: writer.WriteTextString(text); break;
                case int number: writer.WriteInt32(number); break;
                case byte[] bytes: writer.WriteByteString(bytes); break;
                case DateTimeOffset time: writer.WriteTag(CborTag.UnixTimeSeconds); writer.WriteInt64(time.ToUnixTimeMilliseconds()); break;
            }
        }
        writer.WriteEndMap();
        return writer.Encode();
    }

    private async Task<(HttpStatusCode Status, byte[] Body)> CallAsync(string operation, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(Cbor);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", $"Kinesis_20131202.{operation}");
        request.Headers.TryAddWithoutValidation("Authorization", Authorization("kinesis"));
        using var response = await Http.SendAsync(request);
        Assert.Equal(Cbor, response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync());
    }

    private async Task<CborReader> OkAsync(string operation, byte[] body)
    {
        var (status, answer) = await CallAsync(operation, body);
        Assert.True(status == HttpStatusCode.OK, $"{operation} answered {(int)status}: {Convert.ToHexString(answer)}");
        return new CborReader(answer);
    }

    /// <summary>Reads a map's members by name, each with <paramref name="readMember"/>.</summary>
    private static void ReadMap(CborReader reader, Action<string, CborReader> readMember)
    {
        reader.ReadStartMap();
        while (reader.PeekState() != CborReaderState.EndMap) readMember(reader.ReadTextString(), reader);
        reader.ReadEndMap();
    }

    [Fact]
    public async Task A_record_put_in_cbor_comes_back_with_its_bytes_and_arrival_time_in_cbor()
    {
        var created = await OkAsync("CreateStream", Request(("StreamName", "java-weather"), ("ShardCount", 1)));
        Assert.Equal(0, created.ReadStartMap());

        var putAt = Session.Clock.GetUtcNow();
        string? shardId = null, sequenceNumber = null;
        ReadMap(await OkAsync("PutRecord", Request(("StreamName", "java-weather"), ("Data", "Dublin 12C"u8.ToArray()), ("PartitionKey", "Dublin"))), (name, reader) =>
        {
            if (name == "ShardId") shardId = reader.ReadTextString();
            else if (name == "SequenceNumber") sequenceNumber = reader.ReadTextString();
            else reader.SkipValue();
        });
        Assert.Equal("shardId-000000000000", shardId);

        string? iterator = null;
        ReadMap(await OkAsync("GetShardIterator", Request(("StreamName", "java-weather"), ("ShardId", "shardId-000000000000"),
            ("ShardIteratorType", "AT_TIMESTAMP"), ("Timestamp", putAt.AddSeconds(-1)))), (name, reader) =>
        {
            if (name == "ShardIterator") iterator = reader.ReadTextString(); else reader.SkipValue();
        });
        Assert.NotNull(iterator);

        var records = new List<(byte[] Data, string PartitionKey, string SequenceNumber, CborTag Tag, long Arrival)>();
        ReadMap(await OkAsync("GetRecords", Request(("ShardIterator", iterator!), ("Limit", 10))), (name, reader) =>
        {
            if (name != "Records") { reader.SkipValue(); return; }
            var count = reader.ReadStartArray();
            for (var i = 0; i < count; i++)
            {
                byte[] data = []; string key = "", sequence = ""; CborTag tag = default; long arrival = 0;
                ReadMap(reader, (member, r) =>
                {
                    switch (member)
                    {
                        case "Data": data = r.ReadByteString(); break;
                        case "PartitionKey": key = r.ReadTextString(); break;
                        case "SequenceNumber": sequence = r.ReadTextString(); break;
                        case "ApproximateArrivalTimestamp": tag = r.ReadTag(); arrival = r.ReadInt64(); break;
                        default: r.SkipValue(); break;
                    }
                });
                records.Add((data, key, sequence, tag, arrival));
            }
            reader.ReadEndArray();
        });
        var record = Assert.Single(records);
        Assert.Equal("Dublin 12C", Encoding.UTF8.GetString(record.Data));
        Assert.Equal("Dublin", record.PartitionKey);
        Assert.Equal(sequenceNumber, record.SequenceNumber);
        Assert.Equal(CborTag.UnixTimeSeconds, record.Tag);
        Assert.Equal(putAt.ToUnixTimeMilliseconds(), record.Arrival);
    }

    [Fact]
    public async Task Errors_to_a_cbor_request_are_cbor_maps_with_type_and_message()
    {
        var (status, body) = await CallAsync("DescribeStreamSummary", Request(("StreamName", "no-such-stream")));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = new Dictionary<string, string>();
        ReadMap(new CborReader(body), (name, reader) => error[name] = reader.ReadTextString());
        Assert.Equal("ResourceNotFoundException", error["__type"]);
        Assert.Equal("Stream no-such-stream under account 123456789012 not found.", error["message"]);

        var (badStatus, badBody) = await CallAsync("ListStreams", [0xbf, 0x61]);
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        var bad = new Dictionary<string, string>();
        ReadMap(new CborReader(badBody), (name, reader) => bad[name] = reader.ReadTextString());
        Assert.Equal("SerializationException", bad["__type"]);
        Assert.StartsWith("The request body is not a CBOR map: ", bad["message"]);
    }
}
