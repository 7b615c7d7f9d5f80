using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using StreamingWorkshop.Query;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>crawl, catalog and query: Task 3 of the workshop from the command line.</summary>
internal static class QueryCommands
{
    public static void AddTo(RootCommand root)
    {
        root.Subcommands.Add(Crawl());
        root.Subcommands.Add(CatalogCommand());
        root.Subcommands.Add(QueryCommand());
    }

    private static Command Crawl()
    {
        var name = new Option<string?>("--name") { Description = "Crawler to run (default: the workshop's weather-data-crawler, made if needed)." };
        var command = new Command("crawl", "Run a Glue-style crawler over the lake and update the catalog.") { name };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.CrawlAsync(parse.GetValue(name), cancellationToken));
            return 0;
        });
        return command;
    }

    private static Command CatalogCommand()
    {
        var database = new Option<string?>("--database") { Description = "Glue database (default: the workshop's)." };
        var tables = new Command("tables", "List the tables and views of a database.") { database };
        tables.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            var db = await session.DatabaseNameAsync(parse.GetValue(database), cancellationToken);
            var rows = new List<IReadOnlyList<string>>();
            foreach (var table in (await session.DescribeDatabaseAsync(db, cancellationToken)).Tables)
                rows.Add([table.Name, table.TableType, table.Columns.Count.ToString(),
                    table.IsView ? "" : (await session.PartitionsAsync(table.Name, db, cancellationToken)).Count.ToString(), table.Location ?? "", table.VersionId.ToString()]);
            Terminal.ShowGrid(["Table", "Type", "Columns", "Partitions", "Location", "Version"], rows);
            return 0;
        });

        var tableArgument = new Argument<string>("table") { Description = "Table or view name." };
        var describe = new Command("describe", "Show a table's columns, types and partition keys.") { tableArgument, database };
        describe.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.Catalog.DescribeTableAsync(parse.GetValue(tableArgument)!, parse.GetValue(database), cancellationToken));
            return 0;
        });

        var column = new Argument<string>("column") { Description = "Column to change." };
        var type = new Argument<string>("type") { Description = "New Glue type, for example timestamp." };
        var alter = new Command("alter-column", "Change a column's type (a new table version), as editing the schema in the Glue console does.") { tableArgument, column, type, database };
        alter.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.Catalog.AlterColumnTypeAsync(parse.GetValue(tableArgument)!, parse.GetValue(column)!, parse.GetValue(type)!, parse.GetValue(database), cancellationToken));
            return 0;
        });

        return new Command("catalog", "Look at and edit the Glue-style Data Catalog.") { tables, describe, alter };
    }

    /// <summary>
    /// Athena's error as it gives it, then for a missing table the commands that lead on: the crawler's (after the
    /// simulation's when the lake is empty), or the listing of the tables there are; for a missing column, the one that
    /// lists a table's columns.
    /// </summary>
    public static string Explain(AthenaQueryException error) => error switch
    {
        { CrawlerMakesTheTable: true, LakeIsEmpty: true } =>
            $"{error.ErrorType}: {error.Detail}. The crawler makes the lake's tables from its readings, and the lake holds none yet: run 'workshop simulate --duration 24h', then 'workshop crawl', then query again.",
        { CrawlerMakesTheTable: true } => $"{error.ErrorType}: {error.Detail}. The crawler makes the lake's tables and has made none yet: run 'workshop crawl' first, then query again.",
        { ErrorType: "TABLE_NOT_FOUND" } => $"{error.Message}. 'workshop catalog tables' lists the database's tables.",
        { ErrorType: "COLUMN_NOT_FOUND" } => $"{error.Message}. 'workshop catalog describe <table>' lists a table's columns.",
        _ => error.Message,
    };

    private static Command QueryCommand()
    {
        var sql = new Argument<string?>("sql") { Description = "The SQL to run (Athena's dialect).", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<string?>("--file") { Description = "Read the SQL from a file instead." };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var database = new Option<string?>("--database") { Description = "Database (default: the workshop's)." };
        var command = new Command("query", "Run Athena SQL on the lake and show the result, the run time, the data scanned and the cost.") { sql, file, format, database };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(file) is not null && parse.GetValue(sql) is not null)
                throw new ArgumentException("Give the SQL either as an argument or with --file, not both.");
            var text = parse.GetValue(file) is { } path ? await CliSession.ReadInputFileAsync(path, "--file", "SQL", cancellationToken) : parse.GetValue(sql)
                ?? throw new ArgumentException("Give the SQL as an argument (workshop query \"SELECT ...\") or with --file query.sql.");
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            var result = await session.QueryAsync(text, parse.GetValue(database), cancellationToken);
            switch (parse.GetValue(format))
            {
                case "csv":
                    Console.Out.Write(AthenaCsv.Write(result.Columns, result.Rows));
                    break;
                case "json":
                    var rows = result.Rows.Select(r => result.Columns.Select((c, i) => (c.Name, Value: r[i] is null ? null : AthenaCsv.Format(r[i]))).ToDictionary(p => p.Name, p => p.Value));
                    Console.Out.WriteLine(JsonSerializer.Serialize(new { columns = result.Columns, rows, statistics = result.Statistics }, new JsonSerializerOptions { WriteIndented = true }));
                    break;
                default:
                    if (result.Columns.Count > 0)
                    {
                        Terminal.ShowGrid(result.Columns.Select(c => c.Name).ToList(),
                            result.Rows.Take(200).Select(row => (IReadOnlyList<string>)row.Select(AthenaConsole.Format).ToArray()).ToList());
                        if (result.Rows.Count > 200) AnsiConsole.MarkupLineInterpolated($"[grey]… {result.Rows.Count - 200:N0} more rows (use --format csv for all)[/]");
                    }
                    Terminal.Footer($"{result.SummaryLines[0]} · Query ID {result.Execution.QueryExecutionId}");
                    // The S3 requests' line is one sentence: wrapped at its spaces, in the footer's grey.
                    foreach (var line in result.SummaryLines.Skip(1)) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(Terminal.FitProse(line))}[/]");
                    break;
            }
            return 0;
        });
        return command;
    }
}
