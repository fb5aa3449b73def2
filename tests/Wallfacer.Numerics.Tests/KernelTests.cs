using Wallfacer.Numerics.Kernels;

namespace Wallfacer.Numerics.Tests;

public class KernelTests
{
    [Fact]
    public void Rope_angles_follow_the_power_law()
    {
        var cos = new float[4];
        var sin = new float[4];
        Rope.ComputeAngles(position: 3, rotaryDims: 8, freqBase: 10000f, factors: [], cos, sin);
        for (int i = 0; i < 4; i++)
        {
            double angle = 3 * Math.Pow(10000, -2.0 * i / 8);
            Assert.Equal(Math.Cos(angle), cos[i], 5);
            Assert.Equal(Math.Sin(angle), sin[i], 5);
        }
    }

    [Fact]
    public void Rope_rotates_adjacent_pairs_or_halves()
    {
        float[] cos = [0f, 1f], sin = [1f, 0f]; // pair 0 rotated by 90°, pair 1 unchanged
        float[] adjacent = [1, 2, 3, 4, 5];
        Rope.Apply(adjacent, cos, sin, RopePairing.Adjacent);
        Assert.Equal([-2f, 1f, 3f, 4f, 5f], adjacent);
        float[] halves = [1, 2, 3, 4, 5];
        Rope.Apply(halves, cos, sin, RopePairing.Halves);
        Assert.Equal([-3f, 2f, 1f, 4f, 5f], halves);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(33)]
    [InlineData(257)]
    public void RmsNorm_matches_its_reference_at_odd_sizes(int n)
    {
        var random = new Random(n);
        var x = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() * 4 - 2).ToArray();
        var w = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
        var fast = new float[n];
        var reference = new float[n];
        RmsNorm.Apply(x, w, fast, 1e-5f);
        RmsNorm.Reference(x, w, reference, 1e-5f);
        for (int i = 0; i < n; i++)
            Assert.Equal(reference[i], fast[i], 5);
        double rms = Math.Sqrt(x.Select(v => (double)v * v).Average() + 1e-5);
        Assert.Equal(x[0] / rms * w[0], fast[0], 4);
    }
}
