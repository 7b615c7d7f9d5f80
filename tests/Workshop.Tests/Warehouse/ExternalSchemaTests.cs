using StreamingWorkshop.Catalog;
using StreamingWorkshop.Warehouse;

namespace Workshop.Tests.Warehouse;

/// <summary>An external schema over a Glue database reads its tables over the lake's files, as Redshift Spectrum does.</summary>
public sealed class ExternalSchemaTests(LoadLakeFixture lake) : IClassFixture<LoadLakeFixture>
{
    private const string Role = LoadLakeFixture.Role;
    private const string Bucket = LoadLakeFixture.Bucket;

    private async Task CatalogueReadingsAsync(string database)
    {
        await lake.PutAsync($"{database}/readings/city=Oslo/a.json", "{\"temperature\":-3.5}\n{\"temperature\":-1.5}\n");
        await lake.PutAsync($"{database}/readings/city=Rome/a.json", "{\"temperature\":12.0}\n");
        var catalog = lake.Session.Local!.Catalog;
        catalog.CreateDatabase(database);
        catalog.CreateTable(new GlueTable
        {
            Name = "readings",
            DatabaseName = database,
            Columns = [new GlueColumn("temperature", "double")],
            PartitionKeys = [new GlueColumn("city", "string")],
            Location = $"s3://{Bucket}/{database}/readings/",
            SerdeLibrary = "org.openx.data.jsonserde.JsonSerDe",
            Parameters = new Dictionary<string, string> { ["classification"] = "json" },
        });
        catalog.BatchCreatePartition(database, "readings",
        [
            new GluePartition(["Oslo"], $"s3://{Bucket}/{database}/readings/city=Oslo/", DateTimeOffset.UnixEpoch),
            new GluePartition(["Rome"], $"s3://{Bucket}/{database}/readings/city=Rome/", DateTimeOffset.UnixEpoch),
        ]);
    }

    [Fact]
    public async Task A_catalog_table_is_queried_through_the_schema_and_shown_by_the_system_views()
    {
        await CatalogueReadingsAsync("spectrum_db");

        lake.Warehouse.Execute($"CREATE EXTERNAL SCHEMA lakeview FROM DATA CATALOG DATABASE 'spectrum_db' IAM_ROLE '{Role}' REGION 'eu-west-2'");

        Assert.Equal([["Oslo", 2L, -2.5], ["Rome", 1L, 12.0]], lake.Rows("SELECT city, count(*), avg(temperature) FROM lakeview.readings GROUP BY city ORDER BY city"));
        Assert.Equal([["lakeview", "spectrum_db", "{\"IAM_ROLE\":\"" + Role + "\",\"REGION\":\"eu-west-2\"}"]],
            lake.Rows("SELECT schemaname, databasename, esoptions FROM svv_external_schemas WHERE schemaname = 'lakeview'"));
        Assert.Equal([["lakeview", "readings", $"s3://{Bucket}/spectrum_db/readings/"]],
            lake.Rows("SELECT schemaname, tablename, location FROM svv_external_tables WHERE schemaname = 'lakeview'"));
        // Objects that arrive later are read by the next statement.
        await lake.PutAsync("spectrum_db/readings/city=Rome/b.json", "{\"temperature\":14.0}\n");
        Assert.Equal([[4L]], lake.Rows("SELECT count(*) FROM lakeview.readings"));
        // UNLOAD reads external tables too, here into JSON lines.
        lake.Warehouse.Execute($"UNLOAD ('SELECT city, temperature FROM lakeview.readings WHERE city = \\'Rome\\' ORDER BY temperature') TO 's3://{Bucket}/unload-json/' IAM_ROLE '{Role}' FORMAT JSON PARALLEL OFF");
        var written = await lake.Session.Local!.Lake.GetObjectAsync(Bucket, "unload-json/000");
        Assert.Equal("{\"city\":\"Rome\",\"temperature\":12.0}\n{\"city\":\"Rome\",\"temperature\":14.0}\n", System.Text.Encoding.UTF8.GetString(written.Content.Span));
    }

