using Wallfacer.Models.Architectures.Llama;
using Wallfacer.Models.Architectures.MiniCpm;
using Wallfacer.Models.Architectures.Qwen2;
using Wallfacer.Models.Architectures.Qwen3;

namespace Wallfacer.Models;

/// <summary>The one list of supported architectures: one line each, no logic.</summary>
public static class ArchitectureRegistry
{
    private static readonly IArchitecture[] All =
    [
        new LlamaArchitecture(),
        new MiniCpmArchitecture(),
        new Qwen2Architecture(),
        new Qwen3Architecture(),
    ];

    /// <summary>Names of every supported architecture.</summary>
    public static IEnumerable<string> Names => All.Select(a => a.Name);

    /// <summary>Finds an architecture by its GGUF name; throws a clear error naming the supported ones.</summary>
    public static IArchitecture Get(string name) =>
        All.FirstOrDefault(a => a.Name == name)
        ?? throw new NotSupportedException(
            $"Architecture '{name}' is not supported. Supported: {string.Join(", ", Names)}.");
}
