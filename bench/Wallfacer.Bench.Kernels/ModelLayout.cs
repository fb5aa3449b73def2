using Wallfacer.Numerics.Kernels;
using Wallfacer.Numerics.Quants;

namespace Wallfacer.Bench.Kernels;

/// <summary>
/// The weight layout a model load gives a matrix on this machine: Q5_0 sliced where that is the default
/// (<see cref="Q5_0Sliced.PreferredForOneSequence"/>) and Q8_0 grouped where it may be (<see cref="Q8_0Grouped.PreferredForOneSequence"/>:
/// a load groups only the output matrix, but the kernels are measured here on any shape; whole groups of rows only, so
/// that the matrices stay back to back), otherwise the file's rows. <c>WALLFACER_BENCH_ROW_MAJOR=1</c>
/// keeps the file's rows, to compare the two.
/// </summary>
internal static unsafe class ModelLayout
{
    /// <summary>Re-lays <paramref name="weights"/> (whole matrices back to back) as a load would; returns the layout.</summary>
    public static WeightLayout Apply(GgmlType type, int rows, int columns, ref byte[] weights)
    {
        if (type == GgmlType.Q8_0)
            return GroupQ8_0(rows, columns, ref weights);
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

    private static WeightLayout GroupQ8_0(int rows, int columns, ref byte[] weights)
    {
        if (!Q8_0Grouped.PreferredForOneSequence || !Q8_0Grouped.Fits(columns) || rows % Q8_0Grouped.GroupRows != 0
            || Environment.GetEnvironmentVariable("WALLFACER_BENCH_ROW_MAJOR") == "1")
            return WeightLayout.RowMajor;
        byte[] grouped = GC.AllocateUninitializedArray<byte>(weights.Length, pinned: true);
        int totalRows = (int)(weights.Length / GgmlTypeInfo.RowBytes(GgmlType.Q8_0, columns));
        fixed (byte* from = weights)
        fixed (byte* to = grouped)
            Q8_0Grouped.Group(from, 0, totalRows, totalRows, columns, to); // whole groups: each matrix grouped in place
        weights = grouped;
        return WeightLayout.Q8_0Grouped;
    }
}
