using System.CommandLine;
using Wallfacer.Cli.Commands;

namespace Wallfacer.Cli;

/// <summary>The <c>wallfacer</c> command line: one thin class per verb.</summary>
internal static class Program
{
    // Ctrl+C is handled per verb by CommandRunner (System.CommandLine's own handler would end `chat`).
    private static Task<int> Main(string[] args) =>
        BuildRoot().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

    internal static RootCommand BuildRoot()
    {
        var root = new RootCommand("Wallfacer: run small Llama-family GGUF models on the CPU, in pure managed code.");
        root.Options.Add(CommonOptions.Verbose);
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(TokenizeCommand.Create());
        root.Subcommands.Add(TemplateCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ChatCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(PerplexityCommand.Create());
        root.Subcommands.Add(SynthCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(BenchParallelCommand.Create());
        root.Subcommands.Add(BenchGrammarCommand.Create());
        root.Subcommands.Add(CollabEvalCommand.Create());
        root.Subcommands.Add(PullCommand.Create());
        root.Subcommands.Add(ListCommand.Create());
        return root;
    }
}
