using System.Numerics;
using System.Runtime.InteropServices;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// Root-mean-square normalisation with a learned gain: <c>y[i] = (x[i] * (1 / sqrt(mean(x²) + eps))) * w[i]</c>.
/// As in llama.cpp (ggml-cpu ops.cpp, <c>ggml_compute_forward_rms_norm_f32</c> followed by <c>ggml_mul</c>),
/// the squares are rounded to float, summed in double, and the scale is applied before the gain.
/// </summary>
public static class RmsNorm
{
    /// <summary>Normalises one row. <paramref name="y"/> may alias <paramref name="x"/>.</summary>
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, float eps)
    {
        if (weight.Length != x.Length || y.Length != x.Length)
            throw new ArgumentException("x, weight and y must have the same length.");
        float scale = Scale(x, eps);
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var vw = MemoryMarshal.Cast<float, Vector<float>>(weight);
            var vy = MemoryMarshal.Cast<float, Vector<float>>(y);
            for (int v = 0; v < vx.Length; v++)
                vy[v] = vx[v] * scale * vw[v];
            i = vx.Length * Vector<float>.Count;
        }
        for (; i < x.Length; i++)
            y[i] = x[i] * scale * weight[i];
    }

    /// <summary>Normalises every row of a row-major (rows × width) matrix in place.</summary>
    public static void ApplyRows(Span<float> rows, int width, ReadOnlySpan<float> weight, float eps)
    {
        for (int r = 0; r < rows.Length / width; r++)
        {
            var row = rows.Slice(r * width, width);
            Apply(row, weight, row, eps);
        }
    }

    /// <summary>
    /// <c>1 / sqrt(mean(x²) + eps)</c>. Each square is rounded to float and the squares are summed in double,
    /// in index order, exactly as llama.cpp's scalar loop does (<c>sum += (ggml_float)(x[i] * x[i])</c>), so the
    /// scale agrees with it to the bit.
    /// </summary>
    public static float Scale(ReadOnlySpan<float> x, float eps)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
            sum += x[i] * x[i];
        float mean = (float)(sum / x.Length);
        return 1.0f / MathF.Sqrt(mean + eps);
    }

    /// <summary>The plain scalar form, kept for tests.</summary>
    internal static void Reference(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, float eps)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
            sum += (double)(x[i] * x[i]);
        float scale = 1.0f / MathF.Sqrt((float)(sum / x.Length) + eps);
        for (int i = 0; i < x.Length; i++)
            y[i] = x[i] * scale * weight[i];
    }
}
