using Xunit;

namespace Wallfacer.TestSupport;

/// <summary>A fact that needs <c>../shared</c> (real models, vocabularies); skipped when it is absent.</summary>
public sealed class SharedFactAttribute : FactAttribute
{
    public SharedFactAttribute()
    {
        if (!TestPaths.SharedExists)
            Skip = $"../shared is absent ({TestPaths.SharedDir}); this test needs its real model files.";
    }
}

/// <summary>A theory that needs <c>../shared</c>; skipped when it is absent.</summary>
public sealed class SharedTheoryAttribute : TheoryAttribute
{
    public SharedTheoryAttribute()
    {
        if (!TestPaths.SharedExists)
            Skip = $"../shared is absent ({TestPaths.SharedDir}); this test needs its real model files.";
    }
}
