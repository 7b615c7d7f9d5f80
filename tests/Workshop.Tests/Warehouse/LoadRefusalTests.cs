namespace Workshop.Tests.Warehouse;

/// <summary>What COPY, UNLOAD and external schemas do not have locally is refused by name, saying what to write instead, before anything is read.</summary>
public sealed class LoadRefusalTests(WarehouseFixture warehouse) : IClassFixture<WarehouseFixture>
{
    private const string Role = "arn:aws:iam::123456789012:role/weather-analytics-warehouse-role-dev";

    [Theory]
    [InlineData("COPY t FROM 's3://lake/p/' CREDENTIALS 'aws_iam_role=x'",
        "Not supported by the local warehouse: CREDENTIALS. Authorize COPY with IAM_ROLE and the cluster's role.")]
    [InlineData("COPY t FROM 's3://lake/p/' IAM_ROLE '" + Role + "' MANIFEST",
        "Not supported by the local warehouse: COPY's MANIFEST option. Load JSON, CSV, pipe-delimited text or Parquet objects, optionally GZIP-compressed, from a prefix.")]
    [InlineData("COPY t FROM 's3://lake/p/' IAM_ROLE '" + Role + "' FORMAT AS AVRO 'auto'",
        "Not supported by the local warehouse: FORMAT AVRO. Use FORMAT JSON, FORMAT CSV or FORMAT PARQUET.")]
    [InlineData("CREATE EXTERNAL SCHEMA pg FROM POSTGRES DATABASE 'x' URI 'h' IAM_ROLE '" + Role + "'",
        "Not supported by the local warehouse: CREATE EXTERNAL SCHEMA ... FROM POSTGRES. Use FROM DATA CATALOG with the lake's Glue database, or FROM KINESIS for the stream.")]
    public void Copy_unload_and_external_schemas_refuse_what_the_local_warehouse_lacks_by_name(string sql, string message) =>
        Assert.Equal(message, warehouse.Fails(sql).Message);

    [Fact]
    public void Unload_refuses_a_manifest_by_name_with_the_sqlstate_of_a_missing_feature()
    {
        Assert.StartsWith("Not supported by the local warehouse: UNLOAD's MANIFEST option.",
            warehouse.Fails($"UNLOAD ('SELECT 1') TO 's3://lake/u/' IAM_ROLE '{Role}' MANIFEST").Message);
        Assert.Equal("0A000", warehouse.Fails($"UNLOAD ('SELECT 1') TO 's3://lake/u/' IAM_ROLE '{Role}' MANIFEST").SqlState);
    }
}
