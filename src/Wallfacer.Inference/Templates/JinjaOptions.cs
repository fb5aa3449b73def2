namespace Wallfacer.Inference.Templates;

/// <summary>Limits and the clock for <see cref="JinjaTemplate"/>. Every limit breach is a
/// <see cref="TemplateRenderException"/> of kind <see cref="TemplateErrorKind.LimitExceeded"/>.</summary>
public sealed record JinjaOptions
{
    /// <summary>Most characters one render may produce (default 4 Mi).</summary>
    public int MaxOutputChars { get; init; } = 4 * 1024 * 1024;

    /// <summary>Most loop iterations in one render, summed over all loops (default one million).</summary>
    public long MaxLoopIterations { get; init; } = 1_000_000;

    /// <summary>Deepest nesting of macro calls at render time and of blocks/brackets at parse time (default 64).</summary>
    public int MaxRecursionDepth { get; init; } = 64;

    /// <summary>Longest template source accepted by <see cref="JinjaTemplate.Parse"/> (default 1 Mi characters).</summary>
    public int MaxSourceLength { get; init; } = 1024 * 1024;

    /// <summary>The clock behind <c>strftime_now</c>; tests pin it.</summary>
    public Func<DateTime> Now { get; init; } = () => DateTime.Now;

    internal static JinjaOptions Default { get; } = new();
}
