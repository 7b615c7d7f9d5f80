using System.Data.Common;
using DuckDB.NET.Data;
using StreamingWorkshop.Broker;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Query;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Warehouse;

/// <summary>
/// A cluster the stack made: its identifier, database, admin user, the roles attached to it (the ARNs COPY, UNLOAD and
/// external schemas may name) and the one of them set as default, which <c>IAM_ROLE default</c> means. CloudFormation
/// cannot set a default role, so a stack's cluster has none, on AWS as here.
/// </summary>
public sealed record WarehouseCluster(string Identifier, string Database, string MasterUsername, IReadOnlyList<string> IamRoles, string Port = "5439", string? DefaultIamRole = null)
{
    /// <summary>The role a statement's IAM_ROLE names, checked as Redshift checks it before reading or writing anything.</summary>
    public string ResolveRole(string written, string region, string accountId)
    {
        if (written.Equals("default", StringComparison.OrdinalIgnoreCase))
            return DefaultIamRole ?? throw new RedshiftSqlException(
                $"Default IAM role is not set for cluster {Identifier}. Name an attached role instead: IAM_ROLE '{IamRoles.FirstOrDefault() ?? "arn:aws:iam::ACCOUNT:role/NAME"}'.");
        // A chain of roles ('arn1,arn2') starts with the cluster's own role.
        var role = written.Trim('\'').Split(',')[0].Trim();
        if (!IamRoles.Contains(role, StringComparer.Ordinal))
            throw new RedshiftSqlException(
                $"User arn:aws:redshift:{region}:{accountId}:dbuser:{Identifier}/{MasterUsername} is not authorized to assume IAM Role {role}. " +
                $"Use a role attached to the cluster: {string.Join(", ", IamRoles.DefaultIfEmpty("none is attached"))}.");
        return role;
    }
}

/// <summary>What one statement did: its result set (if it has one) and how many rows it changed.</summary>
public sealed record WarehouseOutcome(IReadOnlyList<WarehouseColumn> Columns, IReadOnlyList<object?[]> Rows, long RowsAffected, bool HasResultSet)
{
    public static WarehouseOutcome Changed(long rows) => new([], [], rows, false);

    public static WarehouseOutcome Done { get; } = new([], [], 0, false);
}

/// <summary>
/// A Redshift cluster on the local backend: one DuckDB database file in the workspace (warehouse/CLUSTER.duckdb), opened
/// for each statement in a sandbox that reaches only the warehouse's folder and the lake, so two processes (a notebook and
/// <c>workshop serve</c>) can take turns on it. Statements arrive in Redshift's dialect: COPY, UNLOAD, external schemas and
/// materialized views are the warehouse's own; everything else is translated by <see cref="RedshiftSql"/> and run by DuckDB.
/// </summary>
public sealed partial class LocalWarehouse
{
    private readonly WorkspaceDirectory workspace;
    private readonly TimeProvider clock;
    private readonly LocalObjectStore lake;
    private readonly LocalGlueCatalog catalog;
    private readonly LocalStreamService streams;

    public LocalWarehouse(WorkspaceDirectory workspace, TimeProvider clock, LocalObjectStore lake, LocalGlueCatalog catalog, LocalStreamService streams, WarehouseCluster cluster)
    {
        this.workspace = workspace;
        this.clock = clock;
        this.lake = lake;
        this.catalog = catalog;
        this.streams = streams;
        Cluster = cluster;
    }

    public WarehouseCluster Cluster { get; }

    /// <summary>The schema of the cluster's file that holds Redshift's system tables and views, and the warehouse's own bookkeeping.</summary>
    public const string SystemSchema = "pg_internal";

    /// <summary>The cluster's database file.</summary>
    public string DatabaseFile => workspace.Resolve("warehouse", Cluster.Identifier + ".duckdb");

    /// <summary>
    /// The engine one cluster's statements run on in this process: an in-memory DuckDB set up once (the sandbox, Redshift's
    /// functions), to which each statement attaches the cluster's file and from which it detaches it afterwards, so another
    /// process (a notebook beside workshop serve) can take its turn between statements. Setting up a fresh engine for
    /// every statement, and closing it, took two fifths of the warehouse notebook's statements' time.
    /// </summary>
    internal sealed class ClusterEngine
    {
        public SemaphoreSlim Turn { get; } = new(1, 1);

