using System.Data.Common;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Display;
using StreamingWorkshop.Lake;
using StreamingWorkshop.Storage;

namespace StreamingWorkshop.Query;

public sealed record AthenaSettings(string DefaultDatabase, string ResultsBucket, string WorkGroup = "primary") : IHtmlDisplay
{
    /// <summary>The query editor's settings, as its Settings and Editor tabs show them.</summary>
    private PropertiesView View => new("Athena query editor settings",
    [
        ("Workgroup", WorkGroup),
        ("Data source", "AwsDataCatalog"),
        ("Database", DefaultDatabase),
        ("Query result location", $"s3://{ResultsBucket}/"),
    ]);

    public string ToHtml() => View.ToHtml();

    public override string ToString() => View.ToString();
}

/// <summary>
/// Athena on the local backend: SQL in Trino's dialect, run by DuckDB over the lake's files as the Glue catalog
/// describes them. Each table a query names becomes a DuckDB view over the objects of its registered
/// partitions, read with the table's declared types, so a column still declared string stays a string.
/// DuckDB prunes partitions from the query's filters; its file-system log tells which objects were read, and
/// their compressed sizes are the data scanned, as Athena bills it.
/// </summary>
public sealed partial class LocalAthena : IHtmlDisplay, IDisposable
{
    /// <summary>In a notebook, the local Athena engine and its calls rather than an object tree.</summary>
    public string ToHtml() => OwnCalls.ToHtml();

    public override string ToString() => OwnCalls.ToString();

    private static readonly CallsView OwnCalls = new("workshop.Local.Athena: the local Athena engine, DuckDB over the lake's files, each call named after its operation (local backend only)", [
        ("StartQueryExecution(sql)", "StartQueryExecution"),
        ("GetQueryExecution(id)", "GetQueryExecution"),
        ("GetQueryResults(id)", "GetQueryResults"),
        ("StopQueryExecution(id)", "StopQueryExecution"),
        ("ListQueryExecutions()", "ListQueryExecutions"),
        ("RunAsync(sql)", "StartQueryExecution, GetQueryExecution until it ends, GetQueryResults"),
        ("ObjectsRead(queryExecutionId)", "none: the lake's objects the query read, whose bytes Athena bills"),
        ("Settings", "none: the workgroup's database and results location"),
    ], "workshop.QueryAsync(sql) runs a query and shows its rows as the Athena console does.");

    private readonly WorkspaceDirectory workspace;
    private readonly TimeProvider clock;
    private readonly LocalGlueCatalog catalog;
    private readonly LocalObjectStore lake;
    private readonly DuckDBConnection duck;

    /// <summary>The columns each planned SELECT reads of its Parquet scans; made again whenever a view is (re)defined.</summary>
    private readonly Dictionary<string, HashSet<string>> parquetPlanColumns = new(StringComparer.Ordinal);

    /// <summary>Each Parquet file's compressed bytes per column, read once from its footer while the file is unchanged.</summary>
    private readonly Dictionary<(string Path, long Length, long Written), Dictionary<string, long>> parquetChunkSizes = new();

    private readonly OpenedFiles openedFiles = new();
    private readonly object sync = new();
    private readonly Dictionary<string, (IReadOnlyList<ResultColumn> Columns, IReadOnlyList<object?[]> Rows, long? UpdateCount)> results = new();
    private readonly HashSet<string> schemas = new(StringComparer.Ordinal);
    // The definition each DuckDB view was last made with: a view whose definition is unchanged is not made again.
    private readonly Dictionary<string, string> viewDefinitions = new(StringComparer.Ordinal);
    // Whether the latest statement's views include one kept from an earlier statement rather than made for it.
    private bool keptViewUsed;
    // Whether PrepareTables made the latest view of a table over its first objects only (see SelectFirstRows).
    private bool firstObjectsOnly;
    private string? currentDatabase;
    private readonly LakeListing listing = new();
    private readonly QueryHistory history;
    private readonly LakeRowCache rowCache;
    private (string? QueryExecutionId, IReadOnlyList<string> Paths) lastObjectsRead = (null, []);

    public LocalAthena(WorkspaceDirectory workspace, TimeProvider clock, LocalGlueCatalog catalog, LocalObjectStore lake, AthenaSettings settings)
    {
        this.workspace = workspace;
        this.clock = clock;
        this.catalog = catalog;
        this.lake = lake;
        Settings = settings;
        var savedRows = workspace.EnsureFolder(LakeRowCache.SavedFolder);
        duck = OpenSandboxedEngine([workspace.EnsureFolder("lake"), savedRows], SpillFolder(workspace), TrinoFunctions.EngineSetup.Concat(LakeRowCache.Setup), openedFiles);
        rowCache = new LakeRowCache(duck, workspace, savedRows);
        history = new QueryHistory(workspace);
    }

    /// <summary>Whether a SELECT that reads every object of a JSON table may take its rows from memory (see <see cref="LakeRowCache"/>).</summary>
    internal bool ReuseRows { get; set; } = true;

    /// <summary>How many DuckDB views the engine has made so far (each CREATE OR REPLACE VIEW it ran).</summary>
    internal int ViewsMade { get; private set; }

    /// <summary>Whether a query that takes only a table's first rows may be tried on its first objects (see <see cref="SelectFirstRows"/>).</summary>
    internal bool TryFirstObjects { get; set; } = true;

    /// <summary>How many queries were answered from a table's first objects alone.</summary>
    internal int FirstRowsAnswered { get; private set; }

    /// <summary>The fewest objects a first-rows query is tried on.</summary>
    internal const int FirstObjects = 16;

    /// <summary>How many objects the engine has read into memory for later queries.</summary>
    internal long ObjectsKeptInMemory => rowCache.ObjectsLoaded;

    /// <summary>The clock the kept rows judge objects' change times by (see <see cref="LakeRowCache.FileClock"/>).</summary>
    internal TimeProvider FileClock
    {
        get => rowCache.FileClock;
        set => rowCache.FileClock = value;
    }

    /// <summary>Where an engine of this workspace writes what does not fit in memory (DuckDB makes the folder when it first needs it).</summary>
    internal static string SpillFolder(WorkspaceDirectory workspace) => workspace.Resolve("query", "spill");

    /// <summary>The in-memory catalog every sandboxed engine starts in (Athena's own catalog name).</summary>
    internal const string EngineCatalog = "awsdatacatalog";

