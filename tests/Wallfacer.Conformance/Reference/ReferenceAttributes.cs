using Wallfacer.TestSupport;

namespace Wallfacer.Conformance.Reference;

/// <summary>
/// Why a reference test should be skipped, or null to run it. A missing llama.cpp skips the test
/// locally but not under CI (<c>CI=true</c>): there the test runs and fails with
/// <see cref="LlamaLibrary.MissingMessage"/>, so a green CI proves the comparison ran. Tests that
/// also need <c>../shared</c> skip without it everywhere, like <see cref="SharedFactAttribute"/>.
/// </summary>
internal static class ReferenceSkip
{
    public static string? Reason(bool needsShared)
    {
        if (needsShared && !TestPaths.SharedExists)
            return $"../shared is absent ({TestPaths.SharedDir}); this test needs its real model files.";
        if (!LlamaLibrary.IsAvailable && !TestPaths.IsCi)
            return LlamaLibrary.MissingMessage;
        return null;
    }
}

/// <summary>A fact comparing against llama.cpp; skipped (outside CI) when the reference is not installed.</summary>
public sealed class ReferenceFactAttribute : FactAttribute
{
    private bool needsShared;

    public ReferenceFactAttribute() => Skip = ReferenceSkip.Reason(needsShared: false);

    /// <summary>Also skip when <c>../shared</c> (real model files) is absent.</summary>
    public bool NeedsShared
    {
        get => needsShared;
        set
        {
            needsShared = value;
            Skip = ReferenceSkip.Reason(value);
        }
    }
}

/// <summary>A theory comparing against llama.cpp; skipped (outside CI) when the reference is not installed.</summary>
public sealed class ReferenceTheoryAttribute : TheoryAttribute
{
    private bool needsShared;

    public ReferenceTheoryAttribute() => Skip = ReferenceSkip.Reason(needsShared: false);

    /// <summary>Also skip when <c>../shared</c> (real model files) is absent.</summary>
    public bool NeedsShared
    {
        get => needsShared;
        set
        {
            needsShared = value;
            Skip = ReferenceSkip.Reason(value);
        }
    }
}
