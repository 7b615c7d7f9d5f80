using StreamingWorkshop.Query;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Query;

/// <summary>On an account with no database yet, Athena still lists the databases and makes one; anything else needs one.</summary>
public sealed class NoDatabaseYetTests : LocalSessionTest
{
    [Fact]
    public async Task Show_databases_and_create_database_run_without_a_database_to_run_in()
    {
        var local = Session.Local!;
        await local.Lake.CreateBucketAsync("results");
        using var athena = new LocalAthena(local.Workspace, local.Clock, local.Catalog, local.Lake, new AthenaSettings("not_made_yet", "results"));
        QueryExecution Run(string sql) => athena.GetQueryExecution(athena.StartQueryExecution(sql));

        Assert.Equal(QueryStates.Succeeded, Run("CREATE DATABASE first_db").State);
        Assert.Equal(QueryStates.Succeeded, Run("SHOW DATABASES").State);
        Assert.Contains(local.Catalog.GetDatabases(), d => d.Name == "first_db");
        var select = Run("SELECT 1");
        Assert.Equal(QueryStates.Failed, select.State);
        Assert.StartsWith("SCHEMA_NOT_FOUND: line 1:1: Schema 'not_made_yet' does not exist.", select.StateChangeReason);
    }
}