        public DuckDBConnection? Connection { get; set; }

        /// <summary>Whether the system views are made on this engine's connection.</summary>
        public bool HasSystemViews { get; set; }

        public void Discard()
        {
            Connection?.Dispose();
            Connection = null;
            HasSystemViews = false;
        }
    }

    // The engines of the clusters used last: a test run touches hundreds of workspaces, a notebook one.
    private const int EnginesKept = 2;
    private static readonly List<(string Key, ClusterEngine Engine)> Engines = [];

    private static ClusterEngine EngineFor(string key)
    {
        lock (Engines)
        {
            var index = Engines.FindIndex(e => e.Key == key);
            var engine = index >= 0 ? Engines[index].Engine : new ClusterEngine();
            if (index >= 0) Engines.RemoveAt(index);
            Engines.Insert(0, (key, engine));
            // An engine in use stays open: the statement on it will find it gone from the list and it is closed then.
            for (var i = Engines.Count - 1; i >= EnginesKept; i--)
            {
                var evicted = Engines[i].Engine;
                Engines.RemoveAt(i);
                if (!evicted.Turn.Wait(0)) continue;
                evicted.Discard();
                evicted.Turn.Release();
            }
            return engine;
        }
    }

    private static bool IsKept(ClusterEngine engine)
    {
        lock (Engines) return Engines.Any(e => ReferenceEquals(e.Engine, engine));
    }

    /// <summary>The cluster's file attached to its engine for one statement or batch; disposing it detaches the file.</summary>
    internal sealed class AttachedCluster(ClusterEngine engine, string name) : IDisposable
    {
        public DuckDBConnection Connection { get; } = engine.Connection!;

        public void Dispose()
        {
            try
            {
                // The engine is kept only as a fresh one would be: without the statement's temporary objects.
                if (!IsKept(engine) || LeftTemporaryObjects(Connection)) engine.Discard();
                else
                {
                    Run(Connection, $"DROP TABLE IF EXISTS {StagedRecords}");
                    Run(Connection, $"USE {LocalAthena.EngineCatalog}");
                    Run(Connection, $"DETACH {name}");
                }
            }
            catch (DbException)
            {
                engine.Discard();
            }
            finally
            {
                engine.Turn.Release();
            }
        }
    }

    /// <summary>Whether a statement left temporary tables or views of its own (Redshift's TEMP tables, say).</summary>
    private static bool LeftTemporaryObjects(DuckDBConnection connection) => Scalar<long>(connection, $"""
        SELECT (SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name <> '{StagedRecordsTable}')
             + (SELECT count(*) FROM duckdb_views() WHERE temporary AND NOT internal AND view_name NOT IN ({string.Join(", ", SystemViews.Select(v => $"'{v}'"))}))
        """) != 0;

