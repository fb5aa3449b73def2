namespace Wallfacer.Inference.Engine;

/// <summary>The outcome of a perplexity run.</summary>
public sealed record PerplexityResult(double Perplexity, int Chunks, int ScoredTokens, double MeanNegativeLogLikelihood);

/// <summary>
/// Perplexity the way llama.cpp's <c>perplexity</c> tool computes it (docs: conformance.md): the text is
/// tokenized with BOS, split into <c>floor(n / ctx)</c> chunks of <c>ctx</c> tokens; in each chunk the first
/// token is replaced by BOS, and only the predictions at positions <c>ctx/2 … ctx−2</c> are scored (each
/// against the next token), so every scored token has at least half a context of history.
/// </summary>
public static class PerplexityEvaluator
{
    /// <summary>Computes perplexity over <paramref name="tokens"/> (already tokenized, BOS first) with chunks of <paramref name="contextLength"/>.</summary>
    public static PerplexityResult Compute(InferenceSession session, IReadOnlyList<int> tokens, int contextLength,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        if (contextLength < 4)
            throw new ArgumentOutOfRangeException(nameof(contextLength), contextLength, "The context must be at least 4 tokens.");
        if (contextLength > session.ContextLength)
            throw new ArgumentOutOfRangeException(nameof(contextLength), contextLength,
                $"The session holds only {session.ContextLength} positions.");
        int chunks = tokens.Count / contextLength;
        if (chunks == 0)
            throw new ArgumentException(
                $"The text has {tokens.Count} tokens; perplexity needs at least one chunk of {contextLength}.", nameof(tokens));
        int bos = session.Model.Tokenizer.Vocabulary.Bos
                  ?? throw new InvalidOperationException("The vocabulary has no BOS token, which this perplexity convention needs.");

        double nll = 0;
        int scored = 0;
        var chunk = new int[contextLength];
        int first = contextLength / 2;
        for (int c = 0; c < chunks; c++)
        {
            for (int i = 0; i < contextLength; i++)
                chunk[i] = tokens[c * contextLength + i];
            chunk[0] = bos;
            session.Reset();
            session.EvaluateAll(chunk, (position, logits) =>
            {
                if (position < first || position > contextLength - 2)
                    return;
                nll -= LogSoftmax(logits, chunk[position + 1]);
                scored++;
            }, cancellationToken);
            progress?.Report(c + 1);
        }
        double mean = nll / scored;
        return new PerplexityResult(Math.Exp(mean), chunks, scored, mean);
    }

    /// <summary>log softmax(logits)[token], in double with the maximum subtracted.</summary>
    internal static double LogSoftmax(ReadOnlySpan<float> logits, int token)
    {
        float max = float.NegativeInfinity;
        foreach (float l in logits)
            max = Math.Max(max, l);
        double sum = 0;
        foreach (float l in logits)
            sum += Math.Exp(l - max);
        return logits[token] - max - Math.Log(sum);
    }
}
