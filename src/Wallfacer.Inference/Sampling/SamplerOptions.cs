namespace Wallfacer.Inference.Sampling;

/// <summary>
/// How to pick the next token. The defaults are llama.cpp's (common/common.h,
/// <c>common_params_sampling</c>): temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, no penalties over
/// a 64-token window. The stages run in llama.cpp's default order: penalties → top-k → top-p → min-p →
/// temperature → draw.
/// </summary>
public sealed record SamplerOptions
{
    /// <summary>Divides the logits before the draw; ≤ 0 means greedy (argmax, lowest id on ties), like llama.cpp.</summary>
    public float Temperature { get; init; } = 0.8f;

    /// <summary>Keep only the K most likely tokens; ≤ 0 disables.</summary>
    public int TopK { get; init; } = 40;

    /// <summary>Keep the smallest set of tokens whose probability reaches P; must be in (0, 1], 1 disables.</summary>
    public float TopP { get; init; } = 0.95f;

    /// <summary>Drop tokens less likely than MinP × the top token's probability; in [0, 1], 0 disables.</summary>
    public float MinP { get; init; } = 0.05f;

    /// <summary>Divides positive / multiplies non-positive logits of recent tokens; must be &gt; 0, 1 disables.</summary>
    public float RepetitionPenalty { get; init; } = 1.0f;

    /// <summary>Subtracted from a recent token's logit once per occurrence; 0 disables.</summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>Subtracted from a recent token's logit once if it occurs at all; 0 disables.</summary>
    public float PresencePenalty { get; init; }

    /// <summary>
    /// How many of the most recent accepted tokens the penalties look at; 0 disables the penalties.
    /// llama.cpp's −1 ("the whole context") is not accepted: pass the context length instead.
    /// </summary>
    public int PenaltyLastN { get; init; } = 64;

    /// <summary>The random seed; null picks one at random (read it back from <see cref="Sampler.Seed"/> to replay a run).</summary>
    public ulong? Seed { get; init; }

    /// <summary>Added to these tokens' logits before sampling (OpenAI's <c>logit_bias</c>); −∞ bans a token.</summary>
    public IReadOnlyDictionary<int, float> LogitBias { get; init; } = new Dictionary<int, float>();

    /// <summary>Always the most likely token (after penalties): temperature 0.</summary>
    public static SamplerOptions Greedy { get; } = new() { Temperature = 0f };

    /// <summary>True when the draw is replaced by argmax.</summary>
    public bool IsGreedy => Temperature <= 0f;

    /// <summary>True when the penalty stage would change anything (llama.cpp's <c>is_disabled</c>, negated).</summary>
    public bool HasPenalties =>
        PenaltyLastN > 0 && (RepetitionPenalty != 1f || FrequencyPenalty != 0f || PresencePenalty != 0f);

    /// <summary>Checks every field; the exception names the bad one and the allowed range.</summary>
    /// <exception cref="ArgumentException">A field is NaN, infinite where not allowed, or out of range.</exception>
    public void Validate()
    {
        if (!float.IsFinite(Temperature))
        {
            throw Invalid(nameof(Temperature), Temperature, "must be finite (≤ 0 means greedy)");
        }

        if (!(TopP > 0f && TopP <= 1f)) throw Invalid(nameof(TopP), TopP, "must be in (0, 1] (1 disables)");
        if (!(MinP >= 0f && MinP <= 1f)) throw Invalid(nameof(MinP), MinP, "must be in [0, 1] (0 disables)");

        // llama.cpp (common/sampling.cpp, common_sampler_init) rejects the same penalty values.
        if (!(float.IsFinite(RepetitionPenalty) && RepetitionPenalty > 0f && float.IsFinite(1f / RepetitionPenalty)))
        {
            throw Invalid(nameof(RepetitionPenalty), RepetitionPenalty, "must be finite and > 0 (1 disables)");
        }

        foreach (var (token, bias) in LogitBias)
        {
            if (token < 0 || float.IsNaN(bias) || float.IsPositiveInfinity(bias))
                throw Invalid(nameof(LogitBias), bias, $"entry for token {token}: the token must be ≥ 0 and the bias a number or −∞");
        }

        if (!float.IsFinite(FrequencyPenalty)) throw Invalid(nameof(FrequencyPenalty), FrequencyPenalty, "must be finite");
        if (!float.IsFinite(PresencePenalty)) throw Invalid(nameof(PresencePenalty), PresencePenalty, "must be finite");
        if (PenaltyLastN < 0)
        {
            throw Invalid(nameof(PenaltyLastN), PenaltyLastN,
                "must be ≥ 0 (0 disables); for llama.cpp's -1 (whole context) pass the context length");
        }
    }

    private static ArgumentException Invalid(string field, object value, string rule) =>
        new($"Sampler option {field} = {value} is invalid: it {rule}.", field);
}