    /// <summary>
    /// An in-memory DuckDB engine that can reach only the given folders: no other file, no network, no extension,
    /// no other database, and no setting can be changed afterwards. The catalog database, the file-system log (into
    /// <paramref name="openedFiles"/>, when given) and <paramref name="setup"/> are made first, because each of them
    /// needs a setting the lock then forbids.
    /// </summary>
    internal static DuckDBConnection OpenSandboxedEngine(IReadOnlyList<string> allowedFolders, string spillFolder, IEnumerable<string> setup, OpenedFiles? openedFiles = null)
    {
        var engine = new DuckDBConnection("DataSource=:memory:");
        try
        {
            engine.Open();
            void Run(string sql)
            {
                using var command = engine.CreateCommand();
                command.CommandText = sql;
                command.ExecuteNonQuery();
            }
            Run($"ATTACH ':memory:' AS {EngineCatalog}");
            Run($"USE {EngineCatalog}");
            if (openedFiles is not null)
            {
                openedFiles.Attach(engine);
                Run($"CALL enable_logging('FileSystem', storage = '{OpenedFiles.StorageName}')");
            }
            foreach (var statement in setup) Run(statement);
            // By default DuckDB spills what does not fit in memory into .tmp/ under the process's folder, outside the
            // workspace, and allows that folder too; here it spills inside the workspace.
            Run($"SET temp_directory = '{Path.GetFullPath(spillFolder).Replace("'", "''")}'");
            // DuckDB compares paths as text, so each folder ends with a separator: lake/ must not also allow lake-old/.
            var folders = allowedFolders.Select(f => Path.TrimEndingDirectorySeparator(Path.GetFullPath(f)) + Path.DirectorySeparatorChar);
            Run($"SET allowed_directories = [{string.Join(", ", folders.Select(f => $"'{f.Replace("'", "''")}'"))}]");
            Run("SET enable_external_access = false");
            Run("SET autoinstall_known_extensions = false");
            Run("SET autoload_known_extensions = false");
            Run("SET allow_community_extensions = false");
            // One thread reads and sums the rows in the same order every time, so a query gives the same answer on every
            // run: summed in parallel, an average such as -0.425 can land either side of a half and ROUND it differently.
            Run("SET threads = 1");
            Run("SET lock_configuration = true");
            return engine;
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    public AthenaSettings Settings { get; }

    /// <summary>Runs a statement and returns its execution id; the statement has finished (or failed) when this returns.</summary>
    public string StartQueryExecution(string sql, string? database = null, string? outputLocation = null)
    {
        // The workgroup's own location is the stack's results bucket, made with the stack; before it is deployed a query
        // fails on its missing database instead, as Athena's first query in a new account does.
        if (outputLocation is not null) RequireOutputBucket(outputLocation);
        return RunStatement(sql, database, outputLocation).QueryExecutionId;
    }

    /// <summary>
    /// Athena refuses a query whose OutputLocation is in a bucket it cannot find before the query runs, so no execution
    /// is made; a location that is not s3://bucket/prefix/ fails the query itself (INVALID_REQUEST), as before.
    /// </summary>
    private void RequireOutputBucket(string outputLocation)
    {
        S3Location location;
        try
        {
            location = S3Location.Parse(outputLocation);
        }
        catch (Errors.ServiceException)
        {
            return;
        }
        if (!lake.BucketExistsAsync(location.Bucket).GetAwaiter().GetResult())
            throw new InvalidRequestException($"Unable to verify/create output bucket {location.Bucket}. The lake has no bucket {location.Bucket}: "
                + $"make it first (aws s3 mb s3://{location.Bucket}), or leave the OutputLocation out to write the results to s3://{Settings.ResultsBucket}/.");
    }

    /// <summary>Runs a statement and returns its execution, as saved in the history.</summary>
    private QueryExecution RunStatement(string sql, string? database, string? outputLocation)
    {
        var id = Guid.NewGuid().ToString();
        var db = (database ?? Settings.DefaultDatabase).ToLowerInvariant();
        var output = outputLocation ?? $"s3://{Settings.ResultsBucket}/";
        var submitted = clock.GetUtcNow();
        var queued = Stopwatch.StartNew();
        lock (sync)
        {
            var queueMillis = queued.ElapsedMilliseconds;
            var watch = Stopwatch.StartNew();
            QueryExecution execution;
            try
            {
                var outputFolder = ParseLocation(output, "INVALID_REQUEST");
                LocalFolder(outputFolder);
                var outcome = Run(sql, db, id);
                var files = outcome.ScannedFiles;
                var statistics = new QueryStatistics(outcome.ScannedBytes, watch.ElapsedMilliseconds, queueMillis, watch.ElapsedMilliseconds + queueMillis,
                    AthenaPricing.EstimatedCost(outcome.ScannedBytes, outcome.StatementType == "DDL"), files);
                execution = new QueryExecution(id, sql, outcome.StatementType, db, Settings.WorkGroup, output, QueryStates.Succeeded, null, null, submitted, clock.GetUtcNow(), statistics);
                results[id] = (outcome.Columns, outcome.Rows, outcome.UpdateCount);
                WriteResultFiles(execution, outcome.Columns, outcome.Rows);
            }
            catch (AthenaQueryException error)
            {
                execution = new QueryExecution(id, sql, StatementTypeOf(sql), db, Settings.WorkGroup, output, QueryStates.Failed, error.Message, error.ErrorType,
                    submitted, clock.GetUtcNow(), new QueryStatistics(0, watch.ElapsedMilliseconds, queueMillis, watch.ElapsedMilliseconds, 0, 0));
            }
            history.Add(execution);
            return execution;
        }
    }

    public QueryExecution GetQueryExecution(string id)
    {
        if (!Guid.TryParse(id, out _)) throw new InvalidRequestException($"'{id}' is not a QueryExecutionId (a GUID). Use an id StartQueryExecution or ListQueryExecutions gave.");
        return history.Find(id) ?? throw new InvalidRequestException($"QueryExecution {id} was not found. List recent queries with the query history.");
    }

    /// <summary>A query that has finished cannot be stopped; one still queued or running would be CANCELLED. An unknown id is refused.</summary>
    public void StopQueryExecution(string id) => GetQueryExecution(id);

    /// <summary>The newest executions first, as the console's Recent queries tab lists them.</summary>
    public IReadOnlyList<QueryExecution> ListQueryExecutions(int max = 50) => history.Newest(max);

    /// <summary>The most executions one ListQueryExecutions page holds, as Athena allows.</summary>
    public const int MaxQueryExecutionsPerPage = 50;