    /// <summary>
    /// Attaches the cluster's database to its engine in a sandbox: the file under the cluster's database name with schema
    /// public current, and no path outside the warehouse folder and the lake, no network, no extension, no setting
    /// changed later. The statement has the engine to itself until the returned value is disposed.
    /// </summary>
    internal AttachedCluster Open()
    {
        var folder = workspace.EnsureFolder("warehouse");
        var lakeFolder = workspace.EnsureFolder("lake");
        var name = QuoteIdentifier(Cluster.Database);
        var engine = EngineFor($"{DatabaseFile}\n{Cluster.Database}\n{lakeFolder}");
        engine.Turn.Wait();
        try
        {
            // Another process may have the file open for a moment: wait for its turn.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    engine.Connection ??= LocalAthena.OpenSandboxedEngine([folder, lakeFolder, workspace.EnsureFolder(LakeRowCache.SavedFolder)], LocalAthena.SpillFolder(workspace),
                        // Redshift divides integers as integers (7 / 2 is 3), as PostgreSQL does.
                        ["SET integer_division = true", .. RedshiftSql.Macros]);
                    foreach (var statement in AttachStatements(name)) Run(engine.Connection, statement);
                    if (!engine.HasSystemViews)
                    {
                        foreach (var statement in SystemViewStatements()) Run(engine.Connection, statement);
                        engine.HasSystemViews = true;
                    }
                    // Redshift's system tables are there from the first statement on, whatever it is.
                    EnsureStreamingCatalog(engine.Connection);
                    return new AttachedCluster(engine, name);
                }
                catch (DbException locked) when (locked.Message.Contains("Could not set lock", StringComparison.Ordinal) && attempt < 200)
                {
                    Thread.Sleep(50);
                }
            }
        }
        catch
        {
            engine.Discard();
            engine.Turn.Release();
            throw;
        }
    }

    private IEnumerable<string> AttachStatements(string name)
    {
        yield return $"ATTACH '{DatabaseFile.Replace("'", "''")}' AS {name}";
        yield return $"CREATE SCHEMA IF NOT EXISTS {name}.public";
        yield return $"CREATE SCHEMA IF NOT EXISTS {name}.{SystemSchema}";
        yield return $"USE {name}.public";
        // Redshift's system tables (STL_LOAD_ERRORS, SVV_TABLE_INFO, ...) are found without a schema, as in Redshift.
        yield return $"SET search_path = '{Cluster.Database.Replace("'", "''")}.public,{Cluster.Database.Replace("'", "''")}.{SystemSchema}'";
        foreach (var statement in RedshiftSql.ClockMacros(clock.GetUtcNow())) yield return statement;
        foreach (var statement in DesignTables()) yield return statement;
    }

    /// <summary>Runs one statement to the end on its own connection; a statement Redshift would refuse throws <see cref="RedshiftSqlException"/>.</summary>
    public WarehouseOutcome Execute(string sql, CancellationToken cancellationToken = default)
    {
        using var attached = Open();
        return Execute(attached.Connection, sql, cancellationToken);
    }

    /// <summary>Runs statements one after another in one transaction: if one fails, none of them is kept.</summary>
    public IReadOnlyList<WarehouseOutcome> ExecuteBatch(IReadOnlyList<string> sqls, CancellationToken cancellationToken = default) =>
        ExecuteBatch(sqls, (_, _) => { }, cancellationToken);

    /// <summary>
    /// Runs statements in one transaction, telling <paramref name="connected"/> when the cluster's file is open and
    /// <paramref name="finished"/> after each statement; a cancellation seen between statements or just before the commit
    /// rolls them all back (Redshift's CancelStatement).
    /// </summary>
    public IReadOnlyList<WarehouseOutcome> ExecuteBatch(IReadOnlyList<string> sqls, Action<int, WarehouseOutcome> finished, CancellationToken cancellationToken, Action? connected = null)
    {
        using var attached = Open();
        var connection = attached.Connection;
        connected?.Invoke();
        Run(connection, "BEGIN TRANSACTION");
        try
        {
            var outcomes = new List<WarehouseOutcome>();
            foreach (var sql in sqls)
            {
                outcomes.Add(Execute(connection, sql, cancellationToken));
                finished(outcomes.Count - 1, outcomes[^1]);
            }
            cancellationToken.ThrowIfCancellationRequested();
            Run(connection, "COMMIT");
            return outcomes;
        }
        catch (Exception error)
        {
            Run(connection, "ROLLBACK");
            if (error is RedshiftSqlException { AfterRollback: { } keep }) keep(connection);
            throw;
        }
    }

    internal WarehouseOutcome Execute(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // What the warehouse does not have is named first: a procedure's body holds semicolons of its own.
        RedshiftSql.RefuseUnsupported(sql);
        RedshiftSql.RequireSingleStatement(sql);
        var statement = RedshiftSql.Classify(sql);
        return statement.Kind switch
        {
            RedshiftStatementKind.Copy => RunCopy(connection, statement.Text, cancellationToken),
            RedshiftStatementKind.Unload => RunUnload(connection, statement.Text, cancellationToken),
            RedshiftStatementKind.CreateCatalogSchema => CreateCatalogSchema(connection, statement.Text),
            RedshiftStatementKind.CreateKinesisSchema => CreateKinesisSchema(connection, statement.Text),
            RedshiftStatementKind.CreateMaterializedView => CreateMaterializedView(connection, statement.Text, cancellationToken),
            RedshiftStatementKind.RefreshMaterializedView => RefreshMaterializedView(connection, statement.Text, cancellationToken),
            RedshiftStatementKind.DropMaterializedView => DropMaterializedView(connection, statement.Text),
            RedshiftStatementKind.AlterMaterializedView => AlterMaterializedView(connection, statement.Text),
            _ => RunTranslated(connection, statement.Text, cancellationToken),
        };
    }

    /// <summary>A statement in the dialect both share once translated; external tables and streaming views are brought up to date first.</summary>
    private WarehouseOutcome RunTranslated(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        PrepareExternalTables(connection, sql);
        AutoRefresh(connection, cancellationToken);
        if (RedshiftDdl.ParseCreateTable(sql) is { } design) return CreateTable(connection, design, sql);
        if (RedshiftSql.IsMaintenance(sql)) return WarehouseOutcome.Done;
        if (AddColumn(connection, sql) is { } added) return added;
        var context = Context(connection);
        var outcome = Read(connection, RedshiftSql.Translate(sql, context), sql, context);
        AfterDefinition(connection, sql);
        return outcome;
    }

    /// <summary>Runs DuckDB SQL and reads its result; DuckDB's errors come back in Redshift's words.</summary>
    internal static WarehouseOutcome Read(DuckDBConnection connection, string duckSql, string original, RedshiftContext? context = null)
    {
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = duckSql;
            // Redshift reports how many rows INSERT, UPDATE and DELETE changed, not a result set.
            if (RedshiftSql.ChangesRows(original)) return WarehouseOutcome.Changed(command.ExecuteNonQuery());
            using var reader = command.ExecuteReader();
            if (reader.FieldCount == 0) return WarehouseOutcome.Done;
            var columns = new List<WarehouseColumn>();
            for (var i = 0; i < reader.FieldCount; i++)
                columns.Add(new WarehouseColumn(RedshiftSql.ColumnName(reader.GetName(i), original), RedshiftSql.RedshiftTypeName(reader.GetDataTypeName(i))));
            var rows = new List<object?[]>();
            while (reader.Read())
            {
                var row = new object?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = reader.IsDBNull(i) ? null : RedshiftSql.Normalise(reader.GetValue(i));
                    // DuckDB hands TIMESTAMPTZ over in UTC; Redshift prints it with its offset.
                    if (row[i] is string utc && columns[i].TypeName == "timestamptz" && !utc.EndsWith("+00", StringComparison.Ordinal)) row[i] = utc + "+00";
                }
                rows.Add(row);
            }
            reader.Close();
            return new WarehouseOutcome(SuperColumns(connection, duckSql, columns, context), rows, rows.Count, true);
        }
        catch (DbException error)
        {
            throw RedshiftSql.ErrorFrom(error.Message, original);
        }
    }

    /// <summary>
    /// DuckDB reports a JSON column as VARCHAR; where the statement may return SUPER values, its described types tell
    /// which columns are SUPER, so the Data API's ColumnMetadata says super as Redshift's does.
    /// </summary>
    private static IReadOnlyList<WarehouseColumn> SuperColumns(DuckDBConnection connection, string duckSql, List<WarehouseColumn> columns, RedshiftContext? context)
    {
        if (!columns.Any(c => c.TypeName == "varchar") || !DescribableQuery().IsMatch(duckSql)) return columns;
        if (!duckSql.Contains("json", StringComparison.OrdinalIgnoreCase) && !(context?.SuperColumns.Any(name => duckSql.Contains(name, StringComparison.OrdinalIgnoreCase)) ?? false))
            return columns;
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "DESCRIBE " + duckSql;
            using var reader = command.ExecuteReader();
            var described = new List<string>();
            while (reader.Read()) described.Add(reader.GetString(1));
            return described.Count != columns.Count ? columns : columns.Select((c, i) => described[i] == "JSON" ? c with { TypeName = "super" } : c).ToList();
        }
        catch (DbException)
        {
            return columns;
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*(SELECT|WITH|\()", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex DescribableQuery();

    internal static void Run(DuckDBConnection connection, string duckSql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = duckSql;
        command.ExecuteNonQuery();
    }

    internal static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
}
