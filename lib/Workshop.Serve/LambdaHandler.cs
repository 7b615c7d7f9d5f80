using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using StreamingWorkshop.Producer;
using StreamingWorkshop.Stack;

namespace StreamingWorkshop.Serve;

/// <summary>
/// Lambda on REST-JSON (credential scope `lambda`), for the functions the workspace's stacks created: Invoke runs the
/// kit's producer with the function's STREAM_NAME and CITIES on the local stream and answers as the template's
/// Python function answers; GetFunction, GetFunctionConfiguration and ListFunctions describe the function as the
/// template states it. Any other function is ResourceNotFoundException, as on AWS.
/// </summary>
internal sealed partial class LambdaHandler(WorkshopSession session, string region = "us-east-1")
{
    private const string Json = "application/json";

    private LocalBackend Local => session.Local!;

    public async Task HandleAsync(HttpContext context, byte[] body)
    {
        var path = Uri.UnescapeDataString(context.Request.Path.Value ?? "");
        var method = context.Request.Method;
        var qualifier = context.Request.Query["Qualifier"].ToString();
        try
        {
            if (path.TrimEnd('/') == "/2015-03-31/functions" && method == "GET")
            {
                // A page of at most MaxItems (1 to 10,000; 50 when not given), in name order, after the Marker of the page before.
                var query = context.Request.Query;
                var maxItems = 50;
                if (query["MaxItems"].ToString() is { Length: > 0 } given && (!int.TryParse(given, NumberStyles.None, CultureInfo.InvariantCulture, out maxItems) || maxItems is < 1 or > 10_000))
                    throw new LambdaFault(400, "InvalidParameterValueException", $"MaxItems '{given}' is not valid: give a whole number from 1 to 10000.");
                var marker = query["Marker"].ToString();
                var (page, more) = NamedPages.After(Functions(), f => f.Resource.PhysicalResourceId, marker.Length == 0 ? null : marker, maxItems);
                var answer = new JsonObject { ["Functions"] = new JsonArray(page.Select(f => (JsonNode)Configuration(f.Stack, f.Resource)).ToArray()) };
                if (more) answer["NextMarker"] = page[^1].Resource.PhysicalResourceId;
                await Wire.WriteAsync(context, 200, Json, answer.ToJsonString());
                return;
            }
            var route = FunctionRoute().Match(path);
            switch (route.Success ? (method, route.Groups["rest"].Value) : ("", "unknown"))
            {
                case ("POST", "/invocations"):
                    if (body.Length > 0 && !IsJson(body, out var why))
                        throw new LambdaFault(400, "InvalidRequestContentException", $"Could not parse request body into json: {why} Send a JSON payload, such as {{}}.");
                    await InvokeAsync(context, Function(route.Groups["name"].Value, qualifier).Resource);
                    return;
                case ("GET", ""):
                {
                    var (stack, function) = Function(route.Groups["name"].Value, qualifier);
                    var answer = new JsonObject { ["Configuration"] = Configuration(stack, function), ["Code"] = new JsonObject { ["RepositoryType"] = "S3" } };
                    await Wire.WriteAsync(context, 200, Json, answer.ToJsonString());
                    return;
                }
                case ("GET", "/configuration"):
                {
                    var (stack, function) = Function(route.Groups["name"].Value, qualifier);
                    await Wire.WriteAsync(context, 200, Json, Configuration(stack, function).ToJsonString());
                    return;
                }
                default:
                    throw new LambdaFault(404, "UnknownOperationException",
                        $"{method} {path} is not served by the local endpoint; it serves Invoke, GetFunction, GetFunctionConfiguration and ListFunctions for the functions the workspace's stacks created.");
            }
        }
        catch (LambdaFault fault)
        {
            await ErrorAsync(context, fault.Status, fault.Code, fault.Message);
        }
    }

