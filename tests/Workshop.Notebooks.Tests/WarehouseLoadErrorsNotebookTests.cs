using StreamingWorkshop.Notebooks;

namespace Workshop.Notebooks.Tests;

/// <summary>
/// Notebook 06's failed load and its tolerant retry, as a learner reads them after `workshop run`: the failed COPY
/// records only the record that stopped it (Edinburgh's object comes first by key), and the load with MAXERROR reaches
/// the end and records every rejected record, a day of 1,440 readings for each of the two long names.
/// </summary>
[Collection(WorkshopRunCollection.Name)]
public sealed class WarehouseLoadErrorsNotebookTests(WorkshopRun run)
{
    [Fact]
    public void The_failed_load_shows_the_record_that_stopped_it_and_the_tolerant_load_every_rejected_record()
    {
        var cells = ExecutedNotebook.CodeCells(run, "06-going-further-warehouse.ipynb");

        var failed = ExecutedNotebook.OutputOf(cells, "catch (WarehouseStatementException error)");
        Assert.Contains("ERROR: Load into table 'short_names' failed. Check 'stl_load_errors' system table for details.", failed);
        Assert.Matches(@"\ncity\s+1204\s+String length exceeds DDL length\s+Edinburgh\s+1\s*\n", failed);
        Assert.DoesNotContain("Manchester", failed);

        var tolerant = ExecutedNotebook.OutputOf(cells, "MAXERROR 100000");
        Assert.Matches(@"\nEdinburgh\s+1440\s*\nManchester\s+1440\s*\n", tolerant);
        Assert.Matches(@"\nLondon\s+1440\s*\n", tolerant);
    }
}
