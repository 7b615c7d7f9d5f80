using System.IO.Compression;
using System.Text;
using StreamingWorkshop;
using StreamingWorkshop.Warehouse;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Warehouse;

/// <summary>A small lake bucket and a cluster with one role attached, shared by the COPY, UNLOAD and external schema tests.</summary>
public sealed class LoadLakeFixture : IAsyncLifetime
{
    public const string Bucket = "load-test-lake";
    public const string Role = "arn:aws:iam::123456789012:role/warehouse-load-role";

    public TempWorkspace Temp { get; } = new();
    public WorkshopSession Session { get; private set; } = null!;
    public LocalWarehouse Warehouse { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = Temp.Root });
        await Session.Local!.Lake.CreateBucketAsync(Bucket);
        Warehouse = ClusterWith([Role]);
    }

    /// <summary>A cluster record of its own (the stack's may not have a role yet), in the same workspace and lake.</summary>
    public LocalWarehouse ClusterWith(IReadOnlyList<string> roles, string identifier = "load-test-cluster")
    {
        var local = Session.Local!;
        return new LocalWarehouse(local.Workspace, local.Clock, local.Lake, local.Catalog, local.Stream,
            new WarehouseCluster(identifier, "weather", "awsuser", roles, DefaultIamRole: roles.FirstOrDefault()));
    }

    public async Task PutAsync(string key, string text, bool gzip = false)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (gzip)
        {
            using var buffer = new MemoryStream();
            using (var zip = new GZipStream(buffer, CompressionLevel.Fastest)) zip.Write(bytes);
            bytes = buffer.ToArray();
        }
        await Session.Local!.Lake.PutObjectAsync(Bucket, key, bytes);
    }

    public Task PutBytesAsync(string key, byte[] bytes) => Session.Local!.Lake.PutObjectAsync(Bucket, key, bytes);

    public IReadOnlyList<object?[]> Rows(string sql) => Warehouse.Execute(sql).Rows;

    public async Task DisposeAsync()
    {
        await Session.DisposeAsync();
        Temp.Dispose();
    }
}
