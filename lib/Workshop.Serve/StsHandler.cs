using System.Xml.Linq;
using Microsoft.AspNetCore.Http;

namespace StreamingWorkshop.Serve;

/// <summary>STS on the query protocol: GetCallerIdentity answers with the workspace's account, so scripts that check who they are run as they would on AWS.</summary>
internal sealed class StsHandler(string accountId)
{
    public static readonly XNamespace Namespace = "https://sts.amazonaws.com/doc/2011-06-15/";

    /// <summary>The one user the local endpoint knows.</summary>
    public const string UserName = "workshop-learner";

    public Task HandleAsync(HttpContext context, byte[] body) => QueryProtocol.HandleAsync(context, body, Namespace, request =>
        request.Action == "GetCallerIdentity"
            ? Task.FromResult<IEnumerable<object?>?>(
            [
                new XElement("Arn", $"arn:aws:iam::{accountId}:user/{UserName}"),
                new XElement("UserId", "AIDAWORKSHOPLEARNER"),
                new XElement("Account", accountId),
            ])
            : throw new QueryFault(400, "InvalidAction", $"STS action '{request.Action}' is not served by the local endpoint; it answers GetCallerIdentity only."));

    public static string Error(string code, string message) => QueryProtocol.Error(code, message, Namespace);
}
