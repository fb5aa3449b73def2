namespace Wallfacer.Inference.Sampling;

/// <summary>
/// One token still in the running during sampling: its id and its (possibly processed) logit.
/// </summary>
/// <remarks>
/// <see cref="CompareTo"/> orders by <em>rank</em>, best first: a higher logit ranks first, and equal
/// logits are broken by the lower token id. The order is total (ids are unique), so every sort and
/// selection gives the same result whatever algorithm or stability it has — the sampler's
/// determinism rests on this.
/// </remarks>
public struct TokenCandidate : IComparable<TokenCandidate>
{
    /// <summary>Creates a candidate.</summary>
    public TokenCandidate(int token, float logit)
    {
        Token = token;
        Logit = logit;
    }

    /// <summary>The token id.</summary>
    public int Token { get; }

    /// <summary>The logit; processors edit it in place through <see cref="CandidateBuffer.EditLogits"/>.</summary>
    public float Logit { get; set; }

    /// <summary>Negative when this candidate ranks before <paramref name="other"/> (higher logit, then lower id).</summary>
    public readonly int CompareTo(TokenCandidate other)
    {
        if (Logit > other.Logit) return -1;
        if (Logit < other.Logit) return 1;
        return Token.CompareTo(other.Token);
    }

    /// <summary>True when <paramref name="a"/> ranks strictly before <paramref name="b"/>.</summary>
    internal static bool RanksBefore(in TokenCandidate a, in TokenCandidate b) =>
        a.Logit > b.Logit || (a.Logit == b.Logit && a.Token < b.Token);

    /// <inheritdoc />
    public override readonly string ToString() => $"{Token}:{Logit}";
}
