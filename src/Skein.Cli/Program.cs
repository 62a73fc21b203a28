using Skein.Cli;

return await SkeinCli.Build().Parse(args).InvokeAsync();
