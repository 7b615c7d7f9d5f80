// Notebook sessions set the process's current directory while a cell runs, as .NET Interactive did, so the
// tests that run notebooks take turns.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
