using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Wallfacer.Numerics;

/// <summary>
/// Every fp16 bit pattern's float (<see cref="HalfConvert.HalfToSingle(ushort)"/>, exact), for kernels that widen one
/// or two scalar block scales per step: one load instead of a dozen vector instructions. ggml keeps the same table
/// (<c>ggml_table_f32_f16</c>) for machines without F16C; .NET 10 exposes no F16C <c>vcvtph2ps</c>.
/// </summary>
/// <remarks>
/// 256 KiB, built once on first use and kept for the process (unmanaged, so a kernel reads it through a pointer with no
/// bounds check). A model's block scales cluster in a few exponents, so the lines a kernel touches stay few.
/// </remarks>
internal static unsafe class HalfTable
{
    private static readonly float* Singles = Build();

    /// <summary>The float of fp16 bits <paramref name="h"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle(ushort h) => Singles[h];

    /// <summary>The table's address (entry h is the float of fp16 bits h).</summary>
    public static float* Entries => Singles;

    private static float* Build()
    {
        var table = (float*)NativeMemory.AlignedAlloc(65536 * sizeof(float), 64);
        for (int h = 0; h < 65536; h++)
            table[h] = HalfConvert.HalfToSingle((ushort)h);
        return table;
    }
}
