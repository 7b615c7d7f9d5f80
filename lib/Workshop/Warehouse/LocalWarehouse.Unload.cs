using System.Data.Common;
using DuckDB.NET.Data;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;

namespace StreamingWorkshop.Warehouse;

// UNLOAD: a query's rows written to the lake as Redshift names the objects.
public sealed partial class LocalWarehouse
{
    private WarehouseOutcome RunUnload(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        var unload = UnloadCommand.Parse(sql);
        RequireRole(unload.IamRole, unload.Region, "UNLOAD");
        var target = ParseS3(unload.Target);
        if (!lake.BucketExistsAsync(target.Bucket, cancellationToken).GetAwaiter().GetResult())
            throw new RedshiftSqlException($"S3ServiceException:The specified bucket does not exist,Status 404,Error NoSuchBucket: {target.Bucket}. Check the bucket's name (workshop lake ls).");
        var existing = lake.ListAllAsync(target.Bucket, target.Prefix, cancellationToken).ToBlockingEnumerable(cancellationToken).Select(o => o.Key).ToList();
        if (existing.Count > 0 && !unload.AllowOverwrite && !unload.CleanPath)
            throw new RedshiftSqlException("Specified unload destination on S3 is not empty. Consider using a different bucket / prefix, manually removing the target files in S3, or using the ALLOWOVERWRITE option.");
        if (unload.CleanPath)
            foreach (var key in existing) lake.DeleteObjectAsync(target.Bucket, key, cancellationToken).GetAwaiter().GetResult();

        PrepareExternalTables(connection, unload.Query);
        var query = RedshiftSql.Translate(unload.Query.Trim().TrimEnd(';'));
        var scratch = Path.Combine(workspace.EnsureFolder("warehouse"), ".unload-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(scratch);
        try
        {
            var partitioned = unload.PartitionBy.Count > 0;
            var output = partitioned ? scratch : Path.Combine(scratch, "part");
            long rows;
            try
            {
                using var command = connection.CreateCommand();
                command.CommandText = $"COPY ({query}) TO {Literal(output)} ({string.Join(", ", CopyToOptions(unload))})";
                rows = command.ExecuteNonQuery();
            }
            catch (DbException error)
            {
                throw RedshiftSql.ErrorFrom(error.Message, unload.Query);
            }
            var extension = unload.Extension is { } chosen ? "." + chosen.TrimStart('.') : unload.Format == UnloadFormat.Parquet ? ".parquet" : unload.Gzip ? ".gz" : "";
            var first = unload.Parallel ? "0000_part_" : "";
            string Name(int index) => unload.Parallel ? $"{first}{index:00}{extension}" : $"{index:000}{extension}";
            if (!partitioned)
            {
                Put(target.Bucket, target.Prefix + Name(0), output, cancellationToken);
                return WarehouseOutcome.Changed(rows);
            }
            foreach (var folder in Directory.EnumerateFiles(scratch, "*", SearchOption.AllDirectories).GroupBy(Path.GetDirectoryName).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var relative = Path.GetRelativePath(scratch, folder.Key!).Replace('\\', '/');
                var index = 0;
                foreach (var file in folder.Order(StringComparer.Ordinal))
                    Put(target.Bucket, $"{target.FolderPrefix}{relative}/{Name(index++)}", file, cancellationToken);
            }
            return WarehouseOutcome.Changed(rows);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static IEnumerable<string> CopyToOptions(UnloadCommand unload)
    {
        switch (unload.Format)
        {
            case UnloadFormat.Parquet:
                yield return "FORMAT parquet";
                break;
            case UnloadFormat.Json:
                yield return "FORMAT json";
                break;
            case UnloadFormat.Csv:
                yield return "FORMAT csv";
                yield return $"DELIMITER {Literal(unload.Delimiter ?? ",")}";
                yield return $"HEADER {(unload.Header ? "true" : "false")}";
                break;
            default:
                // Redshift's default: pipe-delimited text, nothing quoted.
                yield return "FORMAT csv";
                yield return $"DELIMITER {Literal(unload.Delimiter ?? "|")}";
                yield return "QUOTE ''";
                yield return $"HEADER {(unload.Header ? "true" : "false")}";
                break;
        }
        if (unload.Gzip && unload.Format != UnloadFormat.Parquet) yield return "COMPRESSION gzip";
        if (unload.PartitionBy.Count > 0)
        {
            yield return $"PARTITION_BY ({string.Join(", ", unload.PartitionBy.Select(QuoteIdentifier))})";
            yield return $"WRITE_PARTITION_COLUMNS {(unload.IncludePartitionColumns ? "true" : "false")}";
        }
    }

    /// <summary>Writes a file the query made into the lake as an object, so its listing, metadata and the S3 endpoint see it.</summary>
    private void Put(string bucket, string key, string file, CancellationToken cancellationToken)
    {
        var content = File.Exists(file) ? File.ReadAllBytes(file) : [];
        lake.PutObjectAsync(bucket, key, content, cancellationToken).GetAwaiter().GetResult();
    }
}
