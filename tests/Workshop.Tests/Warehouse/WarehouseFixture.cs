using StreamingWorkshop;
using StreamingWorkshop.Warehouse;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Warehouse;

/// <summary>One deployed local stack whose cluster a test class shares; each test uses tables of its own names.</summary>
public sealed class WarehouseFixture : IAsyncLifetime
{
    public TempWorkspace Temp { get; } = new();
    public WorkshopSession Session { get; private set; } = null!;
    public LocalWarehouse Engine => Session.Local!.Warehouse.Cluster("weather-analytics-warehouse-dev");
    public LocalWarehouseService Service => Session.Local!.Warehouse;
    public WarehouseTarget Target => new("weather-analytics-warehouse-dev", "weather", "admin");

    public async Task InitializeAsync()
    {
        Session = await StreamingWorkshop.Workshop.ConnectAsync(new WorkshopOptions { WorkspacePath = Temp.Root });
        await Session.EnsurePipelineAsync();
    }

    public async Task DisposeAsync()
    {
        await Session.DisposeAsync();
        Temp.Dispose();
    }

    /// <summary>The rows of a statement, each value as text the way a test writes it (null as NULL).</summary>
    public IReadOnlyList<string> Rows(string sql) =>
        Engine.Execute(sql).Rows.Select(r => string.Join(" | ", r.Select(v => v switch
        {
            null => "NULL",
            double d => d.ToString(System.Globalization.CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            byte[] bytes => "\\x" + Convert.ToHexString(bytes).ToLowerInvariant(),
            _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
        }))).ToList();

    public RedshiftSqlException Fails(string sql) => Assert.Throws<RedshiftSqlException>(() => Engine.Execute(sql));
}
