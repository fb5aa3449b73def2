namespace Wallfacer.Inference.Sampling;

/// <summary>
/// Repetition, frequency and presence penalties over the last N accepted tokens, with llama.cpp's
/// exact formulas (src/llama-sampler.cpp, <c>llama_sampler_penalties_apply</c>). For every token that
/// occurs <c>count &gt; 0</c> times in the window:
/// <code>
/// logit = logit &lt;= 0 ? logit * repeat : logit / repeat;   // always pushes the logit down
/// logit -= count * frequency + presence;
/// </code>
/// Tokens outside the window are untouched.
/// </summary>
public sealed class PenaltiesProcessor : ILogitsProcessor
{
    /// <summary>Creates the processor; values are as in <see cref="SamplerOptions"/>.</summary>
    public PenaltiesProcessor(float repetitionPenalty, float frequencyPenalty, float presencePenalty)
    {
        RepetitionPenalty = repetitionPenalty;
        FrequencyPenalty = frequencyPenalty;
        PresencePenalty = presencePenalty;
    }

    /// <summary>Divides positive logits and multiplies non-positive ones; 1 disables.</summary>
    public float RepetitionPenalty { get; }

    /// <summary>Subtracted once per occurrence in the window; 0 disables.</summary>
    public float FrequencyPenalty { get; }

    /// <summary>Subtracted once if the token occurs in the window at all; 0 disables.</summary>
    public float PresencePenalty { get; }

    /// <inheritdoc />
    public void Process(CandidateBuffer candidates, TokenHistory history)
    {
        if (history.Count == 0) return;
        Span<TokenCandidate> items = candidates.EditLogits(orderPreserved: false);
        if (candidates.IsVocabularyOrder)
        {
            // Candidate i is token i: visit only the (at most N) tokens in the window.
            foreach (int token in history.DistinctTokens)
            {
                items[token].Logit = Penalize(items[token].Logit, history.CountOf(token));
            }

            return;
        }

        for (int i = 0; i < items.Length; i++)
        {
            int count = history.CountOf(items[i].Token);
            if (count > 0) items[i].Logit = Penalize(items[i].Logit, count);
        }
    }

    private float Penalize(float logit, int count)
    {
        // Multiplying negative logits instead of dividing them (as the CTRL paper wrote) keeps the
        // penalty a penalty for tokens the model already disliked — llama.cpp's fix, kept for parity.
        logit = logit <= 0 ? logit * RepetitionPenalty : logit / RepetitionPenalty;
        return logit - (count * FrequencyPenalty + PresencePenalty);
    }
}
