using System.Text.Json.Nodes;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Stack;

/// <summary>The template's warehouse on the local backend: the cluster is its database file, and its role is the one the cluster accepts.</summary>
public sealed class WarehouseClusterStackTests : LocalSessionTest
{
    private const string Cluster = "weather-analytics-warehouse-dev";

    [Fact]
    public async Task The_clusters_endpoint_is_its_database_file_and_its_role_is_the_one_it_accepts_for_IAM_ROLE()
    {
        await Session.EnsurePipelineAsync();
        var stack = await Session.DescribeStackAsync();
        var file = Path.Combine(Temp.Root, "warehouse", Cluster + ".duckdb");
        const string role = "arn:aws:iam::123456789012:role/weather-analytics-warehouse-role-dev";

        Assert.Equal($"{file}:5439", stack.Output("WarehouseEndpoint"));
        Assert.Equal($"DataSource={file};ACCESS_MODE=READ_ONLY", stack.Output("WarehouseConnectionString"));
        Assert.Equal((Cluster, "weather", "workshopadmin", role), (stack.Output("WarehouseClusterIdentifier"), stack.Output("WarehouseDatabase"), stack.Output("WarehouseUser"), stack.Output("WarehouseRoleArn")));
        Assert.Equal(role, Assert.Single(Assert.Single(Session.Local!.Warehouse.Clusters()).IamRoles));
        Assert.Equal($"{file} (the cluster's database file) · workshop warehouse tables", Session.Stages.Stack.OutputHints(stack)["RedshiftClusterURL"]);
        Assert.DoesNotContain(stack.Outputs, o => o.OutputValue.Contains(".invalid", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_role_grants_the_lake_the_catalog_and_the_stream_and_no_more()
    {
        await Session.EnsurePipelineAsync();
        var role = (await Session.DescribeStackAsync()).Resources.Single(r => r.LogicalResourceId == "WarehouseRole");
        var statements = role.Properties["Policies"]!.AsArray().SelectMany(p => p!["PolicyDocument"]!["Statement"]!.AsArray())
            .Select(s => $"{string.Join(",", s!["Action"]!.AsArray().Select(a => (string)a!))} on {string.Join(" ", s["Resource"] is JsonArray many ? many.Select(r => (string)r!) : [(string)s["Resource"]!])}");

        const string lake = "arn:aws:s3:::weather-analytics-data-lake-dev-123456789012";
        const string glue = "arn:aws:glue:us-east-1:123456789012";
        Assert.Equal([
            $"s3:GetObject on {lake}/*",
            $"s3:ListBucket,s3:GetBucketLocation on {lake}",
            $"s3:PutObject,s3:DeleteObject on {lake}/warehouse-unload/*",
            $"glue:GetDatabase,glue:GetDatabases,glue:GetTable,glue:GetTables,glue:GetPartition,glue:GetPartitions on {glue}:catalog {glue}:database/weather-analytics_dev_db {glue}:table/weather-analytics_dev_db/*",
            "kinesis:DescribeStreamSummary,kinesis:DescribeStream,kinesis:GetShardIterator,kinesis:GetRecords,kinesis:ListShards on arn:aws:kinesis:us-east-1:123456789012:stream/weather-analytics-stream-dev",
            "kinesis:ListStreams on *",
        ], statements);
        Assert.Equal("redshift.amazonaws.com", (string)role.Properties["AssumeRolePolicyDocument"]!["Statement"]![0]!["Principal"]!["Service"]!);
    }

    [Fact]
    public async Task An_update_keeps_the_clusters_data_which_the_connection_string_opens_read_only_and_deleting_the_stack_deletes_it()
    {
        static string Template(int port) => $$"""
            Resources:
              Warehouse:
                Type: AWS::Redshift::Cluster
                Properties: { ClusterIdentifier: small-warehouse, ClusterType: single-node, NodeType: ra3.large, DBName: weather, MasterUsername: admin, MasterUserPassword: Secret123, Port: {{port}} }
            """;
        var stacks = Session.Local!.Stacks;
        Assert.Equal("CREATE_COMPLETE", (await stacks.DeployAsync("small", Template(5439))).StackStatus);
        Session.Local.Warehouse.Cluster("small-warehouse").Execute("CREATE TABLE readings AS SELECT 'Leeds' AS city");

        var updated = await stacks.DeployAsync("small", Template(5440));
        Assert.Equal("UPDATE_COMPLETE", updated.StackStatus);
        var file = Path.Combine(Temp.Root, "warehouse", "small-warehouse.duckdb");
        var connectionString = updated.Output("WarehouseConnectionString") ?? "";
        Assert.Equal($"DataSource={file};ACCESS_MODE=READ_ONLY", connectionString);
        using (var reader = new DuckDB.NET.Data.DuckDBConnection(connectionString))
        {
            reader.Open();
            using var query = reader.CreateCommand();
            query.CommandText = "SELECT city FROM public.readings";
            Assert.Equal("Leeds", query.ExecuteScalar());
            query.CommandText = "CREATE TABLE public.written (a INT)";
            Assert.Contains("read-only", Assert.ThrowsAny<Exception>(() => query.ExecuteNonQuery()).Message);
        }
        var cluster = Assert.Single(stacks.DescribeStack("small").Resources);
        Assert.Equal($"{file}:5440", $"{cluster.Attributes["Endpoint.Address"]}:{cluster.Attributes["Endpoint.Port"]}");

        await stacks.DeleteAsync("small");
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task A_cluster_identifier_that_Redshift_refuses_fails_the_stack_naming_it()
    {
        var state = await Session.Local!.Stacks.DeployAsync("bad-cluster", """
            Resources:
              Warehouse:
                Type: AWS::Redshift::Cluster
                Properties: { ClusterIdentifier: "Weather--Warehouse", ClusterType: single-node, NodeType: ra3.large, DBName: weather, MasterUsername: admin, MasterUserPassword: Secret123 }
            """);

        Assert.Equal("ROLLBACK_COMPLETE", state.StackStatus);
        Assert.Equal("Warehouse: ClusterIdentifier 'Weather--Warehouse' is not a cluster identifier; use 1 to 63 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen.",
            state.Events.Single(e => e.ResourceStatus == "CREATE_FAILED").ResourceStatusReason);
    }
}
