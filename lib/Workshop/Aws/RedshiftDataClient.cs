using StreamingWorkshop.Warehouse;

namespace StreamingWorkshop.Aws;

/// <summary>The Redshift Data API (JSON 1.1, target prefix RedshiftData): statements on the stack's cluster.</summary>
public sealed class RedshiftDataClient(AwsJsonClient redshiftData) : IWarehouseService
{
    private readonly AwsJsonClient client = redshiftData;

    public Task<string> ExecuteStatementAsync(WarehouseTarget target, string sql, string? statementName = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<string> BatchExecuteStatementAsync(WarehouseTarget target, IReadOnlyList<string> sqls, string? statementName = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<StatementDescription> DescribeStatementAsync(string id, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<StatementResultPage> GetStatementResultAsync(string id, string? nextToken = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task<bool> CancelStatementAsync(string id, CancellationToken cancellationToken = default) => throw new NotImplementedException();
}
