using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Stack;
using StreamingWorkshop.Storage;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Stack;

/// <summary>
/// The template's Python Lambda and the kit's own <see cref="WeatherProducer"/> behave alike: the same fields from the same
/// API answer, the city as partition key, and a failing city reported while the others are still sent. The handler runs under
/// Debian's python3 with a stand-in boto3 and a stand-in for the weather API.
/// </summary>
public sealed class ProducerParityTests : IDisposable
{
    private const string SystemPython = "/usr/bin/python3";
    private readonly string folder = Directory.CreateTempSubdirectory("producer-parity-").FullName;

    private static string Answer(double temperature) =>
        """{"latitude":51.5,"longitude":-0.12,"current_weather":{"time":"2025-01-14T10:15","interval":900,"temperature":TEMPERATURE,"windspeed":11.2,"winddirection":250,"is_day":1,"weathercode":3}}"""
            .Replace("TEMPERATURE", temperature.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private (List<(string Key, JsonElement Record)> Records, JsonElement Summary) RunPython()
    {
        var template = TemplateReader.Parse(File.ReadAllText(Path.Combine(Repository.Root, "templates", "workshop-stack.yaml")));
        var handler = template["Resources"]!["ProducerFunction"]!["Properties"]!["Code"]!["ZipFile"]!.GetValue<string>();
        File.WriteAllText(Path.Combine(folder, "index.py"), handler);
        Directory.CreateDirectory(Path.Combine(folder, "boto3"));
        File.WriteAllText(Path.Combine(folder, "boto3", "__init__.py"), """
            SENT = []
            class _Kinesis:
                def put_record(self, StreamName, Data, PartitionKey):
                    SENT.append({"stream": StreamName, "key": PartitionKey, "data": Data})
                    return {"ShardId": "shardId-000000000000", "SequenceNumber": str(len(SENT))}
            def client(name):
                return _Kinesis()
            """.Replace("\n            ", "\n"));
        File.WriteAllText(Path.Combine(folder, "run.py"), """
            import io, json, os, sys, urllib.request, urllib.error
            ANSWERS = {"51.5072": 4.3, "53.8": 7.5}
            def fake_urlopen(url, timeout=None):
                latitude = url.split("latitude=")[1].split("&")[0]
                if latitude not in ANSWERS:
                    raise urllib.error.URLError("no answer")
                body = {"current_weather": {"time": "2025-01-14T10:15", "interval": 900, "temperature": ANSWERS[latitude], "windspeed": 11.2, "weathercode": 3}}
                return io.BytesIO(json.dumps(body).encode())
            urllib.request.urlopen = fake_urlopen
            os.environ["STREAM_NAME"] = "weather"
            os.environ["CITIES"] = "London,Leeds:53.8:-1.55,Nowhere:0:0"
            import boto3, index
            result = index.handler({}, None)
            print(json.dumps({"sent": boto3.SENT, "result": json.loads(result["body"])}))
            """.Replace("\n            ", "\n"));
        var info = new ProcessStartInfo(SystemPython) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        info.ArgumentList.Add("run.py");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, errors);
        var json = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        var records = json.GetProperty("sent").EnumerateArray().Select(s => (s.GetProperty("key").GetString()!, JsonDocument.Parse(s.GetProperty("data").GetString()!).RootElement)).ToList();
        return (records, json.GetProperty("result"));
    }

    /// <summary>One invocation of the kit's own <see cref="WeatherProducer"/> onto a one-shard local stream, read back in order with partition keys.</summary>
    private async Task<(List<(string Key, JsonElement Record)> Records, ProducerSummary Summary)> RunCSharp()
    {
        var handler = new StubApi(request =>
        {
            var latitude = request.RequestUri!.Query.Split("latitude=")[1].Split('&')[0];
            return latitude switch
            {
                "51.5072" => Answer(4.3),
                "53.8" => Answer(7.5),
                _ => null,
            };
        });
        var source = new OpenMeteoWeatherSource(new HttpClient(handler), new Uri("http://127.0.0.1:1/"));
        var workspace = new WorkspaceDirectory(Path.Combine(folder, "workspace"));
        var clock = new VirtualClock(new DateTimeOffset(2025, 1, 14, 10, 15, 30, TimeSpan.Zero));
        using var stream = new LocalStreamService(workspace, clock);
        await stream.CreateStreamAsync("weather", 1);
        var producer = new WeatherProducer(source, stream, new ProducerLog(workspace, clock), clock,
            new ProducerOptions { StreamName = "weather", Cities = City.Resolve(["London", "Leeds:53.8:-1.55", "Nowhere:0:0"]) });

        var summary = await producer.InvokeAsync();

        var shard = (await stream.ListShardsAsync("weather")).Single().ShardId;
        var sent = await stream.GetRecordsAsync(await stream.GetShardIteratorAsync("weather", shard, ShardIteratorType.TRIM_HORIZON), 100);
        return (sent.Records.Select(r => (r.PartitionKey, JsonDocument.Parse(r.Data.ToArray()).RootElement)).ToList(), summary);
    }