    /// <summary>
    /// One page of the history, newest first, as ListQueryExecutions pages it: at most <paramref name="maxResults"/>
    /// (0 gives Athena's default, 50), and a NextToken while older executions remain. The token is the id of the next
    /// page's first execution, so queries run between two calls do not shift the pages.
    /// </summary>
    public (IReadOnlyList<QueryExecution> Executions, string? NextToken) ListQueryExecutionPage(int maxResults = 0, string? nextToken = null)
    {
        if (maxResults is < 0 or > MaxQueryExecutionsPerPage)
            throw new InvalidRequestException($"MaxResults {maxResults} is out of range: use 0 to {MaxQueryExecutionsPerPage} (0 gives {MaxQueryExecutionsPerPage}), "
                + "and ask for the next page with the NextToken the answer gives.");
        var pageSize = maxResults == 0 ? MaxQueryExecutionsPerPage : maxResults;
        var all = history.Newest(int.MaxValue);
        var start = 0;
        if (nextToken is not null)
        {
            start = -1;
            for (var i = 0; i < all.Count && start < 0; i++)
                if (all[i].QueryExecutionId == nextToken) start = i;
            if (start < 0)
                throw new InvalidRequestException($"NextToken '{nextToken}' is not one ListQueryExecutions gave: pass the NextToken of the previous page as it came, or leave it out to start from the newest query.");
        }
        var page = all.Skip(start).Take(pageSize).ToArray();
        return (page, start + pageSize < all.Count ? all[start + pageSize].QueryExecutionId : null);
    }

    /// <summary>
    /// One page of results. As in Athena, the first page of a SELECT starts with a row of column names;
    /// values come back as text. NextToken is null on the last page.
    /// </summary>
    public (IReadOnlyList<ResultColumn> Columns, IReadOnlyList<string?[]> Rows, string? NextToken) GetQueryResults(string id, string? nextToken = null, int maxResults = 1000)
    {
        if (maxResults is < 1 or > 1000) throw new InvalidRequestException($"MaxResults {maxResults} is out of range: use 1 to 1,000.");
        var execution = GetQueryExecution(id);
        // Athena's own words for the two cases; the local engine's queries have ended when they start, so only the first comes.
        if (execution.State is QueryStates.Failed or QueryStates.Cancelled)
            throw new InvalidRequestException($"Query did not finish successfully. Final query state: {execution.State}. {execution.StateChangeReason}");
        if (execution.State != QueryStates.Succeeded)
            throw new InvalidRequestException($"Query has not yet finished. Current state: {execution.State}. Ask again once GetQueryExecution shows SUCCEEDED.");
        if (!results.TryGetValue(id, out var stored)) throw new InvalidRequestException($"The results of {id} are in {execution.OutputLocation}{id}.csv; read them from there.");
        // A statement without columns (an INSERT) has no header row either: its answer is the update count.
        var all = new List<string?[]>();
        if (stored.Columns.Count > 0) all.Add(stored.Columns.Select(c => (string?)c.Name).ToArray());
        all.AddRange(stored.Rows.Select(r => r.Select(v => v is null ? null : AthenaCsv.Format(v)).ToArray()));
        // A token is the row the page starts at, always within the rows, as this method gave it.
        var start = 0;
        if (nextToken is not null && (!int.TryParse(nextToken, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out start) || start <= 0 || start >= all.Count))
            throw new InvalidRequestException($"NextToken '{nextToken}' is not one GetQueryResults gave for query {id}: pass the NextToken of the previous page as it came, or leave it out to start from the first row.");
        var page = all.Skip(start).Take(maxResults).ToArray();
        return (stored.Columns, page, start + maxResults < all.Count ? (start + maxResults).ToString() : null);
    }

    /// <summary>The rows an INSERT INTO wrote (GetQueryResults' UpdateCount); null for a statement that writes no rows.</summary>
    public long? UpdateCount(string id)
    {
        GetQueryExecution(id);
        return results.TryGetValue(id, out var stored) ? stored.UpdateCount : null;
    }

    /// <summary>Starts a query, waits for it, and returns its result; a failed query throws <see cref="AthenaQueryException"/>.</summary>
    public Task<QueryResult> RunAsync(string sql, string? database = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var execution = RunStatement(sql, database, outputLocation: null);
        var id = execution.QueryExecutionId;
        if (execution.State != QueryStates.Succeeded)
            throw new AthenaQueryException(execution.ErrorType ?? "INTERNAL_ERROR", execution.StateChangeReason![(execution.ErrorType!.Length + 2)..], id);
        var stored = results[id];
        return Task.FromResult(new QueryResult(execution, stored.Columns, stored.Rows, stored.UpdateCount));
    }

    private sealed record Outcome(string StatementType, IReadOnlyList<ResultColumn> Columns, IReadOnlyList<object?[]> Rows, long ScannedBytes = 0, int ScannedFiles = 0, long? UpdateCount = null);

    private Outcome Run(string sql, string database, string id)
    {
        AthenaSql.RequireSingleStatement(sql);
        var statement = AthenaSql.Significant(sql);
        if (statement.Length == 0) throw new AthenaQueryException("SYNTAX_ERROR", "line 1:1: The query is empty. Write a statement such as SELECT * FROM raw_weather_data LIMIT 10.");
        // The rows kept in memory are the engine's own: a statement naming their database meets an unknown catalog.
        if (AthenaSql.Tokenize(statement).Any(t => t.Kind is AthenaSql.TokenKind.Word or AthenaSql.TokenKind.QuotedIdentifier
                && Unquote(t).Equals(LakeRowCache.Database, StringComparison.Ordinal)))
            throw new AthenaQueryException("SEMANTIC_ERROR", $"line 1:1: Catalog \"{LakeRowCache.Database}\" does not exist!");
        // Listing the databases, or making one, needs no database to run in: on a new account they are how one begins.
        if (!catalog.DatabaseExists(database) && !NeedsNoDatabase().IsMatch(statement))
            throw new AthenaQueryException("SCHEMA_NOT_FOUND", $"line 1:1: Schema '{database}' does not exist. Choose a database that exists (SHOW DATABASES), or deploy the stack.");
        foreach (var (pattern, handler) in DdlHandlers())
        {
            var match = pattern.Match(statement);
            if (!match.Success) continue;
            // A statement may change what the engine holds; the views are made afresh for the next query.
            viewDefinitions.Clear();
            parquetPlanColumns.Clear();
            currentDatabase = null;
            return handler(match, statement, database, id);
        }
        if (!FirstWord(statement).Equals("select", StringComparison.OrdinalIgnoreCase) && !FirstWord(statement).Equals("with", StringComparison.OrdinalIgnoreCase)
            && !statement.StartsWith('(') && !FirstWord(statement).Equals("values", StringComparison.OrdinalIgnoreCase))
        {
            var word = FirstWord(statement);
            if (NotRunHere(word.ToUpperInvariant()) is { } wayOn) throw new AthenaQueryException("NOT_SUPPORTED", $"line 1:1: {wayOn}");
            throw new AthenaQueryException("SYNTAX_ERROR", $"line 1:1: mismatched input '{word}'. Expecting: 'SELECT', 'WITH', 'INSERT', 'CREATE', 'DROP', 'ALTER', 'MSCK', 'SHOW', 'DESCRIBE', 'VALUES'");
        }
        return Select(sql, database, id);
    }

