using System.Text.Json;
using Wallfacer.Inference.Grammar;

namespace Wallfacer.Cli.Commands;

/// <summary>Reads <c>--grammar FILE</c> (GBNF) or <c>--json-schema FILE</c> into the grammar generation must follow.</summary>
internal static class GrammarFiles
{
    /// <summary>Most bytes read from a grammar or schema file (both are small texts; a huge one is a mistake).</summary>
    private const long MaxFileBytes = 4 << 20;

    public static GbnfGrammar? Read(FileInfo? gbnf, FileInfo? jsonSchema)
    {
        if (gbnf is not null && jsonSchema is not null)
            throw new ArgumentException("Give --grammar or --json-schema, not both.");
        if (gbnf is not null)
            return Parse(gbnf, text => GbnfGrammar.Parse(text));
        if (jsonSchema is not null)
            return Parse(jsonSchema, CompileSchema);
        return null;
    }

    private static GbnfGrammar CompileSchema(string text)
    {
        using var doc = JsonDocument.Parse(text);
        return JsonSchemaGrammar.Compile(doc.RootElement);
    }

    private static GbnfGrammar Parse(FileInfo file, Func<string, GbnfGrammar> parse)
    {
        if (!file.Exists)
            throw new FileNotFoundException($"{file.FullName}: no such file.");
        if (file.Length > MaxFileBytes)
            throw new ArgumentException($"{file.FullName}: {file.Length} bytes; grammar and schema files are limited to {MaxFileBytes} bytes.");
        try
        {
            return parse(File.ReadAllText(file.FullName));
        }
        catch (Exception ex) when (ex is GrammarException or JsonException)
        {
            throw new ArgumentException($"{file.FullName}: {ex.Message}", ex);
        }
    }
}
