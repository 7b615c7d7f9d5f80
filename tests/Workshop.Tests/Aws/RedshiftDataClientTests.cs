using System.Net;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using StreamingWorkshop.Aws;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Warehouse;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Aws;

/// <summary>The Redshift Data API client's polling and its errors, against answers shaped as the service sends them.</summary>
public sealed class RedshiftDataClientTests
{
    private static readonly WarehouseTarget Target = new("weather-analytics-warehouse-dev", "weather", "workshopadmin");

    private static (RedshiftDataClient Client, ModelBackedService Service, List<TimeSpan> Waits) Connect(Func<TimeSpan, CancellationToken, Task>? wait = null)
    {
        var service = new ModelBackedService();
        var settings = AwsSettings.WithCredentials("eu-west-1", new BasicAWSCredentials("AKIDREDSHIFTTEST01", "redshift-test-secret"));
        var transport = new AwsTransport(settings, AwsService.RedshiftData, service, new AwsRetryPolicy(1, TimeSpan.Zero, TimeSpan.Zero));
        var waits = new List<TimeSpan>();
        return (new RedshiftDataClient(new AwsJsonClient(transport), wait ?? ((pause, _) => { waits.Add(pause); return Task.CompletedTask; })), service, waits);
    }

    private static HttpResponseMessage Error(string type, string message) =>
        new(HttpStatusCode.BadRequest) { Content = new StringContent(new JsonObject { ["__type"] = type, ["message"] = message }.ToJsonString()) };

    private static HttpResponseMessage Described(string status, string? error = null)
    {
        var body = new JsonObject { ["Id"] = "s-1", ["Status"] = status, ["HasResultSet"] = false, ["CreatedAt"] = 1764064800.0, ["UpdatedAt"] = 1764064801.0 };
        if (error is not null) body["Error"] = error;
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body.ToJsonString()) };
    }

    // Too many running statements is the kit's limit error; the others the kit has no type for keep the service's name.
    public static TheoryData<string, Type, string> Errors => new()
    {
        { "ValidationException", typeof(ValidationException), "ValidationException" },
        { "ResourceNotFoundException", typeof(ResourceNotFoundException), "ResourceNotFoundException" },
        { "ActiveStatementsExceededException", typeof(LimitExceededException), "LimitExceededException" },
        { "ExecuteStatementException", typeof(ServiceException), "ExecuteStatementException" },
        { "BatchExecuteStatementException", typeof(ServiceException), "BatchExecuteStatementException" },
        { "InternalServerException", typeof(ServiceException), "InternalServerException" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task Each_error_of_the_service_is_raised_as_the_kits_exception_keeping_its_message(string code, Type expected, string errorCode)
    {
        var (client, service, _) = Connect();
        service.Answer("ExecuteStatement", _ => Error(code, "Cluster weather-analytics-warehouse-dev is paused."));

        var error = await Assert.ThrowsAnyAsync<ServiceException>(() => client.ExecuteStatementAsync(Target, "SELECT 1"));

        Assert.Equal(expected, error.GetType());
        Assert.Equal(("redshift-data", errorCode), (error.Service, error.ErrorCode));
        Assert.Equal("Cluster weather-analytics-warehouse-dev is paused. (ExecuteStatement)", error.Message);
    }

    [Fact]
    public async Task Running_a_statement_polls_until_it_ends_and_a_failed_one_raises_the_clusters_error()
    {
        var (client, service, waits) = Connect();
        service.AnswerJson("ExecuteStatement", new JsonObject { ["Id"] = "s-1" });
        var states = new Queue<HttpResponseMessage>([Described("SUBMITTED"), Described("STARTED"), Described("FAILED", "ERROR: relation \"readings\" does not exist")]);
        service.Answer("DescribeStatement", _ => states.Dequeue());
        var seen = new List<string>();

        var failure = await Assert.ThrowsAsync<WarehouseStatementException>(() => client.RunAsync(Target, "SELECT * FROM readings", new SynchronousProgress<StatementDescription>(d => seen.Add(d.Status))));

        Assert.Equal(("s-1", "FAILED", "ERROR: relation \"readings\" does not exist"), (failure.StatementId, failure.Status, failure.Message));
        Assert.Equal(["SUBMITTED", "STARTED", "FAILED"], seen);
        Assert.Equal([TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(300)], waits);
    }

    [Fact]
    public async Task Giving_up_on_a_running_statement_cancels_it_on_the_cluster()
    {
        using var giveUp = new CancellationTokenSource();
        var (client, service, _) = Connect((_, token) => { giveUp.Cancel(); return Task.FromCanceled(token); });
        service.AnswerJson("ExecuteStatement", new JsonObject { ["Id"] = "s-1" });
        service.Answer("DescribeStatement", _ => Described("STARTED"));
        service.AnswerJson("CancelStatement", new JsonObject { ["Status"] = true });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.RunAsync(Target, "SELECT 1", cancellationToken: giveUp.Token));

        Assert.Equal(["ExecuteStatement", "DescribeStatement", "CancelStatement"], service.Requests.Select(r => r.Operation));
        Assert.Equal("{\"Id\":\"s-1\"}", service.Requests[^1].Body);
    }
}
