using Wallfacer.Inference.Sampling;

namespace Wallfacer.Inference.Tests.Sampling;

/// <summary>Helpers shared by the sampling tests; none of them uses the code under test to compute expectations.</summary>
internal static class SamplingTestData
{
    /// <summary>Natural logs of the given probabilities, as float logits.</summary>
    public static float[] LogitsOf(params double[] probabilities) =>
        probabilities.Select(p => (float)Math.Log(p)).ToArray();

    /// <summary>Softmax in double with Math.Exp, over the given float logits.</summary>
    public static double[] Softmax(params float[] logits)
    {
        double max = logits.Max();
        double[] e = logits.Select(l => Math.Exp(l - max)).ToArray();
        double sum = e.Sum();
        return e.Select(x => x / sum).ToArray();
    }

    /// <summary>Loads <paramref name="logits"/>, runs one processor and returns the vocabulary-indexed probabilities.</summary>
    public static double[] RunProcessor(ILogitsProcessor processor, float[] logits, TokenHistory? history = null)
    {
        var buffer = new CandidateBuffer(logits.Length);
        buffer.Load(logits);
        processor.Process(buffer, history ?? new TokenHistory(logits.Length, 0));
        return Probabilities(buffer);
    }

    public static double[] Probabilities(CandidateBuffer buffer)
    {
        double[] probabilities = new double[buffer.Capacity];
        buffer.CopyProbabilitiesTo(probabilities);
        return probabilities;
    }

    public static void AssertClose(double[] expected, double[] actual, double tolerance = 1e-9)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance,
                $"index {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    /// <summary>A fixed pseudo-random logits source (64-bit LCG, Knuth's MMIX constants), independent of the sampler's RNG.</summary>
    public sealed class LogitsSource(ulong seed)
    {
        private ulong _state = seed;

        public void Fill(Span<float> logits)
        {
            for (int i = 0; i < logits.Length; i++)
            {
                _state = _state * 6364136223846793005UL + 1442695040888963407UL;
                logits[i] = (float)((_state >> 40) / (double)(1UL << 24) * 8.0 - 4.0); // uniform in [-4, 4)
            }
        }
    }
}
