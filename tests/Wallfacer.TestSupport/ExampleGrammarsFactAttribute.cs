using Xunit;

namespace Wallfacer.TestSupport;

/// <summary>
/// A fact that needs llama.cpp's example grammars (<c>.reference/grammars</c>, installed by
/// <c>scripts/install-reference.sh</c>); skipped when they are absent. Under CI=true they must be there.
/// </summary>
public sealed class ExampleGrammarsFactAttribute : FactAttribute
{
    public ExampleGrammarsFactAttribute() => Skip = TestPaths.ExampleGrammarsSkipReason;
}

/// <summary>A theory that needs llama.cpp's example grammars; skipped when they are absent.</summary>
public sealed class ExampleGrammarsTheoryAttribute : TheoryAttribute
{
    public ExampleGrammarsTheoryAttribute() => Skip = TestPaths.ExampleGrammarsSkipReason;
}
