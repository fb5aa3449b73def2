using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Wallfacer.Inference.Sampling;

/// <summary>
/// The passes over a vocabulary of logits that sampling and log-probabilities share: the checked maximum,
/// Σ e^(l − max) (and Σ e^(l − max)·(l − max) for the entropy), and the running-sum search of a draw.
/// </summary>
/// <remarks>
/// The exponentials are computed a chunk at a time by <see cref="PortableMath.ExpShifted"/> (vector lanes,
/// bit-identical to the scalar <see cref="PortableMath.Exp(double)"/>); the sums are then accumulated one
/// element at a time in index order, exactly as the scalar loops they replace, so every total — and therefore
/// every drawn token and reported log-probability — is the same bit for bit. Reordering the additions (partial
/// sums per lane) would be faster but would change the last bits, and a seed must give the same tokens everywhere.
/// </remarks>
[SkipLocalsInit]
internal static class SoftmaxSums
{
    private const int Chunk = 512;

    /// <summary>
    /// The largest logit, as a scan <c>if (l &gt; max) max = l</c> from −∞ finds it (so between +0 and −0 the
    /// first wins), or false when some logit is NaN or +∞ (the caller finds which and reports it).
    /// </summary>
    public static bool TryMax(ReadOnlySpan<float> logits, out float max)
    {
        ref float x = ref MemoryMarshal.GetReference(logits);
        int i = 0;
        float best = float.NegativeInfinity;
        bool valid = true;
        if (Vector512.IsHardwareAccelerated && logits.Length >= Vector512<float>.Count)
        {
            Vector512<float> m = Vector512.Create(float.NegativeInfinity), inf = Vector512.Create(float.PositiveInfinity);
            Vector512<float> bad = Vector512<float>.Zero;
            for (; i + Vector512<float>.Count <= logits.Length; i += Vector512<float>.Count)
            {
                Vector512<float> v = Vector512.LoadUnsafe(ref x, (nuint)i);
                bad |= ~Vector512.LessThan(v, inf); // NaN or +∞
                m = Vector512.MaxNative(m, v);
            }
            valid = bad == Vector512<float>.Zero;
            Vector256<float> h = Vector256.Max(m.GetLower(), m.GetUpper());
            best = MaxOf(Vector128.Max(h.GetLower(), h.GetUpper()));
        }
        else if (Vector256.IsHardwareAccelerated && logits.Length >= Vector256<float>.Count)
        {
            Vector256<float> m = Vector256.Create(float.NegativeInfinity), inf = Vector256.Create(float.PositiveInfinity);
            Vector256<float> bad = Vector256<float>.Zero;
            for (; i + Vector256<float>.Count <= logits.Length; i += Vector256<float>.Count)
            {
                Vector256<float> v = Vector256.LoadUnsafe(ref x, (nuint)i);
                bad |= ~Vector256.LessThan(v, inf);
                m = Vector256.MaxNative(m, v);
            }
            valid = bad == Vector256<float>.Zero;
            best = MaxOf(Vector128.Max(m.GetLower(), m.GetUpper()));
        }

        for (; i < logits.Length; i++)
        {
            float l = Unsafe.Add(ref x, i);
            if (!(l < float.PositiveInfinity)) valid = false;
            else if (l > best) best = l;
        }

        // Lanes may have met +0 and −0 in another order than the scan: take the sign of the first zero.
        if (valid && best == 0) best = logits[FirstZero(logits)];
        max = best;
        return valid;
    }

    /// <summary>The index of the first NaN or +∞ logit, or −1.</summary>
    public static int IndexOfInvalid(ReadOnlySpan<float> logits)
    {
        for (int i = 0; i < logits.Length; i++)
        {
            if (!(logits[i] < float.PositiveInfinity)) return i;
        }
        return -1;
    }

    /// <summary>How many running totals <see cref="SumExp(ReadOnlySpan{float}, double, Span{double})"/> records for <paramref name="length"/> values.</summary>
    public static int ChunkCount(int length) => (length + Chunk - 1) / Chunk;

    /// <summary>
    /// Σ PortableMath.Exp(l − max), added in index order. When <paramref name="runningTotals"/> has
    /// <see cref="ChunkCount"/> entries, entry c receives the sum so far at the end of chunk c, so that a later
    /// <see cref="FindCumulative(ReadOnlySpan{float}, double, double, ReadOnlySpan{double})"/> recomputes one chunk only.
    /// </summary>
    public static double SumExp(ReadOnlySpan<float> logits, double max, Span<double> runningTotals = default)
    {
        Span<double> e = stackalloc double[Chunk];
        bool record = runningTotals.Length >= ChunkCount(logits.Length);
        double total = 0;
        for (int start = 0, c = 0; start < logits.Length; start += Chunk, c++)
        {
            ReadOnlySpan<float> part = logits.Slice(start, Math.Min(Chunk, logits.Length - start));
            PortableMath.ExpShifted(part, max, e);
            total = AddInOrder(total, e[..part.Length]);
            if (record) runningTotals[c] = total;
        }
        return total;
    }

