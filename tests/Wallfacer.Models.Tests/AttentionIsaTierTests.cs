using Wallfacer.TestSupport;

namespace Wallfacer.Models.Tests;

/// <summary>
/// The test assembly's entry point, used only by <see cref="AttentionIsaTierTests"/>: <c>dotnet exec
/// Wallfacer.Models.Tests.dll --isa-tier NAME</c> runs the attention tests with the tier's hardware features
/// switched off (<see cref="IsaChildProcess"/>).
/// </summary>
internal static class AttentionIsaChildRunner
{
    /// <summary>The classes whose tests hold the vectorised attention to its scalar definition.</summary>
    internal static readonly Type[] VectorTestClasses = [typeof(TiledAttentionTests)];

    public static int Main(string[] args) => IsaChildProcess.Main(args, "Wallfacer.Models.Tests", VectorTestClasses);
}

/// <summary>
/// Re-runs the prompt-attention tests per hardware tier (<see cref="IsaTier"/>): without AVX-512 the softmax takes its
/// scalar form, without AVX2 the eight-lane vectors run in software — every tier must give the scalar definition's bits.
/// </summary>
public sealed class AttentionIsaTierTests
{
    public static TheoryData<string> TierNames => new(IsaTier.All.Select(t => t.Name));

    [Theory]
    [MemberData(nameof(TierNames))]
    public void Prompt_attention_matches_its_definition_with_features_switched_off(string tierName)
    {
        (int exitCode, string output) = IsaChildProcess.RunChild(typeof(AttentionIsaChildRunner).Assembly, tierName, IsaTier.Find(tierName).Environment);
        Assert.True(exitCode == 0, $"tier {tierName} failed (exit {exitCode}):\n{output}");
        Assert.Contains(" passed, 0 failed", output);
    }
}
