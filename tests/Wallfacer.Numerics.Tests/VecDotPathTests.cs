using Wallfacer.Numerics.Quants;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// Every implementation of every dot product (128-, 256- and 512-bit) against the scalar reference at every
/// row length the block size allows, including odd block counts and element tails. The 128-bit path is
/// portable, so it is proven here even on x64; paths the machine cannot accelerate are skipped (the
/// per-tier child runs of <see cref="IsaTierTests"/> cover the others).
/// </summary>
public sealed class VecDotPathTests
{
    public static TheoryData<GgmlType, string> TypesAndPaths()
    {
        var data = new TheoryData<GgmlType, string>();
        foreach (GgmlType type in WeightTypes())
            foreach (VecDotPath path in new[] { VecDotPath.Vector128, VecDotPath.Vector256, VecDotPath.Vector512 })
                data.Add(type, path.ToString());
        return data;
    }

    [Theory]
    [MemberData(nameof(TypesAndPaths))]
    public void Integer_valued_rows_give_exactly_the_reference(GgmlType weightType, string pathName)
    {
        VecDotPath path = Enum.Parse<VecDotPath>(pathName);
        if (!Runs(path))
            return;
        GgmlType activationType = VecDot.ActivationType(weightType);
        foreach (int n in Lengths(weightType))
        {
            byte[] w = VecDotIntegerRows.Create(weightType, n, n);
            byte[] a = VecDotIntegerRows.Create(activationType, n, 7000 + n);
            float expected = VecDot.Reference(weightType, w, a, n);
            Assert.True(Math.Abs(expected) < 1 << 24, $"test rows too large for exact float sums: {expected}");
            Assert.Equal(expected, VecDot.DotOnPath(path, weightType, w, a, n));
        }
    }

    [Theory]
    [MemberData(nameof(TypesAndPaths))]
    public void Quantized_rows_match_the_reference_at_every_length(GgmlType weightType, string pathName)
    {
        VecDotPath path = Enum.Parse<VecDotPath>(pathName);
        if (!Runs(path))
            return;
        GgmlType activationType = VecDot.ActivationType(weightType);
        foreach (int n in Lengths(weightType))
        {
            float[] wf = QuantTestInputs.Gaussian(n, n), af = QuantTestInputs.Gaussian(n, 3000 + n);
            byte[] w = QuantTestInputs.Quantize(weightType, wf), a = QuantTestInputs.Quantize(activationType, af, activation: true);
            double magnitude = 1e-30;
            for (int i = 0; i < n; i++)
                magnitude += Math.Abs((double)wf[i] * af[i]);
            float expected = VecDot.Reference(weightType, w, a, n), actual = VecDot.DotOnPath(path, weightType, w, a, n);
            Assert.True(Math.Abs(actual - expected) <= 4e-6 * magnitude, $"{weightType} {path} n={n}: {actual:R} vs reference {expected:R}");
        }
    }

    [Theory]
    [MemberData(nameof(TypesAndPaths))]
    public void Unaligned_rows_give_the_same_result(GgmlType weightType, string pathName)
    {
        VecDotPath path = Enum.Parse<VecDotPath>(pathName);
        if (!Runs(path))
            return;
        GgmlType activationType = VecDot.ActivationType(weightType);
        int n = 17 * Math.Max(GgmlTypeInfo.BlockSize(weightType), GgmlTypeInfo.BlockSize(activationType));
        byte[] w = QuantTestInputs.Quantize(weightType, QuantTestInputs.Gaussian(n, 5));
        byte[] a = QuantTestInputs.Quantize(activationType, QuantTestInputs.Gaussian(n, 6), activation: true);
        byte[] ws = new byte[w.Length + 3], as1 = new byte[a.Length + 1];
        w.CopyTo(ws, 3);
        a.CopyTo(as1, 1);
        Assert.Equal(VecDot.DotOnPath(path, weightType, w, a, n), VecDot.DotOnPath(path, weightType, ws.AsSpan(3), as1.AsSpan(1), n));
    }

    [Fact]
    public void The_dispatcher_uses_the_widest_accelerated_path()
    {
        VecDotPath widest = VecDot.IsAccelerated(VecDotPath.Vector512) ? VecDotPath.Vector512
            : VecDot.IsAccelerated(VecDotPath.Vector256) ? VecDotPath.Vector256
            : VecDot.IsAccelerated(VecDotPath.Vector128) ? VecDotPath.Vector128 : VecDotPath.Reference;
        const int n = 1024;
        foreach (GgmlType weightType in WeightTypes())
        {
            GgmlType activationType = VecDot.ActivationType(weightType);
            byte[] w = QuantTestInputs.Quantize(weightType, QuantTestInputs.Gaussian(n, 11));
            byte[] a = QuantTestInputs.Quantize(activationType, QuantTestInputs.Gaussian(n, 12), activation: true);
            Assert.Equal(VecDot.DotOnPath(widest, weightType, w, a, n), VecDot.Dot(weightType, w, a, n));
        }
    }

    private static IEnumerable<GgmlType> WeightTypes() =>
        ((IEnumerable<object[]>)QuantTestInputs.WeightTypes).Select(row => (GgmlType)row[0]);

    /// <summary>The 128-bit path is portable and always runs (emulated without SIMD); wider ones only when accelerated.</summary>
    private static bool Runs(VecDotPath path) => path == VecDotPath.Vector128 || VecDot.IsAccelerated(path);

    /// <summary>1..40 blocks for 32-element types, 1..9 super-blocks for K-quants, 1..300 elements for float types.</summary>
    private static IEnumerable<int> Lengths(GgmlType weightType)
    {
        int block = Math.Max(GgmlTypeInfo.BlockSize(weightType), GgmlTypeInfo.BlockSize(VecDot.ActivationType(weightType)));
        int maxBlocks = block == 1 ? 300 : block == 32 ? 40 : 9;
        return Enumerable.Range(1, maxBlocks).Select(b => b * block);
    }
}
