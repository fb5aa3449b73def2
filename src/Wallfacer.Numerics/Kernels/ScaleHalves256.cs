using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Wallfacer.Numerics.Kernels;

/// <summary>The fp16 block scales the AVX2 row kernels widen eight at a time (<see cref="MatVecRows256{TFormat, TActivation}"/>, <see cref="MatVecQ4_0Pairs256"/>).</summary>
internal static unsafe class ScaleHalves256
{
    /// <summary>
    /// The fp16 scales of <paramref name="count"/> (≤ 8) consecutive blocks <paramref name="blockBytes"/> apart (each
    /// block's first two bytes), one per 32-bit lane in the low 16 bits; lanes past <paramref name="count"/> are 0 and are
    /// not read. A full chunk takes eight scalar loads: on Zen 3 that beat <c>vpgatherdd</c> (Q8_0 in cache 18.4–20.8
    /// against 17.6 GB/s); a partial one (a row's last) gathers with a mask.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Load(byte* first, int count, int blockBytes)
    {
        if (count == 8)
        {
            Vector128<ushort> h = Vector128.Create(*(ushort*)first, *(ushort*)(first + blockBytes), *(ushort*)(first + 2 * blockBytes),
                *(ushort*)(first + 3 * blockBytes), *(ushort*)(first + 4 * blockBytes), *(ushort*)(first + 5 * blockBytes),
                *(ushort*)(first + 6 * blockBytes), *(ushort*)(first + 7 * blockBytes));
            return Avx2.ConvertToVector256Int32(h).AsUInt32();
        }
        Vector256<int> lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        return Avx2.GatherMaskVector256(Vector256<uint>.Zero, (uint*)first, lane * blockBytes,
            Vector256.LessThan(lane, Vector256.Create(count)).AsUInt32(), 1);
    }
}
