using System.Globalization;
using System.Text.Json.Nodes;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Warehouse;

namespace StreamingWorkshop.Serve;

/// <summary>
/// The Redshift Data API on JSON 1.1 (X-Amz-Target RedshiftData.*), over the workspace's local clusters: statements
/// run as the session's own calls run them, and the answers are spelt as the API reference spells them (times in
/// epoch seconds, durations in nanoseconds, each value a Field with one member set).
/// </summary>
internal sealed class RedshiftDataHandler(LocalWarehouseService warehouse)
{
    public const string TargetPrefix = "RedshiftData";
    private const string Service = "redshift-data";

    /// <summary>The operations this endpoint answers, in the order the API reference lists them.</summary>
    public static readonly IReadOnlyList<string> Operations =
        ["BatchExecuteStatement", "CancelStatement", "DescribeStatement", "DescribeTable", "ExecuteStatement", "GetStatementResult", "ListDatabases", "ListSchemas", "ListTables"];

    public async Task<JsonObject> HandleAsync(string operation, JsonObject input, CancellationToken cancellationToken)
    {
        switch (operation)
        {
            case "ExecuteStatement":
            {
                var target = Target(input);
                var sql = Required(input, "Sql");
                if (input["Parameters"] is { } parameters) sql = DataApiParameters.Bind(sql, DataApiParameters.Check(ParameterList(parameters)));
                var id = await warehouse.ExecuteStatementAsync(target, sql, StatementName(input), cancellationToken);
                return Started(id, target, await warehouse.DescribeStatementAsync(id, cancellationToken));
            }
            case "BatchExecuteStatement":
            {
                var target = Target(input);
                var sqls = Sqls(input);
                var id = await warehouse.BatchExecuteStatementAsync(target, sqls, StatementName(input), cancellationToken);
                return Started(id, target, await warehouse.DescribeStatementAsync(id, cancellationToken));
            }
            case "DescribeStatement":
                return Described(await warehouse.DescribeStatementAsync(Required(input, "Id"), cancellationToken));
            case "GetStatementResult":
            {
                var page = await warehouse.GetStatementResultAsync(Required(input, "Id"), Optional(input, "NextToken"), cancellationToken);
                var answer = new JsonObject
                {
                    ["Records"] = Array(page.Records.Select(row => (JsonNode)Array(row.Select(Field)))),
                    ["ColumnMetadata"] = Array(page.Columns.Select(Column)),
                    ["TotalNumRows"] = page.TotalNumRows,
                };
                if (page.NextToken is { } next) answer["NextToken"] = next;
                return answer;
            }
            case "CancelStatement":
                return new JsonObject { ["Status"] = await warehouse.CancelStatementAsync(Required(input, "Id"), cancellationToken) };
            case "ListDatabases":
            {
                var cluster = Cluster(input);
                return new JsonObject { ["Databases"] = Array([JsonValue.Create(cluster.Cluster.Database)]) };
            }
            case "ListSchemas":
            {
                var cluster = Cluster(input);
                var pattern = Optional(input, "SchemaPattern") ?? "%";
                var schemas = Rows(cluster, "SELECT schema_name FROM information_schema.schemata "
                    + $"WHERE catalog_name = {Literal(cluster.Cluster.Database)} AND schema_name LIKE {Literal(pattern)} ORDER BY 1");
                return new JsonObject { ["Schemas"] = Array(schemas.Select(r => (JsonNode?)JsonValue.Create((string?)r[0]))) };
            }
            case "ListTables":
            {
                var cluster = Cluster(input);
                var tables = Rows(cluster, "SELECT table_schema, table_name, table_type FROM information_schema.tables "
                    + $"WHERE table_catalog = {Literal(cluster.Cluster.Database)} AND table_schema LIKE {Literal(Optional(input, "SchemaPattern") ?? "%")} AND table_name LIKE {Literal(Optional(input, "TablePattern") ?? "%")} ORDER BY 1, 2");
                return new JsonObject
                {
                    ["Tables"] = Array(tables.Select(r => (JsonNode)new JsonObject
                    {
                        ["schema"] = (string?)r[0], ["name"] = (string?)r[1], ["type"] = (string?)r[2] == "VIEW" ? "VIEW" : "TABLE",
                    })),
                };
            }
            case "DescribeTable":
            {
                var cluster = Cluster(input);
                var schema = Optional(input, "Schema") ?? "public";
                var table = Required(input, "Table");
                var probe = Run(cluster, $"SELECT * FROM {Identifier(schema)}.{Identifier(table)} LIMIT 0");
                return new JsonObject
                {
                    ["TableName"] = table,
                    ["ColumnList"] = Array(probe.Columns.Select(c =>
                    {
                        var column = Column(c);
                        column["schemaName"] = schema;
                        column["tableName"] = table;
                        return column;
                    })),
                };
            }
            default:
                throw new ServiceException(Service, "UnknownOperationException",
                    $"Redshift Data API operation '{operation}' is not served by the local endpoint; it serves {string.Join(", ", Operations)}.");
        }
    }

