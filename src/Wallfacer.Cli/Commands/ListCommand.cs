using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Wallfacer.Hub;

namespace Wallfacer.Cli.Commands;

/// <summary><c>wallfacer list [--json]</c>: the GGUF models in the hub cache, with their repository, size, revision and path.</summary>
internal static class ListCommand
{
    private const int ShortCommitLength = 12;

    public static Command Create()
    {
        var json = CommonOptions.Json();
        var command = new Command("list", "List the GGUF models in the Hugging Face hub cache (what `wallfacer pull` downloaded).") { json };
        CommandRunner.SetAction(command, (parse, _) =>
        {
            var cache = new HubCache(HubEnvironment.CacheDirectory());
            var models = cache.List();
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new { cacheDirectory = cache.RootDirectory, models }, JsonOptions.Indented));
            else
                Render(cache.RootDirectory, models);
            return 0;
        });
        return command;
    }

    private static void Render(string cacheDirectory, IReadOnlyList<CachedModel> models)
    {
        if (models.Count == 0)
        {
            AnsiConsole.MarkupLine($"no GGUF models in {Markup.Escape(cacheDirectory)}; download one with [bold]wallfacer pull owner/name[/].");
            return;
        }
        var table = new Table().AddColumn("repository").AddColumn("file").AddColumn(new TableColumn("size").RightAligned())
            .AddColumn("revision").AddColumn("commit").AddColumn("path");
        foreach (var m in models)
        {
            table.AddRow(Markup.Escape(m.RepoId), Markup.Escape(m.File), InspectCommand.Bytes(m.SizeBytes),
                Markup.Escape(string.Join(", ", m.Revisions)), Markup.Escape(m.Commit[..Math.Min(ShortCommitLength, m.Commit.Length)]), Markup.Escape(m.Path));
        }
        AnsiConsole.MarkupLine($"cache: {Markup.Escape(cacheDirectory)}");
        AnsiConsole.Write(table);
    }
}