    /// <summary>A REST-JSON error: botocore reads the error's name from x-amzn-ErrorType and the message from the body.</summary>
    private static Task ErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.Headers["x-amzn-ErrorType"] = code;
        return Wire.WriteAsync(context, status, Json, new JsonObject { ["Type"] = "User", ["message"] = message }.ToJsonString());
    }

    private async Task InvokeAsync(HttpContext context, StackResource function)
    {
        var invocationType = context.Request.Headers["X-Amz-Invocation-Type"].ToString() is { Length: > 0 } given ? given : "RequestResponse";
        if (invocationType == "DryRun")
        {
            context.Response.StatusCode = 204;
            return;
        }
        if (invocationType is not ("RequestResponse" or "Event"))
            throw new LambdaFault(400, "InvalidParameterValueException", $"X-Amz-Invocation-Type '{invocationType}' is not one of RequestResponse, Event or DryRun.");
        context.Response.Headers["X-Amz-Executed-Version"] = "$LATEST";
        string payload;
        try
        {
            var summary = await ProducerFor(function).InvokeAsync(context.RequestAborted);
            Local.Clock.Save();
            // As the template's handler returns it: json.dumps of the summary (Python's separators) as the body.
            var failed = string.Join(", ", summary.FailedCities.Select(c => JsonSerializer.Serialize(c)));
            var time = summary.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);
            var result = $"{{\"processed\": {summary.Processed}, \"failed_cities\": [{failed}], \"time\": \"{time}\"}}";
            payload = new JsonObject { ["statusCode"] = 200, ["body"] = result }.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            if (context.Request.Headers["X-Amz-Log-Type"] == "Tail") context.Response.Headers["X-Amz-Log-Result"] = LogTail(function.PhysicalResourceId, summary.RequestId);
        }
        catch (Exception error) when (error is Errors.ServiceException or ArgumentException or InvalidOperationException or TimeoutException or IOException)
        {
            // The function failed: Lambda answers 200 with X-Amz-Function-Error, and the error as the payload.
            context.Response.Headers["X-Amz-Function-Error"] = "Unhandled";
            payload = new JsonObject { ["errorMessage"] = error.Message, ["errorType"] = error.GetType().Name }.ToJsonString();
        }
        if (invocationType == "Event")
        {
            context.Response.StatusCode = 202;
            return;
        }
        await Wire.WriteAsync(context, 200, Json, payload);
    }

    /// <summary>The invocation's own log lines, from START to REPORT, base64 encoded as Lambda sends the last 4 KB of them.</summary>
    private string LogTail(string functionName, string requestId)
    {
        var lines = Local.Logs.Tail(ProducerLog.GroupFor(functionName), 1_000).Select(e => e.Message).ToList();
        var start = lines.FindLastIndex(l => l.StartsWith("START RequestId: " + requestId, StringComparison.Ordinal));
        var text = string.Join('\n', start < 0 ? lines.TakeLast(8) : lines.Skip(start)) + "\n";
        var bytes = Encoding.UTF8.GetBytes(text);
        return Convert.ToBase64String(bytes.Length <= 4096 ? bytes : bytes[^4096..]);
    }

    private WeatherProducer ProducerFor(StackResource function)
    {
        var variables = function.Properties["Environment"]?["Variables"]?.AsObject();
        var streamName = variables?["STREAM_NAME"]?.ToString()
            ?? throw new LambdaFault(400, "InvalidParameterValueException", $"Function {function.PhysicalResourceId} has no STREAM_NAME variable, so the producer does not know its stream; give it one in the template.");
        var cities = City.Resolve(variables["CITIES"]?.ToString()?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? []);
        return Local.ProducerFor(streamName, cities, function.PhysicalResourceId);
    }

    /// <summary>The functions of every stack in the workspace.</summary>
    private IReadOnlyList<(StackState Stack, StackResource Resource)> Functions() => Local.Stacks.ResourcesOfType("AWS::Lambda::Function");

    /// <summary>A function named by name, ARN or partial ARN, with an optional qualifier.</summary>
    private (StackState Stack, StackResource Resource) Function(string nameOrArn, string queryQualifier)
    {
        var parts = nameOrArn.Split(':');
        var isArn = nameOrArn.StartsWith("arn:", StringComparison.Ordinal);
        var name = isArn ? parts.ElementAtOrDefault(6) ?? nameOrArn : parts[0];
        var found = Functions().FirstOrDefault(f => f.Resource.PhysicalResourceId == name);
        if (found.Resource is null) throw new LambdaFault(404, "ResourceNotFoundException", $"Function not found: {Arn(name)}");
        // The stacks' functions have one version, $LATEST, and no aliases: any other qualifier names nothing.
        var qualifier = (isArn ? parts.ElementAtOrDefault(7) : parts.ElementAtOrDefault(1)) ?? queryQualifier;
        if (qualifier is { Length: > 0 } and not "$LATEST")
            throw new LambdaFault(404, "ResourceNotFoundException", $"Function not found: {Arn(name)}:{qualifier}. The local function has one version, $LATEST, and no aliases; leave the qualifier out.");
        return found;
    }


    private static bool IsJson(byte[] body, out string why)
    {
        try
        {
            using var _ = JsonDocument.Parse(body);
            why = "";
            return true;
        }
        catch (JsonException error)
        {
            why = error.Message;
            return false;
        }
    }

    private string Arn(string functionName) => $"arn:aws:lambda:{region}:{session.Names.AccountId}:function:{functionName}";

    private JsonObject Configuration(StackState stack, StackResource function)
    {
        var p = function.Properties;
        var code = Encoding.UTF8.GetBytes(p["Code"]?["ZipFile"]?.ToString() ?? "");
        var lastModified = stack.Events.LastOrDefault(e => e.PhysicalResourceId == function.PhysicalResourceId && e.ResourceType == function.ResourceType)?.Timestamp ?? Local.Clock.GetUtcNow();
        var configuration = new JsonObject
        {
            ["FunctionName"] = function.PhysicalResourceId,
            ["FunctionArn"] = Arn(function.PhysicalResourceId),
            ["Runtime"] = p["Runtime"]?.ToString(),
            ["Role"] = p["Role"]?.ToString(),
            ["Handler"] = p["Handler"]?.ToString(),
            ["CodeSize"] = code.Length,
            ["Description"] = p["Description"]?.ToString() ?? "",
            ["Timeout"] = int.Parse(p["Timeout"]?.ToString() ?? "3", CultureInfo.InvariantCulture),
            ["MemorySize"] = int.Parse(p["MemorySize"]?.ToString() ?? "128", CultureInfo.InvariantCulture),
            ["LastModified"] = lastModified.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+0000'", CultureInfo.InvariantCulture),
            ["CodeSha256"] = Convert.ToBase64String(SHA256.HashData(code)),
            ["Version"] = "$LATEST",
            ["State"] = "Active",
            ["LastUpdateStatus"] = "Successful",
            ["PackageType"] = "Zip",
            ["Architectures"] = new JsonArray("x86_64"),
        };
        if (p["Environment"]?["Variables"] is JsonObject variables)
            configuration["Environment"] = new JsonObject { ["Variables"] = new JsonObject(variables.Select(v => KeyValuePair.Create(v.Key, (JsonNode?)v.Value?.ToString()))) };
        return configuration;
    }

    [GeneratedRegex("^/2015-03-31/functions/(?<name>[^/]+)(?<rest>/[a-z]+)?/?$")]
    private static partial Regex FunctionRoute();

    private sealed class LambdaFault(int status, string code, string message) : Exception(message)
    {
        public int Status { get; } = status;
        public string Code { get; } = code;
    }
}
