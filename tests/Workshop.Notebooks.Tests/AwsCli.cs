using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// Debian's AWS CLI (/usr/bin/aws), and its python3 with boto3, pointed at a served endpoint as docs/serve.md tells
/// learners to: run in <c>folder</c> with HOME there and no AWS config or credentials file of the machine's, the keys
/// given (dummy ones unless a test needs its own), us-east-1, no pager. Each run returns exit code, stdout and stderr.
/// </summary>
internal sealed class AwsCli(string folder, string url, string accessKey = AwsCli.DummyAccessKey, string secret = AwsCli.DummySecret)
{
    public const string Program = "/usr/bin/aws";
    public const string Python = "/usr/bin/python3";
    public const string DummyAccessKey = "AKIDWORKSHOPTEST";
    public const string DummySecret = "workshop-test-secret";

    /// <summary>The endpoint, e.g. http://127.0.0.1:41234.</summary>
    public string Url => url;

    /// <summary>The same CLI signing with other keys.</summary>
    public AwsCli WithKeys(string otherAccessKey, string otherSecret) => new(folder, url, otherAccessKey, otherSecret);

    /// <summary>`aws ARGUMENTS --endpoint-url URL --output json`, however it ends.</summary>
    public (int Exit, string Stdout, string Stderr) Run(params string[] arguments) =>
        // Debian's AWS CLI predates AWS_ENDPOINT_URL, so the endpoint is given as an option, as docs/serve.md says.
        Cli.RunToEnd(Start(Program, [.. arguments, "--endpoint-url", url, "--output", "json"], new Dictionary<string, string>()));

    /// <summary>What `aws ARGUMENTS` prints, once it has exited 0 (line ends as on Linux).</summary>
    public string Text(params string[] arguments)
    {
        var (exit, stdout, stderr) = Run(arguments);
        Assert.True(exit == 0, $"aws {string.Join(' ', arguments)} exited {exit}: {stderr}");
        return stdout.Replace("\r", "", StringComparison.Ordinal);
    }

    /// <summary>The JSON answer of `aws ARGUMENTS`, once it has exited 0; an empty object when it printed nothing.</summary>
    public JsonObject Json(params string[] arguments)
    {
        var stdout = Text(arguments);
        return stdout.Trim().Length == 0 ? [] : JsonNode.Parse(stdout)!.AsObject();
    }

    /// <summary>python3 with <paramref name="arguments"/> (the endpoint's URL is not added: scripts take it as they need it), however it ends.</summary>
    public (int Exit, string Stdout, string Stderr) RunPython(string[] arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        Cli.RunToEnd(Start(Python, arguments, environment ?? new Dictionary<string, string>()));

    /// <summary>What `python3 -c SCRIPT URL` prints, once it has exited 0.</summary>
    public string PythonScript(string script)
    {
        var (exit, stdout, stderr) = RunPython(["-c", script, url]);
        Assert.True(exit == 0, $"python3 exited {exit}: {stderr}");
        return stdout;
    }

    private ProcessStartInfo Start(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        // Keys of the test's own and no profile of the machine's: without --strict the endpoint takes any well-formed signature.
        info.Environment["HOME"] = folder;
        info.Environment["AWS_CONFIG_FILE"] = Path.Combine(folder, "no-aws-config");
        info.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(folder, "no-aws-credentials");
        info.Environment["AWS_ACCESS_KEY_ID"] = accessKey;
        info.Environment["AWS_SECRET_ACCESS_KEY"] = secret;
        info.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        info.Environment["AWS_PAGER"] = "";
        info.Environment.Remove("AWS_PROFILE");
        info.Environment.Remove("AWS_SESSION_TOKEN");
        info.Environment.Remove("PYTHONPATH");
        foreach (var (key, value) in environment) info.Environment[key] = value;
        foreach (var a in arguments) info.ArgumentList.Add(a);
        return info;
    }
}
