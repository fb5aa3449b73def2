using System.Text.Json;
using System.Text.Json.Serialization;

namespace Wallfacer.Cli.Commands;

/// <summary>
/// <c>wallfacer serve --config FILE</c>: the same settings as the command line, as JSON (camelCase keys). Options given
/// on the command line win over the file. Unknown keys are errors (a misspelt key must not be silently ignored).
/// </summary>
internal sealed record ServeConfig
{
    public string? Model { get; init; }
    public string? Alias { get; init; }
    public string? Host { get; init; }
    public int? Port { get; init; }
    public int? Parallel { get; init; }
    public int? Queue { get; init; }
    public int? CtxSize { get; init; }
    public int? Threads { get; init; }
    public string[]? ApiKeys { get; init; }
    public string? ApiKeyFile { get; init; }
    public long? MaxBodyBytes { get; init; }
    public string[]? CorsOrigins { get; init; }

    /// <summary>Largest config file read (a settings file, not data).</summary>
    private const long MaxBytes = 1 << 20;

    /// <summary>Reads <paramref name="file"/>; relative paths inside it are taken relative to the file's folder.</summary>
    /// <exception cref="ArgumentException">Unreadable, not JSON, a wrong type or an unknown key (named, with its position).</exception>
    public static ServeConfig Read(FileInfo file)
    {
        if (!file.Exists)
            throw new ArgumentException($"{file.FullName}: no such config file.");
        if (file.Length > MaxBytes)
            throw new ArgumentException($"{file.FullName}: {file.Length} bytes; a config file is limited to {MaxBytes} bytes.");
        ServeConfig config;
        try
        {
            config = JsonSerializer.Deserialize(File.ReadAllBytes(file.FullName), ServeConfigJson.Default.ServeConfig)
                     ?? throw new ArgumentException($"{file.FullName}: the config is null; expected an object.");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{file.FullName}: {e.Message}", e);
        }
        string folder = file.DirectoryName!;
        return config with
        {
            Model = Relative(config.Model, folder),
            ApiKeyFile = config.ApiKeyFile is null ? null : Path.GetFullPath(config.ApiKeyFile, folder),
        };
    }

    /// <summary>A model that looks like a path is resolved against the config's folder; a hub name is left alone.</summary>
    private static string? Relative(string? model, string folder) =>
        model is not null && (model.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) || model.StartsWith('.'))
            ? Path.GetFullPath(model, folder)
            : model;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(ServeConfig))]
internal sealed partial class ServeConfigJson : JsonSerializerContext;
