using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Bench.Kernels;

/// <summary>
/// The weight layout a model load gives a matrix on this machine: Q5_0 sliced where that is the default
/// (<see cref="Q5_0Sliced.PreferredForOneSequence"/>), otherwise the file's rows. <c>WALLFACER_BENCH_ROW_MAJOR=1</c>
/// keeps the file's rows, to compare the two.
/// </summary>
internal static unsafe class ModelLayout
{
    /// <summary>Re-lays <paramref name="weights"/> (whole matrices back to back) as a load would; returns the layout.</summary>
    public static WeightLayout Apply(GgmlType type, int rows, int columns, ref byte[] weights)
    {
        if (type != GgmlType.Q5_0 || !Q5_0Sliced.PreferredForOneSequence || !Q5_0Sliced.Fits(columns)
            || Environment.GetEnvironmentVariable("WALLFACER_BENCH_ROW_MAJOR") == "1")
            return WeightLayout.RowMajor;
        byte[] sliced = GC.AllocateUninitializedArray<byte>(weights.Length, pinned: true);
        int totalRows = (int)(weights.Length / GgmlTypeInfo.RowBytes(type, columns));
        fixed (byte* from = weights)
        fixed (byte* to = sliced)
            Q5_0Sliced.Slice(from, to, totalRows, columns);
        weights = sliced;
        return WeightLayout.Q5_0Sliced;
    }
}
