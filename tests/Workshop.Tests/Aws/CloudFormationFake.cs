using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using StreamingWorkshop.Aws;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Aws;

/// <summary>
/// An AWS session whose CloudFormation calls are answered from botocore's model here and whose S3 calls go to s3rver: a stack
/// with no resources and no events yet, to be described with <see cref="Describes"/>.
/// </summary>
internal sealed class CloudFormationFake
{
    public CloudFormationFake(S3rverPeer s3rver)
    {
        var endpoints = new Dictionary<string, string> { ["AWS_ENDPOINT_URL_S3"] = s3rver.Peer.Endpoint.ToString(), ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9" };
        Settings = AwsSettings.WithCredentials("us-east-1", new BasicAWSCredentials("S3RVER", "S3RVER"), name => endpoints.GetValueOrDefault(name));
        Service.PassThrough("s3");
        Service.AnswerXml("DescribeStackResources", Model.XmlSample("DescribeStackResources", new JsonObject { ["StackResources"] = new JsonArray() }));
        Service.AnswerXml("DescribeStackEvents", Model.XmlSample("DescribeStackEvents", new JsonObject { ["StackEvents"] = new JsonArray() }));
    }

    public AwsSettings Settings { get; }
    public ModelBackedService Service { get; } = new();
    public BotocoreModel Model { get; } = BotocoreModel.Load("cloudformation");

    /// <summary>DescribeStacks answers with this one stack.</summary>
    public void Describes(JsonObject stack) => Service.AnswerXml("DescribeStacks", Model.XmlSample("DescribeStacks", new JsonObject { ["Stacks"] = new JsonArray(stack) }));

    /// <summary>CloudFormation's refusal of a request, as a ValidationError with <paramref name="message"/>.</summary>
    public static HttpResponseMessage ValidationError(string message) => new(HttpStatusCode.BadRequest)
    {
        Content = new StringContent("<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error><Type>Sender</Type><Code>ValidationError</Code>"
                                    + $"<Message>{message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>", Encoding.UTF8, "text/xml"),
    };
}
