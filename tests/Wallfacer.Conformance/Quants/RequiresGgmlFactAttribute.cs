using Wallfacer.TestSupport;

namespace Wallfacer.Conformance.Quants;

/// <summary>Why a ggml-backed test cannot run, or null when it can. Under CI a missing library is a failure.</summary>
internal static class GgmlSkip
{
    public static string? Reason()
    {
        if (GgmlNative.Library != null || TestPaths.IsCi)
            return null; // under CI the test runs and fails loudly in GgmlTestData.Native
        return GgmlNative.MissingReason;
    }
}

/// <summary>A fact that calls libggml-base.so; skipped when it is absent, except under CI (CI=true) where it fails.</summary>
public sealed class RequiresGgmlFactAttribute : FactAttribute
{
    public RequiresGgmlFactAttribute()
    {
        if (GgmlSkip.Reason() is { } reason)
            Skip = reason;
    }
}

/// <summary>A theory that calls libggml-base.so; skipped when it is absent, except under CI where it fails.</summary>
public sealed class RequiresGgmlTheoryAttribute : TheoryAttribute
{
    public RequiresGgmlTheoryAttribute()
    {
        if (GgmlSkip.Reason() is { } reason)
            Skip = reason;
    }
}
