using StreamingWorkshop.Catalog;
using StreamingWorkshop.Clock;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Catalog;

/// <summary>
/// A catalog keeps each table it parsed while the table's file is unchanged. Two catalogs over one workspace stand for
/// two processes (a notebook and <c>workshop serve</c>): each sees the other's changes, however soon they come.
/// </summary>
public sealed class CatalogFileTests : IDisposable
{
    private readonly TempWorkspace temp = new();
    private readonly VirtualClock clock = new(new DateTimeOffset(2025, 1, 14, 0, 0, 0, TimeSpan.Zero));

    private static GlueTable Table(string temperatureType) => new()
    {
        Name = "readings",
        DatabaseName = "db",
        Columns = [new GlueColumn("city", "string"), new GlueColumn("temperature", temperatureType)],
        Location = "s3://lake/readings/",
    };

    private string TableFile => Path.Combine(temp.Root, "catalog", "db", "tables", "readings.json");

    // "bigint" is as long as "double": the file keeps its length.
    private void RetypeByHand(string from, string to) => File.WriteAllText(TableFile, File.ReadAllText(TableFile).Replace($"\"{from}\"", $"\"{to}\""));

    [Fact]
    public void A_change_of_the_same_length_is_seen_at_once_and_after_the_file_has_settled()
    {
        var notebook = new LocalGlueCatalog(temp.Workspace, clock);
        var server = new LocalGlueCatalog(temp.Workspace, clock);
        notebook.CreateDatabase("db");
        notebook.CreateTable(Table("double"));
        // Written too recently to be trusted by its time when read: a time ahead of the reads stands for it, however
        // long the test takes between them.
        var recent = DateTime.UtcNow.AddMinutes(1);
        File.SetLastWriteTimeUtc(TableFile, recent);
        Assert.Equal("double", notebook.GetTable("db", "readings").Columns[1].Type);

        // At once, in the same tick of the file system's clock: the last-write time stays as it was.
        RetypeByHand("double", "bigint");
        File.SetLastWriteTimeUtc(TableFile, recent);
        Assert.Equal("bigint", notebook.GetTable("db", "readings").Columns[1].Type);

        // Settled: the file was last written long ago, and the notebook has read it since.
        File.SetLastWriteTimeUtc(TableFile, DateTime.UtcNow.AddHours(-1));
        Assert.Equal("bigint", notebook.GetTable("db", "readings").Columns[1].Type);
        RetypeByHand("bigint", "double");
        Assert.Equal("double", notebook.GetTable("db", "readings").Columns[1].Type);

        // Another catalog's change through the API.
        server.UpdateTable(Table("bigint"));
        Assert.Equal("bigint", notebook.GetTable("db", "readings").Columns[1].Type);
    }

    public void Dispose() => temp.Dispose();
}
