using System.Text.Json.Nodes;
using System.Web;
using StreamingWorkshop;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Aws;

/// <summary>
/// Deploying the workshop's stack again on AWS, as Task 1 asks: UpdateStack must keep the stack's parameter values, since
/// CloudFormation gives a parameter left out of the request its default, or refuses the update when it has none.
/// </summary>
public sealed class AwsStackUpdateTests(S3rverPeer s3rver) : IClassFixture<S3rverPeer>
{
    [Fact]
    public async Task A_second_deploy_keeps_every_parameter_and_says_nothing_was_to_be_updated()
    {
        var scriptsBucket = $"weather-scripts-{Guid.NewGuid().ToString("N")[..8]}";
        var aws = new CloudFormationFake(s3rver);
        aws.Describes(new JsonObject
        {
            ["StackName"] = "weather-analytics-dev", ["StackId"] = "arn:aws:cloudformation:us-east-1:123456789012:stack/weather-analytics-dev/1",
            ["StackStatus"] = "CREATE_COMPLETE", ["CreationTime"] = 1764064800.0,
            ["Parameters"] = new JsonArray(
                new JsonObject { ["ParameterKey"] = "ProjectName", ["ParameterValue"] = "my-weather" },
                new JsonObject { ["ParameterKey"] = "WarehousePassword", ["ParameterValue"] = "****" }),
            ["Outputs"] = new JsonArray(new JsonObject { ["OutputKey"] = "ScriptsBucketName", ["OutputValue"] = scriptsBucket }),
        });
        // CloudFormation's own rule: a parameter without a default needs a value or UsePreviousValue.
        aws.Service.Answer("UpdateStack", request => CloudFormationFake.ValidationError(MentionsParameter(request.Body, "WarehousePassword")
            ? "No updates are to be performed."
            : "Parameters: [WarehousePassword] must have values"));
        var workspace = Directory.CreateTempSubdirectory("aws-update-").FullName;
        try
        {
            await using var workshop = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { Backend = "aws", WorkspacePath = workspace, AwsSettings = aws.Settings, AwsTransport = aws.Service });
            await workshop.Lake.CreateBucketAsync(scriptsBucket);

            var state = await workshop.Stack.DeployAsync();

            Assert.Equal("CREATE_COMPLETE", state.StackStatus);
            Assert.Equal("No updates are to be performed.", state.StackStatusReason);
            var update = HttpUtility.ParseQueryString(aws.Service.Requests.Single(r => r.Operation == "UpdateStack").Body);
            var sent = Enumerable.Range(1, 10).Where(i => update[$"Parameters.member.{i}.ParameterKey"] is not null)
                .Select(i => (update[$"Parameters.member.{i}.ParameterKey"], update[$"Parameters.member.{i}.ParameterValue"], update[$"Parameters.member.{i}.UsePreviousValue"]))
                .OrderBy(p => p.Item1).ToList();
            // ProjectName left out would go back to its default and rename every resource of the stack.
            Assert.Equal([("ProjectName", null, "true"), ("WarehousePassword", null, "true")], sent);
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
        }
    }

    private static bool MentionsParameter(string body, string name)
    {
        var form = HttpUtility.ParseQueryString(body);
        return Enumerable.Range(1, 10).Any(i => form[$"Parameters.member.{i}.ParameterKey"] == name);
    }
}
