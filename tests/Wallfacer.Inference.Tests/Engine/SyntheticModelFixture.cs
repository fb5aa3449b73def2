using Wallfacer.Models.Synthetic;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Inference.Tests.Engine;

/// <summary>Writes one small synthetic model file per test class.</summary>
public sealed class SyntheticModelFixture : IDisposable
{
    public SyntheticModelFixture()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        SyntheticModelWriter.Write(Spec, Path);
    }

    public static SyntheticModelSpec Spec { get; } = new()
    {
        Architecture = "llama", EmbeddingLength = 128, BlockCount = 2, HeadCount = 4, KvHeadCount = 2,
        FeedForwardLength = 192, VocabSize = 600, WeightType = GgmlType.Q8_0, ContextLength = 512, WeightScale = 0.3f,
    };

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "wallfacer-tests", Guid.NewGuid().ToString("N") + ".gguf");

    public void Dispose()
    {
        try { File.Delete(Path); } catch (IOException) { }
    }
}
