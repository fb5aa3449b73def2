using System.Numerics.Tensors;
using Wallfacer.Inference.Engine;

namespace Wallfacer.Bench;

/// <summary>Wallfacer through its public API: <see cref="LanguageModel.Load"/> and one <see cref="InferenceSession"/>.</summary>
internal sealed class WallfacerEngine : IBenchEngine
{
    private readonly LanguageModel _model;
    private readonly InferenceSession _session;

    private WallfacerEngine(LanguageModel model, InferenceSession session)
    {
        _model = model;
        _session = session;
    }

    public int VocabSize => _session.VocabSize;

    /// <summary>Loads <paramref name="path"/>; <paramref name="batchSize"/> 0 keeps the session's default micro-batch.</summary>
    public static WallfacerEngine Load(string path, int threads, int contextLength, int batchSize)
    {
        var model = LanguageModel.Load(path);
        try
        {
            var options = new SessionOptions { Threads = threads, ContextLength = contextLength };
            if (batchSize > 0)
                options = options with { BatchSize = batchSize };
            return new WallfacerEngine(model, model.CreateSession(options));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public int EvaluateGreedy(ReadOnlySpan<int> tokens) => TensorPrimitives.IndexOfMax(_session.Evaluate(tokens));

    public void Reset() => _session.Reset();

    public void Dispose()
    {
        _session.Dispose();
        _model.Dispose();
    }
}
