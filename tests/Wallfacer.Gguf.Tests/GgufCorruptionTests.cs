using System.Diagnostics;
using Wallfacer.TestSupport;

namespace Wallfacer.Gguf.Tests;

/// <summary>
/// Truncated and randomly corrupted files: the reader must either succeed or throw
/// GgufFormatException — any other exception (or a hang) is a bug.
/// </summary>
public sealed class GgufCorruptionTests
{
    [Fact]
    public void TruncationAtEveryByte_IsAlwaysAFormatException()
    {
        byte[] full = GgufTestData.SampleBytes();
        long dataOffset, dataEnd;
        using (var file = GgufFile.Parse(full))
        {
            dataOffset = file.DataOffset;
            dataEnd = file.Tensors.Max(t => dataOffset + (long)t.Offset + t.ByteSize);
        }
        // Every structural boundary lies before the data section; also cut a few places inside the data.
        // (Cutting only the padding after the last tensor leaves a complete, valid file.)
        var cuts = Enumerable.Range(0, (int)dataOffset + 1).Concat([(int)dataOffset + 1, (int)dataOffset + 100, (int)dataEnd - 1]);
        foreach (int length in cuts)
        {
            var e = Assert.Throws<GgufFormatException>(() => GgufFile.Parse(full[..length]).Dispose());
            Assert.InRange(e.Offset, 0, Math.Max(length, 0L) + 8);
        }
    }

    [Fact]
    public void RandomMutations_OfASyntheticFile() => MutateAndParse(GgufTestData.SampleBytes(), seed: 11, iterations: 3000);

    [SharedFact]
    public void RandomMutations_OfStories260K() =>
        MutateAndParse(File.ReadAllBytes(TestPaths.SharedModel("stories260K.gguf")), seed: 12, iterations: 2000);

    [SharedFact]
    public void RandomMutations_OfAVocabFile() =>
        MutateAndParse(File.ReadAllBytes(TestPaths.SharedVocab("ggml-vocab-llama-spm.gguf")), seed: 13, iterations: 300); // an intact parse decodes 32k tokens; 300 keeps this to a few seconds

    /// <summary>
    /// Flips bits, overwrites bytes (often with values that make big counts), or truncates, within the
    /// header + metadata + tensor-info region, then parses.
    /// </summary>
    private static void MutateAndParse(byte[] original, int seed, int iterations)
    {
        long headerEnd;
        using (var file = GgufFile.Parse(original))
            headerEnd = file.Tensors.Count > 0 ? file.DataOffset : original.Length;
        var random = new Random(seed);
        var budget = Stopwatch.StartNew();
        int succeeded = 0, rejected = 0;
        // One reused buffer: cloning a large file per iteration would churn the large-object heap.
        byte[] mutated = new byte[original.Length];
        for (int i = 0; i < iterations; i++)
        {
            int length = Mutate(original, mutated, (int)headerEnd, random);
            try
            {
                using var file = GgufFile.Parse(mutated, length, "mutated.gguf");
                foreach (var tensor in file.Tensors)
                    _ = file.GetTensorBytes(tensor).Length;
                succeeded++;
            }
            catch (GgufFormatException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i} (seed {seed}) threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
        }
        Assert.True(rejected > 0 && succeeded > 0, $"expected both outcomes: {succeeded} parsed, {rejected} rejected");
        // A safety net against accidental quadratic behaviour, not a timing assertion on speed.
        Assert.True(budget.Elapsed < TimeSpan.FromSeconds(60), $"mutations took {budget.Elapsed}");
    }

    /// <summary>Copies <paramref name="original"/> into <paramref name="mutated"/>, corrupts it, and returns the length to parse.</summary>
    private static int Mutate(byte[] original, byte[] mutated, int regionEnd, Random random)
    {
        original.CopyTo(mutated, 0);
        int kind = random.Next(10);
        if (kind == 0)
            return random.Next(Math.Min(original.Length, regionEnd + 64));
        // Mutations near the start hit counts and lengths far more often than uniform positions would.
        int edits = 1 + random.Next(3);
        for (int e = 0; e < edits; e++)
        {
            int position = random.Next(2) == 0 ? random.Next(Math.Min(256, regionEnd)) : random.Next(regionEnd);
            switch (kind % 3)
            {
                case 0: mutated[position] ^= (byte)(1 << random.Next(8)); break;
                case 1: mutated[position] = (byte)random.Next(256); break;
                default: mutated[position] = random.Next(2) == 0 ? (byte)0xFF : (byte)0x00; break;
            }
        }
        return original.Length;
    }
}
