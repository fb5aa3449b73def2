namespace Wallfacer.Inference.Sampling;

/// <summary>The last stage of the pipeline: picks one token from what the processors left.</summary>
public interface ITokenSelector
{
    /// <summary>Returns the chosen token id.</summary>
    /// <exception cref="InvalidOperationException">No candidate has a non-zero probability.</exception>
    int Select(CandidateBuffer candidates);
}