    /// <summary>
    /// For a statement that starts with a word of Athena's SQL but is none the local engine runs: what it does run of that
    /// kind, or what to do instead. Null for a word Athena does not know either (a misspelt SELECT is a syntax error).
    /// </summary>
    private static string? NotRunHere(string word) => word switch
    {
        "SHOW" => "This SHOW statement is not one the local engine runs. It runs SHOW DATABASES, SHOW TABLES [IN db] ['pattern'], "
            + "SHOW VIEWS [IN db] [LIKE 'pattern'], SHOW PARTITIONS table, SHOW COLUMNS IN table and SHOW CREATE TABLE|VIEW name.",
        "CREATE" => "This CREATE statement is not one the local engine runs. It runs CREATE EXTERNAL TABLE (the lake's objects as a table), "
            + "CREATE TABLE name WITH (format = 'PARQUET', ...) AS SELECT, CREATE [OR REPLACE] VIEW name AS SELECT and CREATE DATABASE name.",
        "ALTER" => "This ALTER statement is not one the local engine runs. It runs ALTER TABLE table ADD [IF NOT EXISTS] PARTITION (...), "
            + "ALTER TABLE table DROP [IF EXISTS] PARTITION (...) and ALTER TABLE table SET TBLPROPERTIES (...); "
            + "a column's type changes with workshop.AlterColumnTypeAsync (workshop catalog alter-column), as in the Glue console.",
        "DROP" => "This DROP statement is not one the local engine runs. It runs DROP TABLE [IF EXISTS] table and DROP VIEW [IF EXISTS] view.",
        "DESCRIBE" or "DESC" => "This DESCRIBE statement is not one the local engine runs. It runs DESCRIBE table (or view).",
        "MSCK" => "The local engine runs MSCK REPAIR TABLE table.",
        "INSERT" => "This INSERT statement is not one the local engine runs. It runs INSERT INTO table [(columns)] SELECT ... (or VALUES ...).",
        "EXPLAIN" => "EXPLAIN prints the plan of Athena's engine, which the local backend does not have. Run the query itself: its summary "
            + "line says how many objects and bytes it read once its WHERE clause had pruned the partitions. On the AWS backend EXPLAIN runs.",
        "UNLOAD" => "The local engine does not run UNLOAD. To write a query's result to the lake, make a table of it: "
            + "CREATE TABLE name WITH (format = 'PARQUET', external_location = 's3://bucket/prefix/') AS SELECT ...",
        "PREPARE" or "EXECUTE" or "DEALLOCATE" => "The local engine does not run prepared statements. Write the values into the statement itself.",
        "UPDATE" or "DELETE" or "MERGE" or "OPTIMIZE" or "VACUUM" => "The lake's tables are Hive tables, whose rows Athena does not change in place "
            + $"({word} works on Iceberg tables only). Write the rows you want into a new table (CREATE TABLE name WITH (...) AS SELECT), "
            + "or drop whole partitions (ALTER TABLE table DROP PARTITION (...)).",
        _ => null,
    };

    /// <summary>
    /// A statement in the engine's SQL (<see cref="AthenaSql.Translate"/>). One that reads Athena's information_schema
    /// finds it filled from the catalog as it is now.
    /// </summary>
    private string TranslateForEngine(string sql, DateTimeOffset now)
    {
        var translated = AthenaSql.Translate(sql, now);
        if (InformationSchema.IsNamedIn(translated)) InformationSchema.Fill(duck, catalog);
        return translated;
    }

    private Outcome Select(string sql, string database, string id)
    {
        var translated = TranslateForEngine(sql.Trim().TrimEnd(';'), clock.GetUtcNow());
        // Both checks read the same tokens, and the catalog's tables (only when one of them needs the columns) once.
        var significant = AthenaSql.SignificantTokens(sql);
        IReadOnlyList<GlueTable>? named = null;
        IReadOnlyList<GlueTable> Named() => named ??= CatalogTablesNamedIn(sql, database).Select(table => table.Table).ToList();
        LiteralComparison.Check(sql, significant, Named);
        GroupByAlias.Check(sql, significant, Named);
        if (SelectFromKeptRows(sql, translated, database, id, out var viewsOverFiles) is { } answered) return answered;
        if (!viewsOverFiles)
        {
            if (SelectFirstRows(sql, translated, database, id) is { } firstRows) return firstRows;
            PrepareTables(sql, database, prune: true);
        }
        openedFiles.Clear();
        IReadOnlyList<ResultColumn> columns;
        IReadOnlyList<object?[]> rows;
        try
        {
            (columns, rows) = Read(translated, sql);
        }
        catch (AthenaQueryException) when (keptViewUsed)
        {
            // A view kept from an earlier query may now fail where making it afresh would have (a Parquet object
            // replaced under the same name): the views are made again, so the error is the one it always was. Views
            // all made for this query would fail the same way again.
            viewDefinitions.Clear();
            parquetPlanColumns.Clear();
            PrepareTables(sql, database, prune: true);
            openedFiles.Clear();
            (columns, rows) = Read(translated, sql);
        }
        return Billed(id, translated, columns, rows, []);
    }

    /// <summary>
    /// A query that takes only the first rows of one JSON table (<c>SELECT columns FROM table LIMIT n</c>, nothing
    /// more) reads the table's objects in order and stops after a few; given every object, DuckDB first resolves each
    /// path (0.13 s for the day's 2,160). It is tried on the table's first objects alone (16, or n if more). When DuckDB
    /// returned n rows having opened fewer of them than it was given, it stopped inside them and read no later object,
    /// as it does over the whole list: the same rows, and the same objects billed. Null otherwise, and the query runs
    /// over every object. An error DuckDB finds before reading is the same over any list of the table's objects, and a
    /// query whose views were all made over every object fails here as it would there.
    /// </summary>
    private Outcome? SelectFirstRows(string sql, string translated, string database, string id)
    {
        if (!TryFirstObjects || FirstRowsLimit(sql) is not { } limit) return null;
        var first = Math.Max(FirstObjects, limit);
        try
        {
            PrepareTables(sql, database, firstObjects: first);
            openedFiles.Clear();
            var (columns, rows) = Read(translated, sql);
            if (firstObjectsOnly && (rows.Count < limit || ScannedObjects().Files >= first)) return null;
            if (firstObjectsOnly) FirstRowsAnswered++;
            return Billed(id, translated, columns, rows, []);
        }
        // Over a table's first objects only a bind error is the one every object gives; over views all made for this
        // query (no table had more objects), any error is. A view kept from an earlier query may be out of date.
        catch (AthenaQueryException error) when ((firstObjectsOnly && !error.FailedToBind) || keptViewUsed)
        {
            return null;
        }
    }

