using System.Formats.Cbor;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace StreamingWorkshop.Serve;

/// <summary>
/// Kinesis over CBOR (application/x-amz-cbor-1.1), which the Java SDK sends by default: the same requests and answers
/// as JSON 1.1, with record Data as a CBOR byte string and times as CBOR tag 1 (epoch time). The Java SDK writes and
/// reads tag 1 as epoch milliseconds, so answers carry milliseconds; requests may carry either.
/// </summary>
internal static class KinesisCbor
{
    public const string ContentType = "application/x-amz-cbor-1.1";

    /// <summary>The members that are blobs (base64 text in JSON) and timestamps (epoch seconds in JSON) in the operations served.</summary>
    private static readonly HashSet<string> BlobMembers = ["Data"];
    private static readonly HashSet<string> TimestampMembers = ["ApproximateArrivalTimestamp", "StreamCreationTimestamp", "Timestamp"];

    /// <summary>Epoch times above this are milliseconds (in seconds it would be the year 5138).</summary>
    private const double LargestEpochSeconds = 100_000_000_000;

    public static bool IsCbor(HttpRequest request) => request.ContentType?.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The request as the JSON the handlers read: byte strings become base64 text, tagged times epoch seconds.</summary>
    public static JsonObject Decode(byte[] body)
    {
        if (body.Length == 0) return [];
        var reader = new CborReader(body, CborConformanceMode.Lax);
        var value = Read(reader) as JsonObject ?? throw new CborContentException("The request body is not a CBOR map.");
        if (reader.BytesRemaining > 0) throw new CborContentException($"{reader.BytesRemaining} byte(s) follow the request's CBOR map.");
        return value;
    }

    private static JsonNode? Read(CborReader reader)
    {
        switch (reader.PeekState())
        {
            case CborReaderState.StartMap:
                var map = new JsonObject();
                reader.ReadStartMap();
                while (reader.PeekState() != CborReaderState.EndMap) map[reader.ReadTextString()] = Read(reader);
                reader.ReadEndMap();
                return map;
            case CborReaderState.StartArray:
                var array = new JsonArray();
                reader.ReadStartArray();
                while (reader.PeekState() != CborReaderState.EndArray) array.Add(Read(reader));
                reader.ReadEndArray();
                return array;
            case CborReaderState.Tag:
                var tag = reader.ReadTag();
                var tagged = Read(reader);
                if (tag != CborTag.UnixTimeSeconds) return tagged;
                var epoch = tagged is JsonValue number && number.GetValueKind() == JsonValueKind.Number
                    ? double.Parse(number.ToJsonString(), CultureInfo.InvariantCulture)
                    : throw new CborContentException("A tag 1 time is not a number.");
                return epoch > LargestEpochSeconds ? epoch / 1000 : epoch;
            case CborReaderState.ByteString or CborReaderState.StartIndefiniteLengthByteString:
                return Convert.ToBase64String(reader.ReadByteString());
            case CborReaderState.TextString or CborReaderState.StartIndefiniteLengthTextString:
                return reader.ReadTextString();
            case CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger:
                var integer = reader.ReadInt64();
                // The handlers read counts and limits as int, as the JSON parser gives them.
                return integer is >= int.MinValue and <= int.MaxValue ? JsonValue.Create((int)integer) : JsonValue.Create(integer);
            case CborReaderState.HalfPrecisionFloat or CborReaderState.SinglePrecisionFloat or CborReaderState.DoublePrecisionFloat:
                return reader.ReadDouble();
            case CborReaderState.Boolean:
                return reader.ReadBoolean();
            case CborReaderState.Null:
                reader.ReadNull();
                return null;
            case CborReaderState.SimpleValue:
                reader.ReadSimpleValue(); // undefined, as null
                return null;
            default:
                throw new CborContentException($"Unexpected CBOR item {reader.PeekState()}.");
        }
    }

    /// <summary>An answer (or an error's __type and message) in CBOR: Data as a byte string, times as tag 1 epoch milliseconds.</summary>
    public static byte[] Encode(JsonObject answer)
    {
        var writer = new CborWriter(CborConformanceMode.Lax);
        Write(writer, answer, member: null);
        return writer.Encode();
    }

    private static void Write(CborWriter writer, JsonNode? node, string? member)
    {
        switch (node)
        {
            case null:
                writer.WriteNull();
                break;
            case JsonObject map:
                writer.WriteStartMap(map.Count);
                foreach (var (key, value) in map)
                {
                    writer.WriteTextString(key);
                    Write(writer, value, key);
                }
                writer.WriteEndMap();
                break;
            case JsonArray array:
                writer.WriteStartArray(array.Count);
                foreach (var item in array) Write(writer, item, member);
                writer.WriteEndArray();
                break;
            case JsonValue value when member is not null && BlobMembers.Contains(member) && value.TryGetValue<string>(out var base64):
                writer.WriteByteString(Convert.FromBase64String(base64));
                break;
            case JsonValue value when member is not null && TimestampMembers.Contains(member) && value.GetValueKind() == JsonValueKind.Number:
                writer.WriteTag(CborTag.UnixTimeSeconds);
                writer.WriteInt64((long)Math.Round(double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture) * 1000));
                break;
            case JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                writer.WriteBoolean(value.GetValueKind() == JsonValueKind.True);
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.Number:
                // Read back from the number's JSON text, whatever .NET type the handler built it from.
                var text = value.ToJsonString();
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole)) writer.WriteInt64(whole);
                else writer.WriteDouble(double.Parse(text, CultureInfo.InvariantCulture));
                break;
            case JsonValue value:
                writer.WriteTextString(value.GetValue<string>());
                break;
        }
    }
}
