using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using StreamingWorkshop;
using StreamingWorkshop.Aws;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Aws;

/// <summary>On AWS, deploying puts the Glue jobs' scripts into the stack's scripts bucket with S3 PutObject (here on s3rver), once CloudFormation is done.</summary>
public sealed class AwsScriptUploadTests(S3rverPeer s3rver) : IClassFixture<S3rverPeer>
{
    [Fact]
    public async Task A_deploy_with_nothing_to_update_still_puts_both_scripts_in_the_scripts_bucket()
    {
        var scriptsBucket = $"weather-scripts-{Guid.NewGuid().ToString("N")[..8]}";
        var endpoints = new Dictionary<string, string> { ["AWS_ENDPOINT_URL_S3"] = s3rver.Peer.Endpoint.ToString(), ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9" };
        var settings = AwsSettings.WithCredentials("us-east-1", new BasicAWSCredentials("S3RVER", "S3RVER"), name => endpoints.GetValueOrDefault(name));
        var service = new ModelBackedService();
        service.PassThrough("s3");
        var model = BotocoreModel.Load("cloudformation");
        var outputs = new JsonArray(new JsonObject { ["OutputKey"] = "ScriptsBucketName", ["OutputValue"] = scriptsBucket });
        service.AnswerXml("DescribeStacks", model.XmlSample("DescribeStacks", new JsonObject
        {
            ["Stacks"] = new JsonArray(new JsonObject { ["StackName"] = "stream", ["StackId"] = "arn:aws:cloudformation:us-east-1:123456789012:stack/stream/1", ["StackStatus"] = "CREATE_COMPLETE", ["CreationTime"] = 1764064800.0, ["Outputs"] = outputs }),
        }));
        service.AnswerXml("DescribeStackResources", model.XmlSample("DescribeStackResources", new JsonObject { ["StackResources"] = new JsonArray() }));
        service.AnswerXml("DescribeStackEvents", model.XmlSample("DescribeStackEvents", new JsonObject { ["StackEvents"] = new JsonArray() }));
        service.Answer("UpdateStack", _ => new HttpResponseMessage(HttpStatusCode.BadRequest)
        {
            Content = new StringContent("<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error><Type>Sender</Type><Code>ValidationError</Code>"
                                        + "<Message>No updates are to be performed.</Message></Error><RequestId>r-1</RequestId></ErrorResponse>", Encoding.UTF8, "text/xml"),
        });
        var workspace = Directory.CreateTempSubdirectory("aws-scripts-").FullName;
        try
        {
            await using var workshop = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { Backend = "aws", WorkspacePath = workspace, AwsSettings = settings, AwsTransport = service });
            await workshop.Lake.CreateBucketAsync(scriptsBucket);

            var state = await workshop.Stack.DeployAsync(parameters: new Dictionary<string, string> { ["WarehousePassword"] = "Workshop123" });

            Assert.Equal("CREATE_COMPLETE", state.StackStatus);
            Assert.Equal(["scripts/curate_batch.py", "scripts/curate_stream.py"],
                (await workshop.Lake.ListObjectsV2Async(new StreamingWorkshop.Lake.ListObjectsRequest(scriptsBucket))).Contents.Select(o => o.Key));
            var stream = Encoding.UTF8.GetString((await workshop.Lake.GetObjectAsync(scriptsBucket, "scripts/curate_stream.py")).Content.Span);
            Assert.Contains("CURATION_SQL = \"\"\"\nSELECT city,\n", stream);
            Assert.Contains("\nWINDOW_MINUTES = 5\n", stream);
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
        }
    }
}
