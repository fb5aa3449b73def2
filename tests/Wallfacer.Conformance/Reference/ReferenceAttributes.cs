using System.Runtime.Intrinsics.X86;
using Wallfacer.Numerics.Kernels;
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
    public static string? Reason(bool needsShared, bool needsFloatOrder = false)
    {
        if (needsShared && !TestPaths.SharedExists)
            return $"../shared is absent ({TestPaths.SharedDir}); this test needs its real model files.";
        if (!LlamaLibrary.IsAvailable && !TestPaths.IsCi)
            return LlamaLibrary.MissingMessage;
        if (needsFloatOrder && FloatOrderGap() is { } gap)
            return gap;
        return null;
    }

    /// <summary>
    /// Why float-weight (F32/F16/BF16) comparisons cannot hold here, or null. llama.cpp loads the CPU build that suits
    /// the processor; Wallfacer reproduces the float orders of its AVX-512 builds (16 lanes) and of its AVX2 build (8
    /// lanes; <see cref="GgmlBuild.Avx2Order"/>), not those of its SSE/AVX-only builds (4 lanes) for processors without
    /// AVX2. CPUID, not the runtime's flags: llama.cpp picks its build from the hardware.
    /// </summary>
    public static string? FloatOrderGap() =>
        X86Base.IsSupported && (X86Base.CpuId(7, 0).Ebx & (1 << 16)) == 0 && !GgmlBuild.Avx2Order
            ? "llama.cpp runs a pre-AVX2 build on this CPU (no AVX-512F, no AVX2); its 4-lane float summation order is not reproduced."
            : null;
}

/// <summary>A fact comparing against llama.cpp; skipped (outside CI) when the reference is not installed.</summary>
public sealed class ReferenceFactAttribute : FactAttribute
{
    private bool needsShared, needsFloatOrder;

    public ReferenceFactAttribute() => Skip = ReferenceSkip.Reason(needsShared: false);

    /// <summary>Also skip when <c>../shared</c> (real model files) is absent.</summary>
    public bool NeedsShared
    {
        get => needsShared;
        set
        {
            needsShared = value;
            Skip = ReferenceSkip.Reason(needsShared, needsFloatOrder);
        }
    }

    /// <summary>Also skip where llama.cpp sums float weights in an order Wallfacer does not reproduce (<see cref="ReferenceSkip.FloatOrderGap"/>).</summary>
    public bool NeedsFloatOrder
    {
        get => needsFloatOrder;
        set
        {
            needsFloatOrder = value;
            Skip = ReferenceSkip.Reason(needsShared, needsFloatOrder);
        }
    }
}

/// <summary>A theory comparing against llama.cpp; skipped (outside CI) when the reference is not installed.</summary>
public sealed class ReferenceTheoryAttribute : TheoryAttribute
{
    private bool needsShared, needsFloatOrder;

    public ReferenceTheoryAttribute() => Skip = ReferenceSkip.Reason(needsShared: false);

    /// <summary>Also skip when <c>../shared</c> (real model files) is absent.</summary>
    public bool NeedsShared
    {
        get => needsShared;
        set
        {
            needsShared = value;
            Skip = ReferenceSkip.Reason(needsShared, needsFloatOrder);
        }
    }

    /// <summary>Also skip where llama.cpp sums float weights in an order Wallfacer does not reproduce (<see cref="ReferenceSkip.FloatOrderGap"/>).</summary>
    public bool NeedsFloatOrder
    {
        get => needsFloatOrder;
        set
        {
            needsFloatOrder = value;
            Skip = ReferenceSkip.Reason(needsShared, needsFloatOrder);
        }
    }
}
