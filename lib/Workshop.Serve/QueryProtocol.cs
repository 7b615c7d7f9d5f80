using System.Collections.Specialized;
using System.Globalization;
using System.Web;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Serve;

/// <summary>
/// The query protocol that CloudFormation, CloudWatch and STS speak: a form-encoded body with Action=..., lists as
/// Name.member.N, and an XML answer in the service's namespace. Errors are
/// &lt;ErrorResponse&gt;&lt;Error&gt;&lt;Type/&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;/Error&gt;&lt;RequestId/&gt;&lt;/ErrorResponse&gt;, from which botocore
/// takes the exception's name.
/// </summary>
internal static class QueryProtocol
{
    /// <summary>
    /// Answers one query-protocol request: <paramref name="answer"/> gives the Result element's content (null for
    /// actions whose answer has none) or throws <see cref="QueryFault"/> or a service error.
    /// </summary>
    public static async Task HandleAsync(HttpContext context, byte[] body, XNamespace service, Func<QueryRequest, Task<IEnumerable<object?>?>> answer)
    {
        var form = HttpUtility.ParseQueryString(System.Text.Encoding.UTF8.GetString(body));
        foreach (var (key, value) in context.Request.Query)
            if (form[key] is null) form[key] = value.ToString();
        var request = new QueryRequest(form);
        try
        {
            var content = await answer(request);
            var response = new XElement($"{request.Action}Response",
                content is null ? null : new XElement($"{request.Action}Result", content),
                new XElement("ResponseMetadata", new XElement("RequestId", Guid.NewGuid())));
            await Wire.WriteAsync(context, 200, "text/xml", InNamespace(response, service).ToString());
        }
        catch (Exception error) when (Fault(error) is var (status, code))
        {
            await ErrorAsync(context, status, code, error.Message, service);
        }
    }

    /// <summary>
    /// The status and query error code of a refused request, or null for a failure that is not the request's fault. The
    /// kit's engines name a bad value ValidationException, as the JSON services do; the query services call it
    /// ValidationError.
    /// </summary>
    public static (int Status, string Code)? Fault(Exception error) => error switch
    {
        QueryFault fault => (fault.Status, fault.Code),
        ServiceException service => (StatusOf(service.ErrorCode), service is ValidationException || service.ErrorCode == "ValidationException" ? "ValidationError" : service.ErrorCode),
        ArgumentException or FormatException or InvalidOperationException or OverflowException => (400, "ValidationError"),
        _ => null,
    };

    /// <summary>
    /// The HTTP status the service's API model gives an error code: CloudWatch's ResourceNotFound (DeleteAlarms of a
    /// name that does not exist) is 404; every other error the kit's engines raise on these services is 400.
    /// </summary>
    private static int StatusOf(string errorCode) => errorCode == "ResourceNotFound" ? 404 : 400;

    public static Task ErrorAsync(HttpContext context, int status, string code, string message, XNamespace service) =>
        Wire.WriteAsync(context, status, "text/xml", Error(code, message, service));

    public static string Error(string code, string message, XNamespace service) =>
        InNamespace(new XElement("ErrorResponse",
            new XElement("Error", new XElement("Type", "Sender"), new XElement("Code", code), new XElement("Message", message)),
            new XElement("RequestId", Guid.NewGuid())), service).ToString();

    /// <summary>Times as the query services write them: ISO 8601 in UTC with milliseconds.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A list as the query protocol writes it: each item in a member element.</summary>
    public static XElement Members(string name, IEnumerable<object?> items) => new(name, items.Select(item => new XElement("member", item)));

    // The answers are built without a namespace and put into the service's in one pass.
    private static XElement InNamespace(XElement root, XNamespace service)
    {
        foreach (var element in root.DescendantsAndSelf()) element.Name = service + element.Name.LocalName;
        return root;
    }
}

/// <summary>A query-protocol error as the service names it, with its HTTP status.</summary>
internal sealed class QueryFault(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
}

/// <summary>The parameters of one query-protocol request.</summary>
internal sealed class QueryRequest(NameValueCollection form)
{
    public string Action => form["Action"] ?? "";

    public string? this[string name] => form[name] is { Length: > 0 } value ? value : null;

    /// <summary>A parameter the action cannot do without; its absence is the services' ValidationError.</summary>
    public string Required(string name) => this[name]
        ?? throw new QueryFault(400, "ValidationError", $"1 validation error detected: Value null at '{char.ToLowerInvariant(name[0])}{name[1..]}' failed to satisfy constraint: Member must not be null");

    public int RequiredInt(string name) => int.TryParse(Required(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
        ? value
        : throw new QueryFault(400, "ValidationError", $"{name} '{this[name]}' is not a whole number.");

    public double RequiredDouble(string name) => double.TryParse(Required(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
        ? value
        : throw new QueryFault(400, "ValidationError", $"{name} '{this[name]}' is not a number.");

    public DateTimeOffset RequiredTime(string name) =>
        DateTimeOffset.TryParse(Required(name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new QueryFault(400, "ValidationError", $"{name} '{this[name]}' is not a time; give it as ISO 8601, e.g. 2026-12-03T10:00:00Z.");

    /// <summary>The prefixes of a list's items (Name.member.1., Name.member.2., ...), in order.</summary>
    public IReadOnlyList<string> MemberPrefixes(string list)
    {
        var prefixes = new List<string>();
        for (var i = 1; ; i++)
        {
            var prefix = $"{list}.member.{i}";
            if (!form.AllKeys.Any(k => k is not null && (k == prefix || k.StartsWith(prefix + ".", StringComparison.Ordinal)))) return prefixes;
            prefixes.Add(prefix);
        }
    }

    /// <summary>A list of plain values (Name.member.N=value).</summary>
    public IReadOnlyList<string> Values(string list) => MemberPrefixes(list).Select(p => form[p]).OfType<string>().ToList();
}
