namespace Wallfacer.Conformance.Models;

/// <summary>Accumulates how far our logits are from llama.cpp's over many positions.</summary>
internal sealed class LogitComparison
{
    public int Positions { get; private set; }
    public int TopOneAgreements { get; private set; }
    /// <summary>Worst max|Δ| / max|logit| over the compared rows.</summary>
    public double WorstRelativeError { get; private set; }
    public int WorstPosition { get; private set; } = -1;
    /// <summary>max|Δ| over every compared logit.</summary>
    public double MaxAbsoluteError { get; private set; }
    /// <summary>max|logit| of the reference over every compared position.</summary>
    public double MaxAbsoluteLogit { get; private set; }
    /// <summary>max|Δ| / max|logit| over the whole comparison (the measure).</summary>
    public double GlobalRelativeError => MaxAbsoluteError / Math.Max(MaxAbsoluteLogit, 1e-30);

    public void Add(ReadOnlySpan<float> ours, ReadOnlySpan<float> reference)
    {
        if (ours.Length != reference.Length)
            throw new ArgumentException($"Row lengths differ: {ours.Length} vs {reference.Length}.");
        float maxAbs = 0, maxDiff = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            maxAbs = Math.Max(maxAbs, Math.Abs(reference[i]));
            maxDiff = Math.Max(maxDiff, Math.Abs(ours[i] - reference[i]));
        }
        double relative = maxDiff / Math.Max(maxAbs, 1e-30f);
        MaxAbsoluteError = Math.Max(MaxAbsoluteError, maxDiff);
        MaxAbsoluteLogit = Math.Max(MaxAbsoluteLogit, maxAbs);
        if (relative > WorstRelativeError || WorstPosition < 0)
        {
            WorstRelativeError = relative;
            WorstPosition = Positions;
        }
        if (ArgMax(ours) == ArgMax(reference))
            TopOneAgreements++;
        Positions++;
    }

    public double TopOneRate => Positions == 0 ? 0 : (double)TopOneAgreements / Positions;

    public override string ToString() =>
        $"{Positions} positions, max|Δ| = {MaxAbsoluteError:E3} vs max|logit| = {MaxAbsoluteLogit:F3} (ratio {GlobalRelativeError:E3}); " +
        $"worst single row {WorstRelativeError:E3} at #{WorstPosition}; top-1 agreement {TopOneRate:P1}";

    private static int ArgMax(ReadOnlySpan<float> x)
    {
        int best = 0;
        for (int i = 1; i < x.Length; i++)
            if (x[i] > x[best])
                best = i;
        return best;
    }
}
