using System.Text.Json.Nodes;
using StreamingWorkshop;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Aws;

/// <summary>On AWS, deploying puts the Glue jobs' scripts into the stack's scripts bucket with S3 PutObject (here on s3rver), once CloudFormation is done.</summary>
public sealed class AwsScriptUploadTests(S3rverPeer s3rver) : IClassFixture<S3rverPeer>
{
    [Fact]
    public async Task A_deploy_with_nothing_to_update_still_puts_both_scripts_in_the_scripts_bucket()
    {
        var scriptsBucket = $"weather-scripts-{Guid.NewGuid().ToString("N")[..8]}";
        var aws = new CloudFormationFake(s3rver);
        aws.Describes(new JsonObject
        {
            ["StackName"] = "stream", ["StackId"] = "arn:aws:cloudformation:us-east-1:123456789012:stack/stream/1", ["StackStatus"] = "CREATE_COMPLETE", ["CreationTime"] = 1764064800.0,
            ["Outputs"] = new JsonArray(new JsonObject { ["OutputKey"] = "ScriptsBucketName", ["OutputValue"] = scriptsBucket }),
        });
        aws.Service.Answer("UpdateStack", _ => CloudFormationFake.ValidationError("No updates are to be performed."));
        var workspace = Directory.CreateTempSubdirectory("aws-scripts-").FullName;
        try
        {
            await using var workshop = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { Backend = "aws", WorkspacePath = workspace, AwsSettings = aws.Settings, AwsTransport = aws.Service });
            await workshop.Lake.CreateBucketAsync(scriptsBucket);

            var state = await workshop.Stack.DeployAsync(parameters: new Dictionary<string, string> { ["WarehousePassword"] = "Workshop123" });

            Assert.Equal("CREATE_COMPLETE", state.StackStatus);
            Assert.Equal(["scripts/curate_batch.py", "scripts/curate_stream.py"],
                (await workshop.Lake.ListObjectsV2Async(new StreamingWorkshop.Lake.ListObjectsRequest(scriptsBucket))).Contents.Select(o => o.Key));
            var stream = System.Text.Encoding.UTF8.GetString((await workshop.Lake.GetObjectAsync(scriptsBucket, "scripts/curate_stream.py")).Content.Span);
            Assert.Contains("CURATION_SQL = \"\"\"\nSELECT city,\n", stream);
            Assert.Contains("\nWINDOW_MINUTES = 5\n", stream);
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
        }
    }
}
