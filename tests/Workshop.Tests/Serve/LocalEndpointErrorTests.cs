using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Serve;

/// <summary>
/// How the local endpoint answers what goes wrong, over HTTP: a parameter missing or of the wrong type is a
/// ValidationException that names it; a fault of the endpoint's own is an HTTP 500 in the protocol's shape, and the
/// next request is served as usual.
/// </summary>
public sealed class LocalEndpointErrorTests : LocalEndpointTest
{
    private async Task<(HttpStatusCode Status, string ContentType, string Body)> CallAsync(string target, string service, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint.Url) { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        if (target.Length > 0) request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        request.Headers.TryAddWithoutValidation("Authorization", Authorization(service));
        using var response = await Http.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType ?? "", await response.Content.ReadAsStringAsync());
    }

    private async Task AssertValidationErrorAsync(string target, string json, string message)
    {
        var (status, _, body) = await CallAsync(target, target.StartsWith("AWSGlue", StringComparison.Ordinal) ? "glue" : "athena", json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = JsonNode.Parse(body)!;
        Assert.Equal("ValidationException", (string?)error["__type"]);
        Assert.Equal(message, (string?)error["message"]);
    }

    [Fact]
    public async Task A_missing_parameter_is_named_in_a_validation_exception()
    {
        await AssertValidationErrorAsync("AWSGlue.GetTable", """{"DatabaseName":"weather_db"}""",
            "1 validation error detected: Value null at 'Name' failed to satisfy constraint: Member must not be null");
        await AssertValidationErrorAsync("AWSGlue.UpdateTable", """{"DatabaseName":"weather_db","TableInput":{"StorageDescriptor":{"Columns":[]}}}""",
            "1 validation error detected: Value null at 'TableInput.Name' failed to satisfy constraint: Member must not be null");
        await AssertValidationErrorAsync("AWSGlue.GetCrawler", "{}",
            "1 validation error detected: Value null at 'Name' failed to satisfy constraint: Member must not be null");
    }

    [Fact]
    public async Task A_parameter_of_the_wrong_type_is_named_in_a_validation_exception()
    {
        await AssertValidationErrorAsync("AmazonAthena.StartQueryExecution", """{"QueryString":42}""", "The parameter 'QueryString' must be a string.");
        await AssertValidationErrorAsync("AmazonAthena.GetQueryResults", """{"QueryExecutionId":"q","MaxResults":"ten"}""", "The parameter 'MaxResults' must be a whole number.");
        await AssertValidationErrorAsync("AWSGlue.CreateCrawler", """{"Name":"c","Role":"r","DatabaseName":"d","Targets":{"S3Targets":[{"Path":7}]}}""",
            "The parameter 'Targets.S3Targets[0].Path' must be a string.");
    }

    [Fact]
    public async Task A_fault_of_the_endpoint_is_an_internal_failure_and_the_next_request_is_served()
    {
        // A catalog file cut short (a disk filled up, say) makes reading the database fail inside the endpoint.
        var database = Path.Combine(Temp.Root, "catalog", "weather_db");
        Directory.CreateDirectory(database);
        File.WriteAllText(Path.Combine(database, "database.json"), "{\"Name\": \"weather_db\", \"Descri");

        var (status, contentType, body) = await CallAsync("AWSGlue.GetDatabase", "glue", """{"Name":"weather_db"}""");
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal("application/x-amz-json-1.1", contentType);
        var error = JsonNode.Parse(body)!;
        Assert.Equal("InternalFailure", (string?)error["__type"]);
        var message = (string?)error["message"] ?? "";
        Assert.StartsWith("The local endpoint failed on this request (WorkspaceFileDamagedException: '", message);
        Assert.Contains("database.json' is damaged: it does not hold the JSON the kit wrote", message);
        Assert.DoesNotContain('\n', message);

        var (xmlStatus, xmlType, xml) = await CallAsync("", "sts", "Action=GetCallerIdentity&Version=2011-06-15");
        Assert.Equal(HttpStatusCode.OK, xmlStatus);
        Assert.Equal("text/xml", xmlType);
        Assert.Contains("<Account>123456789012</Account>", xml);
    }

    [Fact]
    public async Task A_fault_of_the_endpoint_on_s3_is_an_internal_error_in_xml_and_the_next_request_is_served()
    {
        // An object put through the endpoint keeps its Content-Type in a file beside the lake; one cut short makes GetObject fail inside the endpoint.
        await Session.Lake.CreateBucketAsync("notes");
        using (var put = new HttpRequestMessage(HttpMethod.Put, new Uri(Endpoint.Url, "notes/today.txt")) { Content = new StringContent("Dublin 12C", Encoding.UTF8, "text/plain") })
        {
            put.Headers.TryAddWithoutValidation("Authorization", Authorization("s3"));
            using var answer = await Http.SendAsync(put);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }
        var sidecar = Assert.Single(Directory.GetFiles(Path.Combine(Temp.Root, "state", "lake-headers"), "*.json", SearchOption.AllDirectories));
        File.WriteAllText(sidecar, "{\"ContentType\": \"text/pl");

        using var get = new HttpRequestMessage(HttpMethod.Get, new Uri(Endpoint.Url, "notes/today.txt"));
        get.Headers.TryAddWithoutValidation("Authorization", Authorization("s3"));
        using var failed = await Http.SendAsync(get);
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        var xml = await failed.Content.ReadAsStringAsync();
        Assert.Contains("<Code>InternalError</Code>", xml);
        Assert.Contains("The local endpoint failed on this request (WorkspaceFileDamagedException: ", xml);
        Assert.Contains("is damaged: it does not hold the JSON the kit wrote", xml);

        var (status, _, body) = await CallAsync("", "sts", "Action=GetCallerIdentity&Version=2011-06-15");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<Account>123456789012</Account>", body);
    }
}