    private static JsonObject Started(string id, WarehouseTarget target, StatementDescription statement) => new()
    {
        ["Id"] = id,
        ["ClusterIdentifier"] = target.ClusterIdentifier,
        ["Database"] = target.Database,
        ["DbUser"] = target.DbUser,
        ["CreatedAt"] = EpochSeconds(statement.CreatedAt),
    };

    private static JsonObject Described(StatementDescription s)
    {
        var answer = new JsonObject
        {
            ["Id"] = s.Id,
            ["QueryString"] = s.QueryString,
            ["Status"] = s.Status,
            ["ClusterIdentifier"] = s.ClusterIdentifier,
            ["Database"] = s.Database,
            ["DbUser"] = s.DbUser,
            ["CreatedAt"] = EpochSeconds(s.CreatedAt),
            ["UpdatedAt"] = EpochSeconds(s.UpdatedAt),
            ["Duration"] = s.DurationNanoseconds,
            ["HasResultSet"] = s.HasResultSet,
            ["ResultRows"] = s.ResultRows,
            ["ResultSize"] = s.ResultSize,
            ["RedshiftQueryId"] = s.RedshiftQueryId,
        };
        if (s.Error is { } error) answer["Error"] = error;
        if (s.SubStatements is { } subs)
            answer["SubStatements"] = Array(subs.Select(sub =>
            {
                var item = new JsonObject
                {
                    ["Id"] = sub.Id, ["QueryString"] = sub.QueryString, ["Status"] = sub.Status, ["Duration"] = sub.DurationNanoseconds,
                    ["HasResultSet"] = sub.HasResultSet, ["ResultRows"] = sub.ResultRows, ["ResultSize"] = sub.ResultSize,
                    ["CreatedAt"] = EpochSeconds(s.CreatedAt), ["UpdatedAt"] = EpochSeconds(s.UpdatedAt),
                };
                if (sub.Error is { } subError) item["Error"] = subError;
                return (JsonNode)item;
            }));
        return answer;
    }

    /// <summary>A value as the API's Field union: whole numbers as longValue, other numbers as doubleValue (DECIMAL as text, as Redshift sends it), bytes base64 encoded.</summary>
    private static JsonNode Field(object? value) => value switch
    {
        null => new JsonObject { ["isNull"] = true },
        bool truth => new JsonObject { ["booleanValue"] = truth },
        long or int or short or sbyte or byte or uint => new JsonObject { ["longValue"] = Convert.ToInt64(value, CultureInfo.InvariantCulture) },
        double or float => new JsonObject { ["doubleValue"] = Convert.ToDouble(value, CultureInfo.InvariantCulture) },
        decimal number => new JsonObject { ["stringValue"] = number.ToString(CultureInfo.InvariantCulture) },
        byte[] bytes => new JsonObject { ["blobValue"] = Convert.ToBase64String(bytes) },
        IFormattable formattable => new JsonObject { ["stringValue"] = formattable.ToString(null, CultureInfo.InvariantCulture) },
        _ => new JsonObject { ["stringValue"] = value.ToString() },
    };

