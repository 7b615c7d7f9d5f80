using System.CommandLine;
using System.Text.Json;
using StreamingWorkshop.Warehouse;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>warehouse query and warehouse tables: SQL on the stack's Redshift cluster from the command line, through the Data API.</summary>
internal static class WarehouseCommands
{
    public static void AddTo(RootCommand root) =>
        root.Subcommands.Add(new Command("warehouse", "Run Redshift SQL on the stack's warehouse cluster (the Redshift Data API).") { Query(), Tables() });

    private static Command Query()
    {
        var sql = new Argument<string?>("sql") { Description = "The SQL to run (Redshift's dialect).", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<string?>("--file") { Description = "Read the SQL from a file instead." };
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var command = new Command("query", "Run one statement on the warehouse and show its rows, the statement's id, its duration and its row count.") { sql, file, format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(file) is not null && parse.GetValue(sql) is not null)
                throw new ArgumentException("Give the SQL either as an argument or with --file, not both.");
            var text = parse.GetValue(file) is { } path ? await CliSession.ReadInputFileAsync(path, "--file", "SQL", cancellationToken) : parse.GetValue(sql)
                ?? throw new ArgumentException("Give the SQL as an argument (workshop warehouse query \"SELECT ...\") or with --file query.sql.");
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            return await ShowAsync(() => session.Warehouse.QueryAsync(text, cancellationToken), parse.GetValue(format)!);
        });
        return command;
    }

    private static Command Tables()
    {
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var command = new Command("tables", "List the warehouse's tables with their distribution style, sort key, encoding and rows (SVV_TABLE_INFO; tables with rows only, as in Redshift).") { format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            return await ShowAsync(() => session.Warehouse.TablesAsync(cancellationToken), parse.GetValue(format)!);
        });
        return command;
    }

    /// <summary>The result in the chosen format; a statement that failed is Redshift's error on one line of stderr, and exit code 1.</summary>
    private static async Task<int> ShowAsync(Func<Task<WarehouseResult>> run, string format)
    {
        WarehouseResult result;
        try
        {
            result = await run();
        }
        catch (WarehouseStatementException failed)
        {
            // Redshift's words, as the Data API gives them, and for a missing table the verb that lists the tables.
            Terminal.Tell(Failure.WithNextStep(failed.Message, failed));
            return 1;
        }
        switch (format)
        {
            case "csv":
                Console.Out.Write(result.ToCsv());
                break;
            case "json":
                var rows = result.Rows.Select(r => result.Columns.Select((c, i) => (c.Name, Value: r[i] is null ? null : WarehouseResult.Format(r[i]))).ToDictionary(p => p.Name, p => p.Value));
                Console.Out.WriteLine(JsonSerializer.Serialize(new
                {
                    statementId = result.StatementId,
                    durationMilliseconds = (long)result.Duration.TotalMilliseconds,
                    resultRows = result.Description.ResultRows,
                    columns = result.Columns.Select(c => new { name = c.Name, type = c.TypeName }),
                    rows,
                }, new JsonSerializerOptions { WriteIndented = true }));
                break;
            default:
                Terminal.Show(result);
                break;
        }
        return 0;
    }
}