    /// <summary>The n of <c>SELECT columns FROM table LIMIT n</c> with nothing else: no filter, join, grouping, ordering, window, set or subquery.</summary>
    private static int? FirstRowsLimit(string sql)
    {
        var tokens = AthenaSql.SignificantTokens(AthenaSql.Significant(sql));
        var words = tokens.Where(t => t.Kind == AthenaSql.TokenKind.Word).Select(t => t.Lower).ToList();
        if (words.Count == 0 || words[0] != "select" || words.Count(w => w == "select") != 1 || words.Count(w => w == "from") != 1) return null;
        if (words.Any(w => w is "where" or "join" or "group" or "having" or "union" or "intersect" or "except" or "order" or "distinct"
                or "with" or "offset" or "fetch" or "tablesample" or "over" or "window" or "qualify" or "unnest" or "values" or "lateral")) return null;
        var from = tokens.FindIndex(t => t.Kind == AthenaSql.TokenKind.Word && t.Lower == "from");
        if (tokens.Count < from + 4 || tokens[^2].Lower != "limit" || tokens[^1].Kind != AthenaSql.TokenKind.Number) return null;
        var table = tokens[(from + 1)..^2];
        var named = table.Count == 1 || (table.Count == 3 && table[1].Text == ".");
        if (!named || table.Where((_, i) => i % 2 == 0).Any(t => t.Kind is not (AthenaSql.TokenKind.Word or AthenaSql.TokenKind.QuotedIdentifier))) return null;
        return int.TryParse(tokens[^1].Text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit) && limit > 0 ? limit : null;
    }

    /// <summary>A SELECT's outcome, billed for the objects DuckDB opened and those read from kept rows, each once.</summary>
    private Outcome Billed(string id, string translated, IReadOnlyList<ResultColumn> columns, IReadOnlyList<object?[]> rows, IEnumerable<(string Path, long Length)> keptObjects)
    {
        var read = new List<string>();
        var (bytes, files) = ScannedObjects(read: read, keptObjects: keptObjects, plannedSql: translated);
        lastObjectsRead = (id, read);
        return new Outcome("DML", columns, rows, bytes, files);
    }

    /// <summary>
    /// A SELECT answered from the rows kept in memory, or null when it must read the files (see
    /// <see cref="PrepareKeptRows"/>; anything failing on the way leaves the error to the files' path, which gives the
    /// one it always gave, but for a query DuckDB cannot bind, whose error is thrown here). Data scanned is every object
    /// of the kept tables the plan scans, plus any other object DuckDB opened.
    /// </summary>
    private Outcome? SelectFromKeptRows(string sql, string translated, string database, string id, out bool viewsOverFiles)
    {
        bool failedToBind;
        try
        {
            if (PrepareKeptRows(sql, translated, database, out viewsOverFiles, out failedToBind) is { } keptObjects)
            {
                openedFiles.Clear();
                var (columns, rows) = Read(translated, sql);
                return Billed(id, translated, columns, rows, keptObjects);
            }
        }
        catch (Exception error) when (error is AthenaQueryException or DbException)
        {
            viewsOverFiles = false;
            return null;
        }
        // The views over kept rows have the columns and types of those over the files, so a query DuckDB could not
        // bind over them fails the same way over the files: its error comes from running it here, where it reads no
        // object, exactly as the files' path raises it.
        if (failedToBind) Read(translated, sql);
        return null;
    }

    /// <summary>
    /// An error DuckDB finds in a statement before it reads a row: in its text, a name or a type. Told by the message,
    /// as the error type DuckDB.NET gives a failed statement is "Invalid" for all of them.
    /// </summary>
    private static bool FailedToBind(DbException error) =>
        error.Message.StartsWith("Binder Error", StringComparison.Ordinal) || error.Message.StartsWith("Parser Error", StringComparison.Ordinal)
        || error.Message.StartsWith("Catalog Error", StringComparison.Ordinal);

