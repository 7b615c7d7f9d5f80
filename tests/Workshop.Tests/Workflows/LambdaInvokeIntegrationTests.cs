using System.Text.Json.Nodes;
using StreamingWorkshop.Workflows;
using StreamingWorkshop.Workflows.Asl;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Workflows;

/// <summary>lambda:invoke on the local backend: the stack's producer function, answered as the integration answers.</summary>
public sealed class LambdaInvokeIntegrationTests : LocalSessionTest
{
    private TaskRequest Invoke(string functionName) =>
        new(LocalTaskIntegrations.LambdaInvoke, new JsonObject { ["FunctionName"] = functionName, ["Payload"] = new JsonObject { ["source"] = "tests" } },
            Session.Local!.Clock.GetUtcNow(), "arn:aws:states:us-east-1:123456789012:execution:tests:run", "Produce", "Produce/0");

    [Fact]
    public async Task Invoking_the_producer_answers_its_payload_with_status_200_and_puts_one_reading_per_city()
    {
        await Session.DeployAsync();

        var outcome = Assert.IsType<TaskOutcome.Succeeded>(await Session.Local!.Workflows.Integrations.StartAsync(Invoke(Session.Names.ProducerFunction)));
        var body = JsonNode.Parse((string)outcome.Output!["Payload"]!["body"]!)!;

        Assert.Equal(["ExecutedVersion", "Payload", "StatusCode"], outcome.Output!.AsObject().Select(p => p.Key));
        Assert.Equal("$LATEST", (string?)outcome.Output!["ExecutedVersion"]);
        Assert.Equal(200, (int?)outcome.Output!["StatusCode"]);
        Assert.Equal(200, (int?)outcome.Output!["Payload"]!["statusCode"]);
        Assert.Equal(3, (int?)body["processed"]);
        Assert.Empty(body["failed_cities"]!.AsArray());
        Assert.Equal(Session.Local!.Clock.GetUtcNow(), outcome.At);
    }

    [Fact]
    public async Task An_unknown_function_is_Lambdas_ResourceNotFoundException()
    {
        await Session.DeployAsync();

        var outcome = Assert.IsType<TaskOutcome.Failed>(await Session.Local!.Workflows.Integrations.StartAsync(Invoke("no-such-function")));

        Assert.Equal("Lambda.ResourceNotFoundException", outcome.Error);
        Assert.StartsWith("Function not found: arn:aws:lambda:us-east-1:123456789012:function:no-such-function", outcome.Cause);
    }
}
