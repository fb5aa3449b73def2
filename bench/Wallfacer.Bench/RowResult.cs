namespace Wallfacer.Bench;

/// <summary>Medians of one figure: Wallfacer's, llama.cpp's, and of the pairwise ratios Wallfacer ÷ llama.cpp.</summary>
internal sealed record Comparison(double Wallfacer, double Llama, double Ratio);

/// <summary>One row of the table: a model file, a thread count, and the measured pairs of child runs.</summary>
internal sealed record RowResult(string Preset, string Type, int Threads, ModelTraffic Traffic, double Bandwidth,
    IReadOnlyList<(ChildResult Wallfacer, ChildResult Llama)> Pairs)
{
    /// <summary>The figure <paramref name="pick"/> selects, compared; NaN where a run lacks it.</summary>
    public Comparison Compare(Func<ChildResult, double> pick) => new(
        Median(Pairs.Select(p => pick(p.Wallfacer))),
        Median(Pairs.Select(p => pick(p.Llama))),
        Median(Pairs.Select(p => pick(p.Wallfacer) / pick(p.Llama))));

    /// <summary>Generation tokens/s × bytes read per token ÷ measured bandwidth: the fraction of the physical limit reached.</summary>
    public double CeilingFraction(double generationTokensPerSecond, int promptLength, int generated) =>
        generationTokensPerSecond * Traffic.BytesPerGeneratedToken(promptLength, generated) / Bandwidth;

    /// <summary>The median, averaging the middle two of an even count; NaN for none.</summary>
    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        if (sorted.Length == 0)
            return double.NaN;
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
