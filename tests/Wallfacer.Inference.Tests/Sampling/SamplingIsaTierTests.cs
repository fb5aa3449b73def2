using Wallfacer.TestSupport;

namespace Wallfacer.Inference.Tests.Sampling;

/// <summary>
/// The test assembly's entry point, used only by <see cref="SamplingIsaTierTests"/>: <c>dotnet exec
/// Wallfacer.Inference.Tests.dll --isa-tier NAME</c> runs the vectorised sampling tests with the tier's hardware
/// features switched off (<see cref="IsaChildProcess"/>).
/// </summary>
internal static class SamplingIsaChildRunner
{
    /// <summary>The classes whose tests compare the vector exp, softmax passes and top-k prefilter with the scalar code.</summary>
    internal static readonly Type[] VectorTestClasses = [typeof(VectorExpTests), typeof(SoftmaxPassTests), typeof(NumericsTests), typeof(CandidateBufferTests)];

    public static int Main(string[] args) => IsaChildProcess.Main(args, "Wallfacer.Inference.Tests", VectorTestClasses);
}

/// <summary>
/// Re-runs the vector-versus-scalar sampling tests in a child runtime per hardware tier (<see cref="IsaTier"/>): with
/// AVX-512 off the Vector256 lanes run, with AVX2 off the Vector128 lanes, with all intrinsics off only the scalar
/// reference — and every one must give the scalar code's bits.
/// </summary>
public sealed class SamplingIsaTierTests
{
    public static TheoryData<string> TierNames => new(IsaTier.All.Select(t => t.Name));

    [Theory]
    [MemberData(nameof(TierNames))]
    public void Sampling_passes_match_the_scalar_code_with_features_switched_off(string tierName)
    {
        (int exitCode, string output) = IsaChildProcess.RunChild(typeof(SamplingIsaChildRunner).Assembly, tierName, IsaTier.Find(tierName).Environment);
        Assert.True(exitCode == 0, $"tier {tierName} failed (exit {exitCode}):\n{output}");
        Assert.Contains(" passed, 0 failed", output);
    }
}
