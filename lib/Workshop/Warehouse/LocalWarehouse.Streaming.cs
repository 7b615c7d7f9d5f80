using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using StreamingWorkshop.Broker;

namespace StreamingWorkshop.Warehouse;

// Streaming ingestion: an external schema over Kinesis, and materialized views that read the stream's shards.
public sealed partial class LocalWarehouse
{
    /// <summary>
    /// How old a view's last refresh may get before a statement refreshes it, for views made with AUTO REFRESH YES.
    /// Redshift refreshes such views on its own as records arrive, usually within seconds to a minute; on the clock the
    /// warehouse does it before the next statement once this much time has passed, so records put a virtual minute ago are in the view.
    /// </summary>
    public static readonly TimeSpan AutoRefreshInterval = TimeSpan.FromSeconds(10);

    /// <summary>Where a refresh lays the stream's new records out in the stream's columns, for the view's SELECT to read.</summary>
    private const string StagedRecordsTable = "kinesis_records";
    private const string StagedRecords = "temp.main." + StagedRecordsTable;

    /// <summary>The error code SYS_STREAM_SCAN_ERRORS gives records that aged out of the stream before a refresh read them.</summary>
    public const int RecordsLostErrorCode = 1;

    private WarehouseOutcome CreateKinesisSchema(DuckDBConnection connection, string sql)
    {
        var match = KinesisSchemaStatement().Match(sql);
        if (!match.Success)
            throw new RedshiftSqlException("syntax error in CREATE EXTERNAL SCHEMA: write CREATE EXTERNAL SCHEMA [IF NOT EXISTS] name FROM KINESIS IAM_ROLE { default | 'arn:aws:iam::...:role/...' }", "42601");
        var name = Identifier(match.Groups["name"].Value);
        if (!match.Groups["role"].Success)
            throw new RedshiftSqlException($"CREATE EXTERNAL SCHEMA {name} FROM KINESIS needs IAM_ROLE: name a role attached to the cluster ('arn:aws:iam::...:role/...') or write IAM_ROLE default.", "42601");
        if (SchemaExists(connection, name))
        {
            if (match.Groups["ifnot"].Success) return WarehouseOutcome.Done;
            throw new RedshiftSqlException($"Schema \"{name}\" already exists", "42P06");
        }
        var role = ResolveRole(match.Groups["role"].Value);
        Write(connection, $"INSERT INTO {StreamingCatalog.KinesisSchemas} VALUES ($1, $2, $3)", name, role, clock.GetUtcNow().UtcDateTime);
        return WarehouseOutcome.Done;
    }

    /// <summary>The role the schema reads the stream with: one the cluster has attached, or its default role.</summary>
    private string ResolveRole(string written) => Cluster.ResolveRole(written, streams.Region, streams.AccountId);

    private WarehouseOutcome CreateMaterializedView(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        var match = MaterializedViewStatement().Match(sql);
        if (!match.Success)
            throw new RedshiftSqlException("syntax error in CREATE MATERIALIZED VIEW: write CREATE MATERIALIZED VIEW name [BACKUP NO] [AUTO REFRESH YES|NO] AS SELECT ... FROM schema.\"stream-name\"", "42601");
        var name = Identifier(match.Groups["name"].Value);
        var (backup, autoRefresh) = (true, false);
        foreach (Match option in ViewOption().Matches(match.Groups["options"].Value))
        {
            if (option.Groups["backup"].Success) backup = option.Groups["backup"].Value.Equals("YES", StringComparison.OrdinalIgnoreCase);
            if (option.Groups["auto"].Success) autoRefresh = option.Groups["auto"].Value.Equals("YES", StringComparison.OrdinalIgnoreCase);
        }
        var select = match.Groups["select"].Value;
        var source = FindStream(connection, select)
            ?? throw RedshiftSqlException.NotSupported("CREATE MATERIALIZED VIEW over tables",
                "The local warehouse makes materialized views over a Kinesis external schema (FROM schema.\"stream-name\"); for tables, use CREATE TABLE AS.");
        if (!streams.Exists(source.Stream))
            throw new RedshiftSqlException($"Stream \"{source.Stream}\" does not exist in Kinesis (external schema {source.Schema}). Check the name with ListStreams: stream names are case sensitive, so quote them.", "42P01");
        if (RelationExists(connection, name)) throw new RedshiftSqlException($"relation \"{name}\" already exists", "42P07");

        var now = clock.GetUtcNow();
        var id = Scalar<long>(connection, $"SELECT coalesce(max(mv_id), 100000) + 1 FROM {StreamingCatalog.Views}");
        var view = new StreamingView(id, name, source.Schema, source.Stream, select, autoRefresh, now);
        // The table first: a SELECT that does not run leaves nothing behind.
        Ingest(connection, view, creating: true, now, NextQueryId(connection));
        Write(connection, $"INSERT INTO {StreamingCatalog.Views} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, false)",
            id, name, source.Schema, source.Stream, select, autoRefresh, backup, now.UtcDateTime);
        return WarehouseOutcome.Done;
    }

