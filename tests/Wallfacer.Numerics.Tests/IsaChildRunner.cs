using Wallfacer.TestSupport;

namespace Wallfacer.Numerics.Tests;

/// <summary>
/// The test assembly's entry point, used only by <see cref="IsaTierTests"/>: <c>dotnet exec
/// Wallfacer.Numerics.Tests.dll --isa-tier NAME</c> runs the kernel test classes with the tier's hardware features
/// switched off (<see cref="IsaChildProcess"/>).
/// </summary>
internal static class IsaChildRunner
{
    /// <summary>The classes whose tests exercise the dispatching kernels.</summary>
    internal static readonly Type[] KernelTestClasses =
    [
        typeof(VecDotTests), typeof(VecDotInt8Tests), typeof(VecDotPathTests), typeof(DequantizeTests), typeof(HalfConvertTests),
        typeof(MatMulTests), typeof(MatMulFewTokensTests), typeof(MatMulPromptTilesTests), typeof(HalfAccumulatorTests), typeof(HalfRoundingTests),
        typeof(MatVecRowsTests), typeof(GgmlDotTests), typeof(SwiGluTests), typeof(PromptPreparationTests), typeof(MatMulInterleavedTests),
    ];

    public static int Main(string[] args) => IsaChildProcess.Main(args, "Wallfacer.Numerics.Tests", KernelTestClasses);
}
