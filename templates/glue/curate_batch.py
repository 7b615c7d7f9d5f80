"""The workshop's batch curation job (Glue glueetl): raw readings in the lake to curated Parquet.

Each run reads only the raw objects that arrived since the last successful run (the job bookmark, kept under the
transformation_ctx below), curates them with the kit's one transformation, and rewrites just the partitions those
readings fall in (dynamic partition overwrite), so a rerun never duplicates a reading. The table is registered in
the Data Catalog, which the job uses as its metastore (--enable-glue-datacatalog).

Deploy fills in the transformation's SQL and the raw columns from the kit, so the local runtime and this script
run the same definition.
"""
import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql import functions as F

# Filled in by deploy from the kit's transformation (ReadingsCuration).
CURATION_SQL = """
__CURATION_SQL__
"""
RAW_COLUMNS = __RAW_COLUMNS__
PARTITION_KEYS = __PARTITION_KEYS__

args = getResolvedOptions(sys.argv, ["JOB_NAME", "database", "lake_bucket", "raw_prefix", "curated_prefix", "curated_table"])
glue_context = GlueContext(SparkContext.getOrCreate())
spark = glue_context.spark_session
# Overwrite only the partitions this run writes; every other day of every city is left as it is.
spark.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")
job = Job(glue_context)
job.init(args["JOB_NAME"], args)

lake = args["lake_bucket"]
table = f"`{args['database']}`.`{args['curated_table']}`"
curated_path = f"s3://{lake}/{args['curated_prefix']}"


def with_raw_columns(frame):
    """Every raw column, typed; a column no new reading carries (wind, weather code) is there as null."""
    for name, kind in RAW_COLUMNS:
        frame = frame.withColumn(name, F.col(name).cast(kind) if name in frame.columns else F.lit(None).cast(kind))
    return frame.select([name for name, _ in RAW_COLUMNS])


raw = glue_context.create_dynamic_frame.from_options(
    connection_type="s3",
    connection_options={"paths": [f"s3://{lake}/{args['raw_prefix']}"], "recurse": True},
    format="json",
    transformation_ctx="raw_readings",  # the bookmark's key: what this source has already read
)
new_readings = with_raw_columns(raw.toDF())

if new_readings.head(1):
    table_exists = spark.catalog.tableExists(args["curated_table"], args["database"])
    if table_exists:
        # The partitions this run rewrites keep the readings earlier runs curated into them: those rows go back
        # through the same transformation with the new ones, so the duplicate rule is applied once, over both.
        new_readings.createOrReplaceTempView("new_raw_readings")
        touched = spark.sql(CURATION_SQL.replace("raw_readings", "new_raw_readings")).select(*PARTITION_KEYS).distinct()
        earlier = (spark.table(table).join(touched, PARTITION_KEYS, "left_semi")
                   .select(F.col("city"), F.col("temperature_c").alias("temperature"),
                           F.date_format("measurement_time", "yyyy-MM-dd'T'HH:mm").alias("measurement_time"),
                           F.date_format("first_collected", "yyyy-MM-dd'T'HH:mm:ss.SSS").alias("collection_time"),
                           F.col("wind_speed"), F.col("weather_code")))
        # Materialised before the overwrite, which deletes the files these rows were read from.
        readings = with_raw_columns(earlier.unionByName(new_readings)).localCheckpoint()
    else:
        readings = new_readings
    readings.createOrReplaceTempView("raw_readings")
    curated = spark.sql(CURATION_SQL)
    if table_exists:
        curated.write.mode("overwrite").insertInto(table)
    else:
        curated.write.mode("overwrite").format("parquet").partitionBy(*PARTITION_KEYS).option("path", curated_path).saveAsTable(table)
    print(f"Curated {curated.count()} readings into {table} at {curated_path}")
else:
    print("No raw objects arrived since the last run (job bookmark); nothing to curate.")

job.commit()
