namespace Wallfacer.Inference.Sampling;

/// <summary>
/// <c>exp</c> and <c>log</c> in double precision from IEEE basic operations only (+, −, ×, ÷),
/// in a fixed order.
/// </summary>
/// <remarks>
/// <see cref="Math.Exp(double)"/> and <see cref="Math.Log(double)"/> call the platform C runtime, whose last-bit
/// results differ between glibc, MSVC and Apple's libm. The sampler compares cumulative
/// probabilities against a random threshold, so one ulp can flip a token; with these functions a
/// seed gives the same tokens on every OS (design.md decision 9). The .NET JIT neither reassociates
/// nor contracts floating-point expressions into FMA, so the order written here is the order run.
/// Accuracy is within a few ulp of the correctly rounded result (tests compare with Math.Exp/Log).
/// </remarks>
internal static partial class PortableMath
{
    // ln 2 split so that k * Ln2High is exact for |k| < 2^11 (Ln2High has 32 trailing zero bits).
    private const double Ln2High = 6.93147180369123816490e-01;
    private const double Ln2Low = 1.90821492927058770002e-10;
    private const double Log2E = 1.44269504088896338700e+00;
    private const double Sqrt2 = 1.41421356237309504880;
    private const double MaxExpArgument = 709.782712893383973096;
    private const double MinExpArgument = -745.133219101941108420;

    /// <summary>e^x. Overflows to +∞ above ~709.78 and underflows to 0 below ~−745.13.</summary>
    public static double Exp(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x > MaxExpArgument) return double.PositiveInfinity;
        if (x < MinExpArgument) return 0.0;

        // x = k ln2 + r with |r| <= ln2 / 2, so e^x = 2^k e^r.
        double k = Math.Floor(x * Log2E + 0.5);
        double r = (x - k * Ln2High) - k * Ln2Low;

        // Taylor series of e^r to degree 13: the first omitted term is below 5e-18 for |r| <= 0.347.
        double p = 1.0 / 6227020800.0;
        p = p * r + 1.0 / 479001600.0;
        p = p * r + 1.0 / 39916800.0;
        p = p * r + 1.0 / 3628800.0;
        p = p * r + 1.0 / 362880.0;
        p = p * r + 1.0 / 40320.0;
        p = p * r + 1.0 / 5040.0;
        p = p * r + 1.0 / 720.0;
        p = p * r + 1.0 / 120.0;
        p = p * r + 1.0 / 24.0;
        p = p * r + 1.0 / 6.0;
        p = p * r + 0.5;
        p = p * r + 1.0;
        p = p * r + 1.0;
        return ScaleByPowerOfTwo(p, (int)k);
    }

    /// <summary>Natural logarithm. log(0) = −∞, log(negative) = NaN.</summary>
    public static double Log(double x)
    {
        if (double.IsNaN(x) || x < 0) return double.NaN;
        if (x == 0) return double.NegativeInfinity;
        if (double.IsPositiveInfinity(x)) return x;

        int exponentBias = 0;
        if (x < double.Epsilon * 4503599627370496.0) // subnormal: bring into the normal range first
        {
            x *= 18014398509481984.0; // 2^54
            exponentBias = -54;
        }

        long bits = BitConverter.DoubleToInt64Bits(x);
        int e = (int)((bits >> 52) & 0x7FF) - 1023 + exponentBias;
        double m = BitConverter.Int64BitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | 0x3FF0000000000000L);
        if (m > Sqrt2)
        {
            m *= 0.5;
            e++;
        }

        // log m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), s = (m-1)/(m+1), |s| <= 0.1716.
        double s = (m - 1.0) / (m + 1.0);
        double s2 = s * s;
        double q = 1.0 / 21.0;
        q = q * s2 + 1.0 / 19.0;
        q = q * s2 + 1.0 / 17.0;
        q = q * s2 + 1.0 / 15.0;
        q = q * s2 + 1.0 / 13.0;
        q = q * s2 + 1.0 / 11.0;
        q = q * s2 + 1.0 / 9.0;
        q = q * s2 + 1.0 / 7.0;
        q = q * s2 + 1.0 / 5.0;
        q = q * s2 + 1.0 / 3.0;
        double logM = 2.0 * s + 2.0 * s * (s2 * q);
        return e * Ln2High + (logM + e * Ln2Low);
    }

    /// <summary>value × 2^k, computed in two exact steps so the intermediate never overflows.</summary>
    private static double ScaleByPowerOfTwo(double value, int k)
    {
        int half = k / 2;
        return value * PowerOfTwo(half) * PowerOfTwo(k - half);
    }

    /// <summary>2^k for k in [−1022, 1023], built from its bit pattern.</summary>
    private static double PowerOfTwo(int k) => BitConverter.Int64BitsToDouble((long)(k + 1023) << 52);
}
