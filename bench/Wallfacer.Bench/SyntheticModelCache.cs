using Wallfacer.Models.Synthetic;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Bench;

/// <summary>
/// Synthetic model files for the benchmark, written once per (preset, type) into the temp folder and reused
/// (the same folder and names as <c>wallfacer bench --preset</c>). Writing MiniCPM-2B takes minutes, so a
/// file that exists is trusted; delete the folder after changing the synthetic writer.
/// </summary>
internal static class SyntheticModelCache
{
    public static string Folder => Path.Combine(Path.GetTempPath(), "wallfacer-bench");

    /// <summary>The cached file for <paramref name="preset"/> in <paramref name="type"/>, written first if absent.</summary>
    public static string GetOrWrite(string preset, string type, TextWriter log)
    {
        var spec = Resolve(preset, type);
        Directory.CreateDirectory(Folder);
        string path = Path.Combine(Folder, $"{preset.ToLowerInvariant()}-{type.ToUpperInvariant()}.gguf");
        if (File.Exists(path))
            return path;
        log.WriteLine($"writing {path} ({spec.ParameterCount / 1e6:F0} M parameters) …");
        // Written under a private name and renamed, so that an interrupted write never leaves a truncated cache entry.
        string partial = $"{path}.{Environment.ProcessId}.partial";
        SyntheticModelWriter.Write(spec, partial);
        File.Move(partial, path, overwrite: true);
        return path;
    }

    /// <summary>The preset with the weight type applied; "Q4_K_M" selects llama.cpp's Q4_K/Q6_K mix.</summary>
    public static SyntheticModelSpec Resolve(string preset, string type)
    {
        if (type.Equals("Q4_K_M", StringComparison.OrdinalIgnoreCase))
            return SyntheticPresets.Q4KM(SyntheticPresets.Get(preset));
        if (!Enum.TryParse<GgmlType>(type, ignoreCase: true, out var parsed) || !GgmlTypeInfo.IsKnown(parsed))
            throw new ArgumentException($"Unknown weight type '{type}' (try Q4_0, Q8_0 or Q4_K_M).");
        return SyntheticPresets.Get(preset, parsed);
    }
}
