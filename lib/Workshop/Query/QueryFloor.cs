using System.Diagnostics;
using DuckDB.NET.Data;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Query;

/// <summary>
/// A query with nothing around it: the same SQL on a warm DuckDB engine with Athena's settings, each table a view
/// straight over a given list of files with the table's declared types. No catalog, listing, history or result
/// files, so its time is the floor the kit's own query time is measured against.
/// </summary>
public sealed class QueryFloor : IDisposable
{
    private readonly DuckDBConnection engine;
    private readonly TimeProvider clock;
    private readonly OpenedFiles openedFiles = new();

    public QueryFloor(WorkspaceDirectory workspace, TimeProvider clock)
    {
        this.clock = clock;
        engine = LocalAthena.OpenSandboxedEngine([workspace.EnsureFolder("lake")], LocalAthena.SpillFolder(workspace), TrinoFunctions.EngineSetup, openedFiles);
        Execute("CREATE SCHEMA IF NOT EXISTS floor_tables");
        Execute("USE awsdatacatalog.floor_tables");
    }

    /// <summary>Makes <paramref name="table"/> readable by its name, over exactly <paramref name="files"/>.</summary>
    public void Define(GlueTable table, IReadOnlyList<string> files) =>
        Execute($"CREATE OR REPLACE VIEW {LocalAthena.Quote(table.Name)} AS {LakeTableScan.SqlOver(table, files)}");

    /// <summary>Defines a view as Athena SQL over the tables defined so far (a catalog view, for example).</summary>
    public void DefineView(string name, string athenaSql) =>
        Execute($"CREATE OR REPLACE VIEW {LocalAthena.Quote(name)} AS {AthenaSql.Translate(athenaSql, clock.GetUtcNow())}");

    /// <summary>Runs the query, reading every value of every row, and returns the rows read and the time it took.</summary>
    public (int Rows, TimeSpan Time) Run(string athenaSql)
    {
        // The engine logs every file it opens, as the kit's does; the list is emptied first, as the kit empties it.
        openedFiles.Clear();
        var watch = Stopwatch.StartNew();
        using var command = engine.CreateCommand();
        command.CommandText = AthenaSql.Translate(athenaSql.Trim().TrimEnd(';'), clock.GetUtcNow());
        using var reader = command.ExecuteReader();
        var rows = 0;
        var values = new object?[reader.FieldCount];
        while (reader.Read())
        {
            for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows++;
        }
        return (rows, watch.Elapsed);
    }

    private void Execute(string sql)
    {
        using var command = engine.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose() => engine.Dispose();
}
