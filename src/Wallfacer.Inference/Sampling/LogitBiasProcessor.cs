namespace Wallfacer.Inference.Sampling;

/// <summary>
/// Adds a fixed bias to chosen tokens' logits (OpenAI's and llama.cpp's <c>logit_bias</c>): −∞ bans a token, a large
/// positive value all but forces it. Runs before every other stage, as llama.cpp's logit-bias sampler does.
/// </summary>
public sealed class LogitBiasProcessor : ILogitsProcessor
{
    private readonly Dictionary<int, float> _bias;

    public LogitBiasProcessor(IReadOnlyDictionary<int, float> bias)
    {
        ArgumentNullException.ThrowIfNull(bias);
        _bias = new Dictionary<int, float>(bias);
    }

    public void Process(CandidateBuffer candidates, TokenHistory history)
    {
        var items = candidates.EditLogits(orderPreserved: false);
        if (candidates.IsVocabularyOrder)
        {
            // Candidate i is token i: touch only the biased ones, not the whole vocabulary.
            foreach (var (token, bias) in _bias)
                if ((uint)token < (uint)items.Length) items[token].Logit += bias;
            return;
        }
        for (int i = 0; i < items.Length; i++)
        {
            if (_bias.TryGetValue(items[i].Token, out float bias))
                items[i].Logit += bias;
        }
    }
}
