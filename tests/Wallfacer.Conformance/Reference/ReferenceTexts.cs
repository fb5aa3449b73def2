using Wallfacer.TestSupport;

namespace Wallfacer.Conformance.Reference;

/// <summary>Texts for reference comparisons, read from this folder of the checkout (not copied to bin/).</summary>
public static class ReferenceTexts
{
    /// <summary>
    /// About 2,000 words of simple children's-story English written for this project (tinystory.txt),
    /// close to what the TinyStories models were trained on, for perplexity comparisons.
    /// </summary>
    public static string TinyStory => File.ReadAllText(
        Path.Combine(TestPaths.RepoRoot, "tests", "Wallfacer.Conformance", "Reference", "tinystory.txt"));
}
