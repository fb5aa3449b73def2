using Wallfacer.Inference.Engine;
using Wallfacer.Models.Synthetic;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Extensions.AI.Tests;

/// <summary>A small synthetic "chat model" (ChatML tokens and template, random weights) shared by a test class.</summary>
public sealed class ChatModelFixture : IDisposable
{
    public ChatModelFixture()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        SyntheticModelWriter.Write(Spec, Path);
        Model = LanguageModel.Load(Path);
    }

    public static SyntheticModelSpec Spec { get; } = new()
    {
        Architecture = "llama", EmbeddingLength = 128, BlockCount = 2, HeadCount = 4, KvHeadCount = 2,
        FeedForwardLength = 192, VocabSize = 600, WeightType = GgmlType.Q8_0, ContextLength = 1024, WeightScale = 0.3f,
        WithChatTemplate = true,
    };

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "wallfacer-tests", Guid.NewGuid().ToString("N") + ".gguf");

    public LanguageModel Model { get; }

    public WallfacerChatClient CreateClient(int maxParallel = 1, int threads = 1, int maxSessions = 4) =>
        new(Model, new WallfacerChatClientOptions
        {
            ContextLength = 512, Threads = threads, MaxParallel = maxParallel, MaxSessions = Math.Max(maxSessions, maxParallel),
            BatchSize = 16,
        });

    public void Dispose()
    {
        Model.Dispose();
        try { File.Delete(Path); } catch (IOException) { }
    }
}