    [Fact]
    public async Task The_Python_Lambda_and_the_CSharp_producer_send_the_same_records()
    {
        Assert.True(File.Exists(SystemPython), "Debian's python3 is needed for this test.");
        var (python, pythonSummary) = RunPython();
        var (csharp, csharpSummary) = await RunCSharp();

        // The same records in the same order, each with the city as its partition key.
        Assert.Equal(["London", "Leeds"], python.Select(p => p.Key));
        Assert.Equal(python.Select(p => p.Key), csharp.Select(c => c.Key));
        Assert.Equal(python.Select(p => p.Record.GetProperty("city").GetString()), python.Select(p => p.Key));
        Assert.Equal(csharp.Select(c => c.Record.GetProperty("city").GetString()), csharp.Select(c => c.Key));
        for (var i = 0; i < csharp.Count; i++)
        {
            var p = python[i].Record;
            var c = csharp[i].Record;
            Assert.Equal(Names(c), Names(p));
            foreach (var field in new[] { "city", "measurement_time", "source" })
                Assert.Equal(c.GetProperty(field).GetString(), p.GetProperty(field).GetString());
            foreach (var field in new[] { "temperature", "wind_speed", "weather_code" })
                Assert.Equal(c.GetProperty(field).GetDouble(), p.GetProperty(field).GetDouble());
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", p.GetProperty("collection_time").GetString());
            Assert.Equal("2025-01-14T10:15:30.000Z", c.GetProperty("collection_time").GetString()); // the producer's clock, in the same format
        }

        // Both report the same: two cities put, the one without an answer named as failed.
        Assert.Equal(2, pythonSummary.GetProperty("processed").GetInt32());
        Assert.Equal(pythonSummary.GetProperty("processed").GetInt32(), csharpSummary.Processed);
        Assert.Equal(["Nowhere"], pythonSummary.GetProperty("failed_cities").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["Nowhere"], csharpSummary.FailedCities);
    }

    [Fact]
    public void The_Python_Lambda_places_every_city_the_kit_knows_where_the_CSharp_producer_does()
    {
        Assert.True(File.Exists(SystemPython), "Debian's python3 is needed for this test.");
        var template = TemplateReader.Parse(File.ReadAllText(Path.Combine(Repository.Root, "templates", "workshop-stack.yaml")));
        File.WriteAllText(Path.Combine(folder, "index.py"), template["Resources"]!["ProducerFunction"]!["Properties"]!["Code"]!["ZipFile"]!.GetValue<string>());
        Directory.CreateDirectory(Path.Combine(folder, "boto3"));
        File.WriteAllText(Path.Combine(folder, "boto3", "__init__.py"), "def client(name):\n    return None\n");
        // Each name as a learner might type it in the Cities parameter: lower case, with spaces around.
        File.WriteAllText(Path.Combine(folder, "places.py"), """
            import json, sys, index
            print(json.dumps([index.place(" " + name.lower() + " ") for name in sys.argv[1:]]))
            """.Replace("\n            ", "\n"));
        var info = new ProcessStartInfo(SystemPython) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        info.ArgumentList.Add("places.py");
        foreach (var city in City.Known) info.ArgumentList.Add(city.Name);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, errors);

        var placed = JsonDocument.Parse(output).RootElement.EnumerateArray()
            .Select(p => (p[0].GetString()!, p[1].GetDouble(), p[2].GetDouble())).ToArray();
        Assert.Equal(18, placed.Length);
        Assert.Equal(City.Known.Select(c => (c.Name, c.Latitude, c.Longitude)), placed);
        Assert.Equal(City.Known.Select(c => c.Name), City.Resolve(City.Known.Select(c => " " + c.Name.ToLowerInvariant() + " ")).Select(c => c.Name));
    }

    private static string[] Names(JsonElement record) => record.EnumerateObject().Select(p => p.Name).ToArray();

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private sealed class StubApi(Func<HttpRequestMessage, string?> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer(request) is { } body
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") }
                : new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
    }
}
