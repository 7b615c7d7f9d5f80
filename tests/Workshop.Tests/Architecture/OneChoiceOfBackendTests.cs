using System.Text.RegularExpressions;
using StreamingWorkshop;
using StreamingWorkshop.Aws;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Query;
using StreamingWorkshop.Stack;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Architecture;

/// <summary>
/// The backend is chosen once, in Workshop.ConnectAsync; everything after that reaches a stage through its contract.
/// These tests read the sources so that a new branch on the backend fails the suite where it is written.
/// </summary>
public sealed class OneChoiceOfBackendTests
{
    private static readonly string ConnectingFile = Path.Combine("lib", "Workshop", "Workshop.cs");

    private static readonly (string What, Regex Pattern)[] BackendBranches =
    [
        ("a test of whether the session is on AWS", new Regex(@"\baws\s*(is\s+(not\s+)?null|[!=]=\s*null)|\baws\?\.|\baws!\.", RegexOptions.IgnoreCase)),
        ("a switch on the backend's name", new Regex(@"""(aws|local)""\s*(=>|:)|Equals\(\s*backend\b|\bbackend\s*(==|!=)", RegexOptions.IgnoreCase)),
        ("a read of which backend is chosen", new Regex(@"\.Backend\s*(\?\?|==|!=|switch)|GetEnvironmentVariable\(\s*""WORKSHOP_BACKEND""")),
        ("a branch on IsLocal", new Regex(@"\bIsLocal\s*[?)&|]|if\s*\(\s*!?\s*\w*\.?IsLocal\b")),
        // Using the local capability (`if (session.Local is { } local) local.Replay...`) is its contract; asking only whether it
        // is there, to act another way, is a backend branch.
        ("a test of whether the local engines are there", new Regex(@"\bLocal\s*(is\s+(not\s+)?null\b|[!=]=\s*null)")),
        ("a type test for one backend's implementation", new Regex(@"\b(is|as)\s+(not\s+)?(Local|Aws|S3)[A-Z]\w*")),
    ];

    /// <summary>Lines the patterns match that are not branches: each with why.</summary>
    private static readonly (string File, string Line, string Why)[] NotBranches =
    [
        (Path.Combine("lib", "Workshop", "WorkshopSession.cs"), "public bool IsLocal => Local is not null;",
            "defines IsLocal, which notebooks read to say which backend they are on"),
        (Path.Combine("lib", "Workshop", "PipelineStages.cs"), "[\"Local\", \"none: the local engines\", Local is null ? \"none on AWS\" : \"workshop.Local\"],",
            "the stages table says where the capability is reached, as it does for the schedule"),
    ];

