namespace Wallfacer.Inference.Sampling;

/// <summary>
/// Sets the logits of a fixed set of tokens to −∞ (llama.cpp's <c>ignore_eos</c>, which bans the
/// end-of-generation tokens so a run always reaches its token budget — for benchmarks and load tests).
/// </summary>
public sealed class BanTokensProcessor(IReadOnlyCollection<int> tokens) : ILogitsProcessor
{
    private readonly HashSet<int> _tokens = [.. tokens];
    private readonly int[] _list = [.. tokens.Distinct()];

    public void Process(CandidateBuffer candidates, TokenHistory history)
    {
        var items = candidates.EditLogits(orderPreserved: false);
        if (candidates.IsVocabularyOrder)
        {
            // Candidate i is token i: touch only the banned ones, not the whole vocabulary.
            foreach (int token in _list)
                if ((uint)token < (uint)items.Length) items[token].Logit = float.NegativeInfinity;
            return;
        }
        for (int i = 0; i < items.Length; i++)
        {
            if (_tokens.Contains(items[i].Token))
                items[i].Logit = float.NegativeInfinity;
        }
    }
}
