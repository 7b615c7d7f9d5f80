using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using StreamingWorkshop;
using StreamingWorkshop.Aws;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Query;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Aws;

public sealed class AwsTransportTests
{
    private const string SecretKey = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYzz-SECRET";
    private const string SessionToken = "IQoJb3JpZ2luX2VjEXAMPLE-SESSION-TOKEN-zz";
    private const string AccessKey = "ASIAXAMPLEKEY1234567";

    private static AwsSettings Settings(Func<string, string?>? environment = null) =>
        AwsSettings.WithCredentials("us-west-2", new SessionAWSCredentials(AccessKey, SecretKey, SessionToken), environment);

    private static HttpResponseMessage Error(HttpStatusCode status, string type, string message) =>
        new(status) { Content = new StringContent(new JsonObject { ["__type"] = type, ["message"] = message }.ToJsonString()) };

    [Fact]
    public async Task Throttling_and_server_errors_are_retried_with_a_growing_jittered_wait_validation_errors_are_not()
    {
        var waits = new List<TimeSpan>();
        var policy = new AwsRetryPolicy(4, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), (wait, _) => { waits.Add(wait); return Task.CompletedTask; });
        var service = new ModelBackedService();
        var answers = new Queue<HttpResponseMessage>([
            Error(HttpStatusCode.InternalServerError, "InternalFailure", "try again"),
            Error(HttpStatusCode.BadRequest, "ProvisionedThroughputExceededException", "Rate exceeded for shard shardId-000000000000"),
            new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"ShardId\":\"shardId-000000000000\",\"SequenceNumber\":\"1\"}") },
        ]);
        service.Answer("PutRecord", _ => answers.Dequeue());
        using var kinesis = new AwsClients(Settings(), service, policy).Kinesis();

        var put = await kinesis.PutRecordAsync("weather", "{}"u8.ToArray(), "Dublin");

        Assert.Equal("1", put.SequenceNumber);
        Assert.Equal(3, service.Requests.Count);
        Assert.Equal(2, waits.Count);
        Assert.InRange(waits[0], TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
        Assert.InRange(waits[1], TimeSpan.Zero, TimeSpan.FromMilliseconds(200));
        // Each attempt is signed afresh by the SDK's handler.
        Assert.All(service.Requests, r => Assert.StartsWith("AWS4-HMAC-SHA256 Credential=", r.Authorization));

        service.Answer("DescribeStreamSummary", _ => Error(HttpStatusCode.BadRequest, "ValidationException", "1 validation error detected: Value 'bad name!' at 'streamName' failed to satisfy constraint"));
        var refused = await Assert.ThrowsAsync<ValidationException>(() => kinesis.DescribeStreamSummaryAsync("bad name!"));
        Assert.Contains("streamName", refused.Message);
        Assert.Equal(1, service.Requests.Count(r => r.Operation == "DescribeStreamSummary"));
        Assert.Equal(2, waits.Count);
    }

    [Fact]
    public void The_standard_backoff_grows_from_100_ms_and_never_waits_more_than_5_s()
    {
        // Full jitter: each wait is drawn between zero and the ceiling, so many draws show where the ceiling is.
        double Longest(int attempt) => Enumerable.Range(0, 2_000).Max(_ => AwsRetryPolicy.Standard.DelayBefore(attempt).TotalMilliseconds);

        Assert.InRange(Longest(1), 80, 100);       // 100 ms before the second attempt
        Assert.InRange(Longest(3), 320, 400);      // doubling each time
        Assert.InRange(Longest(7), 4_000, 5_000);  // 6.4 s uncapped: the cap of 5 s holds
        Assert.InRange(Longest(30), 4_000, 5_000); // and holds however far the attempts go
    }

    [Fact]
    public async Task Persistent_throttling_gives_up_after_the_last_attempt_with_the_services_error()
    {
        var policy = new AwsRetryPolicy(3, TimeSpan.Zero, TimeSpan.Zero, (_, _) => Task.CompletedTask);
        var service = new ModelBackedService();
        service.Answer("GetRecords", _ => Error(HttpStatusCode.BadRequest, "com.amazonaws.kinesis#ProvisionedThroughputExceededException", "Rate exceeded"));
        using var kinesis = new AwsClients(Settings(), service, policy).Kinesis();
        await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => kinesis.GetRecordsAsync("iterator"));
        Assert.Equal(3, service.Requests.Count);
    }

    [Fact]
    public void Endpoint_overrides_follow_the_SDK_variables()
    {
        var variables = new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL"] = "http://localhost:4566",
            ["AWS_ENDPOINT_URL_KINESIS"] = "http://127.0.0.1:4567",
        };
        var settings = Settings(name => variables.GetValueOrDefault(name));
        Assert.Equal("http://127.0.0.1:4567/", settings.Endpoint(AwsService.Kinesis).ToString());
        Assert.Equal("http://localhost:4566/", settings.Endpoint(AwsService.Athena).ToString());
        Assert.Equal("https://glue.us-west-2.amazonaws.com/", Settings().Endpoint(AwsService.Glue).ToString());
        Assert.Equal("https://logs.us-west-2.amazonaws.com/", Settings().Endpoint(AwsService.Logs).ToString());

        variables["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
        Assert.Equal("https://kinesis.us-west-2.amazonaws.com/", settings.Endpoint(AwsService.Kinesis).ToString());

        var wrong = Settings(name => name == "AWS_ENDPOINT_URL_GLUE" ? "localhost:4566" : null);
        var error = Assert.Throws<ArgumentException>(() => wrong.Endpoint(AwsService.Glue));
        Assert.Contains("'localhost:4566'", error.Message);
        Assert.Contains("AWS_ENDPOINT_URL_GLUE", error.Message);
    }

    [Fact]
    public async Task Credentials_never_reach_output_logs_or_exceptions()
    {
        var seen = new StringBuilder();
        // A service that echoes the request's secrets back in its error messages, the worst case.
        var service = new ModelBackedService();
        service.Answer("DescribeStreamSummary", r => Error(HttpStatusCode.BadRequest, "ResourceNotFoundException", $"not found; you sent {r.Authorization} {r.Headers.GetValueOrDefault("X-Amz-Security-Token")} {SecretKey}"));
        service.Answer("GetCallerIdentity", r => new HttpResponseMessage(HttpStatusCode.Forbidden)
        {
            Content = new StringContent($"<ErrorResponse><Error><Code>InvalidClientTokenId</Code><Message>The token {SessionToken} with key {AccessKey} and secret {SecretKey} is invalid</Message></Error></ErrorResponse>"),
        });
        var settings = Settings();
        using var kinesis = new AwsClients(settings, service, new AwsRetryPolicy(1, TimeSpan.Zero, TimeSpan.Zero)).Kinesis();

        var notFound = await Assert.ThrowsAsync<ResourceNotFoundException>(() => kinesis.DescribeStreamSummaryAsync("weather"));
        seen.AppendLine(notFound.Message).AppendLine(notFound.ToString());
        var doctor = await AwsDoctor.ReportAsync(settings, service);
        seen.AppendLine(doctor.Text);
        seen.AppendLine(settings.ToString());

        // A connection that fails outright.
        var closed = Settings(name => name == "AWS_ENDPOINT_URL" ? "http://127.0.0.1:9" : null);
        using var unreachable = new AwsClients(closed, retry: new AwsRetryPolicy(1, TimeSpan.Zero, TimeSpan.Zero)).Glue();
        var offline = await Assert.ThrowsAsync<AwsConnectionException>(() => unreachable.GetDatabaseAsync("weather_db"));
        seen.AppendLine(offline.ToString());

        // A session on AWS, as a notebook displays it.
        await using (var session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { Backend = "aws", WorkspacePath = Directory.CreateTempSubdirectory("aws-session-").FullName, AwsSettings = settings, AwsTransport = service }))
            seen.AppendLine(session.ToString());

        var output = seen.ToString();
        Assert.DoesNotContain(SecretKey, output);
        Assert.DoesNotContain(SessionToken, output);
        Assert.DoesNotContain(AccessKey, output);
        Assert.Contains("****************4567", output);
        Assert.Contains("InvalidClientTokenId", output);
        Assert.False(doctor.Healthy);
        // The signature never carries the secret itself; the session token travels only in its own header.
        Assert.All(service.Requests, r => Assert.DoesNotContain(SecretKey, r.Authorization + r.Body + string.Join(",", r.Headers.Values)));
    }

    [Fact]
    public async Task Doctor_shows_region_masked_key_identity_and_endpoint_overrides()
    {
        var service = new ModelBackedService();
        service.AnswerXml("GetCallerIdentity", "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account><Arn>arn:aws:sts::123456789012:assumed-role/Learner/alex</Arn><UserId>AROAEXAMPLE:alex</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>");
        var report = await AwsDoctor.ReportAsync(Settings(name => name == "AWS_ENDPOINT_URL_S3" ? "http://127.0.0.1:4568" : null), service);
        Assert.True(report.Healthy);
        Assert.Contains("us-west-2", report.Text);
        Assert.Contains("arn:aws:sts::123456789012:assumed-role/Learner/alex", report.Text);
        Assert.Contains("AWS_ENDPOINT_URL_S3 = http://127.0.0.1:4568", report.Text);
        Assert.DoesNotContain("AWS_ENDPOINT_URL_KINESIS", report.Text);
        Assert.Contains("temporary", report.Text);
        Assert.Equal("sts", service.Requests.Single().Service);
    }

    [Fact]
    public async Task The_producer_functions_answer_reads_as_the_local_producers_summary_and_a_failure_shows_its_log()
    {
        var service = new ModelBackedService();
        var answers = new Queue<HttpResponseMessage>([
            new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"statusCode\":200,\"body\":\"{\\\"processed\\\":2,\\\"failed_cities\\\":[\\\"Oslo\\\"]}\"}") },
            new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("{\"errorMessage\":\"No module named requests\",\"errorType\":\"Runtime.ImportModuleError\"}"),
                Headers = { { "X-Amz-Function-Error", "Unhandled" }, { "X-Amz-Log-Result", Convert.ToBase64String("START RequestId: 7\nERROR import failed\n"u8) } },
            },
        ]);
        service.Answer("Invoke", _ => answers.Dequeue());
        using var pipeline = new AwsPipeline(Settings(), service);

        var summary = await pipeline.InvokeProducerAsync("weather-producer");
        Assert.Equal(2, summary.Processed);
        Assert.Equal(["Oslo"], summary.FailedCities);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.InvokeProducerAsync("weather-producer"));
        Assert.Contains("Unhandled", failure.Message);
        Assert.Contains("ERROR import failed", failure.Message);
    }

    [Fact]
    public async Task Credentials_a_service_echoes_in_request_ids_messages_and_logs_never_reach_what_the_kit_shows()
    {
        // A token with the characters JSON and URLs escape, as real session tokens have them.
        const string Token = "IQoJb3JpZ2luX2Vj+EXAMPLE/token==";
        const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCY-SECRET";
        var settings = AwsSettings.WithCredentials("us-west-2", new SessionAWSCredentials(AccessKey, Secret, Token));
        var service = new ModelBackedService();
        // A JSON service error: the request id header and the message both carry the credentials.
        service.Answer("DescribeStreamSummary", _ => new HttpResponseMessage(HttpStatusCode.BadRequest)
        {
            Content = new StringContent(new JsonObject { ["__type"] = "ResourceNotFoundException", ["message"] = $"Stream weather not found (key {Secret})" }.ToJsonString()),
            Headers = { { "x-amzn-RequestId", $"r1-{Token}" }, { "x-amz-request-id", $"r1-{Secret}" } },
        });
        // A query-protocol error: the request id is in the XML, URL-encoded in the message.
        service.Answer("GetCallerIdentity", _ => new HttpResponseMessage(HttpStatusCode.Forbidden)
        {
            Content = new StringContent($"<ErrorResponse><Error><Code>ExpiredToken</Code><Message>Token {Uri.EscapeDataString(Token)} expired</Message></Error><RequestId>r2-{Token}</RequestId></ErrorResponse>"),
            Headers = { { "x-amzn-RequestId", $"r2-{Token}" } },
        });
        // A successful reply whose text carries them: a failed query's reason, JSON-escaped as System.Text.Json writes it.
        service.AnswerJson("StartQueryExecution", new JsonObject { ["QueryExecutionId"] = "q-1" });
        service.Answer("GetQueryExecution", _ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(new JsonObject
            {
                ["QueryExecution"] = new JsonObject
                {
                    ["QueryExecutionId"] = "q-1", ["Query"] = "SELECT 1", ["StatementType"] = "DML",
                    ["Status"] = new JsonObject { ["State"] = "FAILED", ["AthenaError"] = new JsonObject { ["ErrorCategory"] = 2, ["ErrorMessage"] = $"ACCESS_DENIED: session {Token} may not read s3://lake/" } },
                },
            }.ToJsonString()),
        });
        // A failed function: its request id, its payload and its base64 log tail carry them.
        service.Answer("Invoke", _ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent($"{{\"errorMessage\":\"bad secret {Secret}\",\"errorType\":\"Runtime.Error\"}}"),
            Headers = { { "X-Amz-Function-Error", "Unhandled" }, { "x-amzn-RequestId", $"r3-{Token}" }, { "X-Amz-Log-Result", Convert.ToBase64String(Encoding.UTF8.GetBytes($"START RequestId: r3-{Token}\nAWS_SESSION_TOKEN={Token}\n")) } },
        });
        var oneAttempt = new AwsRetryPolicy(1, TimeSpan.Zero, TimeSpan.Zero);
        var clients = new AwsClients(settings, service, oneAttempt);
        var seen = new StringBuilder();

        using (var kinesis = clients.Kinesis())
        {
            var notFound = await Assert.ThrowsAsync<ResourceNotFoundException>(() => kinesis.DescribeStreamSummaryAsync("weather"));
            seen.AppendLine(notFound.ToString());
            Assert.Contains("request id r1-****", notFound.Message);
        }
        var doctor = await AwsDoctor.ReportAsync(settings, service);
        seen.AppendLine(doctor.Text);
        Assert.Contains("ExpiredToken", doctor.Text);
        using (var athena = clients.Athena())
        {
            var denied = await Assert.ThrowsAsync<AthenaQueryException>(() => athena.RunAsync("SELECT 1", new AthenaSettings("weather_db", "weather-results")));
            seen.AppendLine(denied.ToString());
            Assert.Contains("session **** may not read", denied.Message);
        }
        using (var pipeline = new AwsPipeline(settings, service))
        {
            var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.InvokeProducerAsync("weather-producer"));
            seen.AppendLine(failed.ToString());
            Assert.Contains("START RequestId: r3-****", failed.Message);
        }

        var output = seen.ToString();
        foreach (var form in new[] { Token, Secret, Uri.EscapeDataString(Token), Uri.EscapeDataString(Secret), System.Text.Json.JsonSerializer.Serialize(Token)[1..^1], System.Text.Json.JsonSerializer.Serialize(Secret)[1..^1] })
            Assert.DoesNotContain(form, output);
        Assert.DoesNotContain("IQoJb3JpZ2luX2Vj", output);
        Assert.DoesNotContain("bPxRfiCY", output);
    }
}
