"""The workshop's streaming curation job (Glue gluestreaming): readings from the stream to curated Parquet.

Every --window_size seconds Glue hands the readings that arrived to process_batch (a micro-batch). The checkpoint
under --checkpoint_location records how far each shard was read, so a stopped job started again resumes where it
left off, without losing or repeating a reading. Each batch, as the kit's local runtime does:
  * writes the records that cannot be read (not JSON, or without a city, temperature, measurement time or collection
    time) to the error prefix, one JSON line each with the reason, and goes on with the rest;
  * curates the rest with the kit's one transformation and appends to curated_weather_live the rows no earlier batch
    wrote (each measurement is polled about 15 times, so most batches meet readings already curated);
  * adds the readings to each city's 5-minute windows on collection_time, and writes to weather_5min_by_city the
    windows whose end the batch's trigger has passed by the watermark (a minute). A window is written once; a reading
    whose window an earlier batch had already passed is late and left out of the averages. Readings of windows still
    open are kept beside the checkpoint for the next batch.
Both tables are created and their partitions added by the sinks themselves (enableUpdateCatalog).

Deploy fills in the transformation's SQL and the raw columns from the kit, so the local runtime and this script
run the same definition.
"""
import json
import sys
from datetime import datetime, timedelta, timezone

from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql import functions as F
from pyspark.sql.utils import AnalysisException

# Filled in by deploy from the kit's transformation (ReadingsCuration).
CURATION_SQL = """
__CURATION_SQL__
"""
RAW_COLUMNS = __RAW_COLUMNS__
PARTITION_KEYS = __PARTITION_KEYS__
WINDOW_MINUTES = __WINDOW_MINUTES__
WATERMARK_MINUTES = __WATERMARK_MINUTES__
REQUIRED = ["city", "temperature", "measurement_time", "collection_time"]

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
# The readings of windows not yet written, and the last batch's trigger: the job's own state, kept with its checkpoint.
open_windows_path = args["checkpoint_location"].rstrip("/") + "/open-windows/"
last_trigger_path = args["checkpoint_location"].rstrip("/") + "/last-trigger/"

WINDOW_SQL = f"""
SELECT window_start,
       window_start + INTERVAL {WINDOW_MINUTES} MINUTES AS window_end,
       city,
       CAST(COUNT(*) AS INT) AS readings,
       ROUND(AVG(temperature_c), 2) AS avg_temperature_c,
       MIN(temperature_c) AS min_temperature_c,
       MAX(temperature_c) AS max_temperature_c
FROM due_readings
GROUP BY window_start, city
"""
WINDOW_READING_SCHEMA = "city string, window_start timestamp, temperature_c double"
# A window is due once a batch's trigger has passed its end by the watermark.
DUE_AFTER_START = timedelta(minutes=WINDOW_MINUTES + WATERMARK_MINUTES)

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


def read_or_none(path):
    try:
        return spark.read.parquet(path)
    except AnalysisException:  # nothing written there yet: the path does not exist
        return None


def not_written_before(curated):
    """The curated rows no earlier batch wrote: the same city, measurement time and temperature is the same reading."""
    live = read_or_none(live_path)
    if live is None:
        return curated
    cities = [row.location for row in curated.select("location").distinct().collect()]
    keys = ["city", "measurement_time", "temperature_c"]
    seen = live.where(F.col("location").isin(cities)).select(*keys).distinct()
    return curated.join(seen, keys, "left_anti")


def due_windows(readable, trigger):
    """Adds the batch's readings to the open windows. Returns the windows due at this trigger (None when none is) and
    the readings of the windows still open."""
    window_seconds = WINDOW_MINUTES * 60
    closes_after = F.expr(f"INTERVAL {WINDOW_MINUTES + WATERMARK_MINUTES} MINUTES")  # DUE_AFTER_START, in Spark SQL
    collected = F.expr("CAST(SUBSTRING(collection_time, 1, 23) AS TIMESTAMP)")
    fresh = readable.select(
        F.col("city").cast("string").alias("city"),
        F.timestamp_seconds(F.floor(F.unix_timestamp(collected) / window_seconds) * window_seconds).alias("window_start"),
        F.col("temperature").cast("double").alias("temperature_c"),
    ).where(F.col("window_start").isNotNull())
    last = read_or_none(last_trigger_path)
    previous = last.first()["trigger"] if last is not None else None
    if previous is not None:
        late = fresh.where(F.col("window_start") + closes_after <= F.lit(previous)).count()
        if late:
            print(json.dumps({"late_readings": late, "note": "their windows were already written"}))
        fresh = fresh.where(F.col("window_start") + closes_after > F.lit(previous))
    kept = read_or_none(open_windows_path)
    pending = fresh if kept is None else kept.unionByName(fresh)
    # Taken into the driver before the state is replaced: a few minutes of readings, and Spark reads lazily.
    pending_rows = pending.collect()
    pending = spark.createDataFrame(pending_rows, WINDOW_READING_SCHEMA)
    due = pending.where(F.col("window_start") + closes_after <= F.lit(trigger))
    still_open = [row for row in pending_rows if row.window_start + DUE_AFTER_START > trigger]
    due.createOrReplaceTempView("due_readings")
    windows = spark.sql(WINDOW_SQL) if due.head(1) else None
    return windows, still_open


def save_window_state(still_open, trigger):
    spark.createDataFrame(still_open, WINDOW_READING_SCHEMA).write.mode("overwrite").parquet(open_windows_path)
    spark.createDataFrame([(trigger,)], "trigger timestamp").write.mode("overwrite").parquet(last_trigger_path)


def process_batch(batch, batch_id):
    # The batch's trigger, in UTC as the session's timestamps are.
    trigger = datetime.now(timezone.utc).replace(tzinfo=None)
    # Read from the stream once: the errors, the curation and the windows each look at the batch.
    batch.persist()
    readable = set_aside_errors(batch, batch_id) if batch.head(1) else None
    curated_count = 0
    if readable is not None:
        with_raw_columns(readable).createOrReplaceTempView("raw_readings")
        curated = not_written_before(spark.sql(CURATION_SQL)).cache()
        curated_count = curated.count()
        if curated_count:
            write(curated, live_path, args["live_table"], PARTITION_KEYS, f"live_{batch_id}")
        windows, still_open = due_windows(readable, trigger)
    else:
        # No new records: windows can still fall due as the trigger moves on.
        windows, still_open = due_windows(spark.createDataFrame([], "city string, temperature double, collection_time string"), trigger)
    if windows is not None:
        write(windows, window_path, args["window_table"], [], f"windows_{batch_id}")
    save_window_state(still_open, trigger)
    batch.unpersist()
    print(json.dumps({"batch": batch_id, "curated": curated_count}))


glue_context.forEachBatch(
    frame=readings,
    batch_function=process_batch,
    options={"windowSize": f"{args['window_size']} seconds", "checkpointLocation": args["checkpoint_location"]},
)
job.commit()
