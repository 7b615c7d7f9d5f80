using System.Data.Common;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Lake;

namespace StreamingWorkshop.Warehouse;

// COPY from the lake, UNLOAD to it, and external schemas over the Glue catalog (Spectrum).
public sealed partial class LocalWarehouse
{
    /// <summary>A column of the table COPY loads, as the cluster's catalog describes it.</summary>
    private sealed record TargetColumn(string Name, string Type, int? MaxLength, bool Nullable);

    private WarehouseOutcome RunCopy(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        var copy = CopyCommand.Parse(sql);
        RequireRole(copy.IamRole, copy.Region, "COPY");
        var columns = LoadColumns(connection, copy);
        var source = ParseS3(copy.Source);
        var files = MatchingObjects(source);
        // JSON objects are checked as they are read (AppendLines), which opens each object once instead of twice.
        if (copy.Format is not (CopyFormat.Parquet or CopyFormat.Json)) RequireCompressionMatches(copy, files);
        var started = clock.GetUtcNow();
        var lakeRoot = workspace.Resolve("lake") + Path.DirectorySeparatorChar;
        string staged;
        bool stagedInLoadOrder;
        try
        {
            (staged, stagedInLoadOrder) = StageRecords(connection, copy, columns, files, lakeRoot);
        }
        catch (DbException error)
        {
            throw new RedshiftSqlException($"COPY could not read the objects under {copy.Source}: {error.Message.Split('\n')[0].Trim()}. Check that the FORMAT and DELIMITER options describe the objects.");
        }
        cancellationToken.ThrowIfCancellationRequested();
        // Each value is converted once, into c0, c1, ...: the check reads the converted column, and the insert takes it.
        // Only what the insert and the counts read is kept; a record that failed is staged again for its raw line and
        // values, which costs a second read of the records only when one failed.
        var conversions = columns.Select((c, i) => Conversion(copy, c, $"v{i}", $"c{i}")).ToList();
        var badColumn = conversions.Count == 0 ? "NULL" : "CASE " + string.Join(" ", conversions.Select((c, i) => $"WHEN {c.Fails} THEN {i}")) + " END";
        var converted = Prefixed(conversions.Select((c, i) => $"{c.Value} AS c{i}"));
        var convertedNames = Prefixed(conversions.Select((_, i) => $"c{i}"));
        Run(connection, $"CREATE OR REPLACE TEMP TABLE copy_checked AS SELECT filename, line_number{convertedNames}, {badColumn} AS bad_column FROM (SELECT *{converted} FROM {staged})");

        var query = NextQueryId(connection);
        var table = TableId(connection, copy);
        var failedRecords = Scalar<long>(connection, "SELECT count(*) FROM copy_checked WHERE bad_column IS NOT NULL");
        var errors = failedRecords + Scalar<long>(connection, "SELECT count(*) FROM copy_bad");
        // A load that fails stops at the error past MAXERROR, so it records the errors it met up to there. (On a cluster
        // each slice stops and reports what it had met, so a few more may show there.)
        var failed = errors > copy.MaxError;
        RecordLoadErrors(connection, LoadErrorRows(columns, conversions, failedRecords > 0 ? staged : null), query, table, started,
            failed ? copy.MaxError + 1 : null);
        if (failed)
            throw new RedshiftSqlException($"Load into table '{copy.Table}' failed. Check 'stl_load_errors' system table for details.")
            {
                AfterRollback = KeepLoadErrors(connection, query),
            };

        var target = $"{QuoteIdentifier(Cluster.Database)}.{QuoteIdentifier(copy.Schema)}.{QuoteIdentifier(copy.Table)}";
        var names = string.Join(", ", columns.Select(c => QuoteIdentifier(c.Name)));
        var values = string.Join(", ", conversions.Select((_, i) => $"c{i}"));
        long loaded;
        using (var insert = connection.CreateCommand())
        {
            // Records staged in load order are inserted in the order they are read; sorting them again cost as much as the insert.
            var order = stagedInLoadOrder ? "" : " ORDER BY filename, line_number";
            insert.CommandText = $"INSERT INTO {target} ({names}) SELECT {values} FROM copy_checked WHERE bad_column IS NULL{order}";
            try
            {
                loaded = insert.ExecuteNonQuery();
            }
            catch (DbException error)
            {
                throw RedshiftSql.ErrorFrom(error.Message, sql);
            }
        }
        RecordLoadCommits(connection, query, copy.Table, started);
        Run(connection, $"DROP VIEW IF EXISTS {JsonValues}; DROP VIEW IF EXISTS copy_parsed; DROP TABLE IF EXISTS copy_text; " +
            "DROP TABLE IF EXISTS copy_values; DROP TABLE IF EXISTS copy_checked; DROP TABLE IF EXISTS copy_bad");
        return WarehouseOutcome.Changed(loaded);
    }