    /// <summary>
    /// Makes the tables <paramref name="sql"/> names readable from the rows kept in memory, and returns the objects the
    /// statement would have opened over the files, to bill; null when it must read the files: it names no JSON table
    /// the cache holds, it may stop reading early (<see cref="MayStopEarly"/>), its plan does not tell which objects it
    /// would open (<see cref="LakeRowCache.ScansOf"/>), a kept table cannot be brought up to date, or anything fails. <paramref name="viewsOverFiles"/> then says whether
    /// every view was just made over the files, as the usual path makes it, and <paramref name="failedToBind"/> whether
    /// DuckDB could not bind the statement over the views of the kept rows.
    /// </summary>
    private List<(string Path, long Length)>? PrepareKeptRows(string sql, string translated, string database, out bool viewsOverFiles, out bool failedToBind)
    {
        viewsOverFiles = failedToBind = false;
        if (!ReuseRows || MayStopEarly(sql)) return null;
        try
        {
            var named = new List<LakeRowCache.Entry>();
            PrepareTables(sql, database, prune: true, keptRows: named);
            // No table could be kept: every view was just made over the files, as the usual path makes it.
            viewsOverFiles = named.Count == 0;
            if (named.Count == 0) return null;
            string plan;
            try
            {
                plan = ExplainAsJson(translated);
            }
            catch (DbException error) when (FailedToBind(error))
            {
                failedToBind = true;
                return null;
            }
            var scans = LakeRowCache.ScansOf(plan, named);
            if (scans is null) return null;
            // Filters on partitions of other shapes are judged for one scan alone: the files' plan names no table, so it
            // could not tell two scans apart.
            LakeRowCache.FilesJudgement judge = scans.Count == 1 ? (scan, firstOfEachFolder) => FilesJudgementOf(scan.Entry, firstOfEachFolder, translated) : (_, _) => null;
            if (!scans.All(scan => rowCache.QuickerInMemory(scan, judge))) return null;
            foreach (var entry in scans.Select(s => s.Entry).Distinct())
                if (!rowCache.Refresh(entry)) return null;
            var keptObjects = new List<(string Path, long Length)>();
            foreach (var scan in scans)
            {
                if (rowCache.ObjectsOpenedOverFiles(scan, judge) is not { } objects) return null;
                keptObjects.AddRange(objects);
            }
            return keptObjects;
        }
        catch (Exception error) when (error is AthenaQueryException or DbException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether a query may stop reading before its last object (a LIMIT or FETCH without an ORDER BY, a sample): such a
    /// query goes straight to the files, which tell which objects it opened. An EXISTS is left to the plan, which shows
    /// the limit it becomes and whether a kept table lies under it (<see cref="LakeRowCache.ScansOf"/>).
    /// </summary>
    private static bool MayStopEarly(string sql)
    {
        var words = AthenaSql.Tokenize(sql).Where(t => t.Kind == AthenaSql.TokenKind.Word).Select(t => t.Lower).ToHashSet(StringComparer.Ordinal);
        return ((words.Contains("limit") || words.Contains("fetch")) && !words.Contains("order")) || words.Contains("tablesample");
    }

    /// <summary>
    /// The plan DuckDB makes for the query over the files, with the kept table's view over one object of each folder
    /// for the moment: whether its reader judges filters on the paths ("File Filters"), and how many of those objects
    /// it would open ("Scanning Files": "2/3"). Null when the plan does not read the table exactly once.
    /// </summary>
    private (bool Judged, int Opened)? FilesJudgementOf(LakeRowCache.Entry entry, IReadOnlyList<string> firstOfEachFolder, string translated)
    {
        var dot = entry.Key.IndexOf('.');
        var (database, name) = (entry.Key[..dot], entry.Key[(dot + 1)..]);
        if (!viewDefinitions.TryGetValue(entry.Key, out var keptView)) return null;
        try
        {
            DefineView(database, name, $"SELECT {LakeTableScan.Projection(entry.Table, null)} FROM {LakeTableScan.Reader(entry.Table, firstOfEachFolder, entry.Hive)}", always: false);
            using var plan = JsonDocument.Parse(ExplainAsJson(translated));
            var readers = new List<JsonElement>();
            var pending = new Stack<JsonElement>(plan.RootElement.EnumerateArray());
            while (pending.Count > 0)
            {
                var step = pending.Pop();
                if (step.TryGetProperty("extra_info", out var details) && details.ValueKind == JsonValueKind.Object
                    && details.TryGetProperty("Function", out var function) && function.GetString() == "READ_JSON") readers.Add(details.Clone());
                if (step.TryGetProperty("children", out var children)) foreach (var child in children.EnumerateArray()) pending.Push(child);
            }
            if (readers.Count != 1) return null;
            if (!readers[0].TryGetProperty("File Filters", out _)) return (false, firstOfEachFolder.Count);
            if (!readers[0].TryGetProperty("Scanning Files", out var scanning)) return (true, firstOfEachFolder.Count);
            var opened = scanning.GetString()?.Split('/')[0];
            return int.TryParse(opened, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count) ? (true, count) : null;
        }
        catch (DbException)
        {
            return null;
        }
        finally
        {
            DefineView(database, name, keptView, always: false);
        }
    }

    private string ExplainAsJson(string translated)
    {
        using var command = duck.CreateCommand();
        command.CommandText = "EXPLAIN (FORMAT JSON) " + translated;
        using var reader = command.ExecuteReader();
        var plan = new StringBuilder();
        while (reader.Read()) plan.Append(reader.GetString(1));
        return plan.ToString();
    }

    /// <summary>
    /// The lake files the latest SELECT read (the objects its data scanned counts), for measuring the same query run
    /// straight over them. Only the most recent query's list is kept.
    /// </summary>
    public IReadOnlyList<string> ObjectsRead(string queryExecutionId)
    {
        lock (sync)
        {
            if (lastObjectsRead.QueryExecutionId != queryExecutionId)
                throw new InvalidRequestException($"The objects read are kept for the latest SELECT only; {queryExecutionId} is not it. Ask right after the query.");
            return lastObjectsRead.Paths;
        }
    }

    private (IReadOnlyList<ResultColumn>, IReadOnlyList<object?[]>) Read(string translated, string original)
    {
        try
        {
            using var command = duck.CreateCommand();
            command.CommandText = translated;
            using var reader = command.ExecuteReader();
            var columns = new List<ResultColumn>();
            for (var i = 0; i < reader.FieldCount; i++)
                columns.Add(new ResultColumn(ColumnName(reader.GetName(i), i), AthenaType(reader.GetDataTypeName(i))));
            var rows = new List<object?[]>();
            while (reader.Read())
            {
                var row = new object?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : Normalise(reader.GetValue(i));
                rows.Add(row);
            }
            return (columns, rows);
        }
        catch (DbException error)
        {
            var failure = AthenaErrors.From(error.Message, original, translated, Settings, workspace.Resolve("lake"));
            failure.FailedToBind = FailedToBind(error);
            throw failure;
        }
    }

    private static object? Normalise(object value) => value switch
    {
        System.Numerics.BigInteger big => (long)big,
        _ => value,
    };

    /// <summary>
    /// What a statement scanned, each object once, as their count and compressed size: the lake objects the engine
    /// opened since <see cref="OpenedFiles.Clear"/> (outside <paramref name="excludeFolder"/>), and the
    /// <paramref name="keptObjects"/> it read from the rows kept in memory. Their paths go to <paramref name="read"/>.
    /// </summary>
    private (long Bytes, int Files) ScannedObjects(string? excludeFolder = null, List<string>? read = null,
        IEnumerable<(string Path, long Length)>? keptObjects = null, string? plannedSql = null)
    {
        long bytes = 0;
        var files = 0;
        var lakeRoot = workspace.Resolve("lake") + Path.DirectorySeparatorChar;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var billed = new HashSet<string>(StringComparer.Ordinal);
        var opened = new List<(string Path, long Length, long Written)>();
        foreach (var path in openedFiles.Paths)
        {
            if (!seen.Add(path) || !path.StartsWith(lakeRoot, StringComparison.Ordinal)) continue;
            var file = new FileInfo(path);
            if (!file.Exists) continue;
            if (excludeFolder is not null && path.StartsWith(excludeFolder, StringComparison.Ordinal)) continue;
            opened.Add((path, file.Length, file.LastWriteTimeUtc.Ticks));
        }
        // Firehose's objects end in .gz and are read whole; any other object may be Parquet, read by the column.
        var parquet = plannedSql is null ? [] : opened.Where(o => !o.Path.EndsWith(".gz", StringComparison.Ordinal) && IsParquet(o.Path)).ToList();
        var columnBytes = parquet.Count == 0 ? null : ParquetBytesRead(plannedSql!, parquet);
        foreach (var (path, length, _) in opened)
        {
            bytes += columnBytes is not null && columnBytes.TryGetValue(path, out var chunks) ? chunks : length;
            files++;
            billed.Add(path);
            read?.Add(path);
        }
        foreach (var (path, length) in keptObjects ?? [])
        {
            if (!billed.Add(path)) continue;
            bytes += length;
            files++;
            read?.Add(path);
        }
        return (bytes, files);
    }

    /// <summary>Whether a lake file is Parquet, told from its first and last four bytes without reading the rest.</summary>
    private static bool IsParquet(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path);
            var length = RandomAccess.GetLength(handle);
            if (length < 12) return false;
            Span<byte> ends = stackalloc byte[12];
            return RandomAccess.Read(handle, ends[..4], 0) == 4 && RandomAccess.Read(handle, ends[4..], length - 8) == 8
                   && LocalObjectStore.IsParquet(ends);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// What a query reads of each Parquet object it opened, as Athena bills a columnar file: the chunks of the columns it
    /// needs, not the whole file. The columns are those the plan's Parquet scans project or filter on (EXPLAIN), and
    /// each file's chunks of them are summed from its footer (parquet_metadata), every row group. Null when the plan or
    /// a footer cannot be read: the objects are then billed whole, as before.
    /// </summary>
    private Dictionary<string, long>? ParquetBytesRead(string plannedSql, IReadOnlyList<(string Path, long Length, long Written)> files)
    {
        try
        {
            if (!parquetPlanColumns.TryGetValue(plannedSql, out var columns))
            {
                columns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                using (var explain = duck.CreateCommand())
                {
                    explain.CommandText = $"EXPLAIN (FORMAT JSON) {plannedSql}";
                    using var plan = explain.ExecuteReader();
                    while (plan.Read())
                        if (plan.GetValue(plan.FieldCount - 1) is string json) CollectParquetColumns(JsonNode.Parse(json), columns);
                }
                if (parquetPlanColumns.Count >= 1000) parquetPlanColumns.Clear();
                parquetPlanColumns[plannedSql] = columns;
            }
            var unread = files.Where(f => !parquetChunkSizes.ContainsKey(f)).ToList();
            if (unread.Count > 0)
            {
                // Read into new tables first: a footer that fails to read leaves nothing half-known in the cache.
                var byPath = unread.ToDictionary(f => f.Path, _ => new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase), StringComparer.Ordinal);
                using (var metadata = duck.CreateCommand())
                {
                    metadata.CommandText = "SELECT file_name, path_in_schema, CAST(SUM(total_compressed_size) AS BIGINT) FROM parquet_metadata(["
                        + string.Join(", ", unread.Select(f => $"'{f.Path.Replace("'", "''")}'")) + "]) GROUP BY ALL";
                    using var chunks = metadata.ExecuteReader();
                    while (chunks.Read())
                        if (byPath.TryGetValue(chunks.GetString(0), out var sizes)) sizes[chunks.GetString(1).Split(", ")[0]] = chunks.GetInt64(2);
                }
                if (parquetChunkSizes.Count + unread.Count > 100_000) parquetChunkSizes.Clear();
                foreach (var file in unread) parquetChunkSizes[file] = byPath[file.Path];
            }
            return files.ToDictionary(f => f.Path, f => parquetChunkSizes[f].Where(c => columns.Contains(c.Key)).Sum(c => c.Value), StringComparer.Ordinal);
        }
        catch (Exception error) when (error is DbException or JsonException or InvalidCastException or IOException)
        {
            return null;
        }
    }

    /// <summary>The names in the projections and filters of every Parquet scan of a plan (EXPLAIN's JSON).</summary>
    private static void CollectParquetColumns(JsonNode? node, HashSet<string> columns)
    {
        switch (node)
        {
            case JsonArray array:
                foreach (var item in array) CollectParquetColumns(item, columns);
                break;
            case JsonObject plan:
                if (plan["extra_info"] is JsonObject info && info["Function"]?.ToString() is { } function
                    && function.Contains("PARQUET", StringComparison.OrdinalIgnoreCase))
                    foreach (var part in new[] { info["Projections"], info["Filters"] })
                        foreach (Match name in ColumnName().Matches(part?.ToJsonString() ?? ""))
                            columns.Add(name.Value);
                CollectParquetColumns(plan["children"], columns);
                break;
        }
    }

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex ColumnName();

    /// <summary>
    /// Makes a DuckDB view for every catalog table or view the SQL names (and those the views name in turn); returns
    /// whether any view was made anew. With <paramref name="prune"/>, a plain query on one table gets a view over
    /// only the folders its WHERE clause can match (see <see cref="PartitionPruning"/>). With <paramref name="keptRows"/>,
    /// a JSON table the row cache can hold is read from it instead, and its entry is added to the list.
    /// </summary>
    private bool PrepareTables(string sql, string database, int depth = 0, bool prune = false, List<LakeRowCache.Entry>? keptRows = null, int firstObjects = 0)
    {
        // What the views of this statement are made of is told afresh for each statement.
        if (depth == 0) firstObjectsOnly = keptViewUsed = false;
        if (depth > 10) throw new AthenaQueryException("INVALID_VIEW", "line 1:1: Views refer to each other in a loop.");
        EnsureSchema(database);
        if (currentDatabase != database)
        {
            Execute($"USE {EngineCatalog}.{Quote(database)}");
            currentDatabase = database;
        }
        var named = CatalogTablesNamedIn(sql, database);
        // Pruning only the one table of a top-level query: a view's own SQL, or a second table, may read it unfiltered.
        var pruning = prune && depth == 0 && named.Count == 1 ? PartitionPruning.For(sql, named[0].Table, database) : null;
        var changed = false;
        foreach (var (db, name, table) in named)
        {
            EnsureSchema(db);
            if (table.IsView)
            {
                var dependencyChanged = PrepareTables(table.ViewOriginalText!, db, depth + 1, keptRows: keptRows);
                if (currentDatabase != database)
                {
                    Execute($"USE {EngineCatalog}.{Quote(database)}");
                    currentDatabase = database;
                }
                // A view is made again after any view it reads changed: DuckDB keeps the column types it was made with.
                changed |= DefineView(db, name, TranslateForEngine(table.ViewOriginalText!, clock.GetUtcNow()), always: dependencyChanged);
            }
            else
            {
                var scan = TableScan(table, pruning, db, name, keptRows, depth == 0 ? firstObjects : 0);
                try
                {
                    // A view over a table's first objects is made afresh each time: one kept from an earlier query may be out of date.
                    changed |= DefineView(db, name, scan, always: firstObjects > 0 && depth == 0);
                }
                catch (DbException error)
                {
                    throw new AthenaQueryException("HIVE_BAD_DATA",
                        $"Table {db}.{name} cannot be read: {error.Message.Split('\n')[0].Trim()} Check the objects of its partitions (SHOW PARTITIONS), and drop a partition whose location holds other data.");
                }
            }
        }
        return changed;
    }

    /// <summary>CREATE OR REPLACE VIEW, skipped when the view already has exactly this definition.</summary>
    private bool DefineView(string database, string name, string definition, bool always)
    {
        var key = $"{database}.{name}";
        if (!always && viewDefinitions.TryGetValue(key, out var current) && current == definition)
        {
            keptViewUsed = true;
            return false;
        }
        viewDefinitions.Remove(key);
        parquetPlanColumns.Clear();
        Execute($"CREATE OR REPLACE VIEW {Quote(database)}.{Quote(name)} AS {definition}");
        ViewsMade++;
        viewDefinitions[key] = definition;
        return true;
    }

    /// <summary>The catalog's tables and views the SQL names, each with its database and name.</summary>
    private List<(string Database, string Name, GlueTable Table)> CatalogTablesNamedIn(string sql, string database)
    {
        var named = new List<(string Database, string Name, GlueTable Table)>();
        var tablesOf = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var (db, name) in NamedTables(sql, database))
        {
            if (!tablesOf.TryGetValue(db, out var tables)) tablesOf[db] = tables = catalog.TableNames(db);
            if (tables.Contains(name)) named.Add((db, name, catalog.GetTable(db, name)));
        }
        return named;
    }

