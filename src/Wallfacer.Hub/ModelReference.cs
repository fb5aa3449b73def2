using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Wallfacer.Hub;

/// <summary>
/// <c>owner/name[:FILE]</c>: a model repository on the hub and, optionally, which GGUF in it. FILE is a file
/// path in the repository or a quantization tag such as <c>Q4_K_M</c> (see <see cref="GgufSelector"/>).
/// An <c>hf.co/</c> or <c>huggingface.co/</c> prefix, as Ollama writes it, is accepted and dropped.
/// </summary>
public sealed partial record ModelReference
{
    private const int MaxRepoIdLength = 96; // huggingface_hub validate_repo_id

    private static readonly string[] HostPrefixes = ["https://huggingface.co/", "huggingface.co/", "hf.co/"];

    private ModelReference(string owner, string name, string? fileOrQuant)
    {
        Owner = owner;
        Name = name;
        FileOrQuant = fileOrQuant;
    }

    public string Owner { get; }

    public string Name { get; }

    /// <summary>The file path or quantization tag after the colon; null to let <see cref="GgufSelector"/> choose.</summary>
    public string? FileOrQuant { get; }

    /// <summary><c>owner/name</c>.</summary>
    public string RepoId => Owner + "/" + Name;

    /// <summary>The repository's folder in the hub cache: <c>models--owner--name</c>.</summary>
    public string CacheFolderName => "models--" + Owner + "--" + Name;

    public override string ToString() => FileOrQuant == null ? RepoId : RepoId + ":" + FileOrQuant;

    /// <summary>Parses <paramref name="text"/> or throws a <see cref="HubException"/> that shows the expected form.</summary>
    public static ModelReference Parse(string text) =>
        TryParse(text, out var reference)
            ? reference
            : throw new HubException(HubErrorKind.InvalidInput,
                $"not a hub model name: '{text}' (expected owner/name or owner/name:FILE, e.g. bartowski/SmolLM2-135M-Instruct-GGUF:Q4_K_M).");

    public static bool TryParse(string? text, [NotNullWhen(true)] out ModelReference? reference)
    {
        reference = null;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        string rest = StripHostPrefix(text.Trim());
        string? selector = null;
        int colon = rest.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            selector = rest[(colon + 1)..];
            rest = rest[..colon];
            if (selector.Length == 0)
                return false;
        }
        if (!IsValidRepoId(rest))
            return false;
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        reference = new ModelReference(rest[..slash], rest[(slash + 1)..], selector);
        return true;
    }

    /// <summary>huggingface_hub's repo-id rule, restricted to the owner/name form: ASCII words, no "--" or "..".</summary>
    private static bool IsValidRepoId(string id) =>
        id.Length <= MaxRepoIdLength
        && RepoIdPattern().IsMatch(id)
        && !id.Contains("--", StringComparison.Ordinal)
        && !id.Contains("..", StringComparison.Ordinal)
        && !id.EndsWith(".git", StringComparison.Ordinal);

    private static string StripHostPrefix(string text)
    {
        foreach (string prefix in HostPrefixes)
        {
            if (text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                return text[prefix.Length..];
        }
        return text;
    }

    // Each part starts and ends with a letter, digit or underscore, as \b[\w\-.]+\b does in Python.
    [GeneratedRegex(@"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?/[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$", RegexOptions.CultureInvariant)]
    private static partial Regex RepoIdPattern();
}