    [Fact]
    public async Task Rows_athena_saved_from_the_same_objects_answer_as_the_objects_do_until_the_lake_changes()
    {
        await CatalogueReadingsAsync("kept_db");
        var local = lake.Session.Local!;
        var glue = local.Catalog.GetTable("kept_db", "readings");
        string? Saved() => StreamingWorkshop.Query.LakeRowCache.SavedRowsOf(local.Workspace, local.Workspace.Resolve(StreamingWorkshop.Query.LakeRowCache.SavedFolder),
            "kept_db", "readings", glue, new StreamingWorkshop.Query.LakeTableScan(local.Catalog, local.Lake, local.Clock).PathPartitionedObjects(glue));
        Assert.Null(Saved());

        // A whole-table Athena query keeps the table's rows and saves them for the next engine. Rows of objects written
        // in the last two seconds are not trusted by their stamps; the engine's view of the system's clock is an hour on.
        local.Athena.FileClock = new StreamingWorkshop.Clock.VirtualClock(DateTimeOffset.UtcNow.AddHours(1));
        local.Athena.StartQueryExecution("SELECT count(*) FROM readings", "kept_db");
        Assert.NotNull(Saved());
        lake.Warehouse.Execute($"CREATE EXTERNAL SCHEMA keptview FROM DATA CATALOG DATABASE 'kept_db' IAM_ROLE '{Role}'");
        Assert.Equal([["Oslo", 2L, -2.5], ["Rome", 1L, 12.0]], lake.Rows("SELECT city, count(*), avg(temperature) FROM keptview.readings GROUP BY city ORDER BY city"));
        Assert.Equal([[-3.5, "Oslo"], [-1.5, "Oslo"], [12.0, "Rome"]], lake.Rows("SELECT temperature, city FROM keptview.readings"));

        // A new object makes the saved rows stale: Spectrum reads the objects, the new one with them.
        await lake.PutAsync("kept_db/readings/city=Rome/b.json", "{\"temperature\":14.0}\n");
        Assert.Null(Saved());
        Assert.Equal([["Oslo", 2L, -2.5], ["Rome", 2L, 13.0]], lake.Rows("SELECT city, count(*), avg(temperature) FROM keptview.readings GROUP BY city ORDER BY city"));
    }

    [Fact]
    public async Task Missing_glue_databases_and_tables_fail_with_redshifts_words_and_drop_schema_forgets_the_schema()
    {
        await CatalogueReadingsAsync("dropped_db");
        string Error(string sql) => Assert.Throws<RedshiftSqlException>(() => lake.Warehouse.Execute(sql)).Message;

        Assert.Equal("External database \"no_such_db\" does not exist in the data catalog. Run the crawler that makes it, or end the statement with CREATE EXTERNAL DATABASE IF NOT EXISTS.",
            Error($"CREATE EXTERNAL SCHEMA nowhere FROM DATA CATALOG DATABASE 'no_such_db' IAM_ROLE '{Role}'"));
        lake.Warehouse.Execute($"CREATE EXTERNAL SCHEMA fresh FROM DATA CATALOG DATABASE 'made_here' IAM_ROLE default CREATE EXTERNAL DATABASE IF NOT EXISTS");
        Assert.True(lake.Session.Local!.Catalog.DatabaseExists("made_here"));
        lake.Warehouse.Execute($"CREATE EXTERNAL SCHEMA gone FROM DATA CATALOG DATABASE 'dropped_db' IAM_ROLE '{Role}'");
        Assert.Equal("relation \"gone.no_table\" does not exist", Error("SELECT * FROM gone.no_table"));
        Assert.Equal("Schema \"gone\" already exists", Error($"CREATE EXTERNAL SCHEMA gone FROM DATA CATALOG DATABASE 'dropped_db' IAM_ROLE '{Role}'"));
        lake.Warehouse.Execute($"CREATE EXTERNAL SCHEMA IF NOT EXISTS gone FROM DATA CATALOG DATABASE 'dropped_db' IAM_ROLE '{Role}'");

        lake.Warehouse.Execute("DROP SCHEMA gone");

        Assert.Equal([[0L]], lake.Rows("SELECT count(*) FROM svv_external_schemas WHERE schemaname = 'gone'"));
        Assert.True(lake.Session.Local!.Catalog.TableExists("dropped_db", "readings"));
    }
}
