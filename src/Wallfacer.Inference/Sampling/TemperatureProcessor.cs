namespace Wallfacer.Inference.Sampling;

/// <summary>
/// Divides every logit by <see cref="Temperature"/> (src/llama-sampler.cpp, <c>llama_sampler_temp_impl</c>):
/// below 1 sharpens the distribution, above 1 flattens it. Temperature ≤ 0 (greedy) is not this
/// stage's job: the <see cref="Sampler"/> uses <see cref="GreedySelector"/> instead.
/// </summary>
public sealed class TemperatureProcessor : ILogitsProcessor
{
    /// <summary>Creates the processor.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The temperature is not finite and positive.</exception>
    public TemperatureProcessor(float temperature)
    {
        if (!(temperature > 0 && float.IsFinite(temperature)))
        {
            throw new ArgumentOutOfRangeException(
                nameof(temperature), temperature, "Temperature must be finite and > 0; use GreedySelector for 0.");
        }

        Temperature = temperature;
    }

    /// <summary>The divisor.</summary>
    public float Temperature { get; }

    /// <inheritdoc />
    public void Process(CandidateBuffer candidates, TokenHistory history)
    {
        if (Temperature == 1f) return;
        // Division keeps the array's order, but rounding can turn a strict pair into a tie broken the
        // other way by token id, so the buffer's rank-order guarantee is dropped (orderPreserved: false).
        foreach (ref TokenCandidate c in candidates.EditLogits(orderPreserved: false))
        {
            c.Logit /= Temperature;
        }
    }
}
