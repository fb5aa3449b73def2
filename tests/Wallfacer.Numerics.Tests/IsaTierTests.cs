using Wallfacer.TestSupport;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// Re-runs the kernel tests in a child runtime per hardware tier (<see cref="IsaTier"/>), so the AVX2,
/// 128-bit and scalar paths are proven on a machine whose best path is AVX-512.
/// </summary>
public sealed class IsaTierTests
{
    public static TheoryData<string> TierNames => new(IsaTier.WithNoGfni.Select(t => t.Name));

    [Theory]
    [MemberData(nameof(TierNames))]
    public void Kernel_tests_pass_with_features_switched_off(string tierName)
    {
        (int exitCode, string output) = IsaChildProcess.RunChild(typeof(IsaChildRunner).Assembly, tierName, IsaTier.Find(tierName).Environment);
        Assert.True(exitCode == 0, $"tier {tierName} failed (exit {exitCode}):\n{output}");
        Assert.Contains(" passed, 0 failed", output);
    }

    [Fact]
    public void A_misspelt_feature_switch_is_caught()
    {
        // The pre-.NET 10 name alone leaves AVX-512 on: the child must refuse to report a pass.
        if (!System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
            return; // nothing to switch off on this machine
        (int exitCode, string output) = IsaChildProcess.RunChild(
            typeof(IsaChildRunner).Assembly, "avx2-vnni", new Dictionary<string, string> { ["DOTNET_EnableAVX512F"] = "0" });
        Assert.True(exitCode == IsaChildProcess.FeatureStillOn, $"exit {exitCode}:\n{output}");
    }
}
