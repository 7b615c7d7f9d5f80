using System.CommandLine;
var root = new RootCommand("Streaming Workshop Kit");
return await root.Parse(args).InvokeAsync();
