using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using StreamingWorkshop.Jobs;
using StreamingWorkshop.Stack;
using Workshop.Tests.TestSupport;

namespace Workshop.Tests.Jobs;

/// <summary>
/// The PySpark scripts as deploy uploads them. There is no Spark here to run them, so they are checked as far as can
/// be without it: Python compiles them, they carry the kit's transformation, and they read the arguments the template passes.
/// </summary>
public sealed partial class GlueScriptTests
{
    // Arguments Glue itself reads from a job's arguments, not the script.
    private static readonly string[] GlueOwnArguments = ["--job-bookmark-option", "--TempDir", "--enable-metrics", "--enable-continuous-cloudwatch-log", "--enable-glue-datacatalog"];

    [Fact]
    public void Both_scripts_compile_once_deploy_has_written_the_transformation_into_them()
    {
        using var folder = new TempWorkspace();
        var files = GlueScripts.All().Select(s => (s.Key, Path: Path.Combine(folder.Root, Path.GetFileName(s.Key)), s.Text)).ToArray();
        foreach (var file in files) File.WriteAllText(file.Path, file.Text);
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true, Environment = { ["PYTHONDONTWRITEBYTECODE"] = "1" } };
        foreach (var a in new[] { "-c", "import py_compile, sys\nfor path in sys.argv[1:]: py_compile.compile(path, doraise=True)\nprint('compiled', len(sys.argv) - 1)" }.Concat(files.Select(f => f.Path)))
            info.ArgumentList.Add(a);

        using var python = Process.Start(info)!;
        var (output, errors) = (python.StandardOutput.ReadToEnd(), python.StandardError.ReadToEnd());
        python.WaitForExit();

        Assert.True(python.ExitCode == 0, errors);
        Assert.Equal("compiled 2\n", output);
        Assert.Equal(["scripts/curate_batch.py", "scripts/curate_stream.py"], files.Select(f => f.Key));
    }

    [Theory]
    [InlineData("curate_batch.py")]
    [InlineData("curate_stream.py")]
    public void Each_script_carries_the_kits_transformation_its_raw_columns_and_partition_keys(string script)
    {
        var text = GlueScripts.Filled(script);

        Assert.Contains("CURATION_SQL = \"\"\"\n" + ReadingsCuration.Sql("raw_readings") + "\n\"\"\"", text);
        Assert.Contains("\nRAW_COLUMNS = [(\"city\", \"string\"), (\"temperature\", \"double\"), (\"measurement_time\", \"string\"), (\"collection_time\", \"string\"), (\"wind_speed\", \"double\"), (\"weather_code\", \"int\")]\n", text);
        Assert.Contains("\nPARTITION_KEYS = [\"location\", \"year\", \"month\", \"day\"]\n", text);
        Assert.Empty(Placeholder().Matches(text).Select(m => m.Value));
        Assert.Contains("__CURATION_SQL__", GlueScripts.Source(script));
    }

    [Fact]
    public void The_streaming_script_groups_by_five_minute_windows_and_sets_its_window_and_checkpoint_from_the_arguments()
    {
        var text = GlueScripts.Filled("curate_stream.py");

        Assert.Contains("\nWINDOW_MINUTES = 5\n", text);
        Assert.Contains("GROUP BY window_start, city", text);
        // As the local runtime: windows on the collection time, written a watermark after their end, and the live
        // table without the readings earlier batches already curated.
        Assert.Contains("\nWATERMARK_MINUTES = 1\n", text);
        Assert.Contains("collected = F.expr(\"CAST(SUBSTRING(collection_time, 1, 23) AS TIMESTAMP)\")", text);
        Assert.Contains("curated.join(seen, keys, \"left_anti\")", text);
        Assert.Contains("REQUIRED = [\"city\", \"temperature\", \"measurement_time\", \"collection_time\"]", text);
        Assert.Contains("options={\"windowSize\": f\"{args['window_size']} seconds\", \"checkpointLocation\": args[\"checkpoint_location\"]}", text);
        Assert.Contains("enableUpdateCatalog=True", text);
        Assert.Contains("transformation_ctx=\"stream_readings\"", text);
    }

    [Fact]
    public void The_batch_script_keeps_a_bookmark_and_overwrites_only_the_partitions_it_writes()
    {
        var text = GlueScripts.Filled("curate_batch.py");

        Assert.Contains("transformation_ctx=\"raw_readings\"", text);
        Assert.Contains("spark.conf.set(\"spark.sql.sources.partitionOverwriteMode\", \"dynamic\")", text);
        Assert.Contains("job.commit()", text);
    }

    [Theory]
    [InlineData("BatchJob", "curate_batch.py", "database lake_bucket raw_prefix curated_prefix curated_table")]
    [InlineData("StreamingJob", "curate_stream.py", "database lake_bucket stream_arn window_size starting_position checkpoint_location live_prefix live_table window_prefix window_table error_prefix")]
    public void Each_script_reads_exactly_the_arguments_its_job_passes(string logicalId, string script, string expected)
    {
        var options = ResolvedOptions().Match(GlueScripts.Filled(script));
        Assert.True(options.Success, $"{script} calls getResolvedOptions with a list of names");
        var read = Regex.Matches(options.Groups["names"].Value, "\"(?<name>[a-z_A-Z]+)\"").Select(m => m.Groups["name"].Value).ToArray();
        var passed = TemplateReader.Parse(TemplateReader.WorkshopTemplate())["Resources"]![logicalId]!["Properties"]!["DefaultArguments"]!.AsObject()
            .Select(a => a.Key).Except(GlueOwnArguments).Select(k => k[2..]).ToArray();

        // JOB_NAME is passed by Glue to every run.
        Assert.Equal(["JOB_NAME", .. expected.Split(' ')], read);
        Assert.Equal(expected.Split(' '), passed);
    }

    [GeneratedRegex("__[A-Z_]+__")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"getResolvedOptions\(sys\.argv, \[(?<names>[^\]]*)\]\)")]
    private static partial Regex ResolvedOptions();
}
