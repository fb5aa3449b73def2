using System.Runtime.Intrinsics.X86;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Which of llama.cpp's x86 CPU builds Wallfacer's float arithmetic follows. llama.cpp ships one CPU library per
/// instruction-set level and loads the best one the processor supports; the AVX-512 builds sum float dot products in
/// 16-lane order and use an exponential built on <c>vscalefps</c>, the AVX2 build (<c>libggml-cpu-haswell</c>, also
/// chosen on AVX2 machines with AVX-VNNI) sums in 8-lane order and builds 2^n from exponent bits. To agree with the
/// llama.cpp a user runs on the same machine, the order is chosen from the processor (CPUID), not from the runtime's
/// instruction-set switches.
/// </summary>
public static class GgmlBuild
{
    /// <summary>
    /// True where llama.cpp runs its AVX2 build: an x86 processor with AVX2 and without AVX-512F. Then
    /// <see cref="GgmlFloatDot"/>, <see cref="GgmlDot"/>, <see cref="GgmlExp"/> and the softmax sums take the 8-lane
    /// orders (<see cref="GgmlDot8"/>); elsewhere the AVX-512 build's 16-lane orders.
    /// </summary>
    public static bool Avx2Order { get; } = DetectAvx2Order();

    /// <summary>
    /// Floats per vector in that build (ggml's <c>GGML_F32_EPR</c>): 8 with AVX2, 16 with AVX-512. It decides where
    /// vectorized loops end and scalar tails begin (SwiGLU), how softmax sums group, and which heads take tiled attention.
    /// </summary>
    public static int F32VectorWidth => Avx2Order ? 8 : 16;

    private static bool DetectAvx2Order()
    {
        if (!X86Base.IsSupported)
            return false;
        int features = X86Base.CpuId(7, 0).Ebx;
        bool avx2 = (features & (1 << 5)) != 0, avx512F = (features & (1 << 16)) != 0;
        return avx2 && !avx512F;
    }
}