    /// <summary>The same sum over the candidates' logits, in buffer order.</summary>
    public static double SumExp(ReadOnlySpan<TokenCandidate> candidates, double max, Span<double> runningTotals = default)
    {
        Span<float> l = stackalloc float[Chunk];
        Span<double> e = stackalloc double[Chunk];
        bool record = runningTotals.Length >= ChunkCount(candidates.Length);
        double total = 0;
        for (int start = 0, c = 0; start < candidates.Length; start += Chunk, c++)
        {
            Span<float> part = l[..Math.Min(Chunk, candidates.Length - start)];
            CopyLogits(candidates.Slice(start, part.Length), part);
            PortableMath.ExpShifted(part, max, e);
            total = AddInOrder(total, e[..part.Length]);
            if (record) runningTotals[c] = total;
        }
        return total;
    }

    /// <summary>
    /// Σ e^(l − max) and Σ e^(l − max)·(l − max), each added in index order; a −∞ logit adds nothing to either
    /// (its weight is 0 and its term is taken as 0 — adding +0 to these sums, which are never −0, changes nothing).
    /// Running totals of the first sum are recorded as by <see cref="SumExp(ReadOnlySpan{float}, double, Span{double})"/>.
    /// </summary>
    public static (double Total, double Weighted) SumExpAndWeighted(ReadOnlySpan<float> logits, double max, Span<double> runningTotals = default)
    {
        Span<double> e = stackalloc double[Chunk];
        Span<double> products = stackalloc double[Chunk];
        bool record = runningTotals.Length >= ChunkCount(logits.Length);
        double total = 0, weighted = 0;
        for (int start = 0, c = 0; start < logits.Length; start += Chunk, c++)
        {
            ReadOnlySpan<float> part = logits.Slice(start, Math.Min(Chunk, logits.Length - start));
            PortableMath.ExpShifted(part, max, e);
            WeightedTerms(part, max, e, products);
            (total, weighted) = AddInOrder(total, weighted, e[..part.Length], products[..part.Length]);
            if (record) runningTotals[c] = total;
        }
        return (total, weighted);
    }

    /// <summary>
    /// The draw of <see cref="DistributionSelector"/> over logits in index order: the first index with a positive
    /// weight at which the running sum of weights exceeds <paramref name="threshold"/>, else the last index with a
    /// positive weight (0 if none). With the running totals of the sum pass, only the chunk where the sum first
    /// exceeds the threshold is recomputed: weights are never negative, and adding a zero weight to the running
    /// sum changes nothing, so the sum pass's totals are this scan's running sums at chunk ends, bit for bit.
    /// </summary>
    public static int FindCumulative(ReadOnlySpan<float> logits, double max, double threshold, ReadOnlySpan<double> runningTotals = default)
    {
        Span<double> e = stackalloc double[Chunk];
        int first = FirstChunkAbove(runningTotals, ChunkCount(logits.Length), threshold);
        double cumulative = first > 0 ? runningTotals[first - 1] : 0;
        int lastPositive = 0;
        for (int start = first * Chunk; start < logits.Length; start += Chunk)
        {
            ReadOnlySpan<float> part = logits.Slice(start, Math.Min(Chunk, logits.Length - start));
            PortableMath.ExpShifted(part, max, e);
            int found = ScanChunk(e[..part.Length], threshold, ref cumulative, ref lastPositive, start);
            if (found >= 0) return found;
        }
        return lastPositive;
    }

    /// <summary>The same search over candidates in buffer order; returns an index into <paramref name="candidates"/>.</summary>
    public static int FindCumulative(ReadOnlySpan<TokenCandidate> candidates, double max, double threshold, ReadOnlySpan<double> runningTotals = default)
    {
        Span<float> l = stackalloc float[Chunk];
        Span<double> e = stackalloc double[Chunk];
        int first = FirstChunkAbove(runningTotals, ChunkCount(candidates.Length), threshold);
        double cumulative = first > 0 ? runningTotals[first - 1] : 0;
        int lastPositive = 0;
        for (int start = first * Chunk; start < candidates.Length; start += Chunk)
        {
            Span<float> part = l[..Math.Min(Chunk, candidates.Length - start)];
            CopyLogits(candidates.Slice(start, part.Length), part);
            PortableMath.ExpShifted(part, max, e);
            int found = ScanChunk(e[..part.Length], threshold, ref cumulative, ref lastPositive, start);
            if (found >= 0) return found;
        }
        return lastPositive;
    }

    /// <summary>
    /// The chunk in which the scan will stop: the first whose running total exceeds the threshold. 0 (scan everything,
    /// as the scalar code does) without totals, or when rounding kept every total at or below the threshold — then
    /// the scan must find the last positive weight.
    /// </summary>
    private static int FirstChunkAbove(ReadOnlySpan<double> runningTotals, int chunks, double threshold)
    {
        if (runningTotals.Length < chunks) return 0;
        for (int c = 0; c < chunks; c++)
        {
            if (runningTotals[c] > threshold) return c;
        }
        return 0;
    }