    private WarehouseOutcome RefreshMaterializedView(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        var match = RefreshStatement().Match(sql);
        if (!match.Success) throw new RedshiftSqlException("syntax error in REFRESH MATERIALIZED VIEW: write REFRESH MATERIALIZED VIEW name", "42601");
        var view = ExistingView(connection, Identifier(match.Groups["name"].Value));
        Refresh(connection, view, "Manual");
        return WarehouseOutcome.Done;
    }

    private WarehouseOutcome DropMaterializedView(DuckDBConnection connection, string sql)
    {
        var match = DropStatement().Match(sql);
        if (!match.Success) throw new RedshiftSqlException("syntax error in DROP MATERIALIZED VIEW: write DROP MATERIALIZED VIEW [IF EXISTS] name", "42601");
        var name = Identifier(match.Groups["name"].Value);
        if (LoadViews(connection).All(v => v.Name != name))
        {
            if (match.Groups["ifexists"].Success) return WarehouseOutcome.Done;
            ExistingView(connection, name);
        }
        Write(connection, $"DROP TABLE IF EXISTS public.{QuoteIdentifier(name)}");
        Write(connection, $"DELETE FROM {StreamingCatalog.Checkpoints} WHERE mv_name = $1", name);
        Write(connection, $"DELETE FROM {StreamingCatalog.Views} WHERE name = $1", name);
        return WarehouseOutcome.Done;
    }

    private WarehouseOutcome AlterMaterializedView(DuckDBConnection connection, string sql)
    {
        var match = AlterStatement().Match(sql);
        if (!match.Success)
            throw RedshiftSqlException.NotSupported("this form of ALTER MATERIALIZED VIEW", "Write ALTER MATERIALIZED VIEW name AUTO REFRESH YES|NO, or drop the view and create it again.");
        var view = ExistingView(connection, Identifier(match.Groups["name"].Value));
        Write(connection, $"UPDATE {StreamingCatalog.Views} SET auto_refresh = $1 WHERE name = $2",
            match.Groups["auto"].Value.Equals("YES", StringComparison.OrdinalIgnoreCase), view.Name);
        return WarehouseOutcome.Done;
    }