    private static JsonObject Column(WarehouseColumn column) => new() { ["name"] = column.Name, ["label"] = column.Name, ["typeName"] = column.TypeName };

    /// <summary>The cluster, database and user a statement runs as: a provisioned cluster named by ClusterIdentifier, its one database, and a user.</summary>
    private WarehouseTarget Target(JsonObject input)
    {
        var cluster = Cluster(input);
        var user = Optional(input, "DbUser");
        if (user is null && Optional(input, "SecretArn") is null) throw Missing("DbUser");
        return new WarehouseTarget(cluster.Cluster.Identifier, cluster.Cluster.Database, user ?? cluster.Cluster.MasterUsername);
    }

    private LocalWarehouse Cluster(JsonObject input)
    {
        if (Optional(input, "WorkgroupName") is { } workgroup)
            throw new ValidationException(Service, $"WorkgroupName '{workgroup}': the local endpoint serves the stack's provisioned cluster, not Redshift Serverless; give ClusterIdentifier instead (stack output WarehouseClusterIdentifier).");
        var identifier = Optional(input, "ClusterIdentifier")
            ?? throw new ValidationException(Service, "ClusterIdentifier is required: the stack's cluster (stack output WarehouseClusterIdentifier).");
        var engine = warehouse.Cluster(identifier);
        var database = Required(input, "Database");
        if (database != engine.Cluster.Database)
            throw new ValidationException(Service, $"Database '{database}' does not exist on cluster {identifier}; its database is {engine.Cluster.Database} (stack output WarehouseDatabase).");
        return engine;
    }

    private static IReadOnlyList<object?[]> Rows(LocalWarehouse cluster, string sql) => Run(cluster, sql).Rows;

    /// <summary>A statement of the endpoint's own on the cluster; the cluster's refusal is the call's error, as the Data API reports it.</summary>
    private static WarehouseOutcome Run(LocalWarehouse cluster, string sql)
    {
        try
        {
            return cluster.Execute(sql);
        }
        catch (RedshiftSqlException error)
        {
            throw new ServiceException(Service, "ExecuteStatementException", error.DataApiError);
        }
    }

    private static IReadOnlyList<string> Sqls(JsonObject input)
    {
        var list = input["Sqls"] switch
        {
            null => throw Missing("Sqls"),
            JsonArray items => items,
            _ => throw new ValidationException(Service, "Sqls must be a list of SQL statements."),
        };
        if (list.Count is < 1 or > 40) throw new ValidationException(Service, $"Sqls has {list.Count} statements; give 1 to 40.");
        return list.Select((item, i) => item is JsonValue value && value.TryGetValue<string>(out var sql) && sql.Length > 0
            ? sql : throw new ValidationException(Service, $"Sqls[{i}] must be a SQL statement (a non-empty string).")).ToArray();
    }

    private static IEnumerable<(string? Name, string? Value)> ParameterList(JsonNode parameters) => parameters is JsonArray { Count: > 0 } items
        ? items.Select(item => item is JsonObject member ? (Optional(member, "name"), Optional(member, "value"))
            : throw new ValidationException(Service, "Each of Parameters must be an object with a name and a value."))
        : throw new ValidationException(Service, "Parameters must be a list of one or more {\"name\": ..., \"value\": ...} objects.");

    private static string? StatementName(JsonObject input) =>
        Optional(input, "StatementName") is { Length: > 500 } name ? throw new ValidationException(Service, $"StatementName is {name.Length} characters long; it may have at most 500.") : Optional(input, "StatementName");

    private static string Required(JsonObject input, string name) => Optional(input, name) ?? throw Missing(name);

    private static string? Optional(JsonObject input, string name) => input[name] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => throw new ValidationException(Service, $"{name} must be a string."),
    };

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static JsonArray Array(IEnumerable<JsonNode?> items) => new(items.ToArray());

    private static double EpochSeconds(DateTimeOffset time) => Math.Round(time.ToUnixTimeMilliseconds() / 1000.0, 3);

    private static ValidationException Missing(string name) =>
        new(Service, $"1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null");
}
