using System.CommandLine;
using Spectre.Console;
using StreamingWorkshop.Stack;

namespace StreamingWorkshop.Cli.Commands;

/// <summary>deploy, stack and destroy: Task 1 of the workshop from the command line.</summary>
internal static class StackCommands
{
    private static readonly Option<string> StackName = new("--stack-name") { Description = "Stack name.", DefaultValueFactory = _ => "stream" };

    public static void AddTo(RootCommand root)
    {
        var template = new Option<string?>("--template") { Description = "Template file (default: the workshop's templates/workshop-stack.yaml, shipped in the kit)." };
        var parameters = new Option<string[]>("--parameter") { Description = "Parameter override as Key=Value (repeatable).", AllowMultipleArgumentsPerToken = true };
        var deploy = new Command("deploy", "Deploy the stack from its CloudFormation template and show its events and outputs.") { StackName, template, parameters };
        deploy.SetAction(async (parse, cancellationToken) =>
        {
            var overrides = new Dictionary<string, string>();
            foreach (var pair in parse.GetValue(parameters) ?? [])
            {
                var equals = pair.IndexOf('=');
                if (equals <= 0) throw new ArgumentException($"--parameter '{pair}' must be Key=Value, for example --parameter Environment=test.");
                overrides[pair[..equals]] = pair[(equals + 1)..];
            }
            var body = parse.GetValue(template) is { } path ? await CliSession.ReadInputFileAsync(path, "--template", "template", cancellationToken) : null;
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            var name = parse.GetValue(StackName)!;
            var before = await session.Stack.ExistsAsync(name, cancellationToken) ? (await session.Stack.DescribeAsync(name, cancellationToken)).Events.Count : 0;
            var state = await session.Stack.DeployAsync(parse.GetValue(StackName), body, overrides, cancellationToken);
            if (state.StackStatusReason == "No updates are to be performed.")
            {
                AnsiConsole.MarkupLineInterpolated($"Stack {state.StackName} is already up to date ({state.StackStatus}). No updates are to be performed.");
                return 0;
            }
            // Where each event was printed as it happened, the table would repeat them.
            if (!session.Stack.ReportsEventsAsTheyHappen) Terminal.Show(new StackEventsView(state.Events.Skip(before).ToList(), newestFirst: false));
            if (state.StackStatus is "CREATE_COMPLETE" or "UPDATE_COMPLETE")
            {
                Terminal.Show(await session.Stack.OutputsAsync(state.StackName, cancellationToken));
                return 0;
            }
            // A stack that rolled back its creation is deleted before another try; a failed update left the stack as it was.
            var next = state.StackStatus is "ROLLBACK_COMPLETE" or "ROLLBACK_FAILED" ? " " + StackStatuses.WayOut(state.StackName, state.StackStatusReason) : "";
            Console.Error.WriteLine($"Stack {state.StackName} ended {state.StackStatus}: {state.StackStatusReason}{next}");
            return 1;
        });
        root.Subcommands.Add(deploy);

        var outputs = new Command("outputs", "The stack's outputs, with their local equivalents.") { StackName };
        outputs.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.Stack.OutputsAsync(parse.GetValue(StackName), cancellationToken));
            return await FailedStackSaysSoAsync(session, parse.GetValue(StackName), cancellationToken);
        });
        var events = new Command("events", "The stack's events, newest first.") { StackName };
        events.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.Stack.EventsAsync(parse.GetValue(StackName), cancellationToken));
            return 0;
        });
        var resources = new Command("resources", "The stack's resources and their physical ids.") { StackName };
        resources.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            Terminal.Show(await session.Stack.ResourcesAsync(parse.GetValue(StackName), cancellationToken));
            return await FailedStackSaysSoAsync(session, parse.GetValue(StackName), cancellationToken);
        });
        root.Subcommands.Add(new Command("stack", "Look at a deployed stack.") { outputs, events, resources });

        var emptyBuckets = new Option<bool>("--empty-buckets") { Description = "Delete the objects in the buckets the stack deletes, so they can go too; the data lake's bucket is kept with its objects either way." };
        var destroy = new Command("destroy", "Delete the stack (a bucket its DeletionPolicy keeps, as the data lake's, stays).") { StackName, emptyBuckets };
        destroy.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await CliSession.ConnectAsync(parse, cancellationToken);
            var state = await session.DestroyAsync(parse.GetValue(StackName), parse.GetValue(emptyBuckets), cancellationToken);
            var deletion = state.Events.Where(e => e.ResourceStatus.StartsWith("DELETE", StringComparison.Ordinal)).ToList();
            Terminal.Show(new StackEventsView(deletion, newestFirst: false));
            // A kept bucket outlives the stack, and stands in the way of the next deployment, which would create it again.
            foreach (var kept in deletion.Where(e => e.ResourceStatus == "DELETE_SKIPPED" && e.ResourceType == "AWS::S3::Bucket"))
                Console.Out.WriteLine($"Kept: {kept.LogicalResourceId} ({kept.PhysicalResourceId}) and its objects. A new deployment cannot create it while it exists: " +
                    "locally, 'workshop reset' starts afresh; on AWS, delete it when you no longer need it.");
            if (state.StackStatus == "DELETE_COMPLETE") return 0;
            Console.Error.WriteLine($"Stack {state.StackName} ended {state.StackStatus}: {state.StackStatusReason}");
            return 1;
        });
        root.Subcommands.Add(destroy);
    }

    /// <summary>
    /// After the outputs or resources of a stack whose deployment failed (rolled back, so none are in place): one line on
    /// stderr with its status, reason and way out, and exit code 1, rather than empty tables that look like success.
    /// </summary>
    private static async Task<int> FailedStackSaysSoAsync(WorkshopSession session, string? stackName, CancellationToken cancellationToken)
    {
        var state = await session.Stack.DescribeAsync(stackName, cancellationToken);
        if (StackStatuses.IsUsable(state.StackStatus) || state.StackStatus.EndsWith("_IN_PROGRESS", StringComparison.Ordinal)) return 0;
        Console.Error.WriteLine($"Stack {state.StackName} is {state.StackStatus}: {state.StackStatusReason} {StackStatuses.WayOut(state.StackName, state.StackStatusReason)}");
        return 1;
    }
}

