namespace Wallfacer.TestSupport;

/// <summary>
/// Where tests find things outside the repository. <c>../shared</c> (beside the clone) holds real
/// model files and vocabularies that are not ours to commit; a user's fresh clone lacks it, so every
/// test that needs it skips (see <see cref="SharedFactAttribute"/>).
/// </summary>
public static class TestPaths
{
    private static readonly Lazy<string> RepoRootLazy = new(FindRepoRoot);

    /// <summary>The repository root (the folder holding Wallfacer.slnx).</summary>
    public static string RepoRoot => RepoRootLazy.Value;

    /// <summary>llama.cpp's example GBNF grammars (from the node-llama-cpp package; scripts/install-reference.sh).</summary>
    public static string ExampleGrammars => Path.Combine(RepoRoot, ".reference", "grammars");

    /// <summary>Why example-grammar tests skip (null when the grammars are there, or under CI=true, where they must be).</summary>
    public static string? ExampleGrammarsSkipReason =>
        File.Exists(Path.Combine(ExampleGrammars, "json.gbnf")) || Environment.GetEnvironmentVariable("CI") == "true"
            ? null
            : $"llama.cpp's example grammars are absent ({ExampleGrammars}); run scripts/install-reference.sh.";

    /// <summary>The shared folder: <c>WALLFACER_SHARED</c> if set, else <c>../shared</c> beside the repository.</summary>
    public static string SharedDir =>
        Environment.GetEnvironmentVariable("WALLFACER_SHARED") is { Length: > 0 } s
            ? s
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static bool SharedExists => Directory.Exists(Path.Combine(SharedDir, "models"));

    public static string SharedModel(string fileName) => Path.Combine(SharedDir, "models", fileName);

    public static string SharedVocab(string fileName) => Path.Combine(SharedDir, "models", "vocab", fileName);

    /// <summary>True when the tests run under CI (<c>CI=true</c>); missing references are failures there.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>A fresh temporary folder for one test.</summary>
    public static string NewTempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "wallfacer-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Wallfacer.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Could not find Wallfacer.slnx above " + AppContext.BaseDirectory);
    }
}