    /// <summary>Every word or quoted name in the SQL that could be a table, with its database (db.table or the current one).</summary>
    private static IEnumerable<(string Database, string Table)> NamedTables(string sql, string database)
    {
        var parts = AthenaSql.SignificantTokens(sql);
        var seen = new HashSet<(string, string)>();
        for (var i = 0; i < parts.Count; i++)
        {
            if (parts[i].Kind is not (AthenaSql.TokenKind.Word or AthenaSql.TokenKind.QuotedIdentifier)) continue;
            var name = Unquote(parts[i]);
            var db = database;
            if (i >= 2 && parts[i - 1].Text == "." && parts[i - 2].Kind is AthenaSql.TokenKind.Word or AthenaSql.TokenKind.QuotedIdentifier)
                db = Unquote(parts[i - 2]);
            if (seen.Add((db, name)) && IsName(db) && IsName(name)) yield return (db, name);
        }
    }

    private static bool IsName(string s) => NameShape().IsMatch(s);

    private static string Unquote(AthenaSql.Token token) =>
        (token.Kind == AthenaSql.TokenKind.QuotedIdentifier ? token.Text[1..^1] : token.Text).ToLowerInvariant();

    private string TableScan(GlueTable table, PartitionPruning? pruning, string database, string name, List<LakeRowCache.Entry>? keptRows, int firstObjects = 0)
    {
        var scans = new LakeTableScan(catalog, lake, clock, listing);
        if (firstObjects > 0 && table.Classification != "parquet" && scans.PathPartitionedObjects(table) is { } objects && objects.Count > firstObjects)
        {
            firstObjectsOnly = true;
            return LakeTableScan.SqlOver(table, objects.Take(firstObjects).ToList());
        }
        if (keptRows is null || table.Classification == "parquet" || (pruning is not null && scans.LeavesFewPartitions(table, pruning))
            || rowCache.Scan(database, name, table, scans.PathPartitionedObjects(table)) is not { } kept)
            return scans.Sql(table, pruning);
        if (!keptRows.Contains(kept.Entry)) keptRows.Add(kept.Entry);
        return kept.Sql;
    }

