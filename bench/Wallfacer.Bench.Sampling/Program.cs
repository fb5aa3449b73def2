using System.Diagnostics;
using Wallfacer.Inference.Sampling;

namespace Wallfacer.Bench.Sampling;

/// <summary>
/// Per-token sampling cost on a Qwen2.5-sized vocabulary: <c>dotnet run -c Release --project
/// bench/Wallfacer.Bench.Sampling [-- rounds]</c>. For each sampler setting, times <see cref="Sampler.Sample"/>
/// and <see cref="Logprobs.LogSoftmaxAndEntropy"/> (what the engine's token picker does per token) on random
/// logits, and prints medians over rounds and the bytes allocated per token. Prints only; asserts nothing.
/// </summary>
public static class Program
{
    private const int VocabSize = 151_936;
    private const int StepsPerRound = 50;

    public static void Main(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 15;
        var random = new Random(1234);
        var logits = new float[VocabSize];
        // Roughly a language model's spread: most logits a few units apart, a handful far ahead.
        for (int i = 0; i < logits.Length; i++) logits[i] = (float)(random.NextDouble() * 12 - 6);
        for (int i = 0; i < 20; i++) logits[random.Next(VocabSize)] = 12f + i * 0.25f;

        if (args.Length > 1 && args[1] == "passes")
        {
            Passes(logits, rounds);
            return;
        }

        foreach (SamplerOptions options in new[]
        {
            new SamplerOptions { Seed = 7, Temperature = 1f, TopK = 0, TopP = 1, MinP = 0 },
            new SamplerOptions { Seed = 7 },
            new SamplerOptions { Seed = 7, Temperature = 0.6f, TopK = 0, TopP = 0.9f, MinP = 0, RepetitionPenalty = 1.1f },
            SamplerOptions.Greedy,
        })
        {
            Console.Write($"fingerprint {Fingerprint.Of(options, logits, 40):X16}  ");
        }
        Console.WriteLine();

        Run("temperature 1 (no filters)", new SamplerOptions { Seed = 1, Temperature = 1f, TopK = 0, TopP = 1, MinP = 0 }, logits, rounds);
        Run("defaults (T 0.8, top-k 40, top-p 0.95, min-p 0.05)", new SamplerOptions { Seed = 1 }, logits, rounds);
        Run("greedy", SamplerOptions.Greedy, logits, rounds);
    }

    private static void Run(string name, SamplerOptions options, float[] logits, int rounds)
    {
        var sampler = new Sampler(options, VocabSize);
        long checksum = 0;
        double entropySum = 0;
        for (int i = 0; i < 20; i++) Step(sampler, logits, ref checksum, ref entropySum); // warm-up and tiering

        var sample = new List<double>(rounds);
        var confidence = new List<double>(rounds);
        var both = new List<double>(rounds);
        var shared = new List<double>(rounds);
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int r = 0; r < rounds; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            int token = 0;
            for (int s = 0; s < StepsPerRound; s++) token = sampler.Sample(logits);
            long t1 = Stopwatch.GetTimestamp();
            for (int s = 0; s < StepsPerRound; s++) checksum += (long)(Logprobs.LogSoftmaxAndEntropy(logits, token, out double h) * 1000) + (long)h;
            long t2 = Stopwatch.GetTimestamp();
            for (int s = 0; s < StepsPerRound; s++) Step(sampler, logits, ref checksum, ref entropySum);
            long t3 = Stopwatch.GetTimestamp();
            for (int s = 0; s < StepsPerRound; s++) SharedStep(sampler, logits, ref checksum, ref entropySum);
            long t4 = Stopwatch.GetTimestamp();
            sample.Add(Milliseconds(t1 - t0));
            confidence.Add(Milliseconds(t2 - t1));
            both.Add(Milliseconds(t3 - t2));
            shared.Add(Milliseconds(t4 - t3));
        }
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Console.WriteLine(
            $"{name,-52} Sample {Median(sample),6:F3} ms   LogSoftmaxAndEntropy {Median(confidence),6:F3} ms   " +
            $"both {Median(both),6:F3} ms   shared pass {Median(shared),6:F3} ms   " +
            $"alloc {allocated / (4.0 * rounds * StepsPerRound):F0} B/token   (checksum {checksum + (long)entropySum})");
    }

    /// <summary>The building blocks alone: the exponent pass (vector and scalar), the max pass, the ordered sums.</summary>
    private static void Passes(float[] logits, int rounds)
    {
        var e = new double[logits.Length];
        double max = 18;
        double sink = 0;
        Time("ExpShifted (vector)", () => PortableMath.ExpShifted(logits, max, e));
        Time("ExpShifted (512-chunks in L1)", () => { for (int c = 0; c + 512 <= logits.Length; c += 512) PortableMath.ExpShifted(logits.AsSpan(c, 512), max, e.AsSpan(0, 512)); });
        Time("Exp (scalar reference)", () => { for (int i = 0; i < logits.Length; i++) e[i] = PortableMath.Exp(logits[i] - max); });
        Time("TryMax", () => sink += SoftmaxSums.TryMax(logits, out float m) ? m : 0);
        Time("SumExp", () => sink += SoftmaxSums.SumExp(logits, max));
        Time("SumExpAndWeighted", () => sink += SoftmaxSums.SumExpAndWeighted(logits, max).Total);
        Time("FindCumulative (to the end)", () => sink += SoftmaxSums.FindCumulative(logits, max, double.MaxValue));
        Time("ordered sum of doubles", () => { double t = 0; foreach (double x in e) t += x; sink += t; });
        Console.WriteLine($"(sink {sink})");

        void Time(string name, Action pass)
        {
            for (int i = 0; i < 20; i++) pass();
            var times = new List<double>();
            for (int r = 0; r < rounds; r++)
            {
                long t0 = Stopwatch.GetTimestamp();
                for (int s = 0; s < StepsPerRound; s++) pass();
                times.Add(Milliseconds(Stopwatch.GetTimestamp() - t0));
            }
            Console.WriteLine($"{name,-32} {Median(times),6:F3} ms");
        }
    }

    /// <summary>One generation step as the engine's token picker does it.</summary>
    private static void Step(Sampler sampler, float[] logits, ref long checksum, ref double entropySum)
    {
        int token = sampler.Sample(logits);
        float logprob = Logprobs.LogSoftmaxAndEntropy(logits, token, out double entropy);
        checksum += token + (long)(logprob * 1000);
        entropySum += entropy;
    }

    /// <summary>The same step through the engine's path: the draw hands back the raw logits' statistics.</summary>
    private static void SharedStep(Sampler sampler, float[] logits, ref long checksum, ref double entropySum)
    {
        int token = sampler.Sample(logits, out LogitStatistics statistics);
        checksum += token + (long)(statistics.LogSoftmaxAt(logits, token) * 1000);
        entropySum += statistics.Entropy;
    }

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency / StepsPerRound;

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
