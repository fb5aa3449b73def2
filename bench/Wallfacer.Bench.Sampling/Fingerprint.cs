using Wallfacer.Inference.Sampling;

namespace Wallfacer.Bench.Sampling;

/// <summary>
/// A digest of what the public API returns for fixed inputs — tokens, log-probabilities and entropies, bit for bit —
/// so that two builds (before and after a change) can be compared by eye: the digests must be equal.
/// </summary>
internal static class Fingerprint
{
    public static ulong Of(SamplerOptions options, float[] logits, int steps)
    {
        var sampler = new Sampler(options, logits.Length);
        var source = new Random(99);
        float[] step = new float[logits.Length];
        ulong hash = 14695981039346656037UL;
        for (int s = 0; s < steps; s++)
        {
            for (int i = 0; i < step.Length; i++) step[i] = logits[i] + (float)(source.NextDouble() * 4 - 2);
            if (s % 4 == 3) step[source.Next(step.Length)] = float.NegativeInfinity;
            int token = sampler.Sample(step);
            float logprob = Logprobs.LogSoftmaxAndEntropy(step, token, out double entropy);
            hash = Mix(hash, (ulong)token);
            hash = Mix(hash, BitConverter.SingleToUInt32Bits(logprob));
            hash = Mix(hash, BitConverter.DoubleToUInt64Bits(entropy));
            sampler.Accept(token);
        }
        return hash;
    }

    private static ulong Mix(ulong hash, ulong value) => (hash ^ value) * 1099511628211UL;
}
