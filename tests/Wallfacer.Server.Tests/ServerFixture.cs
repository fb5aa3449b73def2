using Wallfacer.Models.Synthetic;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Server.Tests;

/// <summary>A tiny synthetic chat model file shared by the server tests; each test starts the servers it needs.</summary>
public sealed class ModelFile : IDisposable
{
    public ModelFile()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        SyntheticModelWriter.Write(new SyntheticModelSpec
        {
            Architecture = "llama", EmbeddingLength = 128, BlockCount = 2, HeadCount = 4, KvHeadCount = 2,
            FeedForwardLength = 192, VocabSize = 600, WeightType = GgmlType.Q8_0, ContextLength = 2048, WeightScale = 0.3f,
            WithChatTemplate = true,
        }, Path);
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "wallfacer-tests", Guid.NewGuid().ToString("N") + ".gguf");

    public Task<WallfacerServer> StartAsync(Func<ServerOptions, ServerOptions>? configure = null)
    {
        var options = new ServerOptions { ModelPath = Path, ModelId = "tiny", Port = 0, Parallel = 2, ContextLength = 512, Threads = 1 };
        return WallfacerServer.StartAsync(configure?.Invoke(options) ?? options);
    }

    public void Dispose()
    {
        try { File.Delete(Path); } catch (IOException) { }
    }
}
