using System.Web;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;

namespace StreamingWorkshop.Serve;

/// <summary>STS on the query protocol: GetCallerIdentity answers with the workspace's account, so scripts that check who they are run as they would on AWS.</summary>
internal sealed class StsHandler(string accountId)
{
    private static readonly XNamespace Sts = "https://sts.amazonaws.com/doc/2011-06-15/";

    /// <summary>The one user the local endpoint knows.</summary>
    public const string UserName = "workshop-learner";

    public async Task HandleAsync(HttpContext context, byte[] body)
    {
        var form = HttpUtility.ParseQueryString(System.Text.Encoding.UTF8.GetString(body));
        var action = form["Action"] ?? context.Request.Query["Action"].ToString();
        if (action != "GetCallerIdentity")
        {
            await Wire.XmlErrorAsync(context, 400, "InvalidAction",
                $"STS action '{action}' is not served by the local endpoint; it answers GetCallerIdentity only.");
            return;
        }
        var answer = new XElement(Sts + "GetCallerIdentityResponse",
            new XElement(Sts + "GetCallerIdentityResult",
                new XElement(Sts + "Arn", $"arn:aws:iam::{accountId}:user/{UserName}"),
                new XElement(Sts + "UserId", "AIDAWORKSHOPLEARNER"),
                new XElement(Sts + "Account", accountId)),
            new XElement(Sts + "ResponseMetadata", new XElement(Sts + "RequestId", Guid.NewGuid())));
        await Wire.WriteAsync(context, 200, "text/xml", answer.ToString());
    }

    public static string Error(string code, string message) =>
        new XElement(Sts + "ErrorResponse",
            new XElement(Sts + "Error", new XElement(Sts + "Type", "Sender"), new XElement(Sts + "Code", code), new XElement(Sts + "Message", message)),
            new XElement(Sts + "RequestId", Guid.NewGuid())).ToString();
}