    /// <summary>
    /// Refreshes the views made with AUTO REFRESH YES whose last refresh is <see cref="AutoRefreshInterval"/> old on the
    /// clock, and marks the others stale when their stream holds records they have not read, before a statement reads them.
    /// </summary>
    private void AutoRefresh(DuckDBConnection connection, CancellationToken cancellationToken)
    {
        var views = LoadViews(connection);
        if (views.Count == 0) return;
        var now = clock.GetUtcNow();
        foreach (var view in views)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var exists = streams.Exists(view.Stream);
            if (view.AutoRefresh && exists && now - view.LastRefreshAt >= AutoRefreshInterval)
            {
                try
                {
                    Refresh(connection, view, "Auto", autoRefreshedSince: view.LastRefreshAt);
                    continue;
                }
                catch (RedshiftSqlException error)
                {
                    // A refresh the statement did not ask for does not fail it: the history says why, and the clock sets the next try.
                    Write(connection, "INSERT INTO pg_internal.sys_mv_refresh_history VALUES (100, 1, $1, current_database(), 'public', $2, $3, 'Auto', $4, $5, $5, 0)",
                        NextQueryId(connection), view.Id, view.Name, $"Refresh failed: {error.Message}", now.UtcDateTime);
                    Write(connection, $"UPDATE {StreamingCatalog.Views} SET last_refresh_at = $1 WHERE name = $2", now.UtcDateTime, view.Name);
                }
            }
            var checkpoints = LoadCheckpoints(connection, view.Name);
            var stale = !exists || streams.RecordCounts(view.Stream).Any(shard => shard.Value > checkpoints.GetValueOrDefault(shard.Key));
            Write(connection, $"UPDATE {StreamingCatalog.Views} SET is_stale = $1 WHERE name = $2 AND is_stale <> $1", stale, view.Name);
        }
    }

    /// <summary>
    /// An incremental refresh: each shard from its checkpoint on, appended to the view, recorded in the system tables.
    /// An automatic one done late (no statement looked at the cluster meanwhile) stamps each record with the refresh
    /// that would have read it, every <see cref="AutoRefreshInterval"/> after <paramref name="autoRefreshedSince"/>, as
    /// Redshift refreshing on its own would have.
    /// </summary>
    private void Refresh(DuckDBConnection connection, StreamingView view, string refreshType, DateTimeOffset? autoRefreshedSince = null)
    {
        var started = clock.GetUtcNow();
        var stopwatch = Stopwatch.StartNew();
        var queryId = NextQueryId(connection);
        if (!streams.Exists(view.Stream))
            throw new RedshiftSqlException($"Stream \"{view.Stream}\" of materialized view {view.Name} no longer exists in Kinesis. Drop the view, or create the stream again.", "42P01");
        var (read, lost) = Ingest(connection, view, creating: false, started, queryId, autoRefreshedSince);
        var status = read == 0 && lost == 0 ? "MV was already updated" : "Refresh successfully updated MV incrementally";
        var micros = stopwatch.Elapsed.Ticks / 10;
        Write(connection, "INSERT INTO pg_internal.sys_mv_refresh_history VALUES (100, 1, $1, current_database(), 'public', $2, $3, $4, $5, $6, $7, $8)",
            queryId, view.Id, view.Name, refreshType, status, started.UtcDateTime, started.UtcDateTime.AddTicks(micros * 10), micros);
        Write(connection, $"UPDATE {StreamingCatalog.Views} SET last_refresh_at = $1, is_stale = false WHERE name = $2", started.UtcDateTime, view.Name);
    }

    /// <summary>
    /// Reads the stream past the view's checkpoints, lays the records out in the stream's columns, and runs the view's SELECT
    /// over them into the view's table (made by it when <paramref name="creating"/>). Returns records read and records lost.
    /// </summary>
    private (long Read, long Lost) Ingest(DuckDBConnection connection, StreamingView view, bool creating, DateTimeOffset refreshTime, long queryId,
        DateTimeOffset? autoRefreshedSince = null)
    {
        DateTime RefreshedAt(DateTimeOffset arrival)
        {
            if (autoRefreshedSince is not { } since) return refreshTime.UtcDateTime;
            // The first refresh after the record arrived reads it: one at the very moment it arrives has already begun.
            var intervals = Math.Max(1, (long)Math.Floor((arrival - since) / AutoRefreshInterval) + 1);
            var tick = since + AutoRefreshInterval * intervals;
            return (tick < refreshTime ? tick : refreshTime).UtcDateTime;
        }
        var checkpoints = creating ? new Dictionary<string, long>() : LoadCheckpoints(connection, view.Name);
        var shards = streams.ReadAfter(view.Stream, checkpoints);
        Write(connection, $"""
            CREATE OR REPLACE TEMP TABLE kinesis_records (approximate_arrival_timestamp TIMESTAMP, partition_key VARCHAR,
                shard_id VARCHAR, sequence_number VARCHAR, refresh_time TIMESTAMP, kinesis_data BLOB)
            """);
        var refreshed = refreshTime.UtcDateTime;
        using (var appender = connection.CreateAppender("temp", "main", "kinesis_records"))
        {
            foreach (var shard in shards)
                foreach (var record in shard.Records)
                    appender.CreateRow()
                        .AppendValue(record.ApproximateArrivalTimestamp.UtcDateTime)
                        .AppendValue(record.PartitionKey)
                        .AppendValue(record.ShardId)
                        .AppendValue(record.SequenceNumber)
                        .AppendValue(RefreshedAt(record.ApproximateArrivalTimestamp))
                        .AppendValue(record.Data.ToArray())
                        .EndRow();
        }
        var select = RedshiftSql.Translate(SelectOverStagedRecords(view));
        var target = $"public.{QuoteIdentifier(view.Name)}";
        Write(connection, creating ? $"CREATE TABLE {target} AS {select}" : $"INSERT INTO {target} {select}");
        Write(connection, $"DROP TABLE {StagedRecords}");

        Write(connection, $"DELETE FROM {StreamingCatalog.Checkpoints} WHERE mv_name = $1", view.Name);
        var retentionHours = streams.DescribeStreamSummaryAsync(view.Stream).GetAwaiter().GetResult().RetentionPeriodHours;
        foreach (var shard in shards)
        {
            Write(connection, $"INSERT INTO {StreamingCatalog.Checkpoints} VALUES ($1, $2, $3)", view.Name, shard.ShardId, shard.LastNumber);
            if (shard.Records.Count > 0)
                Write(connection, "INSERT INTO pg_internal.sys_stream_scan_states VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, 0, $9, $10, $11)",
                    view.Schema, view.Stream, view.Name, queryId, refreshed, shard.ShardId, shard.Records[^1].SequenceNumber, (long)shard.Records.Count,
                    shard.Records.Sum(r => (long)r.Data.Length), shard.Records[0].ApproximateArrivalTimestamp.UtcDateTime, shard.Records[^1].ApproximateArrivalTimestamp.UtcDateTime);
            if (shard.LostRecords > 0)
                Write(connection, "INSERT INTO pg_internal.sys_stream_scan_errors VALUES ($1, $2, $3, $4, $4, 'A', $5, $6, $7, $8, $9, $10)",
                    view.Schema, view.Stream, view.Name, queryId, shard.OldestRetainedArrival?.UtcDateTime, refreshed, shard.ShardId,
                    shard.Records.Count > 0 ? shard.Records[0].SequenceNumber : null, RecordsLostErrorCode,
                    $"{shard.LostRecords} records left the stream's {retentionHours}-hour retention before a refresh read them");
        }
        return (shards.Sum(s => (long)s.Records.Count), shards.Sum(s => s.LostRecords));
    }

    /// <summary>The view's SELECT with the stream in its FROM replaced by the staged records.</summary>
    private static string SelectOverStagedRecords(StreamingView view)
    {
        var replaced = false;
        var select = StreamReference().Replace(view.Definition, match =>
        {
            if (replaced || Identifier(match.Groups["schema"].Value) != view.Schema || Identifier(match.Groups["stream"].Value) != view.Stream) return match.Value;
            replaced = true;
            return match.Groups["from"].Value + StagedRecords;
        });
        // Redshift parses VARBYTE as its UTF-8 text; spelled out here so the JSON functions see text.
        return JsonOfBytes().Replace(select, "${function}(FROM_VARBYTE(kinesis_data, 'utf-8'))");
    }

    /// <summary>The Kinesis schema and stream the SELECT reads from, or null when it reads no Kinesis schema.</summary>
    private static (string Schema, string Stream)? FindStream(DuckDBConnection connection, string select)
    {
        var schemas = KinesisSchemaNames(connection);
        foreach (Match match in StreamReference().Matches(select))
        {
            var schema = Identifier(match.Groups["schema"].Value);
            if (schemas.Contains(schema)) return (schema, Identifier(match.Groups["stream"].Value));
        }
        return null;
    }

    private static HashSet<string> KinesisSchemaNames(DuckDBConnection connection)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT schema_name FROM {StreamingCatalog.KinesisSchemas}";
        using var reader = command.ExecuteReader();
        while (reader.Read()) names.Add(reader.GetString(0));
        return names;
    }

    private static bool RelationExists(DuckDBConnection connection, string name) =>
        Scalar<long>(connection, """
            SELECT (SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'public' AND table_name = $1)
                 + (SELECT count(*) FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'public' AND view_name = $1)
            """, name) > 0;

    /// <summary>The streaming view of that name; a table of that name is not one, and no relation is Redshift's "does not exist".</summary>
    private static StreamingView ExistingView(DuckDBConnection connection, string name) =>
        LoadViews(connection).FirstOrDefault(v => v.Name == name)
        ?? throw (RelationExists(connection, name)
            ? new RedshiftSqlException($"\"{name}\" is not a materialized view", "42809")
            : new RedshiftSqlException($"relation \"{name}\" does not exist", "42P01"));

    private static List<StreamingView> LoadViews(DuckDBConnection connection)
    {
        var views = new List<StreamingView>();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT mv_id, name, external_schema, stream_name, definition, auto_refresh, last_refresh_at FROM {StreamingCatalog.Views} ORDER BY mv_id";
        using var reader = command.ExecuteReader();
        while (reader.Read())
            views.Add(new StreamingView(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetBoolean(5), new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(6), DateTimeKind.Utc))));
        return views;
    }

    private static Dictionary<string, long> LoadCheckpoints(DuckDBConnection connection, string view)
    {
        var checkpoints = new Dictionary<string, long>(StringComparer.Ordinal);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT shard_id, last_number FROM {StreamingCatalog.Checkpoints} WHERE mv_name = $1";
        command.Parameters.Add(new DuckDBParameter(view));
        using var reader = command.ExecuteReader();
        while (reader.Read()) checkpoints[reader.GetString(0)] = reader.GetInt64(1);
        return checkpoints;
    }

    /// <summary>Makes the streaming tables and system views in a cluster's file that lacks them; every connection checks as it opens.</summary>
    private void EnsureStreamingCatalog(DuckDBConnection connection)
    {
        if (Scalar<long>(connection, StreamingCatalog.ExistsQuery(Cluster.Database)) > 0) return;
        foreach (var statement in StreamingCatalog.Create(Cluster.MasterUsername)) Write(connection, statement);
    }

    /// <summary>Runs DuckDB SQL with positional parameters; DuckDB's errors come back in Redshift's words.</summary>
    private static void Write(DuckDBConnection connection, string duckSql, params object?[] values)
    {
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = duckSql;
            foreach (var value in values) command.Parameters.Add(new DuckDBParameter(value ?? DBNull.Value));
            command.ExecuteNonQuery();
        }
        catch (DbException error)
        {
            throw RedshiftSql.ErrorFrom(error.Message, duckSql);
        }
    }

    private static T Scalar<T>(DuckDBConnection connection, string duckSql, params object?[] values)
    {
        using var command = connection.CreateCommand();
        command.CommandText = duckSql;
        foreach (var value in values) command.Parameters.Add(new DuckDBParameter(value ?? DBNull.Value));
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), CultureInfo.InvariantCulture);
    }

    /// <summary>A name as Redshift reads it: quoted names as written, unquoted ones folded to lower case.</summary>
    private static string Identifier(string written) =>
        written.StartsWith('"') ? written[1..^1].Replace("\"\"", "\"") : written.ToLowerInvariant();

    private sealed record StreamingView(long Id, string Name, string Schema, string Stream, string Definition, bool AutoRefresh, DateTimeOffset LastRefreshAt);

    private const string IdentifierPattern = """(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)""";

    [GeneratedRegex($"""^CREATE\s+EXTERNAL\s+SCHEMA\s+(?<ifnot>IF\s+NOT\s+EXISTS\s+)?(?<name>{IdentifierPattern})\s+FROM\s+KINESIS(?:\s+IAM_ROLE\s+(?<role>default|'[^']*'))?\s*$""", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex KinesisSchemaStatement();

    [GeneratedRegex($"""^CREATE\s+MATERIALIZED\s+VIEW\s+(?:public\s*\.\s*)?(?<name>{IdentifierPattern})(?<options>(?:\s+(?:BACKUP\s+(?:YES|NO)|AUTO\s+REFRESH\s+(?:YES|NO)))*)\s+AS\s+(?:\(\s*(?<select>SELECT\b.+)\)|(?<select>SELECT\b.+))\s*$""", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex MaterializedViewStatement();

    [GeneratedRegex("""BACKUP\s+(?<backup>YES|NO)|AUTO\s+REFRESH\s+(?<auto>YES|NO)""", RegexOptions.IgnoreCase)]
    private static partial Regex ViewOption();

    [GeneratedRegex($"""^REFRESH\s+MATERIALIZED\s+VIEW\s+(?:public\s*\.\s*)?(?<name>{IdentifierPattern})\s*$""", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex RefreshStatement();

    [GeneratedRegex($"""^DROP\s+MATERIALIZED\s+VIEW\s+(?<ifexists>IF\s+EXISTS\s+)?(?:public\s*\.\s*)?(?<name>{IdentifierPattern})(?:\s+(?:CASCADE|RESTRICT))?\s*$""", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex DropStatement();

    [GeneratedRegex($"""^ALTER\s+MATERIALIZED\s+VIEW\s+(?:public\s*\.\s*)?(?<name>{IdentifierPattern})\s+AUTO\s+REFRESH\s+(?<auto>YES|NO)\s*$""", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex AlterStatement();

    [GeneratedRegex($"""(?<from>\bFROM\s+)(?<schema>{IdentifierPattern})\s*\.\s*(?<stream>{IdentifierPattern})""", RegexOptions.IgnoreCase)]
    private static partial Regex StreamReference();

    [GeneratedRegex("""\b(?<function>CAN_JSON_PARSE|JSON_PARSE)\s*\(\s*kinesis_data\s*\)""", RegexOptions.IgnoreCase)]
    private static partial Regex JsonOfBytes();
}