    /// <summary>The table's columns COPY fills: the column list's, or all of them in order.</summary>
    private List<TargetColumn> LoadColumns(DuckDBConnection connection, CopyCommand copy)
    {
        var all = new List<TargetColumn>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT column_name, data_type, character_maximum_length, is_nullable FROM information_schema.columns WHERE table_catalog = $1 AND table_schema = $2 AND table_name = $3 ORDER BY ordinal_position";
            command.Parameters.Add(new DuckDBParameter(Cluster.Database));
            command.Parameters.Add(new DuckDBParameter(copy.Schema));
            command.Parameters.Add(new DuckDBParameter(copy.Table));
            using var reader = command.ExecuteReader();
            while (reader.Read())
                all.Add(new TargetColumn(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : Convert.ToInt32(reader.GetValue(2), CultureInfo.InvariantCulture), reader.GetString(3) == "YES"));
        }
        var shown = copy.Schema == "public" ? copy.Table : $"{copy.Schema}.{copy.Table}";
        var declared = DeclaredLengths.Of(connection, copy.Schema, copy.Table);
        all = all.Select(c => c.MaxLength is null && declared.TryGetValue(c.Name, out var length) ? c with { MaxLength = length } : c).ToList();
        if (all.Count == 0) throw new RedshiftSqlException($"relation \"{shown}\" does not exist", "42P01");
        if (copy.Columns is null) return all;
        return copy.Columns.Select(name => all.FirstOrDefault(c => c.Name == name)
            ?? throw new RedshiftSqlException($"column \"{name}\" of relation \"{shown}\" does not exist", "42703")).ToList();
    }

    /// <summary>Every object whose key starts with the location's prefix, as COPY matches them.</summary>
    private List<(string Key, string Path)> MatchingObjects(S3Location source)
    {
        var files = new List<(string, string)>();
        try
        {
            foreach (var (key, path) in lake.ListObjectFiles(source.Bucket, source.Prefix))
                if (!key.EndsWith('/')) files.Add((key, path));
        }
        catch (S3Exception error) when (error.ErrorCode == "NoSuchBucket")
        {
            throw new RedshiftSqlException($"S3ServiceException:The specified bucket does not exist,Status 404,Error NoSuchBucket: {source.Bucket}. Check the bucket's name (workshop lake ls).");
        }
        if (files.Count == 0)
            throw new RedshiftSqlException($"The specified S3 prefix '{source.Prefix}' does not exist in bucket {source.Bucket}. List the bucket to find the objects' prefix.");
        return files;
    }

    /// <summary>The view of a JSON COPY's records, over the parsed lines (copy_parsed).</summary>
    private const string JsonValues = "copy_json_values";

    /// <summary>
    /// Stages every record (file, line, raw line, one text value per column) and puts the lines that are no record at all
    /// (JSON that does not parse) into copy_bad; returns the relation that holds the records (the table copy_values, or
    /// for JSON a view over the parsed lines), and whether it holds them in load order (object by object in key order, line
    /// by line). JSON lines are read by <see cref="AppendLines"/>, the other formats by DuckDB's own readers.
    /// </summary>
    private (string Relation, bool InLoadOrder) StageRecords(DuckDBConnection connection, CopyCommand copy, IReadOnlyList<TargetColumn> columns, IReadOnlyList<(string Key, string Path)> files, string lakeRoot)
    {
        var list = "[" + string.Join(", ", files.Select(f => Literal(f.Path))) + "]";
        var compression = copy.Gzip ? "gzip" : "none";
        var s3Name = $"'s3://' || replace(substr(filename, {lakeRoot.Length + 1}), '\\', '/')";
        var lineNumber = "n - min(n) OVER (PARTITION BY filename) + 1";
        Run(connection, "CREATE OR REPLACE TEMP TABLE copy_bad (filename VARCHAR, line_number BIGINT, raw_line VARCHAR, err_code INTEGER, err_reason VARCHAR)");
        switch (copy.Format)
        {
            case CopyFormat.Json:
            {
                IReadOnlyList<string> paths;
                try
                {
                    paths = JsonPaths(copy, columns);
                }
                catch (RedshiftSqlException)
                {
                    // An object whose compression GZIP does not describe is reported before the JSONPaths file.
                    RequireCompressionMatches(copy, files);
                    throw;
                }
                // One line is one record: read as text so a line that is not JSON becomes a load error, not a failed read.
                var inLoadOrder = AppendLines(connection, copy, files, lakeRoot);
                var ignoreCase = copy.JsonOption.Trim().Equals("auto ignorecase", StringComparison.OrdinalIgnoreCase);
                // Each line is checked and parsed once for all the columns' paths, in one pass; 'auto ignorecase' finds each
                // column's key per record. A line that is not JSON is parsed no further (CASE evaluates a branch only for
                // the rows that take it). Views, not tables: two statements read the parsed lines (the lines that are no
                // record, then the check of every record), and storing them cost more than parsing the lines twice.
                var texts = ignoreCase ? "NULL" : $"json_extract_string(line, [{string.Join(", ", paths.Select(Literal))}])";
                var documents = ignoreCase || !columns.Any(c => c.Type == "JSON") ? "NULL" : $"json_extract(line, [{string.Join(", ", paths.Select(Literal))}])";
                Run(connection, $"""
                    CREATE OR REPLACE TEMP VIEW copy_parsed AS
                    SELECT filename, line_number, line, valid, CASE WHEN valid THEN json_type(line) = 'OBJECT' ELSE false END AS is_object,
                           CASE WHEN valid THEN {texts} END AS texts, CASE WHEN valid THEN {documents} END AS documents
                    FROM (SELECT filename, line_number, line, intact AND coalesce(json_valid(line), false) AS valid FROM copy_text)
                    """);
                // is_object is false for a line that is not JSON as well.
                Run(connection, "INSERT INTO copy_bad SELECT filename, line_number, line, 1216, 'Invalid JSON object: the line is not one JSON object' FROM copy_parsed WHERE NOT is_object");
                var values = columns.Select((c, i) => ignoreCase ? $"{JsonValue(c, paths[i], copy.JsonOption)} AS v{i}"
                    : c.Type == "JSON" ? $"CAST(documents[{i + 1}] AS VARCHAR) AS v{i}" : $"texts[{i + 1}] AS v{i}");
                Run(connection, $"CREATE OR REPLACE TEMP VIEW {JsonValues} AS SELECT filename, line_number, line AS raw_line{Prefixed(values)} FROM copy_parsed WHERE is_object");
                return (JsonValues, inLoadOrder);
            }
            case CopyFormat.Parquet:
            {
                var reader = $"read_parquet({list}, filename = true)";
                var available = new List<string>();
                using (var describe = connection.CreateCommand())
                {
                    describe.CommandText = $"DESCRIBE SELECT * EXCLUDE (filename) FROM {reader}";
                    using var rows = describe.ExecuteReader();
                    while (rows.Read()) available.Add(rows.GetString(0));
                }
                // Redshift matches a columnar file's columns to the table's by position.
                if (available.Count != columns.Count)
                    throw new RedshiftSqlException($"Spectrum Scan Error: the Parquet files have {available.Count} columns and the column list has {columns.Count}. Name the columns to load (COPY {copy.Table} (col, ...)) in the files' order.");
                var values = available.Select((name, i) => $"CAST({QuoteIdentifier(name)} AS VARCHAR) AS v{i}");
                Run(connection, $"""
                    CREATE OR REPLACE TEMP TABLE copy_values AS
                    SELECT {s3Name} AS filename, {lineNumber} AS line_number, '' AS raw_line{Prefixed(columns.Select((_, i) => $"v{i}"))}
                    FROM (SELECT filename, {string.Join(", ", values)}, row_number() OVER () AS n FROM {reader})
                    """);
                // The window that numbers each object's lines gives the rows back grouped by object, not in load order.
                return ("copy_values", false);
            }
            default:
            {
                var delimiter = copy.Delimiter ?? (copy.Format == CopyFormat.Csv ? "," : "|");
                var quote = copy.Format == CopyFormat.Csv ? "\"" : "";
                var declaredStruct = "{" + string.Join(", ", columns.Select((_, i) => $"'v{i}': 'VARCHAR'")) + "}";
                Run(connection, $"""
                    CREATE OR REPLACE TEMP TABLE copy_values AS
                    SELECT {s3Name} AS filename, {lineNumber} + {copy.IgnoreHeader} AS line_number,
                           concat_ws({Literal(delimiter)}, {string.Join(", ", columns.Select((_, i) => $"coalesce(v{i}, '')"))}) AS raw_line{Prefixed(columns.Select((_, i) => $"v{i}"))}
                    FROM (SELECT *, row_number() OVER () AS n
                          FROM read_csv({list}, columns = {declaredStruct}, delim = {Literal(delimiter)}, quote = {Literal(quote)}, escape = {Literal(quote)},
                                        header = false, skip = {copy.IgnoreHeader}, auto_detect = false, filename = true, null_padding = true,
                                        compression = '{compression}'))
                    """);
                return ("copy_values", false);
            }
        }
    }

    /// <summary>
    /// Makes the table copy_text: every line of the objects that holds more than spaces, with its object's s3:// name and its
    /// line number in the object. The objects are read here rather than by DuckDB's CSV reader, which spends about 0.15 ms
    /// setting up each small object (a third of a second for the day's 2,160) and numbers lines with a window over all of them.
    /// Each object goes to DuckDB whole, as one row of copy_objects, and one statement splits and numbers its lines: appending
    /// line by line cost a few microseconds a line (about 0.45 s for a month of readings). Returns whether copy_text holds
    /// the lines in load order: false when an object had to be appended line by line, as its lines come after the others.
    /// </summary>
    private static bool AppendLines(DuckDBConnection connection, CopyCommand copy, IReadOnlyList<(string Key, string Path)> files, string lakeRoot)
    {
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var inLoadOrder = true;
        Run(connection, "CREATE OR REPLACE TEMP TABLE copy_objects (filename VARCHAR, content VARCHAR)");
        Run(connection, "CREATE OR REPLACE TEMP TABLE copy_object_lines (filename VARCHAR, line_number BIGINT, line VARCHAR, intact BOOLEAN)");
        using (var objects = connection.CreateAppender("temp", "main", "copy_objects"))
        using (var lines = connection.CreateAppender("temp", "main", "copy_object_lines"))
        {
            // Objects are read and unzipped a batch at a time on every core, then appended in order; a batch bounds the
            // memory, and an object that cannot be read fails the COPY in its turn, as it would one by one.
            const int batch = 32;
            var contents = new ArraySegment<byte>[batch];
            var compressionProblems = new string?[batch];
            var failures = new Exception?[batch];
            for (var first = 0; first < files.Count; first += batch)
            {
                var count = Math.Min(batch, files.Count - first);
                Parallel.For(0, count, i =>
                {
                    try
                    {
                        contents[i] = ObjectContent(copy, files[first + i].Key, files[first + i].Path, out compressionProblems[i]);
                        failures[i] = null;
                    }
                    catch (Exception error)
                    {
                        contents[i] = default;
                        compressionProblems[i] = null;
                        failures[i] = error;
                    }
                });
                for (var i = 0; i < count; i++)
                {
                    // The first object whose compression GZIP does not describe fails the COPY, before any object that
                    // could not be read: the objects after this one are checked before its read error is raised.
                    if (compressionProblems[i] is { } problem) throw new RedshiftSqlException(problem);
                    if (failures[i] is { } failure)
                    {
                        RequireCompressionMatches(copy, files.Skip(first + i + 1));
                        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
                    }
                    var name = "s3://" + files[first + i].Path[lakeRoot.Length..].Replace('\\', '/');
                    var content = contents[i];
                    if (content.AsSpan().StartsWith("\uFEFF"u8)) content = content[3..];
                    // An object holding a NUL is appended line by line, so that only its lines with a NUL are kept as bad
                    // records, each cut at its first NUL as the record's raw line.
                    if (content.AsSpan().Contains((byte)0))
                    {
                        AppendObjectLines(lines, name, utf8.GetString(content));
                        inLoadOrder = false;
                    }
                    // The UTF-8 bytes as they are: a text would be decoded here only to be encoded again for DuckDB.
                    else objects.CreateRow().AppendValue(name).AppendValue(content.AsSpan()).EndRow();
                    contents[i] = default;
                }
            }
        }
        // A table, not a view: two statements read the lines, and a view would split every object again for each.
        Run(connection, """
            CREATE OR REPLACE TEMP TABLE copy_text AS
            SELECT filename, line_number, line, true AS intact
            FROM (SELECT filename, generate_subscripts(lines, 1) AS line_number, unnest(lines) AS line
                  FROM (SELECT filename, string_split(content, chr(10)) AS lines FROM copy_objects))
            WHERE trim(line, ' ') <> ''
            UNION ALL
            SELECT filename, line_number, line, intact FROM copy_object_lines
            """);
        Run(connection, "DROP TABLE copy_objects; DROP TABLE copy_object_lines");
        return inLoadOrder;
    }

    /// <summary>Appends each line of an object's text that holds more than spaces, numbered as lines of the object.</summary>
    private static void AppendObjectLines(DuckDB.NET.Data.DuckDBAppender appender, string name, string text)
    {
        var lines = text.AsSpan();
        var number = 0L;
        foreach (var range in lines.Split('\n'))
        {
            number++;
            var line = lines[range];
            if (line.Trim(' ').IsEmpty) continue;
            var intact = !line.Contains('\0');
            appender.CreateRow().AppendValue(name).AppendValue(number).AppendValue(line.ToString()).AppendValue(intact).EndRow();
        }
    }

    /// <summary>
    /// An object's bytes, unzipped when COPY says GZIP; an object that is not whole gzip or not UTF-8 fails the COPY. When
    /// GZIP does not describe the object's compression, nothing is read and <paramref name="compressionProblem"/> says so.
    /// </summary>
    private static ArraySegment<byte> ObjectContent(CopyCommand copy, string key, string path, out string? compressionProblem)
    {
        var unreadable = $"COPY could not read the objects under {copy.Source}: object {key}";
        // Not disposed: its buffer is returned.
        var content = new MemoryStream();
        try
        {
            compressionProblem = ReadObject(copy, key, path, content, unreadable);
            if (compressionProblem is not null) return default;
        }
        catch (IOException error)
        {
            // An object over 2 GB unzipped, or one that went away while it was read.
            throw new RedshiftSqlException($"{unreadable} could not be read ({error.Message.TrimEnd('.')}). Split a large object into several, or put the object again.");
        }
        var bytes = new ArraySegment<byte>(content.GetBuffer(), 0, (int)content.Length);
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
            throw new RedshiftSqlException($"{unreadable} is not UTF-8 text. Redshift loads UTF-8: write the object as UTF-8, or narrow the prefix to leave it out.");
        return bytes;
    }

    /// <summary>
    /// Copies an object's bytes into <paramref name="content"/>, unzipped when COPY says GZIP; returns why GZIP does not
    /// describe the object instead, reading nothing, when it does not.
    /// </summary>
    private static string? ReadObject(CopyCommand copy, string key, string path, MemoryStream content, string unreadable)
    {
        using (var file = File.OpenRead(path))
        {
            if (CompressionProblem(copy, key, file) is { } problem) return problem;
            file.Position = 0;
            // An empty object has no lines, zipped or not.
            if (!copy.Gzip || file.Length == 0) file.CopyTo(content);
            else
            {
                try
                {
                    using (var unzipped = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true)) unzipped.CopyTo(content);
                }
                catch (InvalidDataException error)
                {
                    throw new RedshiftSqlException($"{unreadable} is not a whole gzip file ({error.Message.TrimEnd('.')}). Put the object again, or narrow the prefix to the objects that unzip.");
                }
                // GZipStream hands back what it unzipped of a cut-off object without an error. A whole object ends with the
                // length of its last member, which cannot be more than all that was unzipped.
                if (!EndsWithItsLength(file, content.Length))
                    throw new RedshiftSqlException($"{unreadable} is not a whole gzip file (it ends early). Put the object again, or narrow the prefix to the objects that unzip.");
            }
        }
        return null;
    }

    /// <summary>Whether a gzip file's last four bytes (its last member's unzipped length, modulo 2^32) fit the unzipped total.</summary>
    private static bool EndsWithItsLength(FileStream file, long unzipped)
    {
        // Header and trailer alone take 18 bytes.
        if (file.Length < 18) return false;
        if (unzipped > uint.MaxValue) return true;
        Span<byte> trailer = stackalloc byte[4];
        file.Seek(-4, SeekOrigin.End);
        file.ReadExactly(trailer);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer) <= unzipped;
    }

    /// <summary>GZIP must name gzip-compressed objects and only those: fails the COPY at the first object it does not describe.</summary>
    private static void RequireCompressionMatches(CopyCommand copy, IEnumerable<(string Key, string Path)> files)
    {
        foreach (var (key, path) in files)
        {
            using var stream = File.OpenRead(path);
            if (CompressionProblem(copy, key, stream) is { } problem) throw new RedshiftSqlException(problem);
        }
    }

    /// <summary>Why GZIP does not describe an object, told by its first two bytes (read from the stream), or null.</summary>
    private static string? CompressionProblem(CopyCommand copy, string key, FileStream stream)
    {
        Span<byte> magic = stackalloc byte[2];
        var zipped = stream.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        if (zipped && !copy.Gzip) return $"Object {key} is gzip-compressed and COPY was not told so: add GZIP to the COPY.";
        if (!zipped && copy.Gzip && stream.Length > 0)
            return $"Object {key} is not gzip-compressed, yet COPY says GZIP: remove GZIP, or narrow the prefix to the compressed objects.";
        return null;
    }

    private static string Prefixed(IEnumerable<string> items) => string.Concat(items.Select(i => ", " + i));

    /// <summary>The JSON path of each column: from the JSONPaths file, or the column's own name for 'auto'.</summary>
    private IReadOnlyList<string> JsonPaths(CopyCommand copy, IReadOnlyList<TargetColumn> columns)
    {
        var option = copy.JsonOption.Trim();
        if (option.Equals("auto", StringComparison.OrdinalIgnoreCase) || option.Equals("auto ignorecase", StringComparison.OrdinalIgnoreCase))
            return columns.Select(c => "$.\"" + c.Name.Replace("\"", "\\\"") + "\"").ToList();
        if (!option.StartsWith("s3://", StringComparison.Ordinal))
            throw new RedshiftSqlException($"Invalid JSON option '{copy.JsonOption}': use 'auto', 'auto ignorecase' or the s3:// location of a JSONPaths file.", "22023");
        var location = ParseS3(option);
        byte[] content;
        try
        {
            content = lake.GetObjectAsync(location.Bucket, location.Prefix).GetAwaiter().GetResult().Content.ToArray();
        }
        catch (S3Exception)
        {
            throw new RedshiftSqlException($"S3ServiceException:The specified key does not exist,Status 404,Error NoSuchKey: the JSONPaths file {option}. Put the file in the lake first.");
        }
        List<string> paths;
        try
        {
            using var document = JsonDocument.Parse(content);
            paths = document.RootElement.GetProperty("jsonpaths").EnumerateArray().Select(p => p.GetString() ?? throw new FormatException()).ToList();
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new RedshiftSqlException($"Invalid JSONPath format in {option}: the file must be one JSON object with a \"jsonpaths\" array of strings such as \"$.city\".");
        }
        if (paths.Count != columns.Count)
            throw new RedshiftSqlException($"Number of jsonpaths and the number of columns should match. JSONPath size: {paths.Count}, Number of columns in table or column list: {columns.Count}");
        foreach (var path in paths.Where(p => !p.StartsWith('$')))
            throw new RedshiftSqlException($"Invalid JSONPath format: '{path}' in {option} does not start with '$'. Write paths such as \"$.city\" or \"$['city']\".");
        return paths;
    }

    /// <summary>A column's value from a JSON line as text; a SUPER column keeps the JSON itself.</summary>
    private static string JsonValue(TargetColumn column, string path, string option)
    {
        var pathSql = Literal(path);
        if (option.Trim().Equals("auto ignorecase", StringComparison.OrdinalIgnoreCase))
        {
            // The key as the record spells it, matched to the column's name without regard to case.
            var key = $"list_filter(json_keys(line), k -> lower(k) = {Literal(column.Name.ToLowerInvariant())})[1]";
            pathSql = $"coalesce('$.\"' || replace({key}, '\"', '\\\"') || '\"', {pathSql})";
        }
        return column.Type == "JSON" ? $"CAST(json_extract(line, {pathSql}) AS VARCHAR)" : $"json_extract_string(line, {pathSql})";
    }

    /// <summary>How a text value becomes the column's type: the converted value, when it fails, and the load error it makes.</summary>
    private sealed record ColumnConversion(string Value, string Fails, string Code, string Reason);

    /// <param name="raw">The column holding the text value.</param>
    /// <param name="converted">The column that will hold <see cref="ColumnConversion.Value"/>, which the failure test reads.</param>
    private static ColumnConversion Conversion(CopyCommand copy, TargetColumn column, string raw, string converted)
    {
        var text = raw;
        if (copy.EmptyAsNull) text = $"nullif({text}, '')";
        if (copy.BlanksAsNull) text = $"CASE WHEN trim({text}) = '' THEN NULL ELSE {text} END";
        var type = column.Type.ToUpperInvariant();
        string value;
        string invalid;
        int code;
        string reason;
        switch (type)
        {
            case "VARCHAR":
                value = copy.TruncateColumns && column.MaxLength is { } keep ? $"left({text}, {keep})" : text;
                invalid = column.MaxLength is { } max && !copy.TruncateColumns ? $"strlen({text}) > {max}" : "false";
                (code, reason) = (1204, "'String length exceeds DDL length'");
                break;
            case "SMALLINT" or "INTEGER" or "BIGINT":
                value = $"CASE WHEN regexp_full_match(trim({text}), '[+-]?[0-9]+') THEN TRY_CAST(trim({text}) AS {type}) END";
                invalid = $"{converted} IS NULL";
                var kind = type switch { "SMALLINT" => "Short", "INTEGER" => "Integer", _ => "Long" };
                (code, reason) = (1207, $"CASE WHEN regexp_full_match(trim({text}), '[+-]?[0-9]+') THEN 'Overflow, Value ''' || {text} || ''', Type: {kind}' ELSE 'Invalid digit, Value ''' || substr(trim({text}), length(regexp_extract(trim({text}), '^[+-]?[0-9]*')) + 1, 1) || ''', Pos ' || length(regexp_extract(trim({text}), '^[+-]?[0-9]*')) || ', Type: {kind}' END");
                break;
            case "REAL" or "FLOAT" or "DOUBLE":
                value = $"TRY_CAST(trim({text}) AS {type})";
                invalid = $"{converted} IS NULL";
                (code, reason) = (1207, $"'Invalid digit, Value ''' || substr(trim({text}), length(regexp_extract(trim({text}), '^[+-]?[0-9]*\\.?[0-9]*')) + 1, 1) || ''', Pos ' || length(regexp_extract(trim({text}), '^[+-]?[0-9]*\\.?[0-9]*')) || ', Type: Double'");
                break;
            case "BOOLEAN":
                value = $"TRY_CAST(trim({text}) AS BOOLEAN)";
                invalid = $"{converted} IS NULL";
                (code, reason) = (1210, $"'Invalid boolean value ''' || {text} || ''''");
                break;
            case "DATE":
                value = DateValue(text, copy.DateFormat);
                invalid = $"{converted} IS NULL";
                (code, reason) = (1205, $"'Invalid Date Format - value ''' || {text} || ''' does not match DATEFORMAT {Escape(copy.DateFormat ?? "auto")}'");
                break;
            case "TIMESTAMP" or "TIMESTAMP WITH TIME ZONE":
                value = TimeValue(text, copy.TimeFormat, type);
                invalid = $"{converted} IS NULL";
                (code, reason) = (1206, $"'Invalid timestamp format or value [{Escape(copy.TimeFormat is null or "auto" ? "YYYY-MM-DD HH24:MI:SS" : copy.TimeFormat)}]'");
                break;
            case "JSON":
                value = $"CAST(CASE WHEN json_valid({text}) THEN {text} END AS JSON)";
                invalid = $"NOT coalesce(json_valid({text}), false)";
                (code, reason) = (1224, "'Invalid JSON: the value is not well-formed JSON for a SUPER column'");
                break;
            default:
                if (type.StartsWith("DECIMAL", StringComparison.Ordinal))
                {
                    value = $"TRY_CAST(trim({text}) AS {type})";
                    invalid = $"{converted} IS NULL";
                    (code, reason) = (1207, $"'Invalid digit, Value ''' || {text} || ''', Type: Decimal'");
                }
                else
                {
                    value = $"TRY_CAST({text} AS {type})";
                    invalid = $"{converted} IS NULL";
                    (code, reason) = (1223, $"'Invalid value ''' || {text} || ''' for type {type.ToLowerInvariant()}'");
                }
                break;
        }
        var fails = $"({text} IS NOT NULL AND ({invalid}))";
        var codeSql = code.ToString(CultureInfo.InvariantCulture);
        if (!column.Nullable)
        {
            // A NOT NULL column left empty is its own load error.
            fails = $"({fails} OR {text} IS NULL)";
            codeSql = $"CASE WHEN {text} IS NULL THEN 1213 ELSE {codeSql} END";
            reason = $"CASE WHEN {text} IS NULL THEN 'Missing data for not-null field' ELSE {reason} END";
        }
        return new ColumnConversion(value, fails, codeSql, reason);
    }

    private static string Escape(string text) => text.Replace("'", "''");

    private static string DateValue(string text, string? format) => format is null || format.Equals("auto", StringComparison.OrdinalIgnoreCase)
        ? $"coalesce(TRY_CAST(trim({text}) AS DATE), CAST(TRY_CAST(trim({text}) AS TIMESTAMP) AS DATE))"
        : $"CAST(try_strptime(trim({text}), {Literal(StrptimeFormat(format))}) AS DATE)";

    private static string TimeValue(string text, string? format, string type)
    {
        var target = type == "TIMESTAMP" ? "TIMESTAMP" : "TIMESTAMPTZ";
        var upper = format?.ToLowerInvariant();
        return upper switch
        {
            null or "auto" => $"coalesce(TRY_CAST(trim({text}) AS {target}), CAST(try_strptime(trim({text}), ['%Y-%m-%dT%H:%M:%S.%gZ', '%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M', '%m/%d/%Y %H:%M:%S', '%Y%m%d %H%M%S']) AS {target}))",
            "epochsecs" => $"CAST(make_timestamp(CAST(round(TRY_CAST(trim({text}) AS DOUBLE) * 1000000) AS BIGINT)) AS {target})",
            "epochmillisecs" => $"CAST(make_timestamp(CAST(round(TRY_CAST(trim({text}) AS DOUBLE) * 1000) AS BIGINT)) AS {target})",
            _ => $"CAST(try_strptime(trim({text}), {Literal(StrptimeFormat(format!))}) AS {target})",
        };
    }

    /// <summary>Redshift's datetime format (YYYY-MM-DD HH24:MI:SS) in strptime's letters.</summary>
    internal static string StrptimeFormat(string format)
    {
        var result = new StringBuilder();
        var parts = new (string Redshift, string Strptime)[]
        {
            ("YYYY", "%Y"), ("YY", "%y"), ("MONTH", "%B"), ("MON", "%b"), ("MM", "%m"), ("DD", "%d"), ("HH24", "%H"), ("HH12", "%I"), ("HH", "%H"),
            ("MI", "%M"), ("SS.SSSSSS", "%S.%f"), ("SS.SSS", "%S.%g"), ("SS", "%S"), ("AM", "%p"), ("PM", "%p"),
        };
        for (var i = 0; i < format.Length;)
        {
            var match = parts.FirstOrDefault(p => string.Compare(format, i, p.Redshift, 0, p.Redshift.Length, StringComparison.OrdinalIgnoreCase) == 0);
            if (match.Redshift is not null)
            {
                result.Append(match.Strptime);
                i += match.Redshift.Length;
            }
            else
            {
                result.Append(format[i] == '%' ? "%%" : format[i].ToString());
                i++;
            }
        }
        return result.ToString();
    }

    /// <summary>
    /// The SELECT that gives one STL_LOAD_ERRORS row per record that did not load: the lines that are no record, and when
    /// <paramref name="staged"/> is given, its records whose values failed (their raw lines and values read from it again).
    /// </summary>
    private static string LoadErrorRows(IReadOnlyList<TargetColumn> columns, IReadOnlyList<ColumnConversion> conversions, string? staged)
    {
        const string lines = "SELECT filename, line_number, '' AS colname, '' AS type, '0' AS col_length, 0 AS position, raw_line, " +
                             "'' AS raw_field_value, err_code, err_reason FROM copy_bad";
        if (staged is null) return lines;
        string Pick(Func<TargetColumn, ColumnConversion, int, string> each) =>
            columns.Count == 0 ? "NULL" : "CASE bad_column " + string.Join(" ", columns.Select((c, i) => $"WHEN {i} THEN {each(c, conversions[i], i)}")) + " END";
        var name = Pick((c, _, _) => Literal(c.Name));
        var type = Pick((c, _, _) => Literal(RedshiftSql.RedshiftTypeName(c.Type)));
        var length = Pick((c, _, _) => c.MaxLength is { } n ? Literal(n.ToString(CultureInfo.InvariantCulture)) : "'0'");
        var value = Pick((_, _, i) => $"v{i}");
        var code = Pick((_, c, _) => c.Code);
        var reason = Pick((_, c, _) => c.Reason);
        return $"""
            SELECT filename, line_number, {name} AS colname, {type} AS type, {length} AS col_length, 0 AS position, raw_line, {value} AS raw_field_value, {code} AS err_code, {reason} AS err_reason
            FROM {staged} JOIN (SELECT filename, line_number, bad_column FROM copy_checked WHERE bad_column IS NOT NULL) USING (filename, line_number)
            UNION ALL
            {lines}
            """;
    }

    /// <summary>
    /// The rows a failed COPY wrote to STL_LOAD_ERRORS, set aside in a Parquet file of the warehouse's folder now (a file is not
    /// part of the transaction) and written back in one statement once the transaction is rolled back.
    /// </summary>
    private Action<DuckDBConnection> KeepLoadErrors(DuckDBConnection connection, long query)
    {
        var kept = workspace.Resolve("warehouse", "tmp", $"load-errors-{Guid.NewGuid():N}.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(kept)!);
        Run(connection, $"COPY (SELECT * FROM {SystemSchema}.stl_load_errors WHERE query = {query}) TO {Literal(kept)} (FORMAT parquet)");
        return after =>
        {
            try
            {
                Run(after, LoadErrorsTable);
                Run(after, $"INSERT INTO {SystemSchema}.stl_load_errors SELECT * FROM read_parquet({Literal(kept)}) ORDER BY filename, line_number");
            }
            finally
            {
                File.Delete(kept);
            }
        };
    }

    private const string LoadErrorsTable = $"""
        CREATE TABLE IF NOT EXISTS {SystemSchema}.stl_load_errors (
            userid INTEGER, slice INTEGER, tbl INTEGER, starttime TIMESTAMP, session INTEGER, query INTEGER, filename VARCHAR, line_number BIGINT,
            colname VARCHAR, type VARCHAR, col_length VARCHAR, position INTEGER, raw_line VARCHAR, raw_field_value VARCHAR, err_code INTEGER, err_reason VARCHAR)
        """;

    /// <param name="first">The errors kept, the first in load order; null keeps every one.</param>
    private void RecordLoadErrors(DuckDBConnection connection, string errorRows, long query, long table, DateTimeOffset started, long? first)
    {
        Run(connection, LoadErrorsTable);
        var limit = first is { } count ? $" LIMIT {count.ToString(CultureInfo.InvariantCulture)}" : "";
        Run(connection, $"""
            INSERT INTO {SystemSchema}.stl_load_errors
            SELECT 100, 0, {table}, {TimeLiteral(started)}, 1, {query}, filename, line_number, colname, type, col_length, position,
                   left(raw_line, 1024), left(raw_field_value, 1024), err_code, left(err_reason, 100)
            FROM ({errorRows}) ORDER BY filename, line_number{limit}
            """);
    }

    private void RecordLoadCommits(DuckDBConnection connection, long query, string table, DateTimeOffset started)
    {
        Run(connection, $"""
            CREATE TABLE IF NOT EXISTS {SystemSchema}.stl_load_commits (
                userid INTEGER, query INTEGER, slice INTEGER, name VARCHAR, filename VARCHAR, byte_offset INTEGER, lines_scanned INTEGER, errors INTEGER, curtime TIMESTAMP, status INTEGER)
            """);
        Run(connection, $"""
            INSERT INTO {SystemSchema}.stl_load_commits
            SELECT 100, {query}, 0, {Literal(table)}, filename, 0, count(*), count(*) FILTER (WHERE bad_column IS NOT NULL), {TimeLiteral(started)}, 1
            FROM (SELECT filename, bad_column FROM copy_checked UNION ALL SELECT filename, 0 FROM copy_bad) GROUP BY filename ORDER BY filename
            """);
    }

    /// <summary>The query id COPY and UNLOAD record in the system tables, counting up per cluster.</summary>
    private static long NextQueryId(DuckDBConnection connection)
    {
        Run(connection, $"CREATE SEQUENCE IF NOT EXISTS {SystemSchema}.load_query_ids START 1000");
        return Scalar<long>(connection, $"SELECT nextval('{SystemSchema}.load_query_ids')");
    }

    private long TableId(DuckDBConnection connection, CopyCommand copy)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT table_oid FROM duckdb_tables() WHERE database_name = $1 AND schema_name = $2 AND table_name = $3";
        command.Parameters.Add(new DuckDBParameter(Cluster.Database));
        command.Parameters.Add(new DuckDBParameter(copy.Schema));
        command.Parameters.Add(new DuckDBParameter(copy.Table));
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L, CultureInfo.InvariantCulture);
    }

    private static T Scalar<T>(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), CultureInfo.InvariantCulture);
    }

    private static string Literal(string text) => "'" + text.Replace("'", "''") + "'";

    private static string TimeLiteral(DateTimeOffset time) =>
        $"TIMESTAMP '{time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}'";

    private static S3Location ParseS3(string text)
    {
        try
        {
            return S3Location.Parse(text);
        }
        catch (ServiceException error)
        {
            throw new RedshiftSqlException(error.Message, "22023");
        }
    }

    /// <summary>The role a statement names must be attached to the cluster, or be its default, as Redshift checks before it reads or writes S3.</summary>
    private string RequireRole(string? role, string? region, string statement)
    {
        if (role is null)
            throw new RedshiftSqlException($"{statement} needs authorization: add IAM_ROLE '<an ARN of the cluster's roles>' (or IAM_ROLE default, if the cluster has a default role).", "42601");
        return Cluster.ResolveRole(role, region ?? streams.Region, streams.AccountId);
    }
}