    public static TheoryData<string> LibrarySources()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Repository.Root, "lib"), "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
                     .Select(f => Path.GetRelativePath(Repository.Root, f))
                     .Where(f => f != ConnectingFile)
                     .Order(StringComparer.Ordinal))
            data.Add(file);
        return data;
    }

    [Theory]
    [MemberData(nameof(LibrarySources))]
    public void No_source_outside_the_connecting_one_branches_on_the_backend(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(Repository.Root, file));
        var found = lines.Select((line, index) => (line, number: index + 1))
            .Where(l => !l.line.TrimStart().StartsWith("//", StringComparison.Ordinal) && !l.line.TrimStart().StartsWith("///", StringComparison.Ordinal))
            .Where(l => !NotBranches.Any(n => n.File == file && n.Line == l.line.Trim()))
            .SelectMany(l => BackendBranches.Where(b => b.Pattern.IsMatch(l.line)).Select(b => $"{file}:{l.number}: {b.What}: {l.line.Trim()}"))
            .ToList();
        Assert.True(found.Count == 0, "Reach the stage through its contract in PipelineStages instead:\n" + string.Join("\n", found));
    }

    [Fact]
    public void The_session_and_its_facades_know_no_backend_by_name()
    {
        var files = new[] { "WorkshopSession.cs", "Stack/StackFacade.cs", "Catalog/CatalogFacade.cs", "Query/AthenaFacade.cs", "Delivery/DeliveryFacade.cs", "Producer/ProducerFacade.cs" };
        foreach (var file in files)
        {
            var text = File.ReadAllText(Path.Combine(Repository.Root, "lib", "Workshop", file));
            Assert.DoesNotContain("StreamingWorkshop.Aws", text);
            Assert.DoesNotMatch(@"\bAws[A-Z]\w*|\bLocal(CloudFormation|GlueCatalog|Crawlers|Athena|FirehoseService|ObjectStore|StreamService)\b", text);
        }
    }

    [Fact]
    public void The_patterns_catch_the_branches_they_are_for()
    {
        string[] branches =
        [
            "if (aws is not null) return await aws.Glue.GetTableAsync(db, table);",
            "var stream = aws?.Stream ?? localStream;",
            "public bool IsLocal => aws is null;",
            "\"aws\" => OpenAws(options),",
            "if (!string.Equals(backend, \"local\", StringComparison.OrdinalIgnoreCase))",
            "var backend = options.Backend ?? \"local\";",
            "var backend = Environment.GetEnvironmentVariable(\"WORKSHOP_BACKEND\") ?? \"local\";",
            "if (session.IsLocal) Terminal.Show(events);",
            "return workshop.IsLocal ? \"virtual\" : \"real\";",
            "if (session.Local is not null) session.Clock.MoveBy(pause);",
            "if (Local == null) await Task.Delay(pause);",
            "var ending = (session.Stages.Warehouse as LocalWarehouseService)?.RunningTask(id);",
            "if (store is LocalObjectStore local)",
            "if (session.Stages.Stream is not AwsKinesisClient) return;",
            "if (lake is S3ObjectStore s3) s3.Dispose();",
        ];
        Assert.All(branches, line => Assert.Contains(BackendBranches, b => b.Pattern.IsMatch(line)));
        string[] notBranches =
        [
            "if (Stages.Schedule is { } schedule)",
            "if (session.Local is { } local) await local.ReplayAsync(day);",
            "var ending = session.Stages.Warehouse.RunningTask(id);",
            "// the stack is as Redshift's docs say, as S3's listing gives it",
            "var store = new LocalObjectStore(workspace);",
        ];
        Assert.All(notBranches, line => Assert.DoesNotContain(BackendBranches, b => b.Pattern.IsMatch(line)));
    }

    [Fact]
    public async Task A_pause_between_retries_moves_the_virtual_clock_locally_and_passes_real_time_on_AWS()
    {
        var workspace = Directory.CreateTempSubdirectory("one-choice-").FullName;
        try
        {
            await using (var local = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = workspace, Backend = "local" }))
            {
                var before = local.Clock.GetUtcNow();
                var wall = System.Diagnostics.Stopwatch.StartNew();
                await local.Stages.PauseAsync(TimeSpan.FromMinutes(5), CancellationToken.None);
                Assert.Equal(before.AddMinutes(5), local.Clock.GetUtcNow());
                Assert.True(wall.Elapsed < TimeSpan.FromMinutes(1), $"A local pause waited {wall.Elapsed} of real time.");
            }
            var settings = AwsSettings.WithCredentials("eu-west-2", new Amazon.Runtime.BasicAWSCredentials("AKIAEXAMPLE000000000", "secret-not-used-here"));
            await using var aws = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = workspace, Backend = "aws", AwsSettings = settings });
            var clockBefore = aws.Clock.GetUtcNow();
            var waited = System.Diagnostics.Stopwatch.StartNew();
            await aws.Stages.PauseAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None);
            // A throttled PutRecords on AWS must really wait before it is sent again; the workspace's clock is not AWS's.
            Assert.True(waited.Elapsed >= TimeSpan.FromMilliseconds(250), $"The pause on AWS passed in {waited.Elapsed.TotalMilliseconds} ms.");
            Assert.Equal(clockBefore, aws.Clock.GetUtcNow());
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
        }
    }

    [Fact]
    public async Task A_session_on_AWS_opens_without_credentials_and_the_doctor_says_they_are_missing()
    {
        var workspace = Directory.CreateTempSubdirectory("one-choice-").FullName;
        try
        {
            // As the default chain does on a machine with no credentials: it fails when first asked, listing every provider it tried.
            var settings = AwsSettings.WithCredentialSource("eu-west-2", () => throw new Amazon.Runtime.AmazonClientException(
                "Failed to resolve AWS credentials. The credential providers used to search for credentials returned the following errors:\n\n" +
                "Exception 1 of 2: The environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN were not set with AWS credentials.\n" +
                "Exception 2 of 2: Failed to connect to EC2 instance metadata to retrieve credentials."));
            await using var aws = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = workspace, Backend = "aws", AwsSettings = settings });
            var (text, healthy) = await aws.DoctorAsync();
            Assert.False(healthy);
            Assert.Contains("\nCredentials  none found: Failed to resolve AWS credentials. Run 'aws configure' or 'aws sso login', or set AWS_PROFILE.\nEndpoints ", text);
            Assert.StartsWith("Streaming workshop (AWS backend) — AWS region eu-west-2, stack stream", text);
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
        }
    }

    [Fact]
    public async Task Each_backend_gets_its_own_implementation_of_every_stage_from_the_one_choice()
    {
        var workspace = Directory.CreateTempSubdirectory("one-choice-").FullName;
        try
        {
            await using (var local = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = workspace, Backend = "local" }))
            {
                Assert.IsType<LocalStackService>(local.Stages.Stack);
                Assert.IsType<LocalCatalog>(local.Stages.Catalog);
                Assert.IsType<LocalQueryService>(local.Stages.Query);
                Assert.NotNull(local.Local);
                Assert.Null(local.Producer.Schedule);
                Assert.Same(local.Local!.Stream, local.Stream);
            }
            var settings = AwsSettings.WithCredentials("eu-west-2", new Amazon.Runtime.BasicAWSCredentials("AKIAEXAMPLE000000000", "secret-not-used-here"));
            await using var aws = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = workspace, Backend = "AWS", AwsSettings = settings });
            Assert.IsType<AwsStackService>(aws.Stages.Stack);
            Assert.IsType<AwsCatalog>(aws.Stages.Catalog);
            Assert.IsType<AwsQueryService>(aws.Stages.Query);
            Assert.Null(aws.Local);
            Assert.NotNull(aws.Producer.Schedule);
            Assert.Contains("eu-west-2", aws.ToString());
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
        }
    }
}
