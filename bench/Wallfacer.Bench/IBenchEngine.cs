namespace Wallfacer.Bench;

/// <summary>
/// What the benchmark asks of an engine: evaluate tokens appended to one sequence and return the greedy choice
/// (argmax of the last position's logits), or forget the sequence. Both engines are driven through this one
/// interface by <see cref="ChildMeasurement"/>, so that they are timed by exactly the same code.
/// </summary>
internal interface IBenchEngine : IDisposable
{
    /// <summary>Rows of the embedding (prompt token ids are drawn below this).</summary>
    int VocabSize { get; }

    /// <summary>Appends <paramref name="tokens"/> (one batch) and returns the argmax of the last logits.</summary>
    int EvaluateGreedy(ReadOnlySpan<int> tokens);

    /// <summary>Empties the KV cache: the next evaluation starts at position 0.</summary>
    void Reset();

    /// <summary>Restarts the engine's own evaluation timer, if it keeps one (llama.cpp's perf counters do).</summary>
    void ResetInternalTimer()
    {
    }

    /// <summary>
    /// Milliseconds the engine itself says it spent evaluating since <see cref="ResetInternalTimer"/>, or null
    /// when it keeps no such timer. A cross-check of our wall-clock figures, which are the ones reported.
    /// </summary>
    double? InternalMilliseconds => null;
}
