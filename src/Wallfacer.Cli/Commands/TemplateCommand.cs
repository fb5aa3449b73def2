using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using Wallfacer.Gguf;
using Wallfacer.Inference.Templates;

namespace Wallfacer.Cli.Commands;

/// <summary>
/// <c>wallfacer template (-m MODEL | --template FILE) --vars VARS.json</c>: renders a chat template and
/// prints the prompt exactly (UTF-8, no BOM, nothing appended). VARS.json holds every variable the
/// template receives (messages, tools, add_generation_prompt, bos_token, ...).
/// </summary>
internal static class TemplateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "GGUF model whose tokenizer.chat_template to render." };
        var template = new Option<string>("--template") { Description = "A Jinja chat template file to render instead of a model's." };
        var vars = new Option<string>("--vars")
        {
            Description = "JSON file with one object: every variable the template receives.",
            Required = true,
        };
        var command = new Command("template", "Render a chat template with the given variables, exactly as Hugging Face transformers does.")
        {
            model, template, vars,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetResult(model) == null) == (result.GetResult(template) == null))
                result.AddError("Give exactly one of --model (-m) and --template.");
        });
        CommandRunner.SetAction(command, (parse, ct) =>
        {
            string? templatePath = parse.GetValue(template);
            string source = templatePath != null ? File.ReadAllText(templatePath) : ReadModelTemplate(ModelLocator.Resolve(parse.GetValue(model)!));
            var variables = ReadVariables(parse.GetValue(vars)!);
            string prompt = Render(source, variables, ct);
            using var stdout = Console.OpenStandardOutput();
            stdout.Write(new UTF8Encoding(false).GetBytes(prompt));
            return 0;
        });
        return command;
    }

    private static string Render(string source, JsonObject variables, CancellationToken ct)
    {
        try
        {
            return JinjaTemplate.Parse(source).Render(variables, ct);
        }
        catch (TemplateRenderException e) when (e.Line > 0)
        {
            throw new InvalidOperationException($"{e.Message} (template line {e.Line})", e);
        }
    }

    /// <summary>The model's own template, or a built-in one chosen from its special tokens (noted on stderr).</summary>
    private static string ReadModelTemplate(string path)
    {
        using var file = GgufFile.Open(path);
        if (file.Metadata.GetStringOrNull(GgufKeys.TokenizerChatTemplate) is { } source)
            return source;
        var tokens = new HashSet<string>(file.Metadata.GetStringArrayOrNull(GgufKeys.TokenizerTokens) ?? [], StringComparer.Ordinal);
        var (name, builtIn) = BuiltInChatTemplates.Choose(file.Architecture, tokens.Contains);
        Console.Error.WriteLine($"wallfacer: note: {Path.GetFileName(path)} has no {GgufKeys.TokenizerChatTemplate}; using the built-in '{name}' template.");
        return builtIn;
    }

    private static JsonObject ReadVariables(string path)
    {
        var node = JsonNode.Parse(File.ReadAllText(path));
        return node as JsonObject
            ?? throw new InvalidDataException($"{path} must hold one JSON object of template variables (messages, add_generation_prompt, ...).");
    }
}
