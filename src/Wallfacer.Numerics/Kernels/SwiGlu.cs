using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Wallfacer.Numerics.Kernels;

/// <summary>
/// The SwiGLU gate of the Llama feed-forward block: <c>gate[i] = silu(gate[i]) * up[i]</c> with
/// <c>silu(x) = x / (1 + e^-x)</c>. Like llama.cpp's <c>ggml_vec_swiglu_f32</c>, whole vectors of its build's width
/// (16 with AVX-512, 8 with AVX2: <see cref="GgmlBuild.Avx2Order"/>) use the vectorized exponential
/// (<see cref="GgmlExp"/>) and the remaining elements the C library's.
/// </summary>
public static class SwiGlu
{
    /// <summary>Overwrites <paramref name="gate"/> with <c>silu(gate) * up</c>.</summary>
    public static void Apply(Span<float> gate, ReadOnlySpan<float> up)
    {
        if (gate.Length != up.Length)
            throw new ArgumentException("gate and up must have the same length.");
        int vectorPart = gate.Length - gate.Length % GgmlBuild.F32VectorWidth, i = 0;
        if (GgmlExp.VectorIsSupported)
        {
            ref float g = ref MemoryMarshal.GetReference(gate);
            ref float u = ref MemoryMarshal.GetReference(up);
            for (; i < vectorPart; i += GgmlBuild.F32VectorWidth)
                (GgmlExp.Silu(Vector512.LoadUnsafe(ref g, (nuint)i)) * Vector512.LoadUnsafe(ref u, (nuint)i)).StoreUnsafe(ref g, (nuint)i);
        }
        else if (GgmlExp.Vector256IsSupported)
        {
            // The groups of 8 or 16 as vectors of eight: lane for lane the same values.
            ref float g = ref MemoryMarshal.GetReference(gate);
            ref float u = ref MemoryMarshal.GetReference(up);
            for (; i < vectorPart; i += 8)
                (GgmlExp.Silu(Vector256.LoadUnsafe(ref g, (nuint)i)) * Vector256.LoadUnsafe(ref u, (nuint)i)).StoreUnsafe(ref g, (nuint)i);
        }
        for (; i < vectorPart; i++)
            gate[i] = GgmlExp.Silu(gate[i]) * up[i];
        for (; i < gate.Length; i++)
        {
            float g = gate[i];
            gate[i] = g / (1.0f + MathF.Exp(-g)) * up[i];
        }
    }

    /// <summary>The scalar definition of <see cref="Apply"/> (lane by lane, the same operations).</summary>
    internal static void ApplyReference(Span<float> gate, ReadOnlySpan<float> up)
    {
        int vectorPart = gate.Length - gate.Length % GgmlBuild.F32VectorWidth;
        for (int i = 0; i < vectorPart; i++)
            gate[i] = GgmlExp.Silu(gate[i]) * up[i];
        for (int i = vectorPart; i < gate.Length; i++)
        {
            float g = gate[i];
            gate[i] = g / (1.0f + MathF.Exp(-g)) * up[i];
        }
    }

    /// <summary>Applies the gate row by row for a (rows × width) batch (each row restarts the groups of 16).</summary>
    public static void ApplyRows(Span<float> gate, ReadOnlySpan<float> up, int rows, int width)
    {
        for (int r = 0; r < rows; r++)
            Apply(gate.Slice(r * width, width), up.Slice(r * width, width));
    }
}

/// <summary>Element-wise helpers on float rows.</summary>
public static class VectorOps
{
    /// <summary><c>y[i] += x[i]</c>.</summary>
    public static void Add(Span<float> y, ReadOnlySpan<float> x)
    {
        if (y.Length != x.Length)
            throw new ArgumentException("Lengths differ.");
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vy = MemoryMarshal.Cast<float, Vector<float>>(y);
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            for (int v = 0; v < vy.Length; v++)
                vy[v] += vx[v];
            i = vy.Length * Vector<float>.Count;
        }
        for (; i < y.Length; i++)
            y[i] += x[i];
    }

    /// <summary><c>y[i] += x[i] * scale</c>, rounded as llama.cpp's separate scale-then-add (<c>(x * s)</c> first).</summary>
    public static void AddScaled(Span<float> y, ReadOnlySpan<float> x, float scale)
    {
        if (y.Length != x.Length)
            throw new ArgumentException("Lengths differ.");
        for (int i = 0; i < y.Length; i++)
            y[i] += x[i] * scale;
    }

    /// <summary><c>y[i] *= scale</c>.</summary>
    public static void Scale(Span<float> y, float scale)
    {
        for (int i = 0; i < y.Length; i++)
            y[i] *= scale;
    }

    /// <summary>Index of the largest element; the lowest index wins ties.</summary>
    public static int ArgMax(ReadOnlySpan<float> x)
    {
        int best = 0;
        for (int i = 1; i < x.Length; i++)
            if (x[i] > x[best])
                best = i;
        return best;
    }
}
