namespace Wallfacer.Numerics.Quants;

/// <summary>
/// The scale searches behind llama.cpp's reference K-quant quantizers, ported from
/// ggml/src/ggml-quants.c (make_qx_quants, make_q3_quants, make_qkx2_quants). Float expressions keep
/// ggml's evaluation order exactly, so the chosen quants are byte-identical.
/// </summary>
internal static class KQuantSearch
{
    /// <summary>
    /// Symmetric quants L in [0, 2·nmax) for x ≈ scale·(L − nmax), searching 19 candidate scales around
    /// −nmax/max with weights x² (make_qx_quants with rmse_type 1 and no importance weights).
    /// </summary>
    public static float MakeQxQuants(int n, int nmax, ReadOnlySpan<float> x, Span<sbyte> levels)
    {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++)
        {
            float ax = MathF.Abs(x[i]);
            if (ax > amax) { amax = ax; max = x[i]; }
        }
        if (amax < QuantMath.GroupMaxEps)
        {
            levels[..n].Clear();
            return 0f;
        }
        float iscale = -nmax / max;
        (float sumlx, float suml2) = WeightedSums(n, nmax, x, iscale, levels);
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        float best = scale * sumlx;
        for (int step = -9; step <= 9; step++)
        {
            if (step == 0)
                continue;
            iscale = -(nmax + 0.1f * step) / max;
            (sumlx, suml2) = WeightedSums(n, nmax, x, iscale, levels: default);
            if (suml2 > 0 && sumlx * sumlx > best * suml2)
            {
                WeightedSums(n, nmax, x, iscale, levels);
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    private static (float SumLx, float SumL2) WeightedSums(int n, int nmax, ReadOnlySpan<float> x, float iscale, Span<sbyte> levels)
    {
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++)
        {
            int l = Math.Max(-nmax, Math.Min(nmax - 1, QuantMath.NearestInt(iscale * x[i])));
            if (!levels.IsEmpty)
                levels[i] = (sbyte)(l + nmax);
            float w = x[i] * x[i];
            sumlx += w * x[i] * l;
            suml2 += w * l * l;
        }
        return (sumlx, suml2);
    }

    /// <summary>
    /// Q3_K's symmetric quants L in [0, 2·nmax) with up to five passes of coordinate descent on the x²
    /// weighted error (make_q3_quants with do_rmse = true).
    /// </summary>
    public static float MakeQ3Quants(int n, int nmax, ReadOnlySpan<float> x, Span<sbyte> levels)
    {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++)
        {
            float ax = MathF.Abs(x[i]);
            if (ax > amax) { amax = ax; max = x[i]; }
        }
        if (amax < QuantMath.GroupMaxEps)
        {
            levels[..n].Clear();
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++)
        {
            int l = Math.Max(-nmax, Math.Min(nmax - 1, QuantMath.NearestInt(iscale * x[i])));
            levels[i] = (sbyte)l;
            float w = x[i] * x[i];
            sumlx += w * x[i] * l;
            suml2 += w * l * l;
        }
        for (int attempt = 0; attempt < 5; attempt++)
        {
            int changed = 0;
            for (int i = 0; i < n; i++)
            {
                float w = x[i] * x[i];
                float slx = sumlx - w * x[i] * levels[i];
                if (slx <= 0)
                    continue;
                float sl2 = suml2 - w * levels[i] * levels[i];
                int newL = Math.Max(-nmax, Math.Min(nmax - 1, QuantMath.NearestInt(x[i] * sl2 / slx)));
                if (newL == levels[i])
                    continue;
                slx += w * x[i] * newL;
                sl2 += w * newL * newL;
                if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2)
                {
                    levels[i] = (sbyte)newL;
                    sumlx = slx;
                    suml2 = sl2;
                    changed++;
                }
            }
            if (changed == 0)
                break;
        }
        for (int i = 0; i < n; i++)
            levels[i] += (sbyte)nmax;
        return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
    }

    /// <summary>
    /// Asymmetric quants L in [0, nmax] with x ≈ scale·L − theMin, trying nstep+1 candidate scales and
    /// keeping the least weighted error (squared, or absolute when <paramref name="useMad"/>)
    /// (make_qkx2_quants).
    /// </summary>
    public static float MakeQkx2Quants(int n, int nmax, ReadOnlySpan<float> x, ReadOnlySpan<float> weights, Span<byte> levels,
        out float theMin, Span<byte> aux, float rmin, float rdelta, int nstep, bool useMad)
    {
        float min = x[0], max = x[0];
        float sumW = weights[0];
        float sumX = sumW * x[0];
        for (int i = 1; i < n; i++)
        {
            if (x[i] < min) min = x[i];
            if (x[i] > max) max = x[i];
            float w = weights[i];
            sumW += w;
            sumX += w * x[i];
        }
        if (min > 0) min = 0;
        if (max == min)
        {
            levels[..n].Clear();
            theMin = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++)
        {
            levels[i] = (byte)Math.Max(0, Math.Min(nmax, QuantMath.NearestInt(iscale * (x[i] - min))));
            bestError += weights[i] * Error(scale * levels[i] + min - x[i], useMad);
        }
        for (int step = 0; step <= nstep; step++)
        {
            iscale = (rmin + rdelta * step + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXl = 0;
            for (int i = 0; i < n; i++)
            {
                int l = Math.Max(0, Math.Min(nmax, QuantMath.NearestInt(iscale * (x[i] - min))));
                aux[i] = (byte)l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXl += w * l * x[i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det <= 0)
                continue;
            float thisScale = (sumW * sumXl - sumX * sumL) / det;
            float thisMin = (sumL2 * sumX - sumL * sumXl) / det;
            if (thisMin > 0)
            {
                thisMin = 0;
                thisScale = sumXl / sumL2;
            }
            float curError = 0;
            for (int i = 0; i < n; i++)
                curError += weights[i] * Error(thisScale * aux[i] + thisMin - x[i], useMad);
            if (curError < bestError)
            {
                aux[..n].CopyTo(levels);
                bestError = curError;
                scale = thisScale;
                min = thisMin;
            }
        }
        theMin = -min;
        return scale;
    }

    private static float Error(float diff, bool useMad) => useMad ? MathF.Abs(diff) : diff * diff;
}
