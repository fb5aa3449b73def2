using System.Runtime.Intrinsics.X86;
using Wallfacer.TestSupport;

namespace Wallfacer.Conformance.Reference;

/// <summary>
/// Why a reference test should be skipped, or null to run it. A missing llama.cpp skips the test
/// locally but not under CI (<c>CI=true</c>): there the test runs and fails with
/// <see cref="LlamaLibrary.MissingMessage"/>, so a green CI proves the comparison ran. Tests that
/// also need <c>../shared</c> skip without it everywhere, like <see cref="SharedFactAttribute"/>.
/// </summary>
internal static class ReferenceSkip
{
    public static string? Reason(bool needsShared, bool needsAvx512Order = false)
    {
        if (needsShared && !TestPaths.SharedExists)
            return $"../shared is absent ({TestPaths.SharedDir}); this test needs its real model files.";
        if (!LlamaLibrary.IsAvailable && !TestPaths.IsCi)
            return LlamaLibrary.MissingMessage;
        if (needsAvx512Order && FloatOrderGap() is { } gap)
            return gap;
        return null;
    }

    /// <summary>
    /// Why float-weight (F32/F16/BF16) comparisons cannot hold here, or null. Wallfacer sums float dot products in the
    /// order of llama.cpp's AVX-512 CPU builds (<c>GgmlFloatDot</c>, <c>GgmlDot</c>, <c>HalfAccumulator</c>: 16-lane
    /// accumulators); on a CPU without AVX-512F llama.cpp loads an AVX2 build (e.g. <c>libggml-cpu-haswell</c>) that sums
    /// in 8-lane order, which is not reproduced yet — measured on AMD Zen 3: every float matrix product differs in the
    /// last bits, BF16 logits by 1.0–1.3e-3 of the largest logit and stories15M's F32 logits by 1.9e-3, over the 1e-3
    /// tolerance. CPUID, not the runtime's flags: llama.cpp picks its build from the hardware.
    /// </summary>
    public static string? FloatOrderGap() =>
        X86Base.IsSupported && (X86Base.CpuId(7, 0).Ebx & (1 << 16)) == 0
            ? "llama.cpp runs an AVX2 build on this CPU (no AVX-512F); its 8-lane float summation order is not reproduced yet (known gap, see BENCHMARKS.md)."
            : null;
}

/// <summary>A fact comparing against llama.cpp; skipped (outside CI) when the reference is not installed.</summary>
public sealed class ReferenceFactAttribute : FactAttribute
{
    private bool needsShared, needsAvx512Order;

    public ReferenceFactAttribute() => Skip = ReferenceSkip.Reason(needsShared: false);

    /// <summary>Also skip when <c>../shared</c> (real model files) is absent.</summary>
    public bool NeedsShared
    {
        get => needsShared;
        set
        {
            needsShared = value;
            Skip = ReferenceSkip.Reason(needsShared, needsAvx512Order);
        }
    }

    /// <summary>Also skip where llama.cpp sums float weights in an order Wallfacer does not reproduce (<see cref="ReferenceSkip.FloatOrderGap"/>).</summary>
    public bool NeedsAvx512Order
    {
        get => needsAvx512Order;
        set
        {
            needsAvx512Order = value;
            Skip = ReferenceSkip.Reason(needsShared, needsAvx512Order);
        }
    }
}

/// <summary>A theory comparing against llama.cpp; skipped (outside CI) when the reference is not installed.</summary>
public sealed class ReferenceTheoryAttribute : TheoryAttribute
{
    private bool needsShared, needsAvx512Order;

    public ReferenceTheoryAttribute() => Skip = ReferenceSkip.Reason(needsShared: false);

    /// <summary>Also skip when <c>../shared</c> (real model files) is absent.</summary>
    public bool NeedsShared
    {
        get => needsShared;
        set
        {
            needsShared = value;
            Skip = ReferenceSkip.Reason(needsShared, needsAvx512Order);
        }
    }

    /// <summary>Also skip where llama.cpp sums float weights in an order Wallfacer does not reproduce (<see cref="ReferenceSkip.FloatOrderGap"/>).</summary>
    public bool NeedsAvx512Order
    {
        get => needsAvx512Order;
        set
        {
            needsAvx512Order = value;
            Skip = ReferenceSkip.Reason(needsShared, needsAvx512Order);
        }
    }
}
