using Wallfacer.Hub;

namespace Wallfacer.Cli.Commands;

/// <summary>
/// What <c>-m</c> names: a GGUF file, or else a model pulled into the hub cache (<c>owner/name[:FILE-or-QUANT]</c>).
/// A file wins, so a local folder that happens to look like <c>owner/name</c> keeps working as before.
/// </summary>
internal static class ModelLocator
{
    public static string Resolve(string model)
    {
        if (File.Exists(model))
            return model;
        if (!ModelReference.TryParse(model, out _))
            throw new FileNotFoundException($"model not found: {model} (no such file).", model);
        var cache = new HubCache(HubEnvironment.CacheDirectory());
        if (cache.TryResolve(model, out string? path))
            return path;
        throw new FileNotFoundException(
            $"model not found: {model} (not a file, not in the cache at {cache.RootDirectory}; try `wallfacer pull {model}`).", model);
    }
}
