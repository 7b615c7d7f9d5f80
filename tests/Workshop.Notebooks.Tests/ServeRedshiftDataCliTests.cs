using System.Text.Json.Nodes;

namespace Workshop.Notebooks.Tests;

/// <summary>The warehouse reached with Debian's AWS CLI through `workshop serve`, as `aws redshift-data` reaches a cluster on AWS.</summary>
public sealed class ServeRedshiftDataCliTests : IDisposable
{
    private const string Cluster = "weather-analytics-warehouse-dev";
    private readonly string folder = Directory.CreateTempSubdirectory("workshop-serve-redshift-").FullName;
    private string Workspace => Path.Combine(folder, "ws");

    [Fact]
    public async Task The_aws_cli_runs_a_statement_on_the_stacks_cluster_describes_it_and_reads_its_result()
    {
        Assert.True(File.Exists(AwsCli.Program), "Debian's awscli is installed (test.sh installs it)");
        var deployed = Cli.Capture(folder, new Dictionary<string, string> { ["WORKSHOP_WORKSPACE"] = Workspace }, "deploy");
        Assert.True(deployed.Exit == 0, $"workshop deploy exited {deployed.Exit}: {deployed.Stderr}");
        await using var server = await ServeProcess.StartAsync(Workspace);
        var aws = new AwsCli(folder, server.Url);

        var started = aws.Json("redshift-data", "execute-statement", "--cluster-identifier", Cluster, "--database", "weather", "--db-user", "workshopadmin",
            "--sql", "SELECT 1 AS one, 'Leeds' AS city, 9.25::FLOAT8 AS temperature, NULL::VARCHAR AS note");
        var id = (string)started["Id"]!;
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id);
        Assert.Equal((Cluster, "weather", "workshopadmin"), ((string?)started["ClusterIdentifier"], (string?)started["Database"], (string?)started["DbUser"]));

        var described = aws.Json("redshift-data", "describe-statement", "--id", id);
        Assert.Equal((id, "FINISHED", true, 1L), ((string?)described["Id"], (string?)described["Status"], (bool?)described["HasResultSet"], (long?)described["ResultRows"]));
        Assert.Equal("SELECT 1 AS one, 'Leeds' AS city, 9.25::FLOAT8 AS temperature, NULL::VARCHAR AS note", (string?)described["QueryString"]);
        Assert.False(described.ContainsKey("Error"));

        var result = aws.Json("redshift-data", "get-statement-result", "--id", id);
        Assert.Equal("""[[{"longValue":1},{"stringValue":"Leeds"},{"doubleValue":9.25},{"isNull":true}]]""", result["Records"]!.ToJsonString());
        Assert.Equal(["one int4", "city varchar", "temperature float8", "note varchar"], result["ColumnMetadata"]!.AsArray().Select(c => $"{c!["name"]} {c["typeName"]}"));
        Assert.Equal(1, (int?)result["TotalNumRows"]);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