    /// <summary>
    /// One chunk of the scan: adds the positive weights to <paramref name="cumulative"/> in order and returns
    /// <paramref name="offset"/> + the index at which it first exceeds <paramref name="threshold"/>, or −1.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // keeps the running sum in a register (a call in the caller's loop would spill it)
    private static int ScanChunk(ReadOnlySpan<double> weights, double threshold, ref double cumulative, ref int lastPositive, int offset)
    {
        double sum = cumulative;
        int last = -1;
        for (int j = 0; j < weights.Length; j++)
        {
            double weight = weights[j];
            if (weight <= 0) continue; // a zero-probability token is never chosen
            sum += weight;
            last = j;
            if (sum > threshold)
            {
                cumulative = sum;
                lastPositive = offset + j;
                return offset + j;
            }
        }
        cumulative = sum;
        if (last >= 0) lastPositive = offset + last;
        return -1;
    }

    /// <summary><paramref name="total"/> + values[0] + values[1] + …, left to right.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // keeps the running sum in a register (a call in the caller's loop would spill it)
    private static double AddInOrder(double total, ReadOnlySpan<double> values)
    {
        foreach (double v in values) total += v;
        return total;
    }

    /// <summary>Two running sums, each left to right (two independent chains, so they cost about one).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (double, double) AddInOrder(double total, double weighted, ReadOnlySpan<double> values, ReadOnlySpan<double> products)
    {
        products = products[..values.Length];
        for (int j = 0; j < values.Length; j++)
        {
            total += values[j];
            weighted += products[j];
        }
        return (total, weighted);
    }

    /// <summary>products[j] = e[j]·((double)l[j] − max), or 0 where l[j] is −∞ (where the product would be 0·−∞).</summary>
    private static void WeightedTerms(ReadOnlySpan<float> logits, double max, ReadOnlySpan<double> e, Span<double> products)
    {
        ref float x = ref MemoryMarshal.GetReference(logits);
        ref double w = ref MemoryMarshal.GetReference(e);
        ref double d = ref MemoryMarshal.GetReference(products);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<double> m = Vector512.Create(max), minusInfinity = Vector512.Create(double.NegativeInfinity);
            for (; i + Vector512<float>.Count <= logits.Length; i += Vector512<float>.Count)
            {
                (Vector512<double> lo, Vector512<double> hi) = Vector512.Widen(Vector512.LoadUnsafe(ref x, (nuint)i));
                Vector512<double> plo = Vector512.LoadUnsafe(ref w, (nuint)i) * (lo - m);
                Vector512<double> phi = Vector512.LoadUnsafe(ref w, (nuint)(i + Vector512<double>.Count)) * (hi - m);
                Vector512.AndNot(plo, Vector512.Equals(lo, minusInfinity)).StoreUnsafe(ref d, (nuint)i);
                Vector512.AndNot(phi, Vector512.Equals(hi, minusInfinity)).StoreUnsafe(ref d, (nuint)(i + Vector512<double>.Count));
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<double> m = Vector256.Create(max), minusInfinity = Vector256.Create(double.NegativeInfinity);
            for (; i + Vector256<float>.Count <= logits.Length; i += Vector256<float>.Count)
            {
                (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(Vector256.LoadUnsafe(ref x, (nuint)i));
                Vector256<double> plo = Vector256.LoadUnsafe(ref w, (nuint)i) * (lo - m);
                Vector256<double> phi = Vector256.LoadUnsafe(ref w, (nuint)(i + Vector256<double>.Count)) * (hi - m);
                Vector256.AndNot(plo, Vector256.Equals(lo, minusInfinity)).StoreUnsafe(ref d, (nuint)i);
                Vector256.AndNot(phi, Vector256.Equals(hi, minusInfinity)).StoreUnsafe(ref d, (nuint)(i + Vector256<double>.Count));
            }
        }

        for (; i < logits.Length; i++)
        {
            float l = logits[i];
            products[i] = float.IsNegativeInfinity(l) ? 0.0 : e[i] * (l - max);
        }
    }

    private static void CopyLogits(ReadOnlySpan<TokenCandidate> candidates, Span<float> destination)
    {
        for (int j = 0; j < candidates.Length; j++) destination[j] = candidates[j].Logit;
    }

    /// <summary>The first index whose logit equals <paramref name="value"/> (−1 if none).</summary>
    public static int IndexOfFirst(ReadOnlySpan<float> logits, float value)
    {
        ref float x = ref MemoryMarshal.GetReference(logits);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> target = Vector512.Create(value);
            for (; i + Vector512<float>.Count <= logits.Length; i += Vector512<float>.Count)
            {
                if (Vector512.EqualsAny(Vector512.LoadUnsafe(ref x, (nuint)i), target)) break;
            }
        }
        for (; i < logits.Length; i++)
        {
            if (logits[i] == value) return i;
        }
        return -1;
    }

    private static float MaxOf(Vector128<float> v)
    {
        float m = v[0];
        for (int i = 1; i < Vector128<float>.Count; i++) m = Math.Max(m, v[i]);
        return m;
    }

    private static int FirstZero(ReadOnlySpan<float> logits)
    {
        for (int i = 0; i < logits.Length; i++)
        {
            if (logits[i] == 0) return i;
        }
        return 0;
    }
}