    /// <summary>An S3 location checked as object keys are (no '..', no leading '/', a valid bucket); a bad one fails the query clearly.</summary>
    internal static S3Location ParseLocation(string text, string errorType = "INVALID_TABLE_PROPERTY")
    {
        try
        {
            return S3Location.Parse(text);
        }
        catch (Errors.ServiceException error)
        {
            throw new AthenaQueryException(errorType, $"line 1:1: {error.Message}");
        }
    }

    /// <summary>The lake folder of a location, refused if it would leave its bucket or pass through a symbolic link.</summary>
    private string LocalFolder(S3Location location)
    {
        try
        {
            return lake.GetLocalFolder(location.Bucket, location.FolderPrefix);
        }
        catch (Errors.ServiceException error)
        {
            throw new AthenaQueryException("ACCESS_DENIED", $"line 1:1: {location}: {error.Message}");
        }
    }

    private void EnsureSchema(string database)
    {
        if (schemas.Add(database)) Execute($"CREATE SCHEMA IF NOT EXISTS {EngineCatalog}.{Quote(database)}");
    }

    private void Execute(string sql)
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    private static string FirstWord(string statement) => FirstWordPattern().Match(statement).Groups["word"].Value;

    private static string StatementTypeOf(string sql) =>
        FirstWord(AthenaSql.Significant(sql)).ToLowerInvariant() is "select" or "with" or "values" or "insert" ? "DML" : "DDL";

    /// <summary>Unaliased expressions are named _col0, _col1... by position, as Athena names them.</summary>
    private static string ColumnName(string name, int index) => SimpleName().IsMatch(name) ? name.ToLowerInvariant() : $"_col{index}";

    internal static string AthenaType(string duckType)
    {
        var upper = duckType.ToUpperInvariant();
        if (upper.StartsWith("DECIMAL", StringComparison.Ordinal)) return duckType.ToLowerInvariant();
        if (upper.EndsWith("[]", StringComparison.Ordinal) || upper.StartsWith("LIST", StringComparison.Ordinal)) return "array";
        return upper switch
        {
            "VARCHAR" => "varchar",
            "DOUBLE" => "double",
            "FLOAT" => "real",
            "BIGINT" or "HUGEINT" or "UBIGINT" => "bigint",
            "INTEGER" or "UINTEGER" => "integer",
            "SMALLINT" => "smallint",
            "TINYINT" => "tinyint",
            "BOOLEAN" => "boolean",
            "TIMESTAMP" => "timestamp",
            "TIMESTAMP WITH TIME ZONE" => "timestamp with time zone",
            "DATE" => "date",
            "INTERVAL" => "interval day to second",
            _ when upper.StartsWith("STRUCT", StringComparison.Ordinal) => "row",
            _ when upper.StartsWith("MAP", StringComparison.Ordinal) => "map",
            _ => upper.ToLowerInvariant(),
        };
    }

    /// <summary>The Glue type a result column gets when a view or CTAS is registered.</summary>
    internal static string HiveType(string athenaType) => athenaType switch
    {
        "varchar" => "string",
        "integer" => "int",
        "real" => "float",
        "timestamp with time zone" => "timestamp",
        "interval day to second" => "string",
        "array" or "row" or "map" => "string",
        var t => t,
    };

    private void WriteResultFiles(QueryExecution execution, IReadOnlyList<ResultColumn> columns, IReadOnlyList<object?[]> rows)
    {
        var location = S3Location.Parse(execution.OutputLocation);
        if (!lake.BucketExistsAsync(location.Bucket).GetAwaiter().GetResult()) return;
        var csv = Encoding.UTF8.GetBytes(AthenaCsv.Write(columns, rows));
        lake.PutObjectAsync(location.Bucket, $"{location.FolderPrefix}{execution.QueryExecutionId}.csv", csv).GetAwaiter().GetResult();
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new { columns, rowCount = rows.Count, execution.Statistics });
        lake.PutObjectAsync(location.Bucket, $"{location.FolderPrefix}{execution.QueryExecutionId}.csv.metadata", metadata).GetAwaiter().GetResult();
    }

    public void Dispose() => duck.Dispose();

    [GeneratedRegex(@"^(CREATE\s+(DATABASE|SCHEMA)\s|SHOW\s+(DATABASES|SCHEMAS)$)", RegexOptions.IgnoreCase)]
    private static partial Regex NeedsNoDatabase();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex SimpleName();

    [GeneratedRegex(@"^[a-z0-9_-]{1,255}$")]
    private static partial Regex NameShape();

    [GeneratedRegex(@"^[\s(]*(?<word>[A-Za-z]+)")]
    private static partial Regex FirstWordPattern();
}
