using Wallfacer.Inference.Engine;
using Wallfacer.Inference.Scheduling;

namespace Wallfacer.Extensions.AI;

/// <summary>Loading a model and naming it, shared by the chat client and the embedding generator.</summary>
internal static class WallfacerModelFactory
{
    public static LanguageModel Load(WallfacerChatClientOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ModelPath))
            throw new InvalidOperationException("WallfacerChatClientOptions.ModelPath is not set: say which GGUF file to load.");
        return LanguageModel.Load(options.ModelPath);
    }

    public static SessionPoolOptions PoolOptions(WallfacerChatClientOptions options) => new()
    {
        Session = new SessionOptions
        {
            ContextLength = options.ContextLength,
            Threads = options.Threads,
            BatchSize = options.BatchSize,
        },
        MaxSessions = options.MaxSessions,
        MaxParallel = options.MaxParallel,
    };

    /// <summary>The file's <c>general.name</c>, else its file name without extension.</summary>
    public static string ModelIdOf(LanguageModel model) =>
        model.Metadata.GetStringOrNull("general.name") is { Length: > 0 } name
            ? name
            : Path.GetFileNameWithoutExtension(model.Decoder.File.FilePath ?? "model");

    public static Uri? UriOf(LanguageModel model) =>
        model.Decoder.File.FilePath is { } path ? new Uri(Path.GetFullPath(path)) : null;
}