/// <summary>`diagram`: the stack's architecture drawn from its template, as SVG and (with Chromium) PNG.</summary>
internal static class DiagramCommand
{
    public static void AddTo(RootCommand root)
    {
        var template = new Option<string?>("--template") { Description = "Template to draw (default: the workshop's)." };
        var output = new Option<string>("--out") { Description = "Folder for architecture.svg and architecture.png.", DefaultValueFactory = _ => "images" };
        var command = new Command("diagram", "Draw the stack's architecture from its CloudFormation template (SVG, and PNG when Chromium is installed).") { template, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var body = parse.GetValue(template) is { } path ? await CliSession.ReadInputFileAsync(path, "--template", "template", cancellationToken) : TemplateReader.WorkshopTemplate();
            var outText = parse.GetValue(output)!;
            if (File.Exists(outText))
                throw new ArgumentException($"--out '{outText}' is a file; give a folder for architecture.svg and architecture.png.");
            var folder = Directory.CreateDirectory(outText).FullName;
            var svgPath = Path.Combine(folder, "architecture.svg");
            await File.WriteAllTextAsync(svgPath, ArchitectureDiagram.Svg(TemplateReader.Parse(body)), cancellationToken);
            Console.Out.WriteLine($"Wrote {svgPath}");
            var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);
            if (chromium is null)
            {
                Console.Out.WriteLine("No PNG: install Chromium (apt-get install chromium) and run again to render architecture.png.");
                return 0;
            }
            var svg = await File.ReadAllTextAsync(svgPath, cancellationToken);
            var width = System.Text.RegularExpressions.Regex.Match(svg, "width=\"(\\d+)\"").Groups[1].Value;
            var height = System.Text.RegularExpressions.Regex.Match(svg, "height=\"(\\d+)\"").Groups[1].Value;
            var profile = Directory.CreateTempSubdirectory("diagram-chromium-").FullName;
            try
            {
                var info = new System.Diagnostics.ProcessStartInfo(chromium) { RedirectStandardError = true, RedirectStandardOutput = true };
                foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                             "--disable-sync", "--hide-scrollbars", $"--user-data-dir={profile}", $"--window-size={width},{height}",
                             $"--screenshot={Path.Combine(folder, "architecture.png")}", new Uri(svgPath).AbsoluteUri })
                    info.ArgumentList.Add(a);
                using var process = System.Diagnostics.Process.Start(info)!;
                await process.WaitForExitAsync(cancellationToken);
                Console.Out.WriteLine(process.ExitCode == 0 ? $"Wrote {Path.Combine(folder, "architecture.png")}" : "Chromium could not render the PNG; the SVG is fine.");
            }
            finally
            {
                Directory.Delete(profile, recursive: true);
            }
            return 0;
        });
        root.Subcommands.Add(command);
    }
}
