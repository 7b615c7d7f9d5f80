"""The workshop's streaming curation job (Glue gluestreaming): readings from the stream to curated Parquet.

Every --window_size seconds Glue hands the readings that arrived to process_batch (a micro-batch). The checkpoint
under --checkpoint_location records how far each shard was read, so a stopped job started again resumes where it
left off, without losing or repeating a reading. Each batch:
  * writes the records that cannot be read (not JSON, or without a city, temperature or measurement time) to the
    error prefix, one JSON line each with the reason, and goes on with the rest;
  * curates the rest with the kit's one transformation and appends them to curated_weather_live;
  * writes the per-city 5-minute averages of every window that has closed since the last batch to
    weather_5min_by_city (a window closes once a reading at or after its end has been seen).
Both tables are created and their partitions added by the sinks themselves (enableUpdateCatalog).

Deploy fills in the transformation's SQL and the raw columns from the kit, so the local runtime and this script
run the same definition.
"""
import json
import sys

from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
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
WINDOW_MINUTES = __WINDOW_MINUTES__
REQUIRED = ["city", "temperature", "measurement_time"]

args = getResolvedOptions(sys.argv, [
    "JOB_NAME", "database", "lake_bucket", "stream_arn", "window_size", "starting_position", "checkpoint_location",
    "live_prefix", "live_table", "window_prefix", "window_table", "error_prefix",
])
glue_context = GlueContext(SparkContext.getOrCreate())
spark = glue_context.spark_session
job = Job(glue_context)
job.init(args["JOB_NAME"], args)

lake = args["lake_bucket"]
live_path = f"s3://{lake}/{args['live_prefix']}"
window_path = f"s3://{lake}/{args['window_prefix']}"
error_path = f"s3://{lake}/{args['error_prefix']}"

WINDOW_SQL = f"""
SELECT window.start AS window_start,
       window.end AS window_end,
       city,
       CAST(COUNT(*) AS INT) AS readings,
       ROUND(AVG(temperature_c), 2) AS avg_temperature_c,
       MIN(temperature_c) AS min_temperature_c,
       MAX(temperature_c) AS max_temperature_c
FROM live_readings
GROUP BY city, window(measurement_time, '{WINDOW_MINUTES} minutes')
"""

readings = glue_context.create_data_frame.from_options(
    connection_type="kinesis",
    connection_options={
        "streamARN": args["stream_arn"],
        "startingPosition": args["starting_position"],
        "classification": "json",
        "inferSchema": "true",
    },
    transformation_ctx="stream_readings",
)


def write(frame, path, table, partition_keys, ctx):
    """Appends a batch's rows as Parquet and lets the sink create the table and add its new partitions."""
    sink = glue_context.getSink(
        connection_type="s3", path=path, enableUpdateCatalog=True, updateBehavior="UPDATE_IN_DATABASE",
        partitionKeys=partition_keys, transformation_ctx=ctx,
    )
    sink.setFormat("glueparquet")
    sink.setCatalogInfo(catalogDatabase=args["database"], catalogTableName=table)
    sink.writeFrame(DynamicFrame.fromDF(frame, glue_context, ctx))


def set_aside_errors(batch, batch_id):
    """Writes the batch's unreadable records to the error prefix, each with its reason; returns the readable rest."""
    reason = F.lit(None).cast("string")
    if "_corrupt_record" in batch.columns:
        reason = F.when(F.col("_corrupt_record").isNotNull(), F.lit("not a JSON object"))
    for name in REQUIRED:
        missing = F.lit(True) if name not in batch.columns else F.col(name).isNull()
        reason = F.coalesce(reason, F.when(missing, F.lit(f"no {name}")))
    checked = batch.withColumn("error_reason", reason)
    errors = checked.where(F.col("error_reason").isNotNull())
    if errors.head(1):
        record = F.col("_corrupt_record") if "_corrupt_record" in batch.columns else F.to_json(F.struct(*batch.columns))
        # The same fields as the local runtime's error lines, as far as Glue's Kinesis source gives them.
        (errors.select(F.to_json(F.struct(F.col("error_reason").alias("reason"), F.lit(batch_id).alias("batch"),
                                          F.coalesce(record, F.to_json(F.struct(*batch.columns))).alias("data"))).alias("value"))
         .write.mode("append").text(f"{error_path}batch={batch_id}/"))
    return checked.where(F.col("error_reason").isNull()).drop("error_reason")


def with_raw_columns(frame):
    for name, kind in RAW_COLUMNS:
        frame = frame.withColumn(name, F.col(name).cast(kind) if name in frame.columns else F.lit(None).cast(kind))
    return frame.select([name for name, _ in RAW_COLUMNS])


def closed_windows_since_last_batch(live):
    """The windows that closed since the last batch: from the end of the newest window written to the start of the
    window the newest reading falls in."""
    newest = live.agg(F.max("measurement_time")).first()[0]
    if newest is None:
        return None
    open_from = F.window(F.lit(newest).cast("timestamp"), f"{WINDOW_MINUTES} minutes").start
    try:
        written_until = spark.read.parquet(window_path).agg(F.max("window_end")).first()[0]
    except Exception:  # no window written yet: the path does not exist
        written_until = None
    due = live.where(F.col("measurement_time") < open_from)
    if written_until is not None:
        due = due.where(F.col("measurement_time") >= F.lit(written_until))
    due.createOrReplaceTempView("live_readings")
    return spark.sql(WINDOW_SQL)


def process_batch(batch, batch_id):
    if not batch.head(1):
        return
    readable = set_aside_errors(batch, batch_id)
    with_raw_columns(readable).createOrReplaceTempView("raw_readings")
    curated = spark.sql(CURATION_SQL)
    if curated.head(1):
        write(curated, live_path, args["live_table"], PARTITION_KEYS, f"live_{batch_id}")
    try:
        live = spark.read.parquet(live_path)
    except Exception:  # nothing curated yet
        return
    windows = closed_windows_since_last_batch(live)
    if windows is not None and windows.head(1):
        write(windows, window_path, args["window_table"], [], f"windows_{batch_id}")
    print(json.dumps({"batch": batch_id, "curated": curated.count()}))


glue_context.forEachBatch(
    frame=readings,
    batch_function=process_batch,
    options={"windowSize": f"{args['window_size']} seconds", "checkpointLocation": args["checkpoint_location"]},
)
job.commit()
